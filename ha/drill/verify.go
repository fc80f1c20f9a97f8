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
	d.checkRules(ctx)
	return nil
}

// checkRules warns of each rule vCenter reports broken once the
// observation ended that it did not report broken in the preflight: the
// failover broke it (HA may break should-rules when it must). vCenter
// says so in each rule's inCompliance.
func (d *drill) checkRules(ctx context.Context) {
	before := d.pre.config
	if before == nil {
		return
	}
	after, err := before.ReadAgain(ctx, d.Client)
	if err != nil {
		d.rep.Warnings = append(d.rep.Warnings, fmt.Sprintf("the rules' compliance could not be read after the restarts, so a rule they broke would go unseen: %v", err))
		return
	}
	for _, rule := range after.Spec.Rules {
		kept, known := after.Compliance[rule.Name]
		if !known || kept {
			continue
		}
		if was, known := before.Compliance[rule.Name]; known && !was {
			continue // broken before the drill: the preflight's concern
		}
		d.rep.Warnings = append(d.rep.Warnings, fmt.Sprintf("rule %s (%s) is not in compliance after the failover; it was before the drill", rule.Name, rule))
		d.track.step("rule %s is not in compliance after the failover", rule.Name)
	}
}

// account fills the report's VMs, their verdicts and the figures from
// what the tracker saw; inv, if not nil, is read after the observation to
// find VMs running twice. The RTO is that of the VMs predicted to restart
// or move: one predicted to keep running is not waited for, and comes
// back only when the prediction failed (VerdictUnexpected).
func (d *drill) account(inv *vsphere.Inventory) {
	r := d.rep
	r.VMs, r.Lost, r.Duplicated = d.track.outcome(inv)
	rto := d.Plan.Expect.RTO.D().Seconds()
	first, last := 0.0, 0.0
	for i := range r.VMs {
		v := &r.VMs[i]
		if v.Verdict == "" {
			v.Verdict = verdictOf(*v, rto, d.track.cutOff && d.track.isTarget(v.FromHost))
		}
		if v.Protected && v.Back != nil && v.predictedBack() {
			last = max(last, v.Back.Seconds)
			if first == 0 || v.Back.Seconds < first {
				first = v.Back.Seconds
			}
		}
		if v.Protected && v.Recovered && v.Outcome != v.Expected {
			r.Unexpected++
		}
	}
	// The RTO is the time until the last protected VM predicted back is
	// back: unbounded while one never is, unmeasured when none failed.
	r.RTOSeconds = nil
	if r.Lost == 0 && last > 0 {
		r.RTOSeconds = &last
	}
	// Met with none lost or late; when none was to come back (each
	// kept running, as predicted), once a target was seen going down.
	r.RTOMet = r.Lost == 0 && last <= rto && (last > 0 || !d.track.detected.IsZero())
	since := func(t time.Time) float64 {
		if t.IsZero() {
			return 0
		}
		return round(t.Sub(d.track.t0).Seconds())
	}
	r.Breakdown = Breakdown{DetectedSeconds: since(d.track.detected), DeclaredSeconds: since(d.track.declared),
		FirstRecoverySeconds: first, LastRecoverySeconds: last}
}

// verdictOf judges one VM against its prediction and rto, in seconds;
// cut says the drill cut its host's network.
func verdictOf(v VMResult, rto float64, cut bool) Verdict {
	switch {
	case !v.Protected:
		return VerdictUnprotected
	case v.duplicated():
		return VerdictDuplicated
	case !v.Recovered:
		return VerdictLost
	case v.Outcome != v.Expected:
		return VerdictUnexpected
	case v.Back == nil && cut:
		return VerdictKeptRunning // behind its cut network, as predicted
	case v.Back == nil:
		return VerdictNotFailed // it kept running where it was
	case v.Back.Seconds > rto:
		return VerdictLate
	}
	return VerdictOnTime
}

// predictedBack says the preflight predicted the VM to run again after
// stopping or moving (restarts, moves), or predicted nothing: its time
// back counts in the RTO.
func (v VMResult) predictedBack() bool {
	return v.Expected == OutcomeRestarts || v.Expected == OutcomeMoves || v.Expected == ""
}

// duplicated says the VM was powered on more than once, or runs twice.
func (v VMResult) duplicated() bool {
	return v.PowerOns > 1 || strings.Contains(v.Note, runningTwice)
}

// addNote adds a note to a VM's notes.
func addNote(notes, note string) string { return strings.TrimPrefix(notes+"; "+note, "; ") }

