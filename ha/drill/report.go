package drill

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
)

// Result is a drill's verdict.
type Result string

// The verdicts. A script reads them from the report, or from the exit
// code: 0 pass, 3 fail, 1 interrupted or error.
const (
	// ResultPass: every protected VM ran again, once, on a surviving host,
	// within the RTO, and the rollback restored the baseline.
	ResultPass Result = "pass"
	// ResultFail: the drill ran and an expectation failed.
	ResultFail Result = "fail"
	// ResultInterrupted: a signal stopped the drill; it rolled back.
	ResultInterrupted Result = "interrupted"
	// ResultError: the drill could not run: a preflight gate failed, or
	// vCenter could not be reached, or the injection failed.
	ResultError Result = "error"
)

// Report is everything a drill found. Its JSON field names are a stable
// contract, documented in the README.
type Report struct {
	Plan Plan `json:"plan"`
	// Cluster and Targets are what the drill ran on; Seed is the seed
	// random targets were picked with, to repeat the run.
	Cluster string   `json:"cluster"`
	Targets []string `json:"targets"`
	Seed    int64    `json:"seed,omitempty"`
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
	// RTOSeconds is the longest recovery of a protected VM that ran
	// again; Breakdown splits it into detection and restarts. RTOMet says
	// every protected VM ran again within expect.rto: a lost VM makes the
	// RTO unbounded, so never met, whatever RTOSeconds says.
	RTOSeconds float64   `json:"rto_seconds"`
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
	// the rollback kept.
	Warnings []string `json:"warnings"`
	// Err is what stopped a drill whose result is error, for callers
	// that tell its kinds apart (a declined confirmation, say).
	Err error `json:"-"`
}

// RTO says the RTO for people: "16.0s", or, with protected VMs lost,
// "not met: 1 protected VM never back (the others by 16.0s)".
func (r *Report) RTO() string {
	if r.Result == ResultInterrupted && !r.RTOMet {
		notBack := 0
		for _, v := range r.VMs {
			if v.Protected && !v.Recovered {
				notBack++
			}
		}
		if notBack > 0 {
			return fmt.Sprintf("not measured: interrupted with %s not back", format.Count(notBack, "protected VM"))
		}
	}
	if r.Lost == 0 {
		return fmt.Sprintf("%.1fs", r.RTOSeconds)
	}
	return fmt.Sprintf("not met: %s never back (the others by %.1fs)", format.Count(r.Lost, "protected VM"), r.RTOSeconds)
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
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
