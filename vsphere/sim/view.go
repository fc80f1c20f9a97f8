package sim

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/ha/admission"
)

// clusterView is a cluster as the DRS and HA emulation see it when they
// place VMs: each host's capacity and load, each VM's size and needs, and
// the configuration's rules. It is read object by object, each under its
// own lock, and then changed only by the emulation's own plans, so
// placement decisions take no lock.
type clusterView struct {
	ref   types.ManagedObjectReference
	name  string
	cfg   *types.ClusterConfigInfoEx
	hosts []*viewHost
	vms   map[types.ManagedObjectReference]*viewVM
}

// viewHost is a host of the view.
type viewHost struct {
	ref                  types.ManagedObjectReference
	name                 string
	usable               bool  // connected, powered on, not in maintenance
	memMB, usedMB        int64 // capacity, and what powered-on VMs take
	cpuMHz               int64 // capacity
	resCPU, resMem       int64 // what its powered-on VMs reserve, as admission control counts it
	datastores, networks []types.ManagedObjectReference
}

// viewVM is a VM of the view.
type viewVM struct {
	ref                  types.ManagedObjectReference
	name                 string
	host                 types.ManagedObjectReference
	on                   bool
	tools                bool // VMware Tools runs in the guest
	memMB                int64
	cpuResMHz, memResMB  int64 // reservations
	datastores, networks []types.ManagedObjectReference
}

// readCluster reads cl and everything on it.
func readCluster(ctx *simulator.Context, cl *simulator.ClusterComputeResource) *clusterView {
	v := &clusterView{ref: cl.Self, vms: map[types.ManagedObjectReference]*viewVM{}}
	var hosts []types.ManagedObjectReference
	ctx.WithLock(cl, func() {
		v.name = cl.Name
		v.cfg, _ = cl.ConfigurationEx.(*types.ClusterConfigInfoEx)
		hosts = slices.Clone(cl.Host)
	})
	// Hosts and VMs are locked by reference, for the reason rollUp gives.
	for _, ref := range hosts {
		hs, ok := ctx.Map.Get(ref).(*simulator.HostSystem)
		if !ok {
			continue
		}
		h := &viewHost{ref: ref}
		var vms []types.ManagedObjectReference
		ctx.WithLock(ref, func() {
			rt := hs.Runtime
			h.name = hs.Name
			h.usable = rt.ConnectionState == types.HostSystemConnectionStateConnected &&
				rt.PowerState == types.HostSystemPowerStatePoweredOn && !rt.InMaintenanceMode
			h.memMB = hs.Summary.Hardware.MemorySize >> 20
			h.cpuMHz = int64(hs.Summary.Hardware.CpuMhz) * int64(hs.Summary.Hardware.NumCpuCores)
			h.datastores, h.networks = slices.Clone(hs.Datastore), slices.Clone(hs.Network)
			vms = slices.Clone(hs.Vm)
		})
		v.hosts = append(v.hosts, h)
		for _, r := range vms {
			vm, ok := ctx.Map.Get(r).(*simulator.VirtualMachine)
			if !ok {
				continue
			}
			x := &viewVM{ref: r}
			ctx.WithLock(r, func() {
				x.name = vm.Name
				if vm.Runtime.Host != nil {
					x.host = *vm.Runtime.Host
				}
				x.on = vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn
				x.tools = vm.Guest != nil && vm.Guest.ToolsRunningStatus == string(types.VirtualMachineToolsRunningStatusGuestToolsRunning)
				if vm.Config != nil {
					x.memMB = int64(vm.Config.Hardware.MemoryMB)
					x.cpuResMHz, x.memResMB = reservation(vm.Config.CpuAllocation), reservation(vm.Config.MemoryAllocation)
				}
				x.datastores, x.networks = slices.Clone(vm.Datastore), slices.Clone(vm.Network)
			})
			if x.host != ref {
				continue // listed on a host it no longer runs on
			}
			v.vms[r] = x
			if x.on {
				h.add(x, 1)
			}
		}
	}
	slices.SortFunc(v.hosts, func(a, b *viewHost) int { return strings.Compare(a.name, b.name) })
	return v
}

func (v *clusterView) host(ref types.ManagedObjectReference) *viewHost {
	i := slices.IndexFunc(v.hosts, func(h *viewHost) bool { return h.ref == ref })
	if i < 0 {
		return nil
	}
	return v.hosts[i]
}

// drsEnabled reports whether DRS is on, and its automation level.
func (v *clusterView) drs() (bool, types.DrsBehavior) {
	if v.cfg == nil || v.cfg.DrsConfig.Enabled == nil || !*v.cfg.DrsConfig.Enabled {
		return false, ""
	}
	return true, cmp.Or(v.cfg.DrsConfig.DefaultVmBehavior, types.DrsBehaviorFullyAutomated)
}

// group returns the members of the named group of the configuration.
func (v *clusterView) group(name string) []types.ManagedObjectReference {
	for _, g := range v.cfg.Group {
		switch g := g.(type) {
		case *types.ClusterVmGroup:
			if g.Name == name {
				return g.Vm
			}
		case *types.ClusterHostGroup:
			if g.Name == name {
				return g.Host
			}
		}
	}
	return nil
}

// violation is a rule a placement breaks.
type violation struct {
	rule      string
	mandatory bool
	vmVM      bool // a VM-VM rule (affinity or anti-affinity)
	why       string
}

