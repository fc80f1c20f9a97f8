package drill

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

var (
	drills    = flag.Int("drills", 16, "how many randomized drills TestRandomizedDrillsLoseNothing runs")
	drillSeed = flag.Uint64("drill-seed", 1, "the seed of TestRandomizedDrillsLoseNothing; drill i draws from (seed, i)")
)

// drillTally counts what the randomized drills did.
type drillTally struct {
	drills, refused, ran int
	// lost and duplicated count VMs; rolledBack and agreed count the
	// drills that ran: rolled back to the state they started from (and
	// still in it once HA is done), and whose outcome equals the
	// preflight's prediction.
	lost, duplicated, rolledBack, agreed int
	// elsewhere counts the VMs a network cut's isolation response had
	// restarted on another host than the prediction's, which the drill's
	// verdict warns of.
	elsewhere int
	// by counts the drills that ran, by what they covered.
	by       map[string]int
	failures []string
}

// TestRandomizedDrillsLoseNothing runs seeded random drills, each on a
// simulator of its own with a random cluster: 3 to 6 hosts, 2 to 5 VMs a
// host; HA's boot times (none, fixed, a seeded range), guest heartbeat
// delay, retries (das.maxvmrestartcount 1 to 3); the cluster's ready
// condition, postReadyDelay and restartPriorityTimeout; random
// reservations (sometimes large enough for a capacity shortage) and power
// states; per-VM restart priorities (disabled included); affinity,
// anti-affinity and VM-host rules, must or should; each admission policy
// (host failures N, a percentage, a dedicated failover host); one or two
// targets, named, picked at random or by most VMs; a host failure, an
// isolation (each isolation response), a partition, or an evacuation,
// with DRS manual, or fully automated and pinned or not. A
// host failure protects the VMs the capacity what-if predicts restart
// (all, some) or, sometimes, every VM of the targets (which the preflight
// refuses when one would not restart).
//
// It tallies the drills, those the preflight refused, the VMs lost and
// duplicated, the drills rolled back, and those whose outcome equals the
// preflight's prediction: every protected VM back on the host the
// what-if named, every VM it said stays down down; in a network cut,
// each protected VM's predicted outcome (a restart on another host than
// predicted is tallied apart, as the drill's verdict warns of it); an
// evacuation passed.
// It fails if a drill duplicated a VM, did not roll back to the state it
// started from (or left it once HA was done), lost a VM the prediction
// said restarts, or disagreed with the prediction in any other way; a
// refused drill must change nothing. The closing note's measurement:
//
//	go test ./ha/drill -run TestRandomizedDrillsLoseNothing -drills 200 -v
func TestRandomizedDrillsLoseNothing(t *testing.T) {
	tl := &drillTally{by: map[string]int{}}
	start := time.Now()
	for i := range *drills {
		randomDrill(t, rand.New(rand.NewPCG(*drillSeed, uint64(i))), i, tl)
	}
	t.Logf("%d drills (seed %d) in %s: %d refused by the preflight, %d ran; lost %d VMs, duplicated %d; %d of %d rolled back; prediction equal to outcome in %d of %d (%d VMs of isolations restarted on another host than predicted)",
		tl.drills, *drillSeed, time.Since(start).Round(time.Second), tl.refused, tl.ran, tl.lost, tl.duplicated, tl.rolledBack, tl.ran, tl.agreed, tl.ran, tl.elsewhere)
	var covered []string
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range tl.by {
			if !yield(k) {
				return
			}
		}
	}) {
		covered = append(covered, fmt.Sprintf("%s %d", k, tl.by[k]))
	}
	t.Logf("drills that ran, by what they covered: %s", strings.Join(covered, ", "))
	for _, f := range tl.failures {
		t.Error(f)
	}
	if tl.ran == 0 || tl.refused == tl.drills {
		t.Errorf("no drill ran: the test proves nothing")
	}
}

// randomCluster is the random configuration of a drill's cluster.
type randomCluster struct {
	hosts   []vsphere.Host
	vms     []string // the cluster's VMs, by name
	covers  []string // what it covers, for the tally
	summary string   // for a failure's message
	// isolation is the cluster's isolation response.
	isolation clusterspec.IsolationResponse
}

