package drill

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/gate"
)

// Result is a drill's verdict.
type Result string

// The verdicts, as SRM's SUCCESS, WARNINGS, ERRORS and CANCELLED have
// them. A script reads them from the report, or from the exit code: 0
// pass or pass-with-warnings, 3 fail, 1 interrupted or error.
const (
	// ResultPass: every protected VM ran again, once, on a surviving host,
	// within the RTO, the rollback restored the baseline, and there is no
	// warning.
	ResultPass Result = "pass"
	// ResultPassWithWarnings: every expectation was met, and the report
	// has warnings (Report.Warnings) people must read.
	ResultPassWithWarnings Result = "pass-with-warnings"
	// ResultFail: the drill ran and an expectation failed.
	ResultFail Result = "fail"
	// ResultInterrupted: a signal stopped the drill; it rolled back.
	ResultInterrupted Result = "interrupted"
	// ResultError: the drill could not run: a preflight gate failed, or
	// vCenter could not be reached, or the injection failed.
	ResultError Result = "error"
)

// Passed says the drill met every expectation: pass, or pass with
// warnings. Scripts and metrics count both as a pass, as the exit code
// (0) does.
func (r Result) Passed() bool { return r == ResultPass || r == ResultPassWithWarnings }

// Report is everything a drill found. Its JSON field names are a stable
// contract, documented in the README.
type Report struct {
	Plan Plan `json:"plan"`
	// Cluster and Targets are what the drill ran on; Seed is the seed
	// random targets were picked with, to repeat the run.
	Cluster string   `json:"cluster"`
	Targets []string `json:"targets"`
	Seed    int64    `json:"seed,omitempty"`
	// BMCs are the targets' BMCs, for a method that goes through them:
	// where each answered and the system it said it powers, as the
	// preflight found them (never a credential).
	BMCs []PlannedBMC `json:"bmcs,omitempty"`
	// VCenter is the vCenter the drill ran on.
	VCenter *vsphere.Identity `json:"vcenter,omitempty"`
	// HA is real, or simulated against vtui's simulator.
	HA       HA        `json:"ha"`
	Started  time.Time `json:"started"`
	Ended    time.Time `json:"ended"`
	Seconds  float64   `json:"wall_seconds"`
	Journal  string    `json:"journal,omitempty"`
	Result   Result    `json:"result"`
	Reasons  []string  `json:"reasons"`
	Injected time.Time `json:"injected,omitzero"`

	Preflight []gate.Check `json:"preflight"`
	Timeline  []Moment     `json:"timeline"`
	VMs       []VMResult   `json:"vms"`
	// RTOSeconds is the RTO: the seconds until the last protected VM
	// predicted to restart (or move) ran again; a VM predicted to keep
	// running counts in none. It is nil (JSON null) when no RTO was measured: a
	// protected VM never back makes it unbounded, and a drill
	// interrupted, or whose injection did not take, measured none.
	// Breakdown splits it into detection and restarts, and keeps the
	// last recovery of the VMs that did run again. RTOMet says every
	// protected VM predicted to restart ran again within expect.rto; when
	// none was (each kept running, as predicted), that a target did go
	// down.
	RTOSeconds *float64  `json:"rto_seconds"`
	RTOMet     bool      `json:"rto_met"`
	Breakdown  Breakdown `json:"breakdown"`
	// Lost counts protected VMs that did not run again on a surviving
	// host; Duplicated counts VMs powered on more than once, or running
	// twice (two powered-on VMs with one instance UUID).
	Lost       int `json:"lost"`
	Duplicated int `json:"duplicated"`
	// Unexpected counts protected VMs that run after the drill, but not
	// as the preflight predicted: restarted where they were to keep
	// running, say (each VM's expected and outcome).
	Unexpected int            `json:"unexpected"`
	Rollback   RollbackReport `json:"rollback"`
	// Warnings are what the verdict does not rest on but people must
	// know: changes others made to the cluster during the drill, which
	// the rollback kept; rules out of compliance after the failover; a
	// slow rollback; a loss expect.lost tolerates. Any makes a pass
	// pass-with-warnings.
	Warnings []string `json:"warnings"`
	// Err is what stopped a drill whose result is error, for callers
	// that tell its kinds apart (a declined confirmation, say).
	Err error `json:"-"`

	// ErrorCount counts Reasons, the expectations failed and the errors
	// that stopped the drill; WarningCount counts Warnings.
	ErrorCount   int `json:"error_count"`
	WarningCount int `json:"warning_count"`
	// Steps lists every step of a drill (see Step), in order, each with
	// whether it ran, and why not when it did not.
	Steps []StepRun `json:"steps"`
	// SchemaVersion is the version of this JSON's schema: ReportSchema.
	SchemaVersion int `json:"schema_version"`
	// Provenance says who ran the drill and with what; VCenter says
	// where.
	Provenance Provenance `json:"provenance"`
	// SteadyState is the plan's steady state as checked before and after
	// the drill; nil when the plan states none.
	SteadyState *SteadyStateReport `json:"steady_state,omitempty"`
	// AlarmsRaised are the alarms vCenter raised (turned yellow or red)
	// on the cluster, its hosts and VMs from the injection to the
	// verdict, in time order.
	AlarmsRaised []RaisedAlarm `json:"alarms_raised"`
}

