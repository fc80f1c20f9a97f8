package sim

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/task"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// The small preset's cluster-a has three hosts of 92,800 MHz and
// 524,288 MB (1,572,864 MB in all), HA with admission control, and fully
// automated DRS. vcsim does not bound a reservation by the VM's size, so
// one VM's reservation stands for many VMs' in these tests.
const (
	hostA1, hostA2, hostA3 = "esx-a-01.lab.local", "esx-a-02.lab.local", "esx-a-03.lab.local"
)

// setAdmission reconfigures cluster-a's HA: enabled or not, and admission
// control with policy (nil keeps the policy) enabled or not.
func setAdmission(t *testing.T, c *govmomi.Client, ha, enabled bool, policy types.BaseClusterDasAdmissionControlPolicy) {
	t.Helper()
	ctx := context.Background()
	cl, err := find.NewFinder(c.Client, false).ClusterComputeResource(ctx, "/dc-01/host/cluster-a")
	if err != nil {
		t.Fatal(err)
	}
	das := &types.ClusterDasConfigInfo{Enabled: types.NewBool(ha), AdmissionControlEnabled: types.NewBool(enabled), AdmissionControlPolicy: policy}
	task, err := cl.Reconfigure(ctx, &types.ClusterConfigSpecEx{DasConfig: das}, true)
	if err == nil {
		err = task.Wait(ctx)
	}
	if err != nil {
		t.Fatalf("reconfigure cluster-a: %v", err)
	}
}

// reserve sets the VM's CPU and memory reservations.
func reserve(t *testing.T, c *govmomi.Client, vm types.ManagedObjectReference, cpuMHz, memMB int64) {
	t.Helper()
	ctx := context.Background()
	task, err := object.NewVirtualMachine(c.Client, vm).Reconfigure(ctx, types.VirtualMachineConfigSpec{
		CpuAllocation:    &types.ResourceAllocationInfo{Reservation: &cpuMHz},
		MemoryAllocation: &types.ResourceAllocationInfo{Reservation: &memMB},
	})
	if err == nil {
		err = task.Wait(ctx)
	}
	if err != nil {
		t.Fatalf("reserve for %s: %v", vm, err)
	}
}

// powerOn powers vm on and returns the task's error.
func powerOn(c *govmomi.Client, vm types.ManagedObjectReference) error {
	ctx := context.Background()
	task, err := object.NewVirtualMachine(c.Client, vm).PowerOn(ctx)
	if err != nil {
		return err
	}
	return task.Wait(ctx)
}

// refusedByAdmission fails t unless err is a task error whose fault is
// InsufficientFailoverResourcesFault, as vCenter's admission control
// gives.
func refusedByAdmission(t *testing.T, what string, err error) {
	t.Helper()
	var te task.Error
	if !errors.As(err, &te) {
		t.Errorf("%s: %v; want a task failed with InsufficientFailoverResourcesFault", what, err)
		return
	}
	if _, ok := te.Fault().(*types.InsufficientFailoverResourcesFault); !ok {
		t.Errorf("%s: fault %T (%s); want InsufficientFailoverResourcesFault", what, te.Fault(), te.LocalizedMessage)
	}
}

// idleClusterA powers off every VM of cluster-a and returns one VM of
// each of its hosts, by host name.
func idleClusterA(t *testing.T, c *govmomi.Client, b byName) map[string]mo.VirtualMachine {
	t.Helper()
	out := map[string]mo.VirtualMachine{}
	for _, h := range []string{hostA1, hostA2, hostA3} {
		powerOffAll(t, c, b.host(t, h))
		vms := vmsOn(t, c, h)
		if len(vms) == 0 {
			t.Fatalf("no VM on %s", h)
		}
		out[h] = vms[0]
	}
	return out
}

