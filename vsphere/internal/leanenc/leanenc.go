// Package leanenc writes the property collector's answers leanly: the
// mirror, on the simulator's side, of the client's lean decode
// (vsphere/internal/conn/leanxml.go).
//
// vcsim encodes every answer with govmomi's reflective XML encoder, which
// declares the XML Schema instance name space afresh on every value and
// leaves much garbage behind: at 45,000 VMs, encoding the answers of the
// terminal UI's load was 5 of the simulator's 13.7 CPU seconds, and their
// garbage a good part of its 3.75 s of GC. An Answer writes the answers
// of RetrievePropertiesEx, ContinueRetrievePropertiesEx and
// WaitForUpdatesEx itself: their structure (objects, each with its obj,
// propSet and missingSet; update sets, with their filters, object
// updates and changeSet), the values of simple types (strings, booleans,
// numbers, dates, enumerations, references and lists of references and
// strings) and, with an encoder built once per type from its xml tags
// (value.go), values of vim25's data types (snapshot trees, file
// layouts, summaries...) and missingSet entries. It hands a value of a
// type those encoders do not cover to govmomi's encoder, one value at a
// time.
//
// It writes what govmomi's encoder writes but for one thing: a value's
// type is an xsi:type attribute, in the prefix the SOAP envelope declares
// (vcsim's declares xsi, as vCenter's does), as vCenter writes it.
// govmomi's encoder declares a prefix of its own on every value: 84
// bytes more a value, two fifths of the bytes of a watch's first answer
// on the VM list, for the simulator to write and the client to read (see
// ShortenXSITypes).
package leanenc

import (
	"bytes"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"
)

// Answer is the response of a property collector method, which encodes
// itself leanly as an xml.Marshaler: as govmomi's encoder encodes the
// response it holds under the same start element, with the response's
// name. Its values must not change until it is encoded.
type Answer struct {
	name   string
	result *types.RetrieveResult // RetrievePropertiesEx, ContinueRetrievePropertiesEx
	set    *types.UpdateSet      // WaitForUpdatesEx
}

// RetrievePropertiesEx returns the Answer of res.
func RetrievePropertiesEx(res *types.RetrievePropertiesExResponse) *Answer {
	return &Answer{name: "RetrievePropertiesExResponse", result: res.Returnval}
}

// ContinueRetrievePropertiesEx returns the Answer of res.
func ContinueRetrievePropertiesEx(res *types.ContinueRetrievePropertiesExResponse) *Answer {
	return &Answer{name: "ContinueRetrievePropertiesExResponse", result: &res.Returnval}
}

// WaitForUpdatesEx returns the Answer of res.
func WaitForUpdatesEx(res *types.WaitForUpdatesExResponse) *Answer {
	return &Answer{name: "WaitForUpdatesExResponse", set: res.Returnval}
}

// MarshalXML writes the answer as an element named after its response, in
// start's name space, with start's attributes.
func (a *Answer) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	w := writers.Get().(*writer)
	defer w.release()
	var err error
	switch {
	case a.result != nil:
		err = w.retrieveResult(a.result)
	case a.set != nil:
		err = w.updateSet(a.set)
	}
	if err != nil {
		return fmt.Errorf("encode %s: %w", a.name, err)
	}
	start.Name.Local = a.name
	return e.EncodeElement(rawXML{w.b}, start)
}

// rawXML is an element whose content is written as it is.
type rawXML struct {
	Inner []byte `xml:",innerxml"`
}

// writers keeps writers, and their buffers, from one answer to the next:
// an answer of a large inventory is megabytes.
var writers = sync.Pool{New: func() any { return new(writer) }}

// writer writes the content of an answer into b.
type writer struct {
	b []byte
	// The fallback: govmomi's encoder, writing into fb.
	fb  bytes.Buffer
	enc *xml.Encoder
	// fellBack, if set, is told the type of each value given to the
	// fallback (tests count them).
	fellBack func(reflect.Type)
}

// maxKept bounds the buffer a writer keeps for the next answer.
const maxKept = 64 << 20

