package vsphere

import (
	"fmt"
	"slices"
	"testing"

	"github.com/vmware/govmomi/vim25/types"
)

// TestPreviewListsAPrefixThatOnlyGrows loads VMs into a store in preview
// in an order unrelated to their names, as a watch's pages come, and
// checks each snapshot: its VMs are the first of the final list, rows only
// ever appear below the ones shown, and the end equals the whole list.
func TestPreviewListsAPrefixThatOnlyGrows(t *testing.T) {
	const n = 40
	s := syntheticStore(n)
	want := s.inventory().VMs
	s.preview = &preview{partial: map[Ref]uint8{}, unseen: map[Ref]bool{}}
	for r := range s.vms {
		s.preview.partial[r] = 1
		s.preview.unseen[r] = true
	}
	var shown []VM
	for i := range n {
		// vm-i, visited in a scrambled order: 7 is prime to n.
		ref := types.ManagedObjectReference{Type: "VirtualMachine", Value: fmt.Sprintf("vm-%d", i*7%n)}
		s.apply([]types.ObjectUpdate{{Kind: types.ObjectUpdateKindEnter, Obj: ref}})
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
	s.preview = &preview{partial: map[Ref]uint8{}, unseen: map[Ref]bool{{"VirtualMachine", "vm-1"}: true, {"Datastore", "ds-0"}: true}}
	s.endPreview()
	inv := s.inventory()
	if len(inv.VMs) != 2 || vmNamed(inv, "vm-00001").Name != "" || len(inv.Datastores) != 3 {
		t.Errorf("after the load: VMs %v, %d datastores; want vm-00001 and ds-0, which it did not bring, gone", names(inv.VMs, vmName), len(inv.Datastores))
	}
}

// TestPreviewWaitsForEveryPartOfARow splits VM rows over two filters, as
// a watch's followers do: a row shows once both parts are in, never half.
func TestPreviewWaitsForEveryPartOfARow(t *testing.T) {
	s := syntheticStore(2)
	s.preview = &preview{partial: map[Ref]uint8{}, unseen: map[Ref]bool{}}
	for r := range s.vms {
		s.preview.partial[r] = 0b11
	}
	first := types.ManagedObjectReference{Type: "VirtualMachine", Value: "vm-0"}
	s.arrived([]types.ObjectUpdate{{Kind: types.ObjectUpdateKindEnter, Obj: first}}, 1)
	if got := s.inventory().VMs; len(got) != 0 {
		t.Fatalf("with the second half of vm-0 in: shown %v; want nothing yet", names(got, vmName))
	}
	s.arrived([]types.ObjectUpdate{{Kind: types.ObjectUpdateKindModify, Obj: first}}, 1)
	if got := s.inventory().VMs; len(got) != 0 {
		t.Fatalf("with the second half of vm-0 changed: shown %v; want nothing yet", names(got, vmName))
	}
	s.arrived([]types.ObjectUpdate{{Kind: types.ObjectUpdateKindEnter, Obj: first}}, 0)
	if got := s.inventory().VMs; len(got) != 1 || got[0].Ref != toRef(first) {
		t.Errorf("with both halves of vm-0 in: shown %v; want vm-0", names(got, vmName))
	}
}

func sameVM(a, b VM) bool { return a.Ref == b.Ref && a.Name == b.Name }
