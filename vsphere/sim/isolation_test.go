package sim

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// With fastHA's detection delay of 100 ms, vSphere's seconds are scaled
// by 1/150: a secondary declares itself isolated after 200 ms, a primary
// after 33 ms, and the isolation response follows 200 ms later.
const (
	scaledIsolation = 200 * time.Millisecond
	scaledResponse  = 200 * time.Millisecond
)

// fdmStates returns the FDM state of each host with one, and who reports
// it.
func fdmStates(t *testing.T, c *govmomi.Client) map[string]string {
	t.Helper()
	out, names := map[string]string{}, map[types.ManagedObjectReference]string{}
	hosts := fetch(t, c).hosts
	for _, h := range hosts {
		names[h.Self] = h.Name
	}
	for _, h := range hosts {
		if s := h.Runtime.DasHostState; s != nil {
			out[h.Name] = s.State
			if s.StateReporter != nil {
				out[h.Name+" by"] = names[*s.StateReporter]
			}
		}
	}
	return out
}

// waitState waits until host's FDM state is want.
func waitState(t *testing.T, c *govmomi.Client, host, want string) map[string]string {
	t.Helper()
	var st map[string]string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if st = fdmStates(t, c); st[host] == want {
			return st
		}
	}
	t.Fatalf("%s's FDM state never became %s: %v", host, want, st)
	return nil
}

// hostNamedIn returns host's current properties.
func hostNamedIn(t *testing.T, c *govmomi.Client, host string) mo.HostSystem {
	t.Helper()
	return named(t, fetch(t, c).hosts, host, func(h mo.HostSystem) string { return h.Name })
}

// stillRunsOn checks that each VM of vms is powered on and connected on
// host.
func stillRunsOn(t *testing.T, c *govmomi.Client, host string, vms []mo.VirtualMachine) {
	t.Helper()
	h := hostNamedIn(t, c, host)
	inv := fetch(t, c)
	for _, want := range vms {
		v := named(t, inv.vms, want.Name, func(v mo.VirtualMachine) string { return v.Name })
		if v.Runtime.Host == nil || *v.Runtime.Host != h.Self || v.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn ||
			v.Runtime.ConnectionState != types.VirtualMachineConnectionStateConnected {
			t.Errorf("%s is %s and %s on %v; want it poweredOn and connected on %s", v.Name, v.Runtime.PowerState, v.Runtime.ConnectionState, v.Runtime.Host, host)
		}
	}
}

// isolationResponse sets cluster-a's isolation response.
func isolationResponse(t *testing.T, c *govmomi.Client, r types.ClusterDasVmSettingsIsolationResponse) {
	t.Helper()
	reconfigureA(t, c, &types.ClusterConfigSpecEx{DasConfig: &types.ClusterDasConfigInfo{
		DefaultVmSettings: &types.ClusterDasVmSettings{IsolationResponse: string(r)}}})
}

// overrideVM sets the HA override of vm in cluster-a.
func overrideVM(t *testing.T, c *govmomi.Client, vm types.ManagedObjectReference, s types.ClusterDasVmSettings) {
	t.Helper()
	reconfigureA(t, c, &types.ClusterConfigSpecEx{DasVmConfigSpec: []types.ClusterDasVmConfigSpec{{
		ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd},
		Info:            &types.ClusterDasVmConfigInfo{Key: vm, DasSettings: &s},
	}}})
}

// quiet waits several scaled delays and checks that HA restarted nothing
// and declared no host failed meanwhile.
func quiet(t *testing.T, c *govmomi.Client) {
	t.Helper()
	time.Sleep(2*scaledIsolation + 2*scaledResponse + 300*time.Millisecond)
	for _, e := range events(t, c, "DasHostFailedEvent", "VmRestartedOnAlternateHostEvent", "NotEnoughResourcesToStartVmEvent") {
		t.Errorf("%T: %s", e, e.GetEvent().FullFormattedMessage)
	}
}