func (w *writer) release() {
	if cap(w.b) > maxKept {
		w.b = nil
	}
	w.b = w.b[:0]
	w.fb.Reset()
	writers.Put(w)
}

func (w *writer) retrieveResult(rr *types.RetrieveResult) error {
	w.open("returnval")
	if rr.Token != "" {
		w.text("token", rr.Token)
	}
	for i := range rr.Objects {
		oc := &rr.Objects[i]
		w.open("objects")
		w.ref("obj", oc.Obj)
		for _, p := range oc.PropSet {
			w.open("propSet")
			w.text("name", p.Name)
			if err := w.val(p.Val); err != nil {
				return fmt.Errorf("property %s of %s: %w", p.Name, oc.Obj, err)
			}
			w.close("propSet")
		}
		for _, m := range oc.MissingSet {
			if err := w.element(missingElem, m); err != nil {
				return fmt.Errorf("missing property %s of %s: %w", m.Path, oc.Obj, err)
			}
		}
		w.close("objects")
	}
	w.close("returnval")
	return nil
}

func (w *writer) updateSet(us *types.UpdateSet) error {
	w.open("returnval")
	w.text("version", us.Version)
	for i := range us.FilterSet {
		fu := &us.FilterSet[i]
		w.open("filterSet")
		w.ref("filter", fu.Filter)
		for j := range fu.ObjectSet {
			ou := &fu.ObjectSet[j]
			w.open("objectSet")
			w.text("kind", string(ou.Kind))
			w.ref("obj", ou.Obj)
			for _, c := range ou.ChangeSet {
				w.open("changeSet")
				w.text("name", c.Name)
				w.text("op", string(c.Op))
				if err := w.val(c.Val); err != nil {
					return fmt.Errorf("change of %s of %s: %w", c.Name, ou.Obj, err)
				}
				w.close("changeSet")
			}
			for _, m := range ou.MissingSet {
				if err := w.element(missingElem, m); err != nil {
					return fmt.Errorf("missing property %s of %s: %w", m.Path, ou.Obj, err)
				}
			}
			w.close("objectSet")
		}
		for _, m := range fu.MissingSet {
			if err := w.element(missingElem, m); err != nil {
				return fmt.Errorf("missing object %s: %w", m.Obj, err)
			}
		}
		w.close("filterSet")
	}
	if us.Truncated != nil {
		w.text("truncated", strconv.FormatBool(*us.Truncated))
	}
	w.close("returnval")
	return nil
}

func (w *writer) open(name string) {
	w.b = append(w.b, '<')
	w.b = append(w.b, name...)
	w.b = append(w.b, '>')
}

func (w *writer) close(name string) {
	w.b = append(w.b, "</"...)
	w.b = append(w.b, name...)
	w.b = append(w.b, '>')
}

// text writes the element name holding s.
func (w *writer) text(name, s string) {
	w.open(name)
	w.escape(s)
	w.close(name)
}

// ref writes the element name holding ref.
func (w *writer) ref(name string, ref types.ManagedObjectReference) {
	w.b = append(w.b, '<')
	w.b = append(w.b, name...)
	w.refAttrs(ref)
	w.b = append(w.b, '>')
	w.escape(ref.Value)
	w.close(name)
}

// refAttrs writes the attributes of ref, in the order of its fields.
func (w *writer) refAttrs(ref types.ManagedObjectReference) {
	w.b = append(w.b, ` type="`...)
	w.escape(ref.Type)
	w.b = append(w.b, '"')
	if ref.ServerGUID != "" {
		w.b = append(w.b, ` serverGuid="`...)
		w.escape(ref.ServerGUID)
		w.b = append(w.b, '"')
	}
}

// xsiType starts a value's XML Schema instance type attribute, in the
// prefix the envelope declares.
const xsiType = ` xsi:type="`

