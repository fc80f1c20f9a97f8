package drill

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vtui/vtui/internal/bmc"
	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/drillkit"
	"github.com/vtui/vtui/vsphere/gate"
)

// undo is what a rollback must undo, as the journal says it: a run keeps
// it as it journals, and `vtui drill rollback` rebuilds it from the file.
type undo struct {
	plan     Plan
	holder   string
	vcenter  *vsphere.Identity // where the drill ran; nil in journals of older vtui
	cluster  *Object           // the lock step was reached: the lock may be held
	baseline *Baseline         // what to restore
	drs      *clusterspec.DRS  // DRS before it was pinned
	method   Method
	injected []Object // the targets, once the injection began
	// injectedAt is when the injection began.
	injectedAt time.Time
	acted      []Object // what a rollback of this drill acted on, or was about to
	ended      bool
}

// apply takes one journal entry.
func (u *undo) apply(e Entry) {
	switch e.Step {
	case StepStart:
		if e.Plan != nil {
			u.plan = *e.Plan
		}
		u.holder, u.vcenter = e.Holder, e.VCenter
	case StepLock:
		u.cluster = e.Cluster
	case StepBaseline:
		u.baseline = e.Baseline
	case StepPinDRS:
		u.drs = e.DRS
	case StepInject:
		u.method, u.injected, u.injectedAt = e.Method, e.Hosts, e.Time
	case StepRollback:
		u.acted = append(u.acted, e.Acts...)
	case StepEnd:
		u.ended = true
	}
}

// changed says the drill got as far as taking its lock, so a rollback
// has something to do.
func (u *undo) changed() bool { return u.cluster != nil }

// restorer carries out a rollback.
type restorer struct {
	c       *vsphere.Client
	u       *undo
	journal *Journal
	exec    Exec
	// password reads the BMC password, for methods through BMCs; bmc is
	// how the rollback reaches them, once it did.
	password BMCPassword
	bmc      *bmcAccess
	step     func(format string, args ...any)
	rb       RollbackReport
	// inv is the inventory as last read; reading 10,000 VMs takes
	// seconds, so steps that change nothing another step reads share it.
	inv *vsphere.Inventory
	// dry says the client's policy is a dry run: the rollback plans,
	// changes nothing and journals nothing.
	dry bool
	// ran is the steps the rollback journaled.
	ran []Step
	// ours holds the IDs of the VMs and hosts the drill affected, and of
	// those whose differences from the baseline it made (see attribute):
	// the only ones it restores.
	ours map[string]bool
}

func (r *restorer) note(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	r.rb.Steps = append(r.rb.Steps, s)
	r.step("rollback: %s", s)
}

func (r *restorer) differ(format string, args ...any) {
	r.rb.Diffs = append(r.rb.Diffs, fmt.Sprintf(format, args...))
}

// restore undoes the drill's changes, in the order that lets each step
// work: once HA has no restart in flight (see settle), the failed hosts
// back; once HA, which may have acted on them until then, has no restart
// in flight either, the hosts out of maintenance mode, the VMs back to
// their hosts and power states, DRS as it was. Changes others made while
// the drill ran are kept and reported (see attribute). Then it compares
// the cluster with the baseline, says what became of the VMs HA
// restarted during the rollback, and releases the lock once nothing of
// the drill's is left to undo: until then the lock stays, and the journal
// lets the rollback run again. In a dry run it says what it would do.
func (r *restorer) restore(ctx context.Context) RollbackReport {
	r.dry = r.c.Policy().DryRun
	r.rb = newRollbackReport("")
	r.rb.DryRun = r.dry
	r.journalStep(StepRollback)
	cluster := vsphere.Ref{Type: "ClusterComputeResource", Value: r.u.cluster.ID}
	if r.u.baseline != nil {
		before := r.settle(ctx, cluster, false)
		r.sortOut(ctx, r.lastInventory(ctx), cluster)
		r.recoverHosts(ctx)
		var during haWait
		if before.early {
			if during = r.settle(ctx, cluster, true); during.acted {
				r.sortOut(ctx, r.lastInventory(ctx), cluster) // what HA did is the drill's
			}
		}
		r.exitMaintenance(ctx)
		r.placeVMs(ctx, cluster)
		r.restoreDRS(ctx, cluster)
		if !r.dry {
			if ours := r.compare(ctx, cluster); during.acted {
				r.putBack(ctx, cluster, ours)
			}
		}
	}
	if len(r.rb.Diffs) > 0 {
		r.note("the drill lock of %s stays held while the drill's changes are not all undone", r.u.cluster.Name)
	} else {
		r.journalStep(StepUnlock)
		r.unlock(ctx, cluster)
	}
	r.rb.OK = !r.dry && len(r.rb.Diffs) == 0
	return r.rb
}

