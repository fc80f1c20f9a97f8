package drill

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/drillkit"
	"github.com/vtui/vtui/vsphere/gate"
)

// settle waits until HA has no restart in flight for the VMs of the
// failed targets, before the rollback restores their placement: else a
// restart still booting would move a VM after the rollback moved it back.
// It waits for the VMs HA restarts (those the baseline had powered on on
// a target, whose restart priority is not disabled, in a cluster whose HA
// watches its hosts; in an isolation, those its isolation response
// stops; in a partition, none), until each runs on a connected host, or
// HA restarted it since the injection (someone may have stopped it
// since), or HA gave up on it with no retry pending (refused
// das.maxvmrestartcount times since the injection), or the plan's
// timeout since the injection passed: then it warns, and the rollback
// goes on. It reads what a real vCenter shows: the VMs' power state and
// host, the hosts' connection state, VmRestartedOnAlternateHostEvent and
// NotEnoughResourcesToStartVmEvent; it never polls. An evacuation, or a
// dry run, waits for nothing.
//
// Before the recovery (recovered false), neither does a drill whose
// targets HA has not yet declared failed or isolated: the recovery may
// come first and pre-empt the restarts (a drill interrupted before
// detection rolls back at once). But HA may still act before the
// recovery brings the targets back, and settle says so (haWait.early):
// the rollback then calls it again once they are back (recovered true),
// when HA acts no more. If HA acted meanwhile, settle says so in the
// report and the journal, and waits for its restarts; else it waits for
// nothing.
func (r *restorer) settle(ctx context.Context, cluster vsphere.Ref, recovered bool) haWait {
	if r.dry || len(r.u.injected) == 0 || r.u.method == MethodEvacuate {
		return haWait{}
	}
	inv, cfg := r.config(ctx, r.inventory(ctx), cluster)
	if cfg == nil {
		return haWait{}
	}
	await := r.restarting(inv, cfg.Spec)
	if len(await) == 0 {
		return haWait{}
	}
	deadline := r.u.injectedAt.Add(r.u.plan.Timeout.D())
	w := &settling{await: await, refused: map[string]map[int32]bool{}, restarted: map[vsphere.Ref]bool{}, max: maxRestarts(cfg),
		power: map[vsphere.Ref]string{}, host: map[vsphere.Ref]string{}, conn: map[vsphere.Ref]string{}}
	var hosts []vsphere.Ref
	for _, h := range r.u.baseline.Hosts {
		hosts = append(hosts, hostRef(h.ID))
	}
	octx, stop := context.WithCancel(ctx)
	defer stop()
	obs, err := drillkit.Observe(octx, r.c, cluster, w.refs(), hosts)
	if err == nil {
		// The attempts HA made before the observer started; it sees the
		// later ones, and the last second's again (EventKey tells).
		var past []vsphere.Event
		past, err = drillkit.EventsSince(ctx, r.c, cluster, r.u.injectedAt)
		for _, e := range past {
			w.event(e.Type, e.ObjectRef, e.Key)
		}
		i := slices.IndexFunc(past, haActed)
		switch {
		case err != nil:
		case i < 0:
			// HA has acted on nothing: there is nothing in flight to wait
			// for. Before the recovery, HA may act still.
			return haWait{early: !recovered}
		case recovered:
			r.record("HA acted on the drill's failure during the rollback: after the rollback's first check found it not acting, and before the recovery brought %s back (%s at %s); "+
				"the rollback waits for HA's restarts, then restores the placement HA left",
				objectNames(r.u.injected), past[i].Type, past[i].Time.UTC().Format(time.RFC3339))
		}
	}
	if err != nil {
		r.warn("could not follow HA's restarts before restoring, so a restart still in flight may move a VM after the rollback: %v", err)
		return haWait{}
	}
	r.inv = nil // the rollback reads the cluster again, as HA left it
	start, seen, restarting := time.Now(), 0, false
	for !w.ready(len(hosts)) || !w.settled() {
		// Once every state has arrived, only a restart in flight keeps
		// the wait going: only that is worth a note, not the time the
		// first states took to come.
		restarting = restarting || w.ready(len(hosts))
		// The objects' first state comes at once: a deadline passed
		// leaves it time to.
		limit := deadline
		if !w.ready(len(hosts)) {
			limit = later(limit, start.Add(10*time.Second))
		}
		wctx, cancel := context.WithDeadline(ctx, limit)
		next, err := obs.Next(wctx, seen)
		cancel()
		if err != nil {
			why := "the wait for them ended: " + err.Error()
			if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
				why = fmt.Sprintf("the plan's timeout %s since the injection passed", r.u.plan.Timeout)
			}
			r.warn("HA was still restarting %s when the rollback restored the cluster (%s), so HA may move them after it: %s",
				format.Count(len(w.unsettled()), "VM"), why, gate.Summarize(w.unsettled(), ", "))
			return haWait{acted: true}
		}
		seen += len(next)
		for _, ob := range next {
			w.apply(ob)
		}
	}
	if restarting {
		r.note("waited %.1fs for HA to finish restarting %s", time.Since(start).Seconds(), format.Count(len(await), "VM"))
	}
	return haWait{acted: true}
}