func powerStateOf(t *testing.T, c *govmomi.Client, vm types.ManagedObjectReference) types.VirtualMachinePowerState {
	t.Helper()
	s, err := object.NewVirtualMachine(c.Client, vm).PowerState(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestAdmissionRefusesPowerOnPastTheReservation: under each policy, with
// one VM running on esx-a-01, a power-on that keeps the reservation
// exactly is admitted, and one a megabyte past it is refused with
// InsufficientFailoverResourcesFault as a task error, the VM left off.
func TestAdmissionRefusesPowerOnPastTheReservation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy types.BaseClusterDasAdmissionControlPolicy
		// running is what the VM on esx-a-01 reserves; host, admit and
		// deny are where the second VM runs and the memory it reserves
		// when it is admitted and when it is refused.
		running     int64
		host        string
		admit, deny int64
	}{
		// failures:1 reserves 34% (one host of three, rounded up): the
		// VMs may reserve 66% of 1,572,864 MB, 1,038,090 MB.
		{"failures:1", &types.ClusterFailoverResourcesAdmissionControlPolicy{FailoverLevel: 1, AutoComputePercentages: types.NewBool(true)},
			500000, hostA2, 538090, 538091},
		// failures:2 of three hosts reserves 67%: 519,045 MB may be reserved.
		{"failures:2", &types.ClusterFailoverResourcesAdmissionControlPolicy{FailoverLevel: 2, AutoComputePercentages: types.NewBool(true)},
			19045, hostA2, 500000, 500001},
		// percent:10,50: 786,432 MB may be reserved.
		{"percent:10,50", &types.ClusterFailoverResourcesAdmissionControlPolicy{CpuFailoverResourcesPercent: 10, MemoryFailoverResourcesPercent: 50, AutoComputePercentages: types.NewBool(false)},
			400000, hostA2, 386432, 386433},
		// slots:1: the slot is the largest reservation; with one host
		// down the other two need a slot each, so a slot may be a host.
		{"slots:1", &types.ClusterFailoverLevelAdmissionControlPolicy{FailoverLevel: 1},
			1000, hostA2, 524288, 524289},
		// hosts:esx-a-03: any size elsewhere, nothing on the failover host.
		{"hosts:esx-a-03", nil, 1000, "", 1000000, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, c, b := simEnv(t)
			vms := idleClusterA(t, c, b)
			policy := tc.policy
			if policy == nil {
				policy = &types.ClusterFailoverHostAdmissionControlPolicy{FailoverHosts: []types.ManagedObjectReference{b.host(t, hostA3).Self}}
			}
			setAdmission(t, c, true, true, policy)
			reserve(t, c, vms[hostA1].Self, 0, tc.running)
			if err := powerOn(c, vms[hostA1].Self); err != nil {
				t.Fatalf("power on the first VM: %v", err)
			}

			admitted, denied := vms[tc.host], vms[tc.host]
			if tc.host == "" {
				admitted, denied = vms[hostA2], vms[hostA3]
			}
			reserve(t, c, denied.Self, 0, tc.deny)
			refusedByAdmission(t, fmt.Sprintf("power on %s reserving %d MB", denied.Name, tc.deny), powerOn(c, denied.Self))
			if s := powerStateOf(t, c, denied.Self); s != types.VirtualMachinePowerStatePoweredOff {
				t.Errorf("%s refused is %s; want poweredOff", denied.Name, s)
			}
			reserve(t, c, admitted.Self, 0, tc.admit)
			if err := powerOn(c, admitted.Self); err != nil {
				t.Errorf("power on %s reserving %d MB: %v; want admitted", admitted.Name, tc.admit, err)
			}
		})
	}
}

// TestAdmissionRefusesVMotionOntoAFailoverHost: with a dedicated failover
// host, a running VM's vMotion onto it fails with
// InsufficientFailoverResourcesFault, and CheckRelocate says so, while a
// vMotion to another host goes.
func TestAdmissionRefusesVMotionOntoAFailoverHost(t *testing.T) {
	_, c, b := simEnv(t)
	ctx := context.Background()
	failover := b.host(t, hostA3)
	setAdmission(t, c, true, true, &types.ClusterFailoverHostAdmissionControlPolicy{FailoverHosts: []types.ManagedObjectReference{failover.Self}})
	vm := vmOn(t, c, hostA1)
	refusedByAdmission(t, "vMotion onto the failover host", relocateVM(ctx, c, vm.Self, types.VirtualMachineRelocateSpec{Host: &failover.Self}))
	results, err := object.NewVmProvisioningChecker(c.Client).CheckRelocate(ctx, vm.Self, types.VirtualMachineRelocateSpec{Host: &failover.Self})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 1 || len(results[0].Error) != 1 {
		t.Fatalf("CheckRelocate onto the failover host: %+v; want one error", results)
	}
	if _, ok := results[0].Error[0].Fault.(*types.InsufficientFailoverResourcesFault); !ok {
		t.Errorf("CheckRelocate onto the failover host: %T; want InsufficientFailoverResourcesFault", results[0].Error[0].Fault)
	}
	other := b.host(t, hostA2)
	if err := relocateVM(ctx, c, vm.Self, types.VirtualMachineRelocateSpec{Host: &other.Self}); err != nil {
		t.Errorf("vMotion to %s: %v", other.Name, err)
	}
}