func TestIsolatedHostIsNotDeclaredFailed(t *testing.T) {
	s, c := fastHA(t)
	on := poweredOnOf(t, c, "esx-a-02.lab.local")
	if err := s.IsolateHost("esx-a-02.lab.local"); err != nil {
		t.Fatal(err)
	}
	if h := hostNamedIn(t, c, "esx-a-02.lab.local"); h.Runtime.ConnectionState != types.HostSystemConnectionStateNotResponding {
		t.Errorf("an isolated host reads %s to vCenter; want notResponding", h.Runtime.ConnectionState)
	}
	ev := waitEvents(t, c, "DasHostIsolatedEvent")[0].(*types.DasHostIsolatedEvent)
	if ev.IsolatedHost.Name != "esx-a-02.lab.local" || ev.ComputeResource == nil || ev.ComputeResource.Name != "cluster-a" {
		t.Errorf("DasHostIsolatedEvent names %s in %v; want esx-a-02 in cluster-a", ev.IsolatedHost.Name, ev.ComputeResource)
	}
	st := waitState(t, c, "esx-a-02.lab.local", "networkIsolated")
	if st["esx-a-02.lab.local by"] != "esx-a-01.lab.local" {
		t.Errorf("FDM states %v; want esx-a-02's isolation reported by the primary, esx-a-01", st)
	}
	quiet(t, c)
	if st := fdmStates(t, c); st["esx-a-02.lab.local"] != "networkIsolated" {
		t.Errorf("FDM states after the detection delay %v; want esx-a-02 still networkIsolated, not hostDown", st)
	}
	if err := s.RestoreHostNetwork("esx-a-02.lab.local"); err != nil {
		t.Fatal(err)
	}
	stillRunsOn(t, c, "esx-a-02.lab.local", on)
}

func TestAPartitionedHostIsSeenByItsDatastoreHeartbeats(t *testing.T) {
	s, c := fastHA(t)
	if err := s.PartitionHosts("esx-a-03.lab.local"); err != nil {
		t.Fatal(err)
	}
	// Before the secondary's 200 ms isolation delay: its heartbeats
	// tell the primary it is alive, not failed.
	st := waitState(t, c, "esx-a-03.lab.local", "networkPartitionedFromMaster")
	if st["esx-a-03.lab.local by"] != "esx-a-01.lab.local" {
		t.Errorf("FDM states %v; want esx-a-03 reported partitioned by the primary", st)
	}
}

func TestIsolationResponseNoneKeepsVMsRunning(t *testing.T) {
	s, c := fastHA(t)
	isolationResponse(t, c, types.ClusterDasVmSettingsIsolationResponseNone)
	on := poweredOnOf(t, c, "esx-a-02.lab.local")
	if err := s.IsolateHost("esx-a-02.lab.local"); err != nil {
		t.Fatal(err)
	}
	waitEvents(t, c, "DasHostIsolatedEvent")
	quiet(t, c)
	if err := s.RestoreHostNetwork("esx-a-02.lab.local"); err != nil {
		t.Fatal(err)
	}
	stillRunsOn(t, c, "esx-a-02.lab.local", on)
}

