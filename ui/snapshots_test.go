package ui

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// takeSnapshots takes, through the gate as another client would, the
// snapshots s1 then s2 (under s1, current) of web-01, and s1 of db-01.
func takeSnapshots(t *testing.T, c *vsphere.Client) {
	t.Helper()
	ctx := context.Background()
	for _, step := range []struct{ vm, name string }{{"web-01", "s1"}, {"web-01", "s2"}, {"db-01", "s1"}} {
		inv, err := c.Inventory(ctx)
		if err != nil {
			t.Fatal(err)
		}
		a := gate.NewPlanner(inv, nil, nil).CreateSnapshot(findVM(inv, step.vm).Ref, gate.SnapshotSpec{Name: step.name, Description: "before " + step.name})
		if r := gate.NewGate(c).Do(ctx, a, nil); r.Status != gate.StatusOK {
			t.Fatalf("%s: %s", a, r.Message)
		}
	}
}

// snapshotApp is an App at 120×30 showing the small preset with
// takeSnapshots' snapshots, as if connected.
func snapshotApp(t *testing.T) *App {
	t.Helper()
	_, c := startSmall(t)
	takeSnapshots(t, c)
	inv, err := c.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	a := loadedApp(t)
	a.Update(watchMsg{gen: a.gen, update: vsphere.WatchUpdate{Data: inv, State: vsphere.Live, Seq: 2}})
	return a
}

// times are the snapshots' creation times, which the goldens mask.
var times = regexp.MustCompile(`\d{4}-\d\d-\d\d( \d\d:\d\d)?`)

func assertSnapshotScreen(t *testing.T, name, screen string) {
	t.Helper()
	assertScreen(t, name, times.ReplaceAllStringFunc(screen, func(s string) string { return strings.Repeat("#", len(s)) }))
}

// TestScreensSnapshots shows :snapshot (every VM's snapshots, the current
// one marked, sizes not loaded by the live list) and the VM detail's
// snapshot tree.
func TestScreensSnapshots(t *testing.T) {
	a := snapshotApp(t)
	keys(a, ":snapshot", "<enter>")
	assertSnapshotScreen(t, "snapshots", a.View())
	keys(a, ":vm", "<enter>", "/", "web-01", "<enter>", "d")
	assertSnapshotScreen(t, "detail-vm-snapshots", a.View())
}

// TestSnapshotKeysConfirmNamingTheVMAndTheSnapshot: s in the VM view, r
// and x in :snapshot open a confirmation that names the VM and the
// snapshot.
func TestSnapshotKeysConfirmNamingTheVMAndTheSnapshot(t *testing.T) {
	a := snapshotApp(t)
	a.client = vspheretest.Connect(t, vspheretest.Start(t, "small")) // the policy the confirmation reads
	for _, tt := range []struct {
		keys []string
		want string
	}{
		{[]string{"/", "web-01", "<enter>", "s"}, `take snapshot "vtui-20261125-120000" of web-01`},
		{[]string{":snapshot", "<enter>", "/", "s2", "<enter>", "r"}, `revert web-01 to snapshot "s2"`},
		{[]string{":snapshot", "<enter>", "/", "db-01", "<enter>", "<ctrl+d>"}, `remove snapshot "s1" of db-01`},
	} {
		keys(a, tt.keys...)
		if screen := a.View(); !strings.Contains(screen, tt.want) {
			t.Errorf("after %q the screen lacks %q:\n%s", tt.keys, tt.want, screen)
		}
		a.Update(tea.KeyMsg{Type: tea.KeyEsc})
		keys(a, "<esc>", "<esc>", ":vm", "<enter>")
	}
}

// TestLiveSnapshotShowsInTheSnapshotView runs the whole program against
// the simulator, opens :snapshot, and has another client take a snapshot:
// it shows with no key pressed. The bound is generous; the latency is
// logged.
func TestLiveSnapshotShowsInTheSnapshotView(t *testing.T) {
	srv, admin := startSmall(t)
	app := New(Config{Context: "sim", Contexts: []string{"sim"}, Connect: func(ctx context.Context, _, _ string) (*vsphere.Client, error) {
		return vsphere.Connect(ctx, vspheretest.Config(srv))
	}})
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(120, 30))
	waitScreen(t, tm.Output(), "12 VMs")
	tm.Type(":snapshot")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitScreen(t, tm.Output(), "vtui snapshots")
	start := time.Now()
	takeSnapshots(t, admin)
	waitRows(t, tm.Output(), regexp.MustCompile(`web-01 +s2 \*`), regexp.MustCompile(`db-01 +s1 \*`))
	t.Logf("snapshots taken by another client showed %v after the first was started", time.Since(start))
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*App)
	if err := final.Close(context.Background()); err != nil {
		t.Errorf("Close: %v", err)
	}
}
