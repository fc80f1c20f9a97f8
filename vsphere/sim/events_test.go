package sim

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/event"
	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// events returns the events of the given types posted so far, newest first.
func events(t *testing.T, c *govmomi.Client, kinds ...string) []types.BaseEvent {
	t.Helper()
	evs, err := event.NewManager(c.Client).QueryEvents(context.Background(), types.EventFilterSpec{EventTypeId: kinds, MaxCount: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// reconfigure reconfigures cluster-a with spec and waits for the task.
func reconfigure(t *testing.T, c *govmomi.Client, spec *types.ClusterConfigSpecEx) error {
	t.Helper()
	ctx := context.Background()
	cl, err := find.NewFinder(c.Client, false).ClusterComputeResource(ctx, "/dc-01/host/cluster-a")
	if err != nil {
		t.Fatal(err)
	}
	task, err := cl.Reconfigure(ctx, spec, true)
	if err != nil {
		return err
	}
	return task.Wait(ctx)
}

// seenPushed starts watching path of ref, calls change once the watcher
// has its first answer, and reports whether an update for which want is
// true reached the watcher within 10 s: proof that the change went
// through the update path, not only into the object.
func seenPushed(t *testing.T, c *govmomi.Client, ref types.ManagedObjectReference, path string, change func(), want func(any) bool) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	first := true
	err := property.Wait(ctx, property.DefaultCollector(c.Client), ref, []string{path}, func(changes []types.PropertyChange) bool {
		if first {
			first = false
			change()
			return false
		}
		return slices.ContainsFunc(changes, func(ch types.PropertyChange) bool { return want(ch.Val) })
	})
	return err == nil
}

// TestFDMEventsNeedHAAndHostMonitoring: FDM, the agent that declares a
// host failed, runs only where HA is enabled, and declares nothing with
// host monitoring off. vCenter still sees the host not responding.
func TestFDMEventsNeedHAAndHostMonitoring(t *testing.T) {
	off := false
	for _, tc := range []struct {
		name, host string
		spec       *types.ClusterConfigSpecEx
		fdm        bool
	}{
		{"HA on, host monitoring on", "esx-a-01.lab.local", nil, true},
		{"a cluster without HA", "esx-b-01.lab.local", nil, false},
		{"HA disabled", "esx-a-01.lab.local", &types.ClusterConfigSpecEx{DasConfig: &types.ClusterDasConfigInfo{Enabled: &off}}, false},
		{"host monitoring disabled", "esx-a-01.lab.local", &types.ClusterConfigSpecEx{DasConfig: &types.ClusterDasConfigInfo{HostMonitoring: "disabled"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, c := fastHA(t)
			if tc.spec != nil {
				if err := reconfigure(t, c, tc.spec); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.CrashHost(tc.host); err != nil {
				t.Fatal(err)
			}
			waitEvents(t, c, "HostConnectionLostEvent")
			if tc.fdm {
				waitEvents(t, c, "DasHostFailedEvent", "VmRestartedOnAlternateHostEvent")
				return
			}
			time.Sleep(10 * 100 * time.Millisecond) // ten detection delays
			if evs := events(t, c, "DasHostFailedEvent", "VmRestartedOnAlternateHostEvent", "NotEnoughResourcesToStartVmEvent"); len(evs) > 0 {
				t.Errorf("%d FDM events posted, the first %T %q; want none", len(evs), evs[0], evs[0].GetEvent().FullFormattedMessage)
			}
		})
	}
}

// TestEveryReconfigurationPostsClusterReconfiguredEvent: vCenter audits
// every change of a cluster's configuration with ClusterReconfiguredEvent,
// naming the user; a refused one changes nothing and posts nothing.
func TestEveryReconfigurationPostsClusterReconfiguredEvent(t *testing.T) {
	s, c, b := simEnv(t)
	vm := b.vm(t, "web-01").Self
	host := b.host(t, "esx-a-01.lab.local").Self
	yes := true
	for _, tc := range []struct {
		name string
		spec types.ClusterConfigSpecEx
	}{
		{"DRS pinned to manual", types.ClusterConfigSpecEx{DrsConfig: &types.ClusterDrsConfigInfo{DefaultVmBehavior: types.DrsBehaviorManual}}},
		{"DRS threshold", types.ClusterConfigSpecEx{DrsConfig: &types.ClusterDrsConfigInfo{VmotionRate: 2}}},
		{"HA settings", types.ClusterConfigSpecEx{DasConfig: &types.ClusterDasConfigInfo{HostMonitoring: "disabled"}}},
		{"VM group", types.ClusterConfigSpecEx{GroupSpec: []types.ClusterGroupSpec{{
			ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd},
			Info:            &types.ClusterVmGroup{ClusterGroupInfo: types.ClusterGroupInfo{Name: "web"}, Vm: []types.ManagedObjectReference{vm}},
		}, {
			ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd},
			Info:            &types.ClusterHostGroup{ClusterGroupInfo: types.ClusterGroupInfo{Name: "first"}, Host: []types.ManagedObjectReference{host}},
		}}}},
		{"rule", types.ClusterConfigSpecEx{RulesSpec: []types.ClusterRuleSpec{{
			ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd},
			Info: &types.ClusterVmHostRuleInfo{ClusterRuleInfo: types.ClusterRuleInfo{Name: "web-on-first", Enabled: &yes},
				VmGroupName: "web", AffineHostGroupName: "first"},
		}}}},
		{"HA override", types.ClusterConfigSpecEx{DasVmConfigSpec: []types.ClusterDasVmConfigSpec{{
			ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd},
			Info:            &types.ClusterDasVmConfigInfo{Key: vm, DasSettings: &types.ClusterDasVmSettings{RestartPriority: "high"}},
		}}}},
		{"DRS override", types.ClusterConfigSpecEx{DrsVmConfigSpec: []types.ClusterDrsVmConfigSpec{{
			ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd},
			Info:            &types.ClusterDrsVmConfigInfo{Key: vm, Enabled: &yes, Behavior: types.DrsBehaviorManual},
		}}}},
	} {
		before := len(events(t, c, "ClusterReconfiguredEvent"))
		if err := reconfigure(t, c, &tc.spec); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		evs := events(t, c, "ClusterReconfiguredEvent")
		if len(evs) != before+1 {
			t.Errorf("%s: %d ClusterReconfiguredEvents posted; want 1", tc.name, len(evs)-before)
			continue
		}
		e := evs[0].GetEvent()
		if e.UserName != s.Username || e.ComputeResource == nil || e.ComputeResource.Name != "cluster-a" || e.Datacenter == nil {
			t.Errorf("%s: the event names user %q, cluster %v; want %q and cluster-a", tc.name, e.UserName, e.ComputeResource, s.Username)
		}
	}
	before := len(events(t, c, "ClusterReconfiguredEvent"))
	bad := types.ClusterConfigSpecEx{DrsConfig: &types.ClusterDrsConfigInfo{VmotionRate: 9}}
	if err := reconfigure(t, c, &bad); err == nil {
		t.Fatal("a vmotionRate of 9 was accepted")
	}
	if n := len(events(t, c, "ClusterReconfiguredEvent")) - before; n != 0 {
		t.Errorf("a refused reconfiguration posted %d ClusterReconfiguredEvents; want none", n)
	}
}

