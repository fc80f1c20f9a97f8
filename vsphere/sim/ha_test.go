package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/event"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// fastHA starts the small preset with HA declaring failures after 100 ms.
func fastHA(t *testing.T) (*Server, *govmomi.Client) {
	t.Helper()
	spec, err := Preset("small")
	if err != nil {
		t.Fatal(err)
	}
	return fastHAWith(t, spec, HAOptions{})
}

// fastHAWith starts spec with HA declaring failures after 100 ms and the
// other options of o.
func fastHAWith(t *testing.T, spec Spec, o HAOptions) (*Server, *govmomi.Client) {
	t.Helper()
	o.DetectDelay = 100 * time.Millisecond
	s := startSpec(t, spec, Options{HA: o})
	return s, login(t, s)
}

// reconfigureA reconfigures cluster-a.
func reconfigureA(t *testing.T, c *govmomi.Client, spec *types.ClusterConfigSpecEx) {
	t.Helper()
	if err := reconfigure(t, c, spec); err != nil {
		t.Fatal(err)
	}
}

// readinessSpec is cluster-a's default restart readiness.
func readinessSpec(cond types.ClusterVmReadinessReadyCondition, postReady int32) *types.ClusterConfigSpecEx {
	return &types.ClusterConfigSpecEx{Orchestration: &types.ClusterOrchestrationInfo{
		DefaultVmReadiness: &types.ClusterVmReadiness{ReadyCondition: string(cond), PostReadyDelay: postReady}}}
}

// poweredOnOf returns the powered-on VMs of host.
func poweredOnOf(t *testing.T, c *govmomi.Client, host string) []mo.VirtualMachine {
	t.Helper()
	return slices.DeleteFunc(vmsOn(t, c, host), func(v mo.VirtualMachine) bool {
		return v.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn
	})
}

// restarts waits until n VMs have been restarted and returns their
// events, oldest first.
func restarts(t *testing.T, c *govmomi.Client, n int) []*types.VmRestartedOnAlternateHostEvent {
	t.Helper()
	var out []*types.VmRestartedOnAlternateHostEvent
	for deadline := time.Now().Add(20 * time.Second); len(out) < n && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		evs, err := event.NewManager(c.Client).QueryEvents(context.Background(), types.EventFilterSpec{EventTypeId: []string{"VmRestartedOnAlternateHostEvent"}})
		if err != nil {
			t.Fatal(err)
		}
		out = nil
		for _, e := range slices.Backward(evs) {
			out = append(out, e.(*types.VmRestartedOnAlternateHostEvent))
		}
	}
	if len(out) < n {
		t.Fatalf("%d VMs restarted; want %d", len(out), n)
	}
	return out
}

// failures returns the NotEnoughResourcesToStartVmEvents for vm, oldest
// first.
func failures(t *testing.T, c *govmomi.Client, vm string) []*types.NotEnoughResourcesToStartVmEvent {
	t.Helper()
	evs, err := event.NewManager(c.Client).QueryEvents(context.Background(), types.EventFilterSpec{EventTypeId: []string{"NotEnoughResourcesToStartVmEvent"}})
	if err != nil {
		t.Fatal(err)
	}
	var out []*types.NotEnoughResourcesToStartVmEvent
	for _, e := range slices.Backward(evs) {
		if f := e.(*types.NotEnoughResourcesToStartVmEvent); f.Vm.Name == vm {
			out = append(out, f)
		}
	}
	return out
}

// door calls the fault door as c's session.
func door(t *testing.T, s *Server, c *govmomi.Client, method, path string) (int, map[string]any) {
	t.Helper()
	return doorWith(t, s, c, method, path, "")
}

