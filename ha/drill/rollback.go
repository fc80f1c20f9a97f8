package drill

import (
	"context"
	"fmt"
	"time"

	"github.com/vtui/vtui/ha/clusterspec"
	"github.com/vtui/vtui/vsphere"
)

// undo is what a rollback must undo, as the journal says it: a run keeps
// it as it journals, and `vtui drill rollback` rebuilds it from the file.
type undo struct {
	plan     Plan
	holder   string
	cluster  *Object          // the lock step was reached: the lock may be held
	baseline *Baseline        // what to restore
	drs      *clusterspec.DRS // DRS before it was pinned
	method   Method
	injected []Object // the targets, once the injection began
	ended    bool
}

// apply takes one journal entry.
func (u *undo) apply(e Entry) {
	switch e.Step {
	case StepStart:
		if e.Plan != nil {
			u.plan = *e.Plan
		}
		u.holder = e.Holder
	case StepLock:
		u.cluster = e.Cluster
	case StepBaseline:
		u.baseline = e.Baseline
	case StepPinDRS:
		u.drs = e.DRS
	case StepInject:
		u.method, u.injected = e.Method, e.Hosts
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
	step    func(format string, args ...any)
	rb      RollbackReport
	// inv is the inventory as last read; reading 10,000 VMs takes
	// seconds, so steps that change nothing another step reads share it.
	inv *vsphere.Inventory
}

func (r *restorer) note(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	r.rb.Steps = append(r.rb.Steps, s)
	r.step("rollback: %s", s)
}

func (r *restorer) differ(format string, args ...any) {
	r.rb.Diffs = append(r.rb.Diffs, fmt.Sprintf(format, args...))
}

// restore brings the cluster back to the baseline, in the order that
// lets each step work: the failed hosts back, out of maintenance mode,
// the VMs back to their hosts and power states, DRS as it was. Then it
// compares the cluster with the baseline, and releases the lock.
func (r *restorer) restore(ctx context.Context) RollbackReport {
	r.rb = RollbackReport{Steps: []string{}, Diffs: []string{}}
	if err := r.journal.Append(Entry{Step: StepRollback}); err != nil {
		r.differ("%v", err)
	}
	cluster := vsphere.Ref{Type: "ClusterComputeResource", Value: r.u.cluster.ID}
	if r.u.baseline != nil {
		r.recoverHosts(ctx)
		r.exitMaintenance(ctx)
		r.placeVMs(ctx, cluster)
		r.restoreDRS(ctx, cluster)
		r.compare(ctx, cluster)
	}
	if err := r.journal.Append(Entry{Step: StepUnlock}); err != nil {
		r.differ("%v", err)
	}
	r.unlock(ctx, cluster)
	r.rb.OK = len(r.rb.Diffs) == 0
	return r.rb
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

// recoverHosts brings the failed targets back and waits for them to be
// connected.
func (r *restorer) recoverHosts(ctx context.Context) {
	if len(r.u.injected) == 0 || r.u.method == MethodEvacuate {
		return
	}
	inv := r.lastInventory(ctx)
	if inv == nil {
		return
	}
	planner := vsphere.NewPlanner(inv, nil, nil)
	gate := vsphere.NewGate(r.c)
	for _, h := range r.u.injected {
		cur, ok := planner.Host(hostRef(h.ID))
		if !ok {
			r.differ("host %s: gone from the inventory", h.Name)
			continue
		}
		if cur.ConnectionState == "connected" {
			continue
		}
		switch {
		case r.u.method == MethodSimCrash:
			res := gate.Do(ctx, planner.RecoverHost(cur.Ref), nil)
			if !done(res) {
				r.differ("host %s: could not recover it: %s", h.Name, res.Message)
				continue
			}
			r.note("recovered %s", h.Name)
		case r.u.plan.Inject.Recover.IsZero():
			r.differ("host %s: %s; the plan has no recover command: power it on by hand", h.Name, cur.ConnectionState)
			continue
		default:
			err := runPlanCommand(ctx, r.exec, "recover", r.u.plan.Inject.Recover, h.Name, r.u.plan.Cluster, r.u.plan.DetectTimeout.D(), r.note)
			if err != nil {
				r.differ("host %s: %v", h.Name, err)
				continue
			}
		}
		if err := r.c.WaitHostConnected(ctx, cur.Ref); err != nil {
			r.differ("host %s: %v", h.Name, err)
			continue
		}
		r.note("%s is connected", h.Name)
	}
}

// exitMaintenance takes out of maintenance mode the hosts the baseline
// had out of it.
func (r *restorer) exitMaintenance(ctx context.Context) {
	inv := r.lastInventory(ctx)
	if inv == nil {
		return
	}
	planner := vsphere.NewPlanner(inv, nil, nil)
	gate := vsphere.NewGate(r.c)
	for _, bh := range r.u.baseline.Hosts {
		cur, ok := planner.Host(hostRef(bh.ID))
		if !ok || bh.Maintenance || !cur.MaintenanceMode {
			continue
		}
		res := gate.Do(ctx, planner.ExitMaintenance(cur.Ref, 0), nil)
		if !done(res) {
			r.differ("host %s: could not exit maintenance mode: %s", bh.Name, res.Message)
			continue
		}
		r.note("%s exited maintenance mode", bh.Name)
	}
}

// placeVMs migrates every VM back to its baseline host, then powers on
// those the baseline had on.
func (r *restorer) placeVMs(ctx context.Context, cluster vsphere.Ref) {
	inv := r.inventory(ctx)
	if inv == nil {
		return
	}
	planner, err := r.c.Planner(ctx, inv, []vsphere.Ref{cluster}, nil)
	if err != nil {
		r.differ("could not read the cluster's rules: %v", err)
		return
	}
	var moves, starts []vsphere.Action
	for _, bv := range r.u.baseline.VMs {
		cur, ok := planner.VM(vmRef(bv.ID))
		if !ok {
			continue // Compare reports it
		}
		if cur.HostRef.Value != bv.Host.ID {
			spec := vsphere.MigrateSpec{Host: hostRef(bv.Host.ID)}
			moves = append(moves, planner.Migrate(cur.Ref, spec))
			planner.Moved(cur.Ref, spec)
		}
		if bv.PowerState == "poweredOn" && cur.PowerState != "poweredOn" {
			starts = append(starts, planner.Power(cur.Ref, vsphere.OpPowerOn))
		}
	}
	gate := vsphere.NewGate(r.c)
	for _, batch := range [][]vsphere.Action{moves, starts} {
		if len(batch) == 0 {
			continue
		}
		sum := gate.Run(ctx, batch, vsphere.RunOptions{})
		for _, res := range sum.Results {
			if !done(res) {
				r.differ("vm %s: could not %s: %s", res.Object, res.Op, res.Message)
			}
		}
		r.note("%s", sum)
	}
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

// restoreDRS sets DRS back to what it was before the drill pinned it.
func (r *restorer) restoreDRS(ctx context.Context, cluster vsphere.Ref) {
	if r.u.drs == nil {
		return
	}
	inv, cfg := r.config(ctx, r.lastInventory(ctx), cluster)
	if cfg == nil {
		return
	}
	want := cfg.Spec
	want.DRS = *r.u.drs
	if len(clusterspec.Diff(cfg.Spec, want)) == 0 {
		return
	}
	res := vsphere.NewGate(r.c).Do(ctx, vsphere.NewPlanner(inv, nil, nil).ReconfigureCluster(cfg, want, false), nil)
	if !done(res) {
		r.differ("cluster %s: could not restore DRS: %s", r.u.cluster.Name, res.Message)
		return
	}
	r.note("DRS of %s back to %s", r.u.cluster.Name, r.u.drs.Automation)
}

// compare checks the cluster against the baseline.
func (r *restorer) compare(ctx context.Context, cluster vsphere.Ref) {
	inv, cfg := r.config(ctx, r.inventory(ctx), cluster)
	if cfg == nil {
		return
	}
	diffs := r.u.baseline.Compare(inv, cfg.Spec)
	r.rb.Diffs = append(r.rb.Diffs, diffs...)
	if len(diffs) == 0 {
		r.note("the cluster equals the baseline of %s", r.u.baseline.Taken.Format(time.RFC3339))
	}
}

// unlock releases the drill lock if this drill holds it.
func (r *restorer) unlock(ctx context.Context, cluster vsphere.Ref) {
	cur, err := r.c.DrillLock(ctx, cluster)
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
	res := vsphere.NewGate(r.c).Do(ctx, vsphere.NewPlanner(inv, nil, nil).UnlockCluster(cluster, cur, r.u.holder), nil)
	if !done(res) {
		r.differ("cluster %s: the drill lock is still held: %s", r.u.cluster.Name, res.Message)
		return
	}
	r.note("released the drill lock of %s", r.u.cluster.Name)
}

// RollbackJournal finishes the drill a journal recorded, when its runner
// died: it restores the baseline the journal holds, as the run's own
// rollback would, and appends its steps to the journal. A journal whose
// drill ended is left alone. onStep, if set, sees each step.
func RollbackJournal(ctx context.Context, c *vsphere.Client, path string, run Exec, onStep func(string)) (RollbackReport, error) {
	entries, err := ReadJournal(ctx, path)
	if err != nil {
		return RollbackReport{}, err
	}
	u := &undo{}
	for _, e := range entries {
		u.apply(e)
	}
	if u.ended {
		return RollbackReport{OK: true, Skipped: "the drill ended: nothing to roll back", Steps: []string{}, Diffs: []string{}}, nil
	}
	if !u.changed() {
		return RollbackReport{OK: true, Skipped: "the drill changed nothing", Steps: []string{}, Diffs: []string{}}, nil
	}
	j, err := OpenJournal(path)
	if err != nil {
		return RollbackReport{}, err
	}
	defer j.Close()
	step := func(format string, args ...any) {
		if onStep != nil {
			onStep(fmt.Sprintf(format, args...))
		}
	}
	r := &restorer{c: c, u: u, journal: j, exec: run, step: step}
	rb := r.restore(ctx)
	note := "rolled back from the journal"
	if !rb.OK {
		note = "rolled back from the journal, with differences left"
	}
	if err := j.Append(Entry{Step: StepEnd, Note: note}); err != nil {
		return rb, err
	}
	return rb, nil
}

// done says an action did what it was asked, or found it already done.
func done(res vsphere.Result) bool {
	return res.Status == vsphere.StatusOK || res.Status == vsphere.StatusNoop
}