func TestIsolationResponsePowerOffRestartsElsewhere(t *testing.T) {
	s, c := fastHA(t)
	isolationResponse(t, c, types.ClusterDasVmSettingsIsolationResponsePowerOff)
	on := poweredOnOf(t, c, "esx-a-02.lab.local")
	if err := s.IsolateHost("esx-a-02.lab.local"); err != nil {
		t.Fatal(err)
	}
	isolated := waitEvents(t, c, "DasHostIsolatedEvent")[0].GetEvent().CreatedTime
	evs := restarts(t, c, len(on))
	for _, e := range evs {
		if e.SourceHost.Name != "esx-a-02.lab.local" || e.Host.Name == "esx-a-02.lab.local" {
			t.Errorf("%s restarted from %s on %s; want from the isolated esx-a-02 elsewhere", e.Vm.Name, e.SourceHost.Name, e.Host.Name)
		}
		if gap := e.CreatedTime.Sub(isolated); gap < scaledResponse-20*time.Millisecond {
			t.Errorf("%s restarted %s after the isolation; want after isolationPolicyDelaySec, %s scaled", e.Vm.Name, gap, scaledResponse)
		}
	}
	if len(events(t, c, "DasHostFailedEvent")) != 0 {
		t.Error("the isolated host was declared failed")
	}
	if err := s.RestoreHostNetwork("esx-a-02.lab.local"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	inv := fetch(t, c)
	a02 := hostNamedIn(t, c, "esx-a-02.lab.local")
	for _, want := range on {
		v := named(t, inv.vms, want.Name, func(v mo.VirtualMachine) string { return v.Name })
		if v.Runtime.Host == nil || *v.Runtime.Host == a02.Self || v.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn {
			t.Errorf("after the network returned %s is %s on %v; want it running once, elsewhere", v.Name, v.Runtime.PowerState, v.Runtime.Host)
		}
	}
	if n := len(events(t, c, "VmRestartedOnAlternateHostEvent")); n != len(on) {
		t.Errorf("%d restarts for %d VMs: a VM was started twice", n, len(on))
	}
	if st := fdmStates(t, c); st["esx-a-02.lab.local"] != "connectedToMaster" || hostNamedIn(t, c, "esx-a-02.lab.local").Runtime.ConnectionState != "connected" {
		t.Errorf("after the network returned: FDM states %v; want esx-a-02 connected, connectedToMaster", st)
	}
}

func TestIsolationResponseShutdownWaitsForTheTimeoutWithoutTools(t *testing.T) {
	s, c := fastHA(t)
	isolationResponse(t, c, types.ClusterDasVmSettingsIsolationResponseShutdown)
	// A shutdown timeout of 150 s is 1 s scaled.
	reconfigureA(t, c, &types.ClusterConfigSpecEx{DasConfig: &types.ClusterDasConfigInfo{
		Option: []types.BaseOptionValue{&types.OptionValue{Key: "das.isolationshutdowntimeout", Value: "150"}}}})
	on := poweredOnOf(t, c, "esx-a-03.lab.local")
	if len(on) < 2 {
		t.Fatalf("esx-a-03 runs %d VMs; want 2", len(on))
	}
	noTools := on[0]
	ctx := s.model.Service.Context
	vm := ctx.Map.Get(noTools.Self).(*simulator.VirtualMachine)
	ctx.WithLock(vm, func() {
		ctx.Update(vm, []types.PropertyChange{{Name: "guest.toolsRunningStatus", Val: string(types.VirtualMachineToolsRunningStatusGuestToolsNotRunning)}})
	})
	if err := s.IsolateHost("esx-a-03.lab.local"); err != nil {
		t.Fatal(err)
	}
	evs := restarts(t, c, len(on))
	for _, e := range evs {
		t.Logf("%s restarted at %s", e.Vm.Name, e.CreatedTime.Format("15:04:05.000"))
	}
	last := evs[len(evs)-1]
	if last.Vm.Name != noTools.Name {
		t.Fatalf("restarted %s last; want %s, whose guest cannot shut down without Tools", last.Vm.Name, noTools.Name)
	}
	if gap := last.CreatedTime.Sub(evs[0].CreatedTime); gap < time.Second-50*time.Millisecond {
		t.Errorf("%s was restarted %s after %s; want after the shutdown timeout, 1 s scaled", noTools.Name, gap, evs[0].Vm.Name)
	}
}

func TestIsolationResponseNeedsHostMonitoring(t *testing.T) {
	s, c := fastHA(t)
	isolationResponse(t, c, types.ClusterDasVmSettingsIsolationResponsePowerOff)
	reconfigureA(t, c, &types.ClusterConfigSpecEx{DasConfig: &types.ClusterDasConfigInfo{HostMonitoring: "disabled"}})
	on := poweredOnOf(t, c, "esx-a-02.lab.local")
	if err := s.IsolateHost("esx-a-02.lab.local"); err != nil {
		t.Fatal(err)
	}
	quiet(t, c)
	if evs := events(t, c, "DasHostIsolatedEvent"); len(evs) > 0 {
		t.Errorf("DasHostIsolatedEvent posted with host monitoring off")
	}
	if err := s.RestoreHostNetwork("esx-a-02.lab.local"); err != nil {
		t.Fatal(err)
	}
	stillRunsOn(t, c, "esx-a-02.lab.local", on)
}

func TestDisabledRestartPriorityGetsNoIsolationResponse(t *testing.T) {
	s, c := fastHA(t)
	isolationResponse(t, c, types.ClusterDasVmSettingsIsolationResponsePowerOff)
	on := poweredOnOf(t, c, "esx-a-03.lab.local")
	if len(on) < 2 {
		t.Fatalf("esx-a-03 runs %d VMs; want 2", len(on))
	}
	kept := on[0]
	overrideVM(t, c, kept.Self, types.ClusterDasVmSettings{RestartPriority: string(types.ClusterDasVmSettingsRestartPriorityDisabled)})
	if err := s.IsolateHost("esx-a-03.lab.local"); err != nil {
		t.Fatal(err)
	}
	for _, e := range restarts(t, c, len(on)-1) {
		if e.Vm.Name == kept.Name {
			t.Errorf("%s, restart priority disabled, was powered off and restarted", kept.Name)
		}
	}
	if err := s.RestoreHostNetwork("esx-a-03.lab.local"); err != nil {
		t.Fatal(err)
	}
	stillRunsOn(t, c, "esx-a-03.lab.local", []mo.VirtualMachine{kept})
}

func TestPerVMIsolationResponseOverridesTheCluster(t *testing.T) {
	s, c := fastHA(t)
	isolationResponse(t, c, types.ClusterDasVmSettingsIsolationResponseNone)
	on := poweredOnOf(t, c, "esx-a-02.lab.local")
	moved := on[0]
	overrideVM(t, c, moved.Self, types.ClusterDasVmSettings{IsolationResponse: string(types.ClusterDasVmSettingsIsolationResponsePowerOff)})
	if err := s.IsolateHost("esx-a-02.lab.local"); err != nil {
		t.Fatal(err)
	}
	if evs := restarts(t, c, 1); evs[0].Vm.Name != moved.Name {
		t.Errorf("restarted %s; want %s, whose override says powerOff", evs[0].Vm.Name, moved.Name)
	}
	quiet2 := func() {
		time.Sleep(2 * scaledResponse)
		if n := len(events(t, c, "VmRestartedOnAlternateHostEvent")); n != 1 {
			t.Errorf("%d VMs restarted; want only %s", n, moved.Name)
		}
	}
	quiet2()
	if err := s.RestoreHostNetwork("esx-a-02.lab.local"); err != nil {
		t.Fatal(err)
	}
	stillRunsOn(t, c, "esx-a-02.lab.local", on[1:])
}

func TestLockedDiskIsNeverRestartedTwice(t *testing.T) {
	s, c := fastHAWith(t, mustPreset(t, "small"), HAOptions{RetryDelay: 50 * time.Millisecond})
	// With no heartbeat datastore selected the primary cannot tell the
	// isolated host from a failed one: it declares it failed and tries to
	// restart its VMs, which still run there and hold their disks.
	reconfigureA(t, c, &types.ClusterConfigSpecEx{DasConfig: &types.ClusterDasConfigInfo{
		HBDatastoreCandidatePolicy: string(types.ClusterDasConfigInfoHBDatastoreCandidateUserSelectedDs)}})
	on := poweredOnOf(t, c, "esx-a-02.lab.local")
	if err := s.IsolateHost("esx-a-02.lab.local"); err != nil {
		t.Fatal(err)
	}
	waitEvents(t, c, "DasHostFailedEvent")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if len(failures(t, c, on[0].Name)) >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("HA never tried to restart %s twice", on[0].Name)
		}
	}
	for _, vm := range on {
		fs := failures(t, c, vm.Name)
		if len(fs) == 0 || !strings.Contains(fs[0].Reason, "locked by esx-a-02.lab.local") {
			t.Errorf("%s's restart failures: %d, %v; want refused, its disks locked by esx-a-02", vm.Name, len(fs), fs)
		}
	}
	if evs := events(t, c, "VmRestartedOnAlternateHostEvent"); len(evs) > 0 {
		t.Errorf("%d VMs restarted elsewhere while they still ran on the isolated host", len(evs))
	}
	if err := s.RestoreHostNetwork("esx-a-02.lab.local"); err != nil {
		t.Fatal(err)
	}
	stillRunsOn(t, c, "esx-a-02.lab.local", on)
}