// doorWith calls the fault door as c's session with body, unless empty.
func doorWith(t *testing.T, s *Server, c *govmomi.Client, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, "https://"+s.URL.Host+doorPath+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if c != nil {
		for _, ck := range c.Client.Client.Jar.Cookies(s.URL) {
			req.AddCookie(ck)
		}
	}
	hc := &http.Client{Transport: c.Client.Client.Transport}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var answer map[string]any
	_ = json.NewDecoder(res.Body).Decode(&answer)
	return res.StatusCode, answer
}

// sinceLost waits for HostConnectionLostEvent and an event of type kind,
// and returns the time between them.
func sinceLost(t *testing.T, c *govmomi.Client, kind string) time.Duration {
	t.Helper()
	var lost, then time.Time
	for _, e := range waitEvents(t, c, "HostConnectionLostEvent", kind) {
		if _, ok := e.(*types.HostConnectionLostEvent); ok {
			lost = e.GetEvent().CreatedTime
		} else {
			then = e.GetEvent().CreatedTime
		}
	}
	return then.Sub(lost)
}

// waitEvents waits until an event of each type has been posted.
func waitEvents(t *testing.T, c *govmomi.Client, kinds ...string) []types.BaseEvent {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		events, err := event.NewManager(c.Client).QueryEvents(ctx, types.EventFilterSpec{EventTypeId: kinds, MaxCount: 1000})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, e := range events {
			seen[strings.TrimPrefix(fmt.Sprintf("%T", e), "*types.")] = true
		}
		if len(seen) == len(kinds) {
			return events
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("events %v never all came", kinds)
	return nil
}

func vmsOn(t *testing.T, c *govmomi.Client, host string) []mo.VirtualMachine {
	t.Helper()
	inv := fetch(t, c)
	h := named(t, inv.hosts, host, func(h mo.HostSystem) string { return h.Name })
	var out []mo.VirtualMachine
	for _, v := range inv.vms {
		if v.Runtime.Host != nil && *v.Runtime.Host == h.Self {
			out = append(out, v)
		}
	}
	return out
}

func TestHACrashRestartsVMsElsewhereInPriorityOrder(t *testing.T) {
	s, c := fastHA(t)
	ctx := context.Background()
	before := vmsOn(t, c, "esx-a-01.lab.local")
	var on []string
	for _, v := range before {
		if v.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
			on = append(on, v.Name)
		}
	}
	if len(on) < 2 {
		t.Fatalf("esx-a-01 runs %v powered on; want at least 2 for the order to mean something", on)
	}
	// The smaller VM goes first when it has the higher priority.
	cl, err := find.NewFinder(c.Client, false).ClusterComputeResource(ctx, "/dc-01/host/cluster-a")
	if err != nil {
		t.Fatal(err)
	}
	first := on[len(on)-1]
	vmRef := named(t, before, first, func(v mo.VirtualMachine) string { return v.Name }).Self
	// Powered on is the ready condition, so that the first restart ends
	// before the next begins.
	reconfigureA(t, c, readinessSpec(types.ClusterVmReadinessReadyConditionPoweredOn, 0))
	task, _ := cl.Reconfigure(ctx, &types.ClusterConfigSpecEx{DasVmConfigSpec: []types.ClusterDasVmConfigSpec{{
		ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd},
		Info:            &types.ClusterDasVmConfigInfo{Key: vmRef, DasSettings: &types.ClusterDasVmSettings{RestartPriority: "highest"}},
	}}}, true)
	if err := task.Wait(ctx); err != nil {
		t.Fatal(err)
	}

	if code, body := door(t, s, c, "POST", "/hosts/esx-a-01.lab.local/crash"); code != http.StatusOK {
		t.Fatalf("crash through the door: %d %v", code, body)
	}
	host := named(t, fetch(t, c).hosts, "esx-a-01.lab.local", func(h mo.HostSystem) string { return h.Name })
	if host.Runtime.ConnectionState != types.HostSystemConnectionStateNotResponding {
		t.Errorf("a crashed host is %s; want notResponding", host.Runtime.ConnectionState)
	}
	waitEvents(t, c, "DasHostFailedEvent")
	var restarted []string
	for deadline := time.Now().Add(20 * time.Second); len(restarted) < len(on) && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		evs, err := event.NewManager(c.Client).QueryEvents(ctx, types.EventFilterSpec{EventTypeId: []string{"VmRestartedOnAlternateHostEvent"}})
		if err != nil {
			t.Fatal(err)
		}
		restarted = nil
		for _, e := range slices.Backward(evs) { // oldest first
			r := e.(*types.VmRestartedOnAlternateHostEvent)
			restarted = append(restarted, r.Vm.Name)
			if r.SourceHost.Name != "esx-a-01.lab.local" || r.Host.Name == "esx-a-01.lab.local" {
				t.Errorf("%s restarted from %s on %s", r.Vm.Name, r.SourceHost.Name, r.Host.Name)
			}
		}
	}
	if len(restarted) != len(on) || restarted[0] != first {
		t.Errorf("restarted %v; want all of %v, %s (highest priority) first", restarted, on, first)
	}
	inv := fetch(t, c)
	for _, name := range on {
		v := named(t, inv.vms, name, func(v mo.VirtualMachine) string { return v.Name })
		if v.Runtime.Host == nil || *v.Runtime.Host == host.Self || v.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn ||
			v.Runtime.ConnectionState != types.VirtualMachineConnectionStateConnected {
			t.Errorf("%s after failover: host %v, %s, %s; want powered on and connected elsewhere", name, v.Runtime.Host, v.Runtime.PowerState, v.Runtime.ConnectionState)
		}
	}

	if code, _ := door(t, s, c, "POST", "/hosts/esx-a-01.lab.local/recover"); code != http.StatusOK {
		t.Fatalf("recover: %d", code)
	}
	host = named(t, fetch(t, c).hosts, "esx-a-01.lab.local", func(h mo.HostSystem) string { return h.Name })
	if host.Runtime.ConnectionState != types.HostSystemConnectionStateConnected {
		t.Errorf("a recovered host is %s", host.Runtime.ConnectionState)
	}
}