// TestAdmissionRefusesVMotionIntoTheClusterPastTheReservation: a running
// VM coming from another cluster counts against the reservation as a
// power-on does.
func TestAdmissionRefusesVMotionIntoTheClusterPastTheReservation(t *testing.T) {
	_, c, b := simEnv(t)
	ctx := context.Background()
	vms := idleClusterA(t, c, b)
	setAdmission(t, c, true, true, &types.ClusterFailoverResourcesAdmissionControlPolicy{CpuFailoverResourcesPercent: 10, MemoryFailoverResourcesPercent: 50, AutoComputePercentages: types.NewBool(false)})
	reserve(t, c, vms[hostA1].Self, 0, 400000)
	if err := powerOn(c, vms[hostA1].Self); err != nil {
		t.Fatal(err)
	}
	guest := vmOn(t, c, "esx-b-01.lab.local")
	to := b.host(t, hostA2)
	pool := named(t, b.inv.pools, "Resources", func(p mo.ResourcePool) string {
		if p.Owner.Value == to.Parent.Value {
			return p.Name
		}
		return ""
	})
	spec := types.VirtualMachineRelocateSpec{Host: &to.Self, Pool: &pool.Self}
	reserve(t, c, guest.Self, 0, 386433)
	refusedByAdmission(t, "a vMotion into cluster-a past its reservation", relocateVM(ctx, c, guest.Self, spec))
	reserve(t, c, guest.Self, 0, 386432)
	if err := relocateVM(ctx, c, guest.Self, spec); err != nil {
		t.Errorf("a vMotion into cluster-a keeping its reservation: %v", err)
	}
}

// TestDRSEvacuationKeepsFailoverHostsFree: fully automated DRS evacuating
// a host for maintenance mode moves nothing onto the dedicated failover
// host, though it is the emptiest.
func TestDRSEvacuationKeepsFailoverHostsFree(t *testing.T) {
	_, c, b := simEnv(t)
	failover := b.host(t, hostA3)
	powerOffAll(t, c, failover)
	setAdmission(t, c, true, true, &types.ClusterFailoverHostAdmissionControlPolicy{FailoverHosts: []types.ManagedObjectReference{failover.Self}})
	moving := vmsOn(t, c, hostA1)
	if err := hostTask(context.Background(), c, b.host(t, hostA1).Self, "enter"); err != nil {
		t.Fatalf("enter maintenance mode: %v", err)
	}
	for _, v := range vmsOn(t, c, hostA3) {
		if v.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
			t.Errorf("DRS moved %s onto the failover host", v.Name)
		}
	}
	if len(vmsOn(t, c, hostA1)) >= len(moving) && len(moving) > 0 {
		t.Errorf("nothing left %s", hostA1)
	}
}

