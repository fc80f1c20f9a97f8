package drill

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// retrySim is haSim with HA retrying a failed restart after retryDelay
// (doubling), and cluster-a's das.maxvmrestartcount set to maxRestarts,
// as govc cluster.change -ha-option would set it.
func retrySim(t *testing.T, retryDelay time.Duration, maxRestarts string) (*sim.Server, *vsphere.Client) {
	t.Helper()
	srv := vspheretest.StartWith(t, "small", sim.Options{HA: sim.HAOptions{DetectDelay: 100 * time.Millisecond, RetryDelay: retryDelay}})
	ctx := context.Background()
	gc, logout := govmomiClient(t, srv)
	defer logout()
	f := find.NewFinder(gc.Client, true)
	dc, err := f.DefaultDatacenter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.SetDatacenter(dc)
	cl, err := f.ClusterComputeResource(ctx, "cluster-a")
	if err != nil {
		t.Fatal(err)
	}
	task, err := cl.Reconfigure(ctx, &types.ClusterConfigSpecEx{DasConfig: &types.ClusterDasConfigInfo{
		Option: []types.BaseOptionValue{&types.OptionValue{Key: "das.maxvmrestartcount", Value: maxRestarts}}}}, true)
	if err == nil {
		err = task.Wait(ctx)
	}
	if err != nil {
		t.Fatalf("set das.maxvmrestartcount: %v", err)
	}
	return srv, vspheretest.Connect(t, srv)
}

// govmomiClient logs in to srv with govmomi, as govc would, to set what
// vtui does not model; logout ends the session.
func govmomiClient(t *testing.T, srv *sim.Server) (gc *govmomi.Client, logout func()) {
	t.Helper()
	u := *srv.URL
	u.User = url.UserPassword(srv.Username, srv.Password)
	gc, err := govmomi.NewClient(context.Background(), &u, true)
	if err != nil {
		t.Fatal(err)
	}
	return gc, func() { _ = gc.Logout(context.Background()) }
}

// runningOn names a VM powered on on host.
func runningOn(t *testing.T, c *vsphere.Client, host string) string {
	t.Helper()
	inv, err := c.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range inv.VMs {
		if v.Host == host && v.PowerState == "poweredOn" {
			return v.Name
		}
	}
	t.Fatalf("no VM runs on %s", host)
	return ""
}

// refusals are the timeline's NotEnoughResourcesToStartVmEvent moments of vm.
func refusals(rep *Report, vm string) []Moment {
	var out []Moment
	for _, m := range rep.Timeline {
		if m.Kind == "event" && m.Object == vm && strings.HasPrefix(m.What, "NotEnoughResourcesToStartVmEvent") {
			out = append(out, m)
		}
	}
	return out
}

// observed is when verify stopped observing, since the injection.
func observed(t *testing.T, rep *Report) float64 {
	t.Helper()
	i := slices.IndexFunc(rep.Timeline, func(m Moment) bool { return m.Kind == "step" && strings.HasPrefix(m.What, "verify: observed") })
	if i < 0 {
		t.Fatalf("the observation never ended:\n%s", describe(rep))
	}
	return rep.Timeline[i].At
}

// TestADrillStopsWaitingOnceHAGivesUpAVM: a protected VM that can never
// restart ends the observation once HA has been refused
// das.maxvmrestartcount times, not at the plan's timeout; it is lost,
// the RTO is not met, and the cluster rolls back to the baseline.
func TestADrillStopsWaitingOnceHAGivesUpAVM(t *testing.T) {
	srv, c := retrySim(t, 50*time.Millisecond, "3")
	before := clusterState(t, c)
	victim := runningOn(t, c, "esx-a-01.lab.local")
	defer srv.FailRestart(victim)()
	plan := mustParse(t, strings.NewReplacer("timeout: 30s", "timeout: 5m", "rto: 30s", "rto: 1m").Replace(crashPlan))
	rep := (&Runner{Client: c, Plan: plan, Journal: newJournal(t)}).Run(context.Background())
	if rep.Result != ResultFail || rep.Lost != 1 || rep.RTOMet {
		t.Fatalf("want fail, %s lost, the RTO not met; got lost %d, rto_met %t:\n%s", victim, rep.Lost, rep.RTOMet, describe(rep))
	}
	refused := refusals(rep, victim)
	if len(refused) != 3 {
		t.Fatalf("%s was refused %d times; want das.maxvmrestartcount, 3:\n%s", victim, len(refused), describe(rep))
	}
	// The observation ends on the give-up, long before the 5m timeout:
	// what is left is the observer's batching.
	if gaveUp, end := refused[2].At, observed(t, rep); end < gaveUp || end-gaveUp > 10 {
		t.Errorf("observation ended at %.3fs; HA gave up at %.3fs, so it should end then, not at the timeout", end, gaveUp)
	}
	i := slices.IndexFunc(rep.VMs, func(v VMResult) bool { return v.Name == victim })
	if i < 0 || rep.VMs[i].Recovered || !strings.Contains(rep.VMs[i].Note, "HA gave up after 3 attempts (das.maxvmrestartcount 3)") {
		t.Errorf("the lost VM's result: %+v", rep.VMs)
	}
	var text strings.Builder
	rep.WriteText(&text)
	if !strings.Contains(text.String(), "rto not met: 1 protected VM never back") {
		t.Errorf("the verdict does not say the RTO was not met:\n%s", text.String())
	}
	if !rep.Rollback.OK {
		t.Errorf("rollback: %+v", rep.Rollback)
	}
	sameMaps(t, "after the rollback", clusterState(t, c), before)
}

