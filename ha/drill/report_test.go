package drill

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/internal/golden"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
)

// sampleReport is a failed host-failure drill: one VM restarted in time,
// one lost; the rollback undid the drill's changes and kept one that
// another admin made.
func sampleReport(t *testing.T) *Report {
	t.Helper()
	plan := mustParse(t, crashPlan)
	t0 := time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	outside := []OutsideChange{{Object: "vm app-03", What: "poweredOff, was poweredOn", User: `VSPHERE.LOCAL\jane`, Time: at(8), Event: "VmPoweredOffEvent"}}
	return &Report{
		Plan: plan, Cluster: "cluster-a", Targets: []string{"esx-a-01.lab.local"}, HA: HASimulated,
		VCenter: &vsphere.Identity{InstanceUUID: "0b9c2e4d-5a8f-4f7e-9f3e-2d6f1a7c8b90", URL: "https://127.0.0.1:8989/sdk"},
		Started: at(-2), Ended: at(20), Seconds: 22, Journal: "drill.journal", Injected: t0,
		Result: ResultFail, Reasons: []string{"1 protected VM lost (expect.lost is 0): db-01"},
		Preflight: []gate.Check{
			{Name: "policy", Status: gate.CheckPass, Reason: "changes allowed"},
			{Name: "ha", Status: gate.CheckPass, Reason: "enabled, with host monitoring"},
			{Name: "capacity", Status: gate.CheckPass, Reason: "2 VMs would restart elsewhere, 60.0 GiB of memory left"},
		},
		Timeline: []Moment{
			{At: -1, Time: at(-1), Kind: "step", What: "preflight passed: 10 checks"},
			{At: 0, Time: t0, Kind: "step", What: "inject: crash esx-a-01.lab.local through the simulator's fault door"},
			{At: 0.02, Time: at(0.02), Kind: "host", Object: "esx-a-01.lab.local", What: "runtime.connectionState = notResponding"},
			{At: 15, Time: at(15), Kind: "event", Object: "esx-a-01.lab.local", What: "DasHostFailedEvent"},
			{At: 16.5, Time: at(16.5), Kind: "vm", Object: "web-01", What: "runtime.powerState = poweredOn"},
		},
		VMs: []VMResult{
			{Name: "db-01", InstanceUUID: "uuid-db", Protected: true, FromHost: "esx-a-01.lab.local", ToHost: "esx-a-01.lab.local",
				Expected: OutcomeRestarts, Outcome: OutcomeStaysDown, Note: "HA could not restart it: not enough resources | memory"},
			{Name: "web-01", InstanceUUID: "uuid-web", Protected: true, FromHost: "esx-a-01.lab.local", ToHost: "esx-a-02.lab.local",
				Recovered: true, RecoverySeconds: 16.5, PowerOns: 1, Expected: OutcomeRestarts, Outcome: OutcomeRestarts},
		},
		RTOSeconds: 16.5,
		Breakdown:  Breakdown{DetectedSeconds: 0.02, DeclaredSeconds: 15, FirstRecoverySeconds: 16.5, LastRecoverySeconds: 16.5},
		Lost:       1,
		Rollback:   RollbackReport{OK: true, Steps: []string{"recovered esx-a-01.lab.local", "the drill's changes are undone; ..."}, Diffs: []string{}, Outside: outside},
		Warnings:   outsideLines(outside),
	}
}

func TestReportGoldenFiles(t *testing.T) {
	r := sampleReport(t)
	for _, f := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"report.json", func(b *bytes.Buffer) error { return r.WriteJSON(b) }},
		{"report.junit.xml", func(b *bytes.Buffer) error { return r.WriteJUnit(b) }},
		{"report.md", func(b *bytes.Buffer) error { return r.WriteMarkdown(b) }},
	} {
		var b bytes.Buffer
		if err := f.write(&b); err != nil {
			t.Fatal(err)
		}
		golden.Assert(t, filepath.Join("testdata", f.name), b.Bytes())
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
	for _, k := range []string{"plan", "preflight", "timeline", "vms", "rto_seconds", "lost", "duplicated", "unexpected", "result", "rollback", "ha", "breakdown", "targets"} {
		if _, ok := got[k]; !ok {
			t.Errorf("the JSON report has no %q", k)
		}
	}
	var vms []map[string]any
	_ = json.Unmarshal(got["vms"], &vms)
	for _, k := range []string{"name", "from_host", "to_host", "recovered", "recovery_seconds", "expected", "outcome"} {
		if _, ok := vms[0][k]; !ok {
			t.Errorf("a VM of the JSON report has no %q", k)
		}
	}
}

func TestJUnitCountsFailures(t *testing.T) {
	var b bytes.Buffer
	if err := sampleReport(t).WriteJUnit(&b); err != nil {
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
	if s.Tests != 6 || s.Failures != 1 || !slices.Equal(failed, []string{"recovery/db-01"}) {
		t.Errorf("tests %d failures %d failed %v; want 6 cases, the lost db-01 failing", s.Tests, s.Failures, failed)
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
