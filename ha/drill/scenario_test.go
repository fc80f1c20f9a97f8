package drill

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/gate"
)

// isolationPlan cuts esx-a-01's network (app-02 and web-01 run there on
// the small preset).
const isolationPlan = `name: iso
cluster: cluster-a
scenario: isolation
targets: {hosts: [esx-a-01.lab.local]}
expect: {rto: 30s}
inject: {method: sim-network}
detect-timeout: 10s
timeout: 30s
`

// runScenario runs plan on c after change (if any) reconfigures
// cluster-a, and checks what every drill must: the cluster as before once
// rolled back, and the lock free.
func runScenario(t *testing.T, c *vsphere.Client, plan string, change func(*clusterspec.Config), r *Runner) *Report {
	t.Helper()
	if change != nil {
		reconfigure(t, c, change)
	}
	before := clusterState(t, c)
	if r == nil {
		r = &Runner{}
	}
	r.Client, r.Plan, r.Journal = c, mustParse(t, plan), newJournal(t)
	rep := r.Run(context.Background())
	if !rep.Rollback.OK {
		t.Errorf("rollback: %+v\n%s", rep.Rollback, describe(rep))
	}
	sameMaps(t, "after the rollback", clusterState(t, c), before)
	if lock := lockOf(t, c, "cluster-a"); !lock.Free(time.Now()) {
		t.Errorf("after the drill the lock is held: %+v", lock)
	}
	return rep
}

// outcomes lists the protected VMs as "name expected->outcome from->to".
func outcomes(rep *Report) []string {
	var out []string
	for _, v := range rep.VMs {
		if v.Protected {
			out = append(out, v.Name+" "+string(v.Expected)+"->"+string(v.Outcome)+" "+v.FromHost+"->"+v.ToHost)
		}
	}
	return out
}

// TestIsolationDrillsHoldToTheIsolationResponse runs an isolation drill
// per isolation response (the cluster's, a VM's override, suspended by
// host monitoring off, none for a disabled priority): each passes, its
// protected VMs doing as predicted, and rolls back, the network restored.
func TestIsolationDrillsHoldToTheIsolationResponse(t *testing.T) {
	const keeps, restarts = "keeps-running->keeps-running esx-a-01.lab.local->esx-a-01.lab.local", "restarts->restarts esx-a-01.lab.local->"
	tests := []struct {
		name   string
		change func(*clusterspec.Config)
		want   map[string]string // VM -> its outcome line, a prefix for a restart
	}{
		{name: "none", want: map[string]string{"app-02": keeps, "web-01": keeps}},
		{name: "powerOff", change: func(c *clusterspec.Config) { c.HA.IsolationResponse = clusterspec.IsolationPowerOff },
			want: map[string]string{"app-02": restarts, "web-01": restarts}},
		{name: "shutdown", change: func(c *clusterspec.Config) { c.HA.IsolationResponse = clusterspec.IsolationShutdown },
			want: map[string]string{"app-02": restarts, "web-01": restarts}},
		{name: "powerOff, an override none", change: func(c *clusterspec.Config) {
			c.HA.IsolationResponse = clusterspec.IsolationPowerOff
			c.Overrides = append(c.Overrides, clusterspec.Override{VM: "web-01", IsolationResponse: clusterspec.IsolationNone})
		}, want: map[string]string{"app-02": restarts, "web-01": keeps}},
		{name: "powerOff, a priority disabled", change: func(c *clusterspec.Config) {
			c.HA.IsolationResponse = clusterspec.IsolationPowerOff
			c.Overrides = append(c.Overrides, clusterspec.Override{VM: "app-02", RestartPriority: clusterspec.RestartDisabled})
		}, want: map[string]string{"app-02": keeps, "web-01": restarts}},
		{name: "powerOff, host monitoring off", change: func(c *clusterspec.Config) {
			c.HA.IsolationResponse, c.HA.HostMonitoring = clusterspec.IsolationPowerOff, false
		}, want: map[string]string{"app-02": keeps, "web-01": keeps}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c := haSim(t)
			rep := runScenario(t, c, isolationPlan, tt.change, nil)
			if rep.Result != ResultPass || rep.Lost != 0 || rep.Unexpected != 0 || rep.Duplicated != 0 {
				t.Fatalf("the drill did not pass:\n%s", describe(rep))
			}
			if tt.change == nil && rep.Breakdown.DeclaredSeconds <= 0 {
				t.Errorf("breakdown %+v: want the time HA declared the host isolated (DasHostIsolatedEvent)", rep.Breakdown)
			}
			got := outcomes(rep)
			if len(got) != len(tt.want) {
				t.Fatalf("protected VMs %q; want %d", got, len(tt.want))
			}
			kept := false
			for _, line := range got {
				name, rest, _ := strings.Cut(line, " ")
				want := tt.want[name]
				switch {
				case want == keeps && rest != keeps:
					t.Errorf("%s: %s; want it to keep running where it was", name, rest)
				case want == restarts && (!strings.HasPrefix(rest, restarts) || strings.HasSuffix(rest, "esx-a-01.lab.local")):
					t.Errorf("%s: %s; want it restarted on another host", name, rest)
				}
				kept = kept || want == keeps
			}
			if kept && !slices.ContainsFunc(rep.Timeline, func(m Moment) bool { return m.Kind == "step" && strings.HasPrefix(m.What, "verify:") && m.At >= 0.8 }) {
				t.Errorf("a VM predicted to keep running was not watched for twice HA's 0.4s to respond:\n%s", describe(rep))
			}
			for _, v := range rep.VMs {
				if v.Protected && v.ToHost != v.ExpectedHost {
					t.Errorf("%s: on %s; the preflight placed it on %s (warnings %q)", v.Name, v.ToHost, v.ExpectedHost, rep.Warnings)
				}
			}
			if rep.Rollback.OK && !slices.ContainsFunc(rep.Rollback.Steps, func(s string) bool { return s == "restored the network of esx-a-01.lab.local" }) {
				t.Errorf("the rollback's steps %q do not restore the network", rep.Rollback.Steps)
			}
		})
	}
}