// TestARetryPendingKeepsTheDrillWaiting: a VM refused a restart, with
// attempts left, keeps the drill observing; HA's retry when the failed
// host comes back restarts it elsewhere, and the drill passes.
func TestARetryPendingKeepsTheDrillWaiting(t *testing.T) {
	srv, c := retrySim(t, time.Hour, "2") // only capacity appearing retries
	before := clusterState(t, c)
	victim := runningOn(t, c, "esx-a-01.lab.local")
	undo := srv.FailRestart(victim)
	defer undo()
	onMoment := func(m Moment) {
		if m.Kind == "event" && m.Object == victim && strings.HasPrefix(m.What, "NotEnoughResourcesToStartVmEvent") {
			undo()
			if err := srv.RecoverHost("esx-a-01.lab.local"); err != nil {
				t.Error(err)
			}
		}
	}
	plan := mustParse(t, crashPlan)
	rep := (&Runner{Client: c, Plan: plan, Journal: newJournal(t), OnMoment: onMoment}).Run(context.Background())
	i := slices.IndexFunc(rep.VMs, func(v VMResult) bool { return v.Name == victim })
	if len(refusals(rep, victim)) != 1 || i < 0 || !rep.VMs[i].Recovered || rep.Lost != 0 || !rep.RTOMet {
		t.Fatalf("want %s refused once, then restarted on the retry and the drill to see it; got:\n%s", victim, describe(rep))
	}
	if !rep.Rollback.OK {
		t.Errorf("rollback: %+v", rep.Rollback)
	}
	sameMaps(t, "after the rollback", clusterState(t, c), before)
}

// TestMaxRestartsIsTheClustersOptionOrFive: the attempts HA makes come
// from das.maxvmrestartcount, as HA reads it: unset or not a positive
// number is its default, 5.
func TestMaxRestartsIsTheClustersOptionOrFive(t *testing.T) {
	for _, tt := range []struct {
		option map[string]string
		want   int
	}{
		{nil, 5},
		{map[string]string{"das.maxvmrestartcount": "3"}, 3},
		{map[string]string{"das.maxvmrestartcount": " 8 "}, 8},
		{map[string]string{"das.maxvmrestartcount": "0"}, 5},
		{map[string]string{"das.maxvmrestartcount": "many"}, 5},
	} {
		cfg := &vsphere.ClusterConfig{}
		cfg.Spec.Unmodeled.HAOptions = tt.option
		if got := maxRestarts(cfg); got != tt.want {
			t.Errorf("maxRestarts(%v) = %d; want %d", tt.option, got, tt.want)
		}
	}
}

// TestALossThePlanToleratesStillReadsRTONotMet: with expect.lost 1, one
// lost VM passes, but the RTO is unbounded: a warning says it was not met.
func TestALossThePlanToleratesStillReadsRTONotMet(t *testing.T) {
	plan := mustParse(t, strings.Replace(crashPlan, "expect: {rto: 30s}", "expect: {rto: 30s, lost: 1}", 1))
	d := &drill{Runner: &Runner{Plan: plan}, rep: &Report{Lost: 1, Breakdown: Breakdown{LastRecoverySeconds: 2},
		VMs: []VMResult{{Name: "db-01", Protected: true, Verdict: VerdictLost},
			{Name: "web-01", Protected: true, Recovered: true, RecoverySeconds: 2, Verdict: VerdictOnTime}}}}
	d.judge()
	if len(d.rep.Reasons) != 0 || !slices.ContainsFunc(d.rep.Warnings, func(w string) bool {
		return strings.Contains(w, "the RTO was not met: 1 protected VM never back, which expect.lost (1) tolerates")
	}) {
		t.Errorf("reasons %q, warnings %q; want no reason and a warning that the RTO was not met", d.rep.Reasons, d.rep.Warnings)
	}
	if got := d.rep.RTO(); got != "not met: 1 protected VM never back (the others by 2.0s)" {
		t.Errorf("RTO() = %q", got)
	}
}
