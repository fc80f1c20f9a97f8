package drill

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/internal/buildinfo"
	"github.com/vtui/vtui/internal/golden"
	"github.com/vtui/vtui/internal/simdoor"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/drillkit"
	"github.com/vtui/vtui/vsphere/gate"
)

// sampleReport is a failed host-failure drill on the simulator: of its
// three protected VMs one restarted in time, one late and one was lost;
// the rollback undid the drill's changes and kept one that another admin
// made.
func sampleReport(t *testing.T) *Report {
	t.Helper()
	plan := mustParse(t, crashPlan)
	t0 := time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	instant := func(s float64) *Instant { return &Instant{Seconds: s, Time: at(s)} }
	outside := []OutsideChange{{Object: "vm app-03", What: "poweredOff, was poweredOn", User: `VSPHERE.LOCAL\jane`, Time: at(8), Event: "VmPoweredOffEvent"}}
	reasons := []string{"1 protected VM lost (expect.lost is 0): db-01", "recovery took 41.2s, beyond expect.rto 30s: 1 protected VM back late (app-01)"}
	steps := []StepRun{}
	for _, s := range Steps() {
		steps = append(steps, StepRun{Step: s, Ran: s != StepPinDRS})
		if s == StepPinDRS {
			steps[len(steps)-1].Why = "not needed: the plan does not ask to pin DRS, or DRS would move no VM (off, or manual)"
		}
	}
	return &Report{
		Plan: plan, Cluster: "cluster-a", Targets: []string{"esx-a-01.lab.local"}, HA: HASimulated,
		VCenter: &vsphere.Identity{InstanceUUID: "0b9c2e4d-5a8f-4f7e-9f3e-2d6f1a7c8b90", URL: "https://127.0.0.1:8989/sdk",
			Product: "VMware vCenter Server", Version: "8.0.2.0", Build: "22617221"},
		Started: at(-2), Ended: at(50), Seconds: 52, Journal: "drill.journal", Injected: t0,
		Result: ResultFail, Reasons: reasons,
		Preflight: []gate.Check{
			{Name: "policy", Status: gate.CheckPass, Reason: "changes allowed"},
			{Name: "ha", Status: gate.CheckPass, Reason: "enabled, with host monitoring"},
			{Name: "capacity", Status: gate.CheckPass, Reason: "3 VMs would restart elsewhere, 60 GiB of memory left"},
		},
		Timeline: []Moment{
			{At: -1, Time: at(-1), Kind: "step", What: "preflight passed: 10 checks"},
			{At: 0, Time: t0, Kind: "step", What: "inject: crash esx-a-01.lab.local through the simulator's fault door"},
			{At: 0.02, Time: at(0.02), Kind: "host", Object: "esx-a-01.lab.local", What: "runtime.connectionState = notResponding"},
			{At: 15, Time: at(15), Kind: "event", Object: "esx-a-01.lab.local", What: "DasHostFailedEvent"},
			{At: 16.5, Time: at(16.5), Kind: "vm", Object: "web-01", What: "runtime.powerState = poweredOn"},
			{At: 41.2, Time: at(41.2), Kind: "vm", Object: "app-01", What: "runtime.powerState = poweredOn"},
		},
		VMs: []VMResult{
			{Name: "app-01", InstanceUUID: "uuid-app", Protected: true, FromHost: "esx-a-01.lab.local", ToHost: "esx-a-03.lab.local",
				Recovered: true, RecoverySeconds: 41.2, PowerOns: 1, RestartPriority: "low", Down: instant(0.02), Back: instant(41.2), Verdict: VerdictLate,
				Expected: OutcomeRestarts, Outcome: OutcomeRestarts, ExpectedHost: "esx-a-03.lab.local"},
			{Name: "db-01", InstanceUUID: "uuid-db", Protected: true, FromHost: "esx-a-01.lab.local", ToHost: "esx-a-01.lab.local",
				Note:            "HA could not restart it: not enough resources | memory; HA gave up after 5 attempts (das.maxvmrestartcount 5)",
				RestartPriority: "high", Down: instant(0.02), Verdict: VerdictLost, Expected: OutcomeRestarts, Outcome: OutcomeStaysDown},
			{Name: "web-01", InstanceUUID: "uuid-web", Protected: true, FromHost: "esx-a-01.lab.local", ToHost: "esx-a-02.lab.local",
				Recovered: true, RecoverySeconds: 16.5, PowerOns: 1, RestartPriority: "medium", Down: instant(0.02), Back: instant(16.5), Verdict: VerdictOnTime,
				Expected: OutcomeRestarts, Outcome: OutcomeRestarts},
		},
		Breakdown: Breakdown{DetectedSeconds: 0.02, DeclaredSeconds: 15, FirstRecoverySeconds: 16.5, LastRecoverySeconds: 41.2},
		Lost:      1,
		Rollback: RollbackReport{OK: true, Steps: []string{"recovered esx-a-01.lab.local", "the drill's changes are undone; ..."}, Diffs: []string{},
			Outside: outside, Seconds: 3.5},
		Warnings:   outsideLines(outside),
		ErrorCount: len(reasons), WarningCount: 1, Steps: steps,
		SchemaVersion: ReportSchema,
		Provenance: Provenance{OSUser: "ci", VCenterUser: `VSPHERE.LOCAL\drill-bot`,
			VTUI:       buildinfo.Info{Version: "devel+0123456789ab+modified", Revision: "0123456789abcdef0123456789abcdef01234567", Modified: true, Go: "go1.26.0", Govmomi: "v0.56.0"},
			PlanSHA256: planSHA256(plan), PlanText: string(plan.Source()),
			Simulator: &drillkit.SimModel{HA: simdoor.HA{DetectDelay: "2s", ElectionDelay: "2s", BootTime: "300ms-800ms", BootSeed: 1, ToolsDelay: "0s",
				RetryDelay: "16s", MaxRestartCount: 5, Scale: 2.0 / 15}, Unmodeled: []string{"a restart on the host the VM failed on"}}},
		SteadyState: &SteadyStateReport{
			Before: []gate.Check{{Name: SteadyNoMaintenance, Status: gate.CheckPass, Reason: "none of the 3 hosts of cluster-a is in maintenance mode"}},
			After:  []gate.Check{{Name: SteadyNoMaintenance, Status: gate.CheckPass, Reason: "none of the 3 hosts of cluster-a is in maintenance mode"}},
		},
	}
}

