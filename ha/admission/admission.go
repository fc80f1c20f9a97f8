// Package admission is vSphere HA admission control as vCenter enforces
// it: whether a power-on, a vMotion or a host entering maintenance mode
// keeps the failover capacity the cluster's policy reserves, and the
// figures vCenter reports of it (the cluster summary's
// admissionControlInfo and currentFailoverLevel). It is a plain function
// of a cluster's hosts, powered-on VMs and policy, with no I/O and no
// vSphere types, so that vtui's simulator, which enforces it, and the
// capacity what-if and the drill preflight, which predict it, compute the
// same thing the same way.
//
// # The computation
//
// Admission control acts only while HA and admission control are both
// enabled. A powered-on VM requires its CPU reservation, at least 32 MHz
// (vSphere's das.vmcpuminmhz), and its memory reservation; vSphere adds
// the VM's memory overhead, which is not modelled. The cluster's resources
// are those of its usable hosts (connected, powered on, not in
// maintenance mode), their whole CPU and memory.
//
//   - Host failures tolerated, by cluster resource percentage (vSphere
//     6.5's default, "failures:N"): the percentages reserved are computed
//     from N, as vSphere's auto-computed ones are: the N largest usable
//     hosts' share of the cluster's CPU, and of its memory, rounded up.
//     Then as a reserved percentage.
//   - Reserved percentage ("percent:CPU,MEM"): an operation is admitted
//     when, after it, the CPU and the memory not required by powered-on
//     VMs are each at least the reserved share of the cluster's.
//   - Host failures tolerated, by slots ("slots:N"): a slot is the largest
//     CPU requirement and the largest memory reservation of the powered-on
//     VMs (with no memory reserved, memory does not bound the slots, as
//     the overhead vSphere would count is not modelled); a host holds as
//     many slots as fit in both its CPU and its memory; an operation is admitted when, after it, the N hosts with
//     the most slots can fail and the others still hold a slot for every
//     powered-on VM.
//   - Dedicated failover hosts ("hosts:H1,H2"): no VM may be powered on
//     on, or vMotioned onto, a failover host; nothing else is refused.
//
// HA's own restarts after a failure are never subject to admission
// control: it reserved the capacity for them.
package admission

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/vtui/vtui/vsphere/clusterspec"
)

// MinCPUMHz is the CPU a powered-on VM that reserves less requires
// (vSphere's das.vmcpuminmhz default).
const MinCPUMHz = 32

// Cluster is what admission control knows of a cluster.
type Cluster struct {
	// Name is the cluster's, for messages.
	Name string
	// HA says whether vSphere HA is enabled: without it nothing is
	// enforced, whatever the policy.
	HA     bool
	Policy clusterspec.AdmissionControl
	Hosts  []Host
	// On are the powered-on VMs of the cluster.
	On []VM
}

// Host is a host of the cluster.
type Host struct {
	Name             string
	CPUMHz, MemoryMB int64
	// Usable says whether its resources count: connected, powered on and
	// not in maintenance mode.
	Usable bool
}

// VM is a powered-on VM, or one about to be.
type VM struct {
	Name string
	// Host is the name of the host it runs on.
	Host string
	// CPUMHz and MemoryMB are its reservations.
	CPUMHz, MemoryMB int64
}

// Need is what admission control counts of a VM, and what HA's placement
// reserves for it on a host: its reservations, and
// at least MinCPUMHz of CPU.
func (v VM) Need() (cpu, mem int64) { return max(v.CPUMHz, MinCPUMHz), v.MemoryMB }

// Enforced reports whether admission control refuses anything.
func (c Cluster) Enforced() bool { return c.HA && c.Policy.Enabled() }

// Refusal is why admission control refuses an operation.
type Refusal struct {
	Cluster, Reason string
}

func (r *Refusal) Error() string {
	return fmt.Sprintf("insufficient resources to satisfy the configured failover level for vSphere HA on %s: %s", r.Cluster, r.Reason)
}

func (c Cluster) refuse(format string, args ...any) error {
	return &Refusal{Cluster: c.Name, Reason: fmt.Sprintf(format, args...)}
}

// PowerOn returns a *Refusal if powering on vm on vm.Host, or moving it
// there, running, from another cluster, would break the reservation; nil
// if it is admitted.
func (c Cluster) PowerOn(vm VM) error {
	if !c.Enforced() {
		return nil
	}
	if c.isFailoverHost(vm.Host) {
		return c.refuse("%s is a dedicated failover host, which runs no VMs; power %s on on another host", vm.Host, vm.Name)
	}
	after := c
	after.On = append(slices.Clip(c.On), vm)
	return after.keeps("powering on " + vm.Name)
}

