package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/vtui/vtui/internal/golden"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	time.Local = time.UTC // goldens show clock times
	os.Exit(m.Run())
}

// The small preset's inventory, loaded once: screen tests need data that a
// real vCenter (here vcsim) produced, but not a live connection.
var small struct {
	once sync.Once
	inv  *vsphere.Inventory
	err  error
}

func smallInventory(t *testing.T) *vsphere.Inventory {
	t.Helper()
	small.once.Do(func() {
		_, c := startSmall(t)
		small.inv, small.err = c.Inventory(context.Background())
	})
	if small.err != nil {
		t.Fatal(small.err)
	}
	return small.inv
}

// startSmall serves the small preset and logs in to it, for the test.
func startSmall(t *testing.T) (*sim.Server, *vsphere.Client) {
	t.Helper()
	srv := vspheretest.Start(t, "small")
	return srv, vspheretest.Connect(t, srv)
}

// loadedApp is an App at 120×30 showing the small preset, as if connected.
func loadedApp(t *testing.T) *App {
	t.Helper()
	a := New(Config{Context: "lab", Contexts: []string{"lab", "prod"}, About: map[string]ContextInfo{
		"lab":  {URL: "https://vc-lab.example.com/sdk", User: "administrator@vsphere.local"},
		"prod": {URL: "https://vc-prod.example.com/sdk", User: "auditor@vsphere.local", ReadOnly: true},
	}})
	a.now = func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }
	a.after = func(time.Duration, tea.Msg) tea.Cmd { return nil } // notes do not expire in tests
	a.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	a.connected = true
	a.Update(watchMsg{gen: a.gen, update: vsphere.WatchUpdate{Data: smallInventory(t), State: vsphere.Live, Seq: 1}})
	return a
}

// keys sends each string as key presses: named keys in <>, else runes.
func keys(a *App, ks ...string) {
	for _, k := range ks {
		for _, msg := range keyMsgs(k) {
			a.Update(msg)
		}
	}
}

