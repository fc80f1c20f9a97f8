package ui

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/ui/listview"
	"github.com/vtui/vtui/vsphere"
)

// listOf returns the list view of a kind, typed.
func listOf[T any](t *testing.T, a *App, k Kind) *listview.Model[T] {
	t.Helper()
	v, ok := a.views[k].(*listview.Model[T])
	if !ok {
		t.Fatalf("the %s view is a %T", k, a.views[k])
	}
	return v
}

func selectedName(t *testing.T, a *App) string {
	t.Helper()
	var name string
	switch a.top().kind {
	case Clusters:
		name, _ = listOf[vsphere.Cluster](t, a, Clusters).Selected()
	case Hosts:
		name, _ = listOf[vsphere.Host](t, a, Hosts).Selected()
	case VMs:
		name, _ = listOf[vsphere.VM](t, a, VMs).Selected()
	}
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
	if a.top().kind != Clusters || selectedName(t, a) != "cluster-a" {
		t.Fatalf("after :cluster: view %s, selected %q; want clusters, cluster-a", a.top().kind, selectedName(t, a))
	}
	keys(a, "<enter>")
	if a.top().kind != Hosts || a.top().scope.Cluster != "cluster-a" || a.current().(listView).Total() != 3 {
		t.Fatalf("enter on cluster-a: %s with %d rows; want its 3 hosts", crumbs(a), a.current().(listView).Total())
	}
	keys(a, "<enter>")
	if a.top().kind != VMs || a.top().scope.Host != "esx-a-01.lab.local" || a.current().(listView).Total() != 2 {
		t.Fatalf("enter on esx-a-01: %s with %d rows; want its 2 VMs", crumbs(a), a.current().(listView).Total())
	}
	if h := a.header(); !strings.Contains(h, "clusters › cluster-a › hosts › esx-a-01.lab.local › vms") {
		t.Errorf("breadcrumb = %q", strings.SplitN(h, "\n", 2)[0])
	}
	keys(a, "<enter>")
	vms := listOf[vsphere.VM](t, a, VMs)
	if !vms.DetailShown() {
		t.Errorf("enter on a VM (a leaf) does not open the detail pane")
	}
	keys(a, "<esc>", "<esc>", "<esc>")
	if a.top().kind != Clusters || len(a.stack) != 1 || vms.DetailShown() {
		t.Errorf("after esc ×3: %s, detail %v; want back at clusters", crumbs(a), vms.DetailShown())
	}
}

func TestFilterAndClear(t *testing.T) {
	a := loadedApp(t)
	keys(a, "/", "!on")
	if a.current().(listView).Len() != 3 { // the powered-off and suspended VMs
		t.Errorf("filter !on keeps %d VMs; want 3 (not poweredOn)", a.current().(listView).Len())
	}
	keys(a, "<enter>")
	if a.mode != modeNormal || a.current().(listView).Filter() != "!on" {
		t.Errorf("enter leaves mode %v filter %q; want normal mode, filter kept", a.mode, a.current().(listView).Filter())
	}
	keys(a, "<esc>")
	if a.current().(listView).Filter() != "" || a.current().(listView).Len() != 12 {
		t.Errorf("esc leaves filter %q and %d rows; want cleared, 12", a.current().(listView).Filter(), a.current().(listView).Len())
	}
}

