package drill

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/vtui/vtui/ha/placement"
	"github.com/vtui/vtui/internal/bmc"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/drillkit"
	"github.com/vtui/vtui/vsphere/gate"
)

// Runner runs one plan against one vCenter, as a state machine whose
// every step is journaled before it acts (see Steps).
type Runner struct {
	Client *vsphere.Client
	Plan   Plan
	// Journal receives each step before it acts; nil keeps none.
	Journal *Journal
	// Holder names this run in the cluster's drill lock; DefaultHolder if
	// empty.
	Holder string
	// Confirm, if set, is asked once the preflight passed and before
	// anything changes; an error stops the drill with nothing changed.
	Confirm func(ctx context.Context, pre *Preflight) error
	// OnMoment sees the timeline as it grows, for a live display. It is
	// called from the goroutine that runs the drill.
	OnMoment func(Moment)
	// BeforeStep, if set, is called before each step (tests interrupt the
	// drill there).
	BeforeStep func(Step)
	// Exec runs the commands of method command; nil runs them as
	// processes of their own (see Command).
	Exec Exec
	// BMCPassword reads the BMC password for methods that go through
	// the hosts' BMCs; nil when the plan needs none (address simulator).
	BMCPassword BMCPassword
}

// DefaultHolder names a run in the drill lock: the plan, the machine and
// the process.
func DefaultHolder(plan Plan) string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s (vtui on %s, pid %d)", plan.Name, host, os.Getpid())
}

// errInterrupted is why a drill stopped on a signal.
var errInterrupted = errors.New("interrupted")

// drill is one run's state.
type drill struct {
	*Runner
	rep   *Report
	track *tracker
	undo  *undo
	gate  *gate.Gate
	pre   *Preflight
	// seen counts the observations taken so far.
	seen int
	// openEnded says the rollback was skipped: the journal gets no end.
	openEnded bool
	// journaled says the journal has the start entry.
	journaled bool
	// inv is the inventory verify read once the VMs were accounted for.
	inv *vsphere.Inventory
	// ran is the steps taken so far, in order.
	ran []Step
}

// Run runs the drill and returns its report; it never returns nil. When
// ctx ends (SIGINT, SIGTERM) it stops injecting, rolls back and reports
// the drill interrupted. The rollback runs on even after ctx ends: only
// its own timeout stops it.
func (r *Runner) Run(ctx context.Context) *Report {
	if r.Holder == "" {
		r.Holder = DefaultHolder(r.Plan)
	}
	d := &drill{Runner: r, gate: gate.NewGate(r.Client), undo: &undo{plan: r.Plan, holder: r.Holder},
		rep: &Report{Plan: r.Plan, Started: time.Now().UTC(), Reasons: []string{}, Preflight: []gate.Check{},
			Timeline: []Moment{}, AlarmsRaised: []RaisedAlarm{}, VMs: []VMResult{}, Targets: []string{}, HA: HAReal, Journal: r.Journal.pathOrEmpty(), Warnings: []string{}, Steps: []StepRun{},
			SchemaVersion: ReportSchema}}
	if r.Plan.SteadyState != nil {
		d.rep.SteadyState = &SteadyStateReport{Before: []gate.Check{}, After: []gate.Check{}}
	}
	d.track = &tracker{onMoment: r.OnMoment}
	err := d.execute(ctx)
	d.conclude(ctx, err)
	return d.rep
}

// step starts a step: it lets a test interrupt, checks for a signal, and
// journals the entry before the step acts.
func (d *drill) step(ctx context.Context, s Step, e Entry) error {
	if d.BeforeStep != nil {
		d.BeforeStep(s)
	}
	if ctx.Err() != nil {
		return errInterrupted
	}
	e.Step, e.Time = s, time.Now().UTC()
	if err := d.Journal.Append(e); err != nil {
		return err
	}
	d.journaled = true
	d.ran = append(d.ran, s)
	d.undo.apply(e)
	return nil
}

