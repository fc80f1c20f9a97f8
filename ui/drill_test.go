package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	hadrill "github.com/vtui/vtui/ha/drill"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/drillkit"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// The drill view, driven from :drill against the embedded simulator,
// whose HA declares a crashed host failed after detect.

// drillApp runs the UI on a small simulator with HA emulated, through a
// client with policy p, in a directory of the test's own, which is also
// XDG_STATE_HOME: the view lists the plans there and writes its journal
// and reports in drillsDir(dir).
func drillApp(t *testing.T, p vsphere.Policy, detect time.Duration) (*loop, *sim.Server, string) {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("XDG_STATE_HOME", dir)
	srv := vspheretest.StartWith(t, "small", sim.Options{HA: sim.HAOptions{DetectDelay: detect}})
	return simAppAs(t, srv, p, Config{Context: "lab", Contexts: []string{"lab"}, BMCPassword: envBMCPassword}), srv, dir
}

// envBMCPassword reads a plan's BMC password from the variable it
// names, as vtui's own reader does (cmd/vtui).
func envBMCPassword(_ context.Context, b hadrill.BMC) (string, error) {
	if v, ok := os.LookupEnv(b.PasswordEnv); ok && b.PasswordEnv != "" {
		return v, nil
	}
	return "", fmt.Errorf("password-env %q is not set", b.PasswordEnv)
}

// drillsDir is where drills write by default under the state directory
// dir.
func drillsDir(dir string) string { return filepath.Join(dir, "vtui", "drills") }

// screenHas waits until the screen shows want.
func (l *loop) screenHas(want string) {
	l.t.Helper()
	l.until(fmt.Sprintf("the screen to show %q", want), func() bool { return strings.Contains(l.a.View(), want) })
}

// preflightOfHost opens the drill view on the first host of the host
// view, takes the plan built from it and runs its preflight.
func (l *loop) preflightOfHost() {
	l.t.Helper()
	l.keys(":host", "<enter>", ":drill", "<enter>")
	l.screenHas("› built")
	l.keys("<enter>")
	l.screenHas("enter runs its preflight")
	l.keys("<enter>")
	l.screenHas("The preflight ")
}

// runDrill confirms the drill from its preflight screen and waits for
// its verdict.
func (l *loop) runDrill() {
	l.t.Helper()
	l.keys("<enter>")
	if d := l.a.drill.View(); !strings.Contains(d, "crash esx-a-01.lab.local of cluster-a, with ") {
		l.t.Fatalf("enter on a passed preflight did not ask to crash esx-a-01.lab.local:\n%s", d)
	}
	l.keys("y")
	l.screenHas("Rollback: ")
}

// clusterState is what a rollback must restore: where every VM is and
// whether it runs, each host's state, and each cluster's drill lock.
func clusterState(t *testing.T, srv *sim.Server) map[string]string {
	t.Helper()
	c := vspheretest.Connect(t, srv)
	out := vspheretest.State(t, c)
	inv, err := c.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, cl := range inv.Clusters {
		lock, err := drillkit.ReadLock(context.Background(), c, cl.Ref)
		if err != nil {
			t.Fatal(err)
		}
		out["lock "+cl.Name] = fmt.Sprintf("free=%t", lock.Free(time.Now()))
	}
	return out
}

// crashes counts the hosts vCenter lost the connection to: the mark of an
// injection.
func crashes(t *testing.T, srv *sim.Server) int {
	t.Helper()
	events, err := vspheretest.Connect(t, srv).Events(context.Background(), 100, "HostConnectionLostEvent")
	if err != nil {
		t.Fatal(err)
	}
	return len(events)
}

var (
	seconds = regexp.MustCompile(`[+-]?\d+\.\d+s\b`)
	stamp   = regexp.MustCompile(`\d{8}T\d{6}Z`)
	moments = regexp.MustCompile(`Timeline: \d+ moments`)
	varying = regexp.MustCompile(`\d+ms\b|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ|observed \d+`)
)

