package sim

import (
	"path"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

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
	return pathFor(obj.Type(), p).value(obj)
}

// A propertyPath is a property path parsed once, for objects of one
// managed object type: reading it costs no parsing and, for the fields
// whose type the object's type fixes, no lookup by name. A field under an
// interface (configurationEx.dasConfig) is looked up by the value's own
// type, through fieldIndexes.
type propertyPath struct {
	valid bool        // the path parses (mo.Field)
	path  []fieldStep // the dotted path, up to a key
	key   any         // the key into the array at path, if any
	item  []fieldStep // the dotted path after the key, if any
}

// fieldStep is one name of a dotted path: the field's Go name and, when
// the path's static types reach it, the struct type that has it and the
// field's index there (found false when that type has no such field).
type fieldStep struct {
	name  string // "" for an empty name, which no field has
	t     reflect.Type
	index []int
	found bool
}

// paths caches the propertyPaths compiled, by pathKey: a client asks for a
// handful of paths of a handful of types, each for thousands of objects.
var paths boundedCache[pathKey, *propertyPath]

type pathKey struct {
	t reflect.Type
	p string
}

// pathFor returns the path p compiled for managed objects of type rt.
func pathFor(rt reflect.Type, p string) *propertyPath {
	return paths.get(pathKey{rt, p}, func() *propertyPath { return compilePath(rt, p) })
}

// maxCached bounds each cache of this file: its keys come from the paths
// clients send, which a long-running simulator must not keep without end.
// Past it, what is not cached is worked out again at each use.
const maxCached = 4096

// boundedCache is a concurrent cache of at most maxCached entries.
type boundedCache[K comparable, V any] struct {
	m sync.Map
	n atomic.Int64
}

// get returns the value of k, made by make and kept if there is room.
func (c *boundedCache[K, V]) get(k K, make func() V) V {
	if v, ok := c.m.Load(k); ok {
		return v.(V)
	}
	v := make()
	if c.n.Load() < maxCached {
		if got, loaded := c.m.LoadOrStore(k, v); loaded {
			return got.(V)
		}
		c.n.Add(1)
	}
	return v
}

// clear empties the cache.
func (c *boundedCache[K, V]) clear() {
	c.m.Clear()
	c.n.Store(0)
}

// len returns how many entries the cache keeps.
func (c *boundedCache[K, V]) len() int { return int(c.n.Load()) }

// compilePath parses p and resolves its names as far as rt's field types
// go: up to an interface, whose value's type only a value tells.
func compilePath(rt reflect.Type, p string) *propertyPath {
	var f mo.Field
	if !f.FromString(p) {
		return &propertyPath{}
	}
	c := &propertyPath{valid: true, key: f.Key}
	c.path = compileSteps(rt, f.Path)
	if f.Key != nil && f.Item != "" {
		c.item = compileSteps(nil, f.Item)
	}
	return c
}

// compileSteps splits the dotted path p into steps, resolved statically
// from t (when not nil).
func compileSteps(t reflect.Type, p string) []fieldStep {
	var steps []fieldStep
	for name := range strings.SplitSeq(p, ".") {
		s := fieldStep{}
		if name != "" {
			s.name = strings.ToUpper(name[:1]) + name[1:]
		}
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t != nil && t.Kind() == reflect.Struct && s.name != "" {
			sf, ok := t.FieldByName(s.name)
			s.t, s.index, s.found = t, sf.Index, ok
			t = sf.Type // nil when not found
		} else {
			t = nil // an interface, or a kind that has no fields: values tell
		}
		steps = append(steps, s)
	}
	return steps
}

// absent reports whether the path names no property of the type it was
// compiled for, whatever the object: it does not parse, or its first
// name is no field of the type. Reading it from any object of that type
// reports it missing (ok false), so it needs neither the object nor its
// lock.
func (c *propertyPath) absent() bool {
	if !c.valid {
		return true
	}
	first := c.path[0]
	return !first.found && (first.t != nil || first.name == "")
}

// value reads the path from obj, as propertyValue does.
func (c *propertyPath) value(obj reflect.Value) (val any, ok bool) {
	v, ok := c.at(obj)
	if !ok || !v.IsValid() {
		return nil, ok
	}
	return wrapProperty(v), true
}