// haWait is what settle found of HA's action on the drill's failure.
type haWait struct {
	// early says HA had not acted yet, before the recovery: it may still.
	early bool
	// acted says HA had acted, and settle waited for its restarts.
	acted bool
}

// putBack says, once the rollback compared the cluster with the
// baseline and found ours of the drill's differences left, what became
// of the drill's VMs HA restarted during the rollback (see settle): put
// back, or not all. HA had restarted none when the rollback began, so it
// counts HA's restarts since the injection, from vCenter's events.
func (r *restorer) putBack(ctx context.Context, cluster vsphere.Ref, ours []Diff) {
	events, err := drillkit.EventsSince(ctx, r.c, cluster, r.u.injectedAt)
	if err != nil {
		r.warn("could not read which VMs HA restarted during the rollback: %v", err)
		return
	}
	left := map[string]bool{}
	for _, d := range ours {
		left[d.ID] = left[d.ID] || d.Kind == "vm"
	}
	seen := map[string]bool{}
	var names, notBack []string
	for _, e := range events {
		if e.Type != "VmRestartedOnAlternateHostEvent" || seen[e.ObjectRef.Value] || !r.ours[e.ObjectRef.Value] {
			continue
		}
		seen[e.ObjectRef.Value] = true
		names = append(names, e.Object)
		if left[e.ObjectRef.Value] {
			notBack = append(notBack, e.Object)
		}
	}
	if len(names) == 0 {
		return
	}
	slices.Sort(names)
	slices.Sort(notBack)
	what := fmt.Sprintf("HA restarted %s elsewhere during the rollback (%s)", format.Count(len(names), "VM"), gate.Summarize(names, ", "))
	if len(notBack) == 0 {
		r.record("%s; the rollback put them back", what)
		return
	}
	r.record("%s; the rollback did not put back %s: see its differences", what, gate.Summarize(notBack, ", "))
}

// objectNames joins the names of objs.
func objectNames(objs []Object) string {
	names := make([]string, len(objs))
	for i, o := range objs {
		names[i] = o.Name
	}
	return strings.Join(names, ", ")
}

