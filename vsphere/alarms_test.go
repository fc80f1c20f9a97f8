package vsphere_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// TestTriggeredAlarmsReadsEachEntitysAlarmsByName: a host with a
// triggered alarm reports it, named, red and unacknowledged; the others
// and the cluster report none; cleared, it is gone.
func TestTriggeredAlarmsReadsEachEntitysAlarmsByName(t *testing.T) {
	srv := vspheretest.Start(t, "small")
	c := vspheretest.Connect(t, srv)
	ctx := context.Background()
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	refs := []vsphere.Ref{inv.Clusters[0].Ref}
	for _, h := range inv.Hosts {
		refs = append(refs, h.Ref)
	}
	if got, err := c.TriggeredAlarms(ctx, refs); err != nil || len(got) != 0 {
		t.Fatalf("before: %+v, %v; want no alarm", got, err)
	}
	clear := vspheretest.TriggerAlarm(t, srv, inv.Hosts[1].Name)
	got, err := c.TriggeredAlarms(ctx, refs)
	if err != nil || len(got) != 1 || got[0].Entity != inv.Hosts[1].Ref || got[0].Alarm != "Host error" || got[0].Status != "red" || got[0].Acknowledged {
		t.Fatalf("triggered on %s: %+v, %v; want its red, unacknowledged Host error", inv.Hosts[1].Name, got, err)
	}
	clear()
	if got, err := c.TriggeredAlarms(ctx, refs); err != nil || len(got) != 0 {
		t.Errorf("cleared: %+v, %v; want no alarm", got, err)
	}
}

// nextAlarms waits, at most 10 s, for the alarm watch w to publish a list
// that ok accepts, and returns it.
func nextAlarms(t *testing.T, w *vsphere.AlarmWatch, what string, ok func([]vsphere.Alarm) bool) []vsphere.Alarm {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var seq uint64
	for {
		u, err := w.Next(ctx, seq)
		if err != nil {
			t.Fatalf("waiting for %s: %v; last seen: %+v", what, err, u.Data)
		}
		seq = u.Seq
		if u.Data != nil && ok(u.Data) {
			return u.Data
		}
	}
}

// hostDown finds the simulator's "Host connection and power state" alarm
// on host in alarms.
func hostDown(alarms []vsphere.Alarm, host string) (vsphere.Alarm, bool) {
	for _, a := range alarms {
		if a.Alarm == "Host connection and power state" && a.EntityName == host {
			return a, true
		}
	}
	return vsphere.Alarm{}, false
}

// TestCrashTriggersTheHostConnectionAlarmLive: a crashed host raises
// vCenter's "Host connection and power state" alarm, red, on the host,
// pushed to an alarm watch and read by Alarms once (not once per
// ancestor), with an AlarmStatusChangedEvent; recovering the host clears
// it.
func TestCrashTriggersTheHostConnectionAlarmLive(t *testing.T) {
	srv := vspheretest.StartWith(t, "small", sim.Options{HA: sim.HAOptions{DetectDelay: time.Hour}})
	c := vspheretest.Connect(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := c.WatchAlarms(ctx)
	nextAlarms(t, w, "the first list", func([]vsphere.Alarm) bool { return true })
	if got, err := c.Alarms(ctx); err != nil || len(got) != 0 {
		t.Fatalf("before the crash: %+v, %v; want no alarm", got, err)
	}
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	host := inv.Hosts[0].Name
	if err := srv.CrashHost(host); err != nil {
		t.Fatal(err)
	}
	live := nextAlarms(t, w, "the host alarm", func(as []vsphere.Alarm) bool { _, ok := hostDown(as, host); return ok })
	a, _ := hostDown(live, host)
	if a.Status != vsphere.AlarmRed || a.EntityType != "host" || a.Acknowledged || a.Time.IsZero() {
		t.Errorf("alarm on the crashed host: %+v; want red, on a host, unacknowledged, with its time", a)
	}
	read, err := c.Alarms(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(slices.DeleteFunc(slices.Clone(read), func(x vsphere.Alarm) bool { return x.Key != a.Key })); n != 1 {
		t.Errorf("Alarms lists the host alarm %d times; want once: %+v", n, read)
	}
	events, err := c.Events(ctx, 50, "AlarmStatusChangedEvent")
	if err != nil {
		t.Fatal(err)
	}
	want := "Alarm 'Host connection and power state' on " + host + " changed from green to red"
	if !slices.ContainsFunc(events, func(e vsphere.Event) bool { return e.Message == want }) {
		t.Errorf("events: %+v; want %q", events, want)
	}
	if err := srv.RecoverHost(host); err != nil {
		t.Fatal(err)
	}
	nextAlarms(t, w, "the alarm cleared", func(as []vsphere.Alarm) bool { _, ok := hostDown(as, host); return !ok })
}

// TestAlarmsOnPlainVcsim: on govmomi's own vcsim the list reads, empty,
// as does the alarm watch's first list, and an alarm vcsim triggers
// itself (an EventEx its "vcsim VM Alarm" matches) is listed named, on
// its VM.
func TestAlarmsOnPlainVcsim(t *testing.T) {
	c := vspheretest.PlainVcsim(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got, err := c.Alarms(ctx)
	if err != nil || len(got) != 0 {
		t.Fatalf("plain vcsim: %+v, %v; want no alarm", got, err)
	}
	if first := nextAlarms(t, c.WatchAlarms(ctx), "the watch's first list", func([]vsphere.Alarm) bool { return true }); len(first) != 0 {
		t.Errorf("the watch's first list on plain vcsim: %+v; want none", first)
	}
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	vm := inv.VMs[0]
	if err := vspheretest.PostEventEx(ctx, c, vm.Ref, "vcsim.vm.fatal"); err != nil {
		t.Fatal(err)
	}
	got, err = c.Alarms(ctx)
	if err != nil || len(got) != 1 || got[0].Alarm != "vcsim VM Alarm" || got[0].EntityName != vm.Name || got[0].EntityType != "vm" || got[0].Status != vsphere.AlarmRed {
		t.Errorf("after vcsim.vm.fatal on %s: %+v, %v; want its red vcsim VM Alarm", vm.Name, got, err)
	}
}
