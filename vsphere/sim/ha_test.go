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
	s := startSpec(t, spec, Options{HA: HAOptions{DetectDelay: 100 * time.Millisecond, RestartDelay: 5 * time.Millisecond}})
	return s, login(t, s)
}

// door calls the fault door as c's session.
func door(t *testing.T, s *Server, c *govmomi.Client, method, path string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, "https://"+s.URL.Host+doorPath+path, nil)
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
	var body map[string]any
	_ = json.NewDecoder(res.Body).Decode(&body)
	return res.StatusCode, body
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
