package vsphere

import (
	"fmt"
	"slices"
	"testing"

	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// TestPreviewListsAPrefixThatOnlyGrows loads VMs into a store in preview
// in an order unrelated to their names, as a watch's pages come, and
// checks each snapshot: its VMs are the first of the final list, rows only
// ever appear below the ones shown, and the end equals the whole list.
func TestPreviewListsAPrefixThatOnlyGrows(t *testing.T) {
	const n = 40
	s := syntheticStore(n)
	want := s.inventory().VMs
	s.preview = &preview{unseen: map[Ref]bool{}}
	for r := range s.vms {
		s.owing[r] = 1
		s.preview.unseen[r] = true
	}
	var shown []VM
	for i := range n {
		// vm-i, visited in a scrambled order: 7 is prime to n.
		ref := types.ManagedObjectReference{Type: "VirtualMachine", Value: fmt.Sprintf("vm-%d", i*7%n)}
		s.applyFrom(0, []types.ObjectUpdate{{Kind: types.ObjectUpdateKindEnter, Obj: ref}})
		inv := s.inventory()
		got := inv.VMs
		if !slices.EqualFunc(got, want[:len(got)], sameVM) || len(got) < len(shown) {
			t.Fatalf("after %d of %d VMs arrived, shown %v; want the first rows of %v, at least %d", i+1, n, names(got, vmName), names(want, vmName), len(shown))
		}
		if inv.LoadingVMs != n {
			t.Fatalf("after %d of %d VMs arrived, LoadingVMs = %d; want %d, all the server holds", i+1, n, inv.LoadingVMs, n)
		}
		shown = got
	}
	s.endPreview()
	if inv := s.inventory(); !slices.EqualFunc(inv.VMs, want, sameVM) || inv.LoadingVMs != 0 {
		t.Errorf("at the end: %v, LoadingVMs %d; want %v, 0", names(inv.VMs, vmName), inv.LoadingVMs, names(want, vmName))
	}
}

func TestEndPreviewDropsWhatTheLoadDidNotBring(t *testing.T) {
	s := syntheticStore(3)
	s.preview = &preview{unseen: map[Ref]bool{{Type: "VirtualMachine", Value: "vm-1"}: true, {Type: "Datastore", Value: "ds-0"}: true}}
	s.endPreview()
	inv := s.inventory()
	if len(inv.VMs) != 2 || vmNamed(inv, "vm-00001").Name != "" || len(inv.Datastores) != 3 {
		t.Errorf("after the load: VMs %v, %d datastores; want vm-00001 and ds-0, which it did not bring, gone", names(inv.VMs, vmName), len(inv.Datastores))
	}
}

// TestPreviewWaitsForEveryPartOfARow splits VM rows over two filters, as
// a watch's followers do: in preview, a row shows once both parts are in,
// never half.
func TestPreviewWaitsForEveryPartOfARow(t *testing.T) {
	s := syntheticStore(2)
	s.parts = parts{"VirtualMachine": 0b11}
	s.preview = &preview{unseen: map[Ref]bool{}}
	for r := range s.vms {
		s.owing[r] = 0b11
	}
	first := types.ManagedObjectReference{Type: "VirtualMachine", Value: "vm-0"}
	s.applyFrom(1, []types.ObjectUpdate{{Kind: types.ObjectUpdateKindEnter, Obj: first}})
	if got := s.inventory().VMs; len(got) != 0 {
		t.Fatalf("with the second half of vm-0 in: shown %v; want nothing yet", names(got, vmName))
	}
	s.applyFrom(1, []types.ObjectUpdate{{Kind: types.ObjectUpdateKindModify, Obj: first}})
	if got := s.inventory().VMs; len(got) != 0 {
		t.Fatalf("with the second half of vm-0 changed: shown %v; want nothing yet", names(got, vmName))
	}
	s.applyFrom(0, []types.ObjectUpdate{{Kind: types.ObjectUpdateKindEnter, Obj: first}})
	if got := s.inventory().VMs; len(got) != 1 || got[0].Ref != mo.ToRef(first) {
		t.Errorf("with both halves of vm-0 in: shown %v; want vm-0", names(got, vmName))
	}
}

// TestSplitRowsStayWholeAfterTheLoad: once live, a VM created shows only
// when both filters have brought their half, and a VM destroyed is not
// brought back by the other filter's late news of it.
func TestSplitRowsStayWholeAfterTheLoad(t *testing.T) {
	s := syntheticStore(1)
	s.parts = parts{"VirtualMachine": 0b11}
	vm := types.ManagedObjectReference{Type: "VirtualMachine", Value: "vm-new"}
	name := types.PropertyChange{Name: "name", Op: types.PropertyChangeOpAssign, Val: "new"}
	power := types.PropertyChange{Name: "runtime.powerState", Op: types.PropertyChangeOpAssign, Val: types.VirtualMachinePowerStatePoweredOn}
	shown := func() bool { return vmNamed(s.inventory(), "new").Name != "" }

	s.applyFrom(0, []types.ObjectUpdate{{Kind: types.ObjectUpdateKindEnter, Obj: vm, ChangeSet: []types.PropertyChange{name}}})
	if shown() {
		t.Fatal("a new VM shows with only the first filter's half of its row")
	}
	s.applyFrom(1, []types.ObjectUpdate{{Kind: types.ObjectUpdateKindEnter, Obj: vm, ChangeSet: []types.PropertyChange{power}}})
	if !shown() || vmNamed(s.inventory(), "new").PowerState != "poweredOn" {
		t.Fatal("a new VM with both halves of its row in does not show whole")
	}

	s.applyFrom(1, []types.ObjectUpdate{{Kind: types.ObjectUpdateKindLeave, Obj: vm}})
	s.applyFrom(0, []types.ObjectUpdate{{Kind: types.ObjectUpdateKindModify, Obj: vm, ChangeSet: []types.PropertyChange{name}}})
	if shown() {
		t.Fatal("a destroyed VM came back with the other filter's late change")
	}
	s.applyFrom(0, []types.ObjectUpdate{{Kind: types.ObjectUpdateKindLeave, Obj: vm}})
	if shown() || len(s.gone) != 0 || len(s.owing) != 0 {
		t.Errorf("after both filters reported it gone: shown %v, gone %v, owing %v; want nothing left", shown(), s.gone, s.owing)
	}
}

func sameVM(a, b VM) bool { return a.Ref == b.Ref && a.Name == b.Name }
