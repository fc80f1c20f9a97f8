package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/cmd/internal/config/configtest"
	"github.com/vtui/vtui/internal/buildinfo"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// TestADrillReportsItsProvenanceAndSteadyState runs a plan file through
// vtui drill run: the JSON report has schema_version 2, the plan file's
// bytes and SHA-256 as read from disk, the session's user, vtui's build
// and the simulator's HA model, and the plan's steady state checked
// before and after; --dry-run -o json shows the steady state too; no
// output holds the password.
func TestADrillReportsItsProvenanceAndSteadyState(t *testing.T) {
	srv := vspheretest.StartWith(t, "small", sim.Options{HA: sim.HAOptions{DetectDelay: 100 * time.Millisecond}})
	cfg := vspheretest.Config(srv)
	env := configtest.Env{"VTUI_URL": cfg.URL, "VTUI_USERNAME": cfg.Username, "VTUI_PASSWORD": cfg.Password, "VTUI_THUMBPRINT": cfg.Thumbprint}
	dir := t.TempDir()
	plan, report := filepath.Join(dir, "plan.yaml"), filepath.Join(dir, "report.json")
	text := crashPlanText + "steady-state:\n  no-maintenance: true   # as the README says\n"
	configtest.WriteFile(t, plan, text, 0o600)

	dry := runTest(t, []string{"drill", "run", plan, "--dry-run", "-o", "json"}, env)
	var d struct {
		SteadyState []struct{ Name, Status string } `json:"steady_state"`
	}
	if err := json.Unmarshal([]byte(dry.stdout), &d); dry.code != exitOK || err != nil || len(d.SteadyState) != 1 || d.SteadyState[0].Name != "no-maintenance" || d.SteadyState[0].Status != "pass" {
		t.Errorf("--dry-run -o json: exit %d, %v, steady_state %+v; want no-maintenance passing\nstderr:\n%s", dry.code, err, d.SteadyState, dry.stderr)
	}

	r := runTest(t, []string{"drill", "run", plan, "--yes", "--journal", filepath.Join(dir, "j"), "--report-json", report}, env)
	if r.code != exitOK {
		t.Fatalf("exit %d; want 0\nstderr:\n%s", r.code, r.stderr)
	}
	raw, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		SchemaVersion int `json:"schema_version"`
		Provenance    struct {
			VCenterUser string         `json:"vcenter_user"`
			VTUI        buildinfo.Info `json:"vtui"`
			PlanSHA256  string         `json:"plan_sha256"`
			PlanText    string         `json:"plan_text"`
			Simulator   *struct {
				Unmodeled []string `json:"unmodeled"`
			} `json:"simulator"`
		} `json:"provenance"`
		SteadyState struct {
			Before, After []struct{ Name, Status string }
		} `json:"steady_state"`
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(text))
	p := rep.Provenance
	if rep.SchemaVersion != 2 || p.PlanText != text || p.PlanSHA256 != hex.EncodeToString(sum[:]) || !strings.EqualFold(p.VCenterUser, cfg.Username) ||
		p.VTUI.Version != buildinfo.Read().Version || p.Simulator == nil || len(p.Simulator.Unmodeled) == 0 {
		t.Errorf("schema %d, provenance %+v; want version 2, the plan file's bytes and SHA-256, the session's user, the build, the simulator's model", rep.SchemaVersion, p)
	}
	if ss := rep.SteadyState; len(ss.Before) != 1 || len(ss.After) != 1 || ss.Before[0].Status != "pass" || ss.After[0].Status != "pass" {
		t.Errorf("steady_state %+v; want no-maintenance passing before and after", ss)
	}
	for what, out := range map[string]string{"the report": string(raw), "stdout": r.stdout + dry.stdout, "stderr": r.stderr + dry.stderr} {
		if strings.Contains(out, cfg.Password) {
			t.Errorf("%s holds the vCenter password", what)
		}
	}
	if !strings.Contains(r.stdout, "steady state after the rollback:") || !strings.Contains(r.stdout, "plan sha256 "+p.PlanSHA256) {
		t.Errorf("the text verdict does not give the steady state and the provenance:\n%s", r.stdout)
	}
}
