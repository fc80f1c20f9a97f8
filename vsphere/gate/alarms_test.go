package gate

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/internal/conntest"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// crashedHostAlarm crashes esx-a-01 of e's simulator and returns the alarm
// it raises, once Alarms lists it (within 5 s) and the simulator has
// settled: an evaluation of the alarms still pending from the crash would
// raise a reset alarm again, as the host still does not respond.
func (e *opsEnv) crashedHostAlarm() vsphere.Alarm {
	e.t.Helper()
	if err := e.srv.CrashHost("esx-a-01.lab.local"); err != nil {
		e.t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if a, ok := e.hostAlarm(); ok {
			vspheretest.Settle(e.t, e.srv)
			return a
		}
	}
	e.t.Fatal("the crash of esx-a-01 raised no alarm within 5 s")
	return vsphere.Alarm{}
}

// hostAlarm returns the host connection alarm of esx-a-01, if triggered.
func (e *opsEnv) hostAlarm() (vsphere.Alarm, bool) {
	e.t.Helper()
	alarms, err := e.c.Alarms(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	i := slices.IndexFunc(alarms, func(a vsphere.Alarm) bool {
		return a.Alarm == "Host connection and power state" && a.EntityName == "esx-a-01.lab.local"
	})
	if i < 0 {
		return vsphere.Alarm{}, false
	}
	return alarms[i], true
}

// TestAcknowledgeAndResetAlarmThroughTheGate: acknowledging marks the
// alarm acknowledged by the session's user and leaves it triggered, and
// again is a no-op; a reset to green removes it; in a dry run and in
// read-only mode neither sends a change, and the alarm stays as it was.
func TestAcknowledgeAndResetAlarmThroughTheGate(t *testing.T) {
	e := newOpsEnv(t)
	ctx := context.Background()
	a := e.crashedHostAlarm()

	for _, p := range []vsphere.Policy{{DryRun: true}, {ReadOnly: true}} {
		c := e.connect(p)
		rec := conntest.Record(c.Conn())
		for _, act := range []Action{AcknowledgeAlarm(a), ResetAlarm(a)} {
			r := NewGate(c).Do(ctx, act, nil)
			want := StatusDryRun
			if p.ReadOnly {
				want = StatusFailed
			}
			if r.Status != want || (p.ReadOnly && !errors.Is(r.Err, vsphere.ErrReadOnly)) {
				t.Errorf("%s with %+v: %s %v; want %s", act, p, r.Status, r.Err, want)
			}
		}
		if sent := rec.Sent(mutating); len(sent) > 0 {
			t.Errorf("policy %+v sent %v; want nothing", p, sent)
		}
	}
	if now, ok := e.hostAlarm(); !ok || now.Acknowledged {
		t.Fatalf("after the dry run and read-only: %+v, %v; want it triggered, unacknowledged", now, ok)
	}

	g := NewGate(e.c)
	if r := g.Do(ctx, AcknowledgeAlarm(a), nil); r.Status != StatusOK || r.Object != "Host connection and power state on host esx-a-01.lab.local" {
		t.Fatalf("acknowledge: %s %q %v; want ok, naming the alarm and the host", r.Status, r.Object, r.Err)
	}
	acked, ok := e.hostAlarm()
	if !ok || !acked.Acknowledged || acked.AcknowledgedBy != e.srv.Username || acked.AcknowledgedTime.IsZero() || acked.Status != vsphere.AlarmRed {
		t.Fatalf("acknowledged: %+v, %v; want it still red, acknowledged by %s, with the time", acked, ok, e.srv.Username)
	}
	if r := g.Do(ctx, AcknowledgeAlarm(acked), nil); r.Status != StatusNoop {
		t.Errorf("acknowledging again: %s; want a no-op", r.Status)
	}
	if r := g.Do(ctx, ResetAlarm(acked), nil); r.Status != StatusOK {
		t.Fatalf("reset: %s %v; want ok", r.Status, r.Err)
	}
	vspheretest.Settle(t, e.srv) // anything the simulator had pending lands before the read
	if now, ok := e.hostAlarm(); ok {
		t.Errorf("after the reset to green: %+v; want it gone", now)
	}
}

// TestResetAlarmOnPlainVcsimSaysWhy: vcsim lacks SetAlarmStatus; the
// reset fails saying so and what to do instead.
func TestResetAlarmOnPlainVcsimSaysWhy(t *testing.T) {
	c := vspheretest.PlainVcsim(t)
	ctx := context.Background()
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := vspheretest.PostEventEx(ctx, c, inv.VMs[0].Ref, "vcsim.vm.fatal"); err != nil {
		t.Fatal(err)
	}
	alarms, err := c.Alarms(ctx)
	if err != nil || len(alarms) != 1 {
		t.Fatalf("alarms: %+v, %v; want vcsim's one", alarms, err)
	}
	r := NewGate(c).Do(ctx, ResetAlarm(alarms[0]), nil)
	if r.Status != StatusFailed || !strings.Contains(r.Message, "does not implement AlarmManager.SetAlarmStatus") || !strings.Contains(r.Message, "acknowledge the alarm instead") {
		t.Errorf("reset on plain vcsim: %s %q; want a failure saying the method is missing and what to do", r.Status, r.Message)
	}
	if r := NewGate(c).Do(ctx, AcknowledgeAlarm(alarms[0]), nil); r.Status != StatusOK {
		t.Errorf("acknowledge on plain vcsim: %s %v; want ok", r.Status, r.Err)
	}
}