// TestDRSEvacuationKeepsTheReservation: fully automated DRS does not
// evacuate a host whose leaving would break the reservation: the task
// fails with InsufficientFailoverResourcesFault, and nothing moves.
func TestDRSEvacuationKeepsTheReservation(t *testing.T) {
	_, c, b := simEnv(t)
	vms := idleClusterA(t, c, b)
	// 50% of two hosts' 1,048,576 MB is 524,288 MB: 600,000 fits three
	// hosts' half but not two's.
	setAdmission(t, c, true, true, &types.ClusterFailoverResourcesAdmissionControlPolicy{CpuFailoverResourcesPercent: 10, MemoryFailoverResourcesPercent: 50, AutoComputePercentages: types.NewBool(false)})
	reserve(t, c, vms[hostA1].Self, 0, 600000)
	if err := powerOn(c, vms[hostA1].Self); err != nil {
		t.Fatal(err)
	}
	h := b.host(t, hostA1)
	refusedByAdmission(t, "evacuating "+hostA1, hostTask(context.Background(), c, h.Self, "enter"))
	after := named(t, fetch(t, c).hosts, hostA1, func(h mo.HostSystem) string { return h.Name })
	if after.Runtime.InMaintenanceMode {
		t.Error("the host entered maintenance mode")
	}
	if v := named(t, fetch(t, c).vms, vms[hostA1].Name, func(v mo.VirtualMachine) string { return v.Name }); *v.Runtime.Host != h.Self {
		t.Errorf("%s moved", v.Name)
	}
}

// TestMaintenanceOfAnEmptyHostKeepsTheReservation: the same reservation,
// held by a VM on another host, refuses maintenance mode to a host that
// runs nothing (someone moved its VMs off, not DRS): its leaving would
// take the capacity the reservation needs.
func TestMaintenanceOfAnEmptyHostKeepsTheReservation(t *testing.T) {
	_, c, b := simEnv(t)
	vms := idleClusterA(t, c, b)
	setAdmission(t, c, true, true, &types.ClusterFailoverResourcesAdmissionControlPolicy{CpuFailoverResourcesPercent: 10, MemoryFailoverResourcesPercent: 50, AutoComputePercentages: types.NewBool(false)})
	reserve(t, c, vms[hostA2].Self, 0, 600000)
	if err := powerOn(c, vms[hostA2].Self); err != nil {
		t.Fatal(err)
	}
	refusedByAdmission(t, "maintenance of the empty "+hostA1, hostTask(context.Background(), c, b.host(t, hostA1).Self, "enter"))
	if after := named(t, fetch(t, c).hosts, hostA1, func(h mo.HostSystem) string { return h.Name }); after.Runtime.InMaintenanceMode {
		t.Error("the host entered maintenance mode")
	}
}

// TestAdmissionDisabledAdmitsEverything: with admission control disabled,
// or HA disabled, the power-ons and the vMotion the policy would refuse
// go.
func TestAdmissionDisabledAdmitsEverything(t *testing.T) {
	for _, tc := range []struct {
		name          string
		ha, admission bool
	}{{"admission control disabled", true, false}, {"HA disabled", false, true}} {
		t.Run(tc.name, func(t *testing.T) {
			_, c, b := simEnv(t)
			vms := idleClusterA(t, c, b)
			failover := b.host(t, hostA3)
			setAdmission(t, c, tc.ha, tc.admission, &types.ClusterFailoverHostAdmissionControlPolicy{FailoverHosts: []types.ManagedObjectReference{failover.Self}})
			if err := powerOn(c, vms[hostA3].Self); err != nil {
				t.Errorf("power on on the failover host: %v", err)
			}
			if err := powerOn(c, vms[hostA1].Self); err != nil {
				t.Fatal(err)
			}
			if err := relocateVM(context.Background(), c, vms[hostA1].Self, types.VirtualMachineRelocateSpec{Host: &failover.Self}); err != nil {
				t.Errorf("vMotion onto the failover host: %v", err)
			}
			setAdmission(t, c, tc.ha, tc.admission, &types.ClusterFailoverResourcesAdmissionControlPolicy{CpuFailoverResourcesPercent: 100, MemoryFailoverResourcesPercent: 100, AutoComputePercentages: types.NewBool(false)})
			if err := powerOn(c, vms[hostA2].Self); err != nil {
				t.Errorf("power on with percent:100,100: %v", err)
			}
		})
	}
}

