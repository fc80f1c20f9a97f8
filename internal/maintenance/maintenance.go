package maintenance

import (
	"context"
	"slices"
	"time"

	"github.com/vtui/vtui/ha/placement"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
)

// Evacuate says who may empty the hosts of PlanEnter.
type Evacuate int

const (
	// EvacuateIfNeeded leaves it to DRS where placement.DRSEvacuates says
	// DRS does it, and has vtui move the VMs elsewhere (the TUI's M).
	EvacuateIfNeeded Evacuate = iota
	// EvacuateAlways has vtui move the VMs first, wherever they run
	// (`vtui host maintenance enter --evacuate`).
	EvacuateAlways
	// EvacuateNever moves nothing: vCenter's task waits for DRS to empty
	// the host, and the gate refuses a host that runs powered-on VMs in
	// a cluster without DRS (`vtui host maintenance enter`).
	EvacuateNever
)

// Evacuation says who empties the hosts of a Plan.
type Evacuation int

const (
	// Nobody moves VMs: no host runs powered-on VMs, or the caller said
	// EvacuateNever.
	Nobody Evacuation = iota
	// ByDRS: DRS moves the VMs as each host enters maintenance mode.
	ByDRS
	// ByVtui: the plan migrates the VMs before each host enters it.
	ByVtui
)

// Options tunes PlanEnter and PlanExit.
type Options struct {
	Evacuate Evacuate
	// Timeout bounds each host's maintenance task on the server; 0 means
	// no limit.
	Timeout time.Duration
}

// Plan is a maintenance change to confirm and run.
type Plan struct {
	// Actions are every change of the plan, in order: a host's
	// migrations come before it enters maintenance mode.
	Actions []gate.Action
	// Evacuation says who empties the hosts, and Moving names the
	// powered-on VMs to move, when PlanEnter decided it
	// (EvacuateIfNeeded).
	Evacuation Evacuation
	Moving     []string
	// Run carries the plan out host by host (placement.EnterMaintenance):
	// a host enters maintenance mode only once its migrations succeeded.
	// It is nil when the actions are independent and may run at once.
	Run func(ctx context.Context, g *gate.Gate, opts gate.RunOptions) gate.Summary
}

// Exiting reports whether the TUI's toggle takes hosts out of
// maintenance mode: only when every one of them is in it.
func Exiting(hosts []vsphere.Host) bool {
	return !slices.ContainsFunc(hosts, func(h vsphere.Host) bool { return !h.MaintenanceMode })
}

// Occupied reports whether a host of hosts that is not in maintenance
// mode runs powered-on VMs in inv. Only then does PlanEnter read vCenter.
func Occupied(inv *vsphere.Inventory, hosts []vsphere.Host) bool {
	p := gate.NewPlanner(inv, nil, nil)
	return slices.ContainsFunc(hosts, func(h vsphere.Host) bool { return !h.MaintenanceMode && len(p.PoweredOnVMsOn(h.Ref)) > 0 })
}

// PlanExit plans taking hosts out of maintenance mode; a host not in it
// is a noop.
func PlanExit(inv *vsphere.Inventory, hosts []vsphere.Host, o Options) *Plan {
	p := gate.NewPlanner(inv, nil, nil)
	actions := make([]gate.Action, len(hosts))
	for i, h := range hosts {
		actions[i] = p.ExitMaintenance(h.Ref, o.Timeout)
	}
	return &Plan{Actions: actions}
}