// haActed says e shows HA acting on the drill's failure: a host declared
// failed or isolated, or a restart made or refused.
func haActed(e vsphere.Event) bool {
	switch e.Type {
	case "DasHostFailedEvent", "DasHostIsolatedEvent", "VmRestartedOnAlternateHostEvent", "NotEnoughResourcesToStartVmEvent":
		return true
	}
	return false
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// restarting returns the VMs of the baseline HA restarts after the
// drill's injection, as inv has them (one gone is left out), for a
// cluster configured as cfg.
func (r *restorer) restarting(inv *vsphere.Inventory, cfg clusterspec.Config) map[vsphere.Ref]string {
	if !cfg.HA.Enabled || !cfg.HA.HostMonitoring || r.u.plan.Scenario == ScenarioPartition {
		return nil // no FDM agent declares a host failed; a partition's VMs run on
	}
	failed := map[string]bool{}
	for _, h := range r.u.injected {
		failed[h.ID] = true
	}
	exists := byID(inv.VMs, func(v vsphere.VM) vsphere.Ref { return v.Ref })
	out := map[vsphere.Ref]string{}
	for _, bv := range r.u.baseline.VMs {
		_, ok := exists[bv.ID]
		if !ok || !failed[bv.Host.ID] || bv.PowerState != "poweredOn" || cfg.EffectiveRestartPriority(bv.Name) == clusterspec.RestartDisabled {
			continue
		}
		if stops, _ := isolationResponse(cfg, bv.Name); stops || r.u.plan.Scenario != ScenarioIsolation {
			out[vmRef(bv.ID)] = bv.Name
		}
	}
	return out
}

// record notes what the rollback found, as note does, and journals it
// on a rollback entry (not in a dry run, which journals nothing): what
// HA did during the rollback belongs to the drill's record.
func (r *restorer) record(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	r.note("%s", s)
	if r.dry {
		return
	}
	if err := r.journal.Append(Entry{Step: StepRollback, Note: s}); err != nil {
		r.differ("%v", err)
	}
}

// warn notes a warning of the rollback.
func (r *restorer) warn(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	r.rb.Warnings = append(r.rb.Warnings, s)
	r.step("rollback: %s", s)
}

// settling is what settle has seen of the VMs it waits for and of the
// cluster's hosts.
type settling struct {
	await map[vsphere.Ref]string // the VMs, and their names
	max   int                    // das.maxvmrestartcount
	// power, host and conn are the VMs' power state and host, and the
	// hosts' connection state, as last observed.
	power, host, conn map[vsphere.Ref]string
	// refused holds, by VM ID, the keys of HA's failed attempts to
	// restart it since the injection; restarted the VMs HA restarted.
	refused   map[string]map[int32]bool
	restarted map[vsphere.Ref]bool
}

func (w *settling) refs() []vsphere.Ref {
	out := make([]vsphere.Ref, 0, len(w.await))
	for ref := range w.await {
		out = append(out, ref)
	}
	return out
}

// apply takes one observation.
func (w *settling) apply(ob drillkit.Observation) {
	switch {
	case ob.Event != "":
		w.event(ob.Event, ob.Ref, ob.EventKey)
	case ob.Ref.Type == "HostSystem" && ob.Property == "runtime.connectionState":
		w.conn[ob.Ref] = ob.Value
	case ob.Property == "runtime.powerState":
		w.power[ob.Ref] = ob.Value
	case ob.Property == "runtime.host":
		w.host[ob.Ref] = ob.Value
	}
}

// event takes HA's restarts, and counts its failed attempts, once each.
func (w *settling) event(kind string, ref vsphere.Ref, key int32) {
	if w.await[ref] == "" {
		return
	}
	if kind == "VmRestartedOnAlternateHostEvent" {
		w.restarted[ref] = true
	}
	if kind != "NotEnoughResourcesToStartVmEvent" {
		return
	}
	if w.refused[ref.Value] == nil {
		w.refused[ref.Value] = map[int32]bool{}
	}
	w.refused[ref.Value][key] = true
}

// ready says every VM's and host's state has arrived.
func (w *settling) ready(hosts int) bool {
	return len(w.conn) == hosts && len(w.power) == len(w.await) && len(w.host) == len(w.await)
}

// settled says no VM waited for is still being restarted.
func (w *settling) settled() bool { return len(w.unsettled()) == 0 }

// unsettled names the VMs HA may still restart: neither powered on on a
// connected host (a restart moves the VM there powered off, and powers
// it on once it booted), nor restarted, nor given up.
func (w *settling) unsettled() []string {
	var out []string
	for ref, name := range w.await {
		running := w.power[ref] == "poweredOn" && w.conn[vsphere.Ref{Type: "HostSystem", Value: w.host[ref]}] == "connected"
		if !running && !w.restarted[ref] && len(w.refused[ref.Value]) < w.max {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}