// govmomi's encoder writes a value's type in a prefix of its own for the
// XML Schema instance name space, named after its last path element
// ("_" before a name starting with "xml"): it declares the prefix on the
// value (govmomiXSIDecl) and uses it there and in the value's elements
// (govmomiXSIType). Both hold a literal '"', which govmomi's encoder
// escapes in text: they can only be markup.
const (
	govmomiXSI     = "_XMLSchema-instance"
	govmomiXSIDecl = ` xmlns:` + govmomiXSI + `="http://www.w3.org/2001/XMLSchema-instance"`
	govmomiXSIType = ` ` + govmomiXSI + `:type="`
)

// ShortenXSITypes returns b, values as govmomi's encoder writes them,
// with their type attributes in the envelope's xsi prefix (xsiType) and
// govmomi's declarations of its own prefix left out.
func ShortenXSITypes(b []byte) []byte { return appendShortened(nil, b) }

// appendShortened appends ShortenXSITypes(b) to dst. The prefix is only
// ever used for type attributes, and always names the same name space.
func appendShortened(dst, b []byte) []byte {
	for {
		i := bytes.Index(b, []byte(govmomiXSI))
		if i < 0 {
			return append(dst, b...)
		}
		// The declaration and the attribute, each from its space.
		decl, typ := i-len(" xmlns:"), i-len(" ")
		switch {
		case decl >= 0 && bytes.HasPrefix(b[decl:], []byte(govmomiXSIDecl)):
			dst = append(dst, b[:decl]...)
			b = b[decl+len(govmomiXSIDecl):]
		case typ >= 0 && bytes.HasPrefix(b[typ:], []byte(govmomiXSIType)):
			dst = append(dst, b[:typ]...)
			dst = append(dst, xsiType...)
			b = b[typ+len(govmomiXSIType):]
		default: // text that happens to hold the prefix's name
			dst = append(dst, b[:i+len(govmomiXSI)]...)
			b = b[i+len(govmomiXSI):]
		}
	}
}

// openVal starts a val element of the type typ; attrs writes the
// attributes of the value's own, if it has any.
func (w *writer) openVal(typ string, attrs func()) {
	w.b = append(w.b, "<val"...)
	if attrs != nil {
		attrs()
	}
	w.b = append(w.b, xsiType...)
	w.b = append(w.b, typ...)
	w.b = append(w.b, `">`...)
}

// simpleVal writes a val element of the type typ holding s.
func (w *writer) simpleVal(typ, s string) {
	w.openVal(typ, nil)
	w.escape(s)
	w.close("val")
}

// intVal writes a val element of the type typ holding n.
func (w *writer) intVal(typ string, n int64) {
	w.openVal(typ, nil)
	w.b = strconv.AppendInt(w.b, n, 10)
	w.close("val")
}

// val writes v as the val element of a propSet or changeSet: nothing for
// nil (as for a nil pointer), the simple types here, any other through
// element.
func (w *writer) val(v any) error {
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		w.simpleVal("xsd:string", v)
	case bool:
		w.openVal("xsd:boolean", nil)
		w.b = strconv.AppendBool(w.b, v)
		w.close("val")
	case int32:
		w.intVal("xsd:int", int64(v))
	case int64:
		w.intVal("xsd:long", v)
	case int16:
		w.intVal("xsd:short", int64(v))
	case int8:
		w.intVal("xsd:byte", int64(v))
	case int:
		w.intVal("xsd:long", int64(v))
	case float64:
		w.openVal("xsd:double", nil)
		w.b = strconv.AppendFloat(w.b, v, 'g', -1, 64)
		w.close("val")
	case float32:
		w.openVal("xsd:float", nil)
		w.b = strconv.AppendFloat(w.b, float64(v), 'g', -1, 32)
		w.close("val")
	case time.Time:
		n := len(w.b)
		w.openVal("xsd:dateTime", nil)
		b, err := v.AppendText(w.b) // RFC 3339, which needs no escapes
		if err != nil {
			w.b = w.b[:n]
			return w.element(valElem, v) // govmomi's error
		}
		w.b = b
		w.close("val")
	case types.ManagedObjectReference:
		w.openVal("ManagedObjectReference", func() { w.refAttrs(v) })
		w.escape(v.Value)
		w.close("val")
	case types.ArrayOfManagedObjectReference:
		w.openVal("ArrayOfManagedObjectReference", nil)
		for _, r := range v.ManagedObjectReference {
			w.ref("ManagedObjectReference", r)
		}
		w.close("val")
	case types.ArrayOfString:
		w.openVal("ArrayOfString", nil)
		for _, s := range v.String {
			if s != "" { // omitempty applies to each element
				w.text("string", s)
			}
		}
		w.close("val")
	default:
		return w.element(valElem, v)
	}
	return nil
}