// planSHA256 is the SHA-256 of the plan as read, in hex.
func planSHA256(p Plan) string {
	sum := sha256.Sum256(p.Source())
	return hex.EncodeToString(sum[:])
}

func TestReportGoldenFiles(t *testing.T) {
	assertReports(t, "report", sampleReport(t))
}

// assertReports compares the JSON, JUnit and Markdown reports of r with
// the goldens testdata/NAME.json, NAME.junit.xml and NAME.md.
func assertReports(t *testing.T, name string, r *Report) {
	t.Helper()
	for _, f := range []struct {
		ext   string
		write func(*bytes.Buffer) error
	}{
		{".json", func(b *bytes.Buffer) error { return r.WriteJSON(b) }},
		{".junit.xml", func(b *bytes.Buffer) error { return r.WriteJUnit(b) }},
		{".md", func(b *bytes.Buffer) error { return r.WriteMarkdown(b) }},
	} {
		var b bytes.Buffer
		if err := f.write(&b); err != nil {
			t.Fatal(err)
		}
		golden.Assert(t, filepath.Join("testdata", name+f.ext), b.Bytes())
	}
}

// TestReportJSONHasTheDocumentedFields pins the top-level fields the
// README documents: removing or renaming one breaks scripts.
func TestReportJSONHasTheDocumentedFields(t *testing.T) {
	var b bytes.Buffer
	if err := sampleReport(t).WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"plan", "preflight", "timeline", "vms", "rto_seconds", "lost", "duplicated", "unexpected", "result", "rollback", "ha", "breakdown", "targets",
		"rto_met", "warnings", "error_count", "warning_count", "steps"} {
		if _, ok := got[k]; !ok {
			t.Errorf("the JSON report has no %q", k)
		}
	}
	var vms []map[string]any
	_ = json.Unmarshal(got["vms"], &vms)
	for _, k := range []string{"name", "from_host", "to_host", "recovered", "recovery_seconds", "expected", "outcome", "restart_priority", "down", "verdict"} {
		if _, ok := vms[0][k]; !ok {
			t.Errorf("a VM of the JSON report has no %q", k)
		}
	}
}