// TestCustomAttributePostsCustomFieldValueChangedEvent: setting a custom
// attribute, such as the drill lock, either way vCenter offers, posts
// CustomFieldValueChangedEvent with the old and new values and the user,
// and its watchers see customValue change.
func TestCustomAttributePostsCustomFieldValueChangedEvent(t *testing.T) {
	s, c, b := simEnv(t)
	ctx := context.Background()
	cluster := named(t, b.inv.clusters, "cluster-a", func(c mo.ClusterComputeResource) string { return c.Name }).Self
	m := object.NewCustomFieldsManager(c.Client)
	def, err := m.Add(ctx, "vtui.drill.lock", "ClusterComputeResource", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		how string
		set func(value string) error
	}{
		{"CustomFieldsManager.SetField", func(v string) error { return m.Set(ctx, cluster, def.Key, v) }},
		{"ManagedEntity.setCustomValue", func(v string) error { return object.NewCommon(c.Client, cluster).SetCustomValue(ctx, def.Name, v) }},
	} {
		prev := ""
		if i > 0 {
			prev = "holder-0"
		}
		value := fmt.Sprintf("holder-%d", i)
		var setErr error
		pushed := seenPushed(t, c, cluster, "customValue", func() { setErr = tc.set(value) }, func(v any) bool {
			vals, _ := v.(types.ArrayOfCustomFieldValue)
			return slices.ContainsFunc(vals.CustomFieldValue, func(x types.BaseCustomFieldValue) bool {
				sv, ok := x.(*types.CustomFieldStringValue)
				return ok && sv.Key == def.Key && sv.Value == value
			})
		})
		if setErr != nil {
			t.Fatalf("%s: %v", tc.how, setErr)
		}
		if !pushed {
			t.Errorf("%s: no update of customValue to %q reached the watcher", tc.how, value)
		}
		evs := events(t, c, "CustomFieldValueChangedEvent")
		if len(evs) != i+1 {
			t.Fatalf("%s: %d CustomFieldValueChangedEvents in all; want %d", tc.how, len(evs), i+1)
		}
		e := evs[0].(*types.CustomFieldValueChangedEvent)
		if e.Name != "vtui.drill.lock" || e.Entity.Entity != cluster || e.Value != value || e.PrevState != prev || e.UserName != s.Username {
			t.Errorf("%s: event %+v; want vtui.drill.lock on cluster-a from %q to %q by %s", tc.how, e, prev, value, s.Username)
		}
	}
}

