package changes

import (
	"errors"
	"testing"
	"time"

	"github.com/vtui/vtui/vsphere/gate"
)

// TestAFloodOfProgressNeverBlocks: a change reports far more progress than
// anyone reads; its goroutine is never held up, the newest report is
// kept, and the outcome still arrives.
func TestAFloodOfProgressNeverBlocks(t *testing.T) {
	ch := &Change{ID: 1, progress: make(chan gate.Progress, 1), done: make(chan gate.Summary, 1)}
	const reports = 10000
	finished := make(chan struct{})
	go func() {
		for i := range reports {
			ch.report(gate.Progress{Index: i, Total: reports})
		}
		ch.done <- gate.Summary{Results: []gate.Result{{Status: gate.StatusOK}}}
		close(finished)
	}()
	select {
	case <-finished:
	case <-time.After(10 * time.Second): // only a blocked sender gets here
		t.Fatalf("%d progress reports with no reader blocked the change", reports)
	}
	if msg, ok := ch.wait()().(DoneMsg); !ok || msg.ID != 1 || len(msg.Summary.Results) != 1 {
		t.Errorf("wait() = %#v; want the outcome first", msg)
	}
	if msg, ok := ch.wait()().(ProgressMsg); !ok || msg.Progress.Index != reports-1 {
		t.Errorf("then wait() = %#v; want the newest report, index %d", msg, reports-1)
	}
}

func TestRegistryTracksEachChange(t *testing.T) {
	r := Registry{next: 2, running: map[ID]*Change{1: {ID: 1, Gen: 1, Radius: "migrate app-01"}, 2: {ID: 2, Gen: 2, Radius: "power off web-01"}}}
	if got := r.Status(false); got != "2 changes running" {
		t.Errorf("Status() with 2 running = %q; want \"2 changes running\"", got)
	}
	r.Progress(ProgressMsg{ID: 2, Progress: gate.Progress{Total: 1, Op: gate.OpPowerOff, Object: "web-01", Stage: gate.StageStarted}})
	f, ok := r.Done(DoneMsg{ID: 1})
	if !ok || f.Radius != "migrate app-01" || !r.RunningOn(2) || r.RunningOn(1) {
		t.Errorf("Done(1) = %+v, %v; want change 1, leaving change 2", f, ok)
	}
	if got := r.Status(false); got != "[1/1] power-off web-01" {
		t.Errorf("Status(false) of the lone change = %q; want its newest report", got)
	}
	if got := r.Status(true); got != "1 change running" {
		t.Errorf("Status(true) of the lone change = %q; want it counted", got)
	}
	if _, ok := r.Done(DoneMsg{ID: 1}); ok {
		t.Errorf("a second Done(1) found the change again")
	}
	if cmd := r.Progress(ProgressMsg{ID: 1}); cmd != nil {
		t.Errorf("a report of an ended change asks for more")
	}
}

func TestOutcome(t *testing.T) {
	opErr := &gate.OpError{Op: gate.OpPowerOff, Object: "web-01", Err: errors.New("InvalidPowerState")}
	tests := []struct {
		name    string
		radius  string
		results []gate.Result
		want    string
		bad     bool
	}{
		{"one ok", "power off web-01 on esx-a-01", []gate.Result{
			{Op: gate.OpPowerOff, Object: "web-01", Status: gate.StatusOK, Message: "powered off"},
		}, "web-01: powered off", false},
		{"dry run", "power off 2 VMs on 2 hosts", []gate.Result{
			{Status: gate.StatusDryRun, Message: "would power off web-01"},
			{Status: gate.StatusDryRun, Message: "would power off web-02"},
		}, "would power off web-01; would power off web-02 (dry run: nothing changed)", false},
		{"a failure", "power off web-01 on esx-a-01", []gate.Result{
			{Status: gate.StatusFailed, Err: opErr},
		}, opErr.Error(), true},
		{"several ok", "migrate 2 VMs from 2 hosts to esx-a-03", []gate.Result{
			{Status: gate.StatusOK}, {Status: gate.StatusNoop},
		}, "migrate 2 VMs from 2 hosts to esx-a-03: 2 changes in 1.5s: 1 ok, 1 noop", false},
	}
	for _, tt := range tests {
		f := Finished{Change: Change{Radius: tt.radius}, Summary: gate.Summary{Results: tt.results, Elapsed: 1500 * time.Millisecond}}
		if got, bad := f.Outcome(); got != tt.want || bad != tt.bad {
			t.Errorf("%s: Outcome() = %q, %v; want %q, %v", tt.name, got, bad, tt.want, tt.bad)
		}
	}
}