func TestSortKeys(t *testing.T) {
	a := loadedApp(t)
	keys(a, ">")
	r := listOf[vsphere.VM](t, a, VMs)
	if col, desc := r.Sort(); col != "POWER" || desc {
		t.Errorf("> sorts by %s desc=%v; want POWER ascending", col, desc)
	}
	keys(a, "<")
	if _, desc := r.Sort(); !desc {
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
	if !strings.Contains(a.statusBar(), `unknown command "bogus"`) || a.top().kind != Hosts {
		t.Errorf("after :bogus: status %q, view %s; want an error and the hosts view kept", a.statusBar(), a.top().kind)
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
	a.cfg.Connect = func(_ context.Context, name, _ string) (*vsphere.Client, error) {
		asked = append(asked, name)
		return nil, errors.New("no route to host")
	}
	oldGen := a.gen
	a.Update(tasksMsg{gen: a.gen, update: vsphere.TaskUpdate{Seq: 1, Data: []vsphere.Task{{ID: "task-1", Name: "PowerOffVM"}}}})
	keys(a, ":ctx", "<enter>")
	if a.top().kind != Contexts || a.current().(listView).Total() != 2 {
		t.Fatalf(":ctx shows %s with %d rows; want the 2 contexts", a.top().kind, a.current().(listView).Total())
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
	if !strings.Contains(a.statusBar(), "disconnected") || !strings.Contains(a.statusBar(), "no route to host") {
		t.Errorf("failed switch: status %q; want disconnected and the error", a.statusBar())
	}
	keys(a, ":ctx nope", "<enter>")
	if !strings.Contains(a.statusBar(), `no context named "nope"`) {
		t.Errorf(":ctx nope gives %q", a.statusBar())
	}
}

func TestPowerMenuConfirmsTheBlastRadius(t *testing.T) {
	l, _ := simApp(t, vsphere.Policy{})
	a := l.a
	l.keys("/", "web-0", "<enter>", " ", " ", "p")
	if a.dialog == nil || a.dialog.Title() != "power 2 VMs: web-01, web-02" {
		t.Fatalf("p on 2 marked VMs opens %+v; want the power menu for 2 VMs", a.dialog)
	}
	l.keys("<enter>") // power-off, the first that applies to running VMs
	if a.dialog == nil || a.dialog.Title() != "power off 2 VMs on 2 hosts: web-01, web-02?" {
		t.Fatalf("confirmation = %+v; want the blast radius", a.dialog)
	}
	if screen := a.View(); !strings.Contains(screen, "› no") {
		t.Errorf("the confirmation does not default to no:\n%s", screen)
	}
	l.keys("n")
	if a.dialog != nil || a.changes.Status(false) != "" {
		t.Errorf("n leaves dialog %+v, status %q; want nothing started", a.dialog, a.changes.Status(false))
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

// TestTabCyclesCompletions: each Tab puts the next command that starts
// with what was typed in the command line, round again after the last;
// typing starts afresh.
func TestTabCyclesCompletions(t *testing.T) {
	a := loadedApp(t)
	keys(a, ":", "c")
	var got []string
	for range 5 {
		keys(a, "<tab>")
		got = append(got, a.input.Value())
	}
	if want := []string{"cluster", "cluster @all", "ctx", "ctx lab", "ctx prod"}; !slices.Equal(got, want) {
		t.Errorf(":c then Tab 5 times gives %q; want %q", got, want)
	}
	keys(a, "<backspace>", "<backspace>", "<backspace>", "<backspace>", "<backspace>", "<backspace>", "<backspace>", "<backspace>", "d")
	got = nil
	for range 4 {
		keys(a, "<tab>")
		got = append(got, a.input.Value())
	}
	if want := []string{"ds", "ds @all", "drill", "ds"}; !slices.Equal(got, want) {
		t.Errorf("typing d after cycling, then Tab 3 times, gives %q; want %q", got, want)
	}
	keys(a, "<esc>", ":", "al", "<tab>", "<tab>")
	if a.input.Value() != "alias" {
		t.Errorf(":al and Tab twice gives %q; want alias, the one completion, kept", a.input.Value())
	}
}

// TestSortByColumnLetter: shift and a letter of a column's title sorts by
// that column, the same letter again reverses, and the help lists them.
func TestSortByColumnLetter(t *testing.T) {
	a := loadedApp(t)
	r := listOf[vsphere.VM](t, a, VMs)
	for _, tt := range []struct {
		key  string
		col  string
		desc bool
	}{{"H", "HOST", false}, {"H", "HOST", true}, {"P", "POWER", false}, {"N", "NAME", false}} {
		keys(a, tt.key)
		if col, desc := r.Sort(); col != tt.col || desc != tt.desc {
			t.Errorf("%s sorts by %s desc=%v; want %s desc=%v", tt.key, col, desc, tt.col, tt.desc)
		}
	}
	keys(a, "H")
	if s := screen(a); !strings.Contains(s, "HOST↑") {
		t.Errorf("after H the header lacks HOST↑:\n%s", s)
	}
	keys(a, "?")
	if s := screen(a); !strings.Contains(s, "shift+letter sort by that column") || !regexp.MustCompile(`H +sort by HOST`).MatchString(s) {
		t.Errorf("help lacks the sort letters:\n%s", s)
	}
}

// TestRowPosition: when the rows do not all fit, the header says which
// row is selected of how many.
func TestRowPosition(t *testing.T) {
	a := loadedApp(t)
	if s := screen(a); strings.Contains(s, "row 1/") {
		t.Errorf("all 12 rows fit, yet the header shows a position:\n%s", s)
	}
	a.Update(tea.WindowSizeMsg{Width: 120, Height: 12})
	keys(a, "<down>", "<down>", "<down>")
	if s := screen(a); !strings.Contains(s, "vtui vms [12] row 4/12") {
		t.Errorf("after 3 downs on a short screen the header lacks \"[12] row 4/12\":\n%s", s)
	}
	keys(a, "/", "web", "<enter>", "<down>")
	if s := screen(a); strings.Contains(s, "row ") {
		t.Errorf("the filtered rows all fit, yet the header shows a position:\n%s", s)
	}
}

// TestHelpListsCommands: ? lists every : command after the keys, and
// the form that opens a kind across contexts; the help scrolls to them.
func TestHelpListsCommands(t *testing.T) {
	a := loadedApp(t)
	keys(a, "?")
	for range 30 {
		keys(a, "<down>")
	}
	s := screen(a)
	for _, c := range commandNames(nil) {
		c, all := strings.CutSuffix(c, " "+allContexts)
		if all {
			c = "KIND " + allContexts // one line names the form
		}
		if !regexp.MustCompile(`:` + c + `\b`).MatchString(s) {
			t.Errorf("help scrolled to its end lacks :%s:\n%s", c, s)
		}
	}
}