func TestHAWithoutHostMonitoringRestartsNothing(t *testing.T) {
	s, c := fastHA(t)
	ctx := context.Background()
	cl, _ := find.NewFinder(c.Client, false).ClusterComputeResource(ctx, "/dc-01/host/cluster-a")
	task, _ := cl.Reconfigure(ctx, &types.ClusterConfigSpecEx{DasConfig: &types.ClusterDasConfigInfo{HostMonitoring: "disabled"}}, true)
	if err := task.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	before := vmsOn(t, c, "esx-a-02.lab.local")
	if err := s.CrashHost("esx-a-02.lab.local"); err != nil {
		t.Fatal(err)
	}
	waitEvents(t, c, "HostConnectionLostEvent")
	time.Sleep(500 * time.Millisecond) // five detection delays
	if after := vmsOn(t, c, "esx-a-02.lab.local"); len(after) != len(before) {
		t.Errorf("with host monitoring off, %d of %d VMs left the failed host", len(before)-len(after), len(before))
	}
}

func TestHAInjectedRestartFailureLeavesTheVMDown(t *testing.T) {
	s, c := fastHA(t)
	var victim string
	for _, v := range vmsOn(t, c, "esx-a-03.lab.local") {
		if v.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
			victim = v.Name
		}
	}
	defer s.FailRestart(victim)()
	if err := s.CrashHost("esx-a-03.lab.local"); err != nil {
		t.Fatal(err)
	}
	events := waitEvents(t, c, "NotEnoughResourcesToStartVmEvent")
	if e := events[0].(*types.NotEnoughResourcesToStartVmEvent); e.Vm.Name != victim || !strings.Contains(e.Reason, "injected") {
		t.Errorf("failure event for %s: %q; want %s", e.Vm.Name, e.Reason, victim)
	}
	v := named(t, fetch(t, c).vms, victim, func(v mo.VirtualMachine) string { return v.Name })
	if v.Runtime.ConnectionState != types.VirtualMachineConnectionStateDisconnected {
		t.Errorf("%s is %s; want it still down", victim, v.Runtime.ConnectionState)
	}
}