// Migrate returns a *Refusal if moving the powered-on vm, a VM of the
// cluster, to vm.Host within the cluster would break the reservation: a
// move within the cluster changes no totals, so only a dedicated failover
// host refuses it.
func (c Cluster) Migrate(vm VM) error {
	if c.Enforced() && c.isFailoverHost(vm.Host) {
		return c.refuse("%s is a dedicated failover host, which runs no VMs; move %s to another host", vm.Host, vm.Name)
	}
	return nil
}

// Evacuate returns a *Refusal if the host named host leaving the cluster's
// resources (entering maintenance mode), with its VMs moved to the other
// hosts, would break the reservation.
func (c Cluster) Evacuate(host string) error {
	if !c.Enforced() {
		return nil
	}
	after := c
	after.Hosts = slices.Clone(c.Hosts)
	for i := range after.Hosts {
		if after.Hosts[i].Name == host {
			after.Hosts[i].Usable = false
		}
	}
	return after.keeps(host + " entering maintenance mode")
}

// Met returns a *Refusal when c, as it is, lacks the failover capacity its
// policy reserves: its powered-on VMs break the reservation (a host
// failed, or HA's restarts bypassed admission control), or, with
// dedicated failover hosts, one of them cannot run VMs. vCenter then
// posts InsufficientFailoverResourcesEvent, which triggers its alarm
// "Insufficient vSphere HA failover resources". It returns nil when the
// capacity is there or admission control is not enforced.
func (c Cluster) Met() error {
	if !c.Enforced() {
		return nil
	}
	if c.Policy.Mode == clusterspec.AdmissionHosts {
		for _, fh := range c.State().FailoverHosts {
			if !fh.Usable {
				return c.refuse("the dedicated failover host %s cannot run VMs", fh.Name)
			}
		}
	}
	return c.keeps("the powered-on VMs")
}

// keeps returns a *Refusal, naming what, if c breaks its policy's
// reservation.
func (c Cluster) keeps(what string) error {
	switch c.Policy.Mode {
	case clusterspec.AdmissionFailures, clusterspec.AdmissionPercent:
		r := c.resources()
		wantCPU, wantMem := c.reserved(r)
		if r.cpu == 0 || r.mem == 0 {
			return c.refuse("%s: no usable host has resources left", what)
		}
		if (r.cpu-r.needCPU)*100 < int64(wantCPU)*r.cpu {
			return c.refuse("%s would leave %d%% of the CPU for failover, under the %d%% reserved", what, r.left(r.cpu, r.needCPU), wantCPU)
		}
		if (r.mem-r.needMem)*100 < int64(wantMem)*r.mem {
			return c.refuse("%s would leave %d%% of the memory for failover, under the %d%% reserved", what, r.left(r.mem, r.needMem), wantMem)
		}
	case clusterspec.AdmissionSlots:
		if level := c.slotLevel(); level < c.Policy.Failures {
			return c.refuse("%s would leave slots for %d host failures, under the %d tolerated", what, level, c.Policy.Failures)
		}
	}
	return nil
}

// State is what vCenter reports of admission control in a cluster's
// summary.
type State struct {
	// Enforced is Cluster.Enforced.
	Enforced bool
	// Level is the summary's currentFailoverLevel: how many host failures
	// the cluster tolerates now, with the powered-on VMs' requirements met
	// (0 when admission control is not enforced).
	Level int
	// CPUPercent and MemoryPercent are, for the resource policies
	// (failures and percent), the shares of the cluster's CPU and memory
	// not required by powered-on VMs: the admissionControlInfo's
	// currentCpuFailoverResourcesPercent and
	// currentMemoryFailoverResourcesPercent. ReservedCPUPercent and
	// ReservedMemoryPercent are the policy's.
	CPUPercent, MemoryPercent                 int
	ReservedCPUPercent, ReservedMemoryPercent int
	// FailoverHosts are, for the hosts policy, its hosts' status.
	FailoverHosts []FailoverHost
}

// FailoverHost is the status of a dedicated failover host.
type FailoverHost struct {
	Name string
	// Usable is Host.Usable; VMs counts the powered-on VMs it runs.
	Usable bool
	VMs    int
}

