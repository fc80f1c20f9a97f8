package ui

import (
	"slices"
	"strings"
	"testing"

	"github.com/vtui/vtui/vsphere"
)

// TestMaintenanceEmptiesTheHostFirst: M on a host that runs powered-on
// VMs empties it before it enters maintenance mode. Where DRS is fully
// automated DRS moves them, and the confirmation says so; elsewhere vtui
// plans each move, as `vtui host maintenance enter --evacuate` does, and
// the confirmation lists them. Either way the host ends in maintenance
// mode with no powered-on VM.
func TestMaintenanceEmptiesTheHostFirst(t *testing.T) {
	tests := []struct {
		host  string
		title string
		body  []string
	}{
		{"esx-a-01.lab.local", "enter maintenance mode on esx-a-01.lab.local?",
			[]string{"• enter maintenance mode on esx-a-01.lab.local", "DRS (fully automated) moves app-02, web-01 off first."}},
		{"esx-b-02.lab.local", "migrate 2 VMs from esx-b-02.lab.local to 2 targets; enter maintenance mode on esx-b-02.lab.local?",
			[]string{"• migrate batch-01 from esx-b-02.lab.local to esx-b-0", "• migrate web-03 from esx-b-02.lab.local to esx-b-0",
				"• enter maintenance mode on esx-b-02.lab.local", "DRS does not move them: vtui does, first"}},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			l, srv := simApp(t, vsphere.Policy{})
			a := l.a
			l.keys(":host", "<enter>", "/", tt.host, "<enter>", "M")
			l.until("the maintenance plan", func() bool { return a.dialog != nil })
			if got := a.dialog.Title(); got != tt.title {
				t.Errorf("M on %s asks %q; want %q", tt.host, got, tt.title)
			}
			screen := a.View()
			for _, want := range tt.body {
				if !strings.Contains(screen, want) {
					t.Errorf("the confirmation lacks %q:\n%s", want, screen)
				}
			}
			l.keys("y")
			l.until("the change to end", idle(a))
			inv := inventory(t, srv)
			for _, h := range inv.FilterHosts(vsphere.Filter{Name: tt.host}) {
				if !h.MaintenanceMode {
					t.Errorf("%s is not in maintenance mode; notes %q", h.Name, noteText(a))
				}
			}
			for _, v := range inv.FilterVMs(vsphere.Filter{Host: tt.host}) {
				if v.PowerState == "poweredOn" {
					t.Errorf("%s still runs on %s", v.Name, tt.host)
				}
			}
		})
	}
}

// TestMaintenanceActsOnTheMarkedHosts: M, as m and p on VMs, acts on the
// marked hosts when any are marked, else on the selected one. The
// confirmation names them, not the host under the cursor; once it is
// confirmed they change and their marks are gone. M on marked hosts all in
// maintenance mode takes them out.
func TestMaintenanceActsOnTheMarkedHosts(t *testing.T) {
	l, srv := simApp(t, vsphere.Policy{})
	a := l.a
	marked := []string{"esx-b-01.lab.local", "esx-b-02.lab.local"}
	inMaintenance := func(want bool) {
		t.Helper()
		hosts := inventory(t, srv).FilterHosts(vsphere.Filter{Name: "esx-b-*"})
		if len(hosts) != 3 {
			t.Fatalf("%d hosts named esx-b-*; want the 3 of cluster-b", len(hosts))
		}
		for _, h := range hosts {
			if h.MaintenanceMode != (want && h.Name != "esx-b-03.lab.local") {
				t.Errorf("%s: maintenance mode %t; want it only on %v; notes %q", h.Name, h.MaintenanceMode, marked, noteText(a))
			}
		}
	}
	l.keys(":host", "<enter>", "/", "esx-b", "<enter>")
	for _, step := range []struct {
		title string
		in    bool // the marked hosts are in maintenance mode once it is done
	}{
		{"migrate 3 VMs from 2 hosts to esx-b-03.lab.local; enter maintenance mode on 2 hosts: esx-b-01.lab.local, esx-b-02.lab.local?", true},
		{"exit maintenance mode on 2 hosts: esx-b-01.lab.local, esx-b-02.lab.local?", false},
	} {
		// The cursor ends on esx-b-03, which is not marked.
		l.keys("g", " ", " ", "M")
		l.until("the maintenance confirmation", func() bool { return a.dialog != nil })
		if got := dialogTitle(a); got != step.title {
			t.Errorf("M with %v marked asks %q; want %q", marked, got, step.title)
		}
		l.keys("y")
		l.until("the change to end", idle(a))
		if n := l.marks(); n != 0 {
			t.Errorf("after %q was confirmed %d hosts are still marked; want none", step.title, n)
		}
		inMaintenance(step.in)
		// The next M decides from what the UI shows: wait for the watch to
		// bring both hosts' new state, as a user would see it.
		l.until("the UI to show the marked hosts' maintenance mode", func() bool {
			seen := 0
			for _, h := range a.inv.FilterHosts(vsphere.Filter{Name: "esx-b-*"}) {
				if slices.Contains(marked, h.Name) {
					if h.MaintenanceMode != step.in {
						return false
					}
					seen++
				}
			}
			return seen == len(marked)
		})
	}
}
