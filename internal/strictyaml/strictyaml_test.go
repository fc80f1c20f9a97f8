package strictyaml

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

type level string

func (l *level) UnmarshalText(b []byte) error {
	if s := string(b); s != "low" && s != "high" {
		return fmt.Errorf("invalid level %q: want low or high", s)
	}
	*l = level(b)
	return nil
}

type item struct {
	Name  string `yaml:"name" strict:"required"`
	Level level  `yaml:"level"`
	Count int    `yaml:"count"`
}

type doc struct {
	Title   string            `yaml:"title" strict:"required"`
	Enabled bool              `yaml:"enabled"`
	Wait    time.Duration     `yaml:"wait"`
	Items   []item            `yaml:"items"`
	ByName  map[string]item   `yaml:"by-name"`
	Tags    []string          `yaml:"tags"`
	Opt     *bool             `yaml:"opt"`
	Nested  struct{ A int }   `yaml:"nested"`
	Loose   map[string]string `yaml:"loose"`
}

func TestDecodeErrorsNameFileLineColumnAndKey(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"unknown key", "title: x\nitems:\n  - name: a\n    colour: red\n",
			`plan.yaml:4:5: items[0].colour: unknown key (valid: name, level, count)`},
		{"unknown top-level key", "title: x\nowner: me\n",
			`plan.yaml:2:1: owner: unknown key (valid: title, enabled, wait, items, by-name, tags, opt, nested, loose)`},
		{"wrong type", "title: x\nenabled: maybe\n", `plan.yaml:2:10: enabled: want true or false, got "maybe"`},
		{"a float for an integer", "title: x\nitems:\n  - {name: a, count: 1.5}\n", `plan.yaml:3:22: items[0].count: want a whole number, got "1.5"`},
		{"a list for a string", "title: [a, b]\n", `plan.yaml:1:8: title: want a single value, got a list`},
		{"a mapping for a list", "title: x\ntags: {a: 1}\n", `plan.yaml:2:7: tags: want a list, got a mapping`},
		{"missing required key", "title: x\nitems:\n  - level: low\n", `plan.yaml:3:5: items[0]: missing key "name"`},
		{"missing required key in an empty file", "", `plan.yaml:1:1: missing key "title"`},
		{"missing in a map entry", "title: x\nby-name:\n  a: {count: 2}\n", `plan.yaml:3:3: by-name.a: missing key "name"`},
		{"a list for a type's own parser", "title: x\nitems:\n  - name: a\n    level: [low, high]\n", `plan.yaml:4:12: items[0].level: want a single value, got a list`},
		{"a mapping for a type's own parser", "title: x\nitems:\n  - name: a\n    level: {low: 1}\n", `plan.yaml:4:12: items[0].level: want a single value, got a mapping`},
		{"a type's own parser", "title: x\nitems:\n  - name: a\n    level: medium\n", `plan.yaml:4:12: items[0].level: invalid level "medium": want low or high`},
		{"bad duration", "title: x\nwait: soon\n", `plan.yaml:2:7: wait: want a duration such as 30s or 5m, got "soon"`},
		{"repeated key", "title: x\ntitle: y\n", `plan.yaml:2:1: title: repeated key (first on line 1)`},
		{"syntax error", "title: x\nitems: [a\n", `plan.yaml:2:8: invalid YAML: sequence end token ']' not found`},
		{"tab indentation", "title: x\nby-name:\n\ta: {}\n", `plan.yaml:3:1: invalid YAML`},
		{"forbidden key", "title: x\nloose:\n  password: hunter2\n", `plan.yaml:3:3: loose.password: passwords never go in this file`},
		{"two documents", "title: x\n---\ntitle: y\n", `plan.yaml:2:1: holds more than one YAML document; keep one`},
		{"not a mapping", "- a\n", `plan.yaml:1:1: want a mapping, got a list`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d doc
			_, err := Decode("plan.yaml", []byte(tc.in), &d, Forbid("password", "passwords never go in this file"))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Decode(%q) = %v; want an *Error", tc.in, err)
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("Decode(%q):\n got %s\nwant %s", tc.in, err, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(e.Source, "hunter2") && tc.name != "forbidden key" {
				t.Errorf("the error shows a secret: %s", err)
			}
			if e.Line > 0 && !strings.Contains(e.Source, "^") {
				t.Errorf("Source %q has no caret", e.Source)
			}
		})
	}
}

