package gate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/internal/conn"
)

// DefaultConcurrency is how many changes Gate.Run makes at once unless told
// otherwise: enough to overlap task latency, few enough that vCenter's
// per-host vMotion limits are not hit.
const DefaultConcurrency = 4

// Gate is the one way vtui changes vSphere. A Planner turns a request
// into an Action with its prechecks run (Planner.Migrate, Power,
// EnterMaintenance, ...); the gate's Do and Run carry actions out. On the
// way the gate enforces the Policy, logs every action through the client's
// logger, waits on the vSphere task while reporting progress, and turns
// failures into *OpError values naming the operation and the object. A new
// kind of change (cluster reconfiguration, a drill step) is a new planning
// method or function returning an Action; Do and Run need no change. A Gate is safe
// for concurrent use.
type Gate struct {
	c      *vsphere.Client
	policy vsphere.Policy
	log    *slog.Logger

	notes sync.Map // note text -> struct{}: notes already told
}

// NewGate returns a gate for changes through c, with the client's policy
// (WithPolicy): the policy travels with the connection, so no face of vtui
// can forget to pass it.
func NewGate(c *vsphere.Client) *Gate {
	return &Gate{c: c, policy: c.Policy(), log: conn.Log(c.Conn())}
}

// Policy returns what the gate lets through.
func (g *Gate) Policy() vsphere.Policy { return g.policy }

// Action is one planned change to one object. Build actions with a
// Planner, which runs the prechecks; carry them out with Gate.Do or
// Gate.Run. Callers may add checks (placement does): an action with a failed
// check is refused without sending anything.
type Action struct {
	Op     Op
	Object string // name of the VM or host changed
	Ref    vsphere.Ref
	// From is where the object is now, for people (a migration's source
	// host); "" when it does not apply.
	From string
	// Target is what the object changes to, for people: "esx-a-02",
	// "esx-b-01, pool Resources, datastore ds-2", "poweredOff".
	Target string
	// Checks are the prechecks that ran, passed or not.
	Checks []Check
	// Noop, when set, says why nothing needs to be done: the object is
	// already as asked. Nothing is sent and the result is not a failure.
	Noop string

	// verify asks the server whether the change would work, changing
	// nothing; nil when there is no such question. It returns extra
	// checks, and tells the user through note what it could not check.
	verify func(ctx context.Context, g *Gate, note func(string)) []Check
	// run sends the change and waits for it; it returns the task's id.
	run func(ctx context.Context, g *Gate, report func(percent int, msg string)) (task string, err error)
}

// String describes the action for people: "migrate web-01 from esx-a-01 to
// esx-a-02".
func (a Action) String() string {
	if d := a.Op.info().describe; d != nil {
		return d(a)
	}
	return a.Op.verb() + " " + a.Object
}

// Failed returns the checks that failed: any one refuses the action.
func (a Action) Failed() []Check { return filterChecks(a.Checks, CheckFail) }

// Warnings returns the checks that passed with a warning.
func (a Action) Warnings() []Check { return filterChecks(a.Checks, CheckWarn) }

func filterChecks(cs []Check, s CheckStatus) []Check {
	var out []Check
	for _, c := range cs {
		if c.Status == s {
			out = append(out, c)
		}
	}
	return out
}

// Status is how one action ended. The values are stable (JSON output).
type Status string

// The ways an action ends.
const (
	StatusOK        Status = "ok"        // the change was made
	StatusNoop      Status = "noop"      // the object already was as asked
	StatusDryRun    Status = "dry-run"   // the change would be made (Policy.DryRun)
	StatusFailed    Status = "failed"    // refused or failed; Result.Err says why
	StatusCancelled Status = "cancelled" // never started: the run was cancelled or the connection lost
	// StatusUnknown: it was sent, but how it ended is not known: the
	// connection was lost, or the wait was stopped (timeout, a signal).
	// Its task, if any, may still run: check vCenter's tasks.
	StatusUnknown Status = "unknown"
)

// Result is how one action ended. Its JSON field names are a stable
// contract.
type Result struct {
	Op     Op     `json:"op" yaml:"op"`
	Object string `json:"object" yaml:"object"`
	From   string `json:"from,omitempty" yaml:"from,omitempty"`
	Target string `json:"target,omitempty" yaml:"target,omitempty"`
	Status Status `json:"status" yaml:"status"`
	// Message says what happened, for people: the no-op reason, the
	// dry-run plan or the error.
	Message  string   `json:"message,omitempty" yaml:"message,omitempty"`
	Warnings []string `json:"warnings,omitempty" yaml:"warnings,omitempty"`
	// Task is the vSphere task's id, when one ran.
	Task    string  `json:"task,omitempty" yaml:"task,omitempty"`
	Seconds float64 `json:"seconds" yaml:"seconds"`
	// Err is the failure, an *OpError, when Status is failed or cancelled.
	Err error `json:"-" yaml:"-"`
}

// Stage is where an action is in its run.
type Stage string

// The stages Progress reports.
const (
	StageStarted Stage = "started" // the change is being sent
	StageRunning Stage = "running" // the task reported progress
	StageDone    Stage = "done"    // finished; Progress.Result is set
	StageNote    Stage = "note"    // a message for the user, told once per gate
)

// Progress is one report on a run. Index and Total place the action in the
// run (0 and 1 for Do).
type Progress struct {
	Index, Total int
	Op           Op
	Object       string
	Target       string
	Stage        Stage
	Percent      int     // 0-100 while running, as far as the server reports it
	Message      string  // the note's text, or what the task is doing
	Result       *Result // set when Stage is StageDone
}

