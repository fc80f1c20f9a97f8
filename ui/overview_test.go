package ui

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
	"github.com/vtui/vtui/vsphere/vspheretest"
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

// TestOverviewOnPlainVcsim drives :pulse against govmomi's plain vcsim,
// which has no HA emulation and pushes no configuration change: the
// counts of its VPX model, the red alarm vcsim raised on an extension's
// event, its one cluster's bars and "HA off", an extension's running task
// and the latest events (the extension's, which has no message, by its
// type). HA turned on by vtui's gate shows as a verdict after r (read
// from the configuration, not the stale inventory); the task's end shows
// live; Enter on the red alarms' row opens :alarm.
func TestOverviewOnPlainVcsim(t *testing.T) {
	c := vspheretest.PlainVcsim(t)
	ctx := context.Background()
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// vcsim sets the alarm without telling watchers: raised before the
	// screen opens, it is in its first read.
	if err := vspheretest.PostEventEx(ctx, c, inv.VMs[0].Ref, "vcsim.vm.fatal"); err != nil {
		t.Fatal(err)
	}
	finish, err := vspheretest.StartExtensionTask(ctx, c, inv.VMs[1].Ref, "com.example.backup.run", 40)
	if err != nil {
		t.Fatal(err)
	}
	a := New(Config{Context: "vcsim", Contexts: []string{"vcsim"}, Connect: func(context.Context, string, string) (*vsphere.Client, error) {
		return c, nil
	}})
	l := run(t, a)
	l.until("the inventory to load", func() bool { return a.state == vsphere.Live && a.inv != nil })
	l.keys(":pulse", "<enter>")
	l.until("the HA verdict", func() bool { return !strings.Contains(a.View(), "HA verdict: reading") })
	l.until("the task and the events", func() bool { return len(a.tasks) > 0 && len(a.events) > 0 })
	screen := a.View()
	for _, want := range []string{
		`VMs \(4\)\n +poweredOn +0\n +poweredOff +4\n`,
		`Hosts \(4\)\n +connected +4\n +disconnected +0\n +notResponding +0\n`,
		`Alarms \(1\)\n +red +1\n +yellow +0\n`,
		`DC0_C0 +CPU \[[# ]+\] +\d+%  MEM \[[# ]+\] +\d+%  HA off\n`,
		`Running tasks \(1\)\n +com\.example\.backup\.run +DC0_C0_RP0_VM1 +40%  u\n`,
		`Latest events\n(.*\n)*.*\d\d:\d\d:\d\d  vcsim\.vm\.fatal vm-\d+\n`,
		`\d\d:\d\d:\d\d  User u@127\.0\.0\.1 logged in`,
	} {
		if !regexp.MustCompile(want).MatchString(screen) {
			t.Errorf("the overview of plain vcsim does not match %s:\n%s", want, screen)
		}
	}

	cc, err := c.ClusterConfig(ctx, inv, inv.Clusters[0].Ref)
	if err != nil {
		t.Fatal(err)
	}
	on := cc.Spec
	on.HA.Enabled = true
	if r := gate.NewGate(c).Do(ctx, gate.ReconfigureCluster(cc, on, false), nil); r.Status != gate.StatusOK {
		t.Fatalf("turn HA on: %s %q", r.Status, r.Message)
	}
	l.keys("r")
	l.until("the verdict of HA turned on", func() bool {
		return strings.Contains(a.View(), "MEM [") && strings.Contains(a.View(), "%  tolerates 2 host failures")
	})

	if err := finish(ctx); err != nil {
		t.Fatal(err)
	}
	l.until("the task's end", func() bool { return strings.Contains(a.View(), "Running tasks (0)") })

	keys(a, "<down>", "<down>", "<down>", "<down>", "<down>", "<down>", "<enter>")
	if screen := a.View(); a.top().kind != Alarms || !strings.Contains(screen, "vcsim VM Alarm") {
		t.Errorf("Enter on the red alarms' row shows %s:\n%s\nwant :alarm with vcsim's alarm", a.top().kind, screen)
	}
}
