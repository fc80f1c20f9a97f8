package sim

import (
	"slices"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

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

// relocate moves vm as spec asks, or returns why vCenter would not,
// admission control included.
func relocate(ctx *simulator.Context, vm *simulator.VirtualMachine, spec types.VirtualMachineRelocateSpec) *types.LocalizedMethodFault {
	var from, to placement
	ctx.WithLock(vm, func() { from = placementOf(vm) })
	if f := admitMove(ctx, vm, from, from.after(spec)); f != nil {
		return f
	}
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
		var from placement
		tc.WithLock(vm, func() {
			from = placementOf(vm)
			if f := relocateFault(tc, vm, from.after(spec)); f != nil {
				res.Error = append(res.Error, *f)
			}
		})
		if f := admitMove(tc, vm, from, from.after(spec)); f != nil && len(res.Error) == 0 {
			res.Error = append(res.Error, *f)
		}
		return types.ArrayOfCheckResult{CheckResult: []types.CheckResult{res}}, nil
	})
	body.Res = &types.CheckRelocate_TaskResponse{Returnval: task}
	return body
}
