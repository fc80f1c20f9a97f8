package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/vtui/vtui/vsphere"
)

// The simulator's start-up posts events but runs no task, and times vary,
// so these tests check shapes rather than goldens.

func TestGetEventsNewestFirstAsJSON(t *testing.T) {
	r := runTest(t, []string{"--simulator=small", "get", "events", "-n", "1", "-o", "json"}, nil)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	var events []vsphere.Event
	if err := json.Unmarshal([]byte(r.stdout), &events); err != nil {
		t.Fatalf("%v in %s", err, r.stdout)
	}
	// The newest event is vtui's own login.
	if len(events) != 1 || events[0].Type != "UserLoginSessionEvent" || events[0].Time.IsZero() {
		t.Errorf("got %+v; want 1 event, vtui's login", events)
	}
	for _, field := range []string{`"key"`, `"time"`, `"type"`, `"message"`, `"object"`, `"user"`} {
		if !strings.Contains(r.stdout, field) {
			t.Errorf("JSON lacks %s: %s", field, r.stdout)
		}
	}
}

func TestGetEventsByTypeAndObject(t *testing.T) {
	r := runTest(t, []string{"--simulator=small", "get", "events", "dc-*", "--type", "DatacenterCreatedEvent"}, nil)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) < 2 || !strings.HasPrefix(lines[0], "TIME ") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want a table", r.code, r.stdout, r.stderr)
	}
	for _, l := range lines[1:] {
		if !strings.Contains(l, "DatacenterCreatedEvent") || !strings.Contains(l, "dc-") {
			t.Errorf("row %q is not a DatacenterCreatedEvent about dc-*", l)
		}
	}
}

func TestGetTasksEmpty(t *testing.T) {
	r := runTest(t, []string{"--simulator=small", "get", "tasks", "-o", "json"}, nil)
	if r.code != 0 || r.stdout != "[]\n" {
		t.Errorf("got exit %d, stdout %q, stderr %q; want 0 and []", r.code, r.stdout, r.stderr)
	}
}

func TestGetActivityBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"get", "vms", "-n", "3"}, "-n applies to tasks, events and alarms only"},
		{[]string{"get", "tasks", "--type", "VmMigratedEvent"}, "--type applies to events only"},
		{[]string{"get", "events", "--host", "esx"}, "--cluster and --host do not apply to events"},
		{[]string{"get", "events", "-n", "0"}, "-n must be at least 1"},
		{[]string{"get", "tasks", "[a-"}, `invalid name pattern "[a-"`},
	}
	for _, tt := range tests {
		r := runTest(t, append([]string{"--simulator=small"}, tt.args...), nil)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("vtui %s: exit %d, stderr %q; want exit 2 and %q", strings.Join(tt.args, " "), r.code, r.stderr, tt.want)
		}
	}
}
