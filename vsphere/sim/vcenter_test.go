package sim

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/event"
	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// simEnv starts the small preset, logs in and fetches the inventory.
func simEnv(t *testing.T) (*Server, *govmomi.Client, byName) {
	t.Helper()
	s := startPreset(t, "small")
	c := login(t, s)
	return s, c, byName{fetch(t, c)}
}

// byName finds the objects of inv by name.
type byName struct {
	inv inventory
}

func (b byName) vm(t *testing.T, name string) mo.VirtualMachine {
	t.Helper()
	return named(t, b.inv.vms, name, func(v mo.VirtualMachine) string { return v.Name })
}

func (b byName) host(t *testing.T, name string) mo.HostSystem {
	t.Helper()
	return named(t, b.inv.hosts, name, func(h mo.HostSystem) string { return h.Name })
}

func (b byName) datastore(t *testing.T, name string) mo.Datastore {
	t.Helper()
	return named(t, b.inv.dss, name, func(d mo.Datastore) string { return d.Name })
}

// named returns the item called name, failing the test if there is none.
func named[T any](t *testing.T, items []T, name string, nameOf func(T) string) T {
	t.Helper()
	for _, it := range items {
		if nameOf(it) == name {
			return it
		}
	}
	t.Fatalf("no %T named %s", *new(T), name)
	return *new(T)
}

// relocateVM runs RelocateVM_Task and waits for it.
func relocateVM(ctx context.Context, c *govmomi.Client, vm types.ManagedObjectReference, spec types.VirtualMachineRelocateSpec) error {
	task, err := object.NewVirtualMachine(c.Client, vm).Relocate(ctx, spec, types.VirtualMachineMovePriorityDefaultPriority)
	if err != nil {
		return err
	}
	return task.Wait(ctx)
}

func hostTask(ctx context.Context, c *govmomi.Client, host types.ManagedObjectReference, op string) error {
	h := object.NewHostSystem(c.Client, host)
	var task *object.Task
	var err error
	switch op {
	case "enter":
		task, err = h.EnterMaintenanceMode(ctx, 0, false, nil)
	case "exit":
		task, err = h.ExitMaintenanceMode(ctx, 0)
	case "disconnect":
		task, err = h.Disconnect(ctx)
	case "reconnect":
		task, err = h.Reconnect(ctx, nil, nil)
	case "shutdown", "shutdown-force":
		var res *types.ShutdownHost_TaskResponse
		res, err = methods.ShutdownHost_Task(ctx, c.Client, &types.ShutdownHost_Task{This: host, Force: op == "shutdown-force"})
		if err == nil {
			task = object.NewTask(c.Client, res.Returnval)
		}
	case "reboot", "reboot-force":
		var res *types.RebootHost_TaskResponse
		res, err = methods.RebootHost_Task(ctx, c.Client, &types.RebootHost_Task{This: host, Force: op == "reboot-force"})
		if err == nil {
			task = object.NewTask(c.Client, res.Returnval)
		}
	default:
		return fmt.Errorf("unknown host operation %q", op)
	}
	if err != nil {
		return err
	}
	return task.Wait(ctx)
}

// powerOffAll powers off the VMs running on host.
func powerOffAll(t *testing.T, c *govmomi.Client, host mo.HostSystem) {
	t.Helper()
	ctx := context.Background()
	for _, ref := range host.Vm {
		vm := object.NewVirtualMachine(c.Client, ref)
		if state, _ := vm.PowerState(ctx); state != types.VirtualMachinePowerStatePoweredOn {
			continue
		}
		task, err := vm.PowerOff(ctx)
		if err == nil {
			err = task.Wait(ctx)
		}
		if err != nil {
			t.Fatalf("power off %s: %v", ref, err)
		}
	}
}

