package leanenc

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"
)

// Values of vim25 data types, encoded leanly
//
// A value of a vim25 data type (a VM's snapshot tree, the lists of its
// file layout, a summary) is written by an encoder built once per Go
// type, by reflection over its fields and their xml tags, that applies
// the rules govmomi's encoder (vim25/xml's marshalValue) applies to them:
//
//   - a struct's fields in their order, an embedded struct's fields
//     where it is embedded, attr fields as attributes of the struct's
//     element before its type's, a chardata field as its text, an
//     innerxml string or []byte as it is;
//   - an omitempty field left out when empty: a zero number or bool, an
//     empty string or slice, a nil pointer or interface (a struct is
//     never empty);
//   - a nil pointer or interface left out, omitempty or not; a pointer
//     or interface written as the value it points to or holds;
//   - a slice (but []byte) as an element for each of its elements, each
//     under the field's options (an omitempty field's empty elements
//     left out);
//   - a typeattr field's element with the xsi:type of the value's own
//     type (the dynamic type of an interface): xsd:int, xsd:string,
//     xsd:dateTime... for Go's basic types and time.Time, a vim25 type's
//     name for the others;
//   - numbers, booleans, strings and []byte as text, escaped as govmomi
//     escapes it (escape); a time.Time as its MarshalText; a
//     types.ByteSlice as its MarshalXML (an element for each byte).
//
// A type with something these encoders do not write (a type that is an
// xml.Marshaler, xml.MarshalerAttr or encoding.TextMarshaler, but
// time.Time and types.ByteSlice; an XMLName field; a name space; nested
// paths; cdata, comment or any fields; maps, arrays, channels,
// functions; unexported embedded structs or embedded pointers; two
// fields of one name, which govmomi resolves by depth) has no encoder,
// decided once per type: a value with one anywhere, statically or as the
// dynamic type of an interface, goes whole to govmomi's encoder
// (writer.element), as does one whose encoding fails (a time out of
// RFC 3339's years, for govmomi's error). So the bytes are govmomi's
// either way, but for types in the envelope's xsi prefix
// (TestEncoderRulesAreGovmomis, TestLeanEncodingIsVcsims); at the small
// preset with snapshots, no value falls back
// (TestSimulatorValuesAreEncodedLeanly).

// elem is the element a value is written as: its name, and the options
// of the field that holds it.
type elem struct {
	name      string
	omitempty bool
	typeattr  bool
	// govmomi holds a value under this element for govmomi's encoder
	// (fallback); only for the elements writer.element writes.
	govmomi func(v any) any
}

// encoder writes the values of one Go type.
type encoder struct {
	// empty reports whether v is empty, for an omitempty field.
	empty func(v reflect.Value) bool
	// emit writes v as el, but for el's omitempty, which write applies:
	// nothing for a nil pointer or interface, an element for each of a
	// slice's elements, else one element.
	emit func(w *writer, el *elem, v reflect.Value) error
}

// write writes v as el.
func (e *encoder) write(w *writer, el *elem, v reflect.Value) error {
	if el.omitempty && e.empty(v) {
		return nil
	}
	return e.emit(w, el, v)
}

// errNoEncoder is the error of an interface holding a value of a type
// with no encoder: the whole value goes to govmomi's encoder.
var errNoEncoder = errors.New("no lean encoder")

// encoders caches encoderFor's answers by type; a nil *encoder means
// govmomi's.
var encoders sync.Map // reflect.Type → *encoder

// encoderFor returns the encoder of t's values, or nil if t has a part
// it does not write.
func encoderFor(t reflect.Type) *encoder {
	if e, ok := encoders.Load(t); ok {
		return e.(*encoder)
	}
	b := encoderBuilder{structs: map[reflect.Type]*encoder{}}
	e := b.build(t)
	// Only the asked type is kept: while t was built, a type on a cycle
	// through t may have counted on t's encoder before t turned out to
	// have none.
	encoders.Store(t, e)
	return e
}

var (
	timeType             = reflect.TypeFor[time.Time]()
	byteSliceType        = reflect.TypeFor[types.ByteSlice]()
	xmlMarshalerType     = reflect.TypeFor[xml.Marshaler]()
	xmlMarshalerAttrType = reflect.TypeFor[xml.MarshalerAttr]()
	textMarshalerType    = reflect.TypeFor[encoding.TextMarshaler]()
)

