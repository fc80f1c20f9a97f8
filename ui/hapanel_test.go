package ui

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/gate"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// The HA/DRS panel against the simulator: what it shows, its form, the
// diff, and changes applied, refused and not sent.

// clusterOf reads a cluster's configuration from srv afresh, through a
// client of the test's own.
func clusterOf(t *testing.T, srv *sim.Server, cluster string) (*vsphere.Client, *vsphere.Inventory, *vsphere.ClusterConfig) {
	t.Helper()
	ctx := context.Background()
	c := vspheretest.Connect(t, srv)
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cl := inv.FilterClusters(vsphere.Filter{Name: cluster})
	if len(cl) != 1 {
		t.Fatalf("no cluster %s", cluster)
	}
	cc, err := c.ClusterConfig(ctx, inv, cl[0].Ref)
	if err != nil {
		t.Fatal(err)
	}
	return c, inv, cc
}

// reconfigure changes a cluster's configuration as another admin would.
func reconfigure(t *testing.T, srv *sim.Server, cluster string, change func(*clusterspec.Config)) {
	t.Helper()
	c, _, cur := clusterOf(t, srv, cluster)
	want := cur.Spec
	change(&want)
	act := gate.ReconfigureCluster(cur, want, false)
	if r := gate.NewGate(c).Do(context.Background(), act, nil); r.Status != gate.StatusOK {
		t.Fatalf("reconfigure %s: %s %s", cluster, r.Status, r.Message)
	}
}

// lab is the small preset with rules, groups and an override on
// cluster-a, and manual DRS on cluster-b with a rule it breaks (web-03
// and batch-01 share esx-b-02), so that DRS recommends a move.
func lab(t *testing.T) *sim.Server {
	t.Helper()
	srv := vspheretest.Start(t, "small")
	reconfigure(t, srv, "cluster-a", func(c *clusterspec.Config) {
		c.VMGroups = []clusterspec.VMGroup{{Name: "web-vms", VMs: []string{"web-01", "app-01"}}}
		c.HostGroups = []clusterspec.HostGroup{{Name: "a-hosts", Hosts: []string{"esx-a-01.lab.local", "esx-a-02.lab.local"}}}
		c.Rules = []clusterspec.Rule{
			{Name: "db-apart", Kind: clusterspec.RuleAntiAffinity, Enabled: true, VMs: []string{"web-01", "db-01"}},
			{Name: "web-on-a", Kind: clusterspec.RuleVMHost, Enabled: true, VMGroup: "web-vms", AffineHostGroup: "a-hosts"},
		}
		c.Overrides = []clusterspec.Override{{VM: "db-01", RestartPriority: clusterspec.RestartHighest, DRSAutomation: "manual"}}
	})
	reconfigure(t, srv, "cluster-b", func(c *clusterspec.Config) {
		c.DRS = clusterspec.DRS{Enabled: true, Automation: clusterspec.AutomationManual, Threshold: 1}
		c.Rules = []clusterspec.Rule{{Name: "batch-apart", Kind: clusterspec.RuleAntiAffinity, Enabled: true, VMs: []string{"web-03", "batch-01"}}}
	})
	return srv
}

// panelOn runs the UI on srv, through a recorder and a client with
// policy p, and opens the HA/DRS panel of cluster.
func panelOn(t *testing.T, srv *sim.Server, p vsphere.Policy, cluster string) (*loop, *vspheretest.Recorder) {
	t.Helper()
	rec := vspheretest.Record(t, srv)
	a := New(Config{Context: "lab", Contexts: []string{"lab"}, Connect: func(ctx context.Context, _, _ string) (*vsphere.Client, error) {
		return vsphere.Connect(ctx, rec.Config(), vsphere.WithPolicy(p))
	}})
	l := run(t, a)
	l.until("the inventory to load", func() bool { return a.state == vsphere.Live && a.inv != nil })
	l.keys(":cluster", "<enter>", "/", cluster, "<enter>", "h")
	l.until("the panel of "+cluster, panelRead(a, "Capacity  tolerates"))
	return l, rec
}

