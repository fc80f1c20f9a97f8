package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// crashedAlarmEnv starts the small preset (HA slow enough not to act),
// crashes esx-a-01, waits until vtui get alarms lists its alarm and the
// simulator has settled; it returns the simulator, the variables that
// point vtui at it, and the alarm as -o json gives it. Settled, the
// simulator has no evaluation of the alarms pending from the crash (the
// one its change of host state schedules, the one after the roll-up):
// each would raise a reset alarm again, as the host still does not
// respond, so a test could not see a reset hold.
func crashedAlarmEnv(t *testing.T) (*sim.Server, map[string]string, vsphere.Alarm) {
	t.Helper()
	srv := vspheretest.StartWith(t, "small", sim.Options{HA: sim.HAOptions{DetectDelay: time.Hour}})
	cfg := vspheretest.Config(srv)
	env := map[string]string{"VTUI_URL": cfg.URL, "VTUI_USERNAME": cfg.Username, "VTUI_PASSWORD": cfg.Password, "VTUI_THUMBPRINT": cfg.Thumbprint}
	if err := srv.CrashHost("esx-a-01.lab.local"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if alarms := getAlarms(t, env); len(alarms) > 0 {
			vspheretest.Settle(t, srv)
			return srv, env, alarms[0]
		}
	}
	t.Fatal("vtui get alarms listed no alarm within 5 s of the crash")
	return nil, nil, vsphere.Alarm{}
}

// getAlarms runs vtui get alarms -o json with env.
func getAlarms(t *testing.T, env map[string]string) []vsphere.Alarm {
	t.Helper()
	r := runTest(t, []string{"get", "alarms", "-o", "json"}, env)
	if r.code != 0 {
		t.Fatalf("get alarms: exit %d, stderr %q", r.code, r.stderr)
	}
	var alarms []vsphere.Alarm
	if err := json.Unmarshal([]byte(r.stdout), &alarms); err != nil {
		t.Fatalf("%v in %s", err, r.stdout)
	}
	return alarms
}

// TestGetAlarmsAfterACrash: vtui get alarms lists the alarm a crash
// raised, in the table and in JSON with its stable fields, and the
// simulator's start triggers none.
func TestGetAlarmsAfterACrash(t *testing.T) {
	if r := runTest(t, []string{"--simulator=small", "get", "alarms", "-o", "json"}, nil); r.code != 0 || r.stdout != "[]\n" {
		t.Errorf("a fresh simulator: exit %d, stdout %q, stderr %q; want 0 and []", r.code, r.stdout, r.stderr)
	}
	_, env, a := crashedAlarmEnv(t)
	if a.Alarm != "Host connection and power state" || a.EntityName != "esx-a-01.lab.local" || a.EntityType != "host" || a.Status != "red" || a.Acknowledged {
		t.Errorf("alarm: %+v; want esx-a-01's red, unacknowledged host connection alarm", a)
	}
	r := runTest(t, []string{"get", "alarms", "esx-a-*"}, env)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "STATUS ") ||
		!strings.Contains(lines[1], "Host connection and power state") || !strings.Contains(lines[1], "esx-a-01.lab.local") {
		t.Errorf("table: exit %d, stdout %q, stderr %q; want a header and the alarm's row", r.code, r.stdout, r.stderr)
	}
	r = runTest(t, []string{"get", "alarms", "-o", "yaml"}, env)
	for _, field := range []string{"key:", "alarm: Host connection and power state", "entity: esx-a-01.lab.local", "entity_type: host", "status: red", "time:", "acknowledged: false"} {
		if !strings.Contains(r.stdout, field) {
			t.Errorf("YAML lacks %q: %s", field, r.stdout)
		}
	}
}

// TestAlarmAckAndReset: vtui alarm ack acknowledges the alarm (by the
// session's user), reset removes it; --dry-run and --readonly change
// nothing; a pattern matching no alarm is bad input.
func TestAlarmAckAndReset(t *testing.T) {
	srv, env, _ := crashedAlarmEnv(t)
	for _, args := range [][]string{
		{"alarm", "ack", "esx-a-01.lab.local", "--dry-run"},
		{"alarm", "reset", "esx-a-*", "--dry-run"},
		{"alarm", "ack", "esx-a-01.lab.local", "--readonly", "--yes"},
	} {
		r := runTest(t, args, env)
		ro := strings.Contains(strings.Join(args, " "), "readonly")
		if (ro && r.code != exitFailed) || (!ro && r.code != 0) || !strings.Contains(r.stdout, "Host connection and power state on host esx-a-01.lab.local") {
			t.Errorf("vtui %s: exit %d, stdout %q, stderr %q; want it to name the alarm and change nothing", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
	}
	if a := getAlarms(t, env); len(a) != 1 || a[0].Acknowledged {
		t.Fatalf("after dry runs and read-only: %+v; want the alarm unacknowledged", a)
	}
	r := runTest(t, []string{"alarm", "ack", "esx-a-01.lab.local", "--alarm", "Host conn*", "--yes"}, env)
	if r.code != 0 {
		t.Fatalf("ack: exit %d, stderr %q", r.code, r.stderr)
	}
	if a := getAlarms(t, env); len(a) != 1 || !a[0].Acknowledged || a[0].AcknowledgedBy != srv.Username {
		t.Fatalf("after ack: %+v; want it acknowledged by %s", a, srv.Username)
	}
	r = runTest(t, []string{"alarm", "reset", "esx-a-01.lab.local"}, env)
	if r.code != exitUsage || !strings.Contains(r.stderr, "add --yes") {
		t.Errorf("reset without --yes or a terminal: exit %d, stderr %q; want it refused", r.code, r.stderr)
	}
	r = runTest(t, []string{"alarm", "reset", "esx-a-01.lab.local", "--yes", "-o", "json"}, env)
	if r.code != 0 || !strings.Contains(r.stdout, `"status": "ok"`) {
		t.Fatalf("reset: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	vspheretest.Settle(t, srv) // anything the simulator had pending lands before the reads
	if a := getAlarms(t, env); len(a) != 0 {
		t.Errorf("after reset: %+v; want none", a)
	}
	r = runTest(t, []string{"alarm", "ack", "esx-a-01.lab.local", "--yes"}, env)
	if r.code != exitUsage || !strings.Contains(r.stderr, "no triggered alarm on esx-a-01.lab.local") {
		t.Errorf("ack with no alarm left: exit %d, stderr %q; want exit 2 saying none matches", r.code, r.stderr)
	}
}
