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
	"github.com/vtui/vtui/vsphere/drillkit"
	"github.com/vtui/vtui/vsphere/gate"
)

// verify follows the observations until every protected VM of the
// targets is accounted for (tracker.done): it runs again on a surviving
// host, HA gave up on it, or, predicted to keep running, the watch ended.
// No target seen going down within the detect timeout fails the drill:
// when none was, the injection had no effect and the drill stops; else
// the VMs of the others are still waited for. The timeout fails it too:
// a timeout is never a pass.
func (d *drill) verify(ctx context.Context, obs *drillkit.Observer) error {
	t0 := d.track.t0
	deadline := t0.Add(d.Plan.Timeout.D())
	detectBy := t0.Add(d.Plan.DetectTimeout.D())
	down, hint := "failing", "a clean shutdown does not fail a host over; method command needs a hard power-off"
	if d.Plan.Scenario.cutsNetwork() {
		down, hint = "cut off", "method command must cut the host's management network"
	}
observe:
	for !d.track.done(time.Now()) {
		undetected := d.track.detects && !d.track.undetectedEnd && len(d.track.undetected()) > 0
		wait := deadline
		if undetected && detectBy.Before(wait) {
			wait = detectBy
		}
		if w := d.track.watchEnd; time.Now().Before(w) && w.Before(wait) {
			wait = w
		}
		wctx, cancel := context.WithDeadline(ctx, wait)
		next, err := obs.Next(wctx, d.seen)
		cancel()
		switch {
		case ctx.Err() != nil:
			return errInterrupted
		case errors.Is(err, context.DeadlineExceeded) && undetected && !time.Now().Before(detectBy):
			missing := d.track.undetected()
			if d.track.detected.IsZero() {
				d.fail("the injection did not take: no target was seen %s (notResponding) within detect-timeout %s (%s)", down, d.Plan.DetectTimeout, hint)
				break observe
			}
			d.fail("the injection did not take on %s: not seen %s (notResponding) within detect-timeout %s (%s)", strings.Join(missing, ", "), down, d.Plan.DetectTimeout, hint)
			d.track.undetectedEnd = true
			continue
		case errors.Is(err, context.DeadlineExceeded) && !time.Now().Before(deadline):
			d.fail("timeout %s passed with protected VMs not running again", d.Plan.Timeout)
			break observe
		case errors.Is(err, context.DeadlineExceeded):
			continue // the watch ended
		case err != nil:
			return fmt.Errorf("observe %s: %w", d.pre.Cluster.Name, err)
		}
		d.seen += len(next)
		d.track.applyAll(next)
	}
	d.track.step("verify: observed %d changes and events", d.seen)
	inv, err := d.Client.Inventory(ctx)
	if err != nil {
		return interrupted(ctx, fmt.Errorf("verify: %w", err))
	}
	d.account(inv)
	d.inv = inv
	return nil
}

// account fills the report's VMs and figures from what the tracker saw;
// inv, if not nil, is read after the observation to find VMs running twice.
// The RTO is that of the VMs predicted to restart or move.
func (d *drill) account(inv *vsphere.Inventory) {
	r := d.rep
	r.VMs, r.Lost, r.Duplicated = d.track.outcome(inv)
	first := 0.0
	for _, v := range r.VMs {
		if v.Protected && v.Recovered && v.RecoverySeconds > 0 && v.Expected != OutcomeKeepsRunning {
			r.RTOSeconds = max(r.RTOSeconds, v.RecoverySeconds)
			if first == 0 || v.RecoverySeconds < first {
				first = v.RecoverySeconds
			}
		}
		if v.Protected && v.Recovered && v.Outcome != v.Expected {
			r.Unexpected++
		}
	}
	r.RTOMet = r.Lost == 0 && r.RTOSeconds <= d.Plan.Expect.RTO.D().Seconds()
	since := func(t time.Time) float64 {
		if t.IsZero() {
			return 0
		}
		return round(t.Sub(d.track.t0).Seconds())
	}
	r.Breakdown = Breakdown{DetectedSeconds: since(d.track.detected), DeclaredSeconds: since(d.track.declared),
		FirstRecoverySeconds: first, LastRecoverySeconds: r.RTOSeconds}
}

// notLostYet re-reads the account of a drill interrupted while it was
// observing: a protected VM not back yet was not lost, for HA had not
// finished (or started) restarting it; the RTO was not measured.
func (d *drill) notLostYet() {
	r := d.rep
	r.Lost, r.RTOMet = 0, false
	for i, v := range r.VMs {
		if v.Protected && !v.Recovered {
			r.VMs[i].Note = strings.TrimPrefix(v.Note+"; not back when the drill was interrupted, so not counted as lost", "; ")
		}
	}
}

// fail records an expectation the drill did not meet.
func (d *drill) fail(format string, args ...any) {
	d.rep.Reasons = append(d.rep.Reasons, fmt.Sprintf(format, args...))
}