// RaisedAlarm is an alarm raised during a drill: its name, the object it
// was raised on, its new status, and when (seconds since the injection).
type RaisedAlarm struct {
	At     float64   `json:"at_seconds"`
	Time   time.Time `json:"time"`
	Alarm  string    `json:"alarm"`
	Object string    `json:"object"`
	Status string    `json:"status"`
}

// StepRun is a step of the drill, and whether it ran.
type StepRun struct {
	Step Step `json:"step"`
	Ran  bool `json:"ran"`
	// Why says why a step did not run.
	Why string `json:"why,omitempty"`
}

// RTO says the RTO for people: "16.0s", or, with protected VMs lost,
// "not met: 1 protected VM never back (the others by 16.0s)".
func (r *Report) RTO() string {
	if r.RTOSeconds != nil {
		return fmt.Sprintf("%.1fs", *r.RTOSeconds)
	}
	if r.Lost > 0 {
		return fmt.Sprintf("not met: %s never back (the others by %.1fs)", format.Count(r.Lost, "protected VM"), r.Breakdown.LastRecoverySeconds)
	}
	if n := len(r.Verdicts(VerdictNotBack)); n > 0 {
		return fmt.Sprintf("not measured: interrupted with %s not back", format.Count(n, "protected VM"))
	}
	if n := len(r.Verdicts(VerdictKeptRunning)); n > 0 {
		return fmt.Sprintf("not measured: no protected VM was to restart (%s kept running, as predicted)", format.Count(n, "protected VM"))
	}
	return "not measured: no protected VM failed"
}

// Verdicts names the VMs whose verdict is v.
func (r *Report) Verdicts(v Verdict) []string {
	var out []string
	for _, vm := range r.VMs {
		if vm.Verdict == v {
			out = append(out, vm.Name)
		}
	}
	return out
}

// Moment is one line of a drill's timeline.
type Moment struct {
	// At is seconds since the injection, negative before it.
	At   float64   `json:"at_seconds"`
	Time time.Time `json:"time"`
	// Kind is step (what the drill did), host or vm (a property change),
	// or event (an event vCenter posted).
	Kind   string `json:"kind"`
	Object string `json:"object,omitempty"`
	What   string `json:"what"`
}

// VMResult is what happened to one VM of the targets, or one protected
// VM.
type VMResult struct {
	Name         string `json:"name"`
	InstanceUUID string `json:"instance_uuid"`
	Protected    bool   `json:"protected"`
	FromHost     string `json:"from_host"`
	ToHost       string `json:"to_host"`
	// Recovered says the VM runs after the drill: again on a surviving
	// host, RecoverySeconds after the injection; or, predicted to keep
	// running on a host whose network the drill cut, there, as it was.
	Recovered       bool    `json:"recovered"`
	RecoverySeconds float64 `json:"recovery_seconds"`
	// Expected is the outcome the preflight predicted for a protected
	// VM, and Outcome what the drill found: one that differs fails the
	// drill.
	Expected Outcome `json:"expected,omitempty"`
	Outcome  Outcome `json:"outcome,omitempty"`
	// ExpectedHost is where the preflight predicted it runs after the
	// drill, for a restart or a VM kept running: a restart elsewhere is a
	// warning, not a failure (real HA counts memory overhead, which the
	// prediction does not).
	ExpectedHost string `json:"expected_host,omitempty"`
	// PowerOns counts its power-ons after the injection: 1 after a
	// restart, 0 after a vMotion; more is a duplicate.
	PowerOns int    `json:"power_ons"`
	Note     string `json:"note,omitempty"`

	// RestartPriority is the restart priority HA gives it (its
	// override, else the cluster's), as the preflight read it.
	RestartPriority clusterspec.RestartPriority `json:"restart_priority,omitempty"`
	// Down is when it stopped running: its host was seen failing (or cut
	// off), or it was seen off; Back when it ran again on a surviving
	// host (on ToHost). Each is absent when it did not happen: a VM that
	// ran on behind a cut network has no Down.
	Down *Instant `json:"down,omitempty"`
	Back *Instant `json:"back,omitempty"`
	// Verdict is its outcome (see Verdict).
	Verdict Verdict `json:"verdict"`
}