// copy reads the path from obj as value does, into a deep copy of what it
// reads: clone(value) in one copy (see copyProperty).
func (c *propertyPath) copy(obj reflect.Value) (val any, ok bool) {
	v, ok := c.at(obj)
	if !ok || !v.IsValid() {
		return nil, ok
	}
	return copyProperty(v), true
}

// at returns the value at the path in obj, unwrapped: the invalid Value,
// and ok, when it is unset; ok is false when the path names no property.
func (c *propertyPath) at(obj reflect.Value) (reflect.Value, bool) {
	if !c.valid {
		return reflect.Value{}, false
	}
	v, ok := fieldAt(obj, c.path)
	if ok && c.key != nil {
		if v, ok = keyed(v, c.key); ok && c.item != nil {
			v, ok = fieldAt(v, c.item)
		}
	}
	return v, ok
}

// fieldAt follows steps from v. It returns the invalid Value, and ok,
// when v is invalid or a pointer on the way is nil; ok is false when a
// name is not a field.
func fieldAt(v reflect.Value, steps []fieldStep) (reflect.Value, bool) {
	for i := range steps {
		s := &steps[i]
		for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
			if v.IsNil() {
				return reflect.Value{}, true
			}
			v = v.Elem()
		}
		if !v.IsValid() {
			return v, true
		}
		if v.Kind() != reflect.Struct || s.name == "" {
			return reflect.Value{}, false
		}
		index, found := s.index, s.found
		if t := v.Type(); t != s.t {
			index, found = fieldIndex(t, s.name)
		}
		if !found {
			return reflect.Value{}, false
		}
		v = v.FieldByIndex(index) // as Value.FieldByName does
	}
	return v, true
}

// fieldIndexes caches reflect's FieldByName, by fieldKey, for the fields
// the types of values tell (under interfaces).
var fieldIndexes boundedCache[fieldKey, fieldFound]

type fieldKey struct {
	t    reflect.Type
	name string
}

type fieldFound struct {
	index []int
	found bool
}

// fieldIndex returns the index of struct type t's field name, as
// t.FieldByName finds it.
func fieldIndex(t reflect.Type, name string) ([]int, bool) {
	f := fieldIndexes.get(fieldKey{t, name}, func() fieldFound {
		sf, ok := t.FieldByName(name)
		return fieldFound{sf.Index, ok}
	})
	return f.index, f.found
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
func wrapProperty(v reflect.Value) any { return reportProperty(v, false) }

// reportProperty is wrapProperty, and with deep copyProperty: what it
// reports is a deep copy.
func reportProperty(v reflect.Value, deep bool) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	case reflect.String:
		if v.Len() == 0 {
			return nil
		}
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		if w := arrayOf(v.Type()); w.t != nil {
			if deep {
				v = copySlice(v)
			}
			a := reflect.New(w.t)
			f := a.Elem().FieldByIndex(w.field)
			f.Set(v.Convert(f.Type()))
			return a.Interface()
		}
	}
	if deep && plan(v.Type()).refs {
		return deepCopy(v).Interface()
	}
	return v.Interface()
}

// arrayWrap is the ArrayOf type that wraps a slice type, and its field
// that holds the slice; t is nil if there is none.
type arrayWrap struct {
	t     reflect.Type
	field []int
}

// arrayWraps caches arrayOf's answers, by slice type.
var arrayWraps sync.Map

// arrayOf returns the ArrayOf type of vim25 that wraps slices of type st:
// ArrayOfManagedObjectReference for []ManagedObjectReference,
// ArrayOfString for []string.
func arrayOf(st reflect.Type) arrayWrap {
	if w, ok := arrayWraps.Load(st); ok {
		return w.(arrayWrap)
	}
	var w arrayWrap
	et := st.Elem()
	name := strings.TrimPrefix(et.Name(), "Base")
	if et.PkgPath() == "" {
		name = arrayElem[et.Kind()]
	}
	if at, ok := types.TypeFunc()("ArrayOf" + name); ok && at.Kind() == reflect.Struct {
		if f, ok := at.FieldByName(name); ok && st.ConvertibleTo(f.Type) {
			w = arrayWrap{at, f.Index}
		}
	}
	arrayWraps.Store(st, w)
	return w
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
