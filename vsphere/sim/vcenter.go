package sim

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// vCenter where vcsim is silent
//
// vcsim accepts what vCenter refuses, forgets back-references and changes
// state behind its watchers' backs. Start installs vcenter as the
// registry's method hook (Registry.Handler). The hook runs before every
// call: it fails calls as FailMethod asked, refuses power operations on
// VMs of hosts that are not connected, and sends a few methods of VMs,
// hosts and the provisioning checker to vcenter itself, which is
// registered as an object of its own (vcsim gives the calling session's
// view of an object precedence over any other handler the hook names, so
// the hook changes the call's target instead). vcenter's methods find the
// real target in the request's This. Objects created later are covered
// too, and vcsim's own types are left in the registry, since vcsim's code
// asserts them. The package documentation lists what changes.

// vcenter is the per-server state of that emulation, and the object
// rerouted calls are served by.
type vcenter struct {
	Self types.ManagedObjectReference

	mu     sync.Mutex
	delays map[string]time.Duration // by task name, see Server.SetTaskDelay
	fails  []*failRule              // see Server.FailMethod
	recKey atomic.Int64             // the last DRS recommendation key (drs.go)
}

// failRule makes calls of method on the object named object fail.
type failRule struct {
	method, object string
	fault          types.BaseMethodFault
}

// Reference implements mo.Reference, so vcenter can be registered.
func (vc *vcenter) Reference() types.ManagedObjectReference { return vc.Self }

// Lock and Unlock make the registry leave vcenter unlocked while it serves
// a call: each of its methods locks the objects it touches.
func (vc *vcenter) Lock() {}

// Unlock: see Lock.
func (vc *vcenter) Unlock() {}

// installVCenter registers a new vcenter in m and routes m's calls
// through it.
func installVCenter(m *simulator.Model) *vcenter {
	vc := &vcenter{
		Self:   types.ManagedObjectReference{Type: "VtuiVCenter", Value: "vtui-vcenter"},
		delays: map[string]time.Duration{},
	}
	m.Map().Put(vc)
	m.Map().Handler = vc.route
	return vc
}

// rerouted lists, by the type of their target, the methods vcenter serves.
var rerouted = map[string][]string{
	"VirtualMachine":                    {"RelocateVM_Task", "ShutdownGuest"},
	"HostSystem":                        {"EnterMaintenanceMode_Task", "ExitMaintenanceMode_Task", "DisconnectHost_Task", "ReconnectHost_Task"},
	"VirtualMachineProvisioningChecker": {"CheckRelocate_Task"},
	"ClusterComputeResource":            {"ReconfigureComputeResource_Task", "ApplyRecommendation", "RefreshRecommendation"},
}

// powerMethods are the VM methods that vCenter refuses while the VM's host
// is not connected.
var powerMethods = []string{
	"PowerOnVM_Task", "PowerOffVM_Task", "ResetVM_Task", "SuspendVM_Task",
	"ShutdownGuest", "RebootGuest", "StandbyGuest",
}

// route is the registry's method hook. It runs before the request takes
// any lock and before authentication; a fault it returns is the call's.
func (vc *vcenter) route(ctx *simulator.Context, m *simulator.Method) (mo.Reference, types.BaseMethodFault) {
	if f := vc.injected(ctx, m); f != nil {
		return nil, f
	}
	if vm, ok := ctx.Map.Get(m.This).(*simulator.VirtualMachine); ok && slices.Contains(powerMethods, m.Name) {
		if f := hostNotConnected(ctx, vm); f != nil {
			return nil, f
		}
	}
	if slices.Contains(rerouted[m.This.Type], m.Name) {
		m.This = vc.Self
	}
	return nil, nil
}

// injected returns the fault a FailMethod rule gives this call, or nil.
func (vc *vcenter) injected(ctx *simulator.Context, m *simulator.Method) types.BaseMethodFault {
	vc.mu.Lock()
	rules := slices.Clone(vc.fails)
	vc.mu.Unlock()
	for _, r := range rules {
		if r.method == m.Name && (r.object == "*" || r.object == nameOf(ctx, m.This)) {
			return r.fault
		}
	}
	return nil
}

