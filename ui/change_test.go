package ui

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// The whole mutation path of the TUI, against the simulator: a view's key,
// its dialog, the confirmation, the gate, the registry of running changes
// and the status line.

// vmNamed returns the VM of that name in inv.
func vmNamed(t *testing.T, inv *vsphere.Inventory, name string) vsphere.VM {
	t.Helper()
	v := findVM(inv, name)
	if v.Name == "" {
		t.Fatalf("no VM %s", name)
	}
	return v
}

// select filters the VM view down to one VM and leaves the filter line.
func (l *loop) selectVM(name string) {
	l.keys(":vm", "<enter>", "/", name, "<enter>")
}

// migrateToBest opens the migrate dialog for the selected VM, chooses the
// best-ranked host and confirms.
func (l *loop) migrateToBest() {
	l.t.Helper()
	l.keys("m")
	l.until("the migrate dialog", func() bool { return l.a.dialog != nil })
	l.keys("<enter>")
	if l.a.dialog == nil || !strings.HasPrefix(l.a.dialog.Title(), "migrate ") {
		l.t.Fatalf("choosing a host did not ask to confirm:\n%s", l.a.View())
	}
	l.keys("y")
}

// powerOff opens the power menu of the selected VM, picks power-off and
// confirms.
func (l *loop) powerOff() {
	l.t.Helper()
	l.keys("p", "<enter>")
	if l.a.dialog == nil || !strings.HasPrefix(l.a.dialog.Title(), "power off ") {
		l.t.Fatalf("power-off did not ask to confirm:\n%s", l.a.View())
	}
	l.keys("y")
}

// noteText is every note of the status bar, newest first, whole: the bar
// itself is one line and cuts them at the screen's width.
func noteText(a *App) string {
	var texts []string
	for _, n := range a.notes.newestFirst() {
		texts = append(texts, n.text)
	}
	return strings.Join(texts, " │ ")
}

func idle(a *App) func() bool { return func() bool { return len(a.changes.Running()) == 0 } }

func TestTwoOverlappingChangesBothReport(t *testing.T) {
	l, srv := simApp(t, vsphere.Policy{})
	a := l.a
	srv.SetTaskDelay("RelocateVm", 300*time.Millisecond)
	from := vmNamed(t, a.inv, "app-01").Host

	l.selectVM("app-01")
	l.migrateToBest()
	l.keys("<esc>") // clear the filter
	l.selectVM("web-01")
	l.powerOff()
	if n := len(a.changes.Running()); n != 2 || !strings.Contains(a.statusBar(), "2 changes running") {
		t.Fatalf("after starting a power-off during a migration: %d running, status %q; want 2 and \"2 changes running\"", n, a.statusBar())
	}
	l.until("both changes to end", idle(a))

	notes := noteText(a)
	for _, want := range []string{"app-01: migrated to ", "web-01: powered off"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q do not report %q", notes, want)
		}
	}
	inv := inventory(t, srv)
	if v := vmNamed(t, inv, "app-01"); v.Host == from {
		t.Errorf("app-01 is still on %s; want it migrated", from)
	}
	if v := vmNamed(t, inv, "web-01"); v.PowerState != "poweredOff" {
		t.Errorf("web-01 is %s; want poweredOff", v.PowerState)
	}
}

func TestAFailedChangeIsShown(t *testing.T) {
	l, srv := simApp(t, vsphere.Policy{})
	a := l.a
	srv.FailMethod("PowerOffVM_Task", "web-01", nil)

	l.selectVM("web-01")
	l.powerOff()
	l.until("the change to end", idle(a))

	if n, ok := a.notes.by[noteKey{cause: causeChange, id: 1}]; !ok || !n.bad ||
		!strings.Contains(n.text, "power off web-01") || !strings.Contains(n.text, "SystemError") {
		t.Errorf("notes %q; want the failure, naming the VM and the fault", noteText(a))
	}
	if !strings.Contains(a.statusBar(), "power off web-01: vSphere refused") {
		t.Errorf("status %q; want the failure shown", a.statusBar())
	}
	if v := vmNamed(t, inventory(t, srv), "web-01"); v.PowerState != "poweredOn" {
		t.Errorf("web-01 is %s after a failed power-off; want poweredOn", v.PowerState)
	}
}

