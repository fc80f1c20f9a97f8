package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// screenHasAll reports whether the screen holds every want.
func screenHasAll(a *App, want ...string) func() bool {
	return func() bool {
		s := a.View()
		for _, w := range want {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	}
}

// TestDescribeShowsAVMsPropertiesAndFindsInThem: y on a VM shows all its
// properties as YAML, read from the server; / finds a text, n goes to the
// next match, Esc ends the search, and Esc again goes back to the list.
func TestDescribeShowsAVMsPropertiesAndFindsInThem(t *testing.T) {
	l, _ := simApp(t, vsphere.Policy{})
	a := l.a
	l.keys("/", "web-01", "<enter>", "y")
	l.until("the description", screenHasAll(a, "describe VirtualMachine vm-", "(web-01)", "capability:"))
	if a.top().kind != Describe {
		t.Fatalf("view %s; want describe", a.top().kind)
	}
	if !strings.Contains(strings.Join(a.describe.Lines(), "\n"), "name: web-01") {
		t.Errorf("the description does not hold name: web-01")
	}
	l.keys("/", "numcpu", "<enter>")
	l.until("the first match", screenHasAll(a, "/numcpu: match 1 of", "numCPU: 2"))
	first := a.View()
	l.keys("n")
	if !strings.Contains(a.View(), "/numcpu: match 2 of") {
		t.Errorf("n did not go to match 2; the screen:\n%s", a.View())
	}
	l.keys("N")
	if a.View() != first {
		t.Errorf("N did not come back to match 1; the screen:\n%s", a.View())
	}
	l.keys("/", "no-such-text", "<enter>")
	if !strings.Contains(a.View(), "/no-such-text: no match") {
		t.Errorf("a search that finds nothing does not say so; the screen:\n%s", a.View())
	}
	l.keys("<esc>")
	if a.top().kind != Describe || strings.Contains(a.View(), "no match") {
		t.Errorf("Esc did not end the search alone: view %s", a.top().kind)
	}
	l.keys("<esc>")
	if a.top().kind != VMs {
		t.Errorf("Esc left the view for %s; want vms", a.top().kind)
	}
}

// TestRelatedTreeOfAVMAndEnterGoesToItsHost: x on a VM shows its host,
// cluster, datastores, networks and the events about it (a power-off by
// another client); Enter on the host opens the host view with it
// selected (a host other than the first row), and Esc comes back to the
// tree.
func TestRelatedTreeOfAVMAndEnterGoesToItsHost(t *testing.T) {
	srv := vspheretest.Start(t, "small")
	admin := vspheretest.Connect(t, srv)
	inv, err := admin.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var web01 vsphere.VM // a VM on a host that is not the host view's first row
	for _, v := range inv.VMs {
		if v.Host != inv.Hosts[0].Name && web01.Name == "" {
			web01 = v
		}
	}
	if sum := gate.NewGate(admin).Run(context.Background(), []gate.Action{gate.NewPlanner(inv, nil, nil).Power(web01.Ref, gate.OpPowerOff)}, gate.RunOptions{}); sum.Err() != nil {
		t.Fatal(sum.Err())
	}
	l := simAppOn(t, srv, vsphere.Policy{})
	a := l.a
	l.keys("/", web01.Name, "<enter>", "x")
	l.until("the tree with its events", screenHasAll(a, "related: "+web01.Name, "host "+web01.Host, "cluster "+web01.Cluster,
		fmt.Sprintf("datastores (%d)", len(web01.Datastores)), web01.Datastores[0], "networks (", "rules (0)", "snapshots (0)",
		"recent tasks (1)", "PowerOff  done", "is powered off"))
	if strings.Contains(a.View(), "reading") {
		t.Errorf("the tree still says it is reading:\n%s", a.View())
	}
	l.keys("<down>", "<enter>")
	if a.top().kind != Hosts {
		t.Fatalf("Enter on the host node opened %s; want hosts", a.top().kind)
	}
	if got, _ := a.current().(interface{ Selected() (string, bool) }).Selected(); got != web01.Host {
		t.Errorf("host view selects %q; want %q", got, web01.Host)
	}
	l.keys("<esc>")
	if a.top().kind != Related {
		t.Errorf("Esc from the host went to %s; want the tree", a.top().kind)
	}
}

// TestTasksPaneShowsAnotherClientsTaskWithProgress: with t, the pane
// under the VM view shows a migration started by another client, at its
// progress while it runs, then done; it stays on another view.
func TestTasksPaneShowsAnotherClientsTaskWithProgress(t *testing.T) {
	srv := vspheretest.StartWith(t, "small", sim.Options{})
	srv.SetTaskDelay("RelocateVm", 2*time.Second)
	l := simAppOn(t, srv, vsphere.Policy{})
	a := l.a
	l.keys("t")
	l.until("the empty pane", screenHasAll(a, "recent tasks", "0 running"))

	admin := vspheretest.Connect(t, srv)
	inv, err := admin.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	web02 := findVM(inv, "web-02")
	var target vsphere.Host
	for _, h := range inv.Hosts {
		if h.Cluster == web02.Cluster && h.Name != web02.Host {
			target = h
			break
		}
	}
	done := make(chan error, 1)
	go func() {
		sum := gate.NewGate(admin).Run(context.Background(), []gate.Action{gate.NewPlanner(inv, nil, nil).Migrate(web02.Ref, gate.MigrateSpec{Host: target.Ref})}, gate.RunOptions{})
		done <- sum.Err()
	}()
	l.until("the running task at 50%", screenHasAll(a, "1 running", "web-02", "[#####     ] 50%"))
	l.keys(":host", "<enter>")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	l.until("the task done, on the host view", screenHasAll(a, "vtui hosts", "0 running", "web-02", "done"))
	l.keys("t")
	if strings.Contains(a.View(), "recent tasks") {
		t.Errorf("t did not hide the pane:\n%s", a.View())
	}
}

// TestRelatedOfADatastoreSaysWhatHasATree: x on a datastore opens nothing
// and says which objects have a tree.
func TestRelatedOfADatastoreSaysWhatHasATree(t *testing.T) {
	a := loadedApp(t)
	keys(a, ":ds", "<enter>", "x")
	if a.top().kind != Datastores || !strings.Contains(a.View(), "related objects are shown for VMs, hosts and clusters") {
		t.Errorf("view %s; the screen:\n%s", a.top().kind, a.View())
	}
}

// TestDetailListsTheObjectsOwnTasksAndEvents: a VM's detail pane ends
// with its recent tasks and its events, not other objects'.
func TestDetailListsTheObjectsOwnTasksAndEvents(t *testing.T) {
	a := loadedApp(t)
	web01, web02 := findVM(a.inv, "web-01"), findVM(a.inv, "web-02")
	a.Update(tasksMsg{gen: a.gen, update: vsphere.TaskUpdate{Seq: 1, Data: []vsphere.Task{
		{ID: "task-7", Name: "PowerOffVM", TargetRef: web01.Ref, State: vsphere.TaskRunning, Progress: 30},
		{ID: "task-8", Name: "ResetVM", TargetRef: web02.Ref, State: vsphere.TaskSuccess},
	}}})
	a.Update(eventsMsg{gen: a.gen, update: vsphere.EventUpdate{Seq: 1, Data: []vsphere.Event{
		{Key: 9, Message: "web-01 is stopping", ObjectRef: web01.Ref},
		{Key: 8, Message: "web-02 was reset", ObjectRef: web02.Ref},
	}}})
	keys(a, "/", "web-01", "<enter>", "d")
	s := a.View()
	for _, want := range []string{"PowerOffVM  [###", "30%", "web-01 is stopping"} {
		if !strings.Contains(s, want) {
			t.Errorf("detail lacks %q; the screen:\n%s", want, s)
		}
	}
	for _, other := range []string{"ResetVM", "web-02 was reset"} {
		if strings.Contains(s, other) {
			t.Errorf("web-01's detail shows web-02's %q", other)
		}
	}
}

// TestTasksPaneFitsTheMinimumSize: with the pane shown, every screen
// still fits 60×10.
func TestTasksPaneFitsTheMinimumSize(t *testing.T) {
	a := loadedApp(t)
	a.Update(tasksMsg{gen: a.gen, update: vsphere.TaskUpdate{Seq: 1, Data: []vsphere.Task{
		{ID: "task-7", Name: "PowerOffVM", Target: "web-01", State: vsphere.TaskRunning, Progress: 30}}}})
	keys(a, "t")
	a.Update(tea.WindowSizeMsg{Width: minWidth, Height: minHeight})
	for _, ks := range [][]string{nil, {":host", "<enter>"}, {"d"}, {"?"}} {
		keys(a, ks...)
		screenFits(t, a.View(), minWidth, minHeight)
	}
	if !strings.Contains(a.View(), "PowerOffVM") && a.mode != modeHelp {
		t.Errorf("the pane is gone at 60×10:\n%s", a.View())
	}
}