// randomDrill runs drill i: a simulator, a random cluster and plan, the
// preflight's prediction, the drill, and its tally.
func randomDrill(t *testing.T, rng *rand.Rand, i int, tl *drillTally) {
	t.Helper()
	ctx := context.Background()
	hosts := 3 + rng.IntN(4)
	spec := sim.Spec{Datacenters: 1, Clusters: 1, HostsPerCluster: hosts, VMs: hosts * (2 + rng.IntN(4)), Datastores: 1, HAClusters: 1}
	ha := sim.HAOptions{DetectDelay: 450 * time.Millisecond, ElectionDelay: 50 * time.Millisecond, RetryDelay: 20 * time.Millisecond,
		ToolsDelay: time.Duration(rng.IntN(30)) * time.Millisecond, Seed: uint64(i)}
	boots := "instant boots"
	switch rng.IntN(3) {
	case 1:
		ha.BootTime, boots = 30*time.Millisecond, "boot 30ms"
	case 2:
		ha.BootTime, ha.BootTimeMax, boots = 10*time.Millisecond, 80*time.Millisecond, "boot 10-80ms"
	}
	srv, err := sim.Start(ctx, spec, sim.Options{HA: ha})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := vsphere.Connect(ctx, vspheretest.Config(srv))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close(ctx) }()
	gc, logout := govmomiClient(t, srv)
	defer logout()

	rc := randomize(t, rng, c, gc)
	rc.covers = append(rc.covers, boots)
	plan := randomPlan(rng, rc)
	pre, err := (&Runner{Client: c, Plan: mustParse(t, plan)}).Preflight(ctx)
	if err != nil {
		t.Fatal(err)
	}
	scenario := ScenarioHostFailure
	switch rng.IntN(8) {
	case 0, 1:
		scenario = ScenarioEvacuation
		plan = strings.Replace(plan, "method: sim-crash", "method: evacuate", 1)
		plan = strings.Replace(plan, "pin-drs: true", fmt.Sprintf("pin-drs: %t", rng.IntN(2) == 0), 1)
	case 2, 3:
		scenario = ScenarioIsolation
	case 4:
		scenario = ScenarioPartition
	}
	if scenario.cutsNetwork() {
		plan = strings.Replace(plan, "method: sim-crash", "method: sim-network", 1)
	}
	plan = strings.Replace(plan, "scenario: host-failure", "scenario: "+string(scenario), 1)
	hostFailure := scenario == ScenarioHostFailure
	// Where the what-if restarts each VM of the targets; "" stays down.
	predicted := map[string]string{}
	for _, r := range pre.WhatIf.Restarts {
		predicted[r.VM] = r.To
	}
	for _, s := range pre.WhatIf.Stranded {
		predicted[s.VM] = ""
	}
	if hostFailure && rng.IntN(4) > 0 {
		// Protect what the what-if restarts: all of it, or some.
		var restarts []string
		for _, r := range pre.WhatIf.Restarts {
			if rng.IntN(2) == 0 || len(restarts) == 0 {
				restarts = append(restarts, r.VM)
			}
		}
		if rng.IntN(2) == 0 {
			restarts = restarts[:0]
			for _, r := range pre.WhatIf.Restarts {
				restarts = append(restarts, r.VM)
			}
		}
		if len(restarts) > 0 {
			plan += fmt.Sprintf("protect: [%s]\n", strings.Join(restarts, ", "))
		}
	}
	before := vspheretest.State(t, c)
	rep := (&Runner{Client: c, Plan: mustParse(t, plan)}).Run(ctx)
	tl.drills++
	t.Logf("drill %3d: %s of %s, %d VMs; %s, lost %d, duplicated %d, rto %s, rollback ok %t", i, scenario, strings.Join(rep.Targets, ", "),
		len(rep.VMs), rep.Result, rep.Lost, rep.Duplicated, rep.RTO(), rep.Rollback.OK)
	fail := func(format string, args ...any) {
		tl.failures = append(tl.failures, fmt.Sprintf("drill %d (seed %d): %s\ncluster: %s\nplan:\n%s%s",
			i, *drillSeed, fmt.Sprintf(format, args...), rc.summary, plan, describe(rep)))
	}
	if rep.Injected.IsZero() {
		if rep.Result != ResultError || !strings.Contains(strings.Join(rep.Reasons, " "), "preflight refused") {
			fail("nothing was injected, and not because the preflight refused: %v", rep.Reasons)
		}
		tl.refused++
		t.Logf("drill %3d: %s refused: %s", i, scenario, strings.Join(rep.Reasons, "; "))
		if diff := stateDiff(vspheretest.State(t, c), before); diff != "" {
			fail("the refused drill changed the cluster: %s", diff)
		}
		return
	}
	tl.ran++
	kind := fmt.Sprintf("%s of %d", scenario, len(rep.Targets))
	if scenario == ScenarioIsolation {
		kind += ", response " + string(rc.isolation)
	}
	for _, k := range append(rc.covers, kind) {
		tl.by[k]++
	}
	tl.lost += rep.Lost
	tl.duplicated += rep.Duplicated
	if rep.Duplicated > 0 {
		fail("%d VMs duplicated", rep.Duplicated)
	}
	var disagree []string
	targets := map[string]bool{}
	for _, h := range rep.Targets {
		targets[h] = true
	}
	for _, v := range rep.VMs {
		to, ok := predicted[v.Name]
		got := ""
		if v.Recovered {
			got = v.ToHost
		}
		switch {
		case !hostFailure || !targets[v.FromHost]:
		case v.Protected && !v.Recovered && ok && to != "":
			fail("%s was lost; the what-if predicted its restart on %s", v.Name, to)
			disagree = append(disagree, v.Name)
		case v.Protected && (!ok || got != to):
			disagree = append(disagree, fmt.Sprintf("%s: predicted %s, did %s", v.Name, restartOn(to, ok), restartOn(got, true)))
		case !v.Protected && (!ok || to == "") && v.Recovered:
			// HA restarts neither a disabled VM nor one it has no room for.
			disagree = append(disagree, fmt.Sprintf("%s: predicted to stay down, restarted on %s", v.Name, v.ToHost))
		}
	}
	for _, v := range rep.VMs {
		// A network cut: the preflight's prediction of each protected VM,
		// as the report holds it.
		switch {
		case !scenario.cutsNetwork() || !v.Protected:
		case v.Expected != v.Outcome:
			disagree = append(disagree, fmt.Sprintf("%s: predicted %s, did %s", v.Name, v.Expected, v.Outcome))
		case v.Outcome == OutcomeRestarts && v.ExpectedHost != v.ToHost:
			// The drill's verdict warns (each host's isolation response
			// stops its VMs at its own time, so HA places them in turns,
			// not together as the what-if does): tallied, not failed.
			tl.elsewhere++
		}
	}
	if !rep.Result.Passed() || rep.Unexpected > 0 {
		disagree = append(disagree, fmt.Sprintf("the preflight passed, the drill did not: %s, %d protected VMs not as predicted", rep.Result, rep.Unexpected))
	}
	if len(disagree) > 0 {
		fail("the outcome differs from the preflight's prediction: %s", strings.Join(disagree, "; "))
	} else {
		tl.agreed++
	}
	after := vspheretest.State(t, c)
	time.Sleep(100 * time.Millisecond) // HA, if still at work, would move a VM now
	later := vspheretest.State(t, c)
	switch {
	case !rep.Rollback.OK:
		fail("the rollback failed: %v", rep.Rollback.Diffs)
	case stateDiff(after, before) != "":
		fail("after the rollback the cluster differs from the state the drill started from: %s", stateDiff(after, before))
	case stateDiff(later, before) != "":
		fail("the rollback restored the cluster, then HA changed it: %s", stateDiff(later, before))
	default:
		tl.rolledBack++
	}
}