// TestContextSwitchMidChange: a change sent on one context is seen
// through after switching to another (a vSphere task, once started, runs
// on), its outcome is shown named by its context, and its session is
// closed after it.
func TestContextSwitchMidChange(t *testing.T) {
	lab := vspheretest.Start(t, "small")
	prod := vspheretest.Start(t, "small")
	servers := map[string]*sim.Server{"lab": lab, "prod": prod}
	var clients []*vsphere.Client
	a := New(Config{Context: "lab", Contexts: []string{"lab", "prod"}, Connect: func(ctx context.Context, name, _ string) (*vsphere.Client, error) {
		c, err := vsphere.Connect(ctx, vspheretest.Config(servers[name]))
		clients = append(clients, c) // Connect runs once at a time here
		return c, err
	}})
	l := run(t, a)
	l.until("lab to load", func() bool { return a.state == vsphere.Live && a.inv != nil })
	lab.SetTaskDelay("RelocateVm", 300*time.Millisecond)
	from := vmNamed(t, a.inv, "app-01").Host

	l.selectVM("app-01")
	l.migrateToBest()
	// Switch once the task is sent: before, the switch cancels the change
	// and nothing is sent (the gate's rule).
	l.until("the migration to start", func() bool {
		running := a.changes.Running()
		return len(running) == 1 && running[0].HasLatest && running[0].Latest.Stage != gate.StageNote
	})
	l.keys(":ctx prod", "<enter>")
	if len(a.changes.Running()) != 1 {
		t.Fatalf("after the switch %d changes run; want the migration on lab, seen through", len(a.changes.Running()))
	}
	if _, ok := a.retiring[1]; !ok {
		t.Errorf("lab's session was not kept for its running change")
	}
	l.until("prod to load and the migration to end", func() bool {
		return a.contextName == "prod" && a.state == vsphere.Live && a.inv != nil && idle(a)()
	})

	if notes := noteText(a); !strings.Contains(notes, "lab (previous context): app-01: migrated to ") {
		t.Errorf("notes %q; want the lab migration's outcome, named by its context", notes)
	}
	if v := vmNamed(t, inventory(t, lab), "app-01"); v.Host == from {
		t.Errorf("app-01 is still on %s on lab; want it migrated", from)
	}
	l.until("lab's session to close", func() bool {
		_, err := clients[0].Inventory(context.Background())
		return err != nil && len(a.retiring) == 0
	})
}

// TestPolicyInTheTUI: with a dry-run or a read-only client the TUI shows
// the badge, the confirmation says what the policy will do and shows the
// plan, and the outcome says what happened: nothing changed.
func TestPolicyInTheTUI(t *testing.T) {
	tests := []struct {
		policy  vsphere.Policy
		badge   string
		title   string // how the confirmation's title ends
		outcome []string
	}{
		{vsphere.Policy{DryRun: true}, "DRY-RUN", "? (dry run: nothing will change)",
			[]string{"would power off web-01 (dry run: nothing changed)"}},
		{vsphere.Policy{ReadOnly: true}, "READONLY", "? (read-only mode: it will be refused)",
			[]string{"power off web-01: ", "read-only mode", "nothing was sent"}},
	}
	for _, tt := range tests {
		t.Run(tt.badge, func(t *testing.T) {
			l, srv := simApp(t, tt.policy)
			a := l.a
			if !strings.Contains(a.statusBar(), tt.badge) {
				t.Errorf("status %q; want the %s badge", a.statusBar(), tt.badge)
			}
			l.selectVM("web-01")
			l.keys("p", "<enter>")
			if a.dialog == nil || !strings.HasSuffix(a.dialog.Title(), tt.title) {
				t.Fatalf("the confirmation does not end %q:\n%s", tt.title, a.View())
			}
			if screen := a.View(); !strings.Contains(screen, "• power off web-01") {
				t.Errorf("the confirmation does not show the plan:\n%s", screen)
			}
			l.keys("y")
			l.until("the change to end", idle(a))
			for _, want := range tt.outcome {
				if notes := noteText(a); !strings.Contains(notes, want) {
					t.Errorf("notes %q; want %q", notes, want)
				}
			}
			if v := vmNamed(t, inventory(t, srv), "web-01"); v.PowerState != "poweredOn" {
				t.Errorf("web-01 is %s; want poweredOn, unchanged", v.PowerState)
			}
		})
	}
}

// staleWatch is what the watch publishes when the connection drops; its
// Seq is far ahead so that the real watch's next state does not follow it.
func staleWatch(a *App) watchMsg {
	return watchMsg{gen: a.gen, update: vsphere.WatchUpdate{
		Data: a.inv, State: vsphere.Reconnecting, Err: errors.New("connection refused"),
		RetryAt: a.now().Add(time.Second), Seq: 1 << 60,
	}}
}

// TestChangesAreDisabledWhileTheDataIsStale: no change is planned from
// stale data, and a confirmation already open when the connection drops
// cannot send; the status line says why.
func TestChangesAreDisabledWhileTheDataIsStale(t *testing.T) {
	l, srv := simApp(t, vsphere.Policy{})
	a := l.a
	l.selectVM("web-01")
	l.keys("p", "<enter>") // the confirmation is open
	l.send(staleWatch(a))
	l.keys("y")
	if !strings.Contains(a.View(), "the connection is lost") || len(a.changes.Running()) != 0 {
		t.Errorf("y after the connection dropped: %d changes run, screen:\n%s\nwant none and the reason", len(a.changes.Running()), a.View())
	}
	l.keys("<esc>", "p")
	if a.dialog != nil || !strings.Contains(a.statusBar(), "changes are disabled: the connection is lost") {
		t.Errorf("p while stale opens %v, status %q; want no dialog and the reason", a.dialog, a.statusBar())
	}
	l.keys("m")
	if a.dialog != nil {
		t.Errorf("m while stale opens a dialog")
	}
	if v := vmNamed(t, inventory(t, srv), "web-01"); v.PowerState != "poweredOn" {
		t.Errorf("web-01 is %s; want poweredOn, nothing sent", v.PowerState)
	}

	// Back live, the reason goes and changes work again.
	l.send(watchMsg{gen: a.gen, update: vsphere.WatchUpdate{Data: a.inv, State: vsphere.Live, Seq: 1<<60 + 1}})
	if strings.Contains(a.statusBar(), "disabled") || strings.Contains(a.statusBar(), "connection lost") {
		t.Errorf("status %q once live; want the stale notes gone", a.statusBar())
	}
	l.keys("p")
	if a.dialog == nil {
		t.Errorf("p once live opens no dialog")
	}
}

