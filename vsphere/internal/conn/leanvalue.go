package conn

import (
	"encoding"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"
)

// Values of vim25 data types, decoded leanly
//
// A property's value of a vim25 data type (a VM's snapshot tree, the
// lists of its file layout, a summary) is read by a decoder built once
// per Go type, by reflection over its fields and their xml tags, that
// applies the rules govmomi's decoder applies to them: a child element
// goes to the field of its local name and an unknown one is skipped; a
// pointer is allocated when its element comes; a slice grows by one for
// each of its elements; numbers and booleans are trimmed and empty is
// zero; a time goes through its UnmarshalText; an interface field takes
// the type its element's xsi:type names (or is skipped when it names none
// known), as a value or a pointer, whichever implements the interface.
// A type with something these decoders do not read (a custom
// unmarshaler, attributes besides a reference's, character data, bytes,
// unsigned integers, nested paths, two fields of one name) has no
// decoder: its values go through govmomi's decoder, element by element,
// wherever they occur. So the Go values are the same either way
// (TestLeanDecode*MatchesGovmomi and the vCenter-spelled tests).

// valueDecoder reads the element tok starts into v, which is settable.
type valueDecoder func(s *scanner, tok token, v reflect.Value) error

// decoders caches decoderFor's answers by type; a nil decoder means
// govmomi's.
var decoders sync.Map // reflect.Type → valueDecoder

// decoderFor returns the lean decoder of t's values, or nil if t has a
// part it does not read.
func decoderFor(t reflect.Type) valueDecoder {
	if d, ok := decoders.Load(t); ok {
		return d.(valueDecoder)
	}
	b := decoderBuilder{structs: map[reflect.Type]*structDecoder{}}
	d := b.build(t)
	// Only the asked type is kept: while t was built, a type on a cycle
	// through it may have counted on t's decoder before t turned out to
	// have none.
	decoders.Store(t, d)
	return d
}