// panelRead holds once the panel shows want and reads nothing.
func panelRead(a *App, want string) func() bool {
	return func() bool {
		v := a.ha.View()
		return strings.Contains(v, want) && !strings.Contains(v, "reading…")
	}
}

var port = regexp.MustCompile(`127\.0\.0\.1:\d+`)

// screen is the whole screen, without the simulator's port.
func screen(a *App) string { return port.ReplaceAllString(a.View(), "127.0.0.1:PORT") }

func TestHAPanelScreens(t *testing.T) {
	l, _ := panelOn(t, lab(t), vsphere.Policy{}, "cluster-a")
	assertScreen(t, "ha-panel", screen(l.a))
	l.keys("G")
	assertScreen(t, "ha-panel-end", screen(l.a))

	// The form: a bad value is refused next to its field, before anything
	// is sent.
	l.keys("e", "<down>", "<down>", "<down>", "<backspace>", "3", "<enter>")
	assertScreen(t, "ha-form-error", screen(l.a))
	l.keys("<backspace>", "2", "<down>", "<right>", "<enter>")
	assertScreen(t, "ha-diff", screen(l.a))
	l.keys("<enter>")
	assertScreen(t, "ha-confirm", screen(l.a))
}

// TestHAPanelShowsWhyAFailureIsNotTolerated: the what-if's verdict, and
// the worst case's VMs left down with why.
func TestHAPanelShowsWhyAFailureIsNotTolerated(t *testing.T) {
	srv := vspheretest.Start(t, "small")
	// With HA on, batch-02 must run on esx-b-01, and web-02 (on
	// esx-b-03) is never restarted.
	reconfigure(t, srv, "cluster-b", func(c *clusterspec.Config) {
		c.HA.Enabled = true
		c.VMGroups = []clusterspec.VMGroup{{Name: "pinned", VMs: []string{"batch-02"}}}
		c.HostGroups = []clusterspec.HostGroup{{Name: "b-one", Hosts: []string{"esx-b-01.lab.local"}}}
		c.Rules = []clusterspec.Rule{{Name: "pinned-on-b-one", Kind: clusterspec.RuleVMHost, Enabled: true, Mandatory: true,
			VMGroup: "pinned", AffineHostGroup: "b-one"}}
		c.Overrides = []clusterspec.Override{{VM: "web-02", RestartPriority: clusterspec.RestartDisabled}}
	})
	l, _ := panelOn(t, srv, vsphere.Policy{}, "cluster-b")
	assertScreen(t, "ha-panel-not-tolerated", screen(l.a))
}

// TestHAPanelEditIsAppliedLive: a setting edited in the panel's form is
// applied, the panel reads the cluster again and shows it, and vCenter
// (read by another client) has it.
func TestHAPanelEditIsAppliedLive(t *testing.T) {
	srv := lab(t)
	l, rec := panelOn(t, srv, vsphere.Policy{}, "cluster-a")
	a := l.a
	// restart priority: medium -> high; DRS threshold: 3 -> 4.
	l.keys("e", "<down>", "<down>", "<down>", "<down>", "<right>",
		"<down>", "<down>", "<down>", "<down>", "<right>", "<enter>")
	for _, want := range []string{"ha.restart_priority: medium -> high", "drs.threshold: 3 -> 4"} {
		if !strings.Contains(a.View(), want) {
			t.Errorf("the diff lacks %q:\n%s", want, a.View())
		}
	}
	rec.Reset()
	l.keys("<enter>", "y")
	l.until("the change to end", idle(a))
	l.until("the panel to read the cluster again", panelRead(a, "restart priority     high"))
	if v := a.ha.View(); !strings.Contains(v, "cluster-a: reconfigured: 2 changes") || !strings.Contains(v, "migration threshold  4") {
		t.Errorf("the panel after the change:\n%s", v)
	}
	if sent := strings.Join(rec.Changes(), " "); sent != "ReconfigureComputeResource_Task" {
		t.Errorf("sent %q; want one reconfiguration", sent)
	}
	_, _, back := clusterOf(t, srv, "cluster-a")
	if h, d := back.Spec.HA, back.Spec.DRS; h.RestartPriority != clusterspec.RestartHigh || d.Threshold != 4 || len(back.Spec.Rules) != 2 {
		t.Errorf("vCenter has restart priority %s, threshold %d, %d rules; want high, 4 and the 2 rules kept", h.RestartPriority, d.Threshold, len(back.Spec.Rules))
	}
}

