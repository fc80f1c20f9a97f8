package drill

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/ha/drill"
	"github.com/vtui/vtui/ui/common"
	"github.com/vtui/vtui/vsphere"
)

func TestBuiltPlan(t *testing.T) {
	tests := []struct {
		sel       Selection
		simulated bool
		want      string // name, scenario, targets, method
	}{
		{Selection{Cluster: "cluster-a", Host: "esx-01"}, true, "host-failure-esx-01 host-failure [esx-01] sim-crash"},
		{Selection{Cluster: "cluster-a"}, true, "host-failure-cluster-a host-failure most-vms×1 sim-crash"},
		{Selection{Cluster: "cluster-a", Host: "esx-01"}, false, "evacuation-esx-01 evacuation [esx-01] evacuate"},
		{Selection{Cluster: "cluster-a"}, false, "evacuation-cluster-a evacuation most-vms×1 evacuate"},
	}
	for _, tt := range tests {
		c, err := builtPlan(tt.sel, tt.simulated)
		if err != nil {
			t.Errorf("builtPlan(%+v, simulated %t): %v", tt.sel, tt.simulated, err)
			continue
		}
		p := c.plan
		targets := fmt.Sprint(p.Targets.Hosts)
		if p.Targets.Pick != "" {
			targets = fmt.Sprintf("%s×%d", p.Targets.Pick, p.Targets.Count)
		}
		if got := fmt.Sprintf("%s %s %s %s", p.Name, p.Scenario, targets, p.Inject.Method); got != tt.want {
			t.Errorf("builtPlan(%+v, simulated %t) = %s; want %s", tt.sel, tt.simulated, got, tt.want)
		}
		if p.Cluster != "cluster-a" || p.Expect.RTO.D() != 5*time.Minute || p.Rollback != drill.RollbackAlways ||
			p.Timeout.D() != drill.DefaultTimeout || p.DetectTimeout.D() != drill.DefaultDetectTimeout {
			t.Errorf("builtPlan(%+v): %+v; want cluster-a, rto 5m, rollback always, the default timeouts", tt.sel, p)
		}
		// What the view shows is a plan file that reads back the same
		// (its keys: the file's bytes, Source, differ by the defaults).
		back, err := drill.Parse("shown.yaml", []byte(strings.Join(planLines(p), "\n")))
		gotJSON, _ := json.Marshal(back)
		wantJSON, _ := json.Marshal(p)
		if err != nil || string(gotJSON) != string(wantJSON) {
			t.Errorf("the plan shown reads back as %+v (%v); want %+v", back, err, p)
		}
	}
}

func TestPlanFilesListsOnlyPlans(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"nightly.yaml": "name: nightly\ncluster: c\nscenario: evacuation\ntargets: {hosts: [h]}\nexpect: {rto: 1m}\n",
		"broken.yaml":  "name: broken\ncluster: c\n",
		"config.yaml":  "contexts: {}\n",
		"notes.txt":    "name: nightly\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	plans, others := planFiles(context.Background(), dir)
	if len(plans) != 1 || plans[0].label != "nightly.yaml" || plans[0].plan.Name != "nightly" || others != 2 {
		t.Errorf("planFiles = %+v, %d others; want nightly.yaml, and 2 others (broken.yaml, config.yaml)", plans, others)
	}
}

func TestSameDrill(t *testing.T) {
	pre := func(targets string, vms ...string) *drill.Preflight {
		p := &drill.Preflight{}
		for _, h := range strings.Split(targets, ",") {
			p.Targets = append(p.Targets, vsphere.Host{Name: h})
		}
		for _, v := range vms {
			p.Protected = append(p.Protected, vsphere.VM{Name: v})
		}
		return p
	}
	tests := []struct {
		shown, now *drill.Preflight
		want       string // in the error; "" for none
	}{
		{pre("esx-01", "a", "b"), pre("esx-01", "b", "a"), ""},
		{pre("esx-01", "a"), pre("esx-02", "a"), "the targets are esx-02 now, not esx-01 as confirmed"},
		{pre("esx-01", "a", "b"), pre("esx-01", "a"), "the protected VMs are a now, not a, b as confirmed"},
	}
	for _, tt := range tests {
		err := sameDrill(tt.shown, tt.now)
		if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("sameDrill(%v, %v) = %v; want %q", tt.shown.Targets, tt.now.Targets, err, tt.want)
		}
	}
}

