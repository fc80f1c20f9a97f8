package vsphere

import (
	"context"
	"crypto/tls"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/vmware/govmomi/simulator"
	govmomimo "github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/mo"
	"github.com/vtui/vtui/vsphere/internal/vcsimtest"
)

// TestPreviewListsAPrefixThatOnlyGrows loads VMs into a store in preview
// in an order unrelated to their names, as a watch's pages come, and
// checks each snapshot: its VMs are the first of the final list, rows only
// ever appear below the ones shown, and the end equals the whole list.
func TestPreviewListsAPrefixThatOnlyGrows(t *testing.T) {
	const n = 40
	s := syntheticStore(n)
	want := s.inventory().VMs
	s.preview = &preview{seen: map[Ref]bool{}}
	for r := range s.vms {
		s.owing[r] = 1
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
	loadBrings(s)
	s.endPreview()
	if inv := s.inventory(); !slices.EqualFunc(inv.VMs, want, sameVM) || inv.LoadingVMs != 0 {
		t.Errorf("at the end: %v, LoadingVMs %d; want %v, 0", names(inv.VMs, vmName), inv.LoadingVMs, names(want, vmName))
	}
}

// TestPreviewAddsRowsToThoseShownAndNeverChangesAStatePublished: while
// the load streams in, a state reuses the rows of the one before and adds
// those new since, without touching what it published; when a row shown
// changes, the next state shows the change, and the states published
// before still read as they did.
func TestPreviewAddsRowsToThoseShownAndNeverChangesAStatePublished(t *testing.T) {
	const n = 40
	s := syntheticStore(n)
	s.preview = &preview{seen: map[Ref]bool{}}
	for r := range s.vms {
		s.owing[r] = 1
	}
	enter := func(i int, changes ...types.PropertyChange) {
		ref := types.ManagedObjectReference{Type: "VirtualMachine", Value: fmt.Sprintf("vm-%d", i)}
		s.applyFrom(0, []types.ObjectUpdate{{Kind: types.ObjectUpdateKindEnter, Obj: ref, ChangeSet: changes}})
	}
	for i := range 10 {
		enter(i)
	}
	first := s.inventory()
	firstRows := slices.Clone(first.VMs)
	for i := 10; i < 20; i++ {
		enter(i)
	}
	second := s.inventory()
	if len(first.VMs) != 10 || len(second.VMs) != 20 || &second.VMs[0] != &first.VMs[0] {
		t.Fatalf("%d rows, then %d; want 10, then 20 that begin with the same 10 rows, not copies", len(first.VMs), len(second.VMs))
	}
	if _ = append(first.VMs, VM{Name: "appended"}); second.VMs[10].Name == "appended" {
		t.Fatal("appending to a state's rows wrote into the next state's")
	}
	// A row shown changes (another client powers vm-3 off).
	off := types.PropertyChange{Name: "runtime.powerState", Op: types.PropertyChangeOpAssign, Val: types.VirtualMachinePowerStatePoweredOff}
	s.applyFrom(1, []types.ObjectUpdate{{Kind: types.ObjectUpdateKindModify, Obj: types.ManagedObjectReference{Type: "VirtualMachine", Value: "vm-3"}, ChangeSet: []types.PropertyChange{off}}})
	enter(20)
	third := s.inventory()
	if len(third.VMs) != 21 || vmNamed(third, "vm-00003").PowerState != "poweredOff" {
		t.Errorf("after vm-3 powered off: %d rows, vm-3 %s; want 21, vm-3 poweredOff", len(third.VMs), vmNamed(third, "vm-00003").PowerState)
	}
	if !slices.EqualFunc(first.VMs, firstRows, VM.Equal) || vmNamed(second, "vm-00003").PowerState != "poweredOn" {
		t.Errorf("the states published before changed: vm-3 %s in the second; want them as published", vmNamed(second, "vm-00003").PowerState)
	}
	// The end is the whole inventory, as a store never in preview gives.
	for i := 21; i < n; i++ {
		enter(i)
	}
	loadBrings(s)
	s.endPreview()
	want := syntheticStore(n)
	want.setVM(want.vms[Ref{Type: "VirtualMachine", Value: "vm-3"}], "runtime.powerState", types.VirtualMachinePowerStatePoweredOff)
	if got, want := s.inventory(), want.inventory(); !slices.EqualFunc(got.VMs, want.VMs, VM.Equal) {
		t.Errorf("at the end: %v; want %v", got.VMs, want.VMs)
	}
}

func TestEndPreviewDropsWhatTheLoadDidNotBring(t *testing.T) {
	s := syntheticStore(3)
	s.preview = &preview{seen: map[Ref]bool{}}
	loadBrings(s, Ref{Type: "VirtualMachine", Value: "vm-1"}, Ref{Type: "Datastore", Value: "ds-0"})
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
	s.preview = &preview{seen: map[Ref]bool{}}
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

// TestFirstScreenNamesEveryVMTheViewHolds: the first screen's names come
// by the inventory's tree (vmNamesSpec), the load's rows through a
// container view; a VM the tree missed would arrive with the load and
// move the rows shown. On vcsim with nested folders and vApps (whose VMs
// are no folder's), and on vtui's simulator, the tree names exactly the
// view's VMs.
func TestFirstScreenNamesEveryVMTheViewHolds(t *testing.T) {
	ctx := context.Background()
	nested := func(m *simulator.Model) { m.Folder, m.App, m.Pool = 2, 2, 1 }
	vcsim := vcsimtest.VPXWith(t, nested)
	vAppsOwnTheirVMs(vcsim)
	vcsim.Service.TLS = new(tls.Config)
	srv := vcsimtest.Serve(t, vcsim)
	plain, err := Connect(ctx, Config{URL: srv.URL.Host, Username: vcsimtest.User, Password: vcsimtest.Password,
		Thumbprint: soap.ThumbprintSHA256(srv.Certificate())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = plain.Close(ctx) })
	ours, _ := connectSim(t, "small")
	for name, c := range map[string]*Client{"vcsim": plain, "vtui's simulator": ours} {
		t.Run(name, func(t *testing.T) {
			byTree := newStore(Load{VMs: Names})
			if err := conn.Retrieve(ctx, c.conn, vmNamesSpec(c.vim.ServiceContent.RootFolder), byTree.setAll); err != nil {
				t.Fatal(err)
			}
			byView := newStore(Load{VMs: Names})
			if err := c.load(ctx, byView, Load{VMs: Names}); err != nil {
				t.Fatal(err)
			}
			tree, view := vmNames(byTree), vmNames(byView)
			inVApps := 0
			for _, n := range view {
				if strings.Contains(n, "_APP") {
					inVApps++
				}
			}
			if name == "vcsim" && inVApps == 0 {
				t.Fatalf("the view holds no VM of a vApp (%v): the test proves nothing about vApps", view)
			}
			if !slices.Equal(tree, view) {
				t.Errorf("the tree names %d VMs %v; the view holds %d %v", len(tree), tree, len(view), view)
			}
		})
	}
}

// loadBrings notes every object of s but except as brought by the load,
// as the updates of a load that brings them do.
func loadBrings(s *store, except ...Ref) {
	s.eachObject(func(r Ref) {
		if !slices.Contains(except, r) {
			s.preview.changed(r, types.ObjectUpdateKindEnter)
		}
	})
}

// vAppsOwnTheirVMs makes m's vApps hold their VMs as vCenter's do: a VM
// of a vApp is in no folder (its parent is unset, its parentVApp is the
// vApp). vcsim keeps them in the datacenter's VM folder too.
func vAppsOwnTheirVMs(m *simulator.Model) {
	ctx := m.Service.Context
	for _, obj := range ctx.Map.All("VirtualApp") {
		for _, ref := range obj.(*simulator.VirtualApp).Vm {
			vm := ctx.Map.Get(ref).(*simulator.VirtualMachine)
			f := ctx.Map.Get(*vm.Parent).(*simulator.Folder)
			f.ChildEntity = slices.DeleteFunc(f.ChildEntity, func(r types.ManagedObjectReference) bool { return r == ref })
			vm.Parent, vm.ParentVApp = nil, &obj.(*simulator.VirtualApp).Self
		}
	}
}

// vmNames returns the sorted "ref name" of every VM in s.
func vmNames(s *store) []string {
	var out []string
	for r, vm := range s.vms {
		out = append(out, r.Value+" "+vm.Name)
	}
	slices.Sort(out)
	return out
}

// TestFirstScreenTreeFollowsNothingFromAVM: vcsim follows a traversal
// spec from any object with a field of its path, whatever the spec's
// type; a spec applied to the VMs of a folder with a path a VM has
// (resourcePool) would go from each VM up to its pool and down to all of
// the pool's VMs: at 45,000 VMs, hundreds of millions of steps. None of
// the specs the VM folders' children get has a path a VM has.
func TestFirstScreenTreeFollowsNothingFromAVM(t *testing.T) {
	spec := vmNamesSpec(types.ManagedObjectReference{Type: "Folder", Value: "group-d1"})
	specs := map[string]*types.TraversalSpec{}
	for _, s := range spec.ObjectSet[0].SelectSet {
		ts := s.(*types.TraversalSpec)
		specs[ts.Name] = ts
	}
	vmFields := map[string]bool{}
	for _, f := range reflect.VisibleFields(reflect.TypeFor[govmomimo.VirtualMachine]()) {
		vmFields[strings.Split(f.Tag.Get("json"), ",")[0]] = true
	}
	if !vmFields["resourcePool"] {
		t.Fatal("found no resourcePool among a VM's fields: the test reads them wrong")
	}
	for _, next := range specs["vmTree"].SelectSet {
		if ts := specs[next.GetSelectionSpec().Name]; vmFields[ts.Path] {
			t.Errorf("%s (%s.%s) is applied to the VMs of a folder, and a VM has %s", ts.Name, ts.Type, ts.Path, ts.Path)
		}
	}
}