func TestDecodeAcceptsWhatIsValid(t *testing.T) {
	in := `
title: t
enabled: true
wait: 90s
items:
  - &first {name: a, level: low, count: 3}
  - *first
by-name:
  "with.dot": {name: b}
tags: [x, "y"]
opt: ~
loose: {k: v}
`
	var d doc
	doc, err := Decode("p.yaml", []byte(in), &d)
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "t" || !d.Enabled || d.Wait != 90*time.Second || len(d.Items) != 2 || d.Items[1].Count != 3 ||
		d.ByName["with.dot"].Name != "b" || d.Opt != nil || d.Loose["k"] != "v" {
		t.Errorf("decoded %+v", d)
	}
	if !doc.Has("items", "[1]") || doc.Line("by-name", "with.dot") != 9 || doc.Has("nested") {
		t.Errorf("positions: items[1] %v, by-name.\"with.dot\" line %d, nested %v", doc.Has("items", "[1]"), doc.Line("by-name", "with.dot"), doc.Has("nested"))
	}
	if e := doc.Errorf([]string{"by-name", "with.dot"}, "no such %s", "thing"); e.Error() != `p.yaml:9:3: by-name."with.dot": no such thing` {
		t.Errorf("Errorf = %q", e)
	}
	// A key the file does not have is placed at the nearest key holding it.
	if e := doc.Errorf([]string{"by-name", "absent", "deeper"}, "missing"); e.Line != 8 || e.Key != "by-name.absent.deeper" {
		t.Errorf("Errorf of an absent key = line %d key %q (%v); want line 8 (by-name)", e.Line, e.Key, e)
	}
}

func TestEmptyOrCommentOnlyDocumentLeavesDefaults(t *testing.T) {
	type opt struct {
		N int `yaml:"n"`
	}
	for _, in := range []string{"", "# nothing\n", "~\n"} {
		v := opt{N: 7}
		if _, err := Decode("x.yaml", []byte(in), &v); err != nil || v.N != 7 {
			t.Errorf("Decode(%q) = %+v, %v; want defaults kept", in, v, err)
		}
	}
}

func TestEncodeIsReadBackByDecode(t *testing.T) {
	in := doc{Title: "t", Enabled: true, Wait: 90 * time.Second, Items: []item{{Name: "a", Level: "low", Count: 3}},
		ByName: map[string]item{"with.dot": {Name: "b", Level: "high"}}, Tags: []string{"x"}, Loose: map[string]string{"k": "v"}}
	var b strings.Builder
	if err := Encode(&b, in); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "\nitems:\n  - name: a\n") || !strings.Contains(b.String(), "\nwait: 1m30s\n") {
		t.Errorf("Encode wrote\n%s\nwant two-space indents and durations as text", b.String())
	}
	var out doc
	if _, err := Decode("encoded.yaml", []byte(b.String()), &out); err != nil {
		t.Fatalf("Decode of what Encode wrote: %v\n%s", err, b.String())
	}
	if fmt.Sprint(out) != fmt.Sprint(in) {
		t.Errorf("read back %+v; want %+v", out, in)
	}
}

// span is a duration written as text, parsed by its own UnmarshalText.
type span time.Duration

func (s *span) UnmarshalText(b []byte) error {
	d, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration", b)
	}
	*s = span(d)
	return nil
}

// argv is a string or a list of strings, read by its own UnmarshalYAML
// as ha/drill's Command is: what it reads, it reads as strings.
type argv []string

func (a *argv) UnmarshalYAML(unmarshal func(any) error) error {
	var v any
	if err := unmarshal(&v); err != nil {
		return err
	}
	switch v.(type) {
	case nil:
		*a = nil
		return nil
	case []any:
		return unmarshal((*[]string)(a))
	case map[string]any:
		return errors.New("want a string or a list of strings, got a mapping")
	}
	*a = argv{""}
	return unmarshal(&(*a)[0])
}

// raw is the YAML text of a value, read by its own UnmarshalYAML([]byte).
type raw string

func (r *raw) UnmarshalYAML(b []byte) error {
	if strings.HasPrefix(string(b), "{") {
		return errors.New("want anything but a flow mapping")
	}
	*r = raw(b)
	return nil
}

type pair struct {
	A string `yaml:"a"`
}

// fits has a field of each kind, alone and as a list's items.
type fits struct {
	S  string     `yaml:"s"`
	Ss []string   `yaml:"ss"`
	N  int        `yaml:"n"`
	Ns []int      `yaml:"ns"`
	D  span       `yaml:"d"`
	Ds []span     `yaml:"ds"`
	L  []string   `yaml:"l"`
	Ls [][]string `yaml:"ls"`
	T  pair       `yaml:"t"`
	Ts []pair     `yaml:"ts"`
	C  argv       `yaml:"c"`
	Cs []argv     `yaml:"cs"`
	R  raw        `yaml:"r"`
	Rs []raw      `yaml:"rs"`
}