// TestHostShutdownNeedsMaintenanceModeUnlessForced: as ESXi, a shutdown
// or reboot of a host not in maintenance mode fails (InvalidState) unless
// forced, and changes nothing.
func TestHostShutdownNeedsMaintenanceModeUnlessForced(t *testing.T) {
	_, c, b := simEnv(t)
	ctx := context.Background()
	host := b.host(t, "esx-b-01.lab.local")
	for _, op := range []string{"shutdown", "reboot"} {
		err := hostTask(ctx, c, host.Self, op)
		if err == nil || !fault.Is(err, &types.InvalidState{}) || !strings.Contains(err.Error(), "maintenance mode") {
			t.Errorf("%s outside maintenance mode: %v; want InvalidState saying to enter maintenance mode", op, err)
		}
	}
	after := named(t, fetch(t, c).hosts, host.Name, func(h mo.HostSystem) string { return h.Name })
	if after.Runtime.ConnectionState != types.HostSystemConnectionStateConnected || after.Runtime.PowerState != types.HostSystemPowerStatePoweredOn {
		t.Errorf("after refused shutdowns the host is %s, %s; want connected, poweredOn", after.Runtime.ConnectionState, after.Runtime.PowerState)
	}
	if evs := events(t, c, "HostShutdownEvent"); len(evs) > 0 {
		t.Errorf("refused shutdowns posted %d HostShutdownEvents", len(evs))
	}
}

// TestCleanShutdownDoesNotTriggerHA: a host shut down (forced, with VMs
// running) goes notResponding and poweredOff, its VMs powered off and
// disconnected, watchers see it, HostShutdownEvent is posted, and HA
// declares nothing failed and restarts nothing.
func TestCleanShutdownDoesNotTriggerHA(t *testing.T) {
	_, c := fastHA(t)
	ctx := context.Background()
	host := named(t, fetch(t, c).hosts, "esx-a-01.lab.local", func(h mo.HostSystem) string { return h.Name })
	before := vmsOn(t, c, host.Name)
	if len(runningVMs(t, before)) == 0 {
		t.Fatal("esx-a-01 runs no powered-on VM; the test means nothing")
	}
	var err error
	pushed := seenPushed(t, c, host.Self, "runtime.powerState", func() { err = hostTask(ctx, c, host.Self, "shutdown-force") },
		func(v any) bool { return v == types.HostSystemPowerStatePoweredOff })
	if err != nil {
		t.Fatal(err)
	}
	if !pushed {
		t.Error("no update of runtime.powerState to poweredOff reached the watcher")
	}
	time.Sleep(10 * 100 * time.Millisecond) // ten detection delays
	after := named(t, fetch(t, c).hosts, host.Name, func(h mo.HostSystem) string { return h.Name })
	if after.Runtime.ConnectionState != types.HostSystemConnectionStateNotResponding || after.Runtime.PowerState != types.HostSystemPowerStatePoweredOff {
		t.Errorf("a shut-down host is %s, %s; want notResponding, poweredOff", after.Runtime.ConnectionState, after.Runtime.PowerState)
	}
	vms := vmsOn(t, c, host.Name)
	if len(vms) != len(before) {
		t.Errorf("%d of %d VMs left the shut-down host", len(before)-len(vms), len(before))
	}
	if on := runningVMs(t, vms); len(on) > 0 {
		t.Errorf("VMs %v still powered on on a shut-down host", on)
	}
	for _, v := range vms {
		if v.Runtime.ConnectionState != types.VirtualMachineConnectionStateDisconnected {
			t.Errorf("%s is %s on a shut-down host; want disconnected", v.Name, v.Runtime.ConnectionState)
		}
	}
	if evs := events(t, c, "HostShutdownEvent"); len(evs) != 1 || evs[0].GetEvent().Host.Name != host.Name {
		t.Errorf("HostShutdownEvents %v; want one for %s", evs, host.Name)
	}
	if evs := events(t, c, "DasHostFailedEvent", "VmRestartedOnAlternateHostEvent", "NotEnoughResourcesToStartVmEvent"); len(evs) > 0 {
		t.Errorf("a clean shutdown triggered HA: %d events, the first %T", len(evs), evs[0])
	}
}