// hostNotConnected returns the fault vCenter gives for operating a VM whose
// host is not connected, or nil.
func hostNotConnected(ctx *simulator.Context, vm *simulator.VirtualMachine) types.BaseMethodFault {
	var host types.ManagedObjectReference
	ctx.WithLock(vm, func() {
		if vm.Runtime.Host != nil {
			host = *vm.Runtime.Host
		}
	})
	h, ok := ctx.Map.Get(host).(*simulator.HostSystem)
	if !ok {
		return nil
	}
	var state types.HostSystemConnectionState
	ctx.WithLock(h, func() { state = h.Runtime.ConnectionState })
	if state == types.HostSystemConnectionStateConnected {
		return nil
	}
	return &types.InvalidHostConnectionState{InvalidHostState: types.InvalidHostState{Host: &host}}
}

// vmOf returns the VM a rerouted call is for, or the fault for a missing one.
func vmOf(ctx *simulator.Context, ref types.ManagedObjectReference) (*simulator.VirtualMachine, *soap.Fault) {
	if vm, ok := ctx.Map.Get(ref).(*simulator.VirtualMachine); ok {
		return vm, nil
	}
	return nil, simulator.Fault(fmt.Sprintf("VM %s not found", ref), &types.ManagedObjectNotFound{Obj: ref})
}

// hostOf returns the host a rerouted call is for, or the fault for a missing one.
func hostOf(ctx *simulator.Context, ref types.ManagedObjectReference) (*simulator.HostSystem, *soap.Fault) {
	if h, ok := ctx.Map.Get(ref).(*simulator.HostSystem); ok {
		return h, nil
	}
	return nil, simulator.Fault(fmt.Sprintf("host %s not found", ref), &types.ManagedObjectNotFound{Obj: ref})
}

// RelocateVMTask moves a VM like vCenter: a target that does not exist is
// a fault, not a panic; a target host that is in maintenance mode, not
// connected, lacks a datastore or network of the VM, or belongs to another
// cluster than the resource pool fails the task; a move keeps HostSystem.vm,
// Datastore.vm and ResourcePool.vm current and tells watchers; and the
// VmMigratedEvent names the source and the target. Moves vtui never asks
// for (device changes, disk locators, folders) go to vcsim's own
// implementation.
func (vc *vcenter) RelocateVMTask(ctx *simulator.Context, req *types.RelocateVM_Task) soap.HasFault {
	body := new(methods.RelocateVM_TaskBody)
	vm, f := vmOf(ctx, req.This)
	if f != nil {
		body.Fault_ = f
		return body
	}
	spec := req.Spec
	if len(spec.DeviceChange) > 0 || len(spec.Disk) > 0 || spec.Folder != nil {
		var res soap.HasFault
		ctx.WithLock(vm, func() { res = vm.RelocateVMTask(ctx, req) })
		return res
	}
	if f := missingTarget(ctx, spec); f != nil {
		body.Fault_ = simulator.Fault(f.LocalizedMessage, f.Fault)
		return body
	}
	task := vc.runTask(ctx, vm, nameOf(ctx, vm.Self), "relocateVm", func(tc *simulator.Context) (types.AnyType, *types.LocalizedMethodFault) {
		var from types.ManagedObjectReference
		tc.WithLock(vm, func() { from = placementOf(vm).host })
		if f := relocate(tc, vm, spec); f != nil {
			return nil, f
		}
		var to types.ManagedObjectReference
		tc.WithLock(vm, func() { to = placementOf(vm).host })
		vc.recommendAfterMove(tc, from, to)
		return nil, nil
	})
	body.Res = &types.RelocateVM_TaskResponse{Returnval: task}
	return body
}

// ShutdownGuest asks the guest to shut down, which, as in vCenter, needs
// VMware Tools running in it; vcsim does not check.
func (vc *vcenter) ShutdownGuest(ctx *simulator.Context, req *types.ShutdownGuest) soap.HasFault {
	vm, f := vmOf(ctx, req.This)
	if f != nil {
		return &methods.ShutdownGuestBody{Fault_: f}
	}
	var res soap.HasFault
	ctx.WithLock(vm, func() {
		on := vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn
		if on && (vm.Guest == nil || vm.Guest.ToolsRunningStatus != string(types.VirtualMachineToolsRunningStatusGuestToolsRunning)) {
			res = &methods.ShutdownGuestBody{Fault_: simulator.Fault(
				fmt.Sprintf("VMware Tools is not running in %s", vm.Name), &types.ToolsUnavailable{})}
			return
		}
		res = vm.ShutdownGuest(ctx, req)
	})
	return res
}