// TestJUnitCountsFailures: a case per gate, steady-state check,
// protected VM and expectation, and the rollback; a VM late, lost or not
// as predicted fails its case, and the drill's expectation with it.
func TestJUnitCountsFailures(t *testing.T) {
	failures := func(r *Report) (*junitSuites, []string) {
		var b bytes.Buffer
		if err := r.WriteJUnit(&b); err != nil {
			t.Fatal(err)
		}
		var s junitSuites
		if err := xml.Unmarshal(b.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		var failed []string
		for _, c := range s.Suites[0].Cases {
			if c.Failure != nil {
				failed = append(failed, c.Class+"/"+c.Name)
			}
		}
		return &s, failed
	}
	s, failed := failures(sampleReport(t))
	// 3 preflight checks, 2 steady-state checks (before and after), 3
	// protected VMs, 4 expectations, the rollback.
	if want := []string{"recovery/app-01", "recovery/db-01", "drill/rto", "drill/lost"}; s.Tests != 13 || s.Failures != 4 || !slices.Equal(failed, want) {
		t.Errorf("tests %d failures %d failed %v; want 13 cases, %v failing", s.Tests, s.Failures, failed, want)
	}
	r := sampleReport(t) // web-01 restarted, predicted to keep running
	r.VMs[2].Expected, r.VMs[2].Verdict, r.Unexpected = OutcomeKeepsRunning, VerdictUnexpected, 1
	if _, failed := failures(r); !slices.Contains(failed, "recovery/web-01") || !slices.Contains(failed, "drill/predicted") {
		t.Errorf("failed %v; want web-01's case and the prediction's failing", failed)
	}
}

// TestKept: the count of kept outside changes agrees with its noun and
// verb.
func TestKept(t *testing.T) {
	one := OutsideChange{Object: "vm app-03", What: "poweredOff, was poweredOn"}
	for _, tt := range []struct {
		outside []OutsideChange
		want    string
	}{
		{[]OutsideChange{one}, "1 change others made during the drill was kept"},
		{[]OutsideChange{one, one}, "2 changes others made during the drill were kept"},
	} {
		if got := (RollbackReport{Outside: tt.outside}).Kept(); got != tt.want {
			t.Errorf("Kept with %d outside changes = %q; want %q", len(tt.outside), got, tt.want)
		}
	}
}

// TestRollbackSummaryIsOneShortLine sums up rollbacks as the one line that
// ends an interrupted drill's error: the first differences and a count,
// and never a claim of equality while others' changes were kept.
func TestRollbackSummaryIsOneShortLine(t *testing.T) {
	var diffs []string
	for i := range 100 {
		diffs = append(diffs, fmt.Sprintf("vm vm-%03d: on esx-a-02.lab.local, was on esx-a-01.lab.local", i))
	}
	kept := []OutsideChange{{Object: "vm app-03", What: "poweredOff, was poweredOn"}}
	for _, tt := range []struct {
		rb   RollbackReport
		want string
	}{
		{RollbackReport{Diffs: diffs}, "left 100 of the drill's changes not undone: vm vm-000: on esx-a-02.lab.local, was on esx-a-01.lab.local; vm vm-001"},
		{RollbackReport{Diffs: diffs}, "; and 97 more"},
		{RollbackReport{OK: true}, "ok, the cluster equals the baseline"},
		{RollbackReport{OK: true, Outside: kept}, "ok, the drill's changes were undone; 1 change others made during the drill was kept"},
		{RollbackReport{OK: true, Outside: append(kept, kept...)}, "ok, the drill's changes were undone; 2 changes others made during the drill were kept"},
		{RollbackReport{DryRun: true, Steps: []string{"would recover (simulated) esx-a-01.lab.local"}}, "dry run: 1 step planned, nothing was changed"},
	} {
		if got := tt.rb.Summary(); !strings.Contains(got, tt.want) || len(got) > 400 {
			t.Errorf("Summary: %d bytes: %q; want it to contain %q", len(got), got, tt.want)
		}
	}
}