func TestDoorNeedsASessionAndAHost(t *testing.T) {
	s, c := fastHA(t)
	if code, body := door(t, s, c, "GET", ""); code != http.StatusOK || body["simulator"] != "vtui" || body["ha_detect_delay"] != "100ms" {
		t.Errorf("GET the door: %d %v", code, body)
	}
	if code, _ := door(t, s, c, "POST", "/hosts/esx-z-99/crash"); code != http.StatusNotFound {
		t.Errorf("crash of an unknown host: %d; want 404", code)
	}
	anon := &govmomi.Client{Client: c.Client}
	req, _ := http.NewRequest("POST", "https://"+s.URL.Host+doorPath+"/hosts/esx-a-01.lab.local/crash", nil)
	res, err := (&http.Client{Transport: anon.Client.Client.Transport}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("the door without a session cookie: %d; want 401", res.StatusCode)
	}
	c.Logout(context.Background())
	if code, _ := door(t, s, c, "GET", ""); code != http.StatusUnauthorized {
		t.Errorf("the door after logout: %d; want 401", code)
	}
}

func TestHARestartsBootInParallelOnTheSurvivors(t *testing.T) {
	const boot = 200 * time.Millisecond
	// Three hosts of 9 powered-on VMs each: the survivors have the same
	// capacity unreserved, so placement alternates between them.
	spec := Spec{Datacenters: 1, Clusters: 1, HostsPerCluster: 3, VMs: 36, Datastores: 1, HAClusters: 1}
	s, c := fastHAWith(t, spec, HAOptions{BootTime: boot})
	on := poweredOnOf(t, c, "esx-a-02.lab.local")
	if err := s.CrashHost("esx-a-02.lab.local"); err != nil {
		t.Fatal(err)
	}
	declared := waitEvents(t, c, "DasHostFailedEvent")[0].GetEvent().CreatedTime
	evs := restarts(t, c, len(on))
	hosts := map[string]bool{}
	last := declared
	for _, e := range evs {
		hosts[e.Host.Name] = true
		last = later(last, e.CreatedTime)
	}
	n, k := len(on), len(hosts)
	took, parallel := last.Sub(declared), time.Duration((n+k-1)/k)*boot
	t.Logf("%d VMs on %d hosts, boot %s: last restart %s after the declaration", n, k, boot, took)
	if k < 2 || took < parallel-boot/10 || took >= time.Duration(n-1)*boot {
		t.Errorf("%d VMs restarted on %d hosts %s after the declaration; want about ceil(N/K)·B = %s, not N·B = %s",
			n, k, took, parallel, time.Duration(n)*boot)
	}
}