// placement is where a VM runs and keeps its files.
type placement struct {
	host, pool types.ManagedObjectReference
	datastores []types.ManagedObjectReference
}

// placementOf returns vm's placement; the caller holds vm's lock.
func placementOf(vm *simulator.VirtualMachine) placement {
	var p placement
	if vm.Runtime.Host != nil {
		p.host = *vm.Runtime.Host
	}
	if vm.ResourcePool != nil {
		p.pool = *vm.ResourcePool
	}
	p.datastores = slices.Clone(vm.Datastore)
	return p
}

// after returns p changed as spec asks.
func (p placement) after(spec types.VirtualMachineRelocateSpec) placement {
	if spec.Host != nil {
		p.host = *spec.Host
	}
	if spec.Pool != nil {
		p.pool = *spec.Pool
	}
	if spec.Datastore != nil {
		p.datastores = []types.ManagedObjectReference{*spec.Datastore}
	}
	return p
}

// missingTarget returns a fault if spec names an object that does not
// exist or is of the wrong type.
func missingTarget(ctx *simulator.Context, spec types.VirtualMachineRelocateSpec) *types.LocalizedMethodFault {
	check := func(ref *types.ManagedObjectReference, ok func(mo.Reference) bool) *types.LocalizedMethodFault {
		if ref == nil || ok(ctx.Map.Get(*ref)) {
			return nil
		}
		return failure(&types.ManagedObjectNotFound{Obj: *ref}, "the object %s has already been deleted or has not been completely created", ref)
	}
	if f := check(spec.Host, func(o mo.Reference) bool { _, ok := o.(*simulator.HostSystem); return ok }); f != nil {
		return f
	}
	if f := check(spec.Datastore, func(o mo.Reference) bool { _, ok := o.(*simulator.Datastore); return ok }); f != nil {
		return f
	}
	return check(spec.Pool, func(o mo.Reference) bool { _, ok := o.(*simulator.ResourcePool); return ok })
}

// relocate moves vm as spec asks, or returns why vCenter would not.
func relocate(ctx *simulator.Context, vm *simulator.VirtualMachine, spec types.VirtualMachineRelocateSpec) *types.LocalizedMethodFault {
	var from, to placement
	var name string
	var f *types.LocalizedMethodFault
	ctx.WithLock(vm, func() {
		name = vm.Name
		from = placementOf(vm)
		to = from.after(spec)
		if f = relocateFault(ctx, vm, to); f != nil {
			return
		}
		var changes []types.PropertyChange
		if to.host != from.host {
			changes = append(changes,
				types.PropertyChange{Name: "runtime.host", Val: &to.host},
				types.PropertyChange{Name: "summary.runtime.host", Val: &to.host})
		}
		if to.pool != from.pool {
			changes = append(changes, types.PropertyChange{Name: "resourcePool", Val: &to.pool})
		}
		if !slices.Equal(to.datastores, from.datastores) {
			changes = append(changes, types.PropertyChange{Name: "datastore", Val: to.datastores})
		}
		if len(changes) > 0 {
			ctx.Update(vm, changes)
		}
	})
	if f != nil {
		return f
	}
	relink(ctx, vm.Self, []types.ManagedObjectReference{from.host}, []types.ManagedObjectReference{to.host})
	relink(ctx, vm.Self, []types.ManagedObjectReference{from.pool}, []types.ManagedObjectReference{to.pool})
	relink(ctx, vm.Self, from.datastores, to.datastores)
	postEvent(ctx, &types.VmMigratedEvent{
		VmEvent: types.VmEvent{Event: types.Event{
			Datacenter:      datacenterArg(ctx, to.host),
			ComputeResource: computeResourceArg(ctx, to.host),
			Host:            hostArg(ctx, to.host),
			Ds:              datastoreArg(ctx, to.datastores),
			Vm:              &types.VmEventArgument{EntityEventArgument: types.EntityEventArgument{Name: name}, Vm: vm.Self},
		}},
		SourceHost:       *hostArg(ctx, from.host),
		SourceDatacenter: datacenterArg(ctx, from.host),
		SourceDatastore:  datastoreArg(ctx, from.datastores),
	})
	return nil
}