func TestChangesAreDisabledWhileLoading(t *testing.T) {
	l, _ := simApp(t, vsphere.Policy{})
	a := l.a
	l.send(watchMsg{gen: a.gen, update: vsphere.WatchUpdate{Data: a.inv, State: vsphere.Syncing, Seq: 1 << 60}})
	l.keys("p")
	if a.dialog != nil || !strings.Contains(a.statusBar(), "still loading") {
		t.Errorf("p while loading opens %v, status %q; want no dialog and the reason", a.dialog, a.statusBar())
	}
}

// TestPowerMenuOffersWhatApplies: the power menu lists only the
// operations that would change the selection: for the suspended app-03
// power-on and power-off; for the running web-01 power-off, shutdown,
// suspend and reset.
func TestPowerMenuOffersWhatApplies(t *testing.T) {
	l, _ := simApp(t, vsphere.Policy{})
	for _, tt := range []struct {
		vm         string
		want, none []string
	}{
		{"app-03", []string{"power-on", "power-off"}, []string{"suspend", "reset", "shutdown"}},
		{"web-01", []string{"power-off", "shutdown", "suspend", "reset"}, []string{"power-on"}},
	} {
		l.selectVM(tt.vm)
		l.keys("p")
		if l.a.dialog == nil {
			t.Fatalf("p on %s opens no menu:\n%s", tt.vm, l.a.View())
		}
		s := l.a.View()
		for _, w := range tt.want {
			if !strings.Contains(s, w) {
				t.Errorf("power menu of %s lacks %s:\n%s", tt.vm, w, s)
			}
		}
		for _, n := range tt.none {
			if strings.Contains(s, n) {
				t.Errorf("power menu of %s offers %s, which does not apply:\n%s", tt.vm, n, s)
			}
		}
		l.keys("<esc>", "<esc>") // the menu, then the filter
	}
}

// TestMigrateToTheAutomaticTarget: the migrate dialog offers "auto"
// first, which plans each VM onto the best eligible host of its own
// cluster (the host ranked first), and the move is made.
func TestMigrateToTheAutomaticTarget(t *testing.T) {
	l, srv := simApp(t, vsphere.Policy{})
	l.selectVM("app-01")
	l.keys("m")
	l.until("the migrate dialog", func() bool { return l.a.dialog != nil })
	s := l.a.View()
	if !strings.Contains(s, "› auto") {
		t.Fatalf("the migrate dialog does not offer auto first:\n%s", s)
	}
	best := regexp.MustCompile(`(esx-\S+)\s+#1 `).FindStringSubmatch(s)
	if best == nil {
		t.Fatalf("no host ranked #1 in the dialog:\n%s", s)
	}
	l.keys("<enter>")
	want := "migrate app-01 from esx-a-02.lab.local to " + best[1] + "?"
	if got := dialogTitle(l.a); got != want {
		t.Fatalf("auto asks %q; want %q", got, want)
	}
	l.keys("y")
	l.until("app-01 moved", func() bool { return vmNamed(t, inventory(t, srv), "app-01").Host == best[1] })
}

// TestMigrateAcrossClustersIntoAPool: the migrate dialog lists the
// resource pools of the other clusters; choosing one moves the VM to the
// best host of that cluster, into the pool.
func TestMigrateAcrossClustersIntoAPool(t *testing.T) {
	l, srv := simApp(t, vsphere.Policy{})
	l.selectVM("app-01")
	l.keys("m")
	l.until("the migrate dialog", func() bool { return l.a.dialog != nil })
	for range 20 {
		if strings.Contains(l.a.View(), "› pool cluster-b/") {
			break
		}
		l.keys("<down>")
	}
	if !strings.Contains(l.a.View(), "› pool cluster-b/") {
		t.Fatalf("the migrate dialog offers no pool of cluster-b:\n%s", l.a.View())
	}
	l.keys("<enter>")
	if got := dialogTitle(l.a); !strings.HasPrefix(got, "migrate app-01 from esx-a-02.lab.local to esx-b-") {
		t.Fatalf("the pool of cluster-b asks %q; want a move to a host of cluster-b", got)
	}
	l.keys("y")
	l.until("app-01 in cluster-b", func() bool { return vmNamed(t, inventory(t, srv), "app-01").Cluster == "cluster-b" })
}
