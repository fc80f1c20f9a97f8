package ui

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/internal/kinds"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// fleetSims is three simulators, each a small preset of its own, as the
// contexts lab (the current one), prod and dr; logins counts each
// context's logins.
type fleetSims struct {
	srv    map[string]*sim.Server
	mu     sync.Mutex
	logins map[string]int
}

func (f *fleetSims) loginsTo(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logins[name]
}

// fleetApp runs the UI on lab with prod and dr configured, and waits for
// lab's inventory. Extra contexts in cfg log in through cfg.Connect.
func fleetApp(t *testing.T, extra ...string) (*loop, *fleetSims) {
	t.Helper()
	f := &fleetSims{srv: map[string]*sim.Server{}, logins: map[string]int{}}
	for _, name := range []string{"lab", "prod", "dr"} {
		f.srv[name] = vspheretest.Start(t, "small")
	}
	a := New(Config{Context: "lab", Contexts: append([]string{"lab", "prod", "dr"}, extra...),
		Connect: func(ctx context.Context, name, password string) (*vsphere.Client, error) {
			f.mu.Lock()
			f.logins[name]++
			f.mu.Unlock()
			if name == "slow" { // a vCenter that never answers the login
				<-ctx.Done()
				return nil, ctx.Err()
			}
			if name == "qa" { // no password source: the UI must ask (qa is prod's vCenter)
				if password == "" {
					return nil, fmt.Errorf("%w: qa has no password-env or password-file", ErrPasswordRequired)
				}
				cfg := vspheretest.Config(f.srv["prod"])
				cfg.Password = password
				return vsphere.Connect(ctx, cfg)
			}
			return vsphere.Connect(ctx, vspheretest.Config(f.srv[name]))
		}})
	l := run(t, a)
	l.until("lab's inventory", func() bool { return a.state == vsphere.Live && a.inv != nil })
	return l, f
}

// live says whether every named member's watch is live.
func (l *loop) live(names ...string) func() bool {
	return func() bool {
		for _, n := range names {
			if m := l.a.fleet.members[n]; m == nil || m.phase != phaseLive {
				return false
			}
		}
		return true
	}
}

// powerOffIn powers the VM off in srv, through a client of the test's
// own, as an admin elsewhere would.
func powerOffIn(t *testing.T, srv *sim.Server, vm string) {
	t.Helper()
	admin := vspheretest.Connect(t, srv)
	inv, err := admin.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p := gate.NewPlanner(inv, nil, nil)
	if sum := gate.NewGate(admin).Run(context.Background(), []gate.Action{p.Power(vmNamed(t, inv, vm).Ref, gate.OpPowerOff)}, gate.RunOptions{}); sum.Err() != nil {
		t.Fatalf("power off %s: %v", vm, sum.Err())
	}
}

// rowsOf returns the view's lines that start with context's name.
func rowsOf(screen, context string) []string {
	var out []string
	for _, line := range strings.Split(screen, "\n") {
		if strings.HasPrefix(line, context+" ") {
			out = append(out, line)
		}
	}
	return out
}