// relocateFault returns why vCenter would refuse to place vm at to, or nil.
// The caller holds vm's lock; relocateFault takes the host's.
func relocateFault(ctx *simulator.Context, vm *simulator.VirtualMachine, to placement) *types.LocalizedMethodFault {
	host, ok := ctx.Map.Get(to.host).(*simulator.HostSystem)
	if !ok {
		return failure(&types.ManagedObjectNotFound{Obj: to.host}, "host %s not found", to.host)
	}
	var f *types.LocalizedMethodFault
	var cluster types.ManagedObjectReference
	ctx.WithLock(host, func() {
		if host.Parent != nil {
			cluster = *host.Parent
		}
		rt := host.Runtime
		switch {
		case rt.ConnectionState != types.HostSystemConnectionStateConnected:
			f = failure(&types.HostNotConnected{}, "host %s is %s", host.Name, rt.ConnectionState)
			return
		case rt.InMaintenanceMode:
			f = failure(&types.InvalidHostState{Host: &host.Self}, "host %s is in maintenance mode", host.Name)
			return
		case rt.PowerState != types.HostSystemPowerStatePoweredOn:
			f = failure(&types.InvalidHostState{Host: &host.Self}, "host %s is %s", host.Name, rt.PowerState)
			return
		}
		for _, ds := range to.datastores {
			if !slices.Contains(host.Datastore, ds) {
				name := nameOf(ctx, ds)
				f = failure(&types.DatastoreNotWritableOnHost{
					InvalidDatastore: types.InvalidDatastore{Datastore: &ds, Name: name},
					Host:             host.Self,
				}, "datastore %s is not mounted on host %s", name, host.Name)
				return
			}
		}
		for _, n := range vm.Network {
			if !slices.Contains(host.Network, n) {
				f = failure(&types.InvalidArgument{InvalidProperty: "spec.host"},
					"network %s is not available on host %s", nameOf(ctx, n), host.Name)
				return
			}
		}
	})
	if f != nil {
		return f
	}
	if pool, ok := ctx.Map.Get(to.pool).(*simulator.ResourcePool); ok && pool.Owner != cluster {
		return failure(&types.InvalidArgument{InvalidProperty: "spec.pool"},
			"resource pool %s belongs to %s, not to %s of host %s; give a pool of the target host's cluster",
			pool.Name, nameOf(ctx, pool.Owner), nameOf(ctx, cluster), host.Name)
	}
	return nil
}

// relink moves vm from the "vm" list of each object in from that is not in
// to onto that of each object in to that is not in from, telling watchers.
func relink(ctx *simulator.Context, vm types.ManagedObjectReference, from, to []types.ManagedObjectReference) {
	for _, ref := range from {
		if !slices.Contains(to, ref) {
			editVMList(ctx, ref, func(l []types.ManagedObjectReference) []types.ManagedObjectReference {
				return slices.DeleteFunc(slices.Clone(l), func(r types.ManagedObjectReference) bool { return r == vm })
			})
		}
	}
	for _, ref := range to {
		if !slices.Contains(from, ref) {
			editVMList(ctx, ref, func(l []types.ManagedObjectReference) []types.ManagedObjectReference {
				if slices.Contains(l, vm) {
					return l
				}
				return append(slices.Clip(l), vm)
			})
		}
	}
}

// editVMList replaces the "vm" property of a host, datastore or resource
// pool with edit's result. It never changes the old slice in place, since
// readers may hold it.
func editVMList(ctx *simulator.Context, ref types.ManagedObjectReference, edit func([]types.ManagedObjectReference) []types.ManagedObjectReference) {
	obj := ctx.Map.Get(ref)
	if obj == nil {
		return
	}
	ctx.WithLock(obj, func() {
		var cur []types.ManagedObjectReference
		switch o := obj.(type) {
		case *simulator.HostSystem:
			cur = o.Vm
		case *simulator.Datastore:
			cur = o.Vm
		case *simulator.ResourcePool:
			cur = o.Vm
		default:
			return
		}
		ctx.Update(obj, []types.PropertyChange{{Name: "vm", Val: edit(cur)}})
	})
}