// restartOn says what a prediction or outcome is.
func restartOn(host string, known bool) string {
	switch {
	case !known:
		return "nothing"
	case host == "":
		return "stays down"
	}
	return "restart on " + host
}

// stateDiff lists how got differs from want, "" if not at all.
func stateDiff(got, want map[string]string) string {
	var out []string
	for k, w := range want {
		if got[k] != w {
			out = append(out, fmt.Sprintf("%s is %q, was %q", k, got[k], w))
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			out = append(out, fmt.Sprintf("%s is %q, was absent", k, g))
		}
	}
	slices.Sort(out)
	return strings.Join(out, "; ")
}

// randomPlan writes a host-failure plan of one or two targets, named,
// picked at random or by most VMs. DRS is pinned: its moves after the
// restarts are not HA's.
func randomPlan(rng *rand.Rand, rc randomCluster) string {
	n := 1
	if len(rc.hosts) >= 4 && rng.IntN(2) == 0 {
		n = 2
	}
	var targets string
	switch rng.IntN(3) {
	case 0:
		var names []string
		for _, i := range rng.Perm(len(rc.hosts))[:n] {
			names = append(names, rc.hosts[i].Name)
		}
		targets = fmt.Sprintf("{hosts: [%s]}", strings.Join(names, ", "))
	case 1:
		targets = fmt.Sprintf("{pick: random, count: %d, seed: %d}", n, 1+rng.IntN(1000))
	default:
		targets = fmt.Sprintf("{pick: most-vms, count: %d}", n)
	}
	return fmt.Sprintf("name: random\ncluster: cluster-a\nscenario: host-failure\ntargets: %s\nexpect: {rto: 1m}\n"+
		"inject: {method: sim-crash}\ndetect-timeout: 10s\ntimeout: 1m\npin-drs: true\n", targets)
}

