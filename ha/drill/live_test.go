package drill

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vtui/vtui/vsphere"
)

// TestLiveFollowsEachProtectedVM feeds Live the moments a drill hands out
// and checks where it says each VM stands.
func TestLiveFollowsEachProtectedVM(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	vm := func(at float64, name, what string) Moment {
		return Moment{At: at, Time: t0.Add(time.Duration(at * float64(time.Second))), Kind: "vm", Object: name, What: what}
	}
	tests := []struct {
		name    string
		moments []Moment
		want    string // the VM's state, as describeLive writes it
	}{
		{"untouched", nil, "on esx-01"},
		{"restarted elsewhere", []Moment{
			vm(0.05, "web-01", "runtime.connectionState = disconnected"),
			vm(2.1, "web-01", "runtime.host = esx-02"),
			vm(2.1, "web-01", "runtime.powerState = poweredOff"),
			vm(2.1, "web-01", "runtime.connectionState = connected"),
			vm(2.1, "web-01", "runtime.powerState = poweredOn"),
		}, "on esx-02 down at 0.05 back at 2.1"},
		{"still down", []Moment{
			vm(0.05, "web-01", "runtime.connectionState = disconnected"),
		}, "on esx-01 down at 0.05"},
		{"powered on again on the failed host is not back", []Moment{
			vm(0.05, "web-01", "runtime.connectionState = disconnected"),
			vm(1, "web-01", "runtime.connectionState = connected"),
		}, "on esx-01 down at 0.05"},
		{"moved while running", []Moment{
			vm(1.5, "web-01", "runtime.host = esx-02"),
		}, "on esx-02 back at 1.5"},
		{"down again after it came back", []Moment{
			vm(0.05, "web-01", "runtime.connectionState = disconnected"),
			vm(2, "web-01", "runtime.host = esx-02"),
			vm(2, "web-01", "runtime.connectionState = connected"),
			vm(3, "web-01", "runtime.powerState = poweredOff"),
		}, "on esx-02 down at 3"},
		{"another VM's moment", []Moment{
			vm(0.05, "db-01", "runtime.connectionState = disconnected"),
		}, "on esx-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := NewLive(&Preflight{
				Targets:   []vsphere.Host{{Name: "esx-01"}},
				Protected: []vsphere.VM{{Name: "web-01", Host: "esx-01", PowerState: "poweredOn"}},
			})
			for _, m := range tt.moments {
				l.Add(m)
			}
			if got := describeLive(l.VMs()[0]); got != tt.want {
				t.Errorf("after %v: %q; want %q", tt.moments, got, tt.want)
			}
		})
	}
}

// describeLive writes where a VM is and whether, and when, it went down
// and came back.
func describeLive(v LiveVM) string {
	s := "on " + v.Host
	if v.Down {
		s += fmt.Sprintf(" down at %g", v.DownAt)
	}
	if v.Back {
		s += fmt.Sprintf(" back at %g", v.BackAt)
	}
	return s
}

func TestLiveSinceLearnsTheInjectionTime(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	l := NewLive(&Preflight{})
	before := Moment{Time: t0.Add(-300 * time.Millisecond), Kind: "step", What: "baseline"}
	if _, ok := l.Since(before); ok {
		t.Errorf("Since before any moment after the injection: ok; want unknown")
	}
	l.Add(before)
	l.Add(Moment{At: 0.5, Time: t0.Add(500 * time.Millisecond), Kind: "host"})
	if got, ok := l.Since(before); !ok || got != -0.3 {
		t.Errorf("Since(a moment 0.3s before the injection) = %v, %t; want -0.3, true", got, ok)
	}
}

// TestLiveAgreesWithTheReport runs a drill and feeds its moments to Live
// as they come: at the end, Live must say what the report says of every
// protected VM.
func TestLiveAgreesWithTheReport(t *testing.T) {
	_, c := haSim(t)
	plan := mustParse(t, crashPlan)
	r := &Runner{Client: c, Plan: plan}
	pre, err := r.Preflight(context.Background())
	if err != nil || !pre.OK() {
		t.Fatalf("preflight: %v %+v", err, pre.Failed())
	}
	l := NewLive(pre)
	r.OnMoment = l.Add
	rep := r.Run(context.Background())
	if rep.Result != ResultPass {
		t.Fatalf("the drill did not pass:\n%s", describe(rep))
	}
	live := map[string]LiveVM{}
	for _, v := range l.VMs() {
		live[v.Name] = v
	}
	for _, v := range rep.VMs {
		if !v.Protected {
			continue
		}
		got := live[v.Name]
		if !got.Down || !got.Back || got.Host != v.ToHost || got.BackAt != v.RecoverySeconds {
			t.Errorf("%s: live %+v; the report says %s -> %s after %.4fs", v.Name, got, v.FromHost, v.ToHost, v.RecoverySeconds)
		}
	}
	if len(live) == 0 {
		t.Errorf("Live follows no VM")
	}
}

func TestInjectionSaysWhatTheDrillDoes(t *testing.T) {
	pre := &Preflight{Cluster: vsphere.Cluster{Name: "cluster-a"}, Targets: []vsphere.Host{{Name: "esx-a-01"}, {Name: "esx-a-02"}},
		Protected: make([]vsphere.VM, 8)}
	tests := []struct {
		method Method
		want   string
	}{
		{MethodSimCrash, "crash esx-a-01, esx-a-02 of cluster-a, with 8 protected VMs"},
		{MethodCommand, "power off (by the plan's command) esx-a-01, esx-a-02 of cluster-a, with 8 protected VMs"},
		{MethodEvacuate, "put into maintenance mode esx-a-01, esx-a-02 of cluster-a, with 8 protected VMs"},
	}
	for _, tt := range tests {
		if got := pre.Injection(tt.method); got != tt.want {
			t.Errorf("Injection(%s) = %q; want %q", tt.method, got, tt.want)
		}
	}
}

func TestJournalName(t *testing.T) {
	at := time.Date(2026, 11, 25, 3, 4, 5, 0, time.FixedZone("CET", 3600))
	tests := []struct{ name, want string }{
		{"nightly", "nightly-20261125T020405Z.journal"},
		{"a/b c:d", "a-b-c-d-20261125T020405Z.journal"},
	}
	for _, tt := range tests {
		if got := JournalName(Plan{Name: tt.name}, at); got != tt.want {
			t.Errorf("JournalName(%q) = %q; want %q", tt.name, got, tt.want)
		}
	}
}