// hostTask starts a task named name on the host this, running work, and
// returns its reference, or the fault for a host that does not exist.
func (vc *vcenter) hostTask(ctx *simulator.Context, this types.ManagedObjectReference, name string,
	work func(tc *simulator.Context, h *simulator.HostSystem) *types.LocalizedMethodFault) (types.ManagedObjectReference, *soap.Fault) {
	host, f := hostOf(ctx, this)
	if f != nil {
		return types.ManagedObjectReference{}, f
	}
	return vc.runTask(ctx, host, host.Name, name, func(tc *simulator.Context) (types.AnyType, *types.LocalizedMethodFault) {
		return nil, work(tc, host)
	}), nil
}

// notConnected returns the fault for changing the maintenance mode of a
// host that is not connected, or nil.
func notConnected(ctx *simulator.Context, h *simulator.HostSystem) *types.LocalizedMethodFault {
	name, state, _, _ := readHost(ctx, h)
	if state == types.HostSystemConnectionStateConnected {
		return nil
	}
	return failure(&types.InvalidHostConnectionState{InvalidHostState: types.InvalidHostState{Host: &h.Self}},
		"host %s is %s; reconnect it first", name, state)
}

// EnterMaintenanceModeTask enters maintenance mode like vCenter without
// DRS: the host must be connected, and the task fails (Timedout) while
// powered-on VMs still run on it, because nothing evacuates them. The
// change and an EnteredMaintenanceModeEvent reach watchers.
func (vc *vcenter) EnterMaintenanceModeTask(ctx *simulator.Context, req *types.EnterMaintenanceMode_Task) soap.HasFault {
	task, f := vc.maintenanceTask(ctx, req.This, "enterMaintenanceMode", true)
	if f != nil {
		return &methods.EnterMaintenanceMode_TaskBody{Fault_: f}
	}
	return &methods.EnterMaintenanceMode_TaskBody{Res: &types.EnterMaintenanceMode_TaskResponse{Returnval: task}}
}

// ExitMaintenanceModeTask leaves maintenance mode, telling watchers and
// posting an ExitMaintenanceModeEvent.
func (vc *vcenter) ExitMaintenanceModeTask(ctx *simulator.Context, req *types.ExitMaintenanceMode_Task) soap.HasFault {
	task, f := vc.maintenanceTask(ctx, req.This, "exitMaintenanceMode", false)
	if f != nil {
		return &methods.ExitMaintenanceMode_TaskBody{Fault_: f}
	}
	return &methods.ExitMaintenanceMode_TaskBody{Res: &types.ExitMaintenanceMode_TaskResponse{Returnval: task}}
}

// maintenanceTask starts a task that puts the host this into maintenance
// mode (enter) or takes it out.
func (vc *vcenter) maintenanceTask(ctx *simulator.Context, this types.ManagedObjectReference, name string, enter bool) (types.ManagedObjectReference, *soap.Fault) {
	return vc.hostTask(ctx, this, name, func(tc *simulator.Context, h *simulator.HostSystem) *types.LocalizedMethodFault {
		if f := notConnected(tc, h); f != nil {
			return f
		}
		var ev types.BaseEvent = &types.ExitMaintenanceModeEvent{HostEvent: hostEvent(tc, h.Self)}
		if enter {
			if f := vc.evacuate(tc, h); f != nil {
				return f
			}
			ev = &types.EnteredMaintenanceModeEvent{HostEvent: hostEvent(tc, h.Self)}
		}
		setHostRuntime(tc, h, "inMaintenanceMode", enter)
		postEvent(tc, ev)
		return nil
	})
}

// DisconnectHostTask disconnects the host and, as vCenter does, marks its
// VMs disconnected, telling watchers and posting a HostDisconnectedEvent.
func (vc *vcenter) DisconnectHostTask(ctx *simulator.Context, req *types.DisconnectHost_Task) soap.HasFault {
	task, f := vc.connectionTask(ctx, req.This, "disconnectHost", types.HostSystemConnectionStateDisconnected,
		func(e types.HostEvent) types.BaseEvent {
			e.FullFormattedMessage = fmt.Sprintf("Host %s in %s is disconnected", e.Host.Name, e.Datacenter.Name)
			return &types.HostDisconnectedEvent{HostEvent: e, Reason: "userRequest"}
		})
	if f != nil {
		return &methods.DisconnectHost_TaskBody{Fault_: f}
	}
	return &methods.DisconnectHost_TaskBody{Res: &types.DisconnectHost_TaskResponse{Returnval: task}}
}

