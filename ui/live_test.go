package ui

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	tea "github.com/charmbracelet/bubbletea"
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

// TestLiveStatesCostTheVMTableNoCopyOfTheRows: the unscoped VM view takes
// a live state's rows as they are, not a copy (18 MB a state at 45,000
// VMs): a state whose VM rows the watch shared with the last costs it
// next to nothing, one with a row changed less than a copy, and the
// change shows.
func TestLiveStatesCostTheVMTableNoCopyOfTheRows(t *testing.T) {
	a, inv, off := liveTableOfOne(10000, 3000)
	seq := uint64(1)
	copied := uint64(len(inv.VMs)) * uint64(unsafe.Sizeof(vsphere.VM{}))
	for _, st := range []struct {
		name  string
		state *vsphere.Inventory
		under uint64 // bytes allocated
	}{
		{"a state with the same VM rows", &vsphere.Inventory{VMs: inv.VMs, Hosts: inv.Hosts, Clusters: inv.Clusters}, copied / 100},
		{"a state with a VM's row changed", off, copied / 2},
	} {
		seq++
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		a.Update(watchMsg{gen: a.gen, update: vsphere.WatchUpdate{Data: st.state, State: vsphere.Live, Seq: seq}})
		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; n >= st.under {
			t.Errorf("%s: the UI allocated %d bytes; want under %d (a copy of the rows is %d)", st.name, n, st.under, copied)
		}
	}
	if v := a.current().(listView); v.Len() != 1 || !strings.Contains(a.View(), "poweredOff") {
		t.Errorf("%d rows shown; want vm-03000's, powered off:\n%s", v.Len(), a.View())
	}
}

// liveTableOfOne returns an App showing n synthetic VMs live (state
// sequence 1), filtered to VM number i, and an inventory like them with
// that VM powered off: the live change scripts/live-change makes.
func liveTableOfOne(n, i int) (a *App, inv, off *vsphere.Inventory) {
	a = New(Config{Context: "test"})
	a.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	a.connected = true
	inv = syntheticInventory(n)
	a.Update(watchMsg{gen: a.gen, update: vsphere.WatchUpdate{Data: inv, State: vsphere.Live, Seq: 1}})
	keys(a, "/"+inv.VMs[i].Name, "<enter>")
	changed := *inv
	changed.VMs = slices.Clone(inv.VMs)
	changed.VMs[i].PowerState = "poweredOff"
	return a, inv, &changed
}