// acting journals, before the rollback acts on them, the objects it is
// about to change that the journal does not already count as the
// drill's (see undo.affected), and counts them so from now on; a dry run
// keeps none. It reports whether the rollback may act: not when the
// journal could not be written, so that a rollback run again knows
// everything this one did.
func (r *restorer) acting(objs []Object) bool {
	affected := r.u.affected()
	objs = slices.DeleteFunc(slices.Clone(objs), func(o Object) bool { return affected[o.ID] })
	if r.dry || len(objs) == 0 {
		return true
	}
	e := Entry{Step: StepRollback, Acts: objs}
	if err := r.journal.Append(e); err != nil {
		r.differ("%v", err)
		return false
	}
	r.u.apply(e)
	return true
}

// journalStep journals a step of the rollback; a dry run keeps none.
func (r *restorer) journalStep(s Step) {
	if r.dry {
		return
	}
	r.ran = append(r.ran, s)
	if err := r.journal.Append(Entry{Step: s}); err != nil {
		r.differ("%v", err)
	}
}

// did tells how an action of the rollback ended: done, it notes what;
// in a dry run, what it would do, or why vCenter would refuse it as the
// cluster is now (a move back to a host the dry run did not recover,
// say); else its failure is a difference. It reports whether the
// rollback may go on as if the action were done.
func (r *restorer) did(res gate.Result, what string) bool {
	switch {
	case done(res):
		r.note("%s", what)
	case res.Status == gate.StatusDryRun:
		r.note("%s", res.Message)
	case r.dry:
		r.note("as the cluster is now, before the steps above: %s", failure(res))
	default:
		r.differ("%s", failure(res))
		return false
	}
	return true
}

// failure says how an action failed, naming it and its object.
func failure(res gate.Result) string {
	if res.Err != nil {
		return res.Err.Error() // an *OpError: "migrate web-01: ..."
	}
	return res.Message
}

// inventory reads the inventory, noting a failure as a difference; nil
// then.
func (r *restorer) inventory(ctx context.Context) *vsphere.Inventory {
	inv, err := r.c.Inventory(ctx)
	if err != nil {
		r.differ("could not read the inventory: %v", err)
		return nil
	}
	r.inv = inv
	return inv
}

// lastInventory is the inventory as last read, read if it was not.
func (r *restorer) lastInventory(ctx context.Context) *vsphere.Inventory {
	if r.inv != nil {
		return r.inv
	}
	return r.inventory(ctx)
}

func hostRef(id string) vsphere.Ref { return vsphere.Ref{Type: "HostSystem", Value: id} }

func vmRef(id string) vsphere.Ref { return vsphere.Ref{Type: "VirtualMachine", Value: id} }

