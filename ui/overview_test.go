package ui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/vtui/vtui/vsphere"
)

// TestScreenOverview shows :overview with fixed data: the counts by power
// and connection state, alarms by severity, each cluster's usage bars
// (its HA verdict still being read: no client here), the running task
// and the latest events; ↓ and Enter on the red alarms' row open :alarm
// filtered to red.
func TestScreenOverview(t *testing.T) {
	at := func(m int) time.Time { return time.Date(2026, 11, 25, 11, m, 0, 0, time.UTC) }
	a := loadedApp(t)
	a.Update(alarmsMsg{gen: a.gen, update: vsphere.AlarmUpdate{Seq: 1, State: vsphere.Live, Data: []vsphere.Alarm{
		{Key: "alarm-101.host-1", Alarm: "Host connection and power state", EntityName: "esx-a-01.lab.local", EntityType: "host", Status: vsphere.AlarmRed, Time: at(40)},
		{Key: "alarm-104.vm-1", Alarm: "Virtual machine CPU usage", EntityName: "web-01", EntityType: "vm", Status: vsphere.AlarmYellow, Time: at(50)},
	}}})
	a.Update(tasksMsg{gen: a.gen, update: vsphere.TaskUpdate{Seq: 1, State: vsphere.Live, Data: []vsphere.Task{
		{ID: "task-3", Name: "RelocateVM", Target: "web-01", State: vsphere.TaskRunning, Progress: 40, User: "admin", Queued: at(2)},
		{ID: "task-2", Name: "PowerOffVM", Target: "db-02", State: vsphere.TaskSuccess, Progress: 100, User: "admin", Queued: at(1)},
	}}})
	a.Update(eventsMsg{gen: a.gen, update: vsphere.EventUpdate{Seq: 1, State: vsphere.Live, Data: []vsphere.Event{
		{Key: 12, Time: at(41), Type: "HostConnectionLostEvent", Object: "esx-a-01.lab.local", Message: "Host esx-a-01.lab.local in dc-01 is not responding"},
	}}})
	keys(a, ":pulse", "<enter>")
	assertScreen(t, "overview", a.View())
	a.Update(tea.WindowSizeMsg{Width: 60, Height: 24})
	for i, l := range strings.Split(a.View(), "\n") {
		if w := lipgloss.Width(l); w > 60 {
			t.Errorf("at 60 columns line %d is %d wide: %q", i, w, l)
		}
	}
	a.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	keys(a, "<down>", "<down>", "<down>", "<down>", "<down>", "<down>", "<enter>")
	if screen := a.View(); a.top().kind != Alarms || !strings.Contains(screen, "Host connection and power state") || strings.Contains(screen, "Virtual machine CPU usage") {
		t.Errorf("Enter on the red alarms' row shows %s:\n%s\nwant :alarm with the red alarm only", a.top().kind, screen)
	}
}

// TestOverviewIsLive runs the whole program against the simulator: the
// overview reads each cluster's HA verdict, and a host crashed by another
// party shows at once as a host not responding and a red alarm.
func TestOverviewIsLive(t *testing.T) {
	srv, tm := crashableProgram(t, ":overview")
	waitRows(t, tm.Output(), regexp.MustCompile(`cluster-a +CPU \[[# ]+\] +\d+%  MEM \[[# ]+\] +\d+%  tolerates \d host failure`),
		regexp.MustCompile(`cluster-b +CPU .*HA off`))
	start := time.Now()
	if err := srv.CrashHost("esx-a-01.lab.local"); err != nil {
		t.Fatal(err)
	}
	waitRows(t, tm.Output(), regexp.MustCompile(`notResponding +1`), regexp.MustCompile(`red +1`))
	t.Logf("the crash showed in the overview after %s", time.Since(start).Round(time.Millisecond))
	quitProgram(t, tm)
}