func TestHANextPriorityWaitsForReadiness(t *testing.T) {
	const boot, tools = 100 * time.Millisecond, 200 * time.Millisecond
	spec, _ := Preset("small")
	s, c := fastHAWith(t, spec, HAOptions{BootTime: boot, ToolsDelay: tools})
	on := poweredOnOf(t, c, "esx-a-01.lab.local")
	if len(on) < 2 {
		t.Fatalf("esx-a-01 runs %d VMs powered on; want 2", len(on))
	}
	// Guest heartbeats green plus 15 s (100 ms scaled) before the next
	// priority.
	reconfigureA(t, c, readinessSpec(types.ClusterVmReadinessReadyConditionGuestHbStatusGreen, 15))
	reconfigureA(t, c, &types.ClusterConfigSpecEx{DasVmConfigSpec: []types.ClusterDasVmConfigSpec{{
		ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd},
		Info:            &types.ClusterDasVmConfigInfo{Key: on[1].Self, DasSettings: &types.ClusterDasVmSettings{RestartPriority: "highest"}},
	}}})
	if err := s.CrashHost("esx-a-01.lab.local"); err != nil {
		t.Fatal(err)
	}
	evs := restarts(t, c, 2)
	if evs[0].Vm.Name != on[1].Name {
		t.Fatalf("%s restarted first; want %s, of the highest priority", evs[0].Vm.Name, on[1].Name)
	}
	gap, want := evs[1].CreatedTime.Sub(evs[0].CreatedTime), tools+100*time.Millisecond+boot
	if gap < want-10*time.Millisecond {
		t.Errorf("the next priority restarted %s after the first; want at least heartbeat %s + postReadyDelay 100ms + boot %s = %s", gap, tools, boot, want)
	}
	v := named(t, fetch(t, c).vms, on[1].Name, func(v mo.VirtualMachine) string { return v.Name })
	if v.Summary.QuickStats.GuestHeartbeatStatus != types.ManagedEntityStatusGreen {
		t.Errorf("%s's guest heartbeat after the restart is %s; want green", v.Name, v.Summary.QuickStats.GuestHeartbeatStatus)
	}
}

func TestHAFailedPrimaryCostsAnElection(t *testing.T) {
	const election = 500 * time.Millisecond
	spec, _ := Preset("small")
	s, c := fastHAWith(t, spec, HAOptions{ElectionDelay: election})
	states := func() map[string]string {
		out := map[string]string{}
		for _, h := range fetch(t, c).hosts {
			if h.Runtime.DasHostState != nil {
				out[h.Name] = h.Runtime.DasHostState.State
			}
		}
		return out
	}
	if st := states(); st["esx-a-01.lab.local"] != "master" || st["esx-a-02.lab.local"] != "connectedToMaster" || st["esx-b-01.lab.local"] != "" {
		t.Fatalf("FDM states before: %v; want esx-a-01 master, the other hosts of cluster-a connectedToMaster, none without HA", st)
	}
	if err := s.CrashHost("esx-a-01.lab.local"); err != nil {
		t.Fatal(err)
	}
	if gap := sinceLost(t, c, "DasHostFailedEvent"); gap < 100*time.Millisecond+election {
		t.Errorf("the failed primary was declared %s after it was lost; want detection 100ms + election %s", gap, election)
	}
	if st := states(); st["esx-a-01.lab.local"] != "hostDown" || st["esx-a-02.lab.local"] != "master" || st["esx-a-03.lab.local"] != "connectedToMaster" {
		t.Errorf("FDM states after: %v; want esx-a-01 hostDown, esx-a-02 elected master", st)
	}
}

// TestHAHostRecoveredBeforeTheDeclarationIsNotFailed: a crashed primary
// recovered during the election that follows its detection heartbeats
// again before the new primary declares anything: it is not declared
// failed and its VMs stay on it, as a drill's rollback expects when HA
// has not acted yet.
func TestHAHostRecoveredBeforeTheDeclarationIsNotFailed(t *testing.T) {
	spec, _ := Preset("small")
	s, c := fastHAWith(t, spec, HAOptions{ElectionDelay: time.Second})
	const host = "esx-a-01.lab.local" // the primary
	on := poweredOnOf(t, c, host)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Settle(ctx); err != nil { // the build's roll-up and alarms: not what is waited for below
		t.Fatal(err)
	}
	agents := s.vc.running.Load() // the loops that run as long as the server (sessions.go)
	if err := s.CrashHost(host); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); fdmStates(t, c)["esx-a-02.lab.local"] != "election"; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no election within 10 s of the primary's crash: %v", fdmStates(t, c))
		}
	}
	if err := s.RecoverHost(host); err != nil {
		t.Fatal(err)
	}
	// The failover that held the election has returned, and what it
	// started.
	for deadline := time.Now().Add(10 * time.Second); s.vc.running.Load() > agents; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the failover still runs 10 s after the recovery")
		}
	}
	if evs := events(t, c, "DasHostFailedEvent", "VmRestartedOnAlternateHostEvent"); len(evs) > 0 {
		t.Errorf("after %s recovered during the election, HA posted %d failures and restarts; want none", host, len(evs))
	}
	if now := vmsOn(t, c, host); len(now) < len(on) {
		t.Errorf("%s runs %d VMs after its recovery; want its %d still there", host, len(now), len(on))
	}
}