// normalize takes out of a screen what changes from run to run: times
// and durations, the temporary directory, the simulator's port, the
// number of changes observed, and the number and order of
// the timeline's moments (they follow vCenter's clock, and vCenter may
// coalesce changes), shown as a sorted set.
func normalize(screen, dir string) string {
	screen = strings.ReplaceAll(screen, dir, "DIR")
	screen = seconds.ReplaceAllString(screen, "N.NNs")
	screen = stamp.ReplaceAllString(screen, "TIMESTAMP")
	screen = port.ReplaceAllString(screen, "127.0.0.1:PORT")
	screen = moments.ReplaceAllString(screen, "Timeline: N moments")
	screen = varying.ReplaceAllStringFunc(screen, func(s string) string {
		switch {
		case strings.HasSuffix(s, "ms"):
			return "Nms"
		case strings.HasPrefix(s, "observed"):
			return "observed N"
		}
		return "TIME"
	})
	lines := strings.Split(screen, "\n")
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "     N.NNs ") {
			continue
		}
		j := i
		for j < len(lines) && strings.HasPrefix(lines[j], "     N.NNs ") {
			j++
		}
		block := slices.Compact(slices.Sorted(slices.Values(lines[i:j])))
		lines = slices.Replace(lines, i, j, block...)
		i += len(block)
	}
	return strings.Join(lines, "\n")
}