// TestHAPanelSendsNothingUnderDryRunAndReadOnly: applying from the panel
// with a dry-run or read-only client says what the policy did, and no
// change reaches vCenter.
func TestHAPanelSendsNothingUnderDryRunAndReadOnly(t *testing.T) {
	tests := []struct {
		policy  vsphere.Policy
		confirm string // how the confirmation's title ends
		review  string // what the review says
		note    string // how the panel tells the outcome
	}{
		{vsphere.Policy{DryRun: true}, "(dry run: nothing will change)", "Dry run: applying shows what would change and sends nothing.",
			"dry run, nothing was sent: would reconfigure cluster-a"},
		{vsphere.Policy{ReadOnly: true}, "(read-only mode: it will be refused)", "Read-only mode: applying will be refused, and nothing sent.",
			"reconfigure cluster-a: read-only mode: refused, nothing was sent"},
	}
	for _, tt := range tests {
		t.Run(tt.confirm, func(t *testing.T) {
			srv := lab(t)
			_, _, before := clusterOf(t, srv, "cluster-a")
			l, rec := panelOn(t, srv, tt.policy, "cluster-a")
			a := l.a
			l.keys("e", "<right>", "<enter>") // HA enabled: yes -> no
			if !strings.Contains(a.View(), tt.review) {
				t.Errorf("the review does not say %q:\n%s", tt.review, a.View())
			}
			l.keys("<enter>")
			if a.dialog == nil || !strings.HasSuffix(a.dialog.Title(), tt.confirm) {
				t.Fatalf("the confirmation does not end %q:\n%s", tt.confirm, a.View())
			}
			l.keys("y")
			l.until("the change to end", idle(a))
			l.until("the panel to tell", func() bool { return strings.Contains(a.ha.View(), tt.note) })
			if sent := rec.Changes(); len(sent) > 0 {
				t.Errorf("sent %v; want nothing", sent)
			}
			if _, _, after := clusterOf(t, srv, "cluster-a"); after.Fingerprint != before.Fingerprint {
				t.Errorf("the configuration changed: %v", clusterspec.Diff(before.Spec, after.Spec))
			}
		})
	}
}

// TestHAPanelStaleConfigurationSaysReadAgain: a configuration someone
// else changed after the panel read it is not overwritten; the panel says
// so, and r shows theirs.
func TestHAPanelStaleConfigurationSaysReadAgain(t *testing.T) {
	srv := lab(t)
	l, _ := panelOn(t, srv, vsphere.Policy{}, "cluster-a")
	a := l.a
	l.keys("e", "<down>", "<down>", "<down>", "<down>", "<right>", "<enter>", "<enter>")
	reconfigure(t, srv, "cluster-a", func(c *clusterspec.Config) { c.DRS.Threshold = 2 })
	l.keys("y")
	l.until("the change to end", idle(a))
	if v := a.ha.View(); !strings.Contains(v, "cluster-a's configuration changed since it was read, so nothing was sent: r reads it again") {
		t.Errorf("the panel does not say to read again:\n%s", v)
	}
	l.keys("r")
	l.until("the panel to read again", panelRead(a, "migration threshold  2"))
	if _, _, now := clusterOf(t, srv, "cluster-a"); now.Spec.HA.RestartPriority != clusterspec.RestartMedium {
		t.Errorf("restart priority %s; want medium, the refused change not made", now.Spec.HA.RestartPriority)
	}
}

