package ui

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// find returns the VM or host of that name in inv.
func findVM(inv *vsphere.Inventory, name string) vsphere.VM {
	for _, v := range inv.VMs {
		if v.Name == name {
			return v
		}
	}
	return vsphere.VM{}
}

// TestLiveChangesShowWithoutReload runs the whole program against the
// simulator, then migrates one VM and powers off another through vsphere's
// gate (another client, as an admin elsewhere would) and waits for the
// screen and the model to show both, with no key pressed.
func TestLiveChangesShowWithoutReload(t *testing.T) {
	srv, admin := startSmall(t)
	app := New(Config{Context: "sim", Contexts: []string{"sim"}, Connect: func(ctx context.Context, _, _ string) (*vsphere.Client, error) {
		return vsphere.Connect(ctx, vspheretest.Config(srv))
	}})
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(120, 30))
	waitScreen(t, tm.Output(), "12 VMs", "web-02")

	ctx := context.Background()
	inv, err := admin.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	web02, web03 := findVM(inv, "web-02"), findVM(inv, "web-03")
	var target vsphere.Host
	for _, h := range inv.Hosts {
		if h.Cluster == web02.Cluster && h.Name != web02.Host {
			target = h
			break
		}
	}
	p := gate.NewPlanner(inv, nil, nil)
	g := gate.NewGate(admin)
	sum := g.Run(ctx, []gate.Action{
		p.Migrate(web02.Ref, gate.MigrateSpec{Host: target.Ref}),
		p.Power(web03.Ref, gate.OpPowerOff),
	}, gate.RunOptions{})
	if err := sum.Err(); err != nil {
		t.Fatalf("changes failed: %v\n%s", err, sum)
	}

	// A row is repainted whole when it changes, so these lines appear in
	// the output only once the UI has applied the changes.
	waitRows(t, tm.Output(),
		regexp.MustCompile(`web-02 +poweredOn +`+regexp.QuoteMeta(target.Name)),
		regexp.MustCompile(`web-03 +poweredOff `))
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*App)
	if err := final.Close(ctx); err != nil {
		t.Errorf("Close: %v", err)
	}
	if v := findVM(final.inv, "web-02"); v.Host != target.Name {
		t.Errorf("model: web-02 on %q; want %q", v.Host, target.Name)
	}
	if v := findVM(final.inv, "web-03"); v.PowerState != "poweredOff" {
		t.Errorf("model: web-03 is %q; want poweredOff", v.PowerState)
	}
}

// waitRows waits until the program's output matches every pattern.
func waitRows(t *testing.T, out io.Reader, want ...*regexp.Regexp) {
	t.Helper()
	teatest.WaitFor(t, out, func(b []byte) bool {
		for _, w := range want {
			if !w.Match(b) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(15*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

// waitScreen waits until the program's output contains every want.
func waitScreen(t *testing.T, out io.Reader, want ...string) {
	t.Helper()
	teatest.WaitFor(t, out, func(b []byte) bool {
		for _, w := range want {
			if !bytes.Contains(b, []byte(w)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(15*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}