// recoverHosts brings the failed targets back (or, cut off, restores
// their network) and waits for them to be connected.
func (r *restorer) recoverHosts(ctx context.Context) {
	if len(r.u.injected) == 0 || r.u.method == MethodEvacuate {
		return
	}
	inv := r.lastInventory(ctx)
	if inv == nil {
		return
	}
	planner := gate.NewPlanner(inv, nil, nil)
	g := gate.NewGate(r.c)
	for _, h := range r.u.injected {
		cur, ok := planner.Host(hostRef(h.ID))
		if !ok {
			r.differ("host %s: gone from the inventory", h.Name)
			continue
		}
		if cur.ConnectionState == "connected" || !r.acting([]Object{h}) {
			continue
		}
		switch {
		case r.u.method == MethodSimCrash:
			if !r.did(g.Do(ctx, gate.RecoverHost(cur), nil), "recovered "+h.Name) {
				continue
			}
		case r.u.method == MethodSimNetwork:
			if !r.did(g.Do(ctx, gate.RestoreHostNetwork(cur), nil), "restored the network of "+h.Name) {
				continue
			}
		case r.u.method.usesBMC():
			if !r.powerOn(ctx, h) {
				continue
			}
		case r.u.plan.Inject.Recover.IsZero():
			r.differ("host %s: %s; the plan has no recover command: power it on by hand", h.Name, cur.ConnectionState)
			continue
		case r.dry:
			if inv, err := r.u.plan.Inject.Recover.render(h.Name, r.u.plan.Cluster); err != nil {
				r.differ("host %s: the recover command: %v", h.Name, err)
			} else {
				r.note("would run %s", inv)
			}
			continue
		default:
			err := runPlanCommand(ctx, r.exec, "recover", r.u.plan.Inject.Recover, h.Name, r.u.plan.Cluster, r.u.plan.DetectTimeout.D(), r.note)
			if err != nil {
				r.differ("host %s: %v", h.Name, err)
				continue
			}
		}
		if r.dry {
			continue
		}
		if err := drillkit.WaitHostConnected(ctx, r.c, cur.Ref); err != nil {
			r.differ("host %s: %v", h.Name, err)
			continue
		}
		r.note("%s is connected", h.Name)
	}
}

// exitMaintenance takes out of maintenance mode the targets the
// baseline had out of it.
func (r *restorer) exitMaintenance(ctx context.Context) {
	inv := r.lastInventory(ctx)
	if inv == nil {
		return
	}
	planner := gate.NewPlanner(inv, nil, nil)
	g := gate.NewGate(r.c)
	for _, bh := range r.u.baseline.Hosts {
		cur, ok := planner.Host(hostRef(bh.ID))
		if !ok || !r.ours[bh.ID] || bh.Maintenance || !cur.MaintenanceMode || !r.acting([]Object{{ID: bh.ID, Name: bh.Name}}) {
			continue
		}
		r.did(g.Do(ctx, planner.ExitMaintenance(cur.Ref, 0), nil), bh.Name+" exited maintenance mode")
	}
}

// placeVMs migrates the VMs the drill moved back to their baseline
// hosts, then powers on those the baseline had on.
func (r *restorer) placeVMs(ctx context.Context, cluster vsphere.Ref) {
	inv := r.inventory(ctx)
	if inv == nil {
		return
	}
	if r.dry {
		inv = r.hostsRestored(inv)
	}
	planner, err := gate.PlannerFor(ctx, r.c, inv, []vsphere.Ref{cluster}, nil)
	if err != nil {
		r.differ("could not read the cluster's rules: %v", err)
		return
	}
	var moves, starts []gate.Action
	var acts [2][]Object // the VMs of moves and starts
	for _, bv := range r.u.baseline.VMs {
		cur, ok := planner.VM(vmRef(bv.ID))
		if !ok || !r.ours[bv.ID] {
			continue // Compare reports it
		}
		if cur.HostRef.Value != bv.Host.ID {
			spec := gate.MigrateSpec{Host: hostRef(bv.Host.ID)}
			moves = append(moves, planner.Migrate(cur.Ref, spec))
			acts[0] = append(acts[0], Object{ID: bv.ID, Name: bv.Name})
			planner.Moved(cur.Ref, spec)
		}
		if bv.PowerState == "poweredOn" && cur.PowerState != "poweredOn" {
			starts = append(starts, planner.Power(cur.Ref, gate.OpPowerOn))
			acts[1] = append(acts[1], Object{ID: bv.ID, Name: bv.Name})
		}
	}
	g := gate.NewGate(r.c)
	for i, batch := range [][]gate.Action{moves, starts} {
		if r.dry {
			r.plan(batch)
			continue
		}
		if len(batch) == 0 || !r.acting(acts[i]) {
			continue
		}
		sum := g.Run(ctx, batch, gate.RunOptions{})
		for _, res := range sum.Results {
			if res.Status != gate.StatusOK && res.Status != gate.StatusNoop {
				r.did(res, "")
			}
		}
		r.note("%s", sum)
	}
}

