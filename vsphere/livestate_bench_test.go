package vsphere

import (
	"fmt"
	"testing"

	"github.com/vmware/govmomi/vim25/types"
)

// maxShape is the shape of the simulator's max preset: 26 clusters of 96
// hosts, 8 datastores per cluster mounted on its hosts, one network, and
// 45,000 VMs spread over the hosts.
var maxShape = shape{clusters: 26, hostsPerCluster: 96, datastoresPerCluster: 8, vms: 45000}

// shape sizes a store filled by shapedUpdates.
type shape struct {
	clusters, hostsPerCluster, datastoresPerCluster, vms int
}

// enter is the update that brings obj in with the properties of kv (name,
// value pairs), as a watch's first load does.
func enter(obj types.ManagedObjectReference, kv ...any) types.ObjectUpdate {
	return types.ObjectUpdate{Kind: types.ObjectUpdateKindEnter, Obj: obj, ChangeSet: changes(kv...)}
}

// modify is the update that changes the properties of kv of obj.
func modify(obj types.ManagedObjectReference, kv ...any) types.ObjectUpdate {
	return types.ObjectUpdate{Kind: types.ObjectUpdateKindModify, Obj: obj, ChangeSet: changes(kv...)}
}

func changes(kv ...any) []types.PropertyChange {
	var cs []types.PropertyChange
	for i := 0; i < len(kv); i += 2 {
		cs = append(cs, types.PropertyChange{Name: kv[i].(string), Op: types.PropertyChangeOpAssign, Val: kv[i+1]})
	}
	return cs
}

func refs(rs ...types.ManagedObjectReference) types.ArrayOfManagedObjectReference {
	return types.ArrayOfManagedObjectReference{ManagedObjectReference: rs}
}

// clusterSummary is a cluster's summary; with stats, one whose usage
// summary vCenter computed.
func clusterSummary(hosts, vms int, stats bool) types.ClusterComputeResourceSummary {
	sum := types.ClusterComputeResourceSummary{
		ComputeResourceSummary: types.ComputeResourceSummary{TotalCpu: 96 * 40000, TotalMemory: 96 << 40, NumHosts: int32(hosts)},
	}
	if stats {
		sum.UsageSummary = &types.ClusterUsageSummary{StatsGenNumber: 1, TotalVmCount: int32(vms), CpuDemandMhz: int32(vms * 10), MemDemandMB: int32(vms * 100)}
	}
	return sum
}

// shapedUpdates is a whole first load of sh as one filter's update set:
// the even clusters have a usage summary, the odd ones do not (their
// figures are their hosts').
func shapedUpdates(sh shape) []types.ObjectUpdate {
	dc := moref("Datacenter", "dc-1")
	net := moref("Network", "net-1")
	ups := []types.ObjectUpdate{
		enter(dc, "name", "dc-01"),
		enter(net, "name", "VM Network"),
	}
	var hosts []types.ManagedObjectReference
	var datastores [][]types.ManagedObjectReference // by cluster
	for c := range sh.clusters {
		cl := moref("ClusterComputeResource", fmt.Sprintf("domain-c%d", c))
		var ds, hs []types.ManagedObjectReference
		for d := range sh.datastoresPerCluster {
			r := moref("Datastore", fmt.Sprintf("datastore-%d-%d", c, d))
			ds = append(ds, r)
			ups = append(ups, enter(r, "name", fmt.Sprintf("ds-%02d-%d", c, d), "summary.capacity", int64(1<<40), "summary.accessible", true))
		}
		datastores = append(datastores, ds)
		for h := range sh.hostsPerCluster {
			r := moref("HostSystem", fmt.Sprintf("host-%d-%d", c, h))
			hs = append(hs, r)
			ups = append(ups, enter(r, "name", fmt.Sprintf("esx-%02d-%02d", c, h), "runtime.powerState", "poweredOn",
				"summary.hardware.cpuMhz", int32(2500), "summary.hardware.numCpuCores", int16(16),
				"summary.quickStats.overallCpuUsage", int32(1000+h), "summary.quickStats.overallMemoryUsage", int32(2000+h),
				"datastore", refs(ds...), "network", refs(net)))
		}
		hosts = append(hosts, hs...)
		perCluster := sh.vms / sh.clusters
		ups = append(ups, enter(cl, "name", fmt.Sprintf("cluster-%02d", c), "parent", dc, "host", refs(hs...),
			"summary", clusterSummary(len(hs), perCluster, c%2 == 0)))
	}
	perCluster := sh.vms / sh.clusters
	for i := range sh.vms {
		c := min(i/perCluster, sh.clusters-1)
		ds := datastores[c]
		ups = append(ups, enter(moref("VirtualMachine", fmt.Sprintf("vm-%d", i)),
			"name", fmt.Sprintf("vm-%05d", i), "runtime.powerState", "poweredOn",
			"runtime.host", hosts[c*sh.hostsPerCluster+i%sh.hostsPerCluster],
			"datastore", refs(ds[i%len(ds)]), "network", refs(net),
			"config.hardware.numCPU", int32(2), "config.hardware.memoryMB", int32(4096)))
	}
	return ups
}

// loadedStore is a store after the whole first load of sh, with the
// first state after it published.
func loadedStore(sh shape) *store {
	s := newStore(Everything())
	s.applyFrom(0, shapedUpdates(sh))
	s.inventory()
	return s
}

// BenchmarkLiveUpdateAt45k is what one update set costs a watch once its
// first load is in, at the max preset's 45,000 VMs: applying it and
// building the state it publishes. power is another admin's power-off of
// one VM; rollup is vCenter's roll-up after it: the usage of the VM's
// host's cluster's 96 hosts and its summary; restarts is what HA's
// restarts in a drill bring: 20 VMs powered on on other hosts, and the
// roll-up.
func BenchmarkLiveUpdateAt45k(b *testing.B) {
	s := loadedStore(maxShape)
	power := []types.ObjectUpdate{modify(moref("VirtualMachine", "vm-30000"), "runtime.powerState", "poweredOff")}
	var rollup []types.ObjectUpdate
	for h := range maxShape.hostsPerCluster {
		rollup = append(rollup, modify(moref("HostSystem", fmt.Sprintf("host-3-%d", h)),
			"summary.quickStats.overallCpuUsage", int32(3000+h), "summary.quickStats.overallMemoryUsage", int32(4000+h)))
	}
	rollup = append(rollup, modify(moref("ClusterComputeResource", "domain-c3"), "summary", clusterSummary(96, 1730, false)))
	var restarts []types.ObjectUpdate
	for i := range 20 {
		restarts = append(restarts, modify(moref("VirtualMachine", fmt.Sprintf("vm-%d", 5200+i)),
			"runtime.host", moref("HostSystem", fmt.Sprintf("host-3-%d", 50+i)), "runtime.powerState", "poweredOn"))
	}
	restarts = append(restarts, rollup...)
	for _, bm := range []struct {
		name    string
		updates []types.ObjectUpdate
	}{{"power", power}, {"rollup", rollup}, {"restarts", restarts}} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s.applyFrom(0, bm.updates)
				if inv := s.inventory(); len(inv.VMs) != maxShape.vms {
					b.Fatal(len(inv.VMs))
				}
			}
		})
	}
}
