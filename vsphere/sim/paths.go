package sim

import (
	"path"
	"reflect"
	"strings"

	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// Property paths
//
// The property collector names properties by paths: "name",
// "summary.quickStats.overallCpuUsage", or with a key into an array,
// `config.extraConfig["guestinfo.ip"].value`. Incremental updates read a
// path's value from the object that changed (propertyValue), and decide
// which of a filter's paths a change touches (overlaps): both directions
// count, since assigning "summary" changes "summary.quickStats.*", and
// assigning "summary.quickStats.overallCpuUsage" changes "summary".

// moStruct returns the managed object inside a registry object: the struct
// of package mo that vcsim's types embed first (as vcsim's own property
// collector finds it), or the invalid Value if there is none.
func moStruct(obj mo.Reference) reflect.Value {
	v := reflect.ValueOf(obj)
	for {
		for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
			if v.IsNil() {
				return reflect.Value{}
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct || v.NumField() == 0 {
			return reflect.Value{}
		}
		if path.Base(v.Type().PkgPath()) == "mo" {
			return v
		}
		v = v.Field(0)
	}
}

// propertyValue returns the value at the property path p of the managed
// object obj (a struct of package mo) as the property collector reports
// it: pointers followed, slices wrapped in their ArrayOf type, and nil for
// an unset value. ok is false when p names no property of obj.
func propertyValue(obj reflect.Value, p string) (val any, ok bool) {
	var f mo.Field
	if !f.FromString(p) {
		return nil, false
	}
	v, ok := fieldAt(obj, f.Path)
	if ok && f.Key != nil {
		if v, ok = keyed(v, f.Key); ok && f.Item != "" {
			v, ok = fieldAt(v, f.Item)
		}
	}
	if !ok || !v.IsValid() {
		return nil, ok
	}
	return wrapProperty(v), true
}

// fieldAt follows the dotted path p from v. It returns the invalid Value,
// and ok, when v is invalid or a pointer on the way is nil; ok is false
// when a name is not a field.
func fieldAt(v reflect.Value, p string) (reflect.Value, bool) {
	for name := range strings.SplitSeq(p, ".") {
		for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
			if v.IsNil() {
				return reflect.Value{}, true
			}
			v = v.Elem()
		}
		if !v.IsValid() {
			return v, true
		}
		if v.Kind() != reflect.Struct || name == "" {
			return reflect.Value{}, false
		}
		v = v.FieldByName(strings.ToUpper(name[:1]) + name[1:])
		if !v.IsValid() {
			return reflect.Value{}, false
		}
	}
	return v, true
}

// keyed returns the element of the array v whose Key field is key, or the
// invalid Value if none is; ok is false when v is not an array of keyed
// elements.
func keyed(v reflect.Value, key any) (reflect.Value, bool) {
	if !v.IsValid() {
		return v, true
	}
	if v.Kind() != reflect.Slice {
		return reflect.Value{}, false
	}
	for i := range v.Len() {
		e := v.Index(i)
		for (e.Kind() == reflect.Pointer || e.Kind() == reflect.Interface) && !e.IsNil() {
			e = e.Elem()
		}
		if e.Kind() != reflect.Struct {
			return reflect.Value{}, false
		}
		if k := e.FieldByName("Key"); k.IsValid() && k.CanInterface() && k.Interface() == key {
			return e, true
		}
	}
	return reflect.Value{}, true
}

// arrayElem names the element of the ArrayOf types of Go's basic types.
var arrayElem = map[reflect.Kind]string{
	reflect.String: "String", reflect.Bool: "Boolean", reflect.Uint8: "Byte",
	reflect.Int16: "Short", reflect.Int32: "Int", reflect.Int64: "Long",
}

// wrapProperty returns v as the property collector reports a value: an
// unset pointer or empty string is nil, a pointer is followed, and a slice
// is wrapped in its ArrayOf type (ArrayOfManagedObjectReference...), which
// is how it travels as xsd:anyType.
func wrapProperty(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		if v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
	case reflect.String:
		if v.Len() == 0 {
			return nil
		}
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		et := v.Type().Elem()
		name := strings.TrimPrefix(et.Name(), "Base")
		if et.PkgPath() == "" {
			name = arrayElem[et.Kind()]
		}
		if at, ok := types.TypeFunc()("ArrayOf" + name); ok {
			a := reflect.New(at)
			if f := a.Elem().FieldByName(name); f.IsValid() && v.Type().ConvertibleTo(f.Type()) {
				f.Set(v.Convert(f.Type()))
				return a.Interface()
			}
		}
	}
	return v.Interface()
}

// refsIn returns the object references a property value holds, as a
// traversal spec follows them: one reference or an array of them.
func refsIn(val any) []types.ManagedObjectReference {
	switch v := val.(type) {
	case types.ManagedObjectReference:
		return []types.ManagedObjectReference{v}
	case *types.ArrayOfManagedObjectReference:
		return v.ManagedObjectReference
	}
	return nil
}

// within reports whether the path child lies inside the path parent:
// "summary.quickStats" lies inside "summary", and "device[4000].backing"
// inside "device".
func within(child, parent string) bool {
	return len(child) > len(parent) && strings.HasPrefix(child, parent) &&
		(child[len(parent)] == '.' || child[len(parent)] == '[')
}

// overlaps reports whether a change to the path a changes the path b:
// they are the same, or one lies inside the other.
func overlaps(a, b string) bool {
	return a == b || within(a, b) || within(b, a)
}

// topLevel returns the property a path starts with: "summary" for
// "summary.quickStats.overallCpuUsage".
func topLevel(p string) string {
	if i := strings.IndexAny(p, ".["); i >= 0 {
		return p[:i]
	}
	return p
}