// plan notes what a dry run would do with actions, planned against the
// cluster as the steps before would leave it (see hostsRestored). They
// are not sent even as a dry run: vCenter can only check them against
// the cluster as it is now, before those steps.
func (r *restorer) plan(actions []gate.Action) {
	for _, a := range actions {
		if failed := a.Failed(); len(failed) > 0 {
			r.note("would %s, but it would be refused: %s", a, failed[0])
			continue
		}
		r.note("would %s", a)
	}
}

// hostsRestored is inv as a dry run's earlier steps would leave it: the
// drill's hosts connected, and in or out of maintenance mode, as the
// baseline had them.
func (r *restorer) hostsRestored(inv *vsphere.Inventory) *vsphere.Inventory {
	out := *inv
	out.Hosts = slices.Clone(inv.Hosts)
	for i, h := range out.Hosts {
		for _, bh := range r.u.baseline.Hosts {
			if bh.ID == h.Ref.Value && r.ours[bh.ID] {
				out.Hosts[i].ConnectionState, out.Hosts[i].MaintenanceMode = bh.ConnectionState, bh.Maintenance
			}
		}
	}
	return &out
}

// config reads the cluster's configuration with the names of inv (nil
// when reading the inventory failed), noting a failure as a difference;
// cfg is nil then.
func (r *restorer) config(ctx context.Context, inv *vsphere.Inventory, cluster vsphere.Ref) (*vsphere.Inventory, *vsphere.ClusterConfig) {
	if inv == nil {
		return nil, nil
	}
	cfg, err := r.c.ClusterConfig(ctx, inv, cluster)
	if err != nil {
		r.differ("could not read the configuration of %s: %v", r.u.cluster.Name, err)
		return inv, nil
	}
	return inv, cfg
}

// restoreDRS sets DRS automation back to what it was before the drill
// pinned it at manual. If it is no longer manual, someone else changed it
// since: that is theirs, and kept.
func (r *restorer) restoreDRS(ctx context.Context, cluster vsphere.Ref) {
	if r.u.drs == nil {
		return
	}
	_, cfg := r.config(ctx, r.lastInventory(ctx), cluster)
	if cfg == nil || cfg.Spec.DRS.Automation != clusterspec.AutomationManual || r.u.drs.Automation == clusterspec.AutomationManual {
		return
	}
	want := cfg.Spec
	want.DRS.Automation = r.u.drs.Automation
	res := gate.NewGate(r.c).Do(ctx, gate.ReconfigureCluster(cfg, want, false), nil)
	r.did(res, fmt.Sprintf("DRS of %s back to %s", r.u.cluster.Name, r.u.drs.Automation))
}

// sortOut compares the cluster, as inv has it, with the baseline, and
// sorts the differences (see attribute): the outside changes go into the
// report, and the drill's are returned, their objects marked as ours.
func (r *restorer) sortOut(ctx context.Context, inv *vsphere.Inventory, cluster vsphere.Ref) []Diff {
	r.ours = r.u.affected()
	inv, cfg := r.config(ctx, inv, cluster)
	if cfg == nil {
		return nil
	}
	events, err := drillkit.EventsSince(ctx, r.c, cluster, r.u.baseline.Taken)
	if err != nil {
		r.note("could not read the events since the baseline, so who made the changes the drill did not make is unknown: %v", err)
	}
	ours, outside := attribute(r.u, r.u.baseline.Compare(inv, cfg.Spec), events)
	for _, d := range ours {
		r.ours[d.ID] = true
	}
	r.rb.Outside = outside
	return ours
}