func TestHAPlacesByUnreservedCapacity(t *testing.T) {
	spec, _ := Preset("small")
	s, c := fastHAWith(t, spec, HAOptions{})
	on := poweredOnOf(t, c, "esx-a-02.lab.local")
	// Placement by free memory would pick the survivor with the most; it
	// has almost no CPU unreserved.
	free := map[string]int64{}
	inv := fetch(t, c)
	for _, h := range []string{"esx-a-01.lab.local", "esx-a-03.lab.local"} {
		host := named(t, inv.hosts, h, func(h mo.HostSystem) string { return h.Name })
		free[h] = host.Summary.Hardware.MemorySize >> 20
		for _, v := range poweredOnOf(t, c, h) {
			free[h] -= int64(v.Config.Hardware.MemoryMB)
		}
	}
	roomy := "esx-a-01.lab.local"
	if free["esx-a-03.lab.local"] > free[roomy] {
		roomy = "esx-a-03.lab.local"
	}
	host := named(t, inv.hosts, roomy, func(h mo.HostSystem) string { return h.Name })
	cpu := int64(host.Summary.Hardware.CpuMhz)*int64(host.Summary.Hardware.NumCpuCores) - 100
	reserve(t, c, poweredOnOf(t, c, roomy)[0].Self, cpu, 0)
	if err := s.CrashHost("esx-a-02.lab.local"); err != nil {
		t.Fatal(err)
	}
	for _, e := range restarts(t, c, len(on)) {
		if e.Host.Name == roomy {
			t.Errorf("%s restarted on %s, which has the most free memory but %d MHz of CPU reserved of %d", e.Vm.Name, roomy, cpu, cpu+100)
		}
	}
}

func TestHARetriesWhenAHostRecovers(t *testing.T) {
	spec, _ := Preset("small")
	s, c := fastHAWith(t, spec, HAOptions{RetryDelay: time.Minute})
	victim := poweredOnOf(t, c, "esx-a-01.lab.local")[0]
	// esx-a-03, the survivor, has no CPU unreserved for the victim's
	// reservation.
	host := named(t, fetch(t, c).hosts, "esx-a-03.lab.local", func(h mo.HostSystem) string { return h.Name })
	reserve(t, c, poweredOnOf(t, c, "esx-a-03.lab.local")[0].Self, int64(host.Summary.Hardware.CpuMhz)*int64(host.Summary.Hardware.NumCpuCores)-100, 0)
	reserve(t, c, victim.Self, 2000, 0)
	for _, h := range []string{"esx-a-02.lab.local", "esx-a-01.lab.local"} {
		if err := s.CrashHost(h); err != nil {
			t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(10 * time.Second); len(failures(t, c, victim.Name)) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s was never refused a restart", victim.Name)
		}
	}
	if f := failures(t, c, victim.Name)[0]; !strings.Contains(f.Reason, "attempt 1 of 5; HA retries") {
		t.Errorf("the first failure says %q; want attempt 1 of 5 and a retry", f.Reason)
	}
	if err := s.RecoverHost("esx-a-02.lab.local"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		v := named(t, fetch(t, c).vms, victim.Name, func(v mo.VirtualMachine) string { return v.Name })
		if v.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn && v.Runtime.Host != nil &&
			nameOf(s.model.Service.Context, *v.Runtime.Host) == "esx-a-02.lab.local" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s was not restarted on the recovered esx-a-02 (it is %s on %v)", victim.Name, v.Runtime.PowerState, v.Runtime.Host)
		}
	}
}

