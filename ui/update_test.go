package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/vsphere"
)

func selectedName(a *App) string {
	name, _ := a.current().selected()
	return name
}

func crumbs(a *App) string {
	var parts []string
	for _, l := range a.stack {
		parts = append(parts, string(l.kind)+"("+l.label+")")
	}
	return strings.Join(parts, " ")
}

func TestDrillDownAndBack(t *testing.T) {
	a := loadedApp(t)
	keys(a, ":cluster", "<enter>")
	if a.top().kind != Clusters || selectedName(a) != "cluster-a" {
		t.Fatalf("after :cluster: view %s, selected %q; want clusters, cluster-a", a.top().kind, selectedName(a))
	}
	keys(a, "<enter>")
	if a.top().kind != Hosts || a.top().scope.Cluster != "cluster-a" || a.current().total() != 3 {
		t.Fatalf("enter on cluster-a: %s with %d rows; want its 3 hosts", crumbs(a), a.current().total())
	}
	keys(a, "<enter>")
	if a.top().kind != VMs || a.top().scope.Host != "esx-a-01.lab.local" || a.current().total() != 2 {
		t.Fatalf("enter on esx-a-01: %s with %d rows; want its 2 VMs", crumbs(a), a.current().total())
	}
	if h := a.header(); !strings.Contains(h, "clusters › cluster-a › hosts › esx-a-01.lab.local › vms") {
		t.Errorf("breadcrumb = %q", strings.SplitN(h, "\n", 2)[0])
	}
	keys(a, "<enter>")
	if !a.showDetail {
		t.Errorf("enter on a VM (a leaf) does not open the detail pane")
	}
	keys(a, "<esc>", "<esc>", "<esc>")
	if a.top().kind != Clusters || len(a.stack) != 1 || a.showDetail {
		t.Errorf("after esc ×3: %s, detail %v; want back at clusters", crumbs(a), a.showDetail)
	}
}

func TestFilterAndClear(t *testing.T) {
	a := loadedApp(t)
	keys(a, "/", "!on")
	if a.current().len() != 3 { // the powered-off and suspended VMs
		t.Errorf("filter !on keeps %d VMs; want 3 (not poweredOn)", a.current().len())
	}
	keys(a, "<enter>")
	if a.mode != modeNormal || a.current().filter() != "!on" {
		t.Errorf("enter leaves mode %v filter %q; want normal mode, filter kept", a.mode, a.current().filter())
	}
	keys(a, "<esc>")
	if a.current().filter() != "" || a.current().len() != 12 {
		t.Errorf("esc leaves filter %q and %d rows; want cleared, 12", a.current().filter(), a.current().len())
	}
}

func TestSortKeys(t *testing.T) {
	a := loadedApp(t)
	keys(a, ">")
	r := a.current().(*resource[vsphere.VM])
	if col, desc := r.t.Sort(); col != "POWER" || desc {
		t.Errorf("> sorts by %s desc=%v; want POWER ascending", col, desc)
	}
	keys(a, "<")
	if _, desc := r.t.Sort(); !desc {
		t.Errorf("< does not reverse the sort")
	}
}

func TestCommandLine(t *testing.T) {
	a := loadedApp(t)
	keys(a, ":", "ds")
	if a.mode != modeCommand || a.input.Value() != "ds" {
		t.Fatalf("typing :ds gives mode %v, input %q", a.mode, a.input.Value())
	}
	keys(a, "<enter>")
	if a.top().kind != Datastores {
		t.Errorf(":ds opens %s; want datastores", a.top().kind)
	}
	keys(a, ":", "ho", "<tab>")
	if a.input.Value() != "host" {
		t.Errorf("tab completes :ho to %q; want host", a.input.Value())
	}
	keys(a, "<enter>", ":bogus", "<enter>")
	if !strings.Contains(a.lastErr, `unknown command "bogus"`) || a.top().kind != Hosts {
		t.Errorf("after :bogus: error %q, view %s; want an error and the hosts view kept", a.lastErr, a.top().kind)
	}
	if cmd := a.runCommand("q"); cmd == nil {
		t.Errorf(":q returns no command; want tea.Quit")
	} else if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Errorf(":q returns %T; want tea.QuitMsg", cmd())
	}
}