// TestDrillScreens runs a drill from the TUI and compares its screens
// with their goldens: the plans offered (one built from the selected
// host, the plan file of the directory, not its other YAML file), the
// preflight and the result, tall enough to show the whole timeline.
func TestDrillScreens(t *testing.T) {
	l, _, dir := drillApp(t, vsphere.Policy{}, 100*time.Millisecond)
	for name, text := range map[string]string{
		"nightly.yaml": "name: nightly\ncluster: cluster-a\nscenario: host-failure\ntargets: {pick: most-vms, count: 1}\n" +
			"expect: {rto: 2m}\ninject: {method: sim-crash}\n",
		"config.yaml": "contexts: {}\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l.keys(":host", "<enter>", ":drill", "<enter>")
	l.screenHas("› built")
	assertScreen(t, "drill-choose", normalize(l.a.View(), dir))
	l.keys("<enter>")
	l.screenHas("enter runs its preflight")
	l.keys("<enter>")
	l.screenHas("The preflight passed")
	assertScreen(t, "drill-preflight", normalize(l.a.View(), dir))
	l.fitsEverySize()
	l.runDrill()
	l.send(tea.WindowSizeMsg{Width: 120, Height: 60})
	assertScreen(t, "drill-result", normalize(l.a.View(), dir))
	l.fitsEverySize()
}

// fitsEverySize checks the screen fits from the minimum size up, then
// sets it back to 120×30.
func (l *loop) fitsEverySize() {
	l.t.Helper()
	for _, size := range [][2]int{{minWidth, minHeight}, {80, 24}, {120, 30}} {
		l.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		screenFits(l.t, l.a.View(), size[0], size[1])
	}
}

// TestDrillFromTheTUIPassesAndRollsBack runs the drill built from a host
// to a pass, then checks the cluster is as it was, the journal ended, and
// w wrote the three reports.
func TestDrillFromTheTUIPassesAndRollsBack(t *testing.T) {
	l, srv, dir := drillApp(t, vsphere.Policy{}, 100*time.Millisecond)
	before := clusterState(t, srv)
	l.preflightOfHost()
	l.runDrill()
	if s := l.a.View(); !strings.Contains(s, "PASS: drill host-failure-esx-a-01.lab.local on cluster-a") ||
		!strings.Contains(s, "Rollback: ok, the cluster equals the baseline") {
		t.Fatalf("the drill did not pass and roll back:\n%s", s)
	}
	if crashes(t, srv) == 0 {
		t.Errorf("the drill passed without crashing a host")
	}
	vspheretest.SameState(t, "after the drill", clusterState(t, srv), before)

	journals, _ := filepath.Glob(filepath.Join(drillsDir(dir), "host-failure-esx-a-01.lab.local-*.journal"))
	if len(journals) != 1 {
		t.Fatalf("journals in %s: %v; want one", drillsDir(dir), journals)
	}
	if data, err := os.ReadFile(journals[0]); err != nil || !strings.Contains(string(data), `"step":"end","result":"pass"`) {
		t.Errorf("the journal does not end with the pass (%v):\n%s", err, data)
	}
	l.keys("w")
	l.screenHas("Reports: host-failure")
	base := strings.TrimSuffix(journals[0], ".journal")
	var rep struct{ Result string }
	if data, err := os.ReadFile(base + ".json"); err != nil || json.Unmarshal(data, &rep) != nil || rep.Result != "pass" {
		t.Errorf("the JSON report: %v, result %q; want pass", err, rep.Result)
	}
	for _, ext := range []string{".junit.xml", ".md"} {
		if _, err := os.Stat(base + ext); err != nil {
			t.Errorf("the %s report was not written: %v", ext, err)
		}
	}
}

// runningDrill starts a drill from the UI that is still running when it
// returns: HA takes a minute to declare the host failed. It returns what
// drillApp does, and the cluster's state before the drill.
func runningDrill(t *testing.T) (*loop, *sim.Server, string, map[string]string) {
	t.Helper()
	l, srv, dir := drillApp(t, vsphere.Policy{}, time.Minute)
	before := clusterState(t, srv)
	l.preflightOfHost()
	l.keys("<enter>", "y")
	l.screenHas("down since")
	return l, srv, dir, before
}

// TestDrillFromTheTUIReadsTheBMCPasswordWhereThePlanSays: a plan that
// powers its target off through the simulator's Redfish BMCs, with the
// password in the variable the plan names, passes its preflight in the
// drill view, runs, and rolls back; the password shows nowhere on screen.
func TestDrillFromTheTUIReadsTheBMCPasswordWhereThePlanSays(t *testing.T) {
	l, srv, dir := drillApp(t, vsphere.Policy{}, 100*time.Millisecond)
	t.Setenv("VTUI_UI_TEST_BMC_PW", srv.Password)
	plan := "name: bmc\ncluster: cluster-a\nscenario: host-failure\ntargets: {hosts: [esx-a-01.lab.local]}\nexpect: {rto: 2m}\n" +
		"inject: {method: redfish, bmc: {address: simulator, username: " + srv.Username + ", password-env: VTUI_UI_TEST_BMC_PW}}\n"
	if err := os.WriteFile(filepath.Join(dir, "bmc.yaml"), []byte(plan), 0o600); err != nil {
		t.Fatal(err)
	}
	before := clusterState(t, srv)
	l.keys(":drill", "<enter>")
	l.screenHas("bmc.yaml")
	l.keys("bmc.yaml", "<enter>")
	l.screenHas("enter runs its preflight")
	l.keys("<enter>")
	l.screenHas("The preflight ")
	if s := l.a.View(); !strings.Contains(s, "The preflight passed") {
		t.Fatalf("the preflight of a plan whose BMC password is in its variable did not pass:\n%s", s)
	}
	l.keys("<enter>", "y")
	l.screenHas("Rollback: ")
	if s := l.a.View(); !strings.Contains(s, "PASS: drill bmc on cluster-a") || !strings.Contains(s, "Rollback: ok") {
		t.Fatalf("the drill through the BMCs did not pass and roll back:\n%s", s)
	}
	if strings.Contains(l.a.View(), srv.Password) {
		t.Error("the BMC password shows on screen")
	}
	vspheretest.SameState(t, "after the drill", clusterState(t, srv), before)
}

// TestDrillAbortAsksThenRollsBack: while the drill runs, q and esc ask
// before aborting, naming the drill's hosts, "no" lets it run on, and "yes" interrupts
// it and rolls back.
func TestDrillAbortAsksThenRollsBack(t *testing.T) {
	l, srv, _, before := runningDrill(t)
	for _, k := range []string{"q", "<esc>"} {
		l.keys(k)
		if d := l.a.drill.View(); !strings.Contains(d, "abort the drill on esx-a-01.lab.local and roll back?") {
			t.Fatalf("%s during a drill did not ask before aborting:\n%s", k, d)
		}
		l.keys("n")
		if s := l.a.View(); !strings.Contains(s, "running: crash esx-a-01.lab.local") {
			t.Fatalf("after %s and no, the drill is not running on:\n%s", k, s)
		}
	}
	l.keys("q", "y")
	l.screenHas("Rollback: ")
	if s := l.a.View(); !strings.Contains(s, "INTERRUPTED: drill") || !strings.Contains(s, "Rollback: ok, the cluster equals the baseline") {
		t.Fatalf("the aborted drill is not interrupted and rolled back:\n%s", s)
	}
	vspheretest.SameState(t, "after the abort", clusterState(t, srv), before)
}

// TestDrillRunningWhenTheUIEndsRollsBack: a signal ends the program with
// the drill running; Close, which vtui calls then, cancels the drill and
// returns only once it rolled back and ended its journal, as the CLI's
// drill does on a signal.
func TestDrillRunningWhenTheUIEndsRollsBack(t *testing.T) {
	l, srv, dir, before := runningDrill(t)
	journal, ok := l.a.DrillRunning()
	if !ok || filepath.Dir(journal) != drillsDir(dir) {
		t.Fatalf("DrillRunning() = %q, %v; want a journal in %s, true", journal, ok, drillsDir(dir))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := l.a.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Fatal("Close did not return within a minute")
	}
	if data, err := os.ReadFile(journal); err != nil || !strings.Contains(string(data), `"step":"rollback"`) || !strings.Contains(string(data), `"step":"end"`) {
		t.Errorf("when Close returned, the journal had no rollback and end (%v):\n%s", err, data)
	}
	vspheretest.SameState(t, "after Close", clusterState(t, srv), before)
}

// TestDrillPolicyInjectsNothing: with --dry-run the view stops after the
// preflight, saying what it would do; with --readonly the preflight's
// policy check refuses. Either way enter asks nothing, and no host is
// crashed, no journal written, no lock taken.
func TestDrillPolicyInjectsNothing(t *testing.T) {
	tests := []struct {
		policy vsphere.Policy
		screen []string
	}{
		{vsphere.Policy{DryRun: true}, []string{"dry run: would crash esx-a-01.lab.local of cluster-a, with ", "; nothing was changed"}},
		{vsphere.Policy{ReadOnly: true}, []string{"The preflight refused the drill: 1 of 10 checks failed", "read-only mode: a drill fails hosts and moves VMs"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%+v", tt.policy), func(t *testing.T) {
			l, srv, dir := drillApp(t, tt.policy, 100*time.Millisecond)
			before := clusterState(t, srv)
			l.preflightOfHost()
			screen := l.a.View()
			for _, want := range tt.screen {
				if !strings.Contains(screen, want) {
					t.Errorf("the preflight screen does not say %q:\n%s", want, screen)
				}
			}
			l.keys("<enter>", "y")
			if d := l.a.drill.View(); strings.Contains(d, "protected VMs?") || strings.Contains(d, "running:") {
				t.Errorf("enter went on past the preflight:\n%s", d)
			}
			if n := crashes(t, srv); n != 0 {
				t.Errorf("%d hosts crashed", n)
			}
			if files, _ := filepath.Glob(filepath.Join(drillsDir(dir), "*.journal")); len(files) != 0 {
				t.Errorf("journals written: %v", files)
			}
			vspheretest.SameState(t, "after the preflight", clusterState(t, srv), before)
		})
	}
}

// TestDrillRefusesAPlanOfAnotherContext: a plan whose context is not the
// current connection's, or any context while the UI is on a vCenter the
// command line named, is refused before its preflight, as drill run
// refuses it (drill.CheckContext), saying what to do; nothing is checked,
// journaled or injected. A plan without a context, or of the current
// one, runs its preflight.
func TestDrillRefusesAPlanOfAnotherContext(t *testing.T) {
	lab := Config{Context: "lab", Contexts: []string{"lab", "prod"}}
	onSim := Config{Context: "simulator:small", Origin: "--simulator", Contexts: []string{"simulator:small", "lab"}}
	tests := []struct {
		cfg     Config
		plan    string // the plan's context
		refusal string // "" when the preflight runs
	}{
		{lab, "", ""},
		{lab, "lab", ""},
		{onSim, "", ""},
		{lab, "prod", `the plan names context "prod", and the current connection is on context "lab": ` +
			`remove "context: prod" from the plan to use the current connection, or close the view and switch with :ctx prod to use context prod`},
		{onSim, "lab", `the plan names context "lab", and the current connection is on simulator:small (named by --simulator, not a context): ` +
			`remove "context: lab" from the plan to use the current connection, or close the view and switch with :ctx lab to use context lab`},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %s plan %q", tt.cfg.Context, tt.cfg.Origin, tt.plan), func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			srv := vspheretest.StartWith(t, "small", sim.Options{HA: sim.HAOptions{DetectDelay: 100 * time.Millisecond}})
			l := simAppAs(t, srv, vsphere.Policy{}, tt.cfg)
			text := "name: nightly\ncluster: cluster-a\nscenario: host-failure\ntargets: {hosts: [esx-a-01.lab.local]}\n" +
				"expect: {rto: 2m}\ninject: {method: sim-crash}\n"
			if tt.plan != "" {
				text += "context: " + tt.plan + "\n"
			}
			if err := os.WriteFile(filepath.Join(dir, "nightly.yaml"), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			before := clusterState(t, srv)
			l.keys(":drill", "<enter>")
			l.screenHas("› nightly.yaml")
			l.keys("<enter>")
			l.screenHas("enter runs its preflight")
			l.keys("<enter>")
			if tt.refusal == "" {
				l.screenHas("The preflight passed")
				return
			}
			if d := l.a.drill.View(); !strings.Contains(strings.Join(strings.Fields(d), " "), tt.refusal) || strings.Contains(d, "The preflight") {
				t.Errorf("the drill view does not refuse the plan, saying %q, before its preflight:\n%s", tt.refusal, d)
			}
			l.keys("<enter>", "y") // again, and a yes to whatever it might ask
			if n := crashes(t, srv); n != 0 {
				t.Errorf("%d hosts crashed", n)
			}
			if files, _ := filepath.Glob(filepath.Join(dir, "*.journal")); len(files) != 0 {
				t.Errorf("journals written: %v", files)
			}
			vspheretest.SameState(t, "after the refusal", clusterState(t, srv), before)
		})
	}
}

