package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/vtui/vtui/cmd/internal/config/configtest"
	"github.com/vtui/vtui/ha/drill"
	"github.com/vtui/vtui/ha/drill/history"
	"github.com/vtui/vtui/internal/golden"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// writeNightlyArtifacts writes, as CI keeps them (one directory of
// artifacts a run), the JSON reports of 20 nightly drills on cluster-a
// whose RTO grows from 10s to 29s, but for night 8, which lost a VM, and
// night 16, whose db-01 came back after expect.rto (30s); and a file that
// is not a report.
func writeNightlyArtifacts(t *testing.T, dir string) {
	t.Helper()
	vc := &vsphere.Identity{InstanceUUID: "0b9c2e4d-5a8f-4f7e-9f3e-2d6f1a7c8b90", URL: "https://vc.example.com/sdk"}
	for night := range 20 {
		plan := drill.Plan{Name: "nightly", Cluster: "cluster-a", Scenario: drill.ScenarioHostFailure}
		plan.Expect.RTO = drill.Duration(30 * time.Second)
		start := time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC).AddDate(0, 0, night)
		rto := 10 + float64(night)
		r := &drill.Report{Plan: plan, Cluster: "cluster-a", VCenter: vc, Started: start, Ended: start.Add(time.Minute), Seconds: 60,
			Result: drill.ResultPass, RTOSeconds: &rto, RTOMet: true, Reasons: []string{},
			VMs: []drill.VMResult{{Name: "db-01", Protected: true, Recovered: true, RecoverySeconds: rto}}}
		switch night {
		case 7:
			r.Result, r.Lost, r.RTOMet, r.RTOSeconds = drill.ResultFail, 1, false, nil
			r.Reasons = []string{"1 protected VM lost (expect.lost is 0): db-01"}
			r.VMs[0].Recovered, r.VMs[0].RecoverySeconds = false, 0
		case 15:
			r.Result, r.RTOMet, r.RTOSeconds, r.VMs[0].RecoverySeconds = drill.ResultFail, false, new(31.0), 31
			r.Reasons = []string{"recovery took 31.0s, beyond expect.rto 30s"}
		}
		var b bytes.Buffer
		if err := r.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		configtest.WriteFile(t, filepath.Join(dir, fmt.Sprintf("run-%d", 1000+night), "drill-reports", "drill.json"), b.String(), 0o600)
	}
	configtest.WriteFile(t, filepath.Join(dir, "run-999", "drill.json"), `{"plan": {"name": "nightly"`, 0o600)
}

// TestDrillHistoryOfTwentyNights runs drill history over 20 nightly
// reports in CI artifacts: the table and the RTO trend match the golden
// (the trend rises, with night 8 left out and night 16 on top), the
// corrupt file is skipped with a note, and -o json gives the same
// figures.
func TestDrillHistoryOfTwentyNights(t *testing.T) {
	dir := t.TempDir()
	writeNightlyArtifacts(t, dir)
	r := runTest(t, []string{"drill", "history", dir}, nil)
	if r.code != exitOK {
		t.Fatalf("exit %d; want 0\nstderr:\n%s", r.code, r.stderr)
	}
	golden.Assert(t, filepath.Join("testdata", "drill-history.golden"), r.stdout)
	corrupt := filepath.Join(dir, "run-999", "drill.json")
	if want := "vtui: note: skipped " + corrupt + ": not a drill report: unexpected end of JSON input\n"; r.stderr != want {
		t.Errorf("stderr %q; want %q", r.stderr, want)
	}

	r = runTest(t, []string{"drill", "history", dir, "-o", "json"}, nil)
	var h history.History
	if err := json.Unmarshal([]byte(r.stdout), &h); r.code != exitOK || err != nil {
		t.Fatalf("-o json: exit %d, %v\n%s", r.code, err, r.stdout)
	}
	if len(h.Plans) != 1 || len(h.Skipped) != 1 {
		t.Fatalf("-o json: %d plans, %d skipped; want 1 and 1", len(h.Plans), len(h.Skipped))
	}
	s := h.Plans[0]
	if s.Runs != 20 || s.Passed != 18 || s.RTO != (history.Stats{Count: 19, Median: 20, P95: 31, Max: 31}) ||
		s.LastFailure == nil || s.LastFailure.Late != 1 || len(s.Trend) != 20 || s.Trend[7].RTOSeconds != nil || s.Trend[7].Lost != 1 {
		t.Errorf("-o json: %+v; want 20 runs, 18 passed, RTO 19 measured, median 20, p95 31, max 31, the last failure one VM late", s)
	}
}