// TestFeedCoalescesAndNeverBlocks: the runner adds moments with nobody
// reading, and the reader gets every one, in order, fewer messages than
// moments, then the report.
func TestFeedCoalescesAndNeverBlocks(t *testing.T) {
	f := newFeed()
	const n = 10000
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range n {
			f.add(drill.Moment{What: fmt.Sprint(i)})
		}
		f.finish(&drill.Report{Result: drill.ResultPass})
	})
	wg.Wait() // the runner is done before anyone reads
	var got []drill.Moment
	waits := 0
	for {
		moments, rep := f.wait()
		waits++
		if rep != nil {
			if rep.Result != drill.ResultPass {
				t.Errorf("report %+v; want the one finished with", rep)
			}
			break
		}
		got = append(got, moments...)
	}
	if len(got) != n || got[0].What != "0" || got[n-1].What != fmt.Sprint(n-1) || waits != 2 {
		t.Errorf("got %d moments in %d waits; want %d in one wait, then the report", len(got), waits, n)
	}
}

// testModel is a drill view with vtui's keys and styles, and no
// connection.
func testModel(t testing.TB) *Model {
	t.Helper()
	keys, styles := common.DefaultKeyMap(), common.NewStyles(common.DefaultTheme())
	m := New(common.Common{Keys: &keys, Styles: &styles, Emit: func(tea.Msg) { t.Errorf("the drill view emitted to the root") }},
		func() Conn { return Conn{Ctx: context.Background()} })
	m.SetSize(80, 23)
	return m
}

// do runs cmd and hands its message to m, as the root would.
func do(m *Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			do(m, c)
		}
	case Msg:
		if _, spin := msg.(spinMsg); !spin {
			do(m, m.Update(msg))
		}
	}
}

func press(m *Model, keys ...tea.KeyMsg) {
	for _, k := range keys {
		do(m, m.Update(k))
	}
}

func runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