// encoderBuilder builds the encoder of one type and the types within it.
type encoderBuilder struct {
	// structs holds the struct types built or being built; nil for those
	// without an encoder.
	structs map[reflect.Type]*encoder
}

// marshals reports whether t's values (or their addresses) encode
// themselves in govmomi's encoder, as an element or an attribute.
func marshals(t reflect.Type) bool {
	for _, m := range []reflect.Type{xmlMarshalerType, xmlMarshalerAttrType, textMarshalerType} {
		if t.Implements(m) || reflect.PointerTo(t).Implements(m) {
			return true
		}
	}
	return false
}

// build returns the encoder of t, or nil if t has a part it does not
// write.
func (b *encoderBuilder) build(t reflect.Type) *encoder {
	switch t {
	case timeType:
		return &encoder{empty: never, emit: element(t, nil, writeTime)}
	case byteSliceType:
		return &encoder{empty: isLenZero, emit: emitByteSlice}
	}
	if k := t.Kind(); k != reflect.Pointer && k != reflect.Interface && marshals(t) {
		return nil // govmomi's encoder asks the value a pointer points to or an interface holds
	}
	switch t.Kind() {
	case reflect.Pointer:
		inner := b.build(t.Elem())
		if inner == nil {
			return nil
		}
		return &encoder{empty: reflect.Value.IsNil, emit: func(w *writer, el *elem, v reflect.Value) error {
			if v.IsNil() {
				return nil
			}
			return inner.emit(w, el, v.Elem())
		}}
	case reflect.Interface:
		return &encoder{empty: reflect.Value.IsNil, emit: emitInterface}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return &encoder{empty: isLenZero, emit: element(t, nil, writeBytes)}
		}
		inner := b.build(t.Elem())
		if inner == nil {
			return nil
		}
		return &encoder{empty: isLenZero, emit: func(w *writer, el *elem, v reflect.Value) error {
			for i := range v.Len() {
				if err := inner.write(w, el, v.Index(i)); err != nil {
					return err
				}
			}
			return nil
		}}
	case reflect.Struct:
		e, ok := b.structs[t]
		if !ok {
			e = &encoder{empty: never}
			b.structs[t] = e
			if s := b.structFields(t); s != nil {
				e.emit = element(t, s.attrs, s.content)
			} else {
				e = nil
				b.structs[t] = nil
			}
		}
		return e
	}
	if write := simpleWriter(t); write != nil {
		return &encoder{empty: reflect.Value.IsZero, emit: element(t, nil, func(w *writer, v reflect.Value) error {
			write(w, v)
			return nil
		})}
	}
	return nil
}

// never is the emptiness of structs: never empty.
func never(reflect.Value) bool { return false }

func isLenZero(v reflect.Value) bool { return v.Len() == 0 }

// emitInterface writes the value the interface v holds, with the encoder
// of its type.
func emitInterface(w *writer, el *elem, v reflect.Value) error {
	if v.IsNil() {
		return nil
	}
	v = v.Elem()
	e := encoderFor(v.Type())
	if e == nil {
		return fmt.Errorf("%w of %s", errNoEncoder, v.Type())
	}
	return e.emit(w, el, v)
}

// element returns the emit of the type t, whose values are one element:
// its start tag, with attrs's attributes (if any) then, for a typeattr
// field, t's xsi:type; content; its end tag.
func element(t reflect.Type, attrs, content func(w *writer, v reflect.Value) error) func(w *writer, el *elem, v reflect.Value) error {
	xsi := xsiTypeName(t)
	return func(w *writer, el *elem, v reflect.Value) error {
		w.b = append(w.b, '<')
		w.b = append(w.b, el.name...)
		if attrs != nil {
			if err := attrs(w, v); err != nil {
				return err
			}
		}
		if el.typeattr {
			w.b = append(w.b, xsiType...)
			w.b = append(w.b, xsi...)
			w.b = append(w.b, '"')
		}
		w.b = append(w.b, '>')
		if err := content(w, v); err != nil {
			return err
		}
		w.close(el.name)
		return nil
	}
}