func TestAResponseReleasesTheLocksForHARetries(t *testing.T) {
	s, c := fastHAWith(t, mustPreset(t, "small"), HAOptions{RetryDelay: 50 * time.Millisecond})
	reconfigureA(t, c, &types.ClusterConfigSpecEx{DasConfig: &types.ClusterDasConfigInfo{
		HBDatastoreCandidatePolicy: string(types.ClusterDasConfigInfoHBDatastoreCandidateUserSelectedDs)}})
	isolationResponse(t, c, types.ClusterDasVmSettingsIsolationResponsePowerOff)
	on := poweredOnOf(t, c, "esx-a-02.lab.local")
	if err := s.IsolateHost("esx-a-02.lab.local"); err != nil {
		t.Fatal(err)
	}
	evs := restarts(t, c, len(on))
	for _, e := range evs {
		if fs := failures(t, c, e.Vm.Name); len(fs) == 0 {
			t.Errorf("%s restarted at the first attempt; want refused while its disks were locked", e.Vm.Name)
		}
	}
}

func TestPartitionMinorityKeepsRunning(t *testing.T) {
	s, c := fastHA(t)
	isolationResponse(t, c, types.ClusterDasVmSettingsIsolationResponsePowerOff)
	on := poweredOnOf(t, c, "esx-a-03.lab.local")
	if err := s.PartitionHosts("esx-a-03.lab.local"); err != nil {
		t.Fatal(err)
	}
	if h := hostNamedIn(t, c, "esx-a-03.lab.local"); h.Runtime.ConnectionState != types.HostSystemConnectionStateNotResponding {
		t.Errorf("a host split from vCenter's side reads %s; want notResponding", h.Runtime.ConnectionState)
	}
	waitState(t, c, "esx-a-03.lab.local", "networkPartitionedFromMaster")
	quiet(t, c)
	if evs := events(t, c, "DasHostIsolatedEvent"); len(evs) > 0 {
		t.Error("a partitioned host was declared isolated")
	}
	if st := fdmStates(t, c); st["esx-a-03.lab.local"] != "networkPartitionedFromMaster" {
		t.Errorf("FDM states %v; want esx-a-03 still partitioned", st)
	}
	if err := s.RestoreHostNetwork("esx-a-03.lab.local"); err != nil {
		t.Fatal(err)
	}
	stillRunsOn(t, c, "esx-a-03.lab.local", on)
}