// TestViewAcrossContextsLiveWithOneStopped: :vm @all lists the VMs of
// three simulators with a CONTEXT column, each context's count in the
// status bar, while a fourth context's login hangs; once one simulator
// stops, its rows go, the status bar gives its error, the keys still
// act, and a change made in another context shows live, without a key.
func TestViewAcrossContextsLiveWithOneStopped(t *testing.T) {
	l, f := fleetApp(t, "slow")
	l.keys(":vm @all", "<enter>")
	l.until("prod and dr live", l.live("prod", "dr"))
	s := l.a.View()
	if !regexp.MustCompile(`(?m)^CONTEXT +NAME\S* +POWER`).MatchString(s) {
		t.Errorf("no CONTEXT column first:\n%s", s)
	}
	for _, c := range []string{"lab", "prod", "dr"} {
		if n := len(rowsOf(s, c)); n == 0 {
			t.Errorf("no row of %s:\n%s", c, s)
		}
	}
	for _, want := range []string{"vms @all [36]", "@all │ lab 12 vms │ prod 12 vms │ dr 12 vms │ slow connecting"} {
		if !strings.Contains(s, want) {
			t.Errorf("the screen lacks %q:\n%s", want, s)
		}
	}
	if got := f.loginsTo("lab"); got != 1 {
		t.Errorf("lab logged in %d times; want once: the view across contexts uses the current context's login", got)
	}

	f.srv["dr"].Close()
	l.until("dr down", func() bool { return l.a.fleet.members["dr"].phase == phaseDown })
	s = l.a.View()
	if rows := rowsOf(s, "dr"); len(rows) > 0 {
		t.Errorf("dr is down, yet its rows show:\n%s", strings.Join(rows, "\n"))
	}
	status := s[strings.LastIndex(s, "\n")+1:]
	t.Logf("the status bar with dr down: %s", status)
	if !regexp.MustCompile(`^@all │ lab 12 vms │ prod 12 vms │ slow connecting │ dr down: \S`).MatchString(status) {
		t.Errorf("the status bar does not say dr is down and why: %q", status)
	}
	if err := l.a.fleet.members["dr"].err; !strings.Contains(status, err[:min(len(err), 20)]) {
		t.Errorf("the status bar %q lacks dr's error %q", status, err)
	}
	if !strings.Contains(s, "vms @all [24]") {
		t.Errorf("the header does not count lab's and prod's 24 rows:\n%s", s)
	}

	// A change in prod shows, though dr is down.
	powerOffIn(t, f.srv["prod"], "web-03")
	prodOff := regexp.MustCompile(`(?m)^prod +web-03 +poweredOff`)
	l.until("prod's web-03 powered off on screen", func() bool { return prodOff.MatchString(l.a.View()) })
	if s := l.a.View(); !regexp.MustCompile(`(?m)^lab +web-03 +poweredOn`).MatchString(s) {
		t.Errorf("lab's web-03 changed with prod's:\n%s", s)
	}

	// The keys act while dr stays down.
	l.keys("/", "web-03", "<enter>")
	if s := l.a.View(); !strings.Contains(s, "vms @all [2/24]") {
		t.Errorf("filtering for web-03 does not keep lab's and prod's:\n%s", s)
	}

	// Leaving @all returns to lab's own view and logs out of the others.
	l.keys(":vm", "<enter>")
	if l.a.top().all || l.a.fleet.members != nil {
		t.Errorf("after :vm the view is still across contexts (all %v, members %v)", l.a.top().all, l.a.fleet.members)
	}
	if kept := l.a.across[VMs].(*acrossView[vsphere.VM]).listed; len(kept) > 0 {
		t.Errorf("after :vm the view across contexts still holds the rows of %d contexts", len(kept))
	}
	if s := l.a.View(); !strings.Contains(s, "vtui vms [12]") || strings.Contains(s, "CONTEXT") {
		t.Errorf("after :vm the screen is not lab's VM view:\n%s", s)
	}

	// Opened again, dr's login fails and says so; :login dr tries again.
	l.keys(":vm @all", "<enter>")
	failed := func() bool { m := l.a.fleet.members["dr"]; return m != nil && m.phase == phaseFailed }
	l.until("dr's login failed, prod live", func() bool { return failed() && l.live("prod")() })
	if s := l.a.View(); !strings.Contains(s, "│ dr failed: ") {
		t.Errorf("with dr stopped, @all opened again does not say dr failed:\n%s", s)
	}
	logins := f.loginsTo("dr")
	l.keys(":login dr", "<enter>")
	l.until("dr's login failed again", func() bool { return failed() && f.loginsTo("dr") == logins+1 })
}

// TestViewAcrossContextsAsksNoPasswordUntilLogin: a context with no
// password source shows "needs a password" rather than a prompt over the
// view; :login asks for it, a wrong one asks again, the right one brings
// its rows in.
func TestViewAcrossContextsAsksNoPasswordUntilLogin(t *testing.T) {
	l, f := fleetApp(t, "qa")
	l.keys(":host @all", "<enter>")
	l.until("prod and dr live, qa waiting", func() bool {
		m := l.a.fleet.members["qa"]
		return l.live("prod", "dr")() && m != nil && m.phase == phaseNeedsPassword
	})
	if l.a.password != nil {
		t.Fatalf("a prompt opened over the view across contexts:\n%s", l.a.View())
	}
	s := l.a.View()
	if !strings.Contains(s, "qa needs a password (:login qa)") || len(rowsOf(s, "qa")) > 0 {
		t.Errorf("qa does not say it needs a password, or shows rows:\n%s", s)
	}

	l.keys(":login qa", "<enter>", "wrong", "<enter>")
	l.until("the prompt again, after the wrong password", func() bool {
		return l.a.password != nil && strings.Contains(l.a.View(), "log in to qa")
	})
	l.keys(f.srv["prod"].Password, "<enter>")
	l.until("qa live", l.live("qa"))
	if s := l.a.View(); len(rowsOf(s, "qa")) == 0 || !strings.Contains(s, "qa 6 hosts") {
		t.Errorf("qa logged in, yet its hosts are not shown:\n%s", s)
	}
	if l.a.contextName != "lab" {
		t.Errorf("logging in to qa for @all switched the context to %s", l.a.contextName)
	}
}

