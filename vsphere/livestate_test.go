package vsphere

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/vsphere/internal/mo"
)

// smallShape is a store small enough to rebuild whole at every step of a
// test: 3 clusters of 4 hosts, 2 datastores each, 60 VMs.
var smallShape = shape{clusters: 3, hostsPerCluster: 4, datastoresPerCluster: 2, vms: 60}

// updateSet is one update set a watch's filter sends.
type updateSet struct {
	from    int
	updates []types.ObjectUpdate
}

// splitStore is a store that follows two filters, as a watch's does,
// after the whole first load of sh from both.
func splitStore(sh shape) *store {
	s := newStore(Everything())
	s.parts = filterParts(Everything(), followers)
	for from := range followers {
		s.applyFrom(from, shapedUpdates(sh))
	}
	return s
}

// vmRef is the VM of the test shapes numbered i.
func vmRef(i int) types.ManagedObjectReference {
	return moref("VirtualMachine", fmt.Sprintf("vm-%d", i))
}

// liveSteps are update sets of each kind a watch applies once its load is
// in, in an order where each later one builds on the ones before.
var liveSteps = []struct {
	name string
	sets []updateSet
}{
	{"VM powered off", []updateSet{{0, []types.ObjectUpdate{modify(vmRef(7), "runtime.powerState", "poweredOff")}}}},
	{"VM moved to a host of another cluster", []updateSet{{0, []types.ObjectUpdate{
		modify(vmRef(8), "runtime.host", moref("HostSystem", "host-2-1")),
	}}, {1, []types.ObjectUpdate{
		modify(vmRef(8), "datastore", refs(moref("Datastore", "datastore-2-0"))),
	}}}},
	{"host usage and cluster summaries rolled up", []updateSet{{1, []types.ObjectUpdate{
		modify(moref("HostSystem", "host-2-1"), "summary.quickStats.overallCpuUsage", int32(7000)),
		modify(moref("HostSystem", "host-1-1"), "summary.quickStats.overallMemoryUsage", int32(9000)),
		modify(moref("ClusterComputeResource", "domain-c1"), "summary", clusterSummary(4, 21, false)),
		modify(moref("ClusterComputeResource", "domain-c2"), "summary", clusterSummary(4, 19, true)),
	}}}},
	{"VM's network changed and usage updated", []updateSet{{0, []types.ObjectUpdate{
		modify(vmRef(30), "network", refs()),
		modify(vmRef(31), "summary.quickStats.overallCpuUsage", int32(1234)),
	}}}},
	{"most VMs' usage updated (more than building each again is worth)", []updateSet{{1, func() []types.ObjectUpdate {
		var ups []types.ObjectUpdate
		for i := range 40 {
			ups = append(ups, modify(vmRef(i), "summary.quickStats.overallCpuUsage", int32(100+i)))
		}
		return ups
	}()}}},
	{"VM renamed", []updateSet{{0, []types.ObjectUpdate{modify(vmRef(9), "name", "aaa-first")}}}},
	{"VM powered on after the rename", []updateSet{{1, []types.ObjectUpdate{modify(vmRef(7), "runtime.powerState", "poweredOn")}}}},
	{"host renamed", []updateSet{{0, []types.ObjectUpdate{modify(moref("HostSystem", "host-0-2"), "name", "zz-esx")}}}},
	{"datastore renamed", []updateSet{{0, []types.ObjectUpdate{modify(moref("Datastore", "datastore-1-1"), "name", "aa-ds")}}}},
	{"network renamed", []updateSet{{1, []types.ObjectUpdate{modify(moref("Network", "net-1"), "name", "Prod")}}}},
	{"cluster renamed", []updateSet{{0, []types.ObjectUpdate{modify(moref("ClusterComputeResource", "domain-c0"), "name", "zz-cluster")}}}},
	{"host moved to another cluster", []updateSet{{0, []types.ObjectUpdate{
		modify(moref("ClusterComputeResource", "domain-c0"), "host", refs(moref("HostSystem", "host-0-0"), moref("HostSystem", "host-0-1"), moref("HostSystem", "host-0-2"))),
		modify(moref("ClusterComputeResource", "domain-c1"), "host", refs(moref("HostSystem", "host-1-0"), moref("HostSystem", "host-1-1"),
			moref("HostSystem", "host-1-2"), moref("HostSystem", "host-1-3"), moref("HostSystem", "host-0-3"))),
	}}}},
	{"VM added, its halves from both filters", []updateSet{{0, []types.ObjectUpdate{
		enter(vmRef(100), "name", "new-vm", "runtime.powerState", "poweredOn", "runtime.host", moref("HostSystem", "host-1-0"),
			"datastore", refs(moref("Datastore", "datastore-1-0")), "network", refs(moref("Network", "net-1"))),
	}}, {1, []types.ObjectUpdate{
		enter(vmRef(100), "config.hardware.numCPU", int32(8), "config.hardware.memoryMB", int32(16384)),
	}}}},
	{"host added, its halves from both filters, with a VM moved onto it before the second", []updateSet{{0, []types.ObjectUpdate{
		enter(moref("HostSystem", "host-9"), "name", "esx-new", "runtime.powerState", "poweredOn"),
		modify(moref("ClusterComputeResource", "domain-c2"), "host", refs(moref("HostSystem", "host-2-0"), moref("HostSystem", "host-2-1"),
			moref("HostSystem", "host-2-2"), moref("HostSystem", "host-2-3"), moref("HostSystem", "host-9"))),
		modify(vmRef(20), "runtime.host", moref("HostSystem", "host-9")),
	}}, {1, []types.ObjectUpdate{
		enter(moref("HostSystem", "host-9"), "summary.quickStats.overallCpuUsage", int32(100), "datastore", refs(moref("Datastore", "datastore-2-0"))),
	}}}},
	{"VM removed", []updateSet{{1, []types.ObjectUpdate{
		{Kind: types.ObjectUpdateKindLeave, Obj: vmRef(12)},
	}}, {0, []types.ObjectUpdate{
		{Kind: types.ObjectUpdateKindLeave, Obj: vmRef(12)},
	}}}},
	{"added VM powered off and another moved", []updateSet{{0, []types.ObjectUpdate{
		modify(vmRef(100), "runtime.powerState", "poweredOff"),
		modify(vmRef(40), "runtime.host", moref("HostSystem", "host-0-3")),
	}}}},
}