func TestPartitionRejoins(t *testing.T) {
	s, c := fastHA(t)
	// The primary, esx-a-01, goes with the split hosts: the rest elects
	// its own.
	if err := s.PartitionHosts("esx-a-01.lab.local", "esx-a-02.lab.local"); err != nil {
		t.Fatal(err)
	}
	waitState(t, c, "esx-a-02.lab.local", "networkPartitionedFromMaster")
	if st := fdmStates(t, c); st["esx-a-03.lab.local"] != "master" || st["esx-a-01.lab.local"] != "networkPartitionedFromMaster" {
		t.Errorf("FDM states %v; want esx-a-03 the rest's primary, esx-a-01 and -02 partitioned", st)
	}
	for _, h := range []string{"esx-a-01.lab.local", "esx-a-02.lab.local"} {
		if err := s.RestoreHostNetwork(h); err != nil {
			t.Fatal(err)
		}
	}
	st := fdmStates(t, c)
	for _, h := range []string{"esx-a-01.lab.local", "esx-a-02.lab.local"} {
		if st[h] != "connectedToMaster" || st[h+" by"] != "esx-a-03.lab.local" || hostNamedIn(t, c, h).Runtime.ConnectionState != "connected" {
			t.Errorf("after the network returned, FDM states %v; want %s connected, connectedToMaster under esx-a-03", st, h)
		}
	}
	if n := len(events(t, c, "HostConnectedEvent")); n < 2 {
		t.Errorf("%d HostConnectedEvents; want one per rejoining host", n)
	}
}

