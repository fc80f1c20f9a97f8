package drill

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/drillkit"
	"github.com/vtui/vtui/vsphere/gate"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// TestARollbackWaitsForHAsRestartsInFlight: on the demo preset each
// survivor of esx-a-01 boots its share of the restarts one after
// another, each taking the boot time. A drill interrupted as HA's first
// restart begins, and a killed drill rolled back from its journal at
// that moment, restore the baseline only once HA has no restart in
// flight: the cluster equals the baseline after the rollback, and still
// does once every boot HA had queued would have ended (without the wait,
// a restart queued behind another moves its VM after the rollback moved
// it back).
func TestARollbackWaitsForHAsRestartsInFlight(t *testing.T) {
	const boot = 200 * time.Millisecond
	const target = "esx-a-01.lab.local"
	for _, how := range []string{"interrupted", "from the journal"} {
		t.Run(how, func(t *testing.T) {
			srv := vspheretest.StartWith(t, "demo", sim.Options{HA: sim.HAOptions{DetectDelay: 100 * time.Millisecond, BootTime: boot}})
			c := vspheretest.Connect(t, srv)
			before := clusterState(t, c)
			var queued int // the VMs HA restarts: an upper bound of any host's queue
			for _, state := range before {
				if state == target+" poweredOn" {
					queued++
				}
			}
			var rb RollbackReport
			switch how {
			case "interrupted":
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				onMoment := func(m Moment) {
					if m.Kind == "vm" && strings.HasPrefix(m.What, "runtime.host") {
						cancel() // HA's first restart began
					}
				}
				rep := (&Runner{Client: c, Plan: mustParse(t, crashPlan), Journal: newJournal(t), OnMoment: onMoment}).Run(ctx)
				if rep.Result != ResultInterrupted {
					t.Fatalf("want the drill interrupted:\n%s", describe(rep))
				}
				rb = rep.Rollback
			case "from the journal":
				journal := killedDrill(t, c, crashPlan, StepVerify)
				waitForFirstRestart(t, srv, target, before)
				var err error
				if rb, err = RollbackJournal(context.Background(), c, journal, RollbackOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			if !rb.OK || len(rb.Warnings) > 0 {
				t.Fatalf("rollback: %+v", rb)
			}
			if !slices.ContainsFunc(rb.Steps, func(s string) bool { return strings.HasPrefix(s, "waited ") }) {
				t.Errorf("the rollback did not wait for HA: %q", rb.Steps)
			}
			sameMaps(t, "after the rollback", clusterState(t, c), before)
			time.Sleep(time.Duration(queued+1) * boot)
			sameMaps(t, "once HA's boots would have ended", clusterState(t, c), before)
		})
	}
}

// waitForFirstRestart waits up to 10 s for HA to begin restarting a VM
// that ran on host: the VM is on another host.
func waitForFirstRestart(t *testing.T, srv *sim.Server, host string, before map[string]string) {
	t.Helper()
	c := vspheretest.Connect(t, srv)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		now := clusterState(t, c)
		for obj, state := range before {
			if state == host+" poweredOn" && !strings.HasPrefix(now[obj], host+" ") {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("HA began no restart of the VMs of %s within 10 s", host)
		}
	}
}

// TestThePreflightRefusesAnEvacuationAdmissionControlWouldRefuse: with
// admission control reserving all of cluster-a (percent:100,100), vCenter
// refuses maintenance mode on any host; the preflight says so, and the
// drill changes nothing.
func TestThePreflightRefusesAnEvacuationAdmissionControlWouldRefuse(t *testing.T) {
	ctx := context.Background()
	_, c := haSim(t)
	reconfigure(t, c, func(s *clusterspec.Config) {
		s.HA.AdmissionControl = clusterspec.AdmissionControl{Mode: clusterspec.AdmissionPercent, CPUPercent: 100, MemoryPercent: 100}
	})
	before := clusterState(t, c)
	for _, pin := range []bool{true, false} { // vtui evacuates, or DRS does
		plan := mustParse(t, fmt.Sprintf("name: evac\ncluster: cluster-a\nscenario: evacuation\ntargets: {pick: most-vms, count: 1}\nexpect: {rto: 1m}\npin-drs: %t\n", pin))
		rep := (&Runner{Client: c, Plan: plan}).Run(ctx)
		i := slices.IndexFunc(rep.Preflight, func(ch gate.Check) bool { return ch.Name == "admission-control" })
		if rep.Result != ResultError || !rep.Injected.IsZero() || i < 0 || rep.Preflight[i].Status != gate.CheckFail ||
			!strings.Contains(rep.Preflight[i].Reason, "entering maintenance mode would leave") {
			t.Errorf("pin-drs %t: want the preflight to refuse, in its admission-control check:\n%s", pin, describe(rep))
		}
		sameMaps(t, "after the refused drill", clusterState(t, c), before)
	}
}

// TestARollbackWaitsForNoRestartHAWillNotMake: the VMs an isolation
// response of none, or a partition, leaves running on the cut-off host
// are no restart in flight: the rollback restores the network at once,
// with no warning, well before the plan's timeout (30 s) would have
// ended a wait for them.
func TestARollbackWaitsForNoRestartHAWillNotMake(t *testing.T) {
	for _, scenario := range []string{"isolation", "partition"} {
		t.Run(scenario, func(t *testing.T) {
			_, c := haSim(t)
			plan := strings.Replace(isolationPlan, "scenario: isolation", "scenario: "+scenario, 1)
			start := time.Now()
			rep := runScenario(t, c, plan, nil, nil) // the small preset's isolation response is none
			if rep.Result != ResultPass || len(rep.Rollback.Warnings) > 0 || time.Since(start) > 20*time.Second {
				t.Errorf("want a pass rolled back with no warning, within 20 s (took %s):\n%s", time.Since(start), describe(rep))
			}
		})
	}
}

// slowRecoverPlan fails esx-a-01 and brings it back by commands, which
// the tests below run against the simulator (see declaredThenRecovered).
var slowRecoverPlan = strings.Replace(crashPlan, "inject: {method: sim-crash}",
	"inject: {method: command, command: [crash, '{{.Host}}'], recover: [recover, '{{.Host}}']}", 1)

// TestARollbackPutsBackWhatHARestartsDuringIt: HA has not yet declared
// the target failed when the rollback checks, so the rollback does not
// wait for HA; but its recovery of the target takes longer than HA's
// detection (as a BMC's power-on and a host's boot do), and HA declares
// the target failed in between and restarts its VMs, each survivor
// booting its share one after another, during the rollback. On the demo
// preset, a drill interrupted right after its injection and a killed
// drill rolled back from its journal then find HA's restarts after their
// recovery: each waits for them, puts the VMs back, says so in its report
// and its journal, and the cluster equals the baseline after it and still
// once every boot HA had queued would have ended (before, the rollback
// put the VMs back while HA still had restarts queued, which moved them
// off again after it, and its report said nothing of HA's restarts).
func TestARollbackPutsBackWhatHARestartsDuringIt(t *testing.T) {
	// The detection delay leaves the rollback time to check HA's events
	// before HA declares the target failed (the recover command checks
	// that it did); the boot time keeps HA's restarts in flight long
	// after the recovery.
	const detect, boot = 2 * time.Second, 300 * time.Millisecond
	const target = "esx-a-01.lab.local"
	for _, how := range []string{"interrupted", "from the journal"} {
		t.Run(how, func(t *testing.T) {
			srv := vspheretest.StartWith(t, "demo", sim.Options{HA: sim.HAOptions{DetectDelay: detect, BootTime: boot}})
			c := vspheretest.Connect(t, srv)
			before := clusterState(t, c)
			var queued int // the VMs HA restarts: an upper bound of any host's queue
			for _, state := range before {
				if state == target+" poweredOn" {
					queued++
				}
			}
			run, early := declaredThenRecovered(t, srv, c)
			plan := mustParse(t, slowRecoverPlan)
			var rb RollbackReport
			var journal string
			switch how {
			case "interrupted":
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				j := newJournal(t)
				rep := (&Runner{Client: c, Plan: plan, Journal: j, Exec: run, BeforeStep: func(s Step) {
					if s == StepVerify {
						cancel() // right after the injection, as SIGINT would
					}
				}}).Run(ctx)
				if rep.Result != ResultInterrupted {
					t.Fatalf("want the drill interrupted:\n%s", describe(rep))
				}
				rb, journal = rep.Rollback, j.Path()
			case "from the journal":
				journal = killedRun(t, &Runner{Client: c, Plan: plan, Exec: run}, StepVerify)
				var err error
				if rb, err = RollbackJournal(context.Background(), c, journal, RollbackOptions{Exec: run}); err != nil {
					t.Fatal(err)
				}
			}
			if *early {
				t.Fatalf("HA had declared %s failed before the rollback's recovery began, so the rollback may have seen it: the test did not set up the race (a machine too loaded for a %s detection?)", target, detect)
			}
			if !rb.OK || len(rb.Warnings) > 0 {
				t.Fatalf("rollback: %+v", rb)
			}
			said := func(prefix string) string {
				i := slices.IndexFunc(rb.Steps, func(s string) bool { return strings.HasPrefix(s, prefix) })
				if i < 0 {
					t.Errorf("the rollback's steps do not say %q...: %q", prefix, rb.Steps)
					return ""
				}
				return rb.Steps[i]
			}
			said("HA acted on the drill's failure during the rollback")
			if put := said("HA restarted "); put != "" && (!strings.Contains(put, "during the rollback") || !strings.Contains(put, "the rollback put them back")) {
				t.Errorf("the rollback says %q; want it to say HA restarted VMs during it and it put them back", put)
			}
			entries, err := ReadJournal(context.Background(), journal)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(entries, func(e Entry) bool {
				return e.Step == StepRollback && strings.HasPrefix(e.Note, "HA acted on the drill's failure during the rollback")
			}) {
				t.Errorf("the journal does not say HA acted during the rollback: %+v", entries)
			}
			sameMaps(t, "after the rollback", clusterState(t, c), before)
			time.Sleep(time.Duration(queued+1) * boot)
			sameMaps(t, "once HA's boots would have ended", clusterState(t, c), before)
		})
	}
}

// declaredThenRecovered returns an Exec that runs the commands of
// slowRecoverPlan against srv: crash crashes the host; recover waits
// until HA has declared it failed (up to 10 s), then recovers it.
// *early says HA had declared it when the recover command began.
func declaredThenRecovered(t *testing.T, srv *sim.Server, c *vsphere.Client) (Exec, *bool) {
	t.Helper()
	inv, err := c.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(inv.Clusters, func(cl vsphere.Cluster) bool { return cl.Name == "cluster-a" })
	if i < 0 {
		t.Fatal("no cluster-a")
	}
	cluster := inv.Clusters[i].Ref
	var crashed time.Time
	declared := func(ctx context.Context) (bool, error) {
		events, err := drillkit.EventsSince(ctx, c, cluster, crashed)
		return slices.ContainsFunc(events, func(e vsphere.Event) bool { return e.Type == "DasHostFailedEvent" }), err
	}
	early := new(bool)
	run := func(ctx context.Context, inv Invocation) (string, error) {
		host := inv.Argv[1]
		switch inv.Argv[0] {
		case "crash":
			crashed = time.Now().Add(-time.Second) // vCenter's clock is this one's: a second of slack
			return "", srv.CrashHost(host)
		case "recover":
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			var err error
			if *early, err = declared(ctx); err != nil {
				return "", err
			}
			for ok := *early; !ok; time.Sleep(20 * time.Millisecond) {
				if ok, err = declared(ctx); err != nil {
					return "", fmt.Errorf("HA did not declare %s failed: %w", host, err)
				}
			}
			return "", srv.RecoverHost(host)
		}
		return "", fmt.Errorf("no command %q", inv.Argv[0])
	}
	return run, early
}