func TestHAGivesUpAfterMaxAttempts(t *testing.T) {
	spec, _ := Preset("small")
	s, c := fastHAWith(t, spec, HAOptions{RetryDelay: 20 * time.Millisecond})
	reconfigureA(t, c, &types.ClusterConfigSpecEx{DasConfig: &types.ClusterDasConfigInfo{
		Option: []types.BaseOptionValue{&types.OptionValue{Key: "das.maxvmrestartcount", Value: "3"}}}})
	victim := poweredOnOf(t, c, "esx-a-03.lab.local")[0].Name
	defer s.FailRestart(victim)()
	if err := s.CrashHost("esx-a-03.lab.local"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); len(failures(t, c, victim)) < 3; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s was refused %d times; want 3 attempts", victim, len(failures(t, c, victim)))
		}
	}
	time.Sleep(500 * time.Millisecond) // the next retry would come after 160 ms
	fs := failures(t, c, victim)
	if len(fs) != 3 || !strings.Contains(fs[1].Reason, "attempt 2 of 3; HA retries") || !strings.Contains(fs[2].Reason, "attempt 3 of 3; HA gives up") {
		var got []string
		for _, f := range fs {
			got = append(got, f.Reason)
		}
		t.Errorf("failures of %s: %q; want 3 attempts, the last giving up", victim, got)
	}
}

// TestHARetryLeavesRestartsInFlightTheirResources: esx-a-01 and esx-a-02
// crash and esx-a-03, the only survivor, has CPU unreserved for all but
// one of their VMs, which it boots one after another (1 s each). The
// one HA has no room for is retried every 50 ms meanwhile; a retry must
// count the restarts placed and still booting (moved there powered off,
// or still queued on their failed host) on esx-a-03, so it never fits.
func TestHARetryLeavesRestartsInFlightTheirResources(t *testing.T) {
	const boot, each = time.Second, 2000
	spec, _ := Preset("small")
	s, c := fastHAWith(t, spec, HAOptions{BootTime: boot, RetryDelay: 50 * time.Millisecond})
	var victims []mo.VirtualMachine
	for _, h := range []string{"esx-a-01.lab.local", "esx-a-02.lab.local"} {
		victims = append(victims, poweredOnOf(t, c, h)...)
	}
	own := poweredOnOf(t, c, "esx-a-03.lab.local")
	if len(victims) < 2 || len(own) == 0 {
		t.Fatalf("the small preset runs %d VMs on esx-a-01 and -02, %d on esx-a-03; want 2 or more, and 1 or more", len(victims), len(own))
	}
	for _, v := range victims {
		reserve(t, c, v.Self, each, 0)
	}
	// esx-a-03 keeps room for all victims but one, and half of it: each VM
	// reserves at least 32 MHz.
	host := named(t, fetch(t, c).hosts, "esx-a-03.lab.local", func(h mo.HostSystem) string { return h.Name })
	room := int64(len(victims)-1)*each + each/2
	reserve(t, c, own[0].Self, int64(host.Summary.Hardware.CpuMhz)*int64(host.Summary.Hardware.NumCpuCores)-room-32*int64(len(own)-1), 0)
	for _, h := range []string{"esx-a-01.lab.local", "esx-a-02.lab.local"} {
		if err := s.CrashHost(h); err != nil {
			t.Fatal(err)
		}
	}
	restarts(t, c, len(victims)-1)
	time.Sleep(boot) // one more boot, had a retry placed the last VM
	if got := restarts(t, c, len(victims)-1); len(got) != len(victims)-1 {
		var names []string
		for _, e := range got {
			names = append(names, e.Vm.Name+" on "+e.Host.Name)
		}
		t.Errorf("HA restarted %d VMs (%s); esx-a-03 has room for %d", len(got), strings.Join(names, ", "), len(victims)-1)
	}
}