// ReconnectHostTask reconnects the host and its VMs, telling watchers and
// posting a HostConnectedEvent.
func (vc *vcenter) ReconnectHostTask(ctx *simulator.Context, req *types.ReconnectHost_Task) soap.HasFault {
	task, f := vc.connectionTask(ctx, req.This, "reconnectHost", types.HostSystemConnectionStateConnected,
		func(e types.HostEvent) types.BaseEvent {
			e.FullFormattedMessage = fmt.Sprintf("Connected to %s in %s", e.Host.Name, e.Datacenter.Name)
			return &types.HostConnectedEvent{HostEvent: e}
		})
	if f != nil {
		return &methods.ReconnectHost_TaskBody{Fault_: f}
	}
	return &methods.ReconnectHost_TaskBody{Res: &types.ReconnectHost_TaskResponse{Returnval: task}}
}

// connectionTask starts a task that sets the connection state of the host
// this, and of its VMs, and posts the event event makes.
func (vc *vcenter) connectionTask(ctx *simulator.Context, this types.ManagedObjectReference, name string,
	state types.HostSystemConnectionState, event func(types.HostEvent) types.BaseEvent) (types.ManagedObjectReference, *soap.Fault) {
	vmState := types.VirtualMachineConnectionStateConnected
	if state != types.HostSystemConnectionStateConnected {
		vmState = types.VirtualMachineConnectionStateDisconnected
	}
	return vc.hostTask(ctx, this, name, func(tc *simulator.Context, h *simulator.HostSystem) *types.LocalizedMethodFault {
		setConnection(tc, h, state, vmState)
		postEvent(tc, event(hostEvent(tc, h.Self)))
		return nil
	})
}

// readHost reads a host's name, connection, maintenance flag and VMs
// under its lock.
func readHost(ctx *simulator.Context, h *simulator.HostSystem) (string, types.HostSystemConnectionState, bool, []types.ManagedObjectReference) {
	var name string
	var state types.HostSystemConnectionState
	var mm bool
	var vms []types.ManagedObjectReference
	ctx.WithLock(h, func() {
		name, state, mm, vms = h.Name, h.Runtime.ConnectionState, h.Runtime.InMaintenanceMode, slices.Clone(h.Vm)
	})
	return name, state, mm, vms
}

// poweredOnVMs returns the names of the VMs of vms that are powered on and
// run on host. It takes each VM's lock and must be called holding none.
func poweredOnVMs(ctx *simulator.Context, host types.ManagedObjectReference, vms []types.ManagedObjectReference) []string {
	var on []string
	for _, ref := range vms {
		vm, ok := ctx.Map.Get(ref).(*simulator.VirtualMachine)
		if !ok {
			continue
		}
		ctx.WithLock(vm, func() {
			if vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn && vm.Runtime.Host != nil && *vm.Runtime.Host == host {
				on = append(on, vm.Name)
			}
		})
	}
	slices.Sort(on)
	return on
}

// setHostRuntime sets runtime.<field> of h, and its alias
// summary.runtime.<field>, telling watchers of either.
func setHostRuntime(ctx *simulator.Context, h *simulator.HostSystem, field string, v any) {
	ctx.WithLock(h, func() {
		ctx.Update(h, []types.PropertyChange{
			{Name: "runtime." + field, Val: v},
			{Name: "summary.runtime." + field, Val: v},
		})
	})
}

// setConnection sets the connection state of h and of the VMs on it.
func setConnection(ctx *simulator.Context, h *simulator.HostSystem, host types.HostSystemConnectionState, vm types.VirtualMachineConnectionState) {
	setHostRuntime(ctx, h, "connectionState", host)
	_, _, _, vms := readHost(ctx, h)
	for _, ref := range vms {
		if v, ok := ctx.Map.Get(ref).(*simulator.VirtualMachine); ok {
			ctx.WithLock(v, func() {
				ctx.Update(v, []types.PropertyChange{
					{Name: "runtime.connectionState", Val: vm},
					{Name: "summary.runtime.connectionState", Val: vm},
				})
			})
		}
	}
}

