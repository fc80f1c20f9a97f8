package ui

import (
	"strings"
	"testing"

	"github.com/vtui/vtui/ui/common"
	"github.com/vtui/vtui/vsphere"
)

// marks returns how many rows of the current view are marked.
func (l *loop) marks() int {
	l.t.Helper()
	v, ok := l.a.current().(listView)
	if !ok {
		l.t.Fatalf("the current view %s is not a list", l.a.top().kind)
	}
	return v.Marks()
}

// dialogTitle is the open dialog's title, or "" with none open.
func dialogTitle(a *App) string {
	if a.dialog == nil {
		return ""
	}
	return a.dialog.Title()
}

// TestMarksClearOnceTheirActionIsConfirmed: on :vm, mark app-01, migrate
// it, then power off the VM under the cursor: the power menu is for that
// VM, not for app-01, whose mark went with its confirmed migration.
func TestMarksClearOnceTheirActionIsConfirmed(t *testing.T) {
	l, _ := simApp(t, vsphere.Policy{})
	l.keys(":vm", "<enter>", " ") // the VMs sort by name: app-01 is marked, the cursor moves to app-02
	if n := l.marks(); n != 1 {
		t.Fatalf("space on app-01 marked %d rows; want 1", n)
	}
	l.migrateToBest()
	if n := l.marks(); n != 0 {
		t.Errorf("after the migration was confirmed, %d rows are still marked; want none", n)
	}
	l.keys("p")
	if dialogTitle(l.a) != "power app-02" {
		t.Fatalf("p on app-02 after app-01's migration opened %q; want the power menu of app-02", dialogTitle(l.a))
	}
	l.keys("<enter>")
	if want := "power off app-02 on esx-a-01.lab.local?"; dialogTitle(l.a) != want {
		t.Errorf("the confirmation asks %q; want %q", dialogTitle(l.a), want)
	}
}

// TestEscClearsTheMarksAndTheHeaderCountsThem: the header says how many
// rows are marked; Esc unmarks them all and stays in the view.
func TestEscClearsTheMarksAndTheHeaderCountsThem(t *testing.T) {
	l, _ := simApp(t, vsphere.Policy{})
	l.keys(":vm", "<enter>", " ", " ")
	if h := l.a.header(); !strings.Contains(h, "[12] 2 marked") {
		t.Errorf("with 2 rows marked the header is\n%s\nwant it to say \"2 marked\"", h)
	}
	l.keys("<esc>")
	if n := l.marks(); n != 0 || l.a.top().kind != VMs {
		t.Errorf("after esc %d rows are marked in %s; want none, in vms", n, l.a.top().kind)
	}
	if h := l.a.header(); strings.Contains(h, "marked") {
		t.Errorf("with no row marked the header still counts marks:\n%s", h)
	}
}

// TestMarksBelongToOneViewAndGoWhenItIsLeft: leaving a view, by : or by
// drilling down, unmarks its rows; coming back shows none marked.
func TestMarksBelongToOneViewAndGoWhenItIsLeft(t *testing.T) {
	l, _ := simApp(t, vsphere.Policy{})
	for _, tc := range []struct {
		name        string
		mark, leave []string
		back        []string
	}{
		{"switch with :", []string{":vm", "<enter>", " "}, []string{":host", "<enter>"}, []string{":vm", "<enter>"}},
		{"drill down", []string{":cluster", "<enter>", " ", "<up>"}, []string{"<enter>"}, []string{"<esc>"}},
		{"HA panel", []string{":cluster", "<enter>", " ", "<up>"}, []string{"h"}, []string{"<esc>"}},
	} {
		l.keys(tc.mark...)
		if n := l.marks(); n != 1 {
			t.Fatalf("%s: %d rows marked; want 1", tc.name, n)
		}
		kind := l.a.top().kind
		l.keys(tc.leave...)
		if l.a.top().kind == kind {
			t.Fatalf("%s: %v did not leave %s", tc.name, tc.leave, kind)
		}
		l.keys(tc.back...)
		if l.a.top().kind != kind {
			t.Fatalf("%s: %v did not come back to %s but to %s", tc.name, tc.back, kind, l.a.top().kind)
		}
		if n := l.marks(); n != 0 {
			t.Errorf("%s: back in %s, %d rows are still marked; want none", tc.name, kind, n)
		}
	}
}

// TestConfirmationsNameTheirTargets: the power and migrate dialogs, and
// the confirmation of what they plan, name a lone VM, and name the first
// few of several with their count, never "1 VM(s)".
func TestConfirmationsNameTheirTargets(t *testing.T) {
	for _, tc := range []struct {
		marked                   int
		power, migrate, powerOff string
	}{
		{0, "power app-01", "migrate app-01 to…", "power off app-01 on esx-a-02.lab.local?"},
		{2, "power 2 VMs: app-01, app-02", "migrate 2 VMs: app-01, app-02 to…", "power off 2 VMs on 2 hosts: app-01, app-02?"},
		{5, "power 5 VMs: app-01, app-02, app-03 and 2 more", "migrate 5 VMs: app-01, app-02, app-03 and 2 more to…",
			"power off 5 VMs on 5 hosts: app-01, app-02, app-03 and 2 more?"},
	} {
		l, _ := simApp(t, vsphere.Policy{})
		l.keys(":vm", "<enter>")
		for range tc.marked {
			l.keys(" ")
		}
		l.keys("g", "m")
		l.until("the migrate dialog", func() bool { return l.a.dialog != nil })
		if got := dialogTitle(l.a); got != tc.migrate {
			t.Errorf("%d marked: the migrate dialog is %q; want %q", tc.marked, got, tc.migrate)
		}
		l.keys("<esc>", "p")
		if got := dialogTitle(l.a); got != tc.power {
			t.Errorf("%d marked: the power menu is %q; want %q", tc.marked, got, tc.power)
		}
		if tc.marked == 5 {
			l.keys("<down>") // app-03 is suspended: power-on comes first
		}
		l.keys("<enter>") // power-off
		if got := dialogTitle(l.a); got != tc.powerOff {
			t.Errorf("%d marked: the confirmation is %q; want %q", tc.marked, got, tc.powerOff)
		}
	}
}

func TestTargets(t *testing.T) {
	for _, tt := range []struct {
		names []string
		want  string
	}{
		{[]string{"app-01"}, "app-01"},
		{[]string{"app-01", "app-02", "app-03"}, "3 VMs: app-01, app-02, app-03"},
		{[]string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"}, "12 VMs: a, b, c and 9 more"},
	} {
		if got := common.Targets(tt.names, "VM"); got != tt.want {
			t.Errorf("Targets(%q, VM) = %q; want %q", tt.names, got, tt.want)
		}
	}
}