func TestIsolatedPrimaryCostsAnElection(t *testing.T) {
	const election = 500 * time.Millisecond
	s, c := fastHAWith(t, mustPreset(t, "small"), HAOptions{ElectionDelay: election})
	if err := s.IsolateHost("esx-a-01.lab.local"); err != nil {
		t.Fatal(err)
	}
	if gap := sinceLost(t, c, "DasHostIsolatedEvent"); gap < 100*time.Millisecond+election {
		t.Errorf("the isolated primary was reported %s after it was lost; want detection 100ms + election %s", gap, election)
	}
	st := waitState(t, c, "esx-a-01.lab.local", "networkIsolated")
	if st["esx-a-02.lab.local"] != "master" || st["esx-a-01.lab.local by"] != "esx-a-02.lab.local" {
		t.Errorf("FDM states %v; want esx-a-02 elected, reporting esx-a-01 isolated", st)
	}
}

// TestACutHostThatCrashesFailsOver: an isolated host that then dies is
// declared failed (its datastore heartbeats stop) and its VMs still
// running are restarted, its locks lapsed; the one the isolation response
// powered off and HA restarted already is not restarted again.
func TestACutHostThatCrashesFailsOver(t *testing.T) {
	s, c := fastHA(t)
	on := poweredOnOf(t, c, "esx-a-03.lab.local")
	if len(on) < 2 {
		t.Fatalf("esx-a-03 runs %d VMs; want 2", len(on))
	}
	overrideVM(t, c, on[0].Self, types.ClusterDasVmSettings{IsolationResponse: string(types.ClusterDasVmSettingsIsolationResponsePowerOff)})
	if err := s.IsolateHost("esx-a-03.lab.local"); err != nil {
		t.Fatal(err)
	}
	restarts(t, c, 1)
	if err := s.CrashHost("esx-a-03.lab.local"); err != nil {
		t.Fatalf("crash of an isolated host: %v", err)
	}
	if ev := waitEvents(t, c, "DasHostFailedEvent")[0].(*types.DasHostFailedEvent); ev.FailedHost.Name != "esx-a-03.lab.local" {
		t.Errorf("declared %s failed; want esx-a-03", ev.FailedHost.Name)
	}
	restarts(t, c, len(on))
	time.Sleep(300 * time.Millisecond)
	seen := map[string]int{}
	for _, e := range events(t, c, "VmRestartedOnAlternateHostEvent") {
		seen[e.(*types.VmRestartedOnAlternateHostEvent).Vm.Name]++
	}
	for _, vm := range on {
		if seen[vm.Name] != 1 {
			t.Errorf("%s restarted %d times; want once", vm.Name, seen[vm.Name])
		}
	}
	if err := s.RecoverHost("esx-a-03.lab.local"); err != nil {
		t.Fatal(err)
	}
	if st := hostNamedIn(t, c, "esx-a-03.lab.local").Runtime.ConnectionState; st != types.HostSystemConnectionStateConnected {
		t.Errorf("the recovered host is %s", st)
	}
}