func TestContextSwitch(t *testing.T) {
	var asked []string
	a := loadedApp(t)
	a.cfg.Connect = func(_ context.Context, name string) (*vsphere.Client, error) {
		asked = append(asked, name)
		return nil, errors.New("no route to host")
	}
	oldGen := a.gen
	a.Update(tasksMsg{gen: a.gen, update: vsphere.TaskUpdate{Seq: 1, Data: []vsphere.Task{{ID: "task-1", Name: "PowerOffVM"}}}})
	keys(a, ":ctx", "<enter>")
	if a.top().kind != Contexts || a.current().total() != 2 {
		t.Fatalf(":ctx shows %s with %d rows; want the 2 contexts", a.top().kind, a.current().total())
	}
	keys(a, "<down>")
	_, cmd := a.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if cmd == nil {
		t.Fatal("enter on a context returned no command")
	}
	msg := cmd() // run it as bubbletea would
	if len(asked) != 1 || asked[0] != "prod" || a.contextName != "prod" || a.gen == oldGen {
		t.Fatalf("switch asked %v, context %q, gen %d→%d; want a new connection to prod", asked, a.contextName, oldGen, a.gen)
	}
	if a.tasks != nil {
		t.Errorf("the previous vCenter's tasks are still shown after switching")
	}
	// A late update of the old connection must not show.
	a.Update(watchMsg{gen: oldGen, update: vsphere.WatchUpdate{Data: smallInventory(t), State: vsphere.Live, Seq: 9}})
	if a.inv != nil {
		t.Errorf("an update from the previous connection was applied")
	}
	a.Update(msg)
	if !strings.Contains(a.statusBar(), "disconnected") || !strings.Contains(a.lastErr, "no route to host") {
		t.Errorf("failed switch: status %q; want disconnected and the error", a.statusBar())
	}
	keys(a, ":ctx nope", "<enter>")
	if !strings.Contains(a.lastErr, `no context named "nope"`) {
		t.Errorf(":ctx nope gives %q", a.lastErr)
	}
}

func TestPowerMenuConfirmsTheBlastRadius(t *testing.T) {
	a := loadedApp(t)
	keys(a, "/", "web-0", "<enter>", " ", " ", "p")
	if a.dialog == nil || !strings.Contains(a.dialog.title, "power 2 VM(s)") {
		t.Fatalf("p on 2 marked VMs opens %+v; want the power menu for 2 VMs", a.dialog)
	}
	keys(a, "<down>", "<enter>") // power-off
	if a.dialog == nil || a.dialog.title != "power off 2 VMs on 2 hosts?" {
		t.Fatalf("confirmation = %+v; want the blast radius", a.dialog)
	}
	if a.dialog.cursor != 1 {
		t.Errorf("the confirmation defaults to %q; want no", a.dialog.options[a.dialog.cursor].label)
	}
	keys(a, "n")
	if a.dialog != nil || a.opStatus != "" {
		t.Errorf("n leaves dialog %+v, status %q; want nothing started", a.dialog, a.opStatus)
	}
}

func TestMaintenanceToggleOnHosts(t *testing.T) {
	a := loadedApp(t)
	keys(a, ":host", "<enter>", "M")
	if a.dialog == nil || a.dialog.title != "enter maintenance mode on esx-a-01.lab.local?" {
		t.Fatalf("M on a host opens %+v; want the maintenance confirmation naming the host", a.dialog)
	}
}

func TestCloseLogsOut(t *testing.T) {
	_, c := startSmall(t)
	a := loadedApp(t)
	a.client = c
	if err := a.Close(context.Background()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := c.Inventory(context.Background()); err == nil {
		t.Errorf("the client still works after Close; want its session logged out")
	}
}