// TestHAPanelAppliesARecommendation: a picks one of DRS's
// recommendations, which is confirmed and carried out: the VM moves.
func TestHAPanelAppliesARecommendation(t *testing.T) {
	srv := lab(t)
	l, _ := panelOn(t, srv, vsphere.Policy{}, "cluster-b")
	a := l.a
	l.keys("G")
	if v := a.ha.View(); !strings.Contains(v, "DRS recommendations (1)") {
		t.Fatalf("the panel lists no recommendation:\n%s", v)
	}
	l.keys("a")
	if a.dialog == nil || !strings.Contains(a.View(), "migrate batch-01 from esx-b-02.lab.local to ") {
		t.Fatalf("a offers no recommendation:\n%s", a.View())
	}
	l.keys("<enter>")
	if a.dialog == nil || !strings.HasPrefix(a.dialog.Title(), "apply a DRS recommendation on cluster-b") {
		t.Fatalf("choosing it does not ask to confirm:\n%s", a.View())
	}
	l.keys("y")
	l.until("the change to end", idle(a))
	l.keys("G")
	l.until("the panel to read again", panelRead(a, "DRS recommendations (0)"))
	if v := vmNamed(t, inventory(t, srv), "batch-01"); v.Host == "esx-b-02.lab.local" {
		t.Errorf("batch-01 is still on esx-b-02 with web-03; notes %q", noteText(a))
	}
}

// TestHAPanelReadsOnlyItsCluster: opening the panel reads the cluster's
// configuration, the reservations of its VMs and its recommendations:
// three requests, and nothing of the rest of the inventory.
func TestHAPanelReadsOnlyItsCluster(t *testing.T) {
	l, rec := panelOn(t, lab(t), vsphere.Policy{}, "cluster-a")
	l.keys("<esc>")
	// The live streams catch up with what the setup did (a full read of
	// the events, say) in their own time: wait until they are quiet.
	for n := -1; n != len(rec.Methods()); time.Sleep(300 * time.Millisecond) {
		n = len(rec.Methods())
	}
	rec.Reset()
	l.keys("h")
	l.until("the panel to read", panelRead(l.a, "Capacity  tolerates"))
	var reads []string
	for _, m := range rec.Methods() {
		if m != "WaitForUpdatesEx" && m != "CancelWaitForUpdates" { // the live streams'
			reads = append(reads, m)
		}
	}
	if got := strings.Join(reads, " "); got != "RetrievePropertiesEx RetrievePropertiesEx RetrievePropertiesEx" {
		t.Errorf("opening the panel sent %s; want 3 RetrievePropertiesEx: configuration, reservations, recommendations", got)
	}
}

// TestHAPanelAtTheMinimumSize: at 60×10 the panel fits, and its form
// keeps the field being edited in view.
func TestHAPanelAtTheMinimumSize(t *testing.T) {
	l, _ := panelOn(t, lab(t), vsphere.Policy{}, "cluster-a")
	a := l.a
	l.send(tea.WindowSizeMsg{Width: minWidth, Height: minHeight})
	screenFits(t, a.View(), minWidth, minHeight)
	l.keys("e")
	for _, field := range []string{"host monitoring", "VM monitoring", "admission control", "restart priority",
		"isolation response", "enabled", "automation", "migration threshold"} {
		l.keys("<down>")
		screen := a.View()
		screenFits(t, screen, minWidth, minHeight)
		if !strings.Contains(screen, "› "+field) {
			t.Errorf("the form's cursor on %s is out of view:\n%s", field, screen)
		}
	}
}