// TestLiveStatesEqualWholeRebuilds: after every update set of liveSteps,
// the state a watch's store builds from the last one's (livestate.go) is
// the one a store that builds it whole gives, and the states built before
// are unchanged.
func TestLiveStatesEqualWholeRebuilds(t *testing.T) {
	live := splitStore(smallShape)
	var applied []updateSet
	var states, wants []*Inventory
	publish := func(step string) {
		t.Helper()
		got := live.inventory()
		// A store that applied the same update sets builds its first
		// state whole.
		whole := splitStore(smallShape)
		for _, set := range applied {
			whole.applyFrom(set.from, set.updates)
		}
		want := whole.inventory()
		if d := inventoryDiff(got, want); d != "" {
			t.Fatalf("after %s: the state differs from the whole rebuild: %s", step, d)
		}
		states, wants = append(states, got), append(wants, want)
	}
	publish("the load")
	for _, st := range liveSteps {
		for i, set := range st.sets {
			live.applyFrom(set.from, set.updates)
			applied = append(applied, set)
			publish(fmt.Sprintf("%s (update set %d)", st.name, i+1))
		}
	}
	for i, st := range states {
		if d := inventoryDiff(st, wants[i]); d != "" {
			t.Errorf("state %d changed after it was published: %s", i, d)
		}
	}
}