// randomize configures cluster-a at random, through vtui's client for
// what it models and govmomi for the rest (reservations, readiness,
// das.maxvmrestartcount), as an administrator would: first with
// admission control off and DRS manual, the VMs' reservations and power
// states; then HA's policy, priorities and rules, and DRS.
func randomize(t *testing.T, rng *rand.Rand, c *vsphere.Client, gc *govmomi.Client) randomCluster {
	t.Helper()
	ctx := context.Background()
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cl := inv.Clusters[slices.IndexFunc(inv.Clusters, func(c vsphere.Cluster) bool { return c.Name == "cluster-a" })]
	rc := randomCluster{}
	for _, h := range inv.Hosts {
		if h.ClusterRef == cl.Ref {
			rc.hosts = append(rc.hosts, h)
		}
	}
	reconfigure(t, c, func(s *clusterspec.Config) {
		s.HA.AdmissionControl = clusterspec.AdmissionControl{Mode: clusterspec.AdmissionDisabled}
		s.DRS.Automation = clusterspec.AutomationManual
	})
	wait := func(what string, task *object.Task, err error) {
		t.Helper()
		if err == nil {
			err = task.Wait(ctx)
		}
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	var names []string
	for _, h := range rc.hosts {
		names = append(names, h.Name)
	}
	var policy clusterspec.AdmissionControl
	switch rng.IntN(3) {
	case 0:
		policy = clusterspec.AdmissionControl{Mode: clusterspec.AdmissionFailures, Failures: 1 + rng.IntN(len(names)-1)}
	case 1:
		policy = clusterspec.AdmissionControl{Mode: clusterspec.AdmissionPercent, CPUPercent: 10 + rng.IntN(40), MemoryPercent: 10 + rng.IntN(40)}
	default:
		policy = clusterspec.AdmissionControl{Mode: clusterspec.AdmissionHosts, Hosts: []string{names[rng.IntN(len(names))]}}
	}
	rc.covers = append(rc.covers, "admission "+string(policy.Mode))
	// Reservations, set with the VMs off: none, modest, or (a capacity
	// shortage) up to half a host. A fifth of the VMs stay off, and
	// those of a dedicated failover host, which runs none.
	hostCPU, hostMem := rc.hosts[0].CPUMHz, rc.hosts[0].MemoryMB
	share := int64(6)
	on := map[string]string{} // each VM's host
	var start []*object.VirtualMachine
	if rng.IntN(3) == 0 {
		share = 2
		rc.covers = append(rc.covers, "shortage")
	}
	for _, v := range inv.VMs {
		if v.ClusterRef != cl.Ref || v.Template {
			continue
		}
		rc.vms = append(rc.vms, v.Name)
		on[v.Name] = v.Host
		vm := object.NewVirtualMachine(gc.Client, types.ManagedObjectReference{Type: v.Ref.Type, Value: v.Ref.Value})
		var cpuRes, memRes int64
		if rng.IntN(3) > 0 {
			cpuRes, memRes = rng.Int64N(hostCPU/share), rng.Int64N(hostMem/share)
		}
		if v.PowerState == "poweredOn" {
			task, err := vm.PowerOff(ctx)
			wait("power off "+v.Name, task, err)
			if rng.IntN(5) > 0 && !slices.Contains(policy.Hosts, v.Host) {
				start = append(start, vm)
			}
		}
		task, err := vm.Reconfigure(ctx, types.VirtualMachineConfigSpec{
			CpuAllocation:    &types.ResourceAllocationInfo{Reservation: &cpuRes},
			MemoryAllocation: &types.ResourceAllocationInfo{Reservation: &memRes},
		})
		wait("reserve for "+v.Name, task, err)
	}
	// HA: the policy, a default priority, overrides, rules; DRS.
	priorities := []clusterspec.RestartPriority{clusterspec.RestartHighest, clusterspec.RestartHigh, clusterspec.RestartMedium,
		clusterspec.RestartLow, clusterspec.RestartLowest, clusterspec.RestartDisabled}
	var overrides []clusterspec.Override
	for _, vm := range rc.vms {
		if rng.IntN(3) == 0 {
			overrides = append(overrides, clusterspec.Override{VM: vm, RestartPriority: priorities[rng.IntN(len(priorities))]})
		}
	}
	if len(overrides) > 0 {
		rc.covers = append(rc.covers, "overrides")
	}
	rules, vmGroups, hostGroups := randomRules(rng, on, names)
	for _, r := range rules {
		strength := "should"
		if r.Mandatory {
			strength = "must"
		}
		rc.covers = append(rc.covers, fmt.Sprintf("%s %s", r.Kind, strength))
	}
	automation := clusterspec.AutomationManual
	if rng.IntN(2) == 0 {
		automation = clusterspec.AutomationFull
	}
	responses := []clusterspec.IsolationResponse{clusterspec.IsolationNone, clusterspec.IsolationPowerOff, clusterspec.IsolationShutdown}
	rc.isolation = responses[rng.IntN(len(responses))]
	reconfigure(t, c, func(s *clusterspec.Config) {
		s.HA.IsolationResponse = rc.isolation
		s.HA.Enabled, s.HA.HostMonitoring, s.HA.AdmissionControl = true, true, policy
		s.HA.RestartPriority = priorities[rng.IntN(3)+1]
		s.Overrides, s.Rules, s.VMGroups, s.HostGroups = overrides, rules, vmGroups, hostGroups
		s.DRS.Enabled, s.DRS.Automation = true, automation
	})
	// The VMs powered on again, as admission control lets them: the
	// cluster starts within its policy, so a rollback can restore it.
	refused := 0
	for _, vm := range start {
		task, err := vm.PowerOn(ctx)
		if err == nil {
			err = task.Wait(ctx)
		}
		if err != nil && strings.Contains(err.Error(), "Insufficient resources to satisfy configured failover level") {
			refused++
		} else if err != nil {
			t.Fatalf("power on %s: %v", vm.Reference().Value, err)
		}
	}
	// Readiness, the priority timeout and the attempts, which vtui does
	// not model: as govc would set them. Delays in seconds are scaled by
	// the simulator (450 ms detection: 1/33).
	conditions := []types.ClusterVmReadinessReadyCondition{types.ClusterVmReadinessReadyConditionNone,
		types.ClusterVmReadinessReadyConditionPoweredOn, types.ClusterVmReadinessReadyConditionGuestHbStatusGreen,
		types.ClusterVmReadinessReadyConditionAppHbStatusGreen}
	ready := types.ClusterVmReadiness{ReadyCondition: string(conditions[rng.IntN(len(conditions))]), PostReadyDelay: int32(rng.IntN(10))}
	timeout, attempts := int32(1+rng.IntN(10)), 1+rng.IntN(3)
	obj := object.NewClusterComputeResource(gc.Client, types.ManagedObjectReference{Type: cl.Ref.Type, Value: cl.Ref.Value})
	task, err := obj.Reconfigure(ctx, &types.ClusterConfigSpecEx{
		Orchestration: &types.ClusterOrchestrationInfo{DefaultVmReadiness: &ready},
		DasConfig: &types.ClusterDasConfigInfo{
			DefaultVmSettings: &types.ClusterDasVmSettings{RestartPriorityTimeout: timeout},
			Option:            []types.BaseOptionValue{&types.OptionValue{Key: "das.maxvmrestartcount", Value: fmt.Sprint(attempts)}},
		},
	}, true)
	wait("set readiness", task, err)
	rc.covers = append(rc.covers, "ready "+ready.ReadyCondition)
	rc.summary = fmt.Sprintf("%d hosts, %d VMs (%d power-ons refused by admission control), isolation response %s, admission %s, DRS %s, rules %v, overrides %v, ready %s +%ds, priority timeout %ds, %d attempts",
		len(names), len(rc.vms), refused, rc.isolation, policy, automation, rules, overrides, ready.ReadyCondition, ready.PostReadyDelay, timeout, attempts)
	return rc
}

// randomRules draws up to two rules: affinity or anti-affinity of two or
// three VMs, or a VM group on (or off) a host group; must or should. A
// "must" rule is one the VMs keep where they run now (on is where each
// VM runs, by name), as vCenter's DRS would have made them: a rollback
// cannot move a VM back to a host a mandatory rule forbids.
func randomRules(rng *rand.Rand, on map[string]string, hosts []string) ([]clusterspec.Rule, []clusterspec.VMGroup, []clusterspec.HostGroup) {
	var rules []clusterspec.Rule
	var vmGroups []clusterspec.VMGroup
	var hostGroups []clusterspec.HostGroup
	vms := slices.Sorted(maps.Keys(on))
	paired := map[string]bool{} // in an affinity or anti-affinity rule: two would contradict
	for i := range rng.IntN(3) {
		r := clusterspec.Rule{Name: fmt.Sprintf("rule-%d", i), Enabled: true, Mandatory: rng.IntN(2) == 0}
		members := func(keep func(picked []string, vm string) bool) []string {
			var out []string
			for _, j := range rng.Perm(len(vms)) {
				if len(out) < 2+rng.IntN(2) && !paired[vms[j]] && (!r.Mandatory || keep(out, vms[j])) {
					out = append(out, vms[j])
				}
			}
			return out
		}
		switch rng.IntN(3) {
		case 0:
			r.Kind, r.VMs = clusterspec.RuleAffinity, members(func(picked []string, vm string) bool {
				return len(picked) == 0 || on[picked[0]] == on[vm]
			})
		case 1:
			r.Kind, r.VMs = clusterspec.RuleAntiAffinity, members(func(picked []string, vm string) bool {
				return !slices.ContainsFunc(picked, func(p string) bool { return on[p] == on[vm] })
			})
		default:
			var group []string
			for _, j := range rng.Perm(len(hosts))[:1+rng.IntN(len(hosts)-1)] {
				group = append(group, hosts[j])
			}
			affine := rng.IntN(2) == 0
			vg, hg := fmt.Sprintf("vms-%d", i), fmt.Sprintf("hosts-%d", i)
			r.Kind, r.VMGroup = clusterspec.RuleVMHost, vg
			if affine {
				r.AffineHostGroup = hg
			} else {
				r.AntiAffineHostGroup = hg
			}
			in := members(func(_ []string, vm string) bool { return slices.Contains(group, on[vm]) == affine })
			vmGroups, hostGroups = append(vmGroups, clusterspec.VMGroup{Name: vg, VMs: in}), append(hostGroups, clusterspec.HostGroup{Name: hg, Hosts: group})
			r.VMs = nil
			if len(in) == 0 {
				continue
			}
		}
		if r.Kind != clusterspec.RuleVMHost && len(r.VMs) < 2 {
			continue
		}
		for _, vm := range r.VMs {
			paired[vm] = true
		}
		rules = append(rules, r)
	}
	return rules, vmGroups, hostGroups
}