// judge checks the expectations against the accounted VMs.
func (d *drill) judge() {
	r := d.rep
	if r.Lost > d.Plan.Expect.Lost {
		var names []string
		for _, v := range r.VMs {
			if v.Protected && !v.Recovered {
				names = append(names, v.Name)
			}
		}
		d.fail("%s lost (expect.lost is %d): %s", format.Count(r.Lost, "protected VM"), d.Plan.Expect.Lost, gate.Summarize(names, ", "))
	}
	if rto := d.Plan.Expect.RTO.D(); r.RTOSeconds > rto.Seconds() {
		d.fail("recovery took %.1fs, beyond expect.rto %s", r.RTOSeconds, d.Plan.Expect.RTO)
	}
	if r.Lost > 0 && r.Lost <= d.Plan.Expect.Lost {
		// The loss itself is tolerated, the RTO still not met: say so.
		r.Warnings = append(r.Warnings, fmt.Sprintf("the RTO was not met: %s never back, which expect.lost (%d) tolerates",
			format.Count(r.Lost, "protected VM"), d.Plan.Expect.Lost))
	}
	if r.Unexpected > 0 {
		var names []string
		for _, v := range r.VMs {
			if v.Protected && v.Recovered && v.Outcome != v.Expected {
				names = append(names, mismatch(v))
			}
		}
		d.fail("%s did not do as the preflight predicted: %s", format.Count(r.Unexpected, "protected VM"), gate.Summarize(names, "; "))
	}
	for _, v := range r.VMs {
		if v.Protected && v.Outcome == OutcomeRestarts && v.Expected == OutcomeRestarts && v.ExpectedHost != "" && v.ToHost != v.ExpectedHost {
			r.Warnings = append(r.Warnings, fmt.Sprintf("%s restarted on %s, not on %s as the preflight's what-if placed it", v.Name, v.ToHost, v.ExpectedHost))
		}
	}
	if r.Duplicated > 0 {
		var names []string
		for _, v := range r.VMs {
			if v.PowerOns > 1 || strings.Contains(v.Note, "running twice") {
				names = append(names, v.Name)
			}
		}
		d.fail("%d VMs were powered on more than once or run twice: %s", r.Duplicated, gate.Summarize(names, ", "))
	}
}

// conclude gives the verdict, rolls back as the plan says, and closes
// the report and the journal.
func (d *drill) conclude(ctx context.Context, err error) {
	r := d.rep
	switch {
	case errors.Is(err, errInterrupted):
		r.Result = ResultInterrupted
		r.Reasons = append(r.Reasons, "interrupted: the drill stopped injecting and rolled back")
	case err != nil:
		r.Result, r.Err = ResultError, err
		r.Reasons = append(r.Reasons, err.Error())
	default:
		d.judge()
		r.Result = ResultPass
		if len(r.Reasons) > 0 {
			r.Result = ResultFail
		}
	}
	if !d.track.t0.IsZero() && len(r.VMs) == 0 {
		d.account(nil)
		if r.Result == ResultInterrupted {
			d.notLostYet()
		}
	}
	d.rollback(ctx)
	if !r.Rollback.OK && r.Rollback.Skipped == "" {
		// The journal stays open, so that the rollback can run again.
		d.openEnded = true
		how := "finish it with: vtui drill rollback " + d.Journal.pathOrEmpty()
		if d.Journal == nil {
			how = "no journal was kept: restore it by hand, then clear the lock with vtui drill unlock " + d.Plan.Cluster
		}
		r.Reasons = append(r.Reasons, fmt.Sprintf("the rollback left %d of the drill's changes not undone (%s), and the cluster locked; %s",
			len(r.Rollback.Diffs), gate.Summarize(r.Rollback.Diffs, "; "), how))
		if r.Result == ResultPass {
			r.Result = ResultFail
		}
	}
	r.Warnings = append(append(r.Warnings, r.Rollback.Warnings...), outsideLines(r.Rollback.Outside)...)
	// Events carry vCenter's time and arrive after the property changes
	// of their batch: the report orders the timeline by time.
	r.Timeline = slices.Clone(d.track.moments)
	slices.SortStableFunc(r.Timeline, func(a, b Moment) int { return a.Time.Compare(b.Time) })
	if r.Timeline == nil {
		r.Timeline = []Moment{}
	}
	r.Ended = time.Now().UTC()
	r.Seconds = round(r.Ended.Sub(r.Started).Seconds())
	if d.journaled && !d.openEnded { // else the journal is left for vtui drill rollback
		_ = d.Journal.Append(Entry{Step: StepEnd, Result: r.Result, Note: r.Rollback.Skipped})
	}
}

// rollback restores the baseline unless the plan says to leave the
// cluster as the drill left it. The rollback runs after ctx ends: only
// its own timeout bounds it, the plan's timeout (its wait for HA's
// restarts in flight, see settle) plus the time a drill gives HA.
func (d *drill) rollback(ctx context.Context) {
	r := d.rep
	policy := d.Plan.Rollback
	switch {
	case !d.undo.changed():
		r.Rollback = newRollbackReport("nothing was changed")
		return
	case policy == RollbackNever || (policy == RollbackOnSuccess && r.Result == ResultFail):
		how := "roll it back with: vtui drill rollback " + d.Journal.pathOrEmpty()
		if d.Journal == nil {
			how = "no journal was kept, so restore it by hand"
		}
		r.Rollback = newRollbackReport(fmt.Sprintf("rollback: %s: the cluster is left as the drill left it, and locked; %s", policy, how))
		r.Rollback.OK = false
		d.track.step("%s", r.Rollback.Skipped)
		d.openEnded = true
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*d.Plan.Timeout.D()+d.Plan.DetectTimeout.D())
	defer cancel()
	// The inventory read at the end of verify is current: nothing changed
	// since.
	res := &restorer{c: d.Client, u: d.undo, journal: d.Journal, exec: d.Exec, step: d.track.step, inv: d.inv}
	r.Rollback = res.restore(rctx)
}

// pathOrEmpty is the journal's path, "" without one.
func (j *Journal) pathOrEmpty() string {
	if j == nil {
		return ""
	}
	return j.path
}
