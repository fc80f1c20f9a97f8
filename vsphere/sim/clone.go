package sim

import (
	"reflect"
	"sync"
)

// clone returns a deep copy of a value: new pointers, slices and maps, the
// same scalars and strings. Property results are cloned so that a result
// read under an object's lock stays as it was read while it is encoded
// after the lock is released, and the build copies its prototype hosts
// and VMs (prototypes.go). It copies with reflection what vcsim copies by
// marshalling to XML and decoding back (simulator.deepCopy), which costs
// half of all the CPU of a 10,000-VM load. Unexported fields (time.Time's)
// are copied by value, which is how they copy.
func clone(v any) any {
	if v == nil {
		return nil
	}
	rv := reflect.ValueOf(v)
	if !plan(rv.Type()).refs {
		return v // held by value, with nothing to change in place: its own copy
	}
	return deepCopy(rv).Interface()
}

// copyProperty returns clone(wrapProperty(v)), the value at a property
// path as the collector reports it, deeply copied, with the fewest
// copies: a value that holds no pointer, slice or map is its own copy
// once in an interface, and a slice is copied straight into its ArrayOf
// wrapper.
func copyProperty(v reflect.Value) any { return reportProperty(v, true) }

// copySlice returns a deep copy of the slice v, which is not nil.
func copySlice(v reflect.Value) reflect.Value {
	c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
	reflect.Copy(c, v)
	if plan(v.Type().Elem()).refs {
		for i := range v.Len() {
			deepen(c.Index(i), v.Index(i))
		}
	}
	return c
}

// deepCopy returns a deep copy of v.
func deepCopy(v reflect.Value) reflect.Value {
	c := reflect.New(v.Type()).Elem()
	c.Set(v)
	deepen(c, v)
	return c
}

// deepen makes dst, a settable copy of src, deep: it replaces every
// pointer, slice and map that dst shares with src by a deep copy.
func deepen(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		p.Elem().Set(src.Elem())
		deepen(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		// A value held directly (not through a pointer) cannot be
		// changed in place: only what it refers to needs copying.
		if e := src.Elem(); plan(e.Type()).refs {
			dst.Set(deepCopy(e))
		}
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		dst.Set(copySlice(src))
	case reflect.Array:
		if plan(src.Type().Elem()).refs {
			for i := range src.Len() {
				deepen(dst.Index(i), src.Index(i))
			}
		}
	case reflect.Map:
		if src.IsNil() {
			return
		}
		c := reflect.MakeMapWithSize(src.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			c.SetMapIndex(deepCopy(it.Key()), deepCopy(it.Value()))
		}
		dst.Set(c)
	case reflect.Struct:
		for _, i := range plan(src.Type()).fields {
			deepen(dst.Field(i), src.Field(i))
		}
	}
}

// typePlan is what deepen needs to know of a type.
type typePlan struct {
	refs   bool  // whether its values can hold a pointer, slice or map that clone copies
	fields []int // of a struct: the exported fields that can
}

// plans caches the typePlan of each type deepen meets.
var plans sync.Map // reflect.Type -> *typePlan

// plan returns t's typePlan.
func plan(t reflect.Type) *typePlan {
	if p, ok := plans.Load(t); ok {
		return p.(*typePlan)
	}
	p := &typePlan{}
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		p.refs = true
	case reflect.Array:
		p.refs = plan(t.Elem()).refs
	case reflect.Struct:
		// Fields are held by value, so a struct cannot contain itself:
		// the recursion ends.
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && plan(f.Type).refs {
				p.fields = append(p.fields, i)
			}
		}
		p.refs = len(p.fields) > 0
	}
	plans.Store(t, p)
	return p
}