// TestEveryShapeErrorNamesItsPlaceAndKey is the rule: whatever shape a
// value has (a single value, a list, a mapping, nothing) and whatever it
// decodes into (a string, an integer, a type with its own UnmarshalText
// or UnmarshalYAML, a list, a struct), a value that does not fit is an
// error at its line and column, with its key path, also as a list's item
// and inside a type that unmarshals itself.
func TestEveryShapeErrorNamesItsPlaceAndKey(t *testing.T) {
	// Each shape is written as a key's value (line 1, column 4, or on the
	// next line when it is a block) and as a list's first item (line 2,
	// column 5); item is how far right its second item starts.
	shapes := []struct {
		name, value, item string
		block             bool
		second            int
	}{
		{name: "single value", value: "5m"},
		{name: "list", value: "[5m, x]"},
		{name: "flow mapping", value: "{a: b}"},
		{name: "block mapping", value: "a: b", block: true},
		{name: "nothing", value: "~"},
		{name: "list holding a mapping", value: "[x, {a: b}]", second: 4},
	}
	const (
		ok     = ""
		second = "[1]: " // the message is about the list's second item
	)
	kinds := []struct {
		key  string
		want []string // by shape; ok, or the message after "key: "
	}{
		{"s", []string{ok, "want a single value, got a list", "want a single value, got a mapping", "want a single value, got a mapping", ok, "want a single value, got a list"}},
		{"n", []string{`want a whole number, got "5m"`, "want a whole number, got a list", "want a whole number, got a mapping", "want a whole number, got a mapping", ok, "want a whole number, got a list"}},
		{"d", []string{ok, "want a single value, got a list", "want a single value, got a mapping", "want a single value, got a mapping", ok, "want a single value, got a list"}},
		{"l", []string{"want a list, got a single value", ok, "want a list, got a mapping", "want a list, got a mapping", ok, second + "want a single value, got a mapping"}},
		{"t", []string{"want a mapping, got a single value", "want a mapping, got a list", ok, ok, ok, "want a mapping, got a list"}},
		{"c", []string{ok, ok, "want a string or a list of strings, got a mapping", "want a string or a list of strings, got a mapping", ok, second + "want a single value, got a mapping"}},
		{"r", []string{ok, ok, "want anything but a flow mapping", ok, ok, ok}},
	}
	for _, k := range kinds {
		for i, s := range shapes {
			for _, inList := range []bool{false, true} {
				key, text, line, col := k.key, k.key+": "+s.value+"\n", 1, len(k.key)+3
				if s.block {
					text, line, col = k.key+":\n    "+s.value+"\n", 2, 5
				}
				if inList {
					key, text, line, col = k.key+"s[0]", k.key+"s:\n  - "+s.value+"\n", 2, 5
				}
				want := k.want[i]
				if rest, ok := strings.CutPrefix(want, second); ok {
					key, col, want = key+"[1]", col+s.second, rest
				}
				t.Run(fmt.Sprintf("%s/%s/in a list %v", k.key, s.name, inList), func(t *testing.T) {
					var v fits
					_, err := Decode("f.yaml", []byte(text), &v)
					if want == ok {
						if err != nil {
							t.Errorf("Decode(%q) = %v; want it accepted", text, err)
						}
						return
					}
					var e *Error
					if !errors.As(err, &e) {
						t.Fatalf("Decode(%q) = %v; want an *Error", text, err)
					}
					if e.Line != line || e.Column != col || e.Key != key || e.Msg != want {
						t.Errorf("Decode(%q):\n got %d:%d: %s: %s\nwant %d:%d: %s: %s", text, e.Line, e.Column, e.Key, e.Msg, line, col, key, want)
					}
				})
			}
		}
	}
}

// TestTypesThatDecodeThemselvesSeeAnchors: Decode runs a type's own
// UnmarshalYAML on its value, which may refer to an anchor elsewhere.
func TestTypesThatDecodeThemselvesSeeAnchors(t *testing.T) {
	var v fits
	if _, err := Decode("f.yaml", []byte("s: &a x\nc: [y, *a]\nl: &l [p, q]\ncs: [*l]\n"), &v); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(v.C, v.Cs) != "[y x] [[p q]]" {
		t.Errorf("c = %q, cs = %q; want [y x] and [[p q]]", v.C, v.Cs)
	}
}

// named is a string type of its own, as enums and names are.
type named string