// runningVMs returns the names of the powered-on VMs of vms.
func runningVMs(t *testing.T, vms []mo.VirtualMachine) []string {
	t.Helper()
	var on []string
	for _, v := range vms {
		if v.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
			on = append(on, v.Name)
		}
	}
	return on
}

// TestRebootedHostComesBackConnected: a host in maintenance mode reboots:
// it is away (notResponding, power state unknown) for the reboot time,
// then connected and powered on again, still in maintenance mode, with
// HostShutdownEvent then HostConnectedEvent, and no HA events.
func TestRebootedHostComesBackConnected(t *testing.T) {
	spec, _ := Preset("small")
	s := startSpec(t, spec, Options{HostRebootTime: 500 * time.Millisecond, HA: HAOptions{DetectDelay: 50 * time.Millisecond}})
	c := login(t, s)
	ctx := context.Background()
	host := named(t, fetch(t, c).hosts, "esx-a-02.lab.local", func(h mo.HostSystem) string { return h.Name })
	powerOffAll(t, c, host)
	if err := hostTask(ctx, c, host.Self, "enter"); err != nil {
		t.Fatal(err)
	}
	if err := hostTask(ctx, c, host.Self, "reboot"); err != nil {
		t.Fatal(err)
	}
	away := named(t, fetch(t, c).hosts, host.Name, func(h mo.HostSystem) string { return h.Name })
	if away.Runtime.ConnectionState != types.HostSystemConnectionStateNotResponding || away.Runtime.PowerState != types.HostSystemPowerStateUnknown {
		t.Errorf("a rebooting host is %s, %s; want notResponding, unknown", away.Runtime.ConnectionState, away.Runtime.PowerState)
	}
	waitEvents(t, c, "HostShutdownEvent", "HostConnectedEvent")
	back := named(t, fetch(t, c).hosts, host.Name, func(h mo.HostSystem) string { return h.Name })
	if back.Runtime.ConnectionState != types.HostSystemConnectionStateConnected || back.Runtime.PowerState != types.HostSystemPowerStatePoweredOn ||
		!back.Runtime.InMaintenanceMode {
		t.Errorf("a rebooted host is %s, %s, maintenance %v; want connected, poweredOn, in maintenance", back.Runtime.ConnectionState,
			back.Runtime.PowerState, back.Runtime.InMaintenanceMode)
	}
	if evs := events(t, c, "DasHostFailedEvent"); len(evs) > 0 {
		t.Error("a reboot triggered HA")
	}
}