// State computes what vCenter reports now.
func (c Cluster) State() State {
	s := State{Enforced: c.Enforced()}
	if !s.Enforced {
		return s
	}
	switch c.Policy.Mode {
	case clusterspec.AdmissionFailures, clusterspec.AdmissionPercent:
		r := c.resources()
		s.ReservedCPUPercent, s.ReservedMemoryPercent = c.reserved(r)
		s.CPUPercent, s.MemoryPercent = r.left(r.cpu, r.needCPU), r.left(r.mem, r.needMem)
		s.Level = c.resourceLevel(r)
	case clusterspec.AdmissionSlots:
		s.Level = max(c.slotLevel(), 0)
	case clusterspec.AdmissionHosts:
		for _, name := range c.Policy.Hosts {
			fh := FailoverHost{Name: name}
			if i := slices.IndexFunc(c.Hosts, func(h Host) bool { return h.Name == name }); i >= 0 {
				fh.Usable = c.Hosts[i].Usable
			}
			for _, v := range c.On {
				if v.Host == name {
					fh.VMs++
				}
			}
			if fh.Usable {
				s.Level++
			}
			s.FailoverHosts = append(s.FailoverHosts, fh)
		}
	}
	return s
}

func (c Cluster) isFailoverHost(name string) bool {
	return c.Policy.Mode == clusterspec.AdmissionHosts && slices.Contains(c.Policy.Hosts, name)
}

// usable returns the usable hosts.
func (c Cluster) usable() []Host {
	return slices.DeleteFunc(slices.Clone(c.Hosts), func(h Host) bool { return !h.Usable })
}

// resources are a cluster's totals: its usable hosts' CPU and memory, and
// what its powered-on VMs require of them.
type resources struct {
	cpu, mem, needCPU, needMem int64
}

func (c Cluster) resources() resources {
	var r resources
	for _, h := range c.usable() {
		r.cpu += h.CPUMHz
		r.mem += h.MemoryMB
	}
	for _, v := range c.On {
		cpu, mem := v.Need()
		r.needCPU += cpu
		r.needMem += mem
	}
	return r
}

// left is the percentage of total not needed, rounded down, within 0..100.
func (resources) left(total, need int64) int {
	if total <= 0 {
		return 0
	}
	return int(min(max((total-need)*100/total, 0), 100))
}

// reserved returns the CPU and memory percentages the policy reserves:
// the configured ones, or for failures:N the N largest usable hosts'
// share, rounded up.
func (c Cluster) reserved(r resources) (cpu, mem int) {
	if c.Policy.Mode == clusterspec.AdmissionPercent {
		return c.Policy.CPUPercent, c.Policy.MemoryPercent
	}
	share := func(total int64, of func(Host) int64) int {
		if total <= 0 {
			return 100
		}
		return int((largest(c.usable(), c.Policy.Failures, of)*100 + total - 1) / total)
	}
	return share(r.cpu, func(h Host) int64 { return h.CPUMHz }), share(r.mem, func(h Host) int64 { return h.MemoryMB })
}

// largest sums of over the n hosts with the most of it.
func largest(hosts []Host, n int, of func(Host) int64) int64 {
	vals := make([]int64, len(hosts))
	for i, h := range hosts {
		vals[i] = of(h)
	}
	slices.SortFunc(vals, func(a, b int64) int { return cmp.Compare(b, a) })
	var sum int64
	for _, v := range vals[:min(n, len(vals))] {
		sum += v
	}
	return sum
}

// resourceLevel is how many of the largest usable hosts can fail with the
// powered-on VMs' requirements still within the rest's CPU and memory;
// at least one host must remain.
func (c Cluster) resourceLevel(r resources) int {
	hosts := c.usable()
	level := 0
	for k := 1; k < len(hosts); k++ {
		cpu := r.cpu - largest(hosts, k, func(h Host) int64 { return h.CPUMHz })
		mem := r.mem - largest(hosts, k, func(h Host) int64 { return h.MemoryMB })
		if cpu < r.needCPU || mem < r.needMem {
			break
		}
		level = k
	}
	return level
}

// slotLevel is how many of the usable hosts with the most slots can fail
// with a slot left for every powered-on VM; at least one host must
// remain.
func (c Cluster) slotLevel() int {
	var slotCPU, slotMem int64
	for _, v := range c.On {
		cpu, mem := v.Need()
		slotCPU, slotMem = max(slotCPU, cpu), max(slotMem, mem)
	}
	hosts := c.usable()
	slots := make([]int64, len(hosts))
	var total int64
	for i, h := range hosts {
		slots[i] = h.CPUMHz / max(slotCPU, MinCPUMHz)
		if slotMem > 0 {
			slots[i] = min(slots[i], h.MemoryMB/slotMem)
		}
		total += slots[i]
	}
	slices.SortFunc(slots, func(a, b int64) int { return cmp.Compare(b, a) })
	level := -1 // the VMs do not fit even with every host up
	for k := 0; k < max(len(hosts), 1); k++ {
		if k > 0 {
			total -= slots[k-1]
		}
		if total < int64(len(c.On)) {
			break
		}
		level = k
	}
	return level
}
