package admission

import (
	"cmp"
	"strings"
)

// Where HA restarts a VM
//
// vSphere HA's primary places each VM of a failed host on a compatible
// host (usable, seeing its storage and networks, keeping the mandatory
// VM-host rules) that has the unreserved CPU and memory for what the VM
// reserves (VM.Need). HA attempts restarts even when admission control
// is off, and memory can be overcommitted, so a VM's configured memory
// does not bound where it restarts: only reservations do (vSphere adds
// each VM's memory overhead, which is not modelled). Among the hosts that
// fit, Place prefers dedicated failover hosts, then the fewest rules
// broken ("should" rules, and VM-VM rules, which HA keeps where it can),
// then the most unreserved capacity (Target.Unreserved), then the name.
// vtui's simulator restarts by it, and the capacity what-if predicts by
// it.

// Target is a compatible host HA may restart a VM on, as it stands while
// the restarts are placed.
type Target struct {
	Host
	// Failover says it is a dedicated failover host of the policy.
	Failover bool
	// ReservedCPUMHz and ReservedMemoryMB are what its powered-on VMs,
	// restarts placed on it included, reserve (VM.Need).
	ReservedCPUMHz, ReservedMemoryMB int64
	// Breaks counts the rules the restart would break there.
	Breaks int
}

// Fits reports whether t has the unreserved CPU and memory for vm.
func (t Target) Fits(vm VM) bool {
	cpu, mem := vm.Need()
	return t.CPUMHz-t.ReservedCPUMHz >= cpu && t.MemoryMB-t.ReservedMemoryMB >= mem
}

// Unreserved is the smaller of t's unreserved shares of CPU and of
// memory, in millionths.
func (t Target) Unreserved() int64 {
	share := func(total, res int64) int64 {
		if total <= 0 {
			return 0
		}
		return (total - res) * 1_000_000 / total
	}
	return min(share(t.CPUMHz, t.ReservedCPUMHz), share(t.MemoryMB, t.ReservedMemoryMB))
}

// Place returns the index of the target HA restarts vm on, or -1 when
// none fits.
func Place(vm VM, targets []Target) int {
	best := -1
	for i, t := range targets {
		if !t.Fits(vm) {
			continue
		}
		if best < 0 || better(t, targets[best]) {
			best = i
		}
	}
	return best
}

// better reports whether HA prefers a to b.
func better(a, b Target) bool {
	return cmp.Or(
		cmp.Compare(rank(b.Failover), rank(a.Failover)),
		cmp.Compare(a.Breaks, b.Breaks),
		cmp.Compare(b.Unreserved(), a.Unreserved()),
		strings.Compare(a.Name, b.Name),
	) < 0
}

func rank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Queued is a VM waiting for HA to restart it.
type Queued struct {
	Name string
	// Rank is its restart priority's, 0 for the highest.
	Rank int
	// ConfiguredMB is its configured memory.
	ConfiguredMB int64
}

// RestartOrder orders the VMs HA restarts: by restart priority, highest
// first, then the largest configured memory first, then by name.
func RestartOrder(a, b Queued) int {
	return cmp.Or(cmp.Compare(a.Rank, b.Rank), cmp.Compare(b.ConfiguredMB, a.ConfiguredMB), strings.Compare(a.Name, b.Name))
}