// execute takes the steps up to the verdict; the rollback is conclude's.
func (d *drill) execute(ctx context.Context) error {
	plan := d.Plan
	vc := d.Client.Identity()
	d.rep.VCenter = &vc
	prov, err := d.provenance(ctx)
	d.rep.Provenance = prov // what could be read, on an error too
	if err != nil {
		return fmt.Errorf("read the drill's provenance: %w", err)
	}
	if err := d.step(ctx, StepStart, Entry{Plan: &plan, Holder: d.Holder, VCenter: &vc, Provenance: &prov}); err != nil {
		return err
	}
	if err := d.step(ctx, StepPreflight, Entry{}); err != nil {
		return err
	}
	pre, err := d.Preflight(ctx)
	if err != nil {
		return err
	}
	d.pre = pre
	d.rep.Preflight, d.rep.HA, d.rep.Cluster, d.rep.Seed, d.rep.BMCs = pre.Checks, pre.HA, pre.Cluster.Name, pre.Seed, pre.BMCs
	if d.rep.SteadyState != nil && pre.SteadyState != nil {
		d.rep.SteadyState.Before = pre.SteadyState
	}
	for _, h := range pre.Targets {
		d.rep.Targets = append(d.rep.Targets, h.Name)
	}
	d.track = newTracker(pre, d.OnMoment)
	if !pre.OK() {
		return fmt.Errorf("preflight refused the drill, so nothing was injected: %s", pre.Why())
	}
	d.track.step("preflight passed: %d checks", len(pre.Checks))
	if d.Confirm != nil {
		if err := d.Confirm(ctx, pre); err != nil {
			return err
		}
	}
	if err := d.lock(ctx); err != nil {
		return err
	}
	if err := d.step(ctx, StepBaseline, Entry{Baseline: takeBaseline(pre.inv, pre.Cluster.Ref, pre.config.Spec)}); err != nil {
		return err
	}
	d.track.step("baseline: %d VMs on %d hosts", len(d.undo.baseline.VMs), len(d.undo.baseline.Hosts))
	if err := d.pinDRS(ctx); err != nil {
		return err
	}
	if err := d.step(ctx, StepObserve, Entry{}); err != nil {
		return err
	}
	octx, stop := context.WithCancel(ctx)
	defer stop()
	obs, err := d.observe(octx)
	if err != nil {
		return err
	}
	if err := d.inject(ctx); err != nil {
		return err
	}
	if err := d.step(ctx, StepVerify, Entry{}); err != nil {
		return err
	}
	return d.verify(ctx, obs)
}

// lock takes the cluster's drill lock, for long enough to cover the
// drill and its rollback.
func (d *drill) lock(ctx context.Context) error {
	cl := d.pre.Cluster
	if err := d.step(ctx, StepLock, Entry{Cluster: &Object{ID: cl.Ref.Value, Name: cl.Name}}); err != nil {
		return err
	}
	cur, err := drillkit.ReadLock(ctx, d.Client, cl.Ref)
	if err != nil {
		return err
	}
	ttl := 2*(d.Plan.Timeout.D()+d.Plan.DetectTimeout.D()) + 10*time.Minute
	if res := d.gate.Do(ctx, gate.LockCluster(cl, cur, d.Holder, ttl), nil); !done(res) {
		return errors.New(failure(res)) // "take the drill lock of cluster-a: ..."
	}
	d.track.step("locked %s for this drill", cl.Name)
	return nil
}

// pinDRS holds DRS at manual, if the plan asks and DRS would move VMs.
func (d *drill) pinDRS(ctx context.Context) error {
	cfg := d.pre.config
	drs := cfg.Spec.DRS
	if !d.Plan.PinDRS || !drs.Enabled || drs.Automation == clusterspec.AutomationManual {
		return nil
	}
	if err := d.step(ctx, StepPinDRS, Entry{DRS: &drs}); err != nil {
		return err
	}
	want := cfg.Spec
	want.DRS.Automation = clusterspec.AutomationManual
	if res := d.gate.Do(ctx, gate.ReconfigureCluster(cfg, want, false), nil); !done(res) {
		return fmt.Errorf("pin DRS at manual: %s", failure(res))
	}
	d.track.step("DRS pinned at manual (was %s)", drs.Automation)
	return nil
}

// observe starts following the cluster and waits for every object's
// state, so that the injection's effects are told from the start.
func (d *drill) observe(ctx context.Context) (*drillkit.Observer, error) {
	vms, hosts := d.track.refs()
	obs, err := drillkit.Observe(ctx, d.Client, d.pre.Cluster.Ref, vms, hosts)
	if err != nil {
		return nil, err
	}
	seen := 0
	for !d.track.ready() {
		next, err := obs.Next(ctx, seen)
		if err != nil {
			return nil, interrupted(ctx, fmt.Errorf("observe %s: %w", d.pre.Cluster.Name, err))
		}
		seen += len(next)
		d.track.applyAll(next)
	}
	d.seen = seen
	return obs, nil
}