// TestPartitionDrillKeepsEveryVMRunning partitions a host, then two: their
// VMs keep running, whatever the isolation response, and nothing restarts.
func TestPartitionDrillKeepsEveryVMRunning(t *testing.T) {
	for _, hosts := range []string{"esx-a-01.lab.local", "esx-a-01.lab.local, esx-a-03.lab.local"} {
		t.Run(hosts, func(t *testing.T) {
			_, c := haSim(t)
			plan := strings.NewReplacer("scenario: isolation", "scenario: partition", "[esx-a-01.lab.local]", "["+hosts+"]").Replace(isolationPlan)
			rep := runScenario(t, c, plan, func(c *clusterspec.Config) { c.HA.IsolationResponse = clusterspec.IsolationPowerOff }, nil)
			if rep.Result != ResultPass || rep.Lost != 0 || rep.Unexpected != 0 {
				t.Fatalf("the drill did not pass:\n%s", describe(rep))
			}
			for _, v := range rep.VMs {
				if v.Protected && (v.Expected != OutcomeKeepsRunning || v.Outcome != OutcomeKeepsRunning || v.PowerOns != 0 || v.ToHost != v.FromHost) {
					t.Errorf("%s: %+v; want it kept running where it was", v.Name, v)
				}
			}
			if slices.ContainsFunc(rep.Timeline, func(m Moment) bool { return strings.HasPrefix(m.What, "VmRestartedOnAlternateHostEvent") }) {
				t.Errorf("HA restarted a VM in a partition:\n%s", describe(rep))
			}
		})
	}
}

// TestSeveralHostsFailingAtOnce fails two of cluster-a's three hosts: the
// preflight predicts every VM of both restarting on the survivor, and the
// run holds to it.
func TestSeveralHostsFailingAtOnce(t *testing.T) {
	_, c := haSim(t)
	plan := strings.Replace(crashPlan, "[esx-a-01.lab.local]", "[esx-a-01.lab.local, esx-a-03.lab.local]", 1)
	pre, err := (&Runner{Client: c, Plan: mustParse(t, plan)}).Preflight(context.Background())
	if err != nil || !pre.OK() {
		t.Fatalf("preflight: %v %s", err, pre.Why())
	}
	var predicted []string
	for _, p := range pre.Predictions {
		predicted = append(predicted, p.String())
	}
	// The small preset: app-02, web-01 on esx-a-01; cache-02, db-01 on esx-a-03.
	want := []string{"app-02 restarts on esx-a-02.lab.local (esx-a-01.lab.local fails)", "cache-02 restarts on esx-a-02.lab.local (esx-a-03.lab.local fails)",
		"db-01 restarts on esx-a-02.lab.local (esx-a-03.lab.local fails)", "web-01 restarts on esx-a-02.lab.local (esx-a-01.lab.local fails)"}
	slices.Sort(predicted)
	if !slices.Equal(predicted, want) {
		t.Errorf("predictions:\n%s\nwant:\n%s", strings.Join(predicted, "\n"), strings.Join(want, "\n"))
	}
	rep := runScenario(t, c, plan, nil, nil)
	if rep.Result != ResultPass || rep.Lost != 0 || rep.Unexpected != 0 {
		t.Fatalf("the drill did not pass:\n%s", describe(rep))
	}
	for _, v := range rep.VMs {
		if v.Protected && (v.Outcome != OutcomeRestarts || v.ToHost != "esx-a-02.lab.local" || v.ExpectedHost != v.ToHost || v.PowerOns != 1) {
			t.Errorf("%s: %+v; want it restarted once on esx-a-02", v.Name, v)
		}
	}
	if len(outcomes(rep)) != 4 {
		t.Errorf("protected %q; want the 4 VMs of both targets", outcomes(rep))
	}
}

