package vsphere

import (
	"reflect"
	"testing"
)

// TestVMEqualWeighsEveryExportedField: two VMs that differ in any one
// exported field are not Equal, so a field added to VM and shown in a row
// is never missed by what compares rows (the VM view's filter keeps the
// text of the rows Equal finds unchanged); unexported bookkeeping does not
// count.
func TestVMEqualWeighsEveryExportedField(t *testing.T) {
	base := VM{Ref: Ref{Type: "VirtualMachine", Value: "vm-1"}, Name: "web-01", Datastores: []string{"ds-1"}}
	if !base.Equal(base) {
		t.Fatal("a VM is not Equal to itself")
	}
	other := base
	other.resolved, other.snapshots = 7, &vmSnapshots{}
	if !base.Equal(other) {
		t.Error("VMs that differ only in unexported fields are not Equal; want Equal")
	}
	typ := reflect.TypeFor[VM]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		changed := base
		v := reflect.ValueOf(&changed).Elem().Field(i)
		switch v.Kind() {
		case reflect.String:
			v.SetString(v.String() + "x")
		case reflect.Int32:
			v.SetInt(v.Int() + 1)
		case reflect.Bool:
			v.SetBool(!v.Bool())
		case reflect.Slice:
			v.Set(reflect.Append(v, reflect.Zero(v.Type().Elem())))
		case reflect.Struct:
			v.Field(0).SetString("changed")
		default:
			t.Fatalf("field %s of kind %s: teach this test to change it", f.Name, v.Kind())
		}
		if base.Equal(changed) {
			t.Errorf("VMs that differ in %s are Equal; want not", f.Name)
		}
	}
}
