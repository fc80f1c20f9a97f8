package sim

import (
	"context"
	"slices"
	"testing"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// TestContainerViewsMatchVcsim creates container views of every
// container of the demo inventory, of every type a client asks for (vtui's
// views, govc's, none), recursive or not, through vtui's
// CreateContainerView and through vcsim's, and checks that each gives
// the same fault or the same members in the same order: at first, and
// after a VM is created, moved to another folder, moved to another
// cluster, and destroyed. Recursive views of the root folder made before
// the creation and the destruction follow them as vcsim's do (vtui keeps
// the others current itself).
func TestContainerViewsMatchVcsim(t *testing.T) {
	e := newRetrievalEnv(t)
	ctx := context.Background()
	m := e.s.Model().Map()
	kinds := [][]string{
		nil, {"VirtualMachine"}, {"HostSystem"}, {"ClusterComputeResource"}, {"ComputeResource"}, {"Datastore"},
		{"Network", "DistributedVirtualPortgroup", "OpaqueNetwork"}, {"ManagedEntity"}, {"Folder"}, {"Folder", "Datacenter"},
		{"ResourcePool"}, {"Datacenter"}, {"Bogus"},
	}
	containers := func() []types.ManagedObjectReference {
		out := []types.ManagedObjectReference{e.s.Model().ServiceContent.RootFolder, {Type: "Folder", Value: "group-gone"}}
		for _, kind := range []string{"Datacenter", "Folder", "ClusterComputeResource", "HostSystem", "ResourcePool", "VirtualMachine", "Datastore"} {
			for _, o := range m.All(kind) {
				out = append(out, o.Reference())
			}
		}
		return out
	}
	type made struct {
		vtui, vcsim types.ManagedObjectReference
		what        string
		followed    bool // a recursive view of the root folder: vcsim's keeps it current
	}
	create := func(req *types.CreateContainerView) (types.ManagedObjectReference, string) {
		got := e.s.vc.CreateContainerView(e.ctx, req).(*methods.CreateContainerViewBody)
		want := m.ViewManager().CreateContainerView(e.ctx, req).(*methods.CreateContainerViewBody)
		if faultText(got.Fault_) != faultText(want.Fault_) {
			t.Fatalf("%s %v recursive %v: fault %s; vcsim's %s", req.Container, req.Type, req.Recursive, faultText(got.Fault_), faultText(want.Fault_))
		}
		if got.Fault_ != nil {
			return types.ManagedObjectReference{}, ""
		}
		return got.Res.Returnval, want.Res.Returnval.Value
	}
	members := func(ref types.ManagedObjectReference) []types.ManagedObjectReference {
		v := e.ctx.Session.Get(ref).(*simulator.ContainerView)
		var out []types.ManagedObjectReference
		e.ctx.WithLock(v, func() { out = slices.Clone(v.View) })
		return out
	}
	// compare creates every view, compares the two kinds, and returns
	// them; it destroys them unless keep.
	compare := func(state string, keep bool) []made {
		var all []made
		n := 0
		for _, root := range containers() {
			for _, k := range kinds {
				for _, recursive := range []bool{false, true} {
					req := &types.CreateContainerView{This: *e.s.Model().ServiceContent.ViewManager, Container: root, Type: k, Recursive: recursive}
					mine, theirs := create(req)
					if mine.Value == "" {
						continue
					}
					vcsim := types.ManagedObjectReference{Type: "ContainerView", Value: theirs}
					got, want := members(mine), members(vcsim)
					if !slices.Equal(got, want) {
						t.Errorf("%s: view of %s %v recursive %v: %v; vcsim's %v", state, root, k, recursive, got, want)
					}
					n += len(got)
					all = append(all, made{mine, vcsim, root.String(), recursive && root == e.s.Model().ServiceContent.RootFolder})
				}
			}
		}
		if n == 0 {
			t.Fatalf("%s: every view is empty: the test tests nothing", state)
		}
		if !keep {
			for _, v := range all {
				e.s.vc.DestroyView(e.ctx, &types.DestroyView{This: v.vtui})
				e.s.vc.DestroyView(e.ctx, &types.DestroyView{This: v.vcsim})
			}
		}
		return all
	}
	follow := func(state string, views []made) {
		for _, v := range views {
			if !v.followed {
				continue // vtui's follows moves too (TestViewMembershipFollowsMoves)
			}
			if got, want := members(v.vtui), members(v.vcsim); !slices.Equal(got, want) {
				t.Errorf("%s: a view of %s made before: %v; vcsim's %v", state, v.what, got, want)
			}
		}
	}

	compare("at first", false)
	before := compare("before a VM is created", true)

	dc := m.Any("Datacenter").(*simulator.Datacenter)
	cluster := m.Get(m.Any("ClusterComputeResource").Reference()).(*simulator.ClusterComputeResource)
	spec := types.VirtualMachineConfigSpec{Name: "made-here", GuestId: "otherGuest", Files: &types.VirtualMachineFileInfo{VmPathName: "[ds-shared-01]"}}
	task, err := object.NewFolder(e.c.Client, dc.VmFolder).CreateVM(ctx, spec, object.NewResourcePool(e.c.Client, *cluster.ResourcePool), nil)
	if err != nil {
		t.Fatal(err)
	}
	info, err := task.WaitForResult(ctx)
	if err != nil {
		t.Fatal(err)
	}
	vm := info.Result.(types.ManagedObjectReference)
	follow("a VM created", before)
	compare("a VM created", false)

	folder, err := object.NewFolder(e.c.Client, dc.VmFolder).CreateFolder(ctx, "moved-here")
	if err != nil {
		t.Fatal(err)
	}
	if task, err = folder.MoveInto(ctx, []types.ManagedObjectReference{vm}); err == nil {
		err = task.Wait(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	compare("a VM moved to another folder", false)

	var other mo.ClusterComputeResource
	for _, o := range m.All("ClusterComputeResource") {
		if o.Reference() != cluster.Self {
			other = o.(*simulator.ClusterComputeResource).ClusterComputeResource
		}
	}
	if err := relocateVM(ctx, e.c, vm, types.VirtualMachineRelocateSpec{Host: &other.Host[0], Pool: other.ResourcePool}); err != nil {
		t.Fatal(err)
	}
	compare("a VM moved to another cluster", false)

	if task, err = object.NewVirtualMachine(e.c.Client, vm).Destroy(ctx); err == nil {
		err = task.Wait(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	follow("a VM destroyed", before)
	compare("a VM destroyed", false)
}