// xsiTypeName returns the name govmomi's encoder gives t in a type
// attribute (vim25/xml's typeToString); t is a type build makes an
// element of.
func xsiTypeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "xsd:boolean"
	case reflect.Int8:
		return "xsd:byte"
	case reflect.Int16:
		return "xsd:short"
	case reflect.Int32:
		return "xsd:int"
	case reflect.Int, reflect.Int64:
		return "xsd:long"
	case reflect.Uint8:
		return "xsd:unsignedByte"
	case reflect.Uint16:
		return "xsd:unsignedShort"
	case reflect.Uint32:
		return "xsd:unsignedInt"
	case reflect.Uint, reflect.Uint64:
		return "xsd:unsignedLong"
	case reflect.Float32:
		return "xsd:float"
	case reflect.Float64:
		return "xsd:double"
	case reflect.String:
		if t.Name() == "string" {
			return "xsd:string"
		}
		return t.Name()
	case reflect.Struct:
		if t == timeType {
			return "xsd:dateTime"
		}
		return t.Name()
	case reflect.Slice:
		return "xsd:base64Binary" // of bytes
	}
	return ""
}

// simpleWriter returns the writer of the text of t's values, if t is a
// number, a boolean or a string, else nil.
func simpleWriter(t reflect.Type) func(w *writer, v reflect.Value) {
	switch t.Kind() {
	case reflect.String:
		return func(w *writer, v reflect.Value) { w.escape(v.String()) }
	case reflect.Bool:
		return func(w *writer, v reflect.Value) { w.b = strconv.AppendBool(w.b, v.Bool()) }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(w *writer, v reflect.Value) { w.b = strconv.AppendInt(w.b, v.Int(), 10) }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return func(w *writer, v reflect.Value) { w.b = strconv.AppendUint(w.b, v.Uint(), 10) }
	case reflect.Float32, reflect.Float64:
		bits := t.Bits()
		return func(w *writer, v reflect.Value) { w.b = strconv.AppendFloat(w.b, v.Float(), 'g', -1, bits) }
	}
	return nil
}

// writeTime writes the time v as its MarshalText (RFC 3339, which needs
// no escapes).
func writeTime(w *writer, v reflect.Value) error {
	var t time.Time
	if v.CanAddr() {
		t = *v.Addr().Interface().(*time.Time)
	} else {
		t = v.Interface().(time.Time)
	}
	b, err := t.AppendText(w.b)
	if err != nil {
		return err // govmomi's encoder, through MarshalText, fails too
	}
	w.b = b
	return nil
}

// emitByteSlice writes the types.ByteSlice v as its MarshalXML does: an
// element el for each byte, holding it as a signed number, with no
// attributes.
func emitByteSlice(w *writer, el *elem, v reflect.Value) error {
	for _, c := range v.Bytes() {
		w.open(el.name)
		w.b = strconv.AppendInt(w.b, int64(int8(c)), 10)
		w.close(el.name)
	}
	return nil
}

// writeBytes writes the []byte v as text.
func writeBytes(w *writer, v reflect.Value) error {
	w.escape(string(v.Bytes()))
	return nil
}

// structWriter writes a struct's attributes and content.
type structWriter struct {
	attrFields, contentFields []field
}

// field is a field of a struct, as govmomi's encoder writes it.
type field struct {
	index []int
	mode  fieldMode
	el    elem     // for elements; el.name for attributes
	enc   *encoder // for elements
	// simple writes the text of an attribute or character data.
	simple func(w *writer, v reflect.Value)
}

type fieldMode int

const (
	modeElement fieldMode = iota
	modeAttr
	modeCharData
	modeInnerXML
)

// attrs writes the attributes of the struct v.
func (s *structWriter) attrs(w *writer, v reflect.Value) error {
	for i := range s.attrFields {
		f := &s.attrFields[i]
		fv := v.FieldByIndex(f.index)
		if f.el.omitempty && fv.IsZero() { // empty: the kinds simpleAttr takes, and nil pointers
			continue
		}
		if fv.Kind() == reflect.Pointer {
			if fv.IsNil() {
				continue
			}
			fv = fv.Elem()
		}
		w.b = append(w.b, ' ')
		w.b = append(w.b, f.el.name...)
		w.b = append(w.b, `="`...)
		f.simple(w, fv)
		w.b = append(w.b, '"')
	}
	return nil
}

