package sim

import (
	"context"
	"slices"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

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
		vc.hostChanged(tc, h.Self, !enter)
		return nil
	})
}

// DisconnectHostTask disconnects the host and, as vCenter does, marks its
// VMs disconnected, telling watchers and posting a HostDisconnectedEvent.
func (vc *vcenter) DisconnectHostTask(ctx *simulator.Context, req *types.DisconnectHost_Task) soap.HasFault {
	task, f := vc.connectionTask(ctx, req.This, "disconnectHost", types.HostSystemConnectionStateDisconnected,
		func(e types.HostEvent) types.BaseEvent {
			return &types.HostDisconnectedEvent{HostEvent: e, Reason: "userRequest"}
		})
	if f != nil {
		return &methods.DisconnectHost_TaskBody{Fault_: f}
	}
	return &methods.DisconnectHost_TaskBody{Res: &types.DisconnectHost_TaskResponse{Returnval: task}}
}

// ReconnectHostTask reconnects the host and its VMs, telling watchers and
// posting a HostConnectedEvent. A host that is shut down or rebooting
// does not answer: the task fails with NoHost, as vCenter's does.
func (vc *vcenter) ReconnectHostTask(ctx *simulator.Context, req *types.ReconnectHost_Task) soap.HasFault {
	task, f := vc.connectionTask(ctx, req.This, "reconnectHost", types.HostSystemConnectionStateConnected,
		func(e types.HostEvent) types.BaseEvent { return &types.HostConnectedEvent{HostEvent: e} })
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
		if state == types.HostSystemConnectionStateConnected {
			if hname, power := hostPower(tc, h); power != types.HostSystemPowerStatePoweredOn {
				return failure(&types.NoHost{Name: hname}, "cannot contact host %s: it is %s", hname, power)
			}
		}
		setConnection(tc, h, state, vmState)
		postEvent(tc, event(hostEvent(tc, h.Self)))
		vc.hostChanged(tc, h.Self, state == types.HostSystemConnectionStateConnected)
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

// powerOffRunning powers off the VMs of vms that are powered on and run
// on host, telling watchers: what a host going down leaves of them. It
// takes each VM's lock and must be called holding none.
func powerOffRunning(ctx *simulator.Context, host types.ManagedObjectReference, vms []types.ManagedObjectReference) {
	for _, ref := range vms {
		if vm, ok := ctx.Map.Get(ref).(*simulator.VirtualMachine); ok {
			ctx.WithLock(vm, func() {
				if vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn && vm.Runtime.Host != nil && *vm.Runtime.Host == host {
					ctx.Update(vm, []types.PropertyChange{
						{Name: "runtime.powerState", Val: types.VirtualMachinePowerStatePoweredOff},
						{Name: "summary.runtime.powerState", Val: types.VirtualMachinePowerStatePoweredOff},
					})
				}
			})
		}
	}
}

// hostPower reads a host's name and runtime.powerState under its lock.
func hostPower(ctx *simulator.Context, h *simulator.HostSystem) (string, types.HostSystemPowerState) {
	var name string
	var power types.HostSystemPowerState
	ctx.WithLock(h, func() { name, power = h.Name, h.Runtime.PowerState })
	return name, power
}

// poweredOnVMs returns the names of the VMs of vms that are powered on and
// run on host. It takes each VM's lock and must be called holding none.
func poweredOnVMs(ctx *simulator.Context, host types.ManagedObjectReference, vms []types.ManagedObjectReference) []string {
	var on []string
	for _, ref := range poweredOnRefs(ctx, host, vms) {
		on = append(on, nameOf(ctx, ref))
	}
	slices.Sort(on)
	return on
}

// poweredOnRefs returns the VMs of vms that are powered on and run on
// host, in vms's order. It takes each VM's lock and must be called holding
// none.
func poweredOnRefs(ctx *simulator.Context, host types.ManagedObjectReference, vms []types.ManagedObjectReference) []types.ManagedObjectReference {
	var on []types.ManagedObjectReference
	for _, ref := range vms {
		vm, ok := ctx.Map.Get(ref).(*simulator.VirtualMachine)
		if !ok {
			continue
		}
		ctx.WithLock(vm, func() {
			if vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn && vm.Runtime.Host != nil && *vm.Runtime.Host == host {
				on = append(on, ref)
			}
		})
	}
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

// DefaultHostRebootTime is how long a host the simulator reboots stays
// away when Options.HostRebootTime is 0: about what an ESXi server takes.
const DefaultHostRebootTime = 3 * time.Minute

// ShutdownHostTask shuts the host down cleanly, as ESXi does when vCenter
// asks: see powerDownTask.
func (vc *vcenter) ShutdownHostTask(ctx *simulator.Context, req *types.ShutdownHost_Task) soap.HasFault {
	task, f := vc.powerDownTask(ctx, req.This, "shutdownHost", req.Force, false)
	if f != nil {
		return &methods.ShutdownHost_TaskBody{Fault_: f}
	}
	return &methods.ShutdownHost_TaskBody{Res: &types.ShutdownHost_TaskResponse{Returnval: task}}
}

// RebootHostTask reboots the host: see powerDownTask. It comes back
// connected after the server's host reboot time.
func (vc *vcenter) RebootHostTask(ctx *simulator.Context, req *types.RebootHost_Task) soap.HasFault {
	task, f := vc.powerDownTask(ctx, req.This, "rebootHost", req.Force, true)
	if f != nil {
		return &methods.RebootHost_TaskBody{Fault_: f}
	}
	return &methods.RebootHost_TaskBody{Res: &types.RebootHost_TaskResponse{Returnval: task}}
}

// powerDownTask starts a task that shuts the host this down, or reboots
// it, as ESXi does: the host must be connected, and in maintenance mode
// unless force (InvalidState otherwise); forced, it powers off the VMs
// still running on it. HostShutdownEvent is posted, and the host goes
// notResponding with its VMs disconnected: poweredOff after a shutdown,
// unknown while it reboots, then poweredOn and connected again
// (HostConnectedEvent) after Options.HostRebootTime. A clean shutdown is
// not a failure: the host tells HA, which declares nothing failed and
// restarts nothing.
func (vc *vcenter) powerDownTask(ctx *simulator.Context, this types.ManagedObjectReference, name string, force, reboot bool) (types.ManagedObjectReference, *soap.Fault) {
	return vc.hostTask(ctx, this, name, func(tc *simulator.Context, h *simulator.HostSystem) *types.LocalizedMethodFault {
		if f := notConnected(tc, h); f != nil {
			return f
		}
		hname, _, mm, vms := readHost(tc, h)
		if !mm && !force {
			what := "shut down"
			if reboot {
				what = "reboot"
			}
			return failure(&types.InvalidState{}, "host %s is not in maintenance mode: enter maintenance mode first, or %s it with force", hname, what)
		}
		powerOffRunning(tc, h.Self, vms)
		reason, power := "shutdown requested", types.HostSystemPowerStatePoweredOff
		if reboot {
			reason, power = "reboot requested", types.HostSystemPowerStateUnknown
		}
		postEvent(tc, &types.HostShutdownEvent{HostEvent: hostEvent(tc, h.Self), Reason: reason})
		setHostRuntime(tc, h, "powerState", power)
		setConnection(tc, h, types.HostSystemConnectionStateNotResponding, types.VirtualMachineConnectionStateDisconnected)
		vc.hostChanged(tc, h.Self, false)
		if reboot {
			vc.goBackground(func(life context.Context) {
				if !vc.sleep(life, vc.rebootTime) {
					return
				}
				setHostRuntime(tc, h, "powerState", types.HostSystemPowerStatePoweredOn)
				if _, state, _, _ := readHost(tc, h); state != types.HostSystemConnectionStateNotResponding {
					return // disconnected meanwhile: it stays so until reconnected
				}
				setConnection(tc, h, types.HostSystemConnectionStateConnected, types.VirtualMachineConnectionStateConnected)
				postEvent(tc, &types.HostConnectedEvent{HostEvent: hostEvent(tc, h.Self)})
				vc.hostChanged(tc, h.Self, true)
			})
		}
		return nil
	})
}