// TestDrillHistoryOfDrillsRunHere runs two drills on one simulator
// without --report-json: each keeps its reports beside its journal in
// the state directory, where drill history finds both; --report-prom
// writes a file node_exporter's parser reads, with the drill's pass.
func TestDrillHistoryOfDrillsRunHere(t *testing.T) {
	srv := vspheretest.StartWith(t, "small", sim.Options{HA: sim.HAOptions{DetectDelay: 200 * time.Millisecond}})
	dir := t.TempDir()
	plan, state, prom := filepath.Join(dir, "plan.yaml"), filepath.Join(dir, "state"), filepath.Join(dir, "drill.prom")
	configtest.WriteFile(t, plan, crashPlanText, 0o600)
	env := configtest.Env{"VTUI_URL": srv.URL.Host, "VTUI_USERNAME": srv.Username, "VTUI_PASSWORD": srv.Password,
		"VTUI_THUMBPRINT": srv.Thumbprint, "XDG_STATE_HOME": state}
	for i := range 2 {
		args := []string{"drill", "run", plan, "--yes"}
		if i == 1 {
			args = append(args, "--report-prom", prom)
			time.Sleep(time.Second) // the journals' names have seconds
		}
		if r := runTest(t, args, env); r.code != exitOK {
			t.Fatalf("vtui %s: exit %d; want 0\nstderr:\n%s", strings.Join(args, " "), r.code, r.stderr)
		}
	}
	drills := filepath.Join(state, "vtui", "drills")
	for _, ext := range []string{".journal", ".json", ".junit.xml", ".md"} {
		if found, _ := filepath.Glob(filepath.Join(drills, "t-*"+ext)); len(found) != 2 {
			t.Errorf("%d t-*%s in %s; want one a drill", len(found), ext, drills)
		}
	}
	data, err := os.ReadFile(prom)
	if err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("node_exporter's parser refused %s: %v\n%s", prom, err, data)
	}
	if pass := fams["vtui_drill_pass"]; pass == nil || pass.GetMetric()[0].GetGauge().GetValue() != 1 {
		t.Errorf("vtui_drill_pass = %v; want 1\n%s", pass, data)
	}

	r := runTest(t, []string{"drill", "history", "-o", "json"}, env)
	var h history.History
	if err := json.Unmarshal([]byte(r.stdout), &h); r.code != exitOK || err != nil {
		t.Fatalf("drill history: exit %d, %v\nstdout:\n%s\nstderr:\n%s", r.code, err, r.stdout, r.stderr)
	}
	if h.Dir != drills || len(h.Plans) != 1 || h.Plans[0].Runs != 2 || h.Plans[0].Passed != 2 || h.Plans[0].RTO.Count != 2 || h.Plans[0].Cluster != "cluster-a" {
		t.Errorf("drill history of %s = %+v; want the 2 passed runs of t on cluster-a", h.Dir, h.Plans)
	}
}

// TestDrillHistoryWithoutReports: no state directory yet is no history,
// exit 0; a directory named that does not exist is bad input, exit 2.
func TestDrillHistoryWithoutReports(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state")
	r := runTest(t, []string{"drill", "history"}, configtest.Env{"XDG_STATE_HOME": state})
	if want := "no drill reports in " + filepath.Join(state, "vtui", "drills") + "\n"; r.code != exitOK || r.stdout != want {
		t.Errorf("exit %d, stdout %q; want 0 and %q", r.code, r.stdout, want)
	}
	absent := filepath.Join(state, "absent")
	r = runTest(t, []string{"drill", "history", absent}, nil)
	if r.code != exitUsage || !strings.Contains(r.stderr, absent) {
		t.Errorf("exit %d, stderr %q; want 2 naming %s", r.code, r.stderr, absent)
	}
}