// content writes the content of the struct v.
func (s *structWriter) content(w *writer, v reflect.Value) error {
	for i := range s.contentFields {
		f := &s.contentFields[i]
		fv := v.FieldByIndex(f.index)
		switch f.mode {
		case modeElement:
			if err := f.enc.write(w, &f.el, fv); err != nil {
				return err
			}
		case modeCharData:
			f.simple(w, fv)
		case modeInnerXML:
			if fv.Kind() == reflect.String {
				w.b = append(w.b, fv.String()...)
			} else {
				w.b = append(w.b, fv.Bytes()...)
			}
		}
	}
	return nil
}

// structFields returns the writer of the struct type t, or nil if a
// field has a part it does not write.
func (b *encoderBuilder) structFields(t reflect.Type) *structWriter {
	var fields []field
	if !b.addFields(&fields, t, nil) {
		return nil
	}
	s := &structWriter{}
	for _, f := range fields {
		if f.mode == modeAttr {
			s.attrFields = append(s.attrFields, f)
		} else {
			s.contentFields = append(s.contentFields, f)
		}
	}
	return s
}

// addFields adds the fields of the struct type t, at index within the
// struct written, to fields, in govmomi's order (vim25/xml's
// GetTypeInfo): embedded structs' fields where they are embedded. It
// reports whether every field can be written.
func (b *encoderBuilder) addFields(fields *[]field, t reflect.Type, index []int) bool {
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("xml")
		if !sf.IsExported() && !sf.Anonymous || tag == "-" {
			continue // govmomi ignores it too
		}
		at := append(index[:len(index):len(index)], i)
		if sf.Anonymous {
			if sf.Type.Kind() != reflect.Struct || !sf.IsExported() || marshals(sf.Type) {
				return false
			}
			if !b.addFields(fields, sf.Type, at) {
				return false
			}
			continue
		}
		f, ok := b.field(sf, tag)
		if !ok {
			return false
		}
		f.index = at
		if !addField(fields, f) {
			return false
		}
	}
	return true
}

// addField adds f to fields, reporting false if a field before it has
// its mode and name: govmomi's encoder would leave the deeper of the two
// out, or refuse the type; these encoders leave such types to it.
func addField(fields *[]field, f field) bool {
	for _, old := range *fields {
		if old.mode == f.mode && old.el.name == f.el.name {
			return false
		}
	}
	*fields = append(*fields, f)
	return true
}

// field returns the field sf, whose xml tag is tag, but for its index
// and depth; false if it has a part no encoder writes.
func (b *encoderBuilder) field(sf reflect.StructField, tag string) (field, bool) {
	if sf.Name == "XMLName" || strings.ContainsAny(tag, " >") {
		return field{}, false // an element's own name, a name space, nested paths
	}
	name, opts, _ := strings.Cut(tag, ",")
	f := field{mode: modeElement, el: elem{name: name}}
	if name == "" {
		f.el.name = sf.Name
	}
	modes := 0
	for o := range strings.SplitSeq(opts, ",") {
		switch o {
		case "":
		case "omitempty":
			f.el.omitempty = true
		case "typeattr":
			f.el.typeattr = true
		case "attr":
			f.mode, modes = modeAttr, modes+1
		case "chardata":
			f.mode, modes = modeCharData, modes+1
		case "innerxml":
			f.mode, modes = modeInnerXML, modes+1
		default:
			return field{}, false // cdata, comment, any, or unknown to govmomi
		}
	}
	switch {
	case modes > 1:
		return field{}, false // govmomi refuses it
	case f.mode == modeElement:
		f.enc = b.build(sf.Type)
		return f, f.enc != nil
	case f.mode == modeAttr:
		t := sf.Type
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		f.simple = simpleWriter(t)
		return f, f.simple != nil && !marshals(sf.Type) && !marshals(t)
	case name != "" || f.el.omitempty || f.el.typeattr:
		return field{}, false // govmomi refuses a name or omitempty on character data or inner XML
	case f.mode == modeCharData:
		f.simple = simpleWriter(sf.Type)
		return f, f.simple != nil && !marshals(sf.Type)
	default: // inner XML
		return f, sf.Type == reflect.TypeFor[string]() || sf.Type == reflect.TypeFor[[]byte]()
	}
}