// TestHARestartsBypassAdmissionControl: HA restarts a crashed host's VMs
// with percent:100,100, and onto a dedicated failover host, though the
// same policy refuses a user's power-on or vMotion.
func TestHARestartsBypassAdmissionControl(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy func(byName) types.BaseClusterDasAdmissionControlPolicy
		onto   string // a host some VM must restart on, if any
		// user is an operation of a user's that the policy refuses.
		user func(*govmomi.Client, byName) error
	}{
		{"percent:100,100", func(byName) types.BaseClusterDasAdmissionControlPolicy {
			return &types.ClusterFailoverResourcesAdmissionControlPolicy{CpuFailoverResourcesPercent: 100, MemoryFailoverResourcesPercent: 100, AutoComputePercentages: types.NewBool(false)}
		}, "", func(c *govmomi.Client, b byName) error {
			vm := vmOn(t, c, hostA1)
			powerOp(t, c, vm.Self, "off")
			return powerOn(c, vm.Self)
		}},
		{"hosts:esx-a-03", func(b byName) types.BaseClusterDasAdmissionControlPolicy {
			return &types.ClusterFailoverHostAdmissionControlPolicy{FailoverHosts: []types.ManagedObjectReference{b.host(t, hostA3).Self}}
		}, hostA3, func(c *govmomi.Client, b byName) error {
			to := b.host(t, hostA3).Self
			return relocateVM(context.Background(), c, vmOn(t, c, hostA1).Self, types.VirtualMachineRelocateSpec{Host: &to})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, c := fastHA(t)
			b := byName{fetch(t, c)}
			setAdmission(t, c, true, true, tc.policy(b))
			var on int
			for _, v := range vmsOn(t, c, hostA2) {
				if v.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
					on++
				}
			}
			if err := s.CrashHost(hostA2); err != nil {
				t.Fatal(err)
			}
			waitEvents(t, c, "VmRestartedOnAlternateHostEvent")
			time.Sleep(200 * time.Millisecond) // for the rest of the restarts
			events := waitEvents(t, c, "VmRestartedOnAlternateHostEvent")
			var restarted, onto int
			for _, e := range events {
				if e, ok := e.(*types.VmRestartedOnAlternateHostEvent); ok {
					restarted++
					if e.Host != nil && e.Host.Name == tc.onto {
						onto++
					}
				}
			}
			if on == 0 || restarted != on || (tc.onto != "" && onto == 0) {
				t.Errorf("%d VMs were on %s; %d restarted, %d onto %q", on, hostA2, restarted, onto, tc.onto)
			}
			refusedByAdmission(t, "the user's operation", tc.user(c, b))
		})
	}
}

// summaryOf reads cluster-a's summary.
func summaryOf(t *testing.T, c *govmomi.Client) *types.ClusterComputeResourceSummary {
	t.Helper()
	cl := named(t, fetch(t, c).clusters, "cluster-a", func(c mo.ClusterComputeResource) string { return c.Name })
	return cl.Summary.(*types.ClusterComputeResourceSummary)
}