func TestRelocateKeepsBackReferencesAndPostsEvent(t *testing.T) {
	_, c, b := simEnv(t)
	ctx := context.Background()
	vm := b.vm(t, "app-01") // on esx-a-02, one shared datastore
	from := b.host(t, "esx-a-02.lab.local")
	to := b.host(t, "esx-a-03.lab.local")
	if *vm.Runtime.Host != from.Self {
		t.Fatalf("app-01 runs on %s; the test expects esx-a-02", *vm.Runtime.Host)
	}
	ds := b.datastore(t, "ds-shared-02")
	if vm.Datastore[0] == ds.Self {
		ds = b.datastore(t, "ds-shared-01")
	}

	if err := relocateVM(ctx, c, vm.Self, types.VirtualMachineRelocateSpec{Host: &to.Self, Datastore: &ds.Self}); err != nil {
		t.Fatalf("relocate app-01 to esx-a-03: %v", err)
	}

	after := fetch(t, c)
	checkConsistency(t, after) // HostSystem.vm, Datastore.vm, ResourcePool.vm
	b = byName{after}
	moved := b.vm(t, "app-01")
	if *moved.Runtime.Host != to.Self || len(moved.Datastore) != 1 || moved.Datastore[0] != ds.Self {
		t.Errorf("app-01 after relocate: host %s datastores %v; want %s and [%s]", *moved.Runtime.Host, moved.Datastore, to.Self, ds.Self)
	}
	for _, old := range vm.Datastore {
		if old != ds.Self && slicesContain(b.datastore(t, nameOfDS(after, old)).Vm, vm.Self) {
			t.Errorf("old datastore %s still lists app-01", old)
		}
	}

	events, err := event.NewManager(c.Client).QueryEvents(ctx, types.EventFilterSpec{
		Entity:      &types.EventFilterSpecByEntity{Entity: vm.Self, Recursion: types.EventFilterSpecRecursionOptionSelf},
		EventTypeId: []string{"VmMigratedEvent"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 {
		t.Fatalf("got %d VmMigratedEvents; want 1", len(events))
	}
	e := events[0].(*types.VmMigratedEvent)
	if e.SourceHost.Name != "esx-a-02.lab.local" || e.Host.Name != "esx-a-03.lab.local" || e.Ds.Name != ds.Name {
		t.Errorf("event source %s, target %s on %s; want esx-a-02, esx-a-03 on %s", e.SourceHost.Name, e.Host.Name, e.Ds.Name, ds.Name)
	}
	if want := "from esx-a-02.lab.local"; !strings.Contains(e.FullFormattedMessage, want) || !strings.Contains(e.FullFormattedMessage, "to esx-a-03.lab.local") {
		t.Errorf("event message %q; want it to name source and target", e.FullFormattedMessage)
	}
}

func slicesContain(s []types.ManagedObjectReference, r types.ManagedObjectReference) bool {
	for _, x := range s {
		if x == r {
			return true
		}
	}
	return false
}

func nameOfDS(inv inventory, ref types.ManagedObjectReference) string {
	for _, d := range inv.dss {
		if d.Self == ref {
			return d.Name
		}
	}
	return ""
}

func TestRelocateRefusedLikeVCenter(t *testing.T) {
	_, c, b := simEnv(t)
	ctx := context.Background()
	app := b.vm(t, "app-01") // esx-a-02
	web := b.vm(t, "web-01") // esx-a-01, uses ds-a-only and pg-a-only
	maint := b.host(t, "esx-a-03.lab.local")
	gone := b.host(t, "esx-b-01.lab.local")
	other := b.host(t, "esx-b-02.lab.local")
	powerOffAll(t, c, maint)
	if err := hostTask(ctx, c, maint.Self, "enter"); err != nil {
		t.Fatal(err)
	}
	if err := hostTask(ctx, c, gone.Self, "disconnect"); err != nil {
		t.Fatal(err)
	}
	unknown := types.ManagedObjectReference{Type: "HostSystem", Value: "host-404"}
	otherPool := b.inv.clusters[1].ResourcePool
	if b.inv.clusters[1].Name != "cluster-b" {
		t.Fatalf("clusters[1] is %s", b.inv.clusters[1].Name)
	}

	tests := []struct {
		name  string
		vm    mo.VirtualMachine
		spec  types.VirtualMachineRelocateSpec
		fault types.BaseMethodFault
		msg   string
	}{
		{"maintenance", app, types.VirtualMachineRelocateSpec{Host: &maint.Self}, &types.InvalidHostState{}, "esx-a-03.lab.local is in maintenance mode"},
		{"disconnected", app, types.VirtualMachineRelocateSpec{Host: &gone.Self, Pool: otherPool}, &types.HostNotConnected{}, "esx-b-01.lab.local is disconnected"},
		{"unknown host", app, types.VirtualMachineRelocateSpec{Host: &unknown}, &types.ManagedObjectNotFound{}, "host-404"},
		{"other cluster without pool", app, types.VirtualMachineRelocateSpec{Host: &other.Self}, &types.InvalidArgument{}, "belongs to cluster-a"},
		{"datastore not on host", web, types.VirtualMachineRelocateSpec{Host: &other.Self, Pool: otherPool}, &types.DatastoreNotWritableOnHost{}, "ds-a-only is not mounted on host esx-b-02.lab.local"},
	}
	for _, tt := range tests {
		err := relocateVM(ctx, c, tt.vm.Self, tt.spec)
		if err == nil || !fault.Is(err, tt.fault) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: relocate %s: err = %v; want a %T saying %q", tt.name, tt.vm.Name, err, tt.fault, tt.msg)
		}
	}
	after := byName{fetch(t, c)}
	if h := after.vm(t, "app-01").Runtime.Host; *h != app.Self && *h != *app.Runtime.Host {
		t.Errorf("app-01 moved to %s after refused relocations", *h)
	}

	// CheckRelocate answers the same question without moving anything.
	results, err := object.NewVmProvisioningChecker(c.Client).CheckRelocate(ctx, app.Self, types.VirtualMachineRelocateSpec{Host: &maint.Self})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 1 || len(results[0].Error) != 1 || !strings.Contains(results[0].Error[0].LocalizedMessage, "maintenance") {
		t.Errorf("CheckRelocate to a host in maintenance = %+v; want one error naming maintenance", results)
	}
}

func TestHostStateChangesReachWatchers(t *testing.T) {
	_, c, b := simEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	host := b.host(t, "esx-b-03.lab.local") // runs batch-02... and other VMs
	for _, step := range []struct {
		op, prop string
		want     any
	}{
		{"disconnect", "runtime.connectionState", types.HostSystemConnectionStateDisconnected},
		{"reconnect", "runtime.connectionState", types.HostSystemConnectionStateConnected},
	} {
		seen := make(chan struct{})
		pc := property.DefaultCollector(c.Client)
		go func() {
			defer close(seen)
			_ = property.Wait(ctx, pc, host.Self, []string{step.prop}, func(changes []types.PropertyChange) bool {
				for _, ch := range changes {
					if ch.Val == step.want {
						return true
					}
				}
				return false
			})
		}()
		if err := hostTask(ctx, c, host.Self, step.op); err != nil {
			t.Fatalf("%s: %v", step.op, err)
		}
		select {
		case <-seen:
		case <-ctx.Done():
			t.Fatalf("%s: no update of %s to %v reached the watcher", step.op, step.prop, step.want)
		}
	}

	// Powered-on VMs keep a host out of maintenance, since nothing
	// evacuates them; with none left it enters, and watchers see it.
	err := hostTask(ctx, c, host.Self, "enter")
	if err == nil || !fault.Is(err, &types.Timedout{}) || !strings.Contains(err.Error(), "powered-on VMs") {
		t.Fatalf("enter maintenance with VMs running: err = %v; want Timedout naming the VMs", err)
	}
	powerOffAll(t, c, host)
	seen := make(chan struct{})
	go func() {
		defer close(seen)
		_ = property.Wait(ctx, property.DefaultCollector(c.Client), host.Self, []string{"runtime.inMaintenanceMode"},
			func(changes []types.PropertyChange) bool {
				return len(changes) > 0 && changes[0].Val == true
			})
	}()
	if err := hostTask(ctx, c, host.Self, "enter"); err != nil {
		t.Fatalf("enter maintenance with no VM running: %v", err)
	}
	select {
	case <-seen:
	case <-ctx.Done():
		t.Fatal("the watcher did not see runtime.inMaintenanceMode become true")
	}
}

func TestShutdownGuestNeedsTools(t *testing.T) {
	s, c, b := simEnv(t)
	ctx := context.Background()
	vm := b.vm(t, "web-01")
	m := s.Model().Map()
	m.WithLock(s.Model().Service.Context, vm.Self, func() {
		v := m.Get(vm.Self).(*simulator.VirtualMachine)
		v.Guest.ToolsRunningStatus = string(types.VirtualMachineToolsRunningStatusGuestToolsNotRunning)
	})
	err := object.NewVirtualMachine(c.Client, vm.Self).ShutdownGuest(ctx)
	if !fault.Is(err, &types.ToolsUnavailable{}) {
		t.Errorf("ShutdownGuest without tools: err = %v; want ToolsUnavailable", err)
	}
}

func TestFailMethodAndTaskDelay(t *testing.T) {
	s, c, b := simEnv(t)
	ctx := context.Background()
	app := b.vm(t, "app-01")
	to := b.host(t, "esx-a-03.lab.local")

	undo := s.FailMethod("RelocateVM_Task", "app-01", &types.InsufficientResourcesFault{})
	err := relocateVM(ctx, c, app.Self, types.VirtualMachineRelocateSpec{Host: &to.Self})
	if !fault.Is(err, &types.InsufficientResourcesFault{}) {
		t.Fatalf("relocate with an injected fault: err = %v; want InsufficientResourcesFault", err)
	}
	undo()

	const delay = time.Second
	s.SetTaskDelay("RelocateVm", delay)
	start := time.Now()
	task, err := object.NewVirtualMachine(c.Client, app.Self).Relocate(ctx, types.VirtualMachineRelocateSpec{Host: &to.Self}, "")
	if err != nil {
		t.Fatal(err)
	}
	// During the delay the VM can still be read: no lock is held.
	var vm mo.VirtualMachine
	if err := property.DefaultCollector(c.Client).RetrieveOne(ctx, app.Self, []string{"runtime.host"}, &vm); err != nil {
		t.Fatal(err)
	}
	var tk mo.Task
	if err := property.DefaultCollector(c.Client).RetrieveOne(ctx, task.Reference(), []string{"info"}, &tk); err != nil {
		t.Fatal(err)
	}
	if tk.Info.State != types.TaskInfoStateRunning || *vm.Runtime.Host == to.Self {
		t.Errorf("read during a delayed relocation: task %s, VM on %s; want the task running and the VM not moved yet", tk.Info.State, vm.Runtime.Host)
	}
	if err := task.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < delay {
		t.Errorf("delayed relocation took %s; want at least %s", d, delay)
	}
}

func TestPowerNeedsAConnectedHost(t *testing.T) {
	_, c, b := simEnv(t)
	ctx := context.Background()
	host := b.host(t, "esx-b-03.lab.local")
	if err := hostTask(ctx, c, host.Self, "disconnect"); err != nil {
		t.Fatal(err)
	}
	vm := b.vm(t, "web-02") // on esx-b-03, powered on
	_, err := object.NewVirtualMachine(c.Client, vm.Self).PowerOff(ctx)
	if !fault.Is(err, &types.InvalidHostConnectionState{}) {
		t.Errorf("power off a VM of a disconnected host: err = %v; want InvalidHostConnectionState", err)
	}
	var got mo.VirtualMachine
	if err := property.DefaultCollector(c.Client).RetrieveOne(ctx, vm.Self, []string{"runtime.connectionState"}, &got); err != nil {
		t.Fatal(err)
	}
	if got.Runtime.ConnectionState != types.VirtualMachineConnectionStateDisconnected {
		t.Errorf("VM of a disconnected host: connectionState %s; want disconnected", got.Runtime.ConnectionState)
	}
}