// TestLiveStateBuildsOnlyTheChangedRows: once the load is in, a VM's
// change builds again its row only, in a new array; a roll-up of hosts
// and clusters builds no VM row; a rename builds them all.
func TestLiveStateBuildsOnlyTheChangedRows(t *testing.T) {
	s := loadedStore(smallShape)
	before := s.inventory()
	wholes := s.live.wholes

	s.applyFrom(0, []types.ObjectUpdate{modify(vmRef(7), "runtime.powerState", "poweredOff")})
	after := s.inventory()
	if s.live.wholes != wholes {
		t.Errorf("a VM's power change built every row (%d whole builds; want %d)", s.live.wholes, wholes)
	}
	if &after.VMs[0] == &before.VMs[0] {
		t.Errorf("the state after a VM's change shares the array of the one before")
	}
	for i := range after.VMs {
		changed := !reflect.DeepEqual(after.VMs[i], before.VMs[i])
		if changed != (after.VMs[i].ID == "vm-7") {
			t.Errorf("row %d (%s) changed: %v; want only vm-7's", i, after.VMs[i].ID, changed)
		}
	}

	s.applyFrom(1, []types.ObjectUpdate{
		modify(moref("HostSystem", "host-1-1"), "summary.quickStats.overallCpuUsage", int32(7000)),
		modify(moref("ClusterComputeResource", "domain-c1"), "summary", clusterSummary(4, 20, false)),
	})
	rolled := s.inventory()
	if s.live.wholes != wholes || &rolled.VMs[0] != &after.VMs[0] {
		t.Errorf("a roll-up of hosts and clusters built VM rows (%d whole builds, want %d; shares the last state's: %v)",
			s.live.wholes, wholes, &rolled.VMs[0] == &after.VMs[0])
	}

	s.applyFrom(0, []types.ObjectUpdate{modify(moref("HostSystem", "host-1-1"), "name", "esx-renamed")})
	s.inventory()
	if s.live.wholes != wholes+1 {
		t.Errorf("a host's rename made %d whole builds; want 1: its VMs' rows show its name", s.live.wholes-wholes)
	}
}

// inventoryDiff describes the first difference between got and want, or
// returns "" when they are deeply equal.
func inventoryDiff(got, want *Inventory) string {
	if reflect.DeepEqual(got, want) {
		return ""
	}
	if d := sliceDiff("VM", got.VMs, want.VMs); d != "" {
		return d
	}
	if d := sliceDiff("host", got.Hosts, want.Hosts); d != "" {
		return d
	}
	if d := sliceDiff("cluster", got.Clusters, want.Clusters); d != "" {
		return d
	}
	if d := sliceDiff("datastore", got.Datastores, want.Datastores); d != "" {
		return d
	}
	if d := sliceDiff("network", got.Networks, want.Networks); d != "" {
		return d
	}
	return fmt.Sprintf("got %+v\nwant %+v", *got, *want)
}

func sliceDiff[T any](kind string, got, want []T) string {
	for i := range min(len(got), len(want)) {
		if !reflect.DeepEqual(got[i], want[i]) {
			return fmt.Sprintf("%s row %d:\n got %+v\nwant %+v", kind, i, got[i], want[i])
		}
	}
	if len(got) != len(want) {
		return fmt.Sprintf("%d %s rows; want %d", len(got), kind, len(want))
	}
	return ""
}

