package vsphere

import (
	"context"
	"slices"
	"testing"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// TestSurroundingsOfAVM: a VM's surroundings are the rules of its cluster
// that name it (not the others), its snapshot tree with the current one,
// and the events about it (not about other objects).
func TestSurroundingsOfAVM(t *testing.T) {
	c, _ := connectSim(t, "small")
	ctx := context.Background()
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var mates []VM
	for _, v := range inv.VMs {
		if v.ClusterRef == inv.Clusters[0].Ref {
			mates = append(mates, v)
		}
	}
	if len(mates) < 4 {
		t.Fatalf("cluster %s has %d VMs; want 4 or more", inv.Clusters[0].Name, len(mates))
	}
	vm := mates[0]
	wait := waiter(t)
	rule := func(name string, vms ...VM) types.ClusterRuleSpec {
		r := &types.ClusterAntiAffinityRuleSpec{ClusterRuleInfo: types.ClusterRuleInfo{Name: name, Enabled: types.NewBool(true)}}
		for _, v := range vms {
			r.Vm = append(r.Vm, mo.ToMoRef(v.Ref))
		}
		return types.ClusterRuleSpec{ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd}, Info: r}
	}
	cl := object.NewClusterComputeResource(c.vim, mo.ToMoRef(inv.Clusters[0].Ref))
	wait(cl.Reconfigure(ctx, &types.ClusterConfigSpecEx{RulesSpec: []types.ClusterRuleSpec{
		rule("keep-apart", vm, mates[1]), rule("others", mates[2], mates[3])}}, true))
	ovm := object.NewVirtualMachine(c.vim, mo.ToMoRef(vm.Ref))
	wait(ovm.CreateSnapshot(ctx, "before-patch", "", false, false))
	wait(ovm.CreateSnapshot(ctx, "after-patch", "", false, false))
	wait(ovm.PowerOff(ctx))

	s, err := c.Surroundings(ctx, inv, vm.Ref, 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Rules) != 1 || s.Rules[0].Name != "keep-apart" || !slices.Equal(s.Rules[0].VMs, []string{vm.Name, mates[1].Name}) {
		t.Errorf("rules = %+v; want only keep-apart, naming %s and %s", s.Rules, vm.Name, mates[1].Name)
	}
	if len(s.Snapshots) != 2 || s.Snapshots[0].Name != "before-patch" || s.Snapshots[0].Current ||
		s.Snapshots[1].Name != "after-patch" || s.Snapshots[1].Depth != 1 || !s.Snapshots[1].Current {
		t.Errorf("snapshots = %+v; want before-patch, then after-patch under it and current", s.Snapshots)
	}
	if !slices.ContainsFunc(s.Events, func(e Event) bool { return e.Type == "VmPoweredOffEvent" }) {
		t.Errorf("events = %+v; want the VM's power-off", s.Events)
	}
	for _, e := range s.Events {
		if e.ObjectRef != vm.Ref {
			t.Errorf("event %d (%s) is about %s; want only events about %s", e.Key, e.Type, e.Object, vm.Name)
		}
	}

	all, err := c.Surroundings(ctx, inv, inv.Clusters[0].Ref, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Rules) != 2 || all.Snapshots != nil {
		t.Errorf("cluster's surroundings: rules %+v, snapshots %+v; want both rules and no snapshots", all.Rules, all.Snapshots)
	}
}

// waiter returns a function that waits for a task started by govmomi.
func waiter(t *testing.T) func(*object.Task, error) {
	return func(task *object.Task, err error) {
		t.Helper()
		if err == nil {
			err = task.Wait(context.Background())
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}
