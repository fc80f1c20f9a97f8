package sim_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi/event"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/ha/capacity"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/sim"
)

// TestCapacityPredictsHARestarts is the differential test of HA's
// placement: on randomized clusters (2 to 6 hosts, the simulator's two
// host sizes, random reservations, power states and restart priorities,
// sometimes a dedicated failover host, sometimes a rule), one host of
// each cluster crashes, or two at once (the primary among them: HA
// places their VMs together, after the election), and for every protected VM of it the capacity
// what-if's prediction (capacity.Fail, from what vtui's client reads, as
// the drill preflight asks it) equals what the simulator's HA did: the
// host it restarted the VM on, or NotEnoughResourcesToStartVmEvent.
func TestCapacityPredictsHARestarts(t *testing.T) {
	const seed = 19
	rng := rand.New(rand.NewPCG(seed, seed+1))
	var compared, agreed, restarted, stranded int
	for run := range 20 {
		hosts := 2 + run%5
		spec := sim.Spec{Clusters: 2, HostsPerCluster: hosts, VMs: 2 * hosts * (3 + rng.IntN(4)), Datastores: 1, HAClusters: 2}
		t.Run(fmt.Sprintf("run %d: %d hosts a cluster, %d VMs", run, hosts, spec.VMs), func(t *testing.T) {
			c, a, r, s := crashAndCompare(t, rng, spec)
			compared, agreed, restarted, stranded = compared+c, agreed+a, restarted+r, stranded+s
		})
	}
	t.Logf("%d protected VMs compared, %d agreed; the simulator restarted %d and could not restart %d", compared, agreed, restarted, stranded)
	if restarted == 0 || stranded == 0 {
		t.Errorf("%d VMs restarted and %d not; want both, or the test proves little", restarted, stranded)
	}
}

