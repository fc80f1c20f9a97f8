// Package capacity answers vSphere HA's what-if: if these hosts fail,
// which powered-on VMs restart where, which cannot, and why. It is a plain
// function of a cluster's inventory and its HA/DRS configuration, with no
// I/O, so the terminal UI, `vtui cluster capacity` and a drill's preflight
// all ask the same question the same way.
//
// # The model
//
// It places restarts as vSphere HA does (see shared/HA.md), not as a
// vMotion would: there is no vMotion compatibility check, "should" rules
// may be broken, and a VM needs only what a restart needs.
//
//   - Who restarts: the powered-on VMs of the failed hosts, in restart
//     priority order (highest first; within a priority the largest
//     configured memory first: admission.RestartOrder). A VM whose priority is disabled is never
//     restarted and does not count against the verdict.
//   - What a VM needs: what it reserves, as admission control counts it
//     (admission.VM.Need: its reservations, at least 32 MHz of CPU). Its
//     configured memory and CPU demand do not count: HA restarts even
//     when admission control is off and memory is overcommitted, placing
//     by unreserved capacity only (shared/HA.md), and the simulator's HA
//     does the same.
//   - Where it may go: a surviving host that is connected, powered on, not
//     in maintenance mode, sees the VM's datastores and networks, keeps
//     the cluster's mandatory VM-host rules and has the unreserved CPU and
//     memory left. Among those, HA's pick (admission.Place, the function
//     vtui's simulator restarts by): dedicated failover hosts first
//     (admission control hosts:...), then the fewest rules broken ("should"
//     rules, and VM-VM rules, which HA keeps only where it can), then the
//     most unreserved capacity (the smaller of the unreserved shares of
//     CPU and memory), then the name.
//   - Admission control reserves capacity when VMs power on; HA attempts
//     restarts even when it is off, so the what-if always places, and the
//     report says whether the configured policy covers the failures asked.
//     What admission control admits (AdmitPowerOn) and reports (Admission)
//     is package admission's computation, the one vtui's simulator
//     enforces.
//   - With HA disabled, or host monitoring off, nothing is restarted: every
//     protected VM of a failed host is left down, and no failure is
//     tolerated.
//
// Where this differs from vSphere: HA's memory overhead per VM, slot sizes
// and the restart order's readiness conditions are not modelled.
package capacity

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
)

// MaxFailures is the most simultaneous host failures Analyze considers:
// the number of host sets grows as hosts^N.
const MaxFailures = 3

// Input is what the what-if needs about one cluster.
type Input struct {
	// Config is the cluster's HA and DRS configuration.
	Config clusterspec.Config
	// Hosts and VMs are the cluster's own, as the inventory has them.
	Hosts []vsphere.Host
	VMs   []vsphere.VM
	// Reservations are the VMs' CPU and memory reservations
	// (Client.Reservations); a VM missing from it reserves nothing.
	Reservations map[vsphere.Ref]vsphere.Reservation
}

// Report is the answer for every set of Failures hosts. Its JSON field
// names are a stable contract.
type Report struct {
	Cluster  string `json:"cluster" yaml:"cluster"`
	Failures int    `json:"failures" yaml:"failures"`
	// Tolerates is the verdict: every protected VM restarts in every
	// scenario.
	Tolerates bool `json:"tolerates" yaml:"tolerates"`
	// Hosts counts the cluster's hosts, and Usable those that can take a
	// restart before any failure.
	Hosts  int `json:"hosts" yaml:"hosts"`
	Usable int `json:"usable_hosts" yaml:"usable_hosts"`
	// Protected counts the powered-on VMs HA would restart: restart
	// priority not disabled.
	Protected int `json:"protected_vms" yaml:"protected_vms"`
	// AdmissionControl is the configured policy, and Admission says
	// whether it covers Failures host failures.
	AdmissionControl string `json:"admission_control" yaml:"admission_control"`
	Admission        string `json:"admission" yaml:"admission"`
	// Worst is the scenario with the most protected VMs left down (then
	// the least memory left), nil if there are no scenarios.
	Worst *Scenario `json:"worst" yaml:"worst"`
	// Scenarios are every set of Failures hosts, in host-name order.
	Scenarios []Scenario `json:"scenarios" yaml:"scenarios"`
}

// Verdict is the report's one line for scripts and people: "tolerates 1
// host failure: yes".
func (r Report) Verdict() string {
	yes := "no"
	if r.Tolerates {
		yes = "yes"
	}
	return fmt.Sprintf("tolerates %s: %s", hostFailures(r.Failures), yes)
}

// Scenario is what happens when the hosts Failed fail together.
type Scenario struct {
	Failed   []string   `json:"failed" yaml:"failed"`
	Restarts []Restart  `json:"restarts" yaml:"restarts"`
	Stranded []Stranded `json:"stranded" yaml:"stranded"`
	// Lost counts the protected VMs in Stranded.
	Lost int `json:"lost" yaml:"lost"`
	// FreeMemoryMB is the memory the surviving hosts have unreserved
	// after the restarts.
	FreeMemoryMB int64 `json:"free_memory_mb" yaml:"free_memory_mb"`
}