// valElem and missingElem are the elements of a property's value and of
// a missing set's entry, with the options of DynamicProperty.Val
// (PropertyChange.Val's are the same) and ObjectContent.MissingSet
// (ObjectUpdate's and PropertyFilterUpdate's are the same).
var (
	valElem     = &elem{name: "val", typeattr: true, govmomi: func(v any) any { return valXML{Val: v} }}
	missingElem = &elem{name: "missingSet", omitempty: true, govmomi: func(v any) any { return missingXML{M: v} }}
)

// element writes v as el with its type's lean encoder (value.go), or, if
// it has none (or it fails), with govmomi's encoder.
func (w *writer) element(el *elem, v any) error {
	if e := encoderFor(reflect.TypeOf(v)); e != nil {
		n := len(w.b)
		if e.write(w, el, reflect.ValueOf(v)) == nil {
			return nil
		}
		w.b = w.b[:n] // govmomi's encoder writes it, or says what is wrong
	}
	if w.fellBack != nil {
		w.fellBack(reflect.TypeOf(v))
	}
	return w.fallback(el.govmomi(v))
}

// valXML and missingXML hold a value for govmomi's encoder under the tags
// of valElem and missingElem, inside an element <x> that fallback leaves
// out.
type valXML struct {
	XMLName xml.Name `xml:"x"`
	Val     any      `xml:"val,typeattr"`
}

type missingXML struct {
	XMLName xml.Name `xml:"x"`
	M       any      `xml:"missingSet,omitempty"`
}

// fallback writes the element that v (a valXML or missingXML) holds,
// with govmomi's encoder, its type attributes shortened.
func (w *writer) fallback(v any) error {
	if w.enc == nil {
		w.enc = xml.NewEncoder(&w.fb)
	}
	w.fb.Reset()
	if err := w.enc.Encode(v); err != nil {
		return err
	}
	if err := w.enc.Flush(); err != nil {
		return err
	}
	b := w.fb.Bytes()
	const open, end = "<x>", "</x>"
	if !bytes.HasPrefix(b, []byte(open)) || !bytes.HasSuffix(b, []byte(end)) {
		return fmt.Errorf("govmomi's encoder wrote %.40q for %T", b, v)
	}
	w.b = appendShortened(w.b, b[len(open):len(b)-len(end)])
	return nil
}

// escape writes s escaped as govmomi's encoder escapes text and attribute
// values: the five special characters, tab and line ends as character
// references, and what XML cannot hold (other control characters,
// invalid UTF-8) as U+FFFD.
func (w *writer) escape(s string) {
	last := 0
	for i := 0; i < len(s); {
		if plain[s[i]] {
			i++
			continue
		}
		r, width := utf8.DecodeRuneInString(s[i:])
		var esc string
		switch r {
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\t':
			esc = "&#x9;"
		case '\n':
			esc = "&#xA;"
		case '\r':
			esc = "&#xD;"
		default:
			if inCharacterRange(r) && (r != utf8.RuneError || width > 1) {
				i += width
				continue
			}
			esc = "\uFFFD"
		}
		w.b = append(w.b, s[last:i]...)
		w.b = append(w.b, esc...)
		i += width
		last = i
	}
	w.b = append(w.b, s[last:]...)
}

// plain holds the bytes escape writes as they are: printable ASCII but
// the five special characters.
var plain = func() (set [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		set[c] = !strings.ContainsRune(`"'&<>`, rune(c))
	}
	return set
}()

// inCharacterRange reports whether XML can hold r.
func inCharacterRange(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}