// TestChoosingAPlan: arrows move among the plans, typing goes to the
// path, a bad path or plan says why with its line, a good one shows the
// plan, esc goes back and closes.
func TestChoosingAPlan(t *testing.T) {
	t.Chdir(t.TempDir())
	for name, text := range map[string]string{
		"bad.yaml":  "name: bad\ncluster: c\nscenario: host-failure\ntargets: {hosts: [h]}\nexpect: {rto: 5 minutes}\n",
		"good.yaml": "name: good\ncluster: c\nscenario: evacuation\ntargets: {hosts: [h]}\nexpect: {rto: 1m}\n",
	} {
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m := testModel(t)
	do(m, m.Open(Selection{}))
	if !m.Shown() || len(m.choices) != 1 || m.cursor != 0 {
		t.Fatalf("after Open: shown %t, %d choices, cursor %d; want good.yaml offered and chosen", m.Shown(), len(m.choices), m.cursor)
	}
	press(m, tea.KeyMsg{Type: tea.KeyDown})
	press(m, runes("bad.yaml"), tea.KeyMsg{Type: tea.KeyEnter})
	if !strings.Contains(m.note, "bad.yaml:5:15: expect.rto: \"5 minutes\" is not a duration") || m.phase != phaseChoose {
		t.Errorf("a bad plan typed in: note %q, phase %d; want its line, column and key, still choosing", m.note, m.phase)
	}
	press(m, tea.KeyMsg{Type: tea.KeyUp}, tea.KeyMsg{Type: tea.KeyEnter})
	if m.phase != phasePlan || m.chosen.plan.Name != "good" || !strings.Contains(m.View(), "scenario: evacuation") {
		t.Errorf("enter on good.yaml: phase %d, plan %q; want it shown:\n%s", m.phase, m.chosen.plan.Name, m.View())
	}
	press(m, tea.KeyMsg{Type: tea.KeyEnter})
	if !strings.Contains(m.note, "not connected") || m.phase != phasePlan {
		t.Errorf("a preflight without a connection: note %q; want it refused, saying why", m.note)
	}
	press(m, tea.KeyMsg{Type: tea.KeyEsc})
	if m.phase != phaseChoose {
		t.Errorf("esc on the plan: phase %d; want the choice again", m.phase)
	}
	press(m, tea.KeyMsg{Type: tea.KeyEsc})
	if m.Shown() {
		t.Errorf("esc on the choice left the view open")
	}
}

// TestTheChosenPlanStaysInView: on a short screen, the list scrolls to
// keep the cursor's plan, or the path input, in view.
func TestTheChosenPlanStaysInView(t *testing.T) {
	t.Chdir(t.TempDir())
	for i := range 6 {
		plan := fmt.Sprintf("name: p%d\ncluster: c\nscenario: evacuation\ntargets: {hosts: [h]}\nexpect: {rto: 1m}\n", i)
		if err := os.WriteFile(fmt.Sprintf("p%d.yaml", i), []byte(plan), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m := testModel(t)
	m.SetSize(60, 8) // three lines of content
	do(m, m.Open(Selection{}))
	for i := range 6 {
		press(m, tea.KeyMsg{Type: tea.KeyDown})
		want := "› file:"
		if i < 5 {
			want = fmt.Sprintf("› p%d.yaml", i+1)
		}
		if !strings.Contains(m.View(), want) {
			t.Fatalf("after %d downs the screen does not show %q:\n%s", i+1, want, m.View())
		}
	}
	for range 6 {
		press(m, tea.KeyMsg{Type: tea.KeyUp})
	}
	if !strings.Contains(m.View(), "› p0.yaml") {
		t.Errorf("back up, the screen does not show p0.yaml chosen:\n%s", m.View())
	}
}

// TestAnAbortWhileTheDrillStartsStopsIt: Ctrl-C and yes before the drill
// has started cancel it as soon as it has.
func TestAnAbortWhileTheDrillStartsStopsIt(t *testing.T) {
	m := testModel(t)
	m.phase, m.seq, m.pre = phaseRunning, 1, &drill.Preflight{}
	m.live = drill.NewLive(m.pre)
	press(m, runes("q"), runes("y"))
	cancelled := false
	m.Update(startedMsg{seq: 1, run: &run{journal: "d.journal", cancel: func() { cancelled = true }, feed: newFeed()}})
	if !cancelled || !m.aborting {
		t.Errorf("after an abort asked while starting: cancelled %t, aborting %t; want the run cancelled", cancelled, m.aborting)
	}
}

func TestWrapAndAlign(t *testing.T) {
	wraps := []struct {
		text               string
		width, first, rest int
		want               string
	}{
		{"a bb ccc dddd", 8, 2, 4, "  a bb|    ccc|    dddd"},
		{"short", 80, 0, 2, "short"},
		{"averyveryverylongword fits alone", 10, 0, 0, "averyveryverylongword|fits alone"},
	}
	for _, tt := range wraps {
		if got := strings.Join(wrapText(tt.text, tt.width, tt.first, tt.rest), "|"); got != tt.want {
			t.Errorf("wrapText(%q, %d, %d, %d) = %q; want %q", tt.text, tt.width, tt.first, tt.rest, got, tt.want)
		}
	}
	rows := [][]string{{"pass", "ha", "enabled"}, {"FAIL", "admission-control", "admission control is disabled on cluster-b, so no capacity is reserved"}}
	want := "pass  ha                 enabled|" +
		"FAIL  admission-control  admission control is disabled on|" +
		"                         cluster-b, so no capacity is|" +
		"                         reserved"
	if got := strings.Join(align(rows, 57), "|"); got != want {
		t.Errorf("align(%q, 57) =\n%q; want\n%q", rows, got, want)
	}
}

// TestTheRollbackClaimsEqualityOnlyWhenNothingWasKept is the TUI's face
// of the rule drill rollback's output follows: the drill's changes undone
// with others' kept is not "equals the baseline", and the kept changes are
// named.
func TestTheRollbackClaimsEqualityOnlyWhenNothingWasKept(t *testing.T) {
	styles := common.NewStyles(common.DefaultTheme())
	kept := []drill.OutsideChange{{Object: "vm app-03", What: "poweredOff, was poweredOn", User: "jane", Time: time.Date(2026, 12, 7, 3, 0, 8, 0, time.UTC), Event: "VmPoweredOffEvent"}}
	for _, tt := range []struct {
		rb          drill.RollbackReport
		want, never string
	}{
		{drill.RollbackReport{OK: true}, "equals the baseline", "Warning"},
		{drill.RollbackReport{OK: true, Outside: kept}, "vm app-03: poweredOff, was poweredOn, by jane at 2026-12-07T03:00:08Z", "equals the baseline"},
		{drill.RollbackReport{Diffs: []string{"vm web-01: on esx-a-02, was on esx-a-01"}}, "1 of the drill's changes not undone", "equals the baseline"},
	} {
		got := strings.Join(rollbackLines(&styles, 200, tt.rb), "\n")
		if !strings.Contains(got, tt.want) || strings.Contains(got, tt.never) {
			t.Errorf("rollback %+v shows:\n%s\nwant %q, never %q", tt.rb, got, tt.want, tt.never)
		}
	}
}