// awaitSummary polls cluster-a's summary until ok holds.
func awaitSummary(t *testing.T, c *govmomi.Client, what string, ok func(*types.ClusterComputeResourceSummary) bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s := summaryOf(t, c)
		if ok(s) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: never; currentFailoverLevel %d, admissionControlInfo %#v", what, s.CurrentFailoverLevel, s.AdmissionControlInfo)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestAdmissionSummaryFollowsPowerChanges: cluster-a's summary carries the
// admissionControlInfo of its policy's kind and currentFailoverLevel, as
// vCenter computes them, from the start and after each change, and
// watchers get them.
func TestAdmissionSummaryFollowsPowerChanges(t *testing.T) {
	_, c, b := simEnv(t)
	w := watchKind(t, c, "ClusterComputeResource", c.ServiceContent.RootFolder, "summary")
	w.load()
	resources := func(cpu, mem int32, level int32) func(*types.ClusterComputeResourceSummary) bool {
		return func(s *types.ClusterComputeResourceSummary) bool {
			info, ok := s.AdmissionControlInfo.(*types.ClusterFailoverResourcesAdmissionControlInfo)
			return ok && info.CurrentCpuFailoverResourcesPercent == cpu && info.CurrentMemoryFailoverResourcesPercent == mem && s.CurrentFailoverLevel == level
		}
	}
	// At the start: failures:1, a few VMs of 32 MHz each and no memory
	// reserved, so 99% and 100% are left and two hosts may fail.
	awaitSummary(t, c, "the preset's figures", resources(99, 100, 2))

	vms := idleClusterA(t, c, b)
	reserve(t, c, vms[hostA1].Self, 0, 524288)
	if err := powerOn(c, vms[hostA1].Self); err != nil {
		t.Fatal(err)
	}
	// 1 VM of 32 MHz in 278,400 MHz; one host's memory of three reserved.
	awaitSummary(t, c, "after the power-on", resources(99, 66, 2))
	reserve(t, c, vms[hostA2].Self, 0, 400000)
	if err := powerOn(c, vms[hostA2].Self); err != nil {
		t.Fatal(err)
	}
	// 924,288 MB reserved: 41% left, and it fits two hosts, not one.
	awaitSummary(t, c, "after the second power-on", resources(99, 41, 1))
	powerOp(t, c, vms[hostA2].Self, "off")
	awaitSummary(t, c, "after the power-off", resources(99, 66, 2))

	setAdmission(t, c, true, true, &types.ClusterFailoverLevelAdmissionControlPolicy{FailoverLevel: 1})
	awaitSummary(t, c, "slots:1", func(s *types.ClusterComputeResourceSummary) bool {
		info, ok := s.AdmissionControlInfo.(*types.ClusterFailoverLevelAdmissionControlInfo)
		return ok && info.CurrentFailoverLevel == 2 && s.CurrentFailoverLevel == 2
	})
	failover := b.host(t, hostA1)
	setAdmission(t, c, true, true, &types.ClusterFailoverHostAdmissionControlPolicy{FailoverHosts: []types.ManagedObjectReference{failover.Self}})
	awaitSummary(t, c, "hosts:esx-a-01 running a VM", func(s *types.ClusterComputeResourceSummary) bool {
		info, ok := s.AdmissionControlInfo.(*types.ClusterFailoverHostAdmissionControlInfo)
		return ok && len(info.HostStatus) == 1 && info.HostStatus[0].Host == failover.Self &&
			info.HostStatus[0].Status == types.ManagedEntityStatusYellow && s.CurrentFailoverLevel == 1
	})
	setAdmission(t, c, true, false, nil)
	awaitSummary(t, c, "admission control disabled", func(s *types.ClusterComputeResourceSummary) bool {
		return s.AdmissionControlInfo == nil && s.CurrentFailoverLevel == 0
	})

	for _, u := range w.next() {
		for _, ch := range u.ChangeSet {
			switch s := ch.Val.(type) {
			case types.ClusterComputeResourceSummary:
				if s.AdmissionControlInfo != nil {
					return
				}
			case *types.ClusterComputeResourceSummary:
				if s.AdmissionControlInfo != nil {
					return
				}
			}
		}
	}
	t.Error("no watcher update of a cluster summary with admission control information")
}

// TestDRSRecommendsNothingOntoAFailoverHost: with manual DRS, the load
// balancing recommendations never move a VM onto the dedicated failover
// host, though it is the least loaded.
func TestDRSRecommendsNothingOntoAFailoverHost(t *testing.T) {
	_, c, b := simEnv(t)
	ctx := context.Background()
	failover := b.host(t, hostA3)
	powerOffAll(t, c, failover)
	setAdmission(t, c, true, true, &types.ClusterFailoverHostAdmissionControlPolicy{FailoverHosts: []types.ManagedObjectReference{failover.Self}})
	cl, err := find.NewFinder(c.Client, false).ClusterComputeResource(ctx, "/dc-01/host/cluster-a")
	if err != nil {
		t.Fatal(err)
	}
	task, err := cl.Reconfigure(ctx, &types.ClusterConfigSpecEx{DrsConfig: &types.ClusterDrsConfigInfo{DefaultVmBehavior: types.DrsBehaviorManual, VmotionRate: 1}}, true)
	if err == nil {
		err = task.Wait(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	var mcl mo.ClusterComputeResource
	if err := cl.Properties(ctx, cl.Reference(), []string{"recommendation"}, &mcl); err != nil {
		t.Fatal(err)
	}
	for _, r := range mcl.Recommendation {
		for _, a := range r.Action {
			if m, ok := a.(*types.ClusterMigrationAction); ok && m.DrsMigration != nil && m.DrsMigration.Destination == failover.Self {
				t.Errorf("recommendation %s moves %s onto the failover host: %s", r.Key, m.DrsMigration.Vm, r.ReasonText)
			}
		}
	}
}
