package placement

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
)

// Candidate is one host considered as the target of a VM: the prechecks'
// verdicts for it, and what ranks it.
type Candidate struct {
	Host vsphere.Host
	// Eligible is true when no check failed: vSphere would accept the move.
	Eligible bool
	// Checks are every verdict for the move; see gate.Planner.CheckMigrate.
	Checks []gate.Check
	// FreeMemoryMB and FreeCPUMHz are what the host has left now, counting
	// the moves planned so far.
	FreeMemoryMB int64
	FreeCPUMHz   int64
	// VMs is how many VMs the host runs, counting planned moves.
	VMs int
	// Rank is the host's place among the eligible, from 1 (best); 0 when
	// it is not eligible.
	Rank int
}

// Why explains the verdict for people. An ineligible host gives its
// failed checks' reasons; an eligible one its free capacity, VM count and
// any warnings.
func (c Candidate) Why() string {
	var reasons []string
	for _, ch := range c.Checks {
		if ch.Status == gate.CheckFail || ch.Status == gate.CheckWarn {
			reasons = append(reasons, ch.Reason)
		}
	}
	if !c.Eligible {
		return strings.Join(reasons, "; ")
	}
	why := fmt.Sprintf("%s memory and %s CPU free, %d VMs", format.MB(c.FreeMemoryMB), format.MHz(c.FreeCPUMHz), c.VMs)
	if len(reasons) > 0 {
		why += "; warning: " + strings.Join(reasons, "; ")
	}
	return why
}

// firstFailure returns the first check that failed, or a zero Check.
func (c Candidate) firstFailure() gate.Check {
	if i := slices.IndexFunc(c.Checks, func(ch gate.Check) bool { return ch.Status == gate.CheckFail }); i >= 0 {
		return c.Checks[i]
	}
	return gate.Check{}
}

// warnings counts the checks that passed with a warning.
func (c Candidate) warnings() int {
	n := 0
	for _, ch := range c.Checks {
		if ch.Status == gate.CheckWarn {
			n++
		}
	}
	return n
}

// Rank ranks the hosts vm could move to, with spec's pool and datastore
// (spec.Host is ignored: every host but the VM's own is a candidate).
// Eligibility comes from the planner's prechecks, the same ones a
// migration runs. The eligible come first, best first: fewest warnings
// (a "should" rule kept beats one broken), then most free memory, then
// most free CPU, then fewest VMs, then name. The others follow by name,
// each with its reasons. An unknown VM gives no candidates.
func Rank(p *gate.Planner, vm vsphere.Ref, spec gate.MigrateSpec) []Candidate {
	v, ok := p.VM(vm)
	if !ok {
		return nil
	}
	var out []Candidate
	for _, h := range p.Hosts() {
		if h.Ref == v.HostRef {
			continue
		}
		s := spec
		s.Host = h.Ref
		checks := p.CheckMigrate(vm, s)
		out = append(out, Candidate{
			Host:         h,
			Eligible:     !slices.ContainsFunc(checks, func(c gate.Check) bool { return c.Status == gate.CheckFail }),
			Checks:       checks,
			FreeMemoryMB: h.MemoryMB - h.MemoryUsageMB,
			FreeCPUMHz:   h.CPUMHz - h.CPUUsageMHz,
			VMs:          h.VMCount,
		})
	}
	slices.SortStableFunc(out, func(a, b Candidate) int {
		if a.Eligible != b.Eligible {
			if a.Eligible {
				return -1
			}
			return 1
		}
		if !a.Eligible {
			return cmp.Compare(a.Host.Name, b.Host.Name)
		}
		return cmp.Or(
			cmp.Compare(a.warnings(), b.warnings()),
			cmp.Compare(b.FreeMemoryMB, a.FreeMemoryMB),
			cmp.Compare(b.FreeCPUMHz, a.FreeCPUMHz),
			cmp.Compare(a.VMs, b.VMs),
			cmp.Compare(a.Host.Name, b.Host.Name),
		)
	})
	for i := range out {
		if out[i].Eligible {
			out[i].Rank = i + 1
		}
	}
	return out
}