// TestPostedEventsHaveCategoryAndMessage: every event type the simulator
// posts itself has, as in vCenter, a category (info, warning or error, as
// govc's events shows it) and a full formatted message, every template
// field filled. The scenario posts each type of eventInfo at least once.
func TestPostedEventsHaveCategoryAndMessage(t *testing.T) {
	s, c := fastHA(t)
	ctx := context.Background()
	b := byName{fetch(t, c)}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	// HA: a host fails, one VM is restarted, one cannot be.
	on := runningVMs(t, vmsOn(t, c, "esx-a-01.lab.local"))
	if len(on) < 2 {
		t.Fatalf("esx-a-01 runs %v; want two powered-on VMs", on)
	}
	defer s.FailRestart(on[0])()
	must("crash", s.CrashHost("esx-a-01.lab.local"))
	waitEvents(t, c, "DasHostFailedEvent", "VmRestartedOnAlternateHostEvent", "NotEnoughResourcesToStartVmEvent")
	must("recover", s.RecoverHost("esx-a-01.lab.local"))
	// HA: a host is isolated.
	must("isolate", s.IsolateHost("esx-a-02.lab.local"))
	waitEvents(t, c, "DasHostIsolatedEvent")
	must("restore the network", s.RestoreHostNetwork("esx-a-02.lab.local"))
	// Host operations.
	h := b.host(t, "esx-b-02.lab.local")
	for _, op := range []string{"disconnect", "reconnect"} {
		must(op, hostTask(ctx, c, h.Self, op))
	}
	powerOffAll(t, c, h)
	for _, op := range []string{"enter", "exit", "shutdown-force"} {
		must(op, hostTask(ctx, c, h.Self, op))
	}
	// A migration, a reconfiguration, a custom attribute.
	vm := b.vm(t, "web-01")
	to := b.host(t, "esx-a-03.lab.local").Self
	if *vm.Runtime.Host == to {
		to = b.host(t, "esx-a-02.lab.local").Self
	}
	must("relocate", relocateVM(ctx, c, vm.Self, types.VirtualMachineRelocateSpec{Host: &to}))
	must("reconfigure", reconfigure(t, c, &types.ClusterConfigSpecEx{DrsConfig: &types.ClusterDrsConfigInfo{VmotionRate: 2}}))
	m := object.NewCustomFieldsManager(c.Client)
	def, err := m.Add(ctx, "vtui.drill.lock", "ClusterComputeResource", nil, nil)
	must("add field", err)
	must("set field", m.Set(ctx, parentOfHost(t, c, to), def.Key, "x"))

	em := event.NewManager(c.Client)
	for _, e := range events(t, c) { // every type posted, the simulator's or vcsim's
		if cat, err := em.EventCategory(ctx, e); err != nil || cat == "" {
			t.Errorf("%T %q has no category (%v): describe it in eventInfo", e, e.GetEvent().FullFormattedMessage, err)
		}
	}
	for _, info := range eventInfo {
		t.Run(info.Key, func(t *testing.T) {
			evs := events(t, c, info.Key)
			if len(evs) == 0 {
				t.Fatalf("the scenario posted no %s", info.Key)
			}
			for _, e := range evs {
				cat, err := em.EventCategory(ctx, e)
				if err != nil {
					t.Fatal(err)
				}
				msg := e.GetEvent().FullFormattedMessage
				if !slices.Contains([]string{"info", "warning", "error"}, cat) {
					t.Errorf("category %q; want info, warning or error", cat)
				}
				if msg == "" || strings.Contains(msg, "<no value>") || strings.Contains(msg, "{{") || strings.Contains(msg, "<nil>") {
					t.Errorf("message %q; want every field filled", msg)
				}
			}
		})
	}
}

// parentOfHost returns the cluster of host.
func parentOfHost(t *testing.T, c *govmomi.Client, host types.ManagedObjectReference) types.ManagedObjectReference {
	t.Helper()
	var h mo.HostSystem
	if err := property.DefaultCollector(c.Client).RetrieveOne(context.Background(), host, []string{"parent"}, &h); err != nil {
		t.Fatal(err)
	}
	return *h.Parent
}

// TestShutDownHostCannotBeReconnected: a host that is shut down does not
// answer, so reconnecting it fails (NoHost) and leaves it notResponding.
func TestShutDownHostCannotBeReconnected(t *testing.T) {
	_, c, b := simEnv(t)
	ctx := context.Background()
	host := b.host(t, "esx-b-02.lab.local")
	if err := hostTask(ctx, c, host.Self, "shutdown-force"); err != nil {
		t.Fatal(err)
	}
	if err := hostTask(ctx, c, host.Self, "reconnect"); err == nil || !fault.Is(err, &types.NoHost{}) {
		t.Errorf("reconnect of a shut-down host: %v; want NoHost", err)
	}
	after := named(t, fetch(t, c).hosts, host.Name, func(h mo.HostSystem) string { return h.Name })
	if after.Runtime.ConnectionState != types.HostSystemConnectionStateNotResponding {
		t.Errorf("after a refused reconnect the host is %s; want notResponding", after.Runtime.ConnectionState)
	}
}