// PlanEnter plans putting hosts into maintenance mode; a host already in
// it is a noop. With EvacuateIfNeeded and no host to empty (Occupied is
// false) it reads nothing from vCenter. Otherwise it reads the rules of
// the hosts' clusters and, for EvacuateIfNeeded, their DRS settings:
// where DRS empties every occupied host (ByDRS) the plan only enters
// maintenance mode; elsewhere (ByVtui, as with EvacuateAlways) vtui moves each
// powered-on VM to the best host of its cluster that is not one of hosts
// (placement.PlanMaintenance), and a VM with nowhere to go fails the
// plan with a *placement.StuckError, so nothing is sent. Read errors are
// returned as they are; the caller names the hosts.
func PlanEnter(ctx context.Context, c *vsphere.Client, inv *vsphere.Inventory, hosts []vsphere.Host, o Options) (*Plan, error) {
	if o.Evacuate == EvacuateIfNeeded && !Occupied(inv, hosts) {
		return enterOnly(gate.NewPlanner(inv, nil, nil), hosts, o), nil
	}
	p, err := gate.PlannerFor(ctx, c, inv, refsOf(hosts), nil)
	if err != nil {
		return nil, err
	}
	plan := &Plan{}
	if o.Evacuate == EvacuateAlways {
		plan.Evacuation = ByVtui
	}
	if o.Evacuate == EvacuateIfNeeded {
		moving, byDRS, err := whoEvacuates(ctx, c, inv, p, hosts)
		if err != nil {
			return nil, err
		}
		if byDRS {
			plan = enterOnly(p, hosts, o)
			plan.Evacuation, plan.Moving = ByDRS, moving
			return plan, nil
		}
		plan.Evacuation, plan.Moving = ByVtui, moving
	}
	mp, err := placement.PlanMaintenance(p, refsOf(hosts), plan.Evacuation == ByVtui, o.Timeout)
	if err != nil {
		return nil, err
	}
	for _, step := range mp.Steps {
		plan.Actions = append(append(plan.Actions, step.Evacuate...), step.Enter)
	}
	plan.Run = func(ctx context.Context, g *gate.Gate, opts gate.RunOptions) gate.Summary {
		return placement.EnterMaintenance(ctx, g, mp, opts)
	}
	return plan, nil
}

// enterOnly plans entering maintenance mode on each host, at once.
func enterOnly(p *gate.Planner, hosts []vsphere.Host, o Options) *Plan {
	actions := make([]gate.Action, len(hosts))
	for i, h := range hosts {
		actions[i] = p.EnterMaintenance(h.Ref, o.Timeout)
	}
	return &Plan{Actions: actions}
}

// whoEvacuates returns the powered-on VMs on the hosts not in
// maintenance mode, and whether DRS moves them all: whether
// placement.DRSEvacuates holds in the cluster of every host that runs
// them.
func whoEvacuates(ctx context.Context, c *vsphere.Client, inv *vsphere.Inventory, p *gate.Planner, hosts []vsphere.Host) (moving []string, byDRS bool, err error) {
	byDRS = true
	for _, h := range hosts {
		on := p.PoweredOnVMsOn(h.Ref)
		if h.MaintenanceMode || len(on) == 0 {
			continue
		}
		for _, v := range on {
			moving = append(moving, v.Name)
		}
		if byDRS {
			if byDRS, err = drsEvacuates(ctx, c, inv, h.ClusterRef); err != nil {
				return nil, false, err
			}
		}
	}
	return moving, byDRS, nil
}

// drsEvacuates reads whether DRS empties the cluster's hosts; a host
// outside a cluster, or in one without DRS, is not read.
func drsEvacuates(ctx context.Context, c *vsphere.Client, inv *vsphere.Inventory, cluster vsphere.Ref) (bool, error) {
	if cluster.IsZero() || !slices.ContainsFunc(inv.Clusters, func(cl vsphere.Cluster) bool { return cl.Ref == cluster && cl.DRSEnabled }) {
		return false, nil
	}
	cfg, err := c.ClusterConfig(ctx, inv, cluster)
	if err != nil {
		return false, err
	}
	return placement.DRSEvacuates(cfg.Spec.DRS, false), nil
}

// refsOf returns the hosts' references.
func refsOf(hosts []vsphere.Host) []vsphere.Ref {
	refs := make([]vsphere.Ref, len(hosts))
	for i, h := range hosts {
		refs[i] = h.Ref
	}
	return refs
}
