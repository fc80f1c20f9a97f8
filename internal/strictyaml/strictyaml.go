// Package strictyaml decodes the YAML files vtui reads (the config file,
// cluster configurations, drill plans) into typed structs, strictly: an
// unknown key, a value of the wrong type, a missing required key, a
// repeated key or a key the caller forbids is an *Error that names the
// file, the line, the column and the key, and says what would do.
//
// github.com/goccy/go-yaml does the parsing and the decoding, and finds
// unknown keys itself; this package adds what it does not
// do: repeated keys with both places, required keys (the tag `strict:"required"`), integers that must not
// be floats, a place and a key path for every value of the wrong shape,
// also as a list's item, and for the errors of a type's own
// UnmarshalText or UnmarshalYAML (what such a type asks to decode is
// checked like any value), the list of valid keys in an unknown key's
// error, and messages in YAML's words rather than Go's. A plain value
// that YAML reads as a number or a boolean (010, 0x1F, 1.50, true) keeps
// its text as written wherever it lands in a string, so that a host or a
// name is the one written; nothing (~, null) in a string stays "". Encode
// writes YAML as vtui writes it everywhere.
package strictyaml

import (
	"errors"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// Error is a problem at one place of a YAML file.
type Error struct {
	// Path is the file, as the caller named it.
	Path string
	// Line and Column are 1-based; 0 when the problem has no place (an
	// empty document missing a required key is at line 1).
	Line, Column int
	// Key locates the value by its keys: "contexts.lab.insecure",
	// "rules[2].name"; "" for the document itself.
	Key string
	// Msg says what is wrong and what would do.
	Msg string
	// Source is the offending lines with a caret under the place, for
	// people reading a terminal; it is not part of Error().
	Source string
}

// Error is "path:line:column: key: message", one line, as compilers and
// editors expect.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Path)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Option tunes Decode.
type Option func(*options)

type options struct {
	forbidden map[string]string // key -> why
}

// Forbid refuses the key wherever it appears, with why as the message
// (the config file forbids "password" and says where passwords go).
func Forbid(key, why string) Option {
	return func(o *options) { o.forbidden[key] = why }
}

// Document is a decoded file. It locates keys, so that checks made after
// decoding can report errors at the right place.
type Document struct {
	path string
	data []byte
	pos  map[string]token.Position // by key path: where the key (or list item) is
	vals map[string]token.Position // by key path: where its value is
}

// Decode decodes the YAML document data, read from path, into v, a
// pointer to a struct. An empty document, or one of only comments, leaves
// v as it is unless a field is required. Every problem it finds is an
// *Error; the first is returned.
func Decode(path string, data []byte, v any, opts ...Option) (*Document, error) {
	o := options{forbidden: map[string]string{}}
	for _, opt := range opts {
		opt(&o)
	}
	d := &Document{path: path, data: data, pos: map[string]token.Position{}, vals: map[string]token.Position{}}
	// Repeated keys are found while indexing, where both places are known.
	file, err := parser.ParseBytes(data, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		return d, d.fromLibrary(err, nil)
	}
	body := new(ast.Node)
	if len(file.Docs) > 1 {
		return d, d.errorAt(file.Docs[1].Start, "", "holds more than one YAML document; keep one")
	}
	if len(file.Docs) == 1 {
		body = &file.Docs[0].Body
	}
	w := &walker{d: d, forbidden: o.forbidden, byPos: map[[2]int]string{}}
	w.index(*body, nil)
	if w.err != nil {
		return d, w.err
	}
	// check also makes plain scalars in strings strings of their text,
	// so the document is decoded from the nodes it leaves.
	if err := w.check(body, nil, typeOf(v)); err != nil {
		return d, err
	}
	if isNull(*body) {
		return d, nil
	}
	if err := yaml.NodeToValue(*body, v, yaml.DisallowUnknownField()); err != nil {
		return d, d.fromLibrary(err, w)
	}
	return d, nil
}

// Errorf returns an *Error for the key path (given as segments:
// "contexts", name, "url") at its value; if the key is not in the file, at
// the nearest key that holds it, or else at the start of the file.
func (d *Document) Errorf(keys []string, format string, args ...any) *Error {
	k := keyPath(keys)
	for n := len(keys); n >= 0; n-- {
		at := keyPath(keys[:n])
		if p, ok := d.vals[at]; ok && n == len(keys) {
			return d.newError(p.Line, p.Column, k, fmt.Sprintf(format, args...))
		}
		if p, ok := d.pos[at]; ok {
			return d.newError(p.Line, p.Column, k, fmt.Sprintf(format, args...))
		}
	}
	return d.newError(0, 0, k, fmt.Sprintf(format, args...))
}

// Has reports whether the document sets the key path.
func (d *Document) Has(keys ...string) bool {
	_, ok := d.pos[keyPath(keys)]
	return ok
}

// Line returns the line of the key path, 0 if it is not in the document.
func (d *Document) Line(keys ...string) int { return d.pos[keyPath(keys)].Line }

func (d *Document) newError(line, col int, key, msg string) *Error {
	e := &Error{Path: d.path, Line: line, Column: col, Key: key, Msg: msg}
	if line > 0 {
		e.Source = d.source(line, col)
	}
	return e
}

func (d *Document) errorAt(t *token.Token, key, format string, args ...any) *Error {
	if t == nil || t.Position == nil {
		return d.newError(0, 0, key, fmt.Sprintf(format, args...))
	}
	return d.newError(t.Position.Line, t.Position.Column, key, fmt.Sprintf(format, args...))
}

// source shows up to two lines before line and the line itself, with a
// caret under col.
func (d *Document) source(line, col int) string {
	lines := strings.Split(string(d.data), "\n")
	var b strings.Builder
	for i := max(line-3, 0); i < line && i < len(lines); i++ {
		mark := "  "
		if i == line-1 {
			mark = "> "
		}
		fmt.Fprintf(&b, "%s%3d | %s\n", mark, i+1, lines[i])
	}
	if col > 0 {
		fmt.Fprintf(&b, "%s^\n", strings.Repeat(" ", col+7))
	}
	return b.String()
}

// fromLibrary turns a go-yaml error into an *Error in this package's
// words. w, when not nil, locates keys and types.
func (d *Document) fromLibrary(err error, w *walker) error {
	var yerr yaml.Error
	if !errors.As(err, &yerr) {
		// go-yaml does not place the errors of a type's own parser; check
		// ran those parsers first, so this is a last resort.
		return d.newError(0, 0, "", err.Error())
	}
	tk := yerr.GetToken()
	key := ""
	if w != nil && tk != nil && tk.Position != nil {
		key = w.byPos[[2]int{tk.Position.Line, tk.Position.Column}]
	}
	var (
		syntax *yaml.SyntaxError
		unk    *yaml.UnknownFieldError
		typ    *yaml.TypeError
		shape  *yaml.UnexpectedNodeTypeError
	)
	msg := yerr.GetMessage()
	switch {
	case errors.As(err, &syntax):
		msg = "invalid YAML: " + msg
	case errors.As(err, &unk):
		msg = "unknown key" + w.valid(key)
	case errors.As(err, &typ):
		msg = fmt.Sprintf("want %s, got %q", describe(typ.DstType), tk.Value)
	case errors.As(err, &shape):
		msg = fmt.Sprintf("want %s, got %s", nodeWords(shape.Expected), nodeWords(shape.Actual))
	}
	return d.errorAt(tk, key, "%s", msg)
}