// TestWatchLiveStatesEqualSnapshotsOnTheSimulator: on vtui's simulator,
// after each of another client's changes (a power-off, a VM moved to a
// host of the other cluster, a VM renamed, a cluster renamed, a VM
// cloned, a VM destroyed), once the simulator has settled, the watch's
// live state is the one a one-shot snapshot loads whole. (The simulator
// renames neither hosts nor datastores: TestLiveStatesEqualWholeRebuilds
// has those.)
func TestWatchLiveStatesEqualSnapshotsOnTheSimulator(t *testing.T) {
	c, srv := connectSim(t, "small")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := c.Watch(ctx, WatchOptions{PageSize: 5})
	inv := nextUntil(t, w, func(u WatchUpdate) bool { return u.State == Live }).Data
	vm := func(name string) *object.VirtualMachine {
		return object.NewVirtualMachine(c.vim, mo.ToMoRef(vmNamed(inv, name).Ref))
	}
	wait := func(what string, task *object.Task, err error) {
		t.Helper()
		if err == nil {
			err = task.Wait(ctx)
		}
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	web := vmNamed(inv, "web-02")
	var otherHost Host
	for _, h := range inv.Hosts {
		if h.ClusterRef != web.ClusterRef {
			otherHost = h
		}
	}
	steps := []struct {
		name   string
		change func()
	}{
		{"web-02 powered off", func() {
			task, err := vm("web-02").PowerOff(ctx)
			wait("power off web-02", task, err)
		}},
		{"web-02 moved to " + otherHost.Name + " of another cluster", func() {
			pool, err := object.NewClusterComputeResource(c.vim, mo.ToMoRef(otherHost.ClusterRef)).ResourcePool(ctx)
			if err != nil {
				t.Fatal(err)
			}
			host, poolRef := mo.ToMoRef(otherHost.Ref), pool.Reference()
			task, err := vm("web-02").Relocate(ctx, types.VirtualMachineRelocateSpec{Host: &host, Pool: &poolRef}, types.VirtualMachineMovePriorityDefaultPriority)
			wait("move web-02", task, err)
		}},
		{"web-02 renamed", func() {
			task, err := vm("web-02").Rename(ctx, "aaa-web")
			wait("rename web-02", task, err)
		}},
		{otherHost.Cluster + " renamed", func() {
			task, err := object.NewClusterComputeResource(c.vim, mo.ToMoRef(otherHost.ClusterRef)).Rename(ctx, "zz-cluster")
			wait("rename a cluster", task, err)
		}},
		{"db-01 cloned", func() {
			folders, err := object.NewDatacenter(c.vim, mo.ToMoRef(inv.Datacenters[0].Ref)).Folders(ctx)
			if err != nil {
				t.Fatal(err)
			}
			task, err := vm("db-01").Clone(ctx, folders.VmFolder, "db-01-clone", types.VirtualMachineCloneSpec{})
			wait("clone db-01", task, err)
		}},
		{"web-01 destroyed", func() {
			if task, err := vm("web-01").PowerOff(ctx); err == nil {
				_ = task.Wait(ctx) // a VM already off refuses; either way it is off now
			}
			task, err := vm("web-01").Destroy(ctx)
			wait("destroy web-01", task, err)
		}},
	}
	var seq uint64
	for _, st := range steps {
		st.change()
		settle(t, srv)
		want, err := c.Inventory(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The watch follows within a bound only a broken one reaches.
		wctx, wcancel := context.WithTimeout(ctx, 15*time.Second)
		diff := "no live state"
		for diff != "" {
			u, err := w.Next(wctx, seq)
			if err != nil {
				t.Fatalf("after %s: %v; the last live state differs from a one-shot snapshot: %s", st.name, err, diff)
			}
			seq = u.Seq
			if u.State == Live {
				got, w := asCompared(u.Data), asCompared(want)
				diff = inventoryDiff(got, w)
				inv = u.Data
			}
		}
		wcancel()
	}
}

// asCompared is inv as a watch's state and a snapshot can be compared on
// the simulator: VM rows plain, and no datastore's free space, which the
// simulator changes on a clone without telling watchers.
func asCompared(inv *Inventory) *Inventory {
	c := *inv
	c.VMs = plain(c.VMs)
	c.Datastores = slices.Clone(c.Datastores)
	for i := range c.Datastores {
		c.Datastores[i].FreeBytes = 0
	}
	return &c
}
