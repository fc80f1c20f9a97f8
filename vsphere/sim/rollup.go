package sim

import (
	"reflect"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/units"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// Usage roll-up
//
// vCenter keeps what host and cluster summaries add up from their VMs
// current: a host's quickStats.overallCpuUsage and overallMemoryUsage
// (reported only while the host is connected), and a cluster's numHosts,
// numEffectiveHosts, totals and usageSummary (VM counts, demand, and
// statsGenNumber, which DRS moves on at each load-balancing pass), and
// what HA admission control reports (currentFailoverLevel and
// admissionControlInfo, admission.go). vcsim sets them once. Here the
// registry's listener (feed.go) marks the roll-up stale when a VM starts, stops, moves, appears or goes or its
// reservations change, a host's state changes, or a cluster's
// configuration does; once changes settle (rollUpSettle) the roll-up
// adds everything up again from the registry and publishes what changed
// with ctx.Update, so watchers see it. The presets' first figures come
// from the same functions (build.go).

// rollUpSettle lets a burst of changes settle before the roll-up. vCenter
// refreshes a cluster's usage summary at DRS's load-balancing passes,
// minutes apart; this is sooner, so that a user sees the counts follow a
// change at once, and seldom enough that a burst of changes costs little:
// one roll-up of the large preset takes 34 to 56 ms (BenchmarkRollUpLarge),
// at most a tenth of a core.
const rollUpSettle = 500 * time.Millisecond

// hypervisorMB is the memory ESXi itself uses on each host.
const hypervisorMB = 3072

// vmLoad is what a host's VMs add up to.
type vmLoad struct {
	cpuMhz, memMB int64 // used by the powered-on VMs (their overallCpuUsage and hostMemoryUsage)
	cpuDemandMhz  int64 // their overallCpuDemand
	vms, vmsOn    int
}

// add counts one VM.
func (l *vmLoad) add(state types.VirtualMachinePowerState, qs types.VirtualMachineQuickStats) {
	l.vms++
	if state == types.VirtualMachinePowerStatePoweredOn {
		l.vmsOn++
		l.cpuMhz += int64(qs.OverallCpuUsage)
		l.cpuDemandMhz += int64(qs.OverallCpuDemand)
		l.memMB += int64(qs.HostMemoryUsage)
	}
}

// hostQuickStats returns the quick stats cur of a host with hardware hw
// carrying l: its VMs' usage plus ESXi's own (1% of the CPU and
// hypervisorMB), within the host's capacity; none while it is not
// connected, as vCenter reports them.
func hostQuickStats(cur types.HostListSummaryQuickStats, hw *types.HostHardwareSummary, l vmLoad, connected bool) types.HostListSummaryQuickStats {
	if !connected {
		cur.OverallCpuUsage, cur.OverallMemoryUsage = 0, 0
		return cur
	}
	capacity := int64(hw.CpuMhz) * int64(hw.NumCpuCores)
	cur.OverallCpuUsage = int32(min(l.cpuMhz+capacity/100, capacity))
	cur.OverallMemoryUsage = int32(min(l.memMB+hypervisorMB, hw.MemorySize/units.MB))
	return cur
}

// clusterHost is what a cluster's summary adds up of one of its hosts.
type clusterHost struct {
	hw        types.HostHardwareSummary
	load      vmLoad
	connected bool // its VMs' usage is known
	effective bool // it can run VMs (see hostInCluster)
}

// hostInCluster returns what h, carrying l, adds to its cluster: it is
// effective when it is connected, powered on (not in standby) and not in
// maintenance mode.
func hostInCluster(h *mo.HostSystem, l vmLoad) clusterHost {
	connected := hostConnected(h)
	return clusterHost{hw: *h.Summary.Hardware, load: l, connected: connected,
		effective: connected && h.Runtime.PowerState == types.HostSystemPowerStatePoweredOn && !h.Runtime.InMaintenanceMode}
}

// hostConnected reports whether vCenter is in touch with h.
func hostConnected(h *mo.HostSystem) bool {
	return h.Runtime.ConnectionState == types.HostSystemConnectionStateConnected
}

// summarize returns the cluster summary cur with what its hosts add up.
// Effective resources are the effective hosts' (vcsim models no
// virtualization overhead); vSphere reports effectiveMemory in MB but
// totalMemory in bytes. The usage summary's demand is its powered-on VMs'
// on connected hosts (the others' is unknown). statsGenNumber and what
// admission control reports are left to the caller.
func summarize(cur types.ClusterComputeResourceSummary, hosts []clusterHost) types.ClusterComputeResourceSummary {
	s := cur
	s.TotalCpu, s.TotalMemory, s.NumCpuCores, s.NumCpuThreads = 0, 0, 0, 0
	s.EffectiveCpu, s.EffectiveMemory = 0, 0
	s.NumHosts, s.NumEffectiveHosts = 0, 0
	var u types.ClusterUsageSummary
	if cur.UsageSummary != nil {
		u.StatsGenNumber = cur.UsageSummary.StatsGenNumber
	}
	var vms, vmsOn int
	for _, h := range hosts {
		cpu := h.hw.CpuMhz * int32(h.hw.NumCpuCores)
		s.TotalCpu += cpu
		s.TotalMemory += h.hw.MemorySize
		s.NumCpuCores += h.hw.NumCpuCores
		s.NumCpuThreads += h.hw.NumCpuThreads
		s.NumHosts++
		if h.effective {
			s.NumEffectiveHosts++
			s.EffectiveCpu += cpu
			s.EffectiveMemory += h.hw.MemorySize / units.MB
		}
		if h.connected {
			u.CpuDemandMhz += int32(h.load.cpuDemandMhz)
			u.MemDemandMB += int32(h.load.memMB)
		}
		vms += h.load.vms
		vmsOn += h.load.vmsOn
	}
	u.TotalCpuCapacityMhz, u.TotalMemCapacityMB = s.EffectiveCpu, int32(s.EffectiveMemory)
	u.CpuEntitledMhz, u.MemEntitledMB = u.CpuDemandMhz, u.MemDemandMB
	u.TotalVmCount, u.PoweredOffVmCount = int32(vms), int32(vms-vmsOn)
	s.UsageSummary = &u
	return s
}

// rollUpStale reports whether changes made to an object of type kind
// change what the roll-up adds up.
func rollUpStale(kind string, changes []types.PropertyChange) bool {
	var paths []string
	switch kind {
	case "VirtualMachine":
		paths = []string{"runtime.powerState", "runtime.host", "summary.quickStats", "config.cpuAllocation", "config.memoryAllocation"}
	case "ClusterComputeResource":
		paths = []string{"configurationEx"}
	case "HostSystem":
		paths = []string{"parent", "runtime.connectionState", "runtime.powerState", "runtime.inMaintenanceMode", "summary.hardware"}
	}
	for _, c := range changes {
		for _, p := range paths {
			if overlaps(c.Name, p) {
				return true
			}
		}
	}
	return false
}

// staleRollUp has the roll-up run once changes settle.
func (vc *vcenter) staleRollUp() {
	vc.settle(&vc.rollUps, rollUpSettle, func() {
		c := *vc.sctx // a context of its own: locks belong to a context
		rollUp(&c)
	})
}

// rollUp adds up every host's and cluster's figures from the registry
// and updates those that changed; a cluster's statsGenNumber counts its
// refreshes.
func rollUp(ctx *simulator.Context) {
	loads := map[types.ManagedObjectReference]vmLoad{}
	// Each object is locked by its reference, not by itself: vcsim finds
	// the lock of an object through reflection (FieldByName("Self")),
	// which allocates, and that of a reference with a map lookup; over
	// every VM of a large inventory, it counts.
	for _, obj := range ctx.Map.All("VirtualMachine") {
		vm := obj.(*simulator.VirtualMachine)
		ctx.WithLock(vm.Self, func() {
			if vm.Runtime.Host != nil {
				l := loads[*vm.Runtime.Host]
				l.add(vm.Runtime.PowerState, vm.Summary.QuickStats)
				loads[*vm.Runtime.Host] = l
			}
		})
	}
	clusters := map[types.ManagedObjectReference][]clusterHost{}
	for _, obj := range ctx.Map.All("HostSystem") {
		h := obj.(*simulator.HostSystem)
		ctx.WithLock(h.Self, func() {
			if h.Summary.Hardware == nil {
				return
			}
			l := loads[h.Self]
			if qs := hostQuickStats(h.Summary.QuickStats, h.Summary.Hardware, l, hostConnected(&h.HostSystem)); qs != h.Summary.QuickStats {
				ctx.Update(h, []types.PropertyChange{{Name: "summary.quickStats", Val: qs}})
			}
			if h.Parent != nil && h.Parent.Type == "ClusterComputeResource" {
				clusters[*h.Parent] = append(clusters[*h.Parent], hostInCluster(&h.HostSystem, l))
			}
		})
	}
	for _, obj := range ctx.Map.All("ClusterComputeResource") {
		cl := obj.(*simulator.ClusterComputeResource)
		v := admissionView(ctx, cl)
		ctx.WithLock(cl, func() {
			cur, ok := cl.Summary.(*types.ClusterComputeResourceSummary)
			if !ok {
				return
			}
			next := summarize(*cur, clusters[cl.Self])
			admissionSummary(&next, v)
			if reflect.DeepEqual(&next, cur) {
				return
			}
			next.UsageSummary.StatsGenNumber++
			ctx.Update(cl, []types.PropertyChange{{Name: "summary", Val: &next}})
		})
	}
}