// compare checks the cluster against the baseline: what of the drill's
// is left is a difference, and returned; what others changed is kept,
// and said so.
func (r *restorer) compare(ctx context.Context, cluster vsphere.Ref) []Diff {
	ours := r.sortOut(ctx, r.inventory(ctx), cluster)
	for _, d := range ours {
		r.rb.Diffs = append(r.rb.Diffs, d.String())
	}
	switch {
	case len(r.rb.Diffs) > 0:
	case len(r.rb.Outside) > 0:
		r.note("the drill's changes are undone; the cluster differs from the baseline of %s by %s others made during the drill, kept: %s",
			r.u.baseline.Taken.Format(time.RFC3339), format.Count(len(r.rb.Outside), "change"), gate.Summarize(outsideLines(r.rb.Outside), "; "))
	default:
		r.note("the cluster equals the baseline of %s", r.u.baseline.Taken.Format(time.RFC3339))
	}
	return ours
}

// unlock releases the drill lock if this drill holds it.
func (r *restorer) unlock(ctx context.Context, cluster vsphere.Ref) {
	cur, err := drillkit.ReadLock(ctx, r.c, cluster)
	if err != nil {
		r.differ("could not read the drill lock: %v", err)
		return
	}
	if cur.Holder != r.u.holder {
		return
	}
	inv := r.lastInventory(ctx)
	if inv == nil {
		return
	}
	cl := vsphere.Cluster{Ref: cluster, Name: cluster.Value}
	if i := slices.IndexFunc(inv.Clusters, func(c vsphere.Cluster) bool { return c.Ref == cluster }); i >= 0 {
		cl = inv.Clusters[i]
	}
	res := gate.NewGate(r.c).Do(ctx, gate.UnlockCluster(cl, cur, r.u.holder), nil)
	r.did(res, "released the drill lock of "+r.u.cluster.Name)
}

// RollbackOptions tunes RollbackJournal.
type RollbackOptions struct {
	// Exec runs the plan's recover command; nil runs it as Exec's doc says.
	Exec Exec
	// BMCPassword reads the BMC password, for a drill whose method went
	// through the hosts' BMCs.
	BMCPassword BMCPassword
	// OnStep, if set, sees each step.
	OnStep func(string)
	// Confirm, if set, is asked once the journal and the vCenter are
	// checked, before anything changes (not in a dry run); an error stops
	// the rollback with nothing changed.
	Confirm func(ctx context.Context) error
	// Unrecorded lets a journal that names no vCenter (older vtui recorded
	// none) roll back against the client's: the caller made sure another
	// way that the drill ran there. A journal that names its
	// vCenter rolls back against that one only.
	Unrecorded bool
}

// Why RollbackJournal refuses a journal's vCenter; callers treat both as
// bad input.
var (
	ErrOtherVCenter      = errors.New("the drill ran on another vCenter")
	ErrUnrecordedVCenter = errors.New("the journal does not name the drill's vCenter")
)