// CheckRelocateTask reports, in the task's CheckResult, the fault relocating
// the VM would fail with, where vcsim's answers every question with "no
// problem".
func (vc *vcenter) CheckRelocateTask(ctx *simulator.Context, req *types.CheckRelocate_Task) soap.HasFault {
	body := new(methods.CheckRelocate_TaskBody)
	vm, ok := ctx.Map.Get(req.Vm).(*simulator.VirtualMachine)
	f := missingTarget(ctx, req.Spec)
	if !ok {
		f = failure(&types.ManagedObjectNotFound{Obj: req.Vm}, "VM %s not found", req.Vm)
	}
	if f != nil {
		body.Fault_ = simulator.Fault(f.LocalizedMessage, f.Fault)
		return body
	}
	spec, ref := req.Spec, req.Vm
	task := vc.runTask(ctx, req.This, "", "checkRelocate", func(tc *simulator.Context) (types.AnyType, *types.LocalizedMethodFault) {
		res := types.CheckResult{Vm: &ref, Host: spec.Host}
		tc.WithLock(vm, func() {
			if f := relocateFault(tc, vm, placementOf(vm).after(spec)); f != nil {
				res.Error = append(res.Error, *f)
			}
		})
		return types.ArrayOfCheckResult{CheckResult: []types.CheckResult{res}}, nil
	})
	body.Res = &types.CheckRelocate_TaskResponse{Returnval: task}
	return body
}

// postEvent posts ev as the event manager's own PostEvent does.
func postEvent(ctx *simulator.Context, ev types.BaseEvent) {
	em := ctx.Map.EventManager()
	ctx.WithLock(em, func() { em.PostEvent(ctx, &types.PostEvent{EventToPost: ev}) })
}

// nameOf returns the name of the object ref, or its reference if it has none.
func nameOf(ctx *simulator.Context, ref types.ManagedObjectReference) string {
	switch o := ctx.Map.Get(ref).(type) {
	case *mo.Network:
		return o.Name
	case mo.Entity:
		if n := o.Entity().Name; n != "" {
			return n
		}
	}
	return ref.Value
}

// parentOf returns the parent of an entity, or the zero reference.
func parentOf(ctx *simulator.Context, ref types.ManagedObjectReference) types.ManagedObjectReference {
	if e, ok := ctx.Map.Get(ref).(mo.Entity); ok && e.Entity().Parent != nil {
		return *e.Entity().Parent
	}
	return types.ManagedObjectReference{}
}

func hostArg(ctx *simulator.Context, host types.ManagedObjectReference) *types.HostEventArgument {
	return &types.HostEventArgument{EntityEventArgument: types.EntityEventArgument{Name: nameOf(ctx, host)}, Host: host}
}

func computeResourceArg(ctx *simulator.Context, host types.ManagedObjectReference) *types.ComputeResourceEventArgument {
	cr := parentOf(ctx, host)
	return &types.ComputeResourceEventArgument{EntityEventArgument: types.EntityEventArgument{Name: nameOf(ctx, cr)}, ComputeResource: cr}
}

// datacenterArg walks up from ref to its datacenter.
func datacenterArg(ctx *simulator.Context, ref types.ManagedObjectReference) *types.DatacenterEventArgument {
	for i := 0; i < 64 && ref.Value != ""; i++ {
		if ref.Type == "Datacenter" {
			return &types.DatacenterEventArgument{EntityEventArgument: types.EntityEventArgument{Name: nameOf(ctx, ref)}, Datacenter: ref}
		}
		ref = parentOf(ctx, ref)
	}
	return nil
}

// datastoreArg names the first of a VM's datastores, where its files live.
func datastoreArg(ctx *simulator.Context, dss []types.ManagedObjectReference) *types.DatastoreEventArgument {
	if len(dss) == 0 {
		return nil
	}
	return &types.DatastoreEventArgument{EntityEventArgument: types.EntityEventArgument{Name: nameOf(ctx, dss[0])}, Datastore: dss[0]}
}

func hostEvent(ctx *simulator.Context, host types.ManagedObjectReference) types.HostEvent {
	return types.HostEvent{Event: types.Event{
		Datacenter:      datacenterArg(ctx, host),
		ComputeResource: computeResourceArg(ctx, host),
		Host:            hostArg(ctx, host),
	}}
}
