package vsphere

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/vtui/vtui/vsphere/internal/conntest"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// listings are what each kind lists its rows with: the Loads of its
// entry in internal/kinds, which the tests of vtui get check.
var listings = map[string]Load{
	"clusters":   {Clusters: Rows},
	"hosts":      {Hosts: Rows, Clusters: Names, Datastores: Names, Networks: Names},
	"vms":        {VMs: Rows, Hosts: Names, Clusters: Names, Datastores: Names, Networks: Names},
	"datastores": {Datastores: Rows},
	"networks":   {Networks: Rows},
}

// TestEachListingFetchesOnlyWhatItShows records the property paths each
// listing asks the server for: a listing of hosts, clusters, datastores
// or networks fetches no VM property, and a listing of VMs only names of
// the rest.
func TestEachListingFetchesOnlyWhatItShows(t *testing.T) {
	const (
		vmRow   = "name runtime.powerState runtime.host datastore network config.hardware.numCPU config.hardware.memoryMB config.instanceUuid config.template summary.quickStats.overallCpuUsage summary.quickStats.guestMemoryUsage guest.ipAddress guest.toolsStatus"
		hostRow = "name summary.quickStats.overallCpuUsage summary.quickStats.overallMemoryUsage vm runtime.connectionState runtime.powerState runtime.inMaintenanceMode summary.hardware.cpuMhz summary.hardware.numCpuCores summary.hardware.memorySize datastore network"
	)
	nets := func(paths string) map[string]string {
		return map[string]string{"Network": paths, "DistributedVirtualPortgroup": paths, "OpaqueNetwork": paths}
	}
	with := func(a, b map[string]string) map[string]string {
		out := maps.Clone(a)
		maps.Copy(out, b)
		return out
	}
	tests := []struct {
		kind string
		f    Filter
		want map[string]string // paths by type
	}{
		{"clusters", Filter{}, map[string]string{
			"Datacenter": "name", "Folder": "parent",
			// The clusters' own summary counts their hosts and VMs, and
			// with no hosts to place their host lists are not read.
			"ClusterComputeResource": "name parent summary configurationEx.dasConfig.enabled configurationEx.drsConfig.enabled",
		}},
		{"clusters", Filter{Host: "esx-a-01.lab.local"}, map[string]string{
			"Datacenter": "name", "Folder": "parent",
			"ClusterComputeResource": "name host parent summary configurationEx.dasConfig.enabled configurationEx.drsConfig.enabled",
			"HostSystem":             "name",
		}},
		{"hosts", Filter{}, with(nets("name"), map[string]string{
			"ClusterComputeResource": "name host", "HostSystem": hostRow, "Datastore": "name",
		})},
		{"vms", Filter{}, with(nets("name"), map[string]string{
			"VirtualMachine": vmRow, "HostSystem": "name", "ClusterComputeResource": "name host", "Datastore": "name",
		})},
		{"vms", Filter{Cluster: "cluster-a", Host: "esx-a-01.lab.local"}, with(nets("name"), map[string]string{
			"VirtualMachine": vmRow, "HostSystem": "name", "ClusterComputeResource": "name host", "Datastore": "name",
		})},
		{"datastores", Filter{}, map[string]string{
			"Datastore": "name summary.type summary.capacity summary.freeSpace summary.accessible host vm",
		}},
		{"networks", Filter{}, nets("name host vm")},
		// The hosts' own datastores and networks select them.
		{"networks", Filter{Cluster: "cluster-a"}, with(nets("name vm"), map[string]string{
			"ClusterComputeResource": "name host", "HostSystem": hostRow,
		})},
	}
	for _, tt := range tests {
		c, _ := connectSim(t, "small")
		rec := conntest.Record(c.conn)
		if _, err := c.InventoryFor(context.Background(), Listing(listings[tt.kind], tt.f)); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for typ, paths := range rec.Paths() {
			got[typ] = strings.Join(paths, " ")
		}
		for _, typ := range slices.Sorted(maps.Keys(with(got, tt.want))) {
			if g, w := sortedFields(got[typ]), sortedFields(tt.want[typ]); g != w {
				t.Errorf("Listing(%q, %+v) asked for %s [%s]; want [%s]", tt.kind, tt.f, typ, g, w)
			}
		}
	}
}

// sortedFields sorts the space-separated words of s.
func sortedFields(s string) string {
	f := strings.Fields(s)
	slices.Sort(f)
	return strings.Join(f, " ")
}

// TestGetClustersCreatesOneView: a cluster's datacenter is found up its
// parents in the clusters' own request, not through views of every folder
// and datacenter (each walks the whole inventory on vcsim): get clusters
// creates one container view and sends one retrieval, as govc does.
func TestGetClustersCreatesOneView(t *testing.T) {
	c, _ := connectSim(t, "small")
	rec := conntest.Record(c.conn)
	inv, err := c.InventoryFor(context.Background(), Listing(listings["clusters"], Filter{}))
	if err != nil {
		t.Fatal(err)
	}
	count := func(method string) int {
		return len(rec.Sent(func(m string) bool { return m == method }))
	}
	if v, r := count("CreateContainerView"), count("RetrievePropertiesEx"); v != 1 || r != 1 {
		t.Errorf("get clusters created %d views and sent %d retrievals; want 1 and 1", v, r)
	}
	if len(inv.Clusters) == 0 || slices.ContainsFunc(inv.Clusters, func(cl Cluster) bool { return cl.Datacenter != "dc-01" }) {
		t.Errorf("clusters %+v; want each in dc-01", inv.Clusters)
	}
}