// RollbackJournal finishes the drill a journal recorded, when its runner
// died or its rollback did not finish: it undoes the drill's changes as
// the run's own rollback would, and appends its steps to the journal. It
// refuses a client connected to another vCenter than the drill's. Only a
// rollback that leaves nothing of the drill's to undo ends the journal,
// so a failed one can run again; a journal whose drill ended is left
// alone. A dry run (the client's policy) says what it would do and
// writes nothing; read-only mode refuses it before anything is sent.
func RollbackJournal(ctx context.Context, c *vsphere.Client, path string, opts RollbackOptions) (RollbackReport, error) {
	entries, err := ReadJournal(ctx, path)
	if err != nil {
		return RollbackReport{}, err
	}
	u := &undo{}
	for _, e := range entries {
		u.apply(e)
	}
	if u.ended {
		return newRollbackReport("the drill ended: nothing to roll back"), nil
	}
	if !u.changed() {
		return newRollbackReport("the drill changed nothing"), nil
	}
	here := c.Identity()
	switch {
	case u.vcenter == nil && !opts.Unrecorded:
		return RollbackReport{}, fmt.Errorf("%w: %s was written by an older vtui, so it cannot be checked against %s; "+
			"if the drill ran there, roll back with --unrecorded-vcenter", ErrUnrecordedVCenter, path, here)
	case u.vcenter != nil && !u.vcenter.Same(here):
		return RollbackReport{}, fmt.Errorf("%w: %s is the journal of a drill on %s, and this is %s; nothing was changed: connect to the drill's vCenter",
			ErrOtherVCenter, path, u.vcenter, here)
	}
	policy := c.Policy()
	if policy.ReadOnly && !policy.DryRun {
		return RollbackReport{}, fmt.Errorf("%w: a rollback changes the cluster, so it was refused before anything was sent, and the journal is as it was; --dry-run shows what it would do", vsphere.ErrReadOnly)
	}
	var j *Journal
	if !policy.DryRun {
		if opts.Confirm != nil {
			if err := opts.Confirm(ctx); err != nil {
				return RollbackReport{}, err
			}
		}
		if j, err = OpenJournal(path); err != nil {
			return RollbackReport{}, err
		}
		defer j.Close()
	}
	step := func(format string, args ...any) {
		if opts.OnStep != nil {
			opts.OnStep(fmt.Sprintf(format, args...))
		}
	}
	r := &restorer{c: c, u: u, journal: j, exec: opts.Exec, password: opts.BMCPassword, step: step}
	rb := r.restore(ctx)
	if !rb.OK {
		return rb, nil // not ended: the rollback can run again
	}
	if err := j.Append(Entry{Step: StepEnd, Note: "rolled back from the journal"}); err != nil {
		return rb, err
	}
	return rb, nil
}

// newRollbackReport starts a report whose lists are empty, not null, in
// JSON. A rollback skipped because there is nothing to do is OK.
func newRollbackReport(skipped string) RollbackReport {
	return RollbackReport{OK: skipped != "", Skipped: skipped, Steps: []string{}, Diffs: []string{}, Outside: []OutsideChange{}}
}

// done says an action did what it was asked, or found it already done.
func done(res gate.Result) bool {
	return res.Status == gate.StatusOK || res.Status == gate.StatusNoop
}

// powerOn powers host on through its BMC, and reports whether it did (a
// dry run says what it would do, and does not). A failure is a
// difference.
func (r *restorer) powerOn(ctx context.Context, h Object) bool {
	if r.bmc == nil {
		a, err := r.bmcAccess(ctx)
		if err != nil {
			r.differ("host %s: %v; power it on by hand", h.Name, err)
			return false
		}
		r.bmc = a
	}
	if r.dry {
		r.note("would power on %s through its BMC (%s at %s)", h.Name, r.u.method, r.bmc.addr[h.Name])
		return false
	}
	if err := r.bmc.setPower(ctx, h.Name, bmc.PowerOn, r.note); err != nil {
		r.differ("host %s: %v%s; power it on by hand", h.Name, err, bmcHint(err, r.u.plan.Inject.BMC))
		return false
	}
	return true
}

// bmcAccess finds the BMCs of the injected hosts as the drill did; in a
// dry run, only where they are, with no credentials read.
func (r *restorer) bmcAccess(ctx context.Context) (*bmcAccess, error) {
	var sim *drillkit.SimInfo
	info, notSim := drillkit.SimulatorInfo(ctx, r.c)
	switch {
	case notSim == nil:
		sim = &info
	case !errors.Is(notSim, drillkit.ErrNotSimulator):
		return nil, notSim
	}
	names := make([]string, len(r.u.injected))
	refs := make([]vsphere.Ref, len(r.u.injected))
	for i, h := range r.u.injected {
		names[i], refs[i] = h.Name, hostRef(h.ID)
	}
	addr, err := bmcAddresses(r.u.plan, names, sim, notSim)
	if err != nil {
		return nil, err
	}
	if r.dry {
		return &bmcAccess{method: r.u.method, addr: addr}, nil
	}
	uuids, err := drillkit.HostUUIDs(ctx, r.c, refs)
	if err != nil {
		return nil, err
	}
	a, err := newBMCAccess(ctx, r.u.plan, addr, sim, r.password)
	if err != nil {
		return nil, err
	}
	for _, h := range r.u.injected {
		a.uuid[h.Name] = uuids[hostRef(h.ID)]
	}
	return a, nil
}
