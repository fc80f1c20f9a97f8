package sim

import (
	"context"
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

	mu         sync.Mutex
	delays     map[string]time.Duration // by task name, see Server.SetTaskDelay
	fails      []*failRule              // see Server.FailMethod
	recKey     atomic.Int64             // the last DRS recommendation key (drs.go)
	*lifecycle                          // background work, stopped by Server.Close
	ha         haAgent                  // the HA emulation (ha.go), under mu
	alarms     alarms                   // vCenter's default alarms (alarms.go)
	svc        *simulator.Service       // the service, for the fault door (door.go)
	sctx       *simulator.Context       // the service's own context, for the door
	feed       *feed                    // property updates, views, sessions (feed.go)
	pages      pageBook                 // the rest of retrievals answered in pages (retrieve.go)
	http       httpCalls                // the SDK calls in progress, by session (answer.go)
	rollUps    settler                  // the usage roll-up (rollup.go)
	rebootTime time.Duration            // how long a host takes to reboot (hostops.go)
	admitting  sync.Mutex               // held while a power-on is admitted (admission.go)
	redfish    *redfishService          // the hosts' Redfish BMCs (redfish.go)
	bmcs       *ipmiBMCs                // the hosts' IPMI BMCs (ipmi.go)
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
		Self:      types.ManagedObjectReference{Type: "VtuiVCenter", Value: "vtui-vcenter"},
		delays:    map[string]time.Duration{},
		lifecycle: newLifecycle(),
		alarms:    alarms{triggered: map[alarmKey]types.ManagedEntityStatus{}, holders: map[alarmKey][]types.ManagedObjectReference{}},
		ha: haAgent{crashed: map[types.ManagedObjectReference]context.CancelFunc{}, failRestart: map[string]bool{},
			pending: map[types.ManagedObjectReference]int{}, cut: map[types.ManagedObjectReference]*netCut{},
			due: map[types.ManagedObjectReference][]detectedHost{}, placed: map[types.ManagedObjectReference]types.ManagedObjectReference{}},
	}
	vc.svc, vc.sctx = m.Service, m.Service.Context
	vc.feed = newFeed(vc)
	m.Map().Put(vc)
	m.Map().AddHandler(vc.feed)
	m.Map().Handler = vc.route
	return vc
}

// rerouted lists, by the type of their target, the methods vcenter serves.
var rerouted = map[string][]string{
	"VirtualMachine": {"RelocateVM_Task", "ShutdownGuest", "PowerOnVM_Task"},
	"HostSystem": {"EnterMaintenanceMode_Task", "ExitMaintenanceMode_Task", "DisconnectHost_Task", "ReconnectHost_Task",
		"ShutdownHost_Task", "RebootHost_Task"},
	"VirtualMachineProvisioningChecker": {"CheckRelocate_Task"},
	"ClusterComputeResource":            {"ReconfigureComputeResource_Task", "ApplyRecommendation", "RefreshRecommendation"},
	// property updates, views and sessions (feed.go)
	"PropertyCollector": append([]string{"CreateFilter", "WaitForUpdatesEx", "WaitForUpdates", "CancelWaitForUpdates", "DestroyPropertyCollector"}, retrievals...),
	"PropertyFilter":    {"DestroyPropertyFilter"},
	"ViewManager":       {"CreateContainerView"},
	"ContainerView":     {"DestroyView"},
	"SessionManager":    {"Logout"},
	// custom attributes (customfields.go); setCustomValue, a method of
	// every managed entity, is rerouted whatever the target's type
	"CustomFieldsManager": {"SetField"},
	// performance samples drawn from the quick stats (perf.go)
	"PerformanceManager": {"QueryPerf"},
	// vCenter's default alarms (alarms.go)
	"AlarmManager": {"AcknowledgeAlarm", "SetAlarmStatus"},
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
	if ctx.Session != nil {
		vc.feed.sessions.touch(ctx.Session)
	}
	if f := vc.injected(ctx, m); f != nil {
		return nil, f
	}
	if vm, ok := ctx.Map.Get(m.This).(*simulator.VirtualMachine); ok && slices.Contains(powerMethods, m.Name) {
		if f := hostNotConnected(ctx, vm); f != nil {
			return nil, f
		}
	}
	if slices.Contains(rerouted[m.This.Type], m.Name) || m.Name == "setCustomValue" {
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