// interrupted is errInterrupted if ctx ended, else err.
func interrupted(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return errInterrupted
	}
	return err
}

// inject fails the targets.
func (d *drill) inject(ctx context.Context) error {
	hosts := make([]Object, len(d.pre.Targets))
	for i, h := range d.pre.Targets {
		hosts[i] = Object{ID: h.Ref.Value, Name: h.Name}
	}
	if err := d.step(ctx, StepInject, Entry{Method: d.Plan.Inject.Method, Hosts: hosts, BMCs: d.pre.BMCs}); err != nil {
		return err
	}
	t0 := time.Now()
	d.track.inject(t0)
	d.rep.Injected = t0.UTC()
	switch d.Plan.Inject.Method {
	case MethodSimCrash:
		for _, h := range d.pre.Targets {
			d.track.step("inject: crash %s through the simulator's fault door", h.Name)
			if res := d.gate.Do(ctx, gate.CrashHost(h), nil); !done(res) {
				return interrupted(ctx, fmt.Errorf("inject: %s", failure(res)))
			}
		}
	case MethodSimNetwork:
		return d.cutNetwork(ctx)
	case MethodCommand:
		note := func(format string, args ...any) { d.track.step("inject: "+format, args...) }
		for _, h := range d.pre.Targets {
			if err := runPlanCommand(ctx, d.Exec, "inject", d.Plan.Inject.Command, h.Name, d.Plan.Cluster, d.Plan.DetectTimeout.D(), note); err != nil {
				return interrupted(ctx, err)
			}
		}
	case MethodEvacuate:
		return d.evacuate(ctx)
	}
	if d.Plan.Inject.Method.usesBMC() {
		note := func(format string, args ...any) { d.track.step("inject: "+format, args...) }
		for _, h := range d.pre.Targets {
			if err := d.pre.bmc.setPower(ctx, h.Name, bmc.PowerOff, note); err != nil {
				return interrupted(ctx, fmt.Errorf("inject: %w", err))
			}
		}
	}
	return nil
}

// cutNetwork cuts the targets' management network through the
// simulator's fault door: each alone (isolation), or together, apart from
// the cluster's other hosts (partition).
func (d *drill) cutNetwork(ctx context.Context) error {
	actions := []gate.Action{gate.PartitionHosts(d.pre.Targets)}
	if d.Plan.Scenario == ScenarioIsolation {
		actions = actions[:0]
		for _, h := range d.pre.Targets {
			actions = append(actions, gate.IsolateHost(h))
		}
	}
	for _, a := range actions {
		d.track.step("inject: %s through the simulator's fault door", a)
		if res := d.gate.Do(ctx, a, nil); !done(res) {
			return interrupted(ctx, fmt.Errorf("inject: %s", failure(res)))
		}
	}
	return nil
}

// evacuate puts the targets into maintenance mode: DRS empties them when
// fully automated, else vtui moves their VMs by placement first.
func (d *drill) evacuate(ctx context.Context) error {
	refs := make([]vsphere.Ref, len(d.pre.Targets))
	for i, h := range d.pre.Targets {
		refs[i] = h.Ref
	}
	planner, err := gate.PlannerFor(ctx, d.Client, d.pre.inv, []vsphere.Ref{d.pre.Cluster.Ref}, nil)
	if err != nil {
		return interrupted(ctx, fmt.Errorf("inject: %w", err))
	}
	plan, err := placement.PlanMaintenance(planner, refs, !d.pre.DRSEvacuates, d.Plan.Timeout.D())
	if err != nil {
		return fmt.Errorf("inject: %w", err)
	}
	if d.pre.DRSEvacuates {
		d.track.step("inject: maintenance mode on %s; DRS moves the VMs", targetNames(d.pre.Targets))
	} else {
		d.track.step("inject: maintenance mode on %s, after vtui moves %d VMs by placement", targetNames(d.pre.Targets), plan.Moves())
	}
	tctx, cancel := context.WithTimeout(ctx, d.Plan.Timeout.D())
	defer cancel()
	sum := placement.EnterMaintenance(tctx, d.gate, plan, gate.RunOptions{})
	if err := sum.Err(); err != nil {
		return interrupted(ctx, fmt.Errorf("inject: %w", err))
	}
	return nil
}