var (
	refType             = reflect.TypeFor[types.ManagedObjectReference]()
	anyType             = reflect.TypeFor[types.AnyType]()
	timeType            = reflect.TypeFor[time.Time]()
	xmlUnmarshalerType  = reflect.TypeFor[xml.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	typesPkg            = refType.PkgPath()
)

// decoderBuilder builds the decoder of one type and the types within it.
type decoderBuilder struct {
	// structs holds the struct types built or being built; nil for those
	// without a decoder.
	structs map[reflect.Type]*structDecoder
}

func (b *decoderBuilder) build(t reflect.Type) valueDecoder {
	switch {
	case t == refType:
		return decodeRef
	case t == timeType:
		return decodeTime
	case t.Implements(xmlUnmarshalerType) || reflect.PointerTo(t).Implements(xmlUnmarshalerType) ||
		t.Implements(textUnmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType):
		return nil
	}
	switch t.Kind() {
	case reflect.String:
		if t.PkgPath() == typesPkg {
			return decodeEnum // an enumeration: few values, many times
		}
		return decodeString
	case reflect.Bool:
		return decodeBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return decodeInt
	case reflect.Float32, reflect.Float64:
		return decodeFloat
	case reflect.Interface:
		return decodeInterface
	case reflect.Pointer:
		elem := b.build(t.Elem())
		if elem == nil {
			return nil
		}
		return func(s *scanner, tok token, v reflect.Value) error {
			if v.IsNil() {
				v.Set(reflect.New(t.Elem()))
			}
			return elem(s, tok, v.Elem())
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil // govmomi keeps the text as is, or decodes base64 (types.ByteSlice)
		}
		elem := b.build(t.Elem())
		if elem == nil {
			return nil
		}
		return func(s *scanner, tok token, v reflect.Value) error {
			n := v.Len()
			v.Grow(1)
			v.SetLen(n + 1)
			return elem(s, tok, v.Index(n))
		}
	case reflect.Struct:
		sd, ok := b.structs[t]
		if !ok {
			sd = &structDecoder{fields: map[string]structField{}}
			b.structs[t] = sd
			if !b.addFields(sd, t, nil) {
				sd = nil
				b.structs[t] = nil
			}
		}
		if sd == nil {
			return nil
		}
		return sd.decode
	}
	return nil
}

// addFields adds the fields of the struct type t, at index within the
// struct decoded, to sd; embedded structs' fields are the struct's own,
// as for govmomi. It reports whether sd reads every field.
func (b *decoderBuilder) addFields(sd *structDecoder, t reflect.Type, index []int) bool {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("xml")
		if !f.IsExported() && !f.Anonymous || tag == "-" {
			continue // govmomi ignores it too
		}
		at := append(index[:len(index):len(index)], i)
		if f.Anonymous {
			if f.Type.Kind() != reflect.Struct || !f.IsExported() {
				return false
			}
			if !b.addFields(sd, f.Type, at) {
				return false
			}
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		for o := range strings.SplitSeq(opts, ",") {
			if o != "" && o != "omitempty" && o != "typeattr" {
				return false // an attribute, character data, inner XML...
			}
		}
		if _, dup := sd.fields[name]; dup || f.Name == "XMLName" || strings.ContainsAny(name, "> ") {
			return false
		}
		dec := b.build(f.Type)
		if dec == nil {
			return false
		}
		sd.fields[name] = structField{index: at, decode: dec}
	}
	return true
}

// structDecoder reads a struct's child elements into its fields.
type structDecoder struct {
	fields map[string]structField // by element name
}

type structField struct {
	index  []int
	decode valueDecoder
}

func (d *structDecoder) decode(s *scanner, _ token, v reflect.Value) error {
	return s.children(func(tok token) error {
		f, ok := d.fields[tok.local]
		if !ok {
			return s.skip()
		}
		return f.decode(s, tok, v.FieldByIndex(f.index))
	})
}

func decodeRef(s *scanner, tok token, v reflect.Value) error {
	ref, err := s.ref(tok)
	v.Set(reflect.ValueOf(ref))
	return err
}

func decodeString(s *scanner, _ token, v reflect.Value) error {
	t, err := s.text()
	v.SetString(t)
	return err
}

func decodeEnum(s *scanner, _ token, v reflect.Value) error {
	t, err := s.internedText()
	v.SetString(t)
	return err
}

func decodeBool(s *scanner, _ token, v reflect.Value) error {
	b, err := s.bool()
	v.SetBool(b)
	return err
}

func decodeInt(s *scanner, _ token, v reflect.Value) error {
	n, err := s.int(v.Type().Bits())
	v.SetInt(n)
	return err
}

func decodeFloat(s *scanner, _ token, v reflect.Value) error {
	t, err := s.text()
	if err != nil || t == "" {
		v.SetFloat(0)
		return err
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(t), v.Type().Bits())
	v.SetFloat(f)
	return err
}

func decodeTime(s *scanner, _ token, v reflect.Value) error {
	t, err := s.text()
	if err != nil {
		return err
	}
	return v.Addr().Interface().(*time.Time).UnmarshalText([]byte(t))
}

// decodeInterface reads a value of the type the element's xsi:type names
// (or, without one, the interface's name) into the interface v, as
// govmomi does: skipped if no type is known by that name, through
// govmomi's decoder if the type has no lean decoder.
func decodeInterface(s *scanner, tok token, v reflect.Value) error {
	if !v.IsNil() {
		// govmomi decodes a second element of a field into the first's
		// value; vSphere sends none.
		return fmt.Errorf("%w: <%s> twice", errShape, tok.local)
	}
	t := elementType(s.internBytes(tok.xsiType()), v.Type())
	if t == nil {
		return s.skip()
	}
	dec := decoderFor(t)
	if dec == nil {
		return s.govmomiInto(tok, v)
	}
	val := reflect.New(t)
	if err := dec(s, tok, val.Elem()); err != nil {
		return err
	}
	switch {
	case t.Implements(v.Type()):
		v.Set(val.Elem())
	case val.Type().Implements(v.Type()):
		v.Set(val)
	default:
		return fmt.Errorf("%w: %s in a %s", errShape, t, v.Type())
	}
	return nil
}

// enumType returns the enumeration type a val of xsi:type xsiType holds,
// nil if it holds another (see decodeInterface and the decoders' build).
func (s *scanner) enumType(xsiType []byte) reflect.Type {
	name := s.internBytes(xsiType)
	t, ok := s.enumTypes[name]
	if !ok {
		t = elementType(name, anyType)
		if t == nil || t.Kind() != reflect.String || t.PkgPath() != typesPkg || decoderFor(t) == nil {
			t = nil
		}
		if s.enumTypes == nil {
			s.enumTypes = map[string]reflect.Type{}
		}
		s.enumTypes[name] = t
	}
	return t
}

// enumValue is a value of an enumeration type.
type enumValue struct {
	t reflect.Type
	v string
}

// enum reads a value of the enumeration type t, as decodeInterface would
// into an AnyType, and returns it boxed. Each distinct value is boxed once
// per answer, and shared: an enumeration has a few values, which an
// answer repeats for every object (each VM's power state and tools
// status), and boxing one took an allocation and reflection.
func (s *scanner) enum(t reflect.Type) (any, error) {
	str, err := s.internedText()
	if err != nil {
		return nil, err
	}
	key := enumValue{t, str}
	v, ok := s.enums[key]
	if !ok {
		val := reflect.New(t).Elem()
		val.SetString(str)
		v = val.Interface()
		if s.enums == nil {
			s.enums = map[enumValue]any{}
		}
		if len(s.enums) < maxInterned {
			s.enums[key] = v
		}
	}
	return v, nil
}

// elementType returns the type of an element of xsi:type xsiType in a
// field of the interface type iface, as govmomi finds it: by its
// xsi:type, else by the interface's name; nil if neither names a type.
func elementType(xsiType string, iface reflect.Type) reflect.Type {
	name := xsiType
	if name == "" {
		name = iface.Name()
	}
	basic := name
	if n, ok := strings.CutPrefix(name, "xs:"); ok {
		basic = n
	} else if n, ok := strings.CutPrefix(name, "xsd:"); ok {
		basic = n
	}
	if t := xsdTypes[basic]; t != nil {
		return t
	}
	t, _ := types.TypeFunc()(name)
	return t
}

// xsdTypes are the XML Schema types govmomi's decoder knows, by name.
var xsdTypes = map[string]reflect.Type{
	"boolean":       reflect.TypeFor[bool](),
	"byte":          reflect.TypeFor[int8](),
	"short":         reflect.TypeFor[int16](),
	"int":           reflect.TypeFor[int32](),
	"long":          reflect.TypeFor[int64](),
	"unsignedByte":  reflect.TypeFor[uint8](),
	"unsignedShort": reflect.TypeFor[uint16](),
	"unsignedInt":   reflect.TypeFor[uint32](),
	"unsignedLong":  reflect.TypeFor[uint64](),
	"float":         reflect.TypeFor[float32](),
	"double":        reflect.TypeFor[float64](),
	"string":        reflect.TypeFor[string](),
	"dateTime":      timeType,
	"base64Binary":  reflect.TypeFor[[]byte](),
}

// govmomiInto decodes the element tok starts into v with govmomi's
// decoder.
func (s *scanner) govmomiInto(tok token, v reflect.Value) error {
	holder := reflect.New(reflect.StructOf([]reflect.StructField{{
		Name: "V", Type: v.Type(), Tag: reflect.StructTag(`xml:"` + tok.local + `,typeattr"`),
	}}))
	if err := s.govmomi(tok, holder.Interface()); err != nil {
		return err
	}
	v.Set(holder.Elem().Field(0))
	return nil
}
