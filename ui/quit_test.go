package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/vsphere"
)

// quitAsked reports whether the UI asked to end the program: quitting
// cancels its context (App.quit).
func (l *loop) quitAsked() bool { return l.a.ctx.Err() != nil }

// where says where the UI is: the views on the stack, the detail pane,
// the drill view, help, a dialog.
func (l *loop) where() string {
	var s []string
	for _, loc := range l.a.stack {
		s = append(s, string(loc.kind))
	}
	if d, ok := l.a.current().(interface{ DetailShown() bool }); ok && d.DetailShown() {
		s = append(s, "detail")
	}
	if l.a.drill.Shown() {
		s = append(s, "drill")
	}
	if l.a.mode == modeHelp {
		s = append(s, "help")
	}
	if l.a.dialog != nil {
		s = append(s, "dialog")
	}
	return strings.Join(s, " › ")
}

// TestQAndEscGoBackFromEverySubView: one rule for the whole UI. In every
// sub-view, q and Esc return to where it was opened from and quit
// nothing; ctrl+c quits from each of them; q and :q quit at the top level.
func TestQAndEscGoBackFromEverySubView(t *testing.T) {
	for _, tc := range []struct {
		name      string
		open      []string
		in, back  string
		onlyQBack bool // Esc goes back a step of its own there
		escBack   string
	}{
		{name: "detail pane", open: []string{":vm", "<enter>", "d"}, in: "vms › detail", back: "vms"},
		{name: "a cluster's hosts", open: []string{":cluster", "<enter>", "<enter>"}, in: "clusters › hosts", back: "clusters"},
		{name: "a host's VMs", open: []string{":host", "<enter>", "<enter>"}, in: "hosts › vms", back: "hosts"},
		{name: "HA/DRS panel", open: []string{":cluster", "<enter>", "h"}, in: "clusters › ha", back: "clusters"},
		{name: "help", open: []string{":vm", "<enter>", "?"}, in: "vms › help", back: "vms"},
		{name: "power menu", open: []string{":vm", "<enter>", "p"}, in: "vms › dialog", back: "vms"},
		{name: "drill view, a plan shown", open: []string{":host", "<enter>", ":drill", "<enter>", "wait: › built", "<enter>"},
			in: "hosts › drill", back: "hosts", onlyQBack: true, escBack: "hosts › drill"},
	} {
		for _, k := range []string{"q", "<esc>", "<ctrl+c>"} {
			t.Run(tc.name+" "+k, func(t *testing.T) {
				l, _ := simApp(t, vsphere.Policy{})
				for _, o := range tc.open {
					if want, ok := strings.CutPrefix(o, "wait: "); ok {
						l.screenHas(want)
						continue
					}
					l.keys(o)
				}
				if got := l.where(); got != tc.in {
					t.Fatalf("%v opened %q; want %q", tc.open, got, tc.in)
				}
				l.keys(k)
				want := tc.back
				if k == "<esc>" && tc.onlyQBack {
					want = tc.escBack
				}
				switch {
				case k == "<ctrl+c>" && !l.quitAsked():
					t.Errorf("ctrl+c in %s did not quit; the UI is at %q", tc.name, l.where())
				case k == "<ctrl+c>":
				case l.quitAsked():
					t.Errorf("%s in %s quit vtui; want it back at %q", k, tc.name, want)
				case l.where() != want:
					t.Errorf("%s in %s left the UI at %q; want %q", k, tc.name, l.where(), want)
				}
			})
		}
	}
	for _, quit := range [][]string{{"q"}, {":q", "<enter>"}, {"<ctrl+c>"}} {
		l, _ := simApp(t, vsphere.Policy{})
		l.keys(":host", "<enter>")
		l.keys(quit...)
		if !l.quitAsked() {
			t.Errorf("%v in the top-level host view did not quit", quit)
		}
	}
}

// TestQuitWhileSomethingRunsAsksFirst: quitting with a change or a drill
// running opens a question that names what runs; no, q or esc stays, and
// y or ctrl+c again quits. The drill is then rolled back by Close
// (TestDrillRunningWhenTheUIEndsRollsBack).
func TestQuitWhileSomethingRunsAsksFirst(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start func(t *testing.T) *loop
		names []string
		quits [][]string // in the drill view, q and esc ask to abort the drill instead
	}{
		{"a change", func(t *testing.T) *loop {
			l, srv := simApp(t, vsphere.Policy{})
			srv.SetTaskDelay("RelocateVm", time.Minute)
			l.selectVM("app-01")
			l.migrateToBest()
			l.keys("<esc>") // the filter goes: the VM view is top-level
			l.until("the migration to run", func() bool { return len(l.a.changes.Running()) == 1 })
			return l
		}, []string{"running: migrate app-01", "vtui will not see how they end"}, [][]string{{"q"}, {"<ctrl+c>"}, {":q", "<enter>"}}},
		{"a drill", func(t *testing.T) *loop {
			l, _, _, _ := runningDrill(t)
			return l
		}, []string{"running: a drill (journal host-failure-esx-a-01.lab.local-", "rolls back before vtui exits"}, [][]string{{"<ctrl+c>"}}},
	} {
		for _, quit := range tc.quits {
			for _, answer := range []string{"n", "q", "<esc>", "y", "<ctrl+c>"} {
				t.Run(fmt.Sprintf("%s %v then %s", tc.name, quit, answer), func(t *testing.T) {
					l := tc.start(t)
					l.keys(quit...)
					if l.quitAsked() {
						t.Fatalf("%v quit at once while %s ran", quit, tc.name)
					}
					screen := l.a.View()
					for _, want := range append([]string{"quit vtui?"}, tc.names...) {
						if !strings.Contains(screen, want) {
							t.Errorf("the question lacks %q:\n%s", want, screen)
						}
					}
					l.keys(answer)
					if quits := answer == "y" || answer == "<ctrl+c>"; l.quitAsked() != quits {
						t.Errorf("%s to the question: quit %t; want %t", answer, l.quitAsked(), quits)
					}
				})
			}
		}
	}
}