// notLostYet re-reads the account of a drill interrupted while it was
// observing: a protected VM not back yet was not lost, for HA had not
// finished (or started) restarting it; the RTO was not measured.
func (d *drill) notLostYet() {
	r := d.rep
	r.Lost = 0
	for i, v := range r.VMs {
		if v.Protected && !v.Recovered {
			r.VMs[i].Verdict = VerdictNotBack
			r.VMs[i].Note = addNote(v.Note, "not back when the drill was interrupted, so not counted as lost")
			r.RTOSeconds, r.RTOMet = nil, false
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
	if late := r.Verdicts(VerdictLate); len(late) > 0 {
		d.fail("recovery took %.1fs, beyond expect.rto %s: %s back late (%s)", r.Breakdown.LastRecoverySeconds, d.Plan.Expect.RTO,
			format.Count(len(late), "protected VM"), gate.Summarize(late, ", "))
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
			if v.duplicated() {
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
	d.steadyAfter(ctx)
	r.Warnings = append(append(r.Warnings, r.Rollback.Warnings...), outsideLines(r.Rollback.Outside)...)
	if w := slowRollback(r.Rollback.Seconds, d.rollbackBound()); w != "" {
		r.Warnings = append(r.Warnings, w)
	}
	if r.Result == ResultPass && len(r.Warnings) > 0 {
		r.Result = ResultPassWithWarnings
	}
	r.ErrorCount, r.WarningCount = len(r.Reasons), len(r.Warnings)
	// Events carry vCenter's time and arrive after the property changes
	// of their batch: the report orders the timeline by time.
	r.AlarmsRaised = append([]RaisedAlarm{}, d.track.raised...)
	slices.SortStableFunc(r.AlarmsRaised, func(a, b RaisedAlarm) int { return a.Time.Compare(b.Time) })
	r.Timeline = slices.Clone(d.track.moments)
	slices.SortStableFunc(r.Timeline, func(a, b Moment) int { return a.Time.Compare(b.Time) })
	if r.Timeline == nil {
		r.Timeline = []Moment{}
	}
	r.Ended = time.Now().UTC()
	r.Seconds = round(r.Ended.Sub(r.Started).Seconds())
	if d.journaled && !d.openEnded { // else the journal is left for vtui drill rollback
		_ = d.Journal.Append(Entry{Step: StepEnd, Result: r.Result, Note: r.Rollback.Skipped})
		d.ran = append(d.ran, StepEnd)
	}
	r.Steps = d.steps()
}

// steps lists every step, each with whether it ran and, if not, why.
func (d *drill) steps() []StepRun {
	r := d.rep
	stopped := "the drill stopped before it"
	if len(r.Reasons) > 0 {
		stopped += ": " + r.Reasons[0]
	}
	var out []StepRun
	for _, s := range Steps() {
		run := StepRun{Step: s, Ran: slices.Contains(d.ran, s)}
		switch {
		case run.Ran:
		case s == StepPinDRS && slices.Contains(d.ran, StepObserve):
			run.Why = "not needed: the plan does not ask to pin DRS, or DRS would move no VM (off, or manual)"
		case (s == StepRollback || s == StepUnlock) && r.Rollback.Skipped != "":
			run.Why = "rollback skipped: " + r.Rollback.Skipped
		case s == StepUnlock && slices.Contains(d.ran, StepRollback):
			run.Why = "the lock stays held: the rollback left changes not undone"
		case s == StepEnd && d.openEnded:
			run.Why = "the journal stays open, for vtui drill rollback"
		default:
			run.Why = stopped
		}
		out = append(out, run)
	}
	return out
}

// rollbackBound is how long a rollback may take before it is cut off:
// the plan's timeout to let HA's restarts in flight settle (settle.go),
// then the timeout and the detect-timeout to restore.
func (d *drill) rollbackBound() time.Duration { return 2*d.Plan.Timeout.D() + d.Plan.DetectTimeout.D() }

// slowRollback warns of a rollback that took more than half of its
// bound, in seconds: one a little slower would have been cut off, and
// left the cluster locked with the drill's changes not undone.
func slowRollback(took float64, bound time.Duration) string {
	if took <= bound.Seconds()/2 {
		return ""
	}
	return fmt.Sprintf("the rollback was slow: it took %.1fs, more than half of its bound of %s (twice the timeout, plus the detect-timeout); "+
		"a slower one is cut off, leaving the cluster locked", took, bound)
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
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.rollbackBound())
	defer cancel()
	// The inventory read at the end of verify is current: nothing changed
	// since.
	res := &restorer{c: d.Client, u: d.undo, journal: d.Journal, exec: d.Exec, password: d.BMCPassword, step: d.track.step, inv: d.inv}
	if d.pre != nil {
		res.bmc = d.pre.bmc
	}
	start := time.Now()
	r.Rollback = res.restore(rctx)
	r.Rollback.Seconds = round(time.Since(start).Seconds())
	d.ran = append(d.ran, res.ran...)
}

// pathOrEmpty is the journal's path, "" without one.
func (j *Journal) pathOrEmpty() string {
	if j == nil {
		return ""
	}
	return j.path
}