// TestListingsAgreeWithAWholeSnapshot checks that what each listing loads
// gives the same rows as the whole inventory, though its counts come from
// back-reference lists instead of the VMs, also after a VM has moved.
func TestListingsAgreeWithAWholeSnapshot(t *testing.T) {
	c, srv := connectSim(t, "demo")
	ctx := context.Background()
	check := func(when string) {
		t.Helper()
		settle(t, srv) // no roll-up lands between the reads compared
		all, err := c.Inventory(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, kind := range []string{"clusters", "hosts", "vms", "datastores", "networks"} {
			inv, err := c.InventoryFor(ctx, Listing(listings[kind], Filter{}))
			if err != nil {
				t.Fatal(err)
			}
			var got, want any
			switch kind {
			case "clusters":
				got, want = inv.Clusters, all.Clusters
			case "hosts":
				got, want = inv.Hosts, all.Hosts
			case "vms":
				vms := plain(all.VMs)
				for i := range vms {
					vms[i].PoolRef = Ref{} // planning only: not in a VM row
				}
				got, want = plain(inv.VMs), vms
			case "datastores":
				got, want = inv.Datastores, all.Datastores
			case "networks":
				got, want = inv.Networks, all.Networks
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s, %s:\n got %+v\nwant %+v (from the whole inventory)", when, kind, got, want)
			}
		}
	}
	check("as built")

	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	vm := inv.VMs[0]
	var to Host
	for _, h := range inv.FilterHosts(Filter{Cluster: vm.Cluster}) {
		if h.Ref != vm.HostRef {
			to = h
		}
	}
	task, err := object.NewVirtualMachine(c.vim, mo.ToMoRef(vm.Ref)).Relocate(ctx,
		types.VirtualMachineRelocateSpec{Host: new(mo.ToMoRef(to.Ref))}, types.VirtualMachineMovePriorityDefaultPriority)
	if err == nil {
		err = task.Wait(ctx)
	}
	if err != nil {
		t.Fatalf("move %s to %s: %v", vm.Name, to.Name, err)
	}
	check("after " + vm.Name + " moved to " + to.Name)
}

// plain returns vms without what the store caches in them, for comparing
// snapshots of different stores.
func plain(vms []VM) []VM {
	out := slices.Clone(vms)
	for i := range out {
		out[i].resolved = 0
		out[i].snapshots = nil // the snapshots listing's, not a VM row's
	}
	return out
}

// TestFilterSpecsSplitTheVMRowOverFollowers checks how a watch's load is
// split over its collectors: the VM row's paths in halves, one to each, a
// kind in one part (datastores) with the second, and one filter with all
// of it when there is one follower.
func TestFilterSpecsSplitTheVMRowOverFollowers(t *testing.T) {
	vs := &viewSet{}
	for i := range kinds {
		vs.views = append(vs.views, types.ManagedObjectReference{Type: "ContainerView", Value: fmt.Sprintf("view-%d", i)})
	}
	pathsOf := func(spec types.PropertyFilterSpec, typ string) []string {
		for _, p := range spec.PropSet {
			if p.Type == typ {
				return p.PathSet
			}
		}
		return nil
	}
	all := Everything().paths(kindFor("VirtualMachine"))
	two := vs.filterSpecs(Everything(), 2)
	if len(two) != 2 {
		t.Fatalf("%d filters; want 2", len(two))
	}
	first, second := pathsOf(two[0], "VirtualMachine"), pathsOf(two[1], "VirtualMachine")
	if len(first) == 0 || len(second) == 0 || !slices.Equal(append(slices.Clone(first), second...), all) {
		t.Errorf("VM paths %v and %v; want the halves of %v", first, second, all)
	}
	if pathsOf(two[0], "Datastore") != nil || pathsOf(two[1], "Datastore") == nil {
		t.Errorf("datastores' paths %v in the first filter, %v in the second; want them, a kind in one part, with the second only", pathsOf(two[0], "Datastore"), pathsOf(two[1], "Datastore"))
	}
	one := vs.filterSpecs(Everything(), 1)
	if len(one) != 1 || !slices.Equal(pathsOf(one[0], "VirtualMachine"), all) {
		t.Errorf("one follower: %d filters, VM paths %v; want one filter with %v", len(one), pathsOf(one[0], "VirtualMachine"), all)
	}
	for _, spec := range one {
		seen := map[types.ManagedObjectReference]bool{}
		for _, o := range spec.ObjectSet {
			if seen[o.Obj] {
				t.Errorf("view %s twice in one filter", o.Obj.Value)
			}
			seen[o.Obj] = true
		}
	}
}
