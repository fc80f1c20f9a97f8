package drill

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/drillkit"
	"github.com/vtui/vtui/vsphere/gate"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// haSim is the small preset with HA declaring a crashed host failed
// after 100 ms.
func haSim(t *testing.T) (*sim.Server, *vsphere.Client) {
	t.Helper()
	srv := vspheretest.StartWith(t, "small", sim.Options{HA: sim.HAOptions{DetectDelay: 100 * time.Millisecond}})
	return srv, vspheretest.Connect(t, srv)
}

// mustParse parses a plan written for a test.
func mustParse(t *testing.T, text string) Plan {
	t.Helper()
	p, err := Parse("plan.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const crashPlan = `name: test
cluster: cluster-a
scenario: host-failure
targets: {hosts: [esx-a-01.lab.local]}
expect: {rto: 30s}
inject: {method: sim-crash}
detect-timeout: 10s
timeout: 30s
`

// clusterState is where every VM is and whether it runs, and each host's
// state: what a rollback must restore.
func clusterState(t *testing.T, c *vsphere.Client) map[string]string { return vspheretest.State(t, c) }

func sameMaps(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	vspheretest.SameState(t, what, got, want)
}

// journalSteps lists the steps of a journal file.
func journalSteps(t *testing.T, path string) []Step {
	t.Helper()
	entries, err := ReadJournal(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	var steps []Step
	for _, e := range entries {
		steps = append(steps, e.Step)
	}
	return steps
}

func newJournal(t *testing.T) *Journal {
	t.Helper()
	j, err := CreateJournal(filepath.Join(t.TempDir(), "drill.journal"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	return j
}

func describe(r *Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "result %s: %v\nrollback %+v\n", r.Result, r.Reasons, r.Rollback)
	for _, c := range r.Preflight {
		fmt.Fprintf(&b, "  preflight %s %s %s\n", c.Name, c.Status, c.Reason)
	}
	for _, m := range r.Timeline {
		fmt.Fprintf(&b, "  %+7.3fs %-5s %s %s\n", m.At, m.Kind, m.Object, m.What)
	}
	return b.String()
}

func TestHostFailureDrillPassesAndRollsBackToTheBaseline(t *testing.T) {
	_, c := haSim(t)
	before := clusterState(t, c)
	j := newJournal(t)
	rep := (&Runner{Client: c, Plan: mustParse(t, crashPlan), Journal: j}).Run(context.Background())
	if rep.Result != ResultPass {
		t.Fatalf("the drill did not pass:\n%s", describe(rep))
	}
	if rep.HA != HASimulated || rep.Lost != 0 || rep.Duplicated != 0 || rep.RTOSeconds == nil || *rep.RTOSeconds <= 0 || !rep.RTOMet || !rep.Rollback.OK {
		t.Fatalf("report: ha %s lost %d duplicated %d rto %s rollback %+v", rep.HA, rep.Lost, rep.Duplicated, rep.RTO(), rep.Rollback)
	}
	protected := 0
	for _, v := range rep.VMs {
		if !v.Protected {
			continue
		}
		protected++
		if !v.Recovered || v.ToHost == "esx-a-01.lab.local" || v.FromHost != "esx-a-01.lab.local" || v.PowerOns != 1 || v.RecoverySeconds <= 0 {
			t.Errorf("%s: %+v; want restarted once, off esx-a-01", v.Name, v)
		}
		// Its verdict line: priority, down (when its host was seen
		// failing), back, on time.
		if v.Verdict != VerdictOnTime || v.RestartPriority == "" || v.Down == nil || v.Back == nil ||
			v.Down.Seconds != rep.Breakdown.DetectedSeconds || v.Back.Seconds != v.RecoverySeconds ||
			math.Abs(v.Back.Time.Sub(rep.Injected).Seconds()-v.Back.Seconds) > 0.001 {
			t.Errorf("%s: verdict %s, priority %q, down %v, back %v; want on-time, a priority, down when esx-a-01 was seen failing, back when recovered", v.Name, v.Verdict, v.RestartPriority, v.Down, v.Back)
		}
	}
	if protected == 0 {
		t.Errorf("no protected VM in the report:\n%s", describe(rep))
	}
	if b := rep.Breakdown; b.DetectedSeconds <= 0 || b.DeclaredSeconds < b.DetectedSeconds || b.LastRecoverySeconds != *rep.RTOSeconds {
		t.Errorf("breakdown %+v, rto %s", b, rep.RTO())
	}
	// Every step is listed: pin-drs did not run, and says why.
	var ran, notRun []Step
	for _, s := range rep.Steps {
		if s.Ran {
			ran = append(ran, s.Step)
		} else if s.Why != "" {
			notRun = append(notRun, s.Step)
		}
	}
	if !slices.Equal(ran, journalSteps(t, j.Path())) || !slices.Equal(notRun, []Step{StepPinDRS}) || rep.ErrorCount != 0 || rep.WarningCount != 0 {
		t.Errorf("steps ran %v, not run %v; errors %d, warnings %d; want the journal's steps ran, pin-drs not, and none of either", ran, notRun, rep.ErrorCount, rep.WarningCount)
	}
	sameMaps(t, "after the rollback", clusterState(t, c), before)
	if got := journalSteps(t, j.Path()); !slices.Equal(got, []Step{StepStart, StepPreflight, StepLock, StepBaseline, StepObserve, StepInject, StepVerify, StepRollback, StepUnlock, StepEnd}) {
		t.Errorf("journal steps %v", got)
	}
	if lock := lockOf(t, c, "cluster-a"); !lock.Free(time.Now()) {
		t.Errorf("after the drill the lock is held: %+v", lock)
	}
}

func lockOf(t *testing.T, c *vsphere.Client, cluster string) drillkit.DrillLock {
	t.Helper()
	inv, err := c.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	lock, err := drillkit.ReadLock(context.Background(), c, inv.FilterClusters(vsphere.Filter{Name: cluster})[0].Ref)
	if err != nil {
		t.Fatal(err)
	}
	return lock
}

// reconfigure changes cluster-a's HA/DRS configuration for a test.
func reconfigure(t *testing.T, c *vsphere.Client, change func(*clusterspec.Config)) {
	t.Helper()
	ctx := context.Background()
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cl := inv.FilterClusters(vsphere.Filter{Name: "cluster-a"})[0]
	cfg, err := c.ClusterConfig(ctx, inv, cl.Ref)
	if err != nil {
		t.Fatal(err)
	}
	want := cfg.Spec
	change(&want)
	if r := gate.NewGate(c).Do(ctx, gate.ReconfigureCluster(cfg, want, false), nil); r.Status != gate.StatusOK {
		t.Fatalf("reconfigure: %s %s", r.Status, r.Message)
	}
}

func drsOf(t *testing.T, c *vsphere.Client) clusterspec.DRS {
	t.Helper()
	ctx := context.Background()
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := c.ClusterConfig(ctx, inv, inv.FilterClusters(vsphere.Filter{Name: "cluster-a"})[0].Ref)
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Spec.DRS
}

func TestEvacuationDrillPassesAndRollsBack(t *testing.T) {
	for _, pin := range []bool{false, true} {
		t.Run(fmt.Sprintf("pin-drs=%t", pin), func(t *testing.T) {
			_, c := haSim(t)
			before, drs := clusterState(t, c), drsOf(t, c)
			plan := mustParse(t, fmt.Sprintf("name: evac\ncluster: cluster-a\nscenario: evacuation\ntargets: {pick: most-vms, count: 1}\nexpect: {rto: 1m}\npin-drs: %t\n", pin))
			rep := (&Runner{Client: c, Plan: plan, Journal: newJournal(t)}).Run(context.Background())
			if rep.Result != ResultPass {
				t.Fatalf("the evacuation did not pass:\n%s", describe(rep))
			}
			for _, v := range rep.VMs {
				if v.Protected && (!v.Recovered || v.PowerOns != 0 || v.ToHost == v.FromHost) {
					t.Errorf("%s: %+v; want moved while running, never powered on again", v.Name, v)
				}
			}
			moved := slices.ContainsFunc(rep.Timeline, func(m Moment) bool { return strings.Contains(m.What, "DRS moves the VMs") })
			if moved == pin {
				t.Errorf("DRS evacuated: %t; want %t with pin-drs %t", moved, !pin, pin)
			}
			sameMaps(t, "after the rollback", clusterState(t, c), before)
			if got := drsOf(t, c); got != drs {
				t.Errorf("DRS after the drill: %+v; want it restored to %+v", got, drs)
			}
		})
	}
}

func TestEvacuationNeedsNoHA(t *testing.T) {
	_, c := haSim(t)
	before := clusterState(t, c)
	plan := mustParse(t, "name: evac\ncluster: cluster-b\nscenario: evacuation\ntargets: {pick: most-vms, count: 1}\nexpect: {rto: 1m}\n")
	rep := (&Runner{Client: c, Plan: plan}).Run(context.Background())
	if rep.Result != ResultPass {
		t.Fatalf("an evacuation of cluster-b (HA and DRS off) did not pass:\n%s", describe(rep))
	}
	sameMaps(t, "after the rollback", clusterState(t, c), before)
}

// TestPreflightRefusesAndInjectsNothing is one case per gate: each
// refuses the drill before any host is touched, naming the gate.
func TestPreflightRefusesAndInjectsNothing(t *testing.T) {
	tests := []struct {
		name    string
		plan    string // replaces crashPlan's targets line when it has one
		setup   func(t *testing.T, c *vsphere.Client)
		policy  vsphere.Policy
		check   string
		message string
	}{
		{name: "HA disabled", setup: func(t *testing.T, c *vsphere.Client) {
			reconfigure(t, c, func(cfg *clusterspec.Config) { cfg.HA.Enabled = false })
		}, check: "ha", message: "vSphere HA is disabled on cluster-a"},
		{name: "host monitoring off", setup: func(t *testing.T, c *vsphere.Client) {
			reconfigure(t, c, func(cfg *clusterspec.Config) { cfg.HA.HostMonitoring = false })
		}, check: "ha", message: "host monitoring is off"},
		{name: "admission control off", setup: func(t *testing.T, c *vsphere.Client) {
			reconfigure(t, c, func(cfg *clusterspec.Config) {
				cfg.HA.AdmissionControl = clusterspec.AdmissionControl{Mode: clusterspec.AdmissionDisabled}
			})
		}, check: "admission-control", message: "admission control is disabled"},
		{name: "a mandatory rule keeps the VMs on the failed host", setup: func(t *testing.T, c *vsphere.Client) {
			pinToTarget(t, c)
		}, check: "capacity", message: "would not restart if esx-a-01.lab.local failed"},
		{name: "restart priority disabled", plan: "targets: {hosts: [esx-a-01.lab.local]}\nprotect: ['*']", setup: func(t *testing.T, c *vsphere.Client) {
			reconfigure(t, c, func(cfg *clusterspec.Config) { cfg.HA.RestartPriority = clusterspec.RestartDisabled })
		}, check: "capacity", message: "restart priority is disabled"},
		{name: "unknown target", plan: "targets: {hosts: [esx-b-01.lab.local]}", check: "targets", message: "esx-b-01.lab.local is not a host of cluster-a"},
		{name: "all hosts", plan: "targets: {pick: most-vms, count: 3}", check: "targets", message: "would leave no host of cluster-a up"},
		{name: "nothing protected on the target", plan: "targets: {hosts: [esx-a-03.lab.local]}\nprotect: [web-01]", check: "protected", message: "no protected VM runs on esx-a-03.lab.local"},
		{name: "protect matches nothing", plan: "targets: {hosts: [esx-a-01.lab.local]}\nprotect: [nothing-*]", check: "protected", message: `"nothing-*" matches no powered-on VM`},
		{name: "another drill holds the lock", setup: func(t *testing.T, c *vsphere.Client) {
			inv, _ := c.Inventory(context.Background())
			cl := inv.FilterClusters(vsphere.Filter{Name: "cluster-a"})[0]
			a := gate.LockCluster(cl, drillkit.DrillLock{}, "nightly (vtui on ci-7, pid 42)", time.Hour)
			if r := gate.NewGate(c).Do(context.Background(), a, nil); r.Status != gate.StatusOK {
				t.Fatal(r.Message)
			}
		}, check: "lock", message: "another drill runs on cluster-a: nightly (vtui on ci-7, pid 42)"},
		{name: "read-only", policy: vsphere.Policy{ReadOnly: true}, check: "policy", message: "read-only mode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := haSim(t)
			if tt.setup != nil {
				tt.setup(t, c)
			}
			if tt.policy != (vsphere.Policy{}) {
				c = connectWith(t, srv, tt.policy)
			}
			text := crashPlan
			if tt.plan != "" {
				text = strings.Replace(text, "targets: {hosts: [esx-a-01.lab.local]}", tt.plan, 1)
			}
			before := clusterState(t, c)
			j := newJournal(t)
			rep := (&Runner{Client: c, Plan: mustParse(t, text), Journal: j}).Run(context.Background())
			i := slices.IndexFunc(rep.Preflight, func(ch gate.Check) bool { return ch.Status == gate.CheckFail })
			if rep.Result != ResultError || i < 0 || rep.Preflight[i].Name != tt.check || !strings.Contains(rep.Preflight[i].Reason, tt.message) {
				t.Fatalf("want the %s check to refuse with %q; got:\n%s", tt.check, tt.message, describe(rep))
			}
			sameMaps(t, "after a refused drill", clusterState(t, c), before)
			if got := journalSteps(t, j.Path()); slices.Contains(got, StepInject) || slices.Contains(got, StepLock) {
				t.Errorf("a refused drill journaled %v", got)
			}
			if !rep.Rollback.OK || rep.Rollback.Skipped != "nothing was changed" {
				t.Errorf("rollback %+v; want skipped, nothing changed", rep.Rollback)
			}
		})
	}
}

// TestPreflightReportsWhatAdmissionControlHolds: the admission-control
// check says what the policy holds now, computed as the simulator
// enforces it, and warns when that covers fewer host failures than the
// drill's.
func TestPreflightReportsWhatAdmissionControlHolds(t *testing.T) {
	_, c := haSim(t)
	admissionCheck := func(plan string) gate.Check {
		t.Helper()
		p, err := (&Runner{Client: c, Plan: mustParse(t, plan)}).Preflight(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(p.Checks, func(ch gate.Check) bool { return ch.Name == "admission-control" })
		if i < 0 {
			t.Fatalf("no admission-control check in %+v", p.Checks)
		}
		return p.Checks[i]
	}
	// The small preset: failures:1 on three hosts, nothing reserved.
	if ch := admissionCheck(crashPlan); ch.Status != gate.CheckPass ||
		ch.Reason != "failures:1; failover capacity 99% CPU, 100% memory (configured 34%, 34%); tolerates 2 host failures" {
		t.Errorf("failures:1: %s", ch)
	}
	reconfigure(t, c, func(cfg *clusterspec.Config) {
		cfg.HA.AdmissionControl = clusterspec.AdmissionControl{Mode: clusterspec.AdmissionHosts, Hosts: []string{"esx-a-03.lab.local"}}
	})
	two := strings.Replace(crashPlan, "[esx-a-01.lab.local]", "[esx-a-01.lab.local, esx-a-02.lab.local]", 1)
	if ch := admissionCheck(two); ch.Status != gate.CheckWarn || !strings.Contains(ch.Reason, "tolerates 1 host failure, fewer than the 2 this drill fails") {
		t.Errorf("one failover host, two targets: %s", ch)
	}
}

// pinToTarget adds a mandatory rule keeping the VMs of esx-a-01 there.
func pinToTarget(t *testing.T, c *vsphere.Client) {
	t.Helper()
	inv, err := c.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var vms []string
	for _, v := range inv.VMs {
		if v.Host == "esx-a-01.lab.local" {
			vms = append(vms, v.Name)
		}
	}
	reconfigure(t, c, func(cfg *clusterspec.Config) {
		cfg.VMGroups = append(cfg.VMGroups, clusterspec.VMGroup{Name: "pinned", VMs: vms})
		cfg.HostGroups = append(cfg.HostGroups, clusterspec.HostGroup{Name: "first", Hosts: []string{"esx-a-01.lab.local"}})
		cfg.Rules = append(cfg.Rules, clusterspec.Rule{Name: "stay", Kind: clusterspec.RuleVMHost, Enabled: true, Mandatory: true, VMGroup: "pinned", AffineHostGroup: "first"})
	})
}

func TestARestartThatFailsFailsTheDrillAndNamesTheVM(t *testing.T) {
	srv, c := haSim(t)
	before := clusterState(t, c)
	inv, _ := c.Inventory(context.Background())
	var victim string
	for _, v := range inv.VMs {
		if v.Host == "esx-a-01.lab.local" && v.PowerState == "poweredOn" {
			victim = v.Name
			break
		}
	}
	defer srv.FailRestart(victim)()
	plan := mustParse(t, strings.NewReplacer("timeout: 30s", "timeout: 2s", "rto: 30s", "rto: 2s").Replace(crashPlan))
	rep := (&Runner{Client: c, Plan: plan, Journal: newJournal(t)}).Run(context.Background())
	if rep.Result != ResultFail || rep.Lost != 1 || !slices.ContainsFunc(rep.Reasons, func(r string) bool { return strings.Contains(r, "1 protected VM lost") && strings.Contains(r, victim) }) {
		t.Fatalf("want fail, %s lost; got:\n%s", victim, describe(rep))
	}
	i := slices.IndexFunc(rep.VMs, func(v VMResult) bool { return v.Name == victim })
	if i < 0 || rep.VMs[i].Recovered || !strings.Contains(rep.VMs[i].Note, "HA could not restart it") {
		t.Errorf("the lost VM's result: %+v", rep.VMs)
	}
	if !rep.Rollback.OK {
		t.Errorf("rollback: %+v", rep.Rollback)
	}
	sameMaps(t, "after the rollback", clusterState(t, c), before)
}

func TestAnRTOTooSmallFailsTheDrill(t *testing.T) {
	_, c := haSim(t)
	plan := mustParse(t, strings.Replace(crashPlan, "rto: 30s", "rto: 50ms", 1))
	rep := (&Runner{Client: c, Plan: plan}).Run(context.Background())
	if rep.Result != ResultFail || rep.Lost != 0 || !slices.ContainsFunc(rep.Reasons, func(r string) bool { return strings.Contains(r, "beyond expect.rto 50ms") }) {
		t.Fatalf("want fail on the RTO alone; got:\n%s", describe(rep))
	}
}

// TestACommandThatFailsNothingIsNeverAPass: a command that leaves the
// host up fails the drill, saying the injection did not take, and loses
// no VM.
func TestACommandThatFailsNothingIsNeverAPass(t *testing.T) {
	_, c := haSim(t)
	plan := mustParse(t, strings.NewReplacer("method: sim-crash", "method: command, command: 'poweroff {{.Host}}', recover: 'poweron {{.Host}}'",
		"detect-timeout: 10s", "detect-timeout: 300ms").Replace(crashPlan))
	var ran []string
	run := func(_ context.Context, inv Invocation) (string, error) {
		ran = append(ran, inv.Argv[2])
		return "ok", nil
	}
	rep := (&Runner{Client: c, Plan: plan, Exec: run}).Run(context.Background())
	if rep.Result != ResultFail || !slices.ContainsFunc(rep.Reasons, func(r string) bool {
		return strings.Contains(r, "the injection did not take: no target was seen failing (notResponding) within detect-timeout 300ms")
	}) {
		t.Fatalf("want fail: the host never failed; got:\n%s", describe(rep))
	}
	if rep.Lost != 0 || slices.ContainsFunc(rep.Reasons, func(r string) bool { return strings.Contains(r, "lost") }) {
		t.Errorf("the host never failed, yet the report counts %d VMs lost:\n%s", rep.Lost, describe(rep))
	}
	for _, v := range rep.VMs {
		if v.Protected && !strings.Contains(v.Note, "not lost: its host never failed") {
			t.Errorf("%s: note %q; want it to say it was not lost", v.Name, v.Note)
		}
	}
	if !slices.Equal(ran, []string{`poweroff "${VTUI_HOST}"`}) {
		t.Errorf("ran %q; want the inject command alone (the host never went down, so there is nothing to recover)", ran)
	}
}

// TestAnInterruptAtEveryStepRollsBackToTheBaseline cancels the drill
// before each step in turn, as SIGINT would, and checks that the report
// says interrupted and the cluster, its DRS setting and its lock are as
// before.
func TestAnInterruptAtEveryStepRollsBackToTheBaseline(t *testing.T) {
	plan := strings.Replace(crashPlan, "timeout: 30s", "timeout: 30s\npin-drs: true", 1)
	for _, at := range []Step{StepStart, StepPreflight, StepLock, StepBaseline, StepPinDRS, StepObserve, StepInject, StepVerify} {
		t.Run(string(at), func(t *testing.T) {
			_, c := haSim(t)
			before, drs := clusterState(t, c), drsOf(t, c)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			j := newJournal(t)
			var reached []Step
			r := &Runner{Client: c, Plan: mustParse(t, plan), Journal: j, BeforeStep: func(s Step) {
				reached = append(reached, s)
				if s == at {
					cancel()
				}
			}}
			rep := r.Run(ctx)
			if rep.Result != ResultInterrupted || !slices.Contains(reached, at) {
				t.Fatalf("interrupted before %s (reached %v): want result interrupted:\n%s", at, reached, describe(rep))
			}
			if !rep.Rollback.OK {
				t.Errorf("rollback: %+v", rep.Rollback)
			}
			if rep.Lost != 0 || rep.RTOMet {
				t.Errorf("interrupted, the drill counts %d lost and rto_met %t; want none lost and the RTO not met (VMs not back yet are not lost)", rep.Lost, rep.RTOMet)
			}
			if got := rep.RTO(); slices.ContainsFunc(rep.VMs, func(v VMResult) bool { return v.Protected && !v.Recovered }) && !strings.HasPrefix(got, "not measured: interrupted") {
				t.Errorf("RTO %q; want it not measured, as VMs were not back when the drill was interrupted", got)
			}
			sameMaps(t, "after the rollback", clusterState(t, c), before)
			if got := drsOf(t, c); got != drs {
				t.Errorf("DRS %+v; want %+v", got, drs)
			}
			if lock := lockOf(t, c, "cluster-a"); !lock.Free(time.Now()) {
				t.Errorf("the lock is held after an interrupted drill: %+v", lock)
			}
			if at == StepStart {
				if data, _ := os.ReadFile(j.Path()); len(data) > 0 {
					t.Errorf("interrupted before it started, the drill journaled %s", data)
				}
				return
			}
			steps := journalSteps(t, j.Path())
			if steps[len(steps)-1] != StepEnd || slices.Contains(steps, at) {
				t.Errorf("journal %v: want it to stop before %s and end", steps, at)
			}
		})
	}
}

// TestJournalRollbackAfterTheRunnerIsKilled runs a drill in another
// process, kills it (SIGKILL: no rollback of its own) once it has crashed
// the host, and restores the cluster from its journal alone.
func TestJournalRollbackAfterTheRunnerIsKilled(t *testing.T) {
	srv := vspheretest.StartWith(t, "small", sim.Options{HA: sim.HAOptions{DetectDelay: 2 * time.Second}})
	c := vspheretest.Connect(t, srv)
	before := clusterState(t, c)
	dir := t.TempDir()
	planPath, journal := filepath.Join(dir, "plan.yaml"), filepath.Join(dir, "drill.journal")
	if err := os.WriteFile(planPath, []byte(crashPlan), 0o600); err != nil {
		t.Fatal(err)
	}
	child := exec.Command(os.Args[0], "-test.run=^TestDrillChildProcess$")
	child.Env = append(os.Environ(), "VTUI_DRILL_CHILD="+strings.Join([]string{srv.URL.Host, srv.Username, srv.Password, srv.Thumbprint, planPath, journal}, "\n"))
	var out strings.Builder
	child.Stdout, child.Stderr = &out, &out
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		data, _ := os.ReadFile(journal)
		if strings.Contains(string(data), `"step":"inject"`) {
			break
		}
		if time.Now().After(deadline) {
			_ = child.Process.Kill()
			t.Fatalf("the child never injected; its output:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // let the crash land
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	if steps := journalSteps(t, journal); slices.Contains(steps, StepRollback) {
		t.Fatalf("the child got as far as its own rollback (%v): kill it sooner", steps)
	}
	if lock := lockOf(t, c, "cluster-a"); lock.Free(time.Now()) {
		t.Error("the killed drill's lock is free; want it held until the rollback")
	}
	var steps []string
	rb, err := RollbackJournal(context.Background(), c, journal, RollbackOptions{OnStep: func(s string) { steps = append(steps, s) }})
	if err != nil || !rb.OK {
		t.Fatalf("rollback from the journal: %v, %+v\nsteps: %q", err, rb, steps)
	}
	if !slices.ContainsFunc(steps, func(s string) bool { return strings.Contains(s, "recovered esx-a-01.lab.local") }) {
		t.Errorf("the rollback's steps %q do not recover the crashed host", steps)
	}
	sameMaps(t, "after the journal rollback", clusterState(t, c), before)
	if lock := lockOf(t, c, "cluster-a"); !lock.Free(time.Now()) {
		t.Errorf("after the rollback the lock is held: %+v", lock)
	}
	if got := journalSteps(t, journal); got[len(got)-1] != StepEnd {
		t.Errorf("journal %v: want it ended", got)
	}
	if again, err := RollbackJournal(context.Background(), c, journal, RollbackOptions{}); err != nil || again.Skipped == "" {
		t.Errorf("a second rollback: %+v, %v; want nothing to do", again, err)
	}
}

// TestDrillChildProcess is the drill TestJournalRollbackAfterTheRunnerIsKilled
// runs and kills; it does nothing on its own.
func TestDrillChildProcess(t *testing.T) {
	env := os.Getenv("VTUI_DRILL_CHILD")
	if env == "" {
		t.Skip("run by TestJournalRollbackAfterTheRunnerIsKilled")
	}
	f := strings.Split(env, "\n")
	c, err := vsphere.Connect(context.Background(), vsphere.Config{URL: f[0], Username: f[1], Password: f[2], Thumbprint: f[3], Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Load(context.Background(), f[4])
	if err != nil {
		t.Fatal(err)
	}
	j, err := CreateJournal(f[5])
	if err != nil {
		t.Fatal(err)
	}
	(&Runner{Client: c, Plan: plan, Journal: j}).Run(context.Background())
}

// TestSimulatorMethodsAreRefusedAgainstPlainVcsim: sim-crash, sim-network
// (an isolation, a partition) and a BMC method with address simulator are
// refused against a server without the fault door, changing nothing.
func TestSimulatorMethodsAreRefusedAgainstPlainVcsim(t *testing.T) {
	simulator.Test(func(ctx context.Context, vc *vim25.Client) {
		pass, _ := simulator.DefaultLogin.Password()
		c, err := vsphere.Connect(ctx, vsphere.Config{URL: vc.URL().Host, Username: simulator.DefaultLogin.Username(), Password: pass, Insecure: true})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		inv, err := c.Inventory(ctx)
		if err != nil {
			t.Fatal(err)
		}
		names := strings.NewReplacer("cluster-a", inv.Clusters[0].Name, "esx-a-01.lab.local", inv.FilterHosts(vsphere.Filter{Cluster: inv.Clusters[0].Name})[0].Name)
		for _, tt := range []struct{ plan, message string }{
			{crashPlan, "sim-crash works only against vtui's simulator"},
			{isolationPlan, "sim-network works only against vtui's simulator"},
			{strings.Replace(isolationPlan, "scenario: isolation", "scenario: partition", 1), "sim-network works only against vtui's simulator"},
			{redfishPlan, "address simulator names the BMCs of vtui's simulator, and this is not it"},
		} {
			before := clusterState(t, c)
			rep := (&Runner{Client: c, Plan: mustParse(t, names.Replace(tt.plan))}).Run(ctx)
			i := slices.IndexFunc(rep.Preflight, func(ch gate.Check) bool { return ch.Name == "method" })
			if rep.Result != ResultError || rep.HA != HAReal || i < 0 || rep.Preflight[i].Status != gate.CheckFail ||
				!strings.Contains(rep.Preflight[i].Reason, tt.message) {
				t.Fatalf("want the method check to refuse with %q; got:\n%s", tt.message, describe(rep))
			}
			sameMaps(t, "after a refused drill", clusterState(t, c), before)
			if tt.plan == crashPlan {
				for _, m := range methods() {
					if m != MethodSimCrash && m != MethodSimNetwork && !strings.Contains(rep.Preflight[i].Reason, "method "+string(m)) &&
						!strings.Contains(rep.Preflight[i].Reason, string(m)+" (") {
						t.Errorf("the refusal of sim-crash does not offer %s, which works against a real vCenter: %s", m, rep.Preflight[i].Reason)
					}
				}
			}
		}
	})
}

// TestTheLiveTimelineIsInTheReportsOrder: the moments handed out as the
// drill runs come in time order, the order of the report's timeline.
func TestTheLiveTimelineIsInTheReportsOrder(t *testing.T) {
	_, c := haSim(t)
	var live []Moment
	rep := (&Runner{Client: c, Plan: mustParse(t, crashPlan), OnMoment: func(m Moment) { live = append(live, m) }}).Run(context.Background())
	if rep.Result != ResultPass {
		t.Fatalf("the drill did not pass:\n%s", describe(rep))
	}
	line := func(m Moment) string {
		return fmt.Sprintf("%s %s %s %s", m.Time.Format("15:04:05.000000"), m.Kind, m.Object, m.What)
	}
	var got, want []string
	for i := range live {
		got = append(got, line(live[i]))
	}
	for _, m := range rep.Timeline {
		want = append(want, line(m))
	}
	if !slices.Equal(got, want) {
		t.Errorf("the live timeline:\n%s\nthe report's:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