// TestAMispredictionFailsTheDrillNamingTheVM changes the isolation
// response after the preflight predicted by it (as another admin might):
// HA then does otherwise than predicted, and the drill fails, naming each
// VM. Restarted where predicted to keep running, the VM is unexpected;
// kept running where predicted to restart, it is lost.
func TestAMispredictionFailsTheDrillNamingTheVM(t *testing.T) {
	tests := []struct {
		name         string
		before, then clusterspec.IsolationResponse
		plan         string
		want         string
		lost, unexp  int
	}{
		{name: "restarted, predicted to keep running", before: clusterspec.IsolationNone, then: clusterspec.IsolationPowerOff, plan: isolationPlan,
			want: "2 protected VMs did not do as the preflight predicted: app-02 was restarted on", unexp: 2},
		{name: "kept running, predicted to restart", before: clusterspec.IsolationPowerOff, then: clusterspec.IsolationNone,
			plan: strings.NewReplacer("rto: 30s", "rto: 2s", "timeout: 30s", "timeout: 2s").Replace(isolationPlan),
			want: "2 protected VMs lost (expect.lost is 0): app-02, web-01", lost: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c := haSim(t)
			confirm := func(ctx context.Context, pre *Preflight) error {
				reconfigure(t, c, func(cfg *clusterspec.Config) { cfg.HA.IsolationResponse = tt.then })
				return nil
			}
			var before func(*clusterspec.Config) // the small preset's response is none
			if tt.before != clusterspec.IsolationNone {
				before = func(cfg *clusterspec.Config) { cfg.HA.IsolationResponse = tt.before }
			}
			rep := runScenario(t, c, tt.plan, before, &Runner{Confirm: confirm})
			if rep.Result != ResultFail || rep.Lost != tt.lost || rep.Unexpected != tt.unexp ||
				!slices.ContainsFunc(rep.Reasons, func(r string) bool { return strings.Contains(r, tt.want) }) {
				t.Fatalf("want fail: %q, %d lost, %d unexpected; got:\n%s", tt.want, tt.lost, tt.unexp, describe(rep))
			}
			for _, v := range rep.VMs {
				if v.Protected && (v.Outcome == v.Expected || !strings.Contains(v.Note, "predicted: "+v.Name)) {
					t.Errorf("%s: %+v; want its outcome to differ and its note to say the prediction", v.Name, v)
				}
			}
		})
	}
}

// TestAnIsolationDrillRollsBackFromItsJournal leaves the cluster as the
// drill left it (rollback: never), restores it from the journal alone, as
// vtui drill rollback does, and runs the drill again.
func TestAnIsolationDrillRollsBackFromItsJournal(t *testing.T) {
	_, c := haSim(t)
	reconfigure(t, c, func(cfg *clusterspec.Config) { cfg.HA.IsolationResponse = clusterspec.IsolationPowerOff })
	before := clusterState(t, c)
	j := newJournal(t)
	rep := (&Runner{Client: c, Plan: mustParse(t, isolationPlan+"rollback: never\n"), Journal: j}).Run(context.Background())
	if rep.Result != ResultPass || rep.Rollback.Skipped == "" {
		t.Fatalf("want a pass left unrolled-back:\n%s", describe(rep))
	}
	rb, err := RollbackJournal(context.Background(), c, j.Path(), RollbackOptions{})
	if err != nil || !rb.OK || !slices.Contains(rb.Steps, "restored the network of esx-a-01.lab.local") {
		t.Fatalf("rollback from the journal: %v, %+v", err, rb)
	}
	sameMaps(t, "after the journal rollback", clusterState(t, c), before)
	again := runScenario(t, c, isolationPlan, nil, nil)
	if again.Result != ResultPass {
		t.Fatalf("the drill run again did not pass:\n%s", describe(again))
	}
}

