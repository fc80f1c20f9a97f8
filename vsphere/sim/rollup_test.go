package sim

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// figures is what the roll-up keeps of a cluster and one of its hosts.
type figures struct {
	sum  types.ClusterComputeResourceSummary
	host types.HostListSummaryQuickStats
}

// figuresOf reads the summary of the cluster named cluster and the quick
// stats of the host named host.
func figuresOf(t *testing.T, c *govmomi.Client, cluster, host string) figures {
	t.Helper()
	inv := fetch(t, c)
	cl := named(t, inv.clusters, cluster, func(c mo.ClusterComputeResource) string { return c.Name })
	h := named(t, inv.hosts, host, func(h mo.HostSystem) string { return h.Name })
	return figures{*cl.Summary.(*types.ClusterComputeResourceSummary), h.Summary.QuickStats}
}

// await polls until ok holds for what figuresOf reads, and returns it.
func await(t *testing.T, c *govmomi.Client, cluster, host, what string, ok func(figures) bool) figures {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		f := figuresOf(t, c, cluster, host)
		if ok(f) {
			return f
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: never; %s has %+v, %s %+v", what, cluster, *f.sum.UsageSummary, host, f.host)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// vmOn returns a VM powered on on the host named host, on shared storage
// (so that it can move to another cluster).
func vmOn(t *testing.T, c *govmomi.Client, host string) mo.VirtualMachine {
	t.Helper()
	inv := fetch(t, c)
	h := named(t, inv.hosts, host, func(h mo.HostSystem) string { return h.Name })
	shared := func(ds types.ManagedObjectReference) bool {
		return slices.ContainsFunc(inv.dss, func(d mo.Datastore) bool { return d.Self == ds && strings.HasPrefix(d.Name, "ds-shared") })
	}
	for _, vm := range inv.vms {
		if *vm.Runtime.Host == h.Self && vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn && !slices.ContainsFunc(vm.Datastore, func(ds types.ManagedObjectReference) bool { return !shared(ds) }) {
			return vm
		}
	}
	t.Fatalf("no VM powered on on %s", host)
	return mo.VirtualMachine{}
}

// TestRollUpFollowsPowerAndMoves: as on vCenter, a cluster's usage summary
// and its host's quick stats follow a VM powered off, then moved to
// another cluster; each refresh counts in statsGenNumber.
func TestRollUpFollowsPowerAndMoves(t *testing.T) {
	_, c, b := simEnv(t)
	const host = "esx-a-01.lab.local"
	vm := vmOn(t, c, host)
	before := figuresOf(t, c, "cluster-a", host)
	if before.sum.UsageSummary.StatsGenNumber == 0 || before.sum.UsageSummary.TotalVmCount == 0 {
		t.Fatalf("cluster-a at start: %+v; want a computed usage summary", *before.sum.UsageSummary)
	}

	powerOp(t, c, vm.Self, "off")
	off := await(t, c, "cluster-a", host, "the powered-off VM counted", func(f figures) bool {
		return f.sum.UsageSummary.PoweredOffVmCount == before.sum.UsageSummary.PoweredOffVmCount+1
	})
	if u := off.sum.UsageSummary; u.TotalVmCount != before.sum.UsageSummary.TotalVmCount ||
		u.CpuDemandMhz >= before.sum.UsageSummary.CpuDemandMhz || u.StatsGenNumber <= before.sum.UsageSummary.StatsGenNumber {
		t.Errorf("after powering %s off: %+v; want the same VMs, less demand than %+v, a later statsGenNumber", vm.Name, *u, *before.sum.UsageSummary)
	}
	if off.host.OverallCpuUsage >= before.host.OverallCpuUsage {
		t.Errorf("%s uses %d MHz after %s stopped; want less than %d", host, off.host.OverallCpuUsage, vm.Name, before.host.OverallCpuUsage)
	}

	bBefore := figuresOf(t, c, "cluster-b", "esx-b-01.lab.local")
	to := b.host(t, "esx-b-01.lab.local")
	pool := named(t, b.inv.pools, "Resources", func(p mo.ResourcePool) string {
		if p.Owner.Value == to.Parent.Value {
			return p.Name
		}
		return ""
	})
	if err := relocateVM(context.Background(), c, vm.Self, types.VirtualMachineRelocateSpec{Host: &to.Self, Pool: &pool.Self}); err != nil {
		t.Fatal(err)
	}
	await(t, c, "cluster-a", host, "the moved VM gone from cluster-a", func(f figures) bool {
		return f.sum.UsageSummary.TotalVmCount == before.sum.UsageSummary.TotalVmCount-1
	})
	await(t, c, "cluster-b", "esx-b-01.lab.local", "the moved VM in cluster-b", func(f figures) bool {
		return f.sum.UsageSummary.TotalVmCount == bBefore.sum.UsageSummary.TotalVmCount+1 &&
			f.sum.UsageSummary.PoweredOffVmCount == bBefore.sum.UsageSummary.PoweredOffVmCount+1
	})
}

// TestRollUpFollowsAHostFailure: a crashed host stops counting as
// effective, reports no usage, and its VMs' demand leaves the cluster's
// (vCenter no longer knows it). After HA's restarts, which move the VMs
// and so roll up again, every VM is still counted once, powered on as
// before, and the failed host is still not effective. (The restarted VMs'
// own usage cannot show: vcsim gives a VM powered on no figures.)
func TestRollUpFollowsAHostFailure(t *testing.T) {
	s, c := fastHA(t)
	const host = "esx-a-02.lab.local"
	before := figuresOf(t, c, "cluster-a", host)
	if err := s.CrashHost(host); err != nil {
		t.Fatal(err)
	}
	after := await(t, c, "cluster-a", host, "the crashed host no longer effective", func(f figures) bool {
		return f.sum.NumEffectiveHosts == before.sum.NumEffectiveHosts-1
	})
	if after.sum.NumHosts != before.sum.NumHosts || after.sum.EffectiveCpu >= before.sum.EffectiveCpu {
		t.Errorf("after the crash: %d hosts, %d MHz effective; want %d hosts, less than %d MHz", after.sum.NumHosts, after.sum.EffectiveCpu, before.sum.NumHosts, before.sum.EffectiveCpu)
	}
	if after.sum.UsageSummary.CpuDemandMhz >= before.sum.UsageSummary.CpuDemandMhz || after.host.OverallCpuUsage != 0 || after.host.OverallMemoryUsage != 0 {
		t.Errorf("after the crash: cluster demand %d MHz (before %d), %s uses %d MHz and %d MB; want less demand and no usage reported",
			after.sum.UsageSummary.CpuDemandMhz, before.sum.UsageSummary.CpuDemandMhz, host, after.host.OverallCpuUsage, after.host.OverallMemoryUsage)
	}
	waitEvents(t, c, "VmRestartedOnAlternateHostEvent")
	time.Sleep(2 * rollUpSettle) // for the roll-up the restarts' moves cause
	restarted := figuresOf(t, c, "cluster-a", host)
	if u := restarted.sum.UsageSummary; u.TotalVmCount != before.sum.UsageSummary.TotalVmCount ||
		u.PoweredOffVmCount != before.sum.UsageSummary.PoweredOffVmCount || restarted.sum.NumEffectiveHosts != after.sum.NumEffectiveHosts {
		t.Errorf("after the restarts: %d VMs, %d off, %d effective hosts; want %d, %d and %d",
			u.TotalVmCount, u.PoweredOffVmCount, restarted.sum.NumEffectiveHosts,
			before.sum.UsageSummary.TotalVmCount, before.sum.UsageSummary.PoweredOffVmCount, after.sum.NumEffectiveHosts)
	}
}

// TestRollUpReachesWatchers: a watch of the clusters' summary gets the
// roll-up's change.
func TestRollUpReachesWatchers(t *testing.T) {
	_, c, _ := simEnv(t)
	w := watchKind(t, c, "ClusterComputeResource", c.ServiceContent.RootFolder, "summary")
	w.load()
	vm := vmOn(t, c, "esx-b-02.lab.local")
	powerOp(t, c, vm.Self, "off")
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, u := range w.next() {
			for _, ch := range u.ChangeSet {
				if ch.Name == "summary" {
					return
				}
			}
		}
	}
	t.Fatal("no summary update for a cluster after a VM stopped")
}

// TestSettleWaitsForTheRollUp: once Settle returns after a VM stopped,
// its cluster's and host's figures show it on the first read, though the
// roll-up runs half a second after the change.
func TestSettleWaitsForTheRollUp(t *testing.T) {
	s, c, _ := simEnv(t)
	const host = "esx-a-01.lab.local"
	vm := vmOn(t, c, host)
	before := figuresOf(t, c, "cluster-a", host)
	powerOp(t, c, vm.Self, "off")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := s.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	after := figuresOf(t, c, "cluster-a", host)
	if after.sum.UsageSummary.PoweredOffVmCount != before.sum.UsageSummary.PoweredOffVmCount+1 || after.host.OverallCpuUsage >= before.host.OverallCpuUsage {
		t.Errorf("right after Settle: cluster-a %+v, %s %+v; want %s counted powered off and its CPU gone from %d MHz",
			*after.sum.UsageSummary, host, after.host, vm.Name, before.host.OverallCpuUsage)
	}
}
