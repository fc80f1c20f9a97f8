package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// TestScreenFirstRowsBeforeTheWholeLoad feeds the UI what a watch
// publishes at launch (vsphere.WatchOptions.Screen): the first VMs by
// name while the rest loads, then the whole inventory. The first rows
// show at once, stay where they are and keep the selection; views of the
// kinds that come with the rest say so meanwhile; the end is the table of
// a one-shot snapshot.
func TestScreenFirstRowsBeforeTheWholeLoad(t *testing.T) {
	whole := smallInventory(t)
	a := New(Config{Context: "lab", Contexts: []string{"lab"}})
	a.now = func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }
	a.after = noTimer
	a.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	a.connected = true
	if screen := a.View(); !strings.Contains(screen, "loading vms…") {
		t.Errorf("connected, nothing loaded yet:\n%s\nwant loading vms…", screen)
	}

	first := &vsphere.Inventory{VMs: whole.VMs[:5], LoadingVMs: len(whole.VMs)}
	a.Update(watchMsg{gen: a.gen, update: vsphere.WatchUpdate{Data: first, State: vsphere.Syncing, Seq: 1}})
	assertScreen(t, "first-screen", a.View())
	if bar := a.statusBar(); !strings.Contains(bar, fmt.Sprintf("5 of %d VMs", len(whole.VMs))) {
		t.Errorf("status bar while the rest loads: %q; want how many of all the VMs are in", bar)
	}
	keys(a, "<down>")
	selected := selectedName(t, a)
	keys(a, ":host", "<enter>")
	if screen := a.View(); !strings.Contains(screen, "loading hosts…") {
		t.Errorf(":host while the rest loads:\n%s\nwant loading hosts…", screen)
	}
	keys(a, ":vm", "<enter>")
	if got := selectedName(t, a); got != selected {
		t.Fatalf("back on :vm the selection is %q; want %q", got, selected)
	}

	a.Update(watchMsg{gen: a.gen, update: vsphere.WatchUpdate{Data: whole, State: vsphere.Live, Seq: 2}})
	if got := selectedName(t, a); got != selected || got != whole.VMs[1].Name {
		t.Errorf("after the whole load the selection is %q; want %q, the row selected before, still second", got, selected)
	}
	// All 12 rows fit the screen: they show in the snapshot's order.
	screen, at := a.View(), -1
	for _, vm := range whole.VMs {
		i := strings.Index(screen, vm.Name+" ")
		if i < at {
			t.Fatalf("after the whole load, %s is missing or out of the snapshot's order %v:\n%s", vm.Name, names(whole.VMs), screen)
		}
		at = i
	}
	if a.current().(listView).Total() != len(whole.VMs) {
		t.Errorf("the whole table has %d rows; want the snapshot's %d", a.current().(listView).Total(), len(whole.VMs))
	}
	keys(a, ":host", "<enter>")
	if a.current().(listView).Total() != len(whole.Hosts) {
		t.Errorf(":host after the whole load lists %d hosts; want %d", a.current().(listView).Total(), len(whole.Hosts))
	}
}

func names(vms []vsphere.VM) []string {
	out := make([]string, len(vms))
	for i, v := range vms {
		out[i] = v.Name
	}
	return out
}

// TestActivityWatchesStartAfterTheFirstScreen: at login only the
// inventory's watch starts, so that nothing competes with the first
// screen; the tasks, events and alarms watches start with the first
// state it publishes, and once only.
func TestActivityWatchesStartAfterTheFirstScreen(t *testing.T) {
	srv := vspheretest.Start(t, "small")
	a := New(Config{Context: "lab", Contexts: []string{"lab"}})
	a.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	t.Cleanup(func() { _ = a.Close(context.Background()) })
	a.Update(connectedMsg{gen: a.gen, name: "lab", client: vspheretest.Connect(t, srv)})
	if a.watch == nil || a.taskWatch != nil || a.eventWatch != nil || a.alarmWatch != nil {
		t.Fatalf("at login: inventory watch %t, tasks %t, events %t, alarms %t; want only the inventory's",
			a.watch != nil, a.taskWatch != nil, a.eventWatch != nil, a.alarmWatch != nil)
	}
	first := &vsphere.Inventory{VMs: smallInventory(t).VMs[:1], LoadingVMs: 12}
	a.Update(watchMsg{gen: a.gen, update: vsphere.WatchUpdate{Data: first, State: vsphere.Syncing, Seq: 1}})
	tasks := a.taskWatch
	if tasks == nil || a.eventWatch == nil || a.alarmWatch == nil {
		t.Fatal("the first screen shown, the tasks, events and alarms watches did not start")
	}
	a.Update(watchMsg{gen: a.gen, update: vsphere.WatchUpdate{Data: smallInventory(t), State: vsphere.Live, Seq: 2}})
	if a.taskWatch != tasks {
		t.Error("the next state started the activity watches again")
	}
}

// TestFirstScreenIsCalledOnceAsTheFirstStateShows: Config.FirstScreen
// (where vtui turns its garbage collector back on) is called with the
// first watch state, whose rows the screen then shows, and never again.
func TestFirstScreenIsCalledOnceAsTheFirstStateShows(t *testing.T) {
	whole := smallInventory(t)
	calls := 0
	a := New(Config{Context: "lab", Contexts: []string{"lab"}, FirstScreen: func() { calls++ }})
	a.after = noTimer
	a.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	a.connected = true
	a.View()
	if calls != 0 {
		t.Fatalf("FirstScreen called %d times before any state; want none", calls)
	}
	first := &vsphere.Inventory{VMs: whole.VMs[:5], LoadingVMs: len(whole.VMs)}
	a.Update(watchMsg{gen: a.gen, update: vsphere.WatchUpdate{Data: first, State: vsphere.Syncing, Seq: 1}})
	if screen := a.View(); calls != 1 || !strings.Contains(screen, whole.VMs[0].Name) {
		t.Fatalf("after the first state: FirstScreen called %d times, screen\n%s\nwant once, and the first rows shown", calls, screen)
	}
	a.Update(watchMsg{gen: a.gen, update: vsphere.WatchUpdate{Data: whole, State: vsphere.Live, Seq: 2}})
	if calls != 1 {
		t.Errorf("after the whole load: FirstScreen called %d times; want once", calls)
	}
}