// TestACrashAfterTheResponseLeavesItsVMsToHA: a VM the isolation
// response powered off is HA's already (its restart failed here, a retry
// pending); when the host then crashes, the failover does not try it
// again as if it had died with the host.
func TestACrashAfterTheResponseLeavesItsVMsToHA(t *testing.T) {
	s, c := fastHAWith(t, mustPreset(t, "small"), HAOptions{RetryDelay: time.Minute})
	on := poweredOnOf(t, c, "esx-a-03.lab.local")
	if len(on) < 2 {
		t.Fatalf("esx-a-03 runs %d VMs; want 2", len(on))
	}
	overrideVM(t, c, on[0].Self, types.ClusterDasVmSettings{IsolationResponse: string(types.ClusterDasVmSettingsIsolationResponsePowerOff)})
	defer s.FailRestart(on[0].Name)()
	if err := s.IsolateHost("esx-a-03.lab.local"); err != nil {
		t.Fatal(err)
	}
	waitEvents(t, c, "NotEnoughResourcesToStartVmEvent")
	if err := s.CrashHost("esx-a-03.lab.local"); err != nil {
		t.Fatal(err)
	}
	restarts(t, c, 1) // on[1], which died with the host
	if fs := failures(t, c, on[0].Name); len(fs) != 1 {
		t.Errorf("%s's restart was attempted %d times; want once, its retry pending", on[0].Name, len(fs))
	}
}