// Best returns the best-ranked eligible candidate, if any.
func Best(cands []Candidate) (Candidate, bool) {
	if len(cands) > 0 && cands[0].Eligible {
		return cands[0], true
	}
	return Candidate{}, false
}

// MigrateRequest asks to move VMs as Spec says.
type MigrateRequest struct {
	VMs  []vsphere.Ref
	Spec gate.MigrateSpec
	// AutoHost picks each VM's host by Rank, ignoring Spec.Host. Without
	// it a zero Spec.Host keeps each VM on its host (a storage vMotion or
	// a pool change).
	AutoHost bool
}

// PlanMigrations plans req's moves, one action per VM, in order. Each
// planned move is recorded in p before the next is planned, so a batch
// respects the rules among its own VMs and, with AutoHost, spreads by
// capacity. A VM with no eligible host gets an action refused by a failed
// "placement" check that says why each host is out.
func PlanMigrations(p *gate.Planner, req MigrateRequest) []gate.Action {
	out := make([]gate.Action, 0, len(req.VMs))
	for _, vm := range req.VMs {
		a, s := planOne(p, vm, req.Spec, req.AutoHost)
		if len(a.Failed()) == 0 && a.Noop == "" {
			p.Moved(vm, s)
		}
		out = append(out, a)
	}
	return out
}

// planOne plans one migration, choosing the host if auto, and returns the
// action with the spec it uses.
func planOne(p *gate.Planner, vm vsphere.Ref, spec gate.MigrateSpec, auto bool) (gate.Action, gate.MigrateSpec) {
	if !auto {
		return p.Migrate(vm, spec), spec
	}
	cands := Rank(p, vm, spec)
	if best, ok := Best(cands); ok {
		spec.Host = best.Host.Ref
		return p.Migrate(vm, spec), spec
	}
	spec.Host = vsphere.Ref{}
	a := p.Migrate(vm, spec)
	a.Noop, a.Target = "", "auto"
	a.Checks = slices.DeleteFunc(a.Checks, func(c gate.Check) bool { return c.Name == "target" })
	if len(a.Failed()) == 0 {
		a.Checks = append(a.Checks, gate.Check{Name: "placement", Status: gate.CheckFail, Reason: Nowhere(cands)})
	}
	return a, spec
}

// Nowhere says why none of cands can take a VM, grouping the hosts by the
// first check each fails: "no eligible host: host-maintenance: esx-2,
// esx-3 (esx-2 is in maintenance mode); cluster: esx-7 (...)". Hosts of
// other clusters come last: they are rarely the point.
func Nowhere(cands []Candidate) string {
	if len(cands) == 0 {
		return "no other host to move it to"
	}
	// A VM that cannot leave its host has the same reason everywhere.
	if f := cands[0].firstFailure(); f.Name == "source-host" {
		return f.Reason
	}
	type group struct {
		hosts  []string
		reason string
	}
	var order []string
	groups := map[string]*group{}
	for _, c := range cands {
		check := c.firstFailure()
		if check.Name == "" {
			check = gate.Check{Name: "eligibility", Reason: "not eligible"}
		}
		g := groups[check.Name]
		if g == nil {
			g = &group{reason: check.Reason}
			groups[check.Name] = g
			order = append(order, check.Name)
		}
		g.hosts = append(g.hosts, c.Host.Name)
	}
	slices.SortStableFunc(order, func(a, b string) int {
		return cmp.Compare(boolInt(a == "cluster"), boolInt(b == "cluster"))
	})
	const most = 4
	parts := make([]string, 0, len(order))
	for _, name := range order {
		g := groups[name]
		hosts := g.hosts
		if len(hosts) > most {
			hosts = append(slices.Clip(hosts[:most]), fmt.Sprintf("and %d more", len(g.hosts)-most))
		}
		parts = append(parts, fmt.Sprintf("%s: %s (%s)", name, strings.Join(hosts, ", "), g.reason))
	}
	return "no eligible host: " + strings.Join(parts, "; ")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