// Instant is a moment of a VM's recovery: seconds since the injection,
// and the time.
type Instant struct {
	Seconds float64   `json:"seconds"`
	Time    time.Time `json:"time"`
}

// Verdict is what a drill concludes of one VM.
type Verdict string

// The verdicts of a VM.
const (
	// VerdictOnTime: back on a surviving host within expect.rto.
	VerdictOnTime Verdict = "on-time"
	// VerdictLate: back on a surviving host, after expect.rto.
	VerdictLate Verdict = "late"
	// VerdictLost: protected, and never back.
	VerdictLost Verdict = "lost"
	// VerdictDuplicated: powered on more than once, or running twice.
	VerdictDuplicated Verdict = "duplicated"
	// VerdictNotFailed: its host never failed (it runs on no target, or
	// the injection did not take): it proves nothing.
	VerdictNotFailed Verdict = "not-failed"
	// VerdictKeptRunning: predicted to keep running on a host whose
	// network the drill cut (an isolation response of none, a
	// partition), and it did, never powered off or on again.
	VerdictKeptRunning Verdict = "kept-running"
	// VerdictUnexpected: it runs after the drill, but not as the
	// preflight predicted (Expected, Outcome): restarted where it was to
	// keep running, say. It fails the drill.
	VerdictUnexpected Verdict = "unexpected"
	// VerdictNotBack: not back when the drill was interrupted; not
	// counted as lost, for HA had not finished.
	VerdictNotBack Verdict = "not-back"
	// VerdictUnprotected: a VM of the targets the plan does not protect:
	// reported, never failing the drill.
	VerdictUnprotected Verdict = "unprotected"
)

// Failed says the verdict fails the VM's test case.
func (v Verdict) Failed() bool {
	return v == VerdictLate || v == VerdictLost || v == VerdictDuplicated || v == VerdictUnexpected
}

// Breakdown splits the RTO: seconds from the injection to the first
// target seen failing (or cut off), to HA declaring one failed (or, in an
// isolation, isolated: DasHostIsolatedEvent), and to the first and last
// protected VM running again. Zero where it did not happen.
type Breakdown struct {
	DetectedSeconds      float64 `json:"detected_seconds"`
	DeclaredSeconds      float64 `json:"declared_failed_seconds"`
	FirstRecoverySeconds float64 `json:"first_recovery_seconds"`
	LastRecoverySeconds  float64 `json:"last_recovery_seconds"`
}

// Kept says for people how many changes others made were kept: "1
// change others made during the drill was kept", "3 changes ... were".
func (rb RollbackReport) Kept() string {
	verb := "were"
	if len(rb.Outside) == 1 {
		verb = "was"
	}
	return format.Count(len(rb.Outside), "change") + " others made during the drill " + verb + " kept"
}

// RollbackReport is how the rollback went: OK when nothing the drill
// changed differs from the baseline any more, else Diffs says what does.
// Outside lists the changes others made during the drill, which the
// rollback kept: the cluster equals the baseline only when OK and Outside
// is empty.
type RollbackReport struct {
	OK bool `json:"ok"`
	// Skipped says why there was no rollback (the plan's policy, or
	// nothing was changed).
	Skipped string   `json:"skipped,omitempty"`
	Steps   []string `json:"steps"`
	Diffs   []string `json:"diffs"`
	// Outside is what others changed during the drill; kept.
	Outside []OutsideChange `json:"outside_changes"`
	// Warnings are what the rollback could not make sure of: HA still
	// restarting VMs when it restored the cluster, say.
	Warnings []string `json:"warnings,omitempty"`
	// DryRun says the rollback only planned: Steps says what it would do,
	// and OK is false, since nothing was restored.
	DryRun bool `json:"dry_run,omitempty"`
	// Seconds is how long the rollback took; 0 when it did not run.
	Seconds float64 `json:"seconds,omitempty"`
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