// TestThePreflightShowsThePrediction: the text and the dry run's JSON
// carry each protected VM's prediction, and a timeout shorter than the
// watch of the VMs predicted to keep running is refused, saying how long
// it must be.
func TestThePreflightShowsThePrediction(t *testing.T) {
	_, c := haSim(t)
	pre, err := (&Runner{Client: c, Plan: mustParse(t, isolationPlan)}).Preflight(context.Background())
	if err != nil || !pre.OK() {
		t.Fatalf("preflight: %v %s", err, pre.Why())
	}
	var text strings.Builder
	pre.WriteText(&text, mustParse(t, isolationPlan))
	if !strings.Contains(text.String(), "  expected: web-01 keeps running on esx-a-01.lab.local (isolation response none, the cluster's)\n") {
		t.Errorf("the preflight's text:\n%s", text.String())
	}
	b, _ := json.Marshal(pre.DryRun(mustParse(t, isolationPlan)))
	var dry struct{ Predictions []Prediction }
	if err := json.Unmarshal(b, &dry); err != nil || !slices.Contains(dry.Predictions,
		Prediction{VM: "web-01", Host: "esx-a-01.lab.local", Outcome: OutcomeKeepsRunning, Why: "isolation response none, the cluster's"}) {
		t.Errorf("the dry run's JSON: %s", b)
	}
	short := strings.NewReplacer("rto: 30s", "rto: 500ms", "timeout: 30s", "timeout: 500ms").Replace(isolationPlan)
	pre, err = (&Runner{Client: c, Plan: mustParse(t, short)}).Preflight(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(pre.Checks, func(ch gate.Check) bool { return ch.Name == "ha" }); i < 0 || pre.Checks[i].Status != gate.CheckFail ||
		!strings.Contains(pre.Checks[i].Reason, "make timeout at least 800ms") {
		t.Errorf("a timeout shorter than the watch: checks %+v", pre.Checks)
	}
}

// TestHATimingReadsTheClusterAndTheDoor: vSphere's delays, the cluster's
// isolationPolicyDelaySec (bounded, ignored when not seconds), and the
// simulator's, scaled.
func TestHATimingReadsTheClusterAndTheDoor(t *testing.T) {
	pre := func(ha HA, detect, isolate, option string) Preflight {
		p := Preflight{HA: ha, config: &vsphere.ClusterConfig{}}
		p.sim.HADetectDelay, p.sim.HAIsolationDelay = detect, isolate
		if option != "" {
			p.config.Spec.Unmodeled.HAOptions = map[string]string{isolationDelayOption: option}
		}
		return p
	}
	tests := []struct {
		pre  Preflight
		want time.Duration // Acts(isolation)
	}{
		{pre(HAReal, "", "", ""), time.Minute},
		{pre(HAReal, "", "", "10"), 40 * time.Second},
		{pre(HAReal, "", "", "ten"), time.Minute},
		{pre(HAReal, "", "", "99999999999999"), time.Hour + 30*time.Second},
		{pre(HASimulated, "", "", ""), time.Minute},                         // a door that says nothing: vSphere's
		{pre(HASimulated, "2s", "4s", "15"), 4*time.Second + 2*time.Second}, // 15 s scaled by 2s/15s
	}
	for i, tt := range tests {
		if got := tt.pre.Timing().Acts(ScenarioIsolation); got != tt.want {
			t.Errorf("case %d: %s: acts after %s; want %s", i, tt.pre.Timing(), got, tt.want)
		}
	}
	if got := (HATiming{Detect: 15 * time.Second}).Acts(ScenarioPartition); got != 30*time.Second {
		t.Errorf("a partition: acts after %s; want 30s (detection and an election)", got)
	}
}

// TestAMultiHostFailureThatMissesAHostSaysWhich fails two hosts by a
// command that takes on one only: the drill fails, naming the host that
// was not seen failing; the VMs of the other are restarted, and those of
// the missed one are not counted lost.
func TestAMultiHostFailureThatMissesAHostSaysWhich(t *testing.T) {
	srv, c := haSim(t)
	plan := strings.NewReplacer("[esx-a-01.lab.local]", "[esx-a-01.lab.local, esx-a-03.lab.local]",
		"method: sim-crash", `method: command, command: [poweroff, "{{.Host}}"], recover: [poweron, "{{.Host}}"]`,
		"detect-timeout: 10s", "detect-timeout: 1s").Replace(crashPlan)
	exec := func(_ context.Context, inv Invocation) (string, error) {
		switch host := inv.Argv[1]; {
		case inv.Argv[0] == "poweroff" && host == "esx-a-01.lab.local":
			return "off", srv.CrashHost(host)
		case inv.Argv[0] == "poweron":
			return "on", srv.RecoverHost(host)
		}
		return "ignored", nil // the BMC of esx-a-03 did nothing
	}
	rep := runScenario(t, c, plan, nil, &Runner{Exec: exec})
	if rep.Result != ResultFail || rep.Lost != 0 || !slices.ContainsFunc(rep.Reasons, func(r string) bool {
		return strings.HasPrefix(r, "the injection did not take on esx-a-03.lab.local: not seen failing (notResponding) within detect-timeout 1s")
	}) {
		t.Fatalf("want fail naming esx-a-03, nothing lost; got:\n%s", describe(rep))
	}
	for _, v := range rep.VMs {
		switch {
		case !v.Protected:
		case v.FromHost == "esx-a-01.lab.local" && (v.Outcome != OutcomeRestarts || !v.Recovered):
			t.Errorf("%s: %+v; want it restarted", v.Name, v)
		case v.FromHost == "esx-a-03.lab.local" && !strings.Contains(v.Note, "not lost: its host never failed"):
			t.Errorf("%s: %+v; want it not lost, its host never failed", v.Name, v)
		}
	}
}

// TestLiveShowsAnIsolatedVMRunning: the live view of an isolation whose
// response is none never shows a protected VM down, as the verdict has
// them all kept running; with powerOff, each goes down and comes back.
func TestLiveShowsAnIsolatedVMRunning(t *testing.T) {
	for _, response := range []clusterspec.IsolationResponse{clusterspec.IsolationNone, clusterspec.IsolationPowerOff} {
		t.Run(string(response), func(t *testing.T) {
			_, c := haSim(t)
			if response != clusterspec.IsolationNone {
				reconfigure(t, c, func(cfg *clusterspec.Config) { cfg.HA.IsolationResponse = response })
			}
			r := &Runner{Client: c, Plan: mustParse(t, isolationPlan)}
			pre, err := r.Preflight(context.Background())
			if err != nil || !pre.OK() {
				t.Fatalf("preflight: %v %s", err, pre.Why())
			}
			l := NewLive(pre)
			r.OnMoment = l.Add
			if rep := r.Run(context.Background()); rep.Result != ResultPass {
				t.Fatalf("the drill did not pass:\n%s", describe(rep))
			}
			for _, v := range l.VMs() {
				if restarted := response != clusterspec.IsolationNone; v.Down != restarted || v.Back != restarted {
					t.Errorf("%s: live %+v; want down and back %t", v.Name, v, restarted)
				}
			}
		})
	}
}

// TestARestartElsewhereThanPredictedIsAWarning: a VM restarted, as
// predicted, but on another host than the what-if placed it on is named
// in a warning; the verdict stands.
func TestARestartElsewhereThanPredictedIsAWarning(t *testing.T) {
	d := &drill{Runner: &Runner{Plan: mustParse(t, crashPlan)}, rep: &Report{VMs: []VMResult{
		{Name: "web-01", Protected: true, Recovered: true, Expected: OutcomeRestarts, Outcome: OutcomeRestarts, ExpectedHost: "esx-a-02", ToHost: "esx-a-03"},
		{Name: "app-02", Protected: true, Recovered: true, Expected: OutcomeRestarts, Outcome: OutcomeRestarts, ExpectedHost: "esx-a-02", ToHost: "esx-a-02"},
	}}}
	d.judge()
	if len(d.rep.Reasons) != 0 || !slices.Equal(d.rep.Warnings, []string{"web-01 restarted on esx-a-03, not on esx-a-02 as the preflight's what-if placed it"}) {
		t.Errorf("reasons %q, warnings %q; want no reason and a warning naming web-01", d.rep.Reasons, d.rep.Warnings)
	}
}