// TestVMsPoweredOffByTheResponseRestartWhenTheNetworkReturnsFirst: the
// isolated primary powers its VMs off at once (isolationPolicyDelaySec
// 0) while the others still elect a new primary; its network returns
// before they judge it, and HA restarts the VMs it powered off, once.
func TestVMsPoweredOffByTheResponseRestartWhenTheNetworkReturnsFirst(t *testing.T) {
	s, c := fastHAWith(t, mustPreset(t, "small"), HAOptions{ElectionDelay: 3 * time.Second})
	isolationResponse(t, c, types.ClusterDasVmSettingsIsolationResponsePowerOff)
	reconfigureA(t, c, &types.ClusterConfigSpecEx{DasConfig: &types.ClusterDasConfigInfo{
		Option: []types.BaseOptionValue{&types.OptionValue{Key: "das.config.fdm.isolationPolicyDelaySec", Value: "0"}}}})
	on := poweredOnOf(t, c, "esx-a-01.lab.local")
	if err := s.IsolateHost("esx-a-01.lab.local"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the response came after 33 ms; the election ends after 3.1 s
	if err := s.RestoreHostNetwork("esx-a-01.lab.local"); err != nil {
		t.Fatal(err)
	}
	evs := restarts(t, c, len(on))
	if len(evs) != len(on) {
		t.Errorf("%d restarts for %d VMs", len(evs), len(on))
	}
	if n := len(events(t, c, "DasHostIsolatedEvent")); n != 0 {
		t.Errorf("%d DasHostIsolatedEvents for a host back before it was judged", n)
	}
}

func TestDoorIsolatesPartitionsAndRestores(t *testing.T) {
	s, c := fastHA(t)
	code, body := door(t, s, c, "GET", "")
	if code != http.StatusOK || body["ha_isolation_delay"] != "200ms" || fmt.Sprint(body["faults"]) != "[crash recover isolate partition restore-network]" {
		t.Errorf("GET the door: %d %v; want its faults and the isolation delay", code, body)
	}
	for _, tc := range []struct {
		name, path, body string
		want             int
	}{
		{"isolate an unknown host", "/hosts/esx-z-99/isolate", "", http.StatusNotFound},
		{"restore an unknown host", "/hosts/esx-z-99/restore-network", "", http.StatusNotFound},
		{"restore a connected host", "/hosts/esx-a-01.lab.local/restore-network", "", http.StatusConflict},
		{"partition an unknown host", "/partition", `{"hosts": ["esx-z-99"]}`, http.StatusNotFound},
		{"partition nothing", "/partition", `{"hosts": []}`, http.StatusConflict},
		{"partition a whole cluster", "/partition", `{"hosts": ["esx-a-01.lab.local", "esx-a-02.lab.local", "esx-a-03.lab.local"]}`, http.StatusConflict},
		{"partition across clusters", "/partition", `{"hosts": ["esx-a-01.lab.local", "esx-b-01.lab.local"]}`, http.StatusConflict},
		{"partition a host twice", "/partition", `{"hosts": ["esx-a-01.lab.local", "esx-a-01.lab.local"]}`, http.StatusConflict},
		{"partition without JSON", "/partition", `esx-a-01`, http.StatusBadRequest},
		{"partition with a huge body", "/partition", `{"hosts": ["` + strings.Repeat("x", maxDoorBody) + `"]}`, http.StatusBadRequest},
		{"isolate", "/hosts/esx-a-02.lab.local/isolate", "", http.StatusOK},
		{"isolate it again", "/hosts/esx-a-02.lab.local/isolate", "", http.StatusConflict},
		{"recover an isolated host", "/hosts/esx-a-02.lab.local/recover", "", http.StatusConflict},
		{"partition an isolated host", "/partition", `{"hosts": ["esx-a-02.lab.local"]}`, http.StatusConflict},
		{"restore it", "/hosts/esx-a-02.lab.local/restore-network", "", http.StatusOK},
		{"partition", "/partition", `{"hosts": ["esx-a-02.lab.local", "esx-a-03.lab.local"]}`, http.StatusOK},
		{"restore a partitioned host", "/hosts/esx-a-03.lab.local/restore-network", "", http.StatusOK},
	} {
		if code, body := doorWith(t, s, c, "POST", tc.path, tc.body); code != tc.want {
			t.Errorf("%s: %d %v; want %d", tc.name, code, body, tc.want)
		}
	}
	if st := hostNamedIn(t, c, "esx-a-02.lab.local").Runtime.ConnectionState; st != types.HostSystemConnectionStateNotResponding {
		t.Errorf("esx-a-02, still partitioned, is %s", st)
	}
	c.Logout(context.Background())
	for _, path := range []string{"/hosts/esx-a-01.lab.local/isolate", "/partition", "/hosts/esx-a-02.lab.local/restore-network"} {
		if code, _ := doorWith(t, s, c, "POST", path, `{"hosts": ["esx-a-01.lab.local"]}`); code != http.StatusUnauthorized {
			t.Errorf("POST %s after logout: %d; want 401", path, code)
		}
	}
	if st := connectionOf(t, s, "esx-a-01.lab.local"); st != types.HostSystemConnectionStateConnected {
		t.Errorf("esx-a-01 after a refused isolation is %s", st)
	}
}

// connectionOf reads a host's connection state on the simulator's side.
func connectionOf(t *testing.T, s *Server, host string) types.HostSystemConnectionState {
	t.Helper()
	h, err := hostNamed(s.model.Service.Context, host)
	if err != nil {
		t.Fatal(err)
	}
	_, st, _, _ := readHost(s.model.Service.Context, h)
	return st
}

func mustPreset(t *testing.T, name string) Spec {
	t.Helper()
	spec, err := Preset(name)
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// TestScaledDelaysDoNotOverflow: vSphere's restartPriorityTimeout (600 s)
// and das.isolationshutdowntimeout (300 s) scale without overflowing
// int64 nanoseconds (600 s × 15 s does).
func TestScaledDelaysDoNotOverflow(t *testing.T) {
	for _, tc := range []struct {
		detect, d, want time.Duration
	}{
		{0, 600 * time.Second, 600 * time.Second},
		{100 * time.Millisecond, 300 * time.Second, 2 * time.Second},
		{time.Minute, time.Hour, 4 * time.Hour},
	} {
		if got := (HAOptions{DetectDelay: tc.detect}).scaled(tc.d); got != tc.want {
			t.Errorf("%s scaled with a detection delay of %s: %s; want %s", tc.d, tc.detect, got, tc.want)
		}
	}
}