// breaks lists the enabled rules that running vm on h would break.
// Anti-affinity between VMs counts as mandatory: DRS does not break it to
// place a VM, and HA keeps it where it can. An affinity rule is broken by
// a powered-on member elsewhere on a usable host: one on a failed host,
// waiting for its own restart, pins nothing.
func (v *clusterView) breaks(vm *viewVM, h *viewHost) []violation {
	var out []violation
	if v.cfg == nil {
		return nil
	}
	for _, r := range v.cfg.Rule {
		info := r.GetClusterRuleInfo()
		if info.Enabled == nil || !*info.Enabled {
			continue
		}
		mandatory := info.Mandatory != nil && *info.Mandatory
		switch r := r.(type) {
		case *types.ClusterAntiAffinityRuleSpec:
			if !slices.Contains(r.Vm, vm.ref) {
				continue
			}
			for _, o := range r.Vm {
				if x := v.vms[o]; x != nil && o != vm.ref && x.on && x.host == h.ref {
					out = append(out, violation{info.Name, true, true, fmt.Sprintf("rule %s keeps it apart from %s, which runs on %s", info.Name, x.name, h.name)})
				}
			}
		case *types.ClusterAffinityRuleSpec:
			if !slices.Contains(r.Vm, vm.ref) {
				continue
			}
			for _, o := range r.Vm {
				if x := v.vms[o]; x != nil && o != vm.ref && x.on && x.host != h.ref && v.host(x.host).usable {
					out = append(out, violation{info.Name, mandatory, true, fmt.Sprintf("rule %s keeps it with %s", info.Name, x.name)})
					break
				}
			}
		case *types.ClusterVmHostRuleInfo:
			if !slices.Contains(v.group(r.VmGroupName), vm.ref) {
				continue
			}
			if g := r.AffineHostGroupName; g != "" && !slices.Contains(v.group(g), h.ref) {
				out = append(out, violation{info.Name, mandatory, false, fmt.Sprintf("rule %s keeps it on the hosts of group %s", info.Name, g)})
			}
			if g := r.AntiAffineHostGroupName; g != "" && slices.Contains(v.group(g), h.ref) {
				out = append(out, violation{info.Name, mandatory, false, fmt.Sprintf("rule %s keeps it off the hosts of group %s", info.Name, g)})
			}
		}
	}
	return out
}

// refusal says why h cannot take vm, or "" if it can: it must be usable,
// see the VM's datastores and networks, and break no mandatory rule;
// unless for HA (ha), it must also have the VM's configured memory free
// and not be a dedicated failover host admission control keeps free. DRS keeps
// anti-affinity as if mandatory; HA keeps VM-VM rules only where it can,
// so for it they never refuse, and it counts reservations, not
// configured memory (ha/admission's Place says why).
func (v *clusterView) refusal(vm *viewVM, h *viewHost, ha bool) string {
	switch {
	case !h.usable:
		return h.name + " cannot run VMs now"
	case !ha && v.failoverHost(h):
		return h.name + " is a dedicated failover host, which HA admission control keeps free"
	case !subset(vm.datastores, h.datastores):
		return h.name + " does not see its datastores"
	case !subset(vm.networks, h.networks):
		return h.name + " lacks its networks"
	case !ha && h.memMB-h.usedMB < vm.memMB:
		return fmt.Sprintf("%s has %d MB free and it needs %d MB", h.name, max(h.memMB-h.usedMB, 0), vm.memMB)
	}
	for _, b := range v.breaks(vm, h) {
		if b.mandatory && !(ha && b.vmVM) {
			return h.name + ": " + b.why
		}
	}
	return ""
}

func subset(a, b []types.ManagedObjectReference) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// best picks the host for vm, other than those of skip: the one that can
// take it, breaks the fewest "should" rules, and has the most memory
// free, then by name. It returns nil and why no host can.
func (v *clusterView) best(vm *viewVM, skip func(*viewHost) bool) (*viewHost, string) {
	var best *viewHost
	bestBreaks := 0
	var why []string
	for _, h := range v.hosts {
		if h.ref == vm.host || skip(h) {
			continue
		}
		if r := v.refusal(vm, h, false); r != "" {
			why = append(why, r)
			continue
		}
		n := len(v.breaks(vm, h))
		if best == nil || n < bestBreaks || (n == bestBreaks && h.memMB-h.usedMB > best.memMB-best.usedMB) {
			best, bestBreaks = h, n
		}
	}
	if best == nil {
		if len(why) == 0 {
			return nil, "no other host"
		}
		return nil, strings.Join(why, "; ")
	}
	return best, ""
}

// move records that vm now runs on h.
func (v *clusterView) move(vm *viewVM, h *viewHost) {
	if from := v.host(vm.host); from != nil && vm.on {
		from.add(vm, -1)
	}
	vm.host = h.ref
	if vm.on {
		h.add(vm, 1)
	}
}

// add counts the powered-on vm on h (sign 1), or no longer (-1): its
// memory and what it reserves.
func (h *viewHost) add(vm *viewVM, sign int64) {
	cpu, mem := vm.need()
	h.usedMB += sign * vm.memMB
	h.resCPU += sign * cpu
	h.resMem += sign * mem
}

// need is what vm reserves on the host it runs on, as admission control
// counts it (ha/admission).
func (vm *viewVM) need() (cpu, mem int64) {
	return admission.VM{CPUMHz: vm.cpuResMHz, MemoryMB: vm.memResMB}.Need()
}

// on returns the powered-on VMs of host h, largest first, then by name.
func (v *clusterView) on(h *viewHost) []*viewVM {
	var out []*viewVM
	for _, vm := range v.vms {
		if vm.on && vm.host == h.ref {
			out = append(out, vm)
		}
	}
	slices.SortFunc(out, func(a, b *viewVM) int { return cmp.Or(cmp.Compare(b.memMB, a.memMB), strings.Compare(a.name, b.name)) })
	return out
}