// TestViewAcrossContextsActsInTheRowsContext: describe reads the row's
// own context; a changing key says it acts in one context; Enter opens
// the row in its context through the login @all made, where the
// confirmation names it.
func TestViewAcrossContextsActsInTheRowsContext(t *testing.T) {
	l, f := fleetApp(t)
	powerOffIn(t, f.srv["prod"], "web-03")
	l.keys(":vm @all", "<enter>")
	l.until("prod and dr live", l.live("prod", "dr"))
	l.keys("/", "web-03", "<enter>", "<down>") // lab's, then prod's

	l.keys("y")
	l.until("prod's web-03 described", func() bool { return len(l.a.describe.Lines()) > 0 })
	if d := strings.Join(l.a.describe.Lines(), "\n"); !strings.Contains(l.a.View(), "(prod/web-03)") ||
		!strings.Contains(d, "powerState: poweredOff") || strings.Contains(d, "powerState: poweredOn") {
		t.Errorf("y on prod's web-03 did not describe it from prod, where it is off:\n%s", l.a.View())
	}
	l.keys("<esc>")

	l.keys("p")
	if n := noteText(l.a); !strings.Contains(n, "power menu acts in one context: enter opens web-03 in prod, then p") {
		t.Errorf("p in @all: note %q", n)
	}
	if l.a.dialog != nil {
		t.Fatalf("p in @all opened a dialog:\n%s", l.a.View())
	}

	prodLogins := f.loginsTo("prod")
	l.keys("<enter>")
	l.until("prod's VM view", func() bool { return l.a.contextName == "prod" && l.a.state == vsphere.Live })
	if got := f.loginsTo("prod"); got != prodLogins {
		t.Errorf("opening the row logged in to prod again (%d logins; want %d)", got, prodLogins)
	}
	if l.a.top().all || l.a.top().kind != VMs {
		t.Errorf("Enter opened %+v; want prod's VM view", l.a.top())
	}
	if got := selectedName(t, l.a); got != "web-03" {
		t.Errorf("selected %q in prod; want web-03", got)
	}
	l.keys("p", "<enter>")
	if l.a.dialog == nil || !regexp.MustCompile(`^power on web-03 .* in prod\?$`).MatchString(l.a.dialog.Title()) {
		t.Errorf("the confirmation does not name the context:\n%s", l.a.View())
	}
}

// TestViewAcrossContextsRefusesStreams: tasks, events and alarms follow
// the current context only, and :task @all says so.
func TestViewAcrossContextsRefusesStreams(t *testing.T) {
	a := loadedApp(t)
	keys(a, ":task @all", "<enter>")
	if a.top().all || a.fleet.members != nil {
		t.Errorf(":task @all opened a view across contexts")
	}
	if n := noteText(a); !strings.Contains(n, "tasks are not listed across contexts") || !strings.Contains(n, ":vm @all") {
		t.Errorf(":task @all: note %q", n)
	}
}

// TestLoginNamesWhatItCannotDo: :login outside a view across contexts,
// for the current context, or for one logging in, says what to do.
func TestLoginNamesWhatItCannotDo(t *testing.T) {
	a := loadedApp(t)
	for _, tt := range []struct{ keys, want string }{
		{":login prod", ":login logs in to a context of a view across contexts (:vm @all); to switch to prod, :ctx prod"},
		{":vm @all", ""},
		{":login lab", "lab is the current context: :ctx lab logs in to it again"},
		{":login prod", "prod is logged in already, or logging in"},
		{":login nowhere", `no context named "nowhere" (contexts: lab, prod)`},
	} {
		keys(a, tt.keys, "<enter>")
		if n := noteText(a); tt.want != "" && !strings.Contains(n, tt.want) {
			t.Errorf("%s: note %q; want %q", tt.keys, n, tt.want)
		}
	}
}

// TestEveryInventoryKindHasAViewAcrossContexts: the : commands with
// @all that help lists are the views the root has.
func TestEveryInventoryKindHasAViewAcrossContexts(t *testing.T) {
	a := New(Config{})
	for _, k := range kinds.All() {
		_, ok := a.across[Kind(k.Name)]
		if ok == k.Stream {
			t.Errorf("%s: a view across contexts %v; want one for an inventory kind, none for a stream", k.Name, ok)
		}
	}
	if got, want := len(acrossCommands()), len(a.across); got != want {
		t.Errorf("%d commands across contexts; %d views", got, want)
	}
}

// TestScreenAcrossContextsAt80x24: the view across contexts fits 80×24,
// CONTEXT and NAME kept, with every context's state in the status bar.
func TestScreenAcrossContextsAt80x24(t *testing.T) {
	l, _ := fleetApp(t)
	l.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	l.keys(":vm @all", "<enter>")
	l.until("prod and dr live", l.live("prod", "dr"))
	s := screen(l.a)
	screenFits(t, s, 80, 24)
	assertScreen(t, "vms-all-80x24", s)
}

// TestContextStateText: each state in the status bar's words.
func TestContextStateText(t *testing.T) {
	tests := []struct {
		s    contextState
		want string
		bad  bool
	}{
		{contextState{name: "lab", phase: phaseConnecting}, "lab connecting", false},
		{contextState{name: "lab", phase: phaseLoading, rows: 100}, "lab loading 100 vms", false},
		{contextState{name: "lab", phase: phaseLive, rows: 12}, "lab 12 vms", false},
		{contextState{name: "qa", phase: phaseNeedsPassword}, "qa needs a password (:login qa)", true},
		{contextState{name: "dr", phase: phaseDown, err: "connection refused"}, "dr down: connection refused", true},
		{contextState{name: "dr", phase: phaseFailed, err: "x509: unknown authority"}, "dr failed: x509: unknown authority", true},
	}
	for _, tt := range tests {
		if got := tt.s.text(VMs); got != tt.want || tt.s.bad() != tt.bad {
			t.Errorf("%+v: text %q, bad %v; want %q, %v", tt.s, got, tt.s.bad(), tt.want, tt.bad)
		}
	}
}