// verbatim is a string read by its own UnmarshalText, as it is given.
type verbatim string

func (v *verbatim) UnmarshalText(b []byte) error { *v = verbatim(b); return nil }

// asWritten has every place a plain scalar can land as a string.
type asWritten struct {
	S  string            `yaml:"s"`
	N  named             `yaml:"n"`
	Ss []string          `yaml:"ss"`
	M  map[string]string `yaml:"m"`
	C  argv              `yaml:"c"`
	T  verbatim          `yaml:"t"`
}

// TestPlainScalarsInStringsKeepTheirText is the rule: a value written
// without quotes that YAML would read as a number or a boolean (010,
// 0x1F, 1.50, true) keeps its text exactly as written when it lands in a
// string (a string field, a named string type, a list's item, a map's key
// or value, a type that decodes itself as a string or a list of strings),
// so that a host, a name or a command is never other than the one
// written. Nothing (~, null) stays "" as before.
func TestPlainScalarsInStringsKeepTheirText(t *testing.T) {
	spellings := []string{"010", "0o10", "0x1F", "1.50", "1e3", ".inf", "-.Inf", ".nan", "true", "False", "yes", "on",
		"-0", "+1", "1_000", "0b11", "12:30", "2026-12-07", "esx-01"}
	targets := []struct {
		name, doc string // doc holds X where the value goes
		got       func(v asWritten) string
	}{
		{"string", "s: X\n", func(v asWritten) string { return v.S }},
		{"named string type", "n: X\n", func(v asWritten) string { return string(v.N) }},
		{"list item", "ss:\n  - X\n", func(v asWritten) string { return v.Ss[0] }},
		{"flow list item", "ss: [a, X]\n", func(v asWritten) string { return v.Ss[1] }},
		{"map value", "m: {k: X}\n", func(v asWritten) string { return v.M["k"] }},
		{"map key", "m:\n  X: v\n", func(v asWritten) string {
			for k := range v.M {
				return k
			}
			return "<none>"
		}},
		{"own UnmarshalText", "t: X\n", func(v asWritten) string { return string(v.T) }},
		{"own unmarshaler, single", "c: X\n", func(v asWritten) string { return v.C[0] }},
		{"own unmarshaler, list", "c: [X]\n", func(v asWritten) string { return v.C[0] }},
		{"through an alias", "s: &a X\nss: [*a, *a]\nt: *a\n", func(v asWritten) string {
			return strings.Join([]string{v.S, v.Ss[0], v.Ss[1], string(v.T)}, " ")
		}},
	}
	for _, tg := range targets {
		for _, sp := range spellings {
			text := strings.ReplaceAll(tg.doc, "X", sp)
			want := sp
			if tg.name == "through an alias" {
				want = strings.Repeat(sp+" ", 3) + sp
			}
			var v asWritten
			if _, err := Decode("f.yaml", []byte(text), &v); err != nil {
				t.Errorf("%s: Decode(%q) = %v; want it accepted", tg.name, text, err)
				continue
			}
			if got := tg.got(v); got != want {
				t.Errorf("%s: Decode(%q) read %q; want %q", tg.name, text, got, want)
			}
		}
	}
}

// TestNothingInAStringStaysEmpty: ~ and null in a string are "", as
// before; keeping them as text would turn "no value" into a name.
func TestNothingInAStringStaysEmpty(t *testing.T) {
	for _, text := range []string{"s: ~\nn: ~\nss: [~]\nm: {k: ~}\n", "s: null\nn: null\nss: [null]\nm: {k: null}\n"} {
		var v asWritten
		if _, err := Decode("f.yaml", []byte(text), &v); err != nil {
			t.Fatalf("Decode(%q) = %v", text, err)
		}
		if v.S != "" || v.N != "" || len(v.Ss) != 1 || v.Ss[0] != "" || v.M["k"] != "" {
			t.Errorf("Decode(%q) = %+v; want every string empty", text, v)
		}
	}
}

// TestNumbersStayNumbersInNumericFields: keeping text is for strings
// only; an anchor shared by a string and an integer gives each its own.
func TestNumbersStayNumbersInNumericFields(t *testing.T) {
	var v fits
	if _, err := Decode("f.yaml", []byte("s: &a 010\nn: *a\nns: [0x1F, *a]\n"), &v); err != nil {
		t.Fatal(err)
	}
	if v.S != "010" || v.N != 8 || fmt.Sprint(v.Ns) != "[31 8]" {
		t.Errorf("s, n, ns = %q, %d, %v; want \"010\", 8, [31 8]", v.S, v.N, v.Ns)
	}
}
