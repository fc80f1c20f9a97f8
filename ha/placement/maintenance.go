package placement

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/gate"
)

// DRSEvacuates is the one answer to "does DRS empty a host entering
// maintenance mode?": only when DRS is on and fully automated, and the
// caller has not pinned it (a drill that keeps DRS from moving VMs). At
// any lower automation level DRS only recommends the moves, and the
// maintenance task waits for someone to make them; so then vtui must
// evacuate the host itself, or the task waits until its timeout.
func DRSEvacuates(drs clusterspec.DRS, pinned bool) bool {
	return drs.Enabled && drs.Automation == clusterspec.AutomationFull && !pinned
}

// MaintenancePlan is the plan to put hosts into maintenance mode: for each
// host, in order, the migrations that empty it and the change itself.
type MaintenancePlan struct {
	Steps []MaintenanceStep
}

// MaintenanceStep is one host's part of a MaintenancePlan.
type MaintenanceStep struct {
	Host vsphere.Host
	// Evacuate moves each powered-on VM of the host to the best host left;
	// empty without evacuation.
	Evacuate []gate.Action
	// Enter puts the host into maintenance mode once Evacuate succeeded.
	Enter gate.Action
}

// Moves counts the migrations of the plan.
func (m MaintenancePlan) Moves() int {
	n := 0
	for _, s := range m.Steps {
		n += len(s.Evacuate)
	}
	return n
}

// Stuck is a VM that evacuation has nowhere to move.
type Stuck struct {
	VM     string
	Host   string // the host it would have to leave
	Reason string // why each candidate host is out
}

// StuckError refuses an evacuation because some VMs have nowhere to go.
// Nothing was changed.
type StuckError struct {
	Stuck []Stuck
}

func (e *StuckError) Error() string {
	parts := make([]string, len(e.Stuck))
	for i, s := range e.Stuck {
		parts[i] = fmt.Sprintf("%s on %s: %s", s.VM, s.Host, s.Reason)
	}
	return fmt.Sprintf("cannot evacuate, so nothing was changed: %d VMs have nowhere to go: %s; "+
		"free capacity, relax the rules, or power those VMs off first", len(e.Stuck), strings.Join(parts, "; "))
}

// PlanMaintenance plans entering maintenance mode on hosts. With evacuate,
// every powered-on VM of each host is first planned onto the best other
// host by Rank, never onto a host of the request; if any VM has nowhere
// to go it returns a *StuckError listing them all, and nothing should
// run. timeout bounds each host's maintenance task on the server.
func PlanMaintenance(p *gate.Planner, hosts []vsphere.Ref, evacuate bool, timeout time.Duration) (MaintenancePlan, error) {
	if evacuate {
		for _, h := range hosts {
			p.ExpectMaintenance(h)
		}
	}
	var plan MaintenancePlan
	var stuck []Stuck
	for _, ref := range hosts {
		h, _ := p.Host(ref)
		step := MaintenanceStep{Host: h}
		if evacuate {
			for _, v := range p.PoweredOnVMsOn(ref) {
				a, s := planOne(p, v.Ref, gate.MigrateSpec{}, true)
				if failed := a.Failed(); len(failed) > 0 {
					stuck = append(stuck, Stuck{VM: v.Name, Host: h.Name, Reason: failed[0].Reason})
					continue
				}
				p.Moved(v.Ref, s)
				step.Evacuate = append(step.Evacuate, a)
			}
		}
		step.Enter = p.EnterMaintenance(ref, timeout)
		plan.Steps = append(plan.Steps, step)
	}
	if len(stuck) > 0 {
		return plan, &StuckError{Stuck: stuck}
	}
	return plan, nil
}

// EnterMaintenance carries out plan through g, host by host: the host's
// migrations, at most opts.Concurrency at once, then, only if every one of
// them succeeded, entering maintenance mode. It returns the results of
// every action in one summary. Cancelling ctx starts nothing more and
// waits for what runs, as Gate.Run does.
func EnterMaintenance(ctx context.Context, g *gate.Gate, plan MaintenancePlan, opts gate.RunOptions) gate.Summary {
	start := time.Now()
	var all gate.Summary
	for _, step := range plan.Steps {
		moved := g.Run(ctx, step.Evacuate, opts)
		all.Results = append(all.Results, moved.Results...)
		enter := step.Enter
		// Only a move known to be made (or, in a dry run, planned) empties
		// the host: one that ended unknown may not have run, so it holds
		// the host out as a failed or cancelled one does.
		if n := len(moved.Results) - moved.Count(gate.StatusOK) - moved.Count(gate.StatusNoop) - moved.Count(gate.StatusDryRun); n > 0 {
			enter.Checks = append(enter.Checks, gate.Check{Name: "evacuation", Status: gate.CheckFail,
				Reason: fmt.Sprintf("%d of the %d VMs to move off %s are not known to have moved (%s)", n, len(step.Evacuate), step.Host.Name, moved.Tally())})
		}
		all.Results = append(all.Results, g.Run(ctx, []gate.Action{enter}, opts).Results...)
	}
	all.Elapsed = time.Since(start)
	return all
}
