package ui

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// TestScreenAlarms shows :alarm with fixed data, red before yellow, and
// Enter on an alarm opens the view of its entity, narrowed to it.
func TestScreenAlarms(t *testing.T) {
	at := func(m int) time.Time { return time.Date(2026, 11, 25, 11, m, 0, 0, time.UTC) }
	a := loadedApp(t)
	a.Update(alarmsMsg{gen: a.gen, update: vsphere.AlarmUpdate{Seq: 1, State: vsphere.Live, Data: []vsphere.Alarm{
		{Key: "alarm-104.vm-1", Alarm: "Virtual machine CPU usage", EntityName: "web-01", EntityType: "vm", Status: vsphere.AlarmYellow, Time: at(50)},
		{Key: "alarm-101.host-1", Alarm: "Host connection and power state", EntityName: "esx-a-01.lab.local", EntityType: "host",
			Status: vsphere.AlarmRed, Time: at(40), Acknowledged: true, AcknowledgedBy: "admin", AcknowledgedTime: at(45)},
		{Key: "alarm-106.domain-c1", Alarm: "Insufficient vSphere HA failover resources", EntityName: "cluster-a", EntityType: "cluster",
			Status: vsphere.AlarmRed, Time: at(41)},
	}}})
	keys(a, ":alarm", "<enter>")
	assertScreen(t, "alarms", a.View())
	keys(a, "<enter>")
	if screen := a.View(); a.top().kind != Clusters || !strings.Contains(screen, "cluster-a") || strings.Contains(screen, "cluster-b") {
		t.Errorf("Enter on cluster-a's alarm shows %s:\n%s\nwant the cluster view with cluster-a only", a.top().kind, screen)
	}
}

// TestAlarmFromACrashShowsLiveAndIsAcknowledged runs the whole program
// against the simulator: a host crashed by another party shows its alarm
// in :alarm with no key pressed (the issue asks within 1 s; the bound here
// is generous, and the time taken is logged), and a acknowledges it after
// a confirmation naming the alarm and the host.
func TestAlarmFromACrashShowsLiveAndIsAcknowledged(t *testing.T) {
	srv, tm := crashableProgram(t, ":alarm")
	waitScreen(t, tm.Output(), "STATUS", "ALARM")

	start := time.Now()
	if err := srv.CrashHost("esx-a-01.lab.local"); err != nil {
		t.Fatal(err)
	}
	waitRows(t, tm.Output(), regexp.MustCompile(`red +Host connection and power state +host +esx-a-01\.lab\.local`))
	t.Logf("the crash's alarm showed in :alarm after %s", time.Since(start).Round(time.Millisecond))

	tm.Type("a")
	waitScreen(t, tm.Output(), "acknowledge Host connection and power state on host esx-a-01.lab.local")
	tm.Type("y")
	waitRows(t, tm.Output(), regexp.MustCompile(`esx-a-01\.lab\.local +\S+ \S+ +`+regexp.QuoteMeta(srv.Username)))
	final := quitProgram(t, tm)
	if len(final.alarms) != 1 || !final.alarms[0].Acknowledged {
		t.Errorf("model: %+v; want the one alarm, acknowledged", final.alarms)
	}
}

// crashableProgram runs the whole program against the small preset, with
// HA too slow to act on a crash within a test, and opens the view the :
// command names once the VMs are in.
func crashableProgram(t *testing.T, command string) (*sim.Server, *teatest.TestModel) {
	t.Helper()
	srv := vspheretest.StartWith(t, "small", sim.Options{HA: sim.HAOptions{DetectDelay: time.Hour}})
	app := New(Config{Context: "sim", Contexts: []string{"sim"}, Connect: func(ctx context.Context, _, _ string) (*vsphere.Client, error) {
		return vsphere.Connect(ctx, vspheretest.Config(srv))
	}})
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(140, 40))
	waitScreen(t, tm.Output(), "12 VMs", "web-02")
	tm.Type(command)
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	return srv, tm
}

// quitProgram quits the program, logs it out, and returns its model.
func quitProgram(t *testing.T, tm *teatest.TestModel) *App {
	t.Helper()
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*App)
	if err := final.Close(context.Background()); err != nil {
		t.Errorf("Close: %v", err)
	}
	return final
}