// keyMsgs turns a named key (<enter>, <esc>, <tab>, <backspace>, an arrow,
// <ctrl+c>) into its message, and any other string into one message per rune.
func keyMsgs(k string) []tea.Msg {
	switch k {
	case "<enter>":
		return []tea.Msg{tea.KeyMsg{Type: tea.KeyEnter}}
	case "<esc>":
		return []tea.Msg{tea.KeyMsg{Type: tea.KeyEsc}}
	case "<down>":
		return []tea.Msg{tea.KeyMsg{Type: tea.KeyDown}}
	case "<tab>":
		return []tea.Msg{tea.KeyMsg{Type: tea.KeyTab}}
	case "<up>":
		return []tea.Msg{tea.KeyMsg{Type: tea.KeyUp}}
	case "<left>":
		return []tea.Msg{tea.KeyMsg{Type: tea.KeyLeft}}
	case "<right>":
		return []tea.Msg{tea.KeyMsg{Type: tea.KeyRight}}
	case "<backspace>":
		return []tea.Msg{tea.KeyMsg{Type: tea.KeyBackspace}}
	case "<ctrl+c>":
		return []tea.Msg{tea.KeyMsg{Type: tea.KeyCtrlC}}
	case "<ctrl+d>":
		return []tea.Msg{tea.KeyMsg{Type: tea.KeyCtrlD}}
	}
	var msgs []tea.Msg
	for _, r := range k {
		msgs = append(msgs, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return msgs
}

var vmID = regexp.MustCompile(`\b(vm|host|domain-c|datastore|network|group-d|datacenter)-\d+\b`)

// assertScreen compares the screen, its managed-object IDs masked, with
// testdata/name.golden.
func assertScreen(t *testing.T, name, screen string) {
	t.Helper()
	golden.Assert(t, filepath.Join("testdata", name+".golden"), vmID.ReplaceAllString(screen, "$1-N"))
}

func TestScreens(t *testing.T) {
	tests := []struct {
		name string
		keys []string
	}{
		{"vms", nil},
		{"hosts", []string{":host", "<enter>"}},
		{"clusters", []string{":cluster", "<enter>"}},
		{"datastores", []string{":ds", "<enter>"}},
		{"networks", []string{":net", "<enter>"}},
		{"contexts", []string{":ctx", "<enter>"}},
		{"filter", []string{"/", "web"}},
		{"filter-negated", []string{"/", "!powered", "<enter>"}},
		{"detail-vm", []string{"/", "web-01", "<enter>", "d"}},
		{"detail-cluster", []string{":cluster", "<enter>", "d"}},
		{"detail-host", []string{":host", "<enter>", "d"}},
		{"drill-cluster-hosts-vms", []string{":cluster", "<enter>", "<enter>", "<enter>"}},
		{"help", []string{"?"}},
		{"alias", []string{":alias", "<enter>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := loadedApp(t)
			keys(a, tt.keys...)
			assertScreen(t, tt.name, a.View())
		})
	}
}

// TestScreensTasksAndEvents shows the activity views with fixed data: a
// running task with its progress bar, a finished and a failed one; events
// newest first.
func TestScreensTasksAndEvents(t *testing.T) {
	at := func(m, s int) time.Time { return time.Date(2026, 11, 25, 12, m, s, 0, time.UTC) }
	a := loadedApp(t)
	a.Update(tasksMsg{gen: a.gen, update: vsphere.TaskUpdate{Seq: 1, State: vsphere.Live, Data: []vsphere.Task{
		{ID: "task-3", Name: "RelocateVM", Target: "web-01", State: vsphere.TaskRunning, Progress: 40, User: "admin", Queued: at(2, 0)},
		{ID: "task-2", Name: "PowerOffVM", Target: "db-02", State: vsphere.TaskSuccess, Progress: 100, User: "admin", Queued: at(1, 0), Completed: at(1, 2)},
		{ID: "task-1", Name: "PowerOnVM", Target: "app-03", State: vsphere.TaskError, Error: "InvalidPowerState: already powered on", User: "admin", Queued: at(0, 0)},
	}}})
	a.Update(eventsMsg{gen: a.gen, update: vsphere.EventUpdate{Seq: 1, State: vsphere.Live, Data: []vsphere.Event{
		{Key: 12, Time: at(2, 5), Type: "VmMigratedEvent", Object: "web-01", Message: "Migration of web-01 from esx-a-01.lab.local to esx-a-02.lab.local completed"},
		{Key: 11, Time: at(1, 2), Type: "VmPoweredOffEvent", Object: "db-02", Message: "db-02 on esx-a-02.lab.local is powered off"},
	}}})
	keys(a, ":task", "<enter>")
	assertScreen(t, "tasks", a.View())
	keys(a, ":event", "<enter>")
	assertScreen(t, "events", a.View())
}

func TestScreenReconnectingBanner(t *testing.T) {
	a := loadedApp(t)
	a.Update(watchMsg{gen: a.gen, update: vsphere.WatchUpdate{
		Data: a.inv, State: vsphere.Reconnecting, Err: errors.New("connection refused"),
		RetryAt: a.now().Add(4 * time.Second), Seq: 2,
	}})
	assertScreen(t, "reconnecting", a.View())
}

func TestScreenTooSmall(t *testing.T) {
	a := loadedApp(t)
	a.Update(tea.WindowSizeMsg{Width: 40, Height: 8})
	if got := a.View(); !strings.Contains(got, "terminal too small: 40×8") {
		t.Errorf("View() at 40×8 = %q; want the too-small message", got)
	}
	a.Update(tea.WindowSizeMsg{Width: 100, Height: 20})
	if got := a.View(); !strings.Contains(got, "web-01") || len(strings.Split(got, "\n")) != 20 {
		t.Errorf("after resizing to 100×20 the screen has %d lines; want 20 with the table", len(strings.Split(got, "\n")))
	}
}