// Restart is a VM restarted on another host.
type Restart struct {
	VM       string                      `json:"vm" yaml:"vm"`
	From     string                      `json:"from" yaml:"from"`
	To       string                      `json:"to" yaml:"to"`
	Priority clusterspec.RestartPriority `json:"priority" yaml:"priority"`
	// Warnings name the "should" rules the restart breaks.
	Warnings []string `json:"warnings,omitempty" yaml:"warnings,omitempty"`
}

// Stranded is a powered-on VM of a failed host that would stay down.
type Stranded struct {
	VM       string                      `json:"vm" yaml:"vm"`
	From     string                      `json:"from" yaml:"from"`
	Priority clusterspec.RestartPriority `json:"priority" yaml:"priority"`
	// Protected is false for a VM whose restart priority is disabled:
	// staying down is what it was configured to do.
	Protected bool   `json:"protected" yaml:"protected"`
	Reason    string `json:"reason" yaml:"reason"`
}

// Analyze runs the what-if for every set of failures hosts of the cluster
// (1 ≤ failures ≤ MaxFailures).
func Analyze(in Input, failures int) (Report, error) {
	if failures < 1 || failures > MaxFailures {
		return Report{}, fmt.Errorf("--failures %d: want 1 to %d host failures", failures, MaxFailures)
	}
	m := newModel(in)
	r := Report{
		Cluster:          in.Config.Cluster,
		Failures:         failures,
		Hosts:            len(m.hosts),
		AdmissionControl: in.Config.HA.AdmissionControl.String(),
		Admission:        admissionNote(in.Config.HA.AdmissionControl, failures),
		Scenarios:        []Scenario{},
	}
	for _, h := range m.hosts {
		if h.usable {
			r.Usable++
		}
	}
	for _, v := range m.vms {
		if v.on && v.priority.Rank() < len(clusterspec.RestartOrder()) {
			r.Protected++
		}
	}
	if failures > len(m.hosts) {
		return Report{}, fmt.Errorf("--failures %d: %s has only %d hosts", failures, in.Config.Cluster, len(m.hosts))
	}
	r.Tolerates = true
	combinations(len(m.hosts), failures, func(failed []int) bool {
		s := m.scenario(failed)
		if s.Lost > 0 {
			r.Tolerates = false
		}
		r.Scenarios = append(r.Scenarios, s)
		return true
	})
	if len(r.Scenarios) > 0 {
		worst := slices.MaxFunc(r.Scenarios, func(a, b Scenario) int {
			return cmp.Or(cmp.Compare(a.Lost, b.Lost), cmp.Compare(b.FreeMemoryMB, a.FreeMemoryMB))
		})
		r.Worst = &worst
	}
	return r, nil
}

// Fail is the what-if for one set of hosts, named, failing together: a
// drill's preflight asks it of the hosts it is about to fail.
func Fail(in Input, hosts []string) (Scenario, error) {
	m := newModel(in)
	var idx []int
	for _, name := range hosts {
		i := slices.IndexFunc(m.hosts, func(h host) bool { return h.name == name })
		if i < 0 {
			return Scenario{}, fmt.Errorf("%s has no host named %q", in.Config.Cluster, name)
		}
		if !slices.Contains(idx, i) {
			idx = append(idx, i)
		}
	}
	slices.Sort(idx)
	return m.scenario(idx), nil
}

// admissionNote says whether admission control covers failures.
func admissionNote(ac clusterspec.AdmissionControl, failures int) string {
	switch ac.Mode {
	case clusterspec.AdmissionFailures, clusterspec.AdmissionSlots:
		if ac.Failures >= failures {
			return fmt.Sprintf("admission control reserves capacity for %s", hostFailures(ac.Failures))
		}
		return fmt.Sprintf("admission control reserves capacity for only %s, fewer than %d", hostFailures(ac.Failures), failures)
	case clusterspec.AdmissionPercent:
		return fmt.Sprintf("admission control reserves %d%% CPU and %d%% memory; the scenarios show whether that covers %d host failures",
			ac.CPUPercent, ac.MemoryPercent, failures)
	case clusterspec.AdmissionHosts:
		return fmt.Sprintf("admission control keeps %d dedicated failover hosts (%s) free for restarts", len(ac.Hosts), strings.Join(ac.Hosts, ", "))
	}
	return "admission control is disabled: nothing reserves capacity for restarts"
}

// hostFailures is "1 host failure", "2 host failures".
func hostFailures(n int) string {
	if n == 1 {
		return "1 host failure"
	}
	return fmt.Sprintf("%d host failures", n)
}

// combinations calls fn with every k-subset of 0..n-1, in lexicographic
// order, until fn returns false. fn must not keep the slice.
func combinations(n, k int, fn func([]int) bool) {
	idx := make([]int, k)
	for i := range idx {
		idx[i] = i
	}
	for {
		if !fn(idx) {
			return
		}
		i := k - 1
		for i >= 0 && idx[i] == n-k+i {
			i--
		}
		if i < 0 {
			return
		}
		idx[i]++
		for j := i + 1; j < k; j++ {
			idx[j] = idx[j-1] + 1
		}
	}
}
