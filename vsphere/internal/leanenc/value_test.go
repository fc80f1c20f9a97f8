package leanenc

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"
)

// Types that exercise the rules of govmomi's encoder that vim25's data
// types use little or not at all.
type (
	RuleInner struct {
		Key  int32  `xml:"key"`
		Note string `xml:"note,omitempty"`
	}
	ruleAttrs struct {
		ID    string   `xml:"id,attr"`
		Size  *uint16  `xml:"size,attr,omitempty"`
		Ratio float32  `xml:"ratio,attr,omitempty"`
		On    bool     `xml:"on,attr"`
		Text  string   `xml:",chardata"`
		Extra []string `xml:"-"`
	}
	ruleAll struct {
		RuleInner `xml:"ignored"`
		types.DynamicData
		Attrs      ruleAttrs                 `xml:"attrs"`
		Raw        string                    `xml:",innerxml"`
		Bytes      []byte                    `xml:"bytes"`
		NoBytes    []byte                    `xml:"noBytes,omitempty"`
		Unsigned   uint64                    `xml:"unsigned"`
		Small      uint8                     `xml:"small,omitempty"`
		Untagged   string                    // named after the field
		Strings    []string                  `xml:"s,omitempty"`
		Bools      []bool                    `xml:"b"`
		PP         **int64                   `xml:"pp"`
		Any        any                       `xml:"any,typeattr"`
		Anys       []any                     `xml:"anys,typeattr,omitempty"`
		Inners     []*RuleInner              `xml:"inner"`
		When       time.Time                 `xml:"when"`
		WhenPtr    *time.Time                `xml:"whenPtr,typeattr"`
		Digest     types.ByteSlice           `xml:"digest,typeattr"`
		Enum       types.ManagedEntityStatus `xml:"enum,typeattr"`
		unexported int
	}
	// Types left to govmomi's encoder.
	ruleNamed struct {
		XMLName xml.Name `xml:"named"`
		A       int      `xml:"a"`
	}
	ruleNested struct {
		A int `xml:"x>a"`
	}
	ruleMap struct {
		M map[string]int `xml:"m"`
	}
	ruleShadow struct {
		RuleInner
		Key string `xml:"key"`
	}
	ruleText struct {
		V textValue `xml:"v"`
	}
	textValue int
)

func (v textValue) MarshalText() ([]byte, error) { return []byte("text"), nil }

// TestEncoderRulesAreGovmomis: values of types that exercise govmomi's
// rules (attributes and character data, inner XML, bytes, unsigned
// numbers, embedding, omitempty in slices, pointers to pointers,
// interfaces holding anything, times, types.ByteSlice) are written as
// govmomi's encoder writes them, types shortened; values of types the
// encoders do not cover, or holding one in an interface, are written
// by govmomi's encoder.
func TestEncoderRulesAreGovmomis(t *testing.T) {
	n := int64(-5)
	pn := &n
	size := uint16(512)
	at := time.Date(2026, 12, 7, 14, 5, 6, 789, time.FixedZone("", -3600))
	full := &ruleAll{
		RuleInner: RuleInner{Key: 7, Note: "embedded"},
		Attrs:     ruleAttrs{ID: `a"<&>`, Size: &size, Ratio: 0.5, On: true, Text: "text & <more>"},
		Raw:       "<raw>as it is</raw>",
		Bytes:     []byte("by\ttes<\xff>"),
		Unsigned:  1<<64 - 1,
		Small:     200,
		Untagged:  "untagged",
		Strings:   []string{"", "a", "", "b"},
		Bools:     []bool{true, false},
		PP:        &pn,
		Any:       &RuleInner{Key: 1},
		Anys:      []any{nil, "s", int32(3), 0.25, uint32(9), RuleInner{Key: 2}, []string{"x", "", "y"}, &at, types.ManagedObjectReference{Type: "HostSystem", Value: "host-1"}},
		Inners:    []*RuleInner{{Key: 3}, nil, {Key: 4, Note: "n"}},
		When:      at,
		WhenPtr:   &at,
		Digest:    types.ByteSlice{0, 127, 128, 255},
		Enum:      types.ManagedEntityStatusGreen,
	}
	for _, c := range []struct {
		name  string
		v     any
		falls bool
	}{
		{"every rule", full, false},
		{"every rule, zero", &ruleAll{}, false},
		{"every rule, by value", *full, false},
		{"attributes and character data", ruleAttrs{}, false},
		{"a slice as the value", []RuleInner{{Key: 1}, {Key: 2}}, false},
		{"nested interfaces", []any{[]any{int8(1), &RuleInner{Key: 2}}}, false},
		{"an XMLName", ruleNamed{A: 1}, true},
		{"a nested path", ruleNested{A: 1}, true},
		{"a map", ruleMap{}, true},
		{"a shadowed field", ruleShadow{Key: "outer"}, true},
		{"a text marshaler", ruleText{V: 1}, true},
		{"a text marshaler in an interface", []any{"a", textValue(1)}, true},
		{"an unencodable time", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), true},
	} {
		want, wantErr := encodeWith(t, c.v, true)
		got, gotErr := encodeWith(t, c.v, false)
		var fell bool
		w := &writer{fellBack: func(reflect.Type) { fell = true }}
		_ = w.element(valElem, c.v)
		if (gotErr == nil) != (wantErr == nil) || !bytes.Equal(got, want) {
			t.Errorf("%s: lean encoding\n%s (%v)\nwant govmomi's\n%s (%v)", c.name, got, gotErr, want, wantErr)
		}
		if fell != c.falls {
			t.Errorf("%s: left to govmomi's encoder %v, want %v", c.name, fell, c.falls)
		}
	}
}

// encodeWith returns v written as a property's value by the lean encoders
// (or what they leave to govmomi's), or by govmomi's encoder, types
// shortened.
func encodeWith(t *testing.T, v any, govmomi bool) ([]byte, error) {
	t.Helper()
	w := &writer{}
	var err error
	if govmomi {
		err = w.fallback(valXML{Val: v})
	} else {
		err = w.element(valElem, v)
	}
	return w.b, err
}