// crashAndCompare randomizes both clusters of a simulator of spec,
// crashes one host of each and compares, VM by VM. It returns the VMs
// compared, those agreed on, and those the simulator restarted or not.
func crashAndCompare(t *testing.T, rng *rand.Rand, spec sim.Spec) (compared, agreed, restarted, stranded int) {
	ctx := context.Background()
	srv, vc, gc := startBoth(t, spec, sim.Options{HA: sim.HAOptions{DetectDelay: 20 * time.Millisecond, ElectionDelay: 10 * time.Millisecond, RetryDelay: time.Hour}})
	wait := func(task *object.Task, err error) {
		t.Helper()
		if err == nil {
			err = task.Wait(ctx)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	inv, err := vc.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type crash struct {
		cluster vsphere.Ref
		host    string   // for messages
		down    []string // the hosts crashed at once
		want    capacity.Scenario
	}
	var crashes []crash
	for _, cl := range inv.Clusters {
		obj := object.NewClusterComputeResource(gc.Client, types.ManagedObjectReference{Type: cl.Ref.Type, Value: cl.Ref.Value})
		var mcl mo.ClusterComputeResource
		if err := obj.Properties(ctx, obj.Reference(), []string{"host"}, &mcl); err != nil {
			t.Fatal(err)
		}
		var hosts []mo.HostSystem
		var vms []types.ManagedObjectReference
		for _, h := range mcl.Host {
			var mh mo.HostSystem
			if err := object.NewHostSystem(gc.Client, h).Properties(ctx, h, []string{"name", "vm", "summary.hardware"}, &mh); err != nil {
				t.Fatal(err)
			}
			hosts, vms = append(hosts, mh), append(vms, mh.Vm...)
		}
		hostMem := hosts[0].Summary.Hardware.MemorySize >> 20
		hostCPU := int64(hosts[0].Summary.Hardware.CpuMhz) * int64(hosts[0].Summary.Hardware.NumCpuCores)
		// Reservations (none, or up to half a host's memory and
		// of its CPU each), then power states.
		for _, ref := range vms {
			vm := object.NewVirtualMachine(gc.Client, ref)
			var cpuRes, memRes int64
			if rng.IntN(3) > 0 {
				cpuRes, memRes = rng.Int64N(hostCPU/2), rng.Int64N(hostMem/2)
			}
			wait(vm.Reconfigure(ctx, types.VirtualMachineConfigSpec{
				CpuAllocation:    &types.ResourceAllocationInfo{Reservation: &cpuRes},
				MemoryAllocation: &types.ResourceAllocationInfo{Reservation: &memRes},
			}))
			if rng.IntN(4) == 0 {
				if st, _ := vm.PowerState(ctx); st == types.VirtualMachinePowerStatePoweredOn {
					wait(vm.PowerOff(ctx))
				}
			}
		}
		// HA with host monitoring, no DRS to move VMs meanwhile;
		// sometimes a dedicated failover host; random priorities; a rule
		// sometimes.
		das := &types.ClusterDasConfigInfo{Enabled: types.NewBool(true), HostMonitoring: "enabled", AdmissionControlEnabled: types.NewBool(false)}
		if rng.IntN(3) == 0 {
			das.AdmissionControlEnabled = types.NewBool(true)
			das.AdmissionControlPolicy = &types.ClusterFailoverHostAdmissionControlPolicy{FailoverHosts: []types.ManagedObjectReference{hosts[rng.IntN(len(hosts))].Self}}
		}
		spec := &types.ClusterConfigSpecEx{DasConfig: das, DrsConfig: &types.ClusterDrsConfigInfo{Enabled: types.NewBool(false)}}
		priorities := []string{"highest", "high", "medium", "low", "lowest", "disabled"}
		for _, ref := range vms {
			if rng.IntN(2) == 0 {
				spec.DasVmConfigSpec = append(spec.DasVmConfigSpec, types.ClusterDasVmConfigSpec{
					ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd},
					Info:            &types.ClusterDasVmConfigInfo{Key: ref, DasSettings: &types.ClusterDasVmSettings{RestartPriority: priorities[rng.IntN(len(priorities))]}},
				})
			}
		}
		members := rng.Perm(len(vms))[:min(len(vms), 2+rng.IntN(2))]
		var picked []types.ManagedObjectReference
		for _, i := range members {
			picked = append(picked, vms[i])
		}
		add := types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd}
		info := types.ClusterRuleInfo{Name: "rule", Enabled: types.NewBool(true), Mandatory: types.NewBool(rng.IntN(2) == 0)}
		switch rng.IntN(4) {
		case 0:
			spec.RulesSpec = []types.ClusterRuleSpec{{ArrayUpdateSpec: add, Info: &types.ClusterAntiAffinityRuleSpec{ClusterRuleInfo: info, Vm: picked}}}
		case 1:
			spec.RulesSpec = []types.ClusterRuleSpec{{ArrayUpdateSpec: add, Info: &types.ClusterAffinityRuleSpec{ClusterRuleInfo: info, Vm: picked}}}
		case 2:
			var group []types.ManagedObjectReference
			for _, i := range rng.Perm(len(hosts))[:1+rng.IntN(len(hosts))] {
				group = append(group, hosts[i].Self)
			}
			spec.GroupSpec = []types.ClusterGroupSpec{
				{ArrayUpdateSpec: add, Info: &types.ClusterVmGroup{ClusterGroupInfo: types.ClusterGroupInfo{Name: "vms"}, Vm: picked}},
				{ArrayUpdateSpec: add, Info: &types.ClusterHostGroup{ClusterGroupInfo: types.ClusterGroupInfo{Name: "hosts"}, Host: group}},
			}
			rule := &types.ClusterVmHostRuleInfo{ClusterRuleInfo: info, VmGroupName: "vms", AffineHostGroupName: "hosts"}
			if rng.IntN(2) == 0 {
				rule.AffineHostGroupName, rule.AntiAffineHostGroupName = "", "hosts"
			}
			spec.RulesSpec = []types.ClusterRuleSpec{{ArrayUpdateSpec: add, Info: rule}}
		}
		wait(obj.Reconfigure(ctx, spec, true))

		inv, err := vc.Inventory(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := vc.ClusterConfig(ctx, inv, cl.Ref)
		if err != nil {
			t.Fatal(err)
		}
		in, err := capacity.Gather(ctx, vc, inv, cfg)
		if err != nil {
			t.Fatal(err)
		}
		// One host, or (one cluster in two of 3 hosts or more) two at
		// once: the primary, whose failure costs an election, and another.
		down := []string{hosts[rng.IntN(len(hosts))].Name}
		if len(hosts) >= 3 && rng.IntN(2) == 0 {
			names := make([]string, len(hosts))
			for i, h := range hosts {
				names[i] = h.Name
			}
			slices.Sort(names)
			down = []string{names[0], names[1+rng.IntN(len(names)-1)]}
		}
		want, err := capacity.Fail(in, down)
		if err != nil {
			t.Fatal(err)
		}
		crashes = append(crashes, crash{cl.Ref, strings.Join(down, " and "), down, want})
	}
	for _, c := range crashes {
		for _, h := range c.down {
			if err := srv.CrashHost(h); err != nil {
				t.Fatal(err)
			}
		}
	}

	// What the simulator did, by VM: the host it restarted on, or "".
	got := map[string]string{}
	var expect []string
	for _, c := range crashes {
		for _, r := range c.want.Restarts {
			expect = append(expect, r.VM)
		}
		for _, s := range c.want.Stranded {
			if s.Protected {
				expect = append(expect, s.VM)
			}
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		evs, err := event.NewManager(gc.Client).QueryEvents(ctx, types.EventFilterSpec{EventTypeId: []string{"VmRestartedOnAlternateHostEvent", "NotEnoughResourcesToStartVmEvent"}, MaxCount: 1000})
		if err != nil {
			t.Fatal(err)
		}
		clear(got)
		for _, e := range evs {
			switch e := e.(type) {
			case *types.VmRestartedOnAlternateHostEvent:
				got[e.Vm.Name] = e.Host.Name
			case *types.NotEnoughResourcesToStartVmEvent:
				if _, ok := got[e.Vm.Name]; !ok {
					got[e.Vm.Name] = ""
				}
			}
		}
		if !slices.ContainsFunc(expect, func(vm string) bool { _, ok := got[vm]; return !ok }) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // let a restart nobody predicted show
	for _, c := range crashes {
		predicted := map[string]string{}
		for _, r := range c.want.Restarts {
			predicted[r.VM] = r.To
		}
		for _, s := range c.want.Stranded {
			if s.Protected {
				predicted[s.VM] = ""
			}
		}
		for vm, to := range predicted {
			compared++
			did, ok := got[vm]
			switch {
			case !ok:
				t.Errorf("%s crashed: the what-if predicts %s for %s; the simulator did nothing with it", c.host, outcome(to), vm)
			case did != to:
				t.Errorf("%s crashed: the what-if predicts %s for %s; the simulator did: %s", c.host, outcome(to), vm, outcome(did))
			default:
				agreed++
			}
			if did != "" {
				restarted++
			} else if ok {
				stranded++
			}
		}
	}
	return compared, agreed, restarted, stranded
}

// outcome says where a VM restarts, "" for nowhere.
func outcome(host string) string {
	if host == "" {
		return "cannot restart"
	}
	return "restart on " + host
}
