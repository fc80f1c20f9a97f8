package sim

import "reflect"

// clone returns a deep copy of a property value, so that a result read
// under an object's lock stays as it was read while it is encoded after
// the lock is released. It copies with reflection what vcsim copies by
// marshalling to XML and decoding back (simulator.deepCopy), which costs
// half of all the CPU of a 10,000-VM load. Structs with unexported fields
// (time.Time) are copied by value, which is how they copy.
func clone(v any) any {
	if v == nil {
		return nil
	}
	return cloneValue(reflect.ValueOf(v)).Interface()
}

// cloneValue returns a deep copy of v: new pointers, slices and maps, the
// same scalars.
func cloneValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(cloneValue(v.Elem()))
		return c
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type()).Elem()
		c.Set(cloneValue(v.Elem()))
		return c
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		if scalar(v.Type().Elem().Kind()) {
			reflect.Copy(c, v)
			return c
		}
		for i := range v.Len() {
			c.Index(i).Set(cloneValue(v.Index(i)))
		}
		return c
	case reflect.Array:
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		if !scalar(v.Type().Elem().Kind()) {
			for i := range v.Len() {
				c.Index(i).Set(cloneValue(v.Index(i)))
			}
		}
		return c
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			c.SetMapIndex(cloneValue(it.Key()), cloneValue(it.Value()))
		}
		return c
	case reflect.Struct:
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		for i := range v.NumField() {
			if f := c.Field(i); f.CanSet() && !scalar(f.Kind()) {
				f.Set(cloneValue(v.Field(i)))
			}
		}
		return c
	}
	return v
}

// scalar reports whether values of kind k hold no references: copying
// one copies all of it.
func scalar(k reflect.Kind) bool {
	switch k {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map, reflect.Struct, reflect.Array, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return false
	}
	return true
}