// Do carries out one action and reports its progress to progress, which
// may be nil. Canceling ctx stops the wait, not the vSphere task.
func (g *Gate) Do(ctx context.Context, a Action, progress func(Progress)) Result {
	if progress == nil {
		progress = func(Progress) {}
	}
	return g.do(ctx, a, 0, 1, progress)
}

func (g *Gate) do(ctx context.Context, a Action, index, total int, progress func(Progress)) Result {
	start := time.Now()
	log := g.log.With("op", a.Op, "object", a.Object, "target", a.Target)
	report := func(st Stage, pct int, msg string, r *Result) {
		progress(Progress{Index: index, Total: total, Op: a.Op, Object: a.Object, Target: a.Target,
			Stage: st, Percent: pct, Message: msg, Result: r})
	}
	finish := func(r Result) Result {
		r.Op, r.Object, r.From, r.Target = a.Op, a.Object, a.From, a.Target
		r.Seconds = time.Since(start).Round(time.Millisecond).Seconds()
		for _, w := range a.Warnings() {
			r.Warnings = append(r.Warnings, w.String())
		}
		if r.Err != nil && r.Message == "" {
			r.Message = r.Err.Error()
		}
		switch r.Status {
		case StatusFailed, StatusCancelled, StatusUnknown:
			log.Warn("change "+string(r.Status), "err", r.Err, "seconds", r.Seconds)
		default:
			log.Info("change "+string(r.Status), "message", r.Message, "task", r.Task, "seconds", r.Seconds)
		}
		report(StageDone, 100, r.Message, &r)
		return r
	}
	fail := func(err error) Result {
		return finish(Result{Status: StatusFailed, Err: &OpError{Op: a.Op, Object: a.Object, Err: err}})
	}

	// A dry run changes nothing, so read-only mode lets it show its plan.
	if g.policy.ReadOnly && !g.policy.DryRun {
		return fail(fmt.Errorf("%w: refused, nothing was sent; turn read-only mode off to make changes", vsphere.ErrReadOnly))
	}
	if failed := a.Failed(); len(failed) > 0 {
		return fail(&PrecheckError{Failed: failed})
	}
	if a.Noop != "" {
		return finish(Result{Status: StatusNoop, Message: a.Noop})
	}
	if a.run == nil {
		return fail(fmt.Errorf("the action was not planned by a Planner, so it cannot run"))
	}
	if a.verify != nil && !g.policy.ReadOnly { // the server's checks are calls a read-only client may not send
		checks := a.verify(ctx, g, func(msg string) { g.note(msg, progress) })
		a.Checks = append(a.Checks, checks...)
		if failed := filterChecks(checks, CheckFail); len(failed) > 0 {
			return fail(&PrecheckError{Failed: failed})
		}
	}
	if g.policy.DryRun {
		msg := "would " + a.String()
		if g.policy.ReadOnly {
			msg += " (read-only mode would refuse it)"
		}
		return finish(Result{Status: StatusDryRun, Message: msg})
	}

	log.Info("change starting")
	report(StageStarted, 0, a.String(), nil)
	task, err := a.run(ctx, g, func(pct int, msg string) { report(StageRunning, pct, msg, nil) })
	if err != nil {
		if r, ok := g.unknown(a, task, err, finish); ok {
			return r
		}
		r := fail(err)
		r.Task = task
		return r
	}
	return finish(Result{Status: StatusOK, Task: task, Message: a.Op.info().done(a)})
}

// unknown returns the result of a change whose outcome is not known: it
// was sent, then the connection was lost or the wait was stopped. ok is
// false for an ordinary failure. A request refused at connect time was
// never sent, and fails as such.
func (g *Gate) unknown(a Action, task string, err error, finish func(Result) Result) (Result, bool) {
	lost := IsConnectionLost(err)
	stopped := errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
	if !lost && !stopped {
		return Result{}, false
	}
	check := "check vCenter's recent tasks (vtui get tasks)"
	if task != "" {
		check = "check task " + task + " in vCenter (vtui get tasks)"
	}
	why := "the wait was stopped"
	if lost {
		why = ErrConnectionLost.Error()
		if notSent(err) && task == "" {
			err = fmt.Errorf("%w; nothing was sent: %w", ErrConnectionLost, err)
			return finish(Result{Status: StatusFailed, Err: &OpError{Op: a.Op, Object: a.Object, Err: err}}), true
		}
		err = fmt.Errorf("%w: %w", ErrConnectionLost, err)
	}
	msg := fmt.Sprintf("%s while it ran, so it may or may not have been made; %s", why, check)
	return finish(Result{Status: StatusUnknown, Task: task, Message: msg,
		Err: &OpError{Op: a.Op, Object: a.Object, Err: &outcomeUnknown{msg: msg, err: err}}}), true
}

// outcomeUnknown says why a change's outcome is not known; it keeps the
// transport's own error (Post ...: EOF) for errors.Is and out of sight.
type outcomeUnknown struct {
	msg string
	err error
}

func (e *outcomeUnknown) Error() string { return e.msg }
func (e *outcomeUnknown) Unwrap() error { return e.err }

// note tells the user msg once per gate, through the log and progress.
func (g *Gate) note(msg string, progress func(Progress)) {
	if _, told := g.notes.LoadOrStore(msg, struct{}{}); told {
		return
	}
	g.log.Info(msg)
	progress(Progress{Stage: StageNote, Message: msg})
}