// TestDrillViewShowsTheClusterHistory runs a drill from the UI and keeps
// its reports (w), adds two earlier runs of the same plan on the same
// vCenter (one lost a VM) and runs elsewhere, then opens the drill view
// on the cluster again: below the plans it shows that plan's 3 runs, its
// pass rate, its RTO statistics over the 2 runs that measured one, the
// RTO trend and the last failure, and nothing of the other cluster or
// vCenter.
func TestDrillViewShowsTheClusterHistory(t *testing.T) {
	l, _, dir := drillApp(t, vsphere.Policy{}, 100*time.Millisecond)
	l.preflightOfHost()
	l.runDrill()
	l.keys("w")
	l.screenHas("Reports: host-failure")
	reports, _ := filepath.Glob(filepath.Join(drillsDir(dir), "host-failure-esx-a-01.lab.local-*.json"))
	if len(reports) != 1 {
		t.Fatalf("reports: %v; want one", reports)
	}
	data, err := os.ReadFile(reports[0])
	if err != nil {
		t.Fatal(err)
	}
	// earlier writes the report of the drill with changes, as a run of
	// days before.
	earlier := func(name string, days int, change map[string]any) {
		var rep map[string]any
		if err := json.Unmarshal(data, &rep); err != nil {
			t.Fatal(err)
		}
		started, _ := time.Parse(time.RFC3339Nano, rep["started"].(string))
		rep["started"] = started.AddDate(0, 0, -days)
		maps.Copy(rep, change)
		out, _ := json.Marshal(rep)
		if err := os.WriteFile(filepath.Join(drillsDir(dir), name), out, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	earlier("lost.json", 1, map[string]any{"result": "fail", "lost": 1, "reasons": []string{"1 protected VM lost (expect.lost is 0): vm-x"}})
	earlier("slow.json", 2, map[string]any{"rto_seconds": 99.5})
	earlier("other-cluster.json", 3, map[string]any{"cluster": "cluster-b"})
	earlier("other-vcenter.json", 4, map[string]any{"vcenter": map[string]string{"instance_uuid": "another", "url": "https://vc.example.com/sdk"}})

	l.keys("<esc>", ":drill", "<enter>")
	l.screenHas("Drill history of cluster-a on this vCenter")
	screen := l.a.View()
	for _, want := range []*regexp.Regexp{
		// The slow run is the oldest measured, the tallest column; the
		// drill run here, a second or so, the newest.
		regexp.MustCompile(`\n  host-failure-esx-a-01\.lab\.local: 3 runs, 67% passed; RTO median \d+\.\ds, p95 99\.5s, max 99\.5s \(of 2 measured\)  █`),
		regexp.MustCompile(`\n    last failure \d{4}-\d\d-\d\d \d\d:\d\dZ: 1 protected VM lost \(expect\.lost is 0\): vm-x\n`),
	} {
		if !want.MatchString(screen) {
			t.Errorf("the drill view does not show %s:\n%s", want, screen)
		}
	}
	if strings.Count(screen, "host-failure-esx-a-01.lab.local: ") != 1 {
		t.Errorf("the drill view shows runs of another cluster or vCenter:\n%s", screen)
	}
	l.fitsEverySize()
}
