package sim

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	vmo "github.com/vtui/vtui/vsphere/internal/mo"
)

// vCenter's default alarms
//
// vcsim defines three alarms and triggers them only on EventEx events,
// changing triggeredAlarmState behind its watchers' backs. The simulator
// adds, under their vCenter names, the default alarms an admin meets
// first, and triggers them where vCenter would:
//
//   - "Host connection and power state", red while a host is not
//     responding (a crash, a clean shutdown) and not in standby;
//   - "Host CPU usage" and "Host memory usage", "Virtual machine CPU
//     usage" and "Virtual machine memory usage": yellow and red past the
//     thresholds of vCenter's definitions (host CPU 75% and 90%, host
//     memory 90% and 95%, VM CPU 75% and 90%, VM memory 85% and 95%), on
//     the quick stats (a VM's CPU against its maximum, its guest memory
//     against its configured memory), at once rather than after vCenter's
//     five minutes;
//   - "Insufficient vSphere HA failover resources", red while a cluster
//     with HA and admission control enabled lacks the failover capacity
//     its policy reserves (ha/admission's Met), with vCenter's
//     InsufficientFailoverResourcesEvent when it starts and
//     FailoverLevelRestored when it ends.
//
// The conditions are evaluated at once when a host crashes or recovers
// (so that the alarm comes before HA's events, as vCenter's state alarms
// do), and otherwise within a tenth of a second of a change that may
// concern them (alarmSettle): a host's state, a VM's power,
// quick stats and placement, and the figures the usage roll-up
// (rollup.go) publishes, half a second after the VMs' changes. A triggered alarm is an
// AlarmState in the triggeredAlarmState of its entity and of each of the
// entity's ancestors up to the root folder, as vCenter propagates it,
// changed through property updates; each change of status posts
// AlarmStatusChangedEvent. AcknowledgeAlarm (posting
// AlarmAcknowledgedEvent) and SetAlarmStatus (vCenter's "Reset to Green";
// AlarmStatusChangedEvent) are served here too, through property updates.
// A reset alarm whose condition still holds is triggered again at the
// next roll-up. Not modelled: alarm actions, the entities' overallStatus,
// and alarms defined by clients (CreateAlarm goes to vcsim, which
// triggers them only on EventEx).

// simAlarm is one of the default alarms the simulator triggers.
type simAlarm struct {
	ref                  types.ManagedObjectReference
	name, system, detail string
	// on is the managed-object type it is defined for.
	on   string
	expr types.BaseAlarmExpression
	// yellow and red are a usage alarm's thresholds, in hundredths of a
	// percent as vCenter's metric expressions hold them.
	yellow, red int64
}

// Counter IDs of vCenter's cpu.usage.average and mem.usage.average, which
// its usage alarms watch.
const (
	cpuUsageCounter = 2
	memUsageCounter = 24
)

// The default alarms, as the simulator names them in its registry.
var (
	alarmHostConnection = simAlarm{ref: alarmRef(101), name: "Host connection and power state",
		system: "alarm.HostConnectionStateAlarm", detail: "Default alarm to monitor host connection and power state", on: "HostSystem",
		expr: &types.AndAlarmExpression{Expression: []types.BaseAlarmExpression{
			&types.StateAlarmExpression{Operator: types.StateAlarmOperatorIsEqual, Type: "HostSystem", StatePath: "runtime.connectionState", Red: "notResponding"},
			&types.StateAlarmExpression{Operator: types.StateAlarmOperatorIsUnequal, Type: "HostSystem", StatePath: "runtime.powerState", Red: "standBy"},
		}}}
	alarmHostCPU = usageAlarm(102, "Host CPU usage", "alarm.HostCPUUsageAlarm", "Default alarm to monitor host CPU usage",
		"HostSystem", cpuUsageCounter, 7500, 9000)
	alarmHostMemory = usageAlarm(103, "Host memory usage", "alarm.HostMemoryUsageAlarm", "Default alarm to monitor host memory usage",
		"HostSystem", memUsageCounter, 9000, 9500)
	alarmVMCPU = usageAlarm(104, "Virtual machine CPU usage", "alarm.VmCPUUsageAlarm", "Default alarm to monitor virtual machine CPU usage",
		"VirtualMachine", cpuUsageCounter, 7500, 9000)
	alarmVMMemory = usageAlarm(105, "Virtual machine memory usage", "alarm.VmMemoryUsageAlarm", "Default alarm to monitor virtual machine memory usage",
		"VirtualMachine", memUsageCounter, 8500, 9500)
	alarmFailover = simAlarm{ref: alarmRef(106), name: "Insufficient vSphere HA failover resources",
		detail: "Default alarm to alert when there are insufficient cluster resources for vSphere HA to guarantee failover", on: "ClusterComputeResource",
		expr: &types.OrAlarmExpression{Expression: []types.BaseAlarmExpression{
			&types.EventAlarmExpression{EventType: "InsufficientFailoverResourcesEvent", ObjectType: "ClusterComputeResource", Status: types.ManagedEntityStatusRed},
			&types.EventAlarmExpression{EventType: "FailoverLevelRestored", ObjectType: "ClusterComputeResource", Status: types.ManagedEntityStatusGreen},
		}}}
	simAlarms = []simAlarm{alarmHostConnection, alarmHostCPU, alarmHostMemory, alarmVMCPU, alarmVMMemory, alarmFailover}
)

func alarmRef(n int) types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: "Alarm", Value: fmt.Sprintf("alarm-%d", n)}
}

// usageAlarm defines a metric alarm on counter above yellow and red.
func usageAlarm(n int, name, system, detail, on string, counter int32, yellow, red int64) simAlarm {
	return simAlarm{ref: alarmRef(n), name: name, system: system, detail: detail, on: on, yellow: yellow, red: red,
		expr: &types.OrAlarmExpression{Expression: []types.BaseAlarmExpression{&types.MetricAlarmExpression{
			Operator: types.MetricAlarmOperatorIsAbove, Type: on, Metric: types.PerfMetricId{CounterId: counter},
			Yellow: int32(yellow), YellowInterval: 300, Red: int32(red), RedInterval: 300,
		}}}}
}

// status returns what a usage alarm says of used out of capacity.
func (a simAlarm) status(used, capacity int64) types.ManagedEntityStatus {
	if capacity <= 0 {
		return types.ManagedEntityStatusGreen
	}
	switch pct := used * 10000 / capacity; {
	case pct >= a.red:
		return types.ManagedEntityStatusRed
	case pct >= a.yellow:
		return types.ManagedEntityStatusYellow
	}
	return types.ManagedEntityStatusGreen
}

// alarmKey is one alarm on one entity.
type alarmKey struct{ alarm, entity types.ManagedObjectReference }

// key is vCenter's key of the alarm state: "alarm-101.host-42".
func (k alarmKey) key() string { return k.alarm.Value + "." + k.entity.Value }

// alarms is the per-server state of the default alarms: what they are
// triggered on, as the simulator last set it.
type alarms struct {
	mu        sync.Mutex // held while alarms are set
	triggered map[alarmKey]types.ManagedEntityStatus
	// holders are, for each alarm triggered, the objects whose
	// triggeredAlarmState holds it: its entity and the ancestors it had
	// then, so that it is cleared there after the entity is gone.
	holders map[alarmKey][]types.ManagedObjectReference
	settler settler // evaluations (staleAlarms)
}

// installAlarms registers the default alarms in m, beside vcsim's, where
// AlarmManager.GetAlarm and the alarms' info find them. They are defined
// on the root folder, as vCenter's are.
func installAlarms(m *simulator.Model) {
	root := rootFolder(m.Service.Context)
	am := m.Map().AlarmManager()
	for _, a := range simAlarms {
		m.Map().Put(&simulator.Alarm{Alarm: mo.Alarm{
			ExtensibleManagedObject: mo.ExtensibleManagedObject{Self: a.ref},
			Info: types.AlarmInfo{
				AlarmSpec: types.AlarmSpec{Name: a.name, SystemName: a.system, Description: a.detail, Enabled: true, Expression: a.expr,
					Setting: &types.AlarmSetting{ReportingFrequency: 300}},
				Key: a.ref.Value, Alarm: a.ref, Entity: root, LastModifiedTime: time.Now(),
			},
		}})
		am.GetAlarmResponse.Returnval = append(am.GetAlarmResponse.Returnval, a.ref)
	}
}

// evaluateAlarms sets each default alarm on each entity to what the
// registry's state says, posting the events of each change.
func (vc *vcenter) evaluateAlarms(ctx *simulator.Context) {
	want := wanted{}
	// Hosts and VMs are locked by reference, for the reason rollUp gives.
	for _, obj := range ctx.Map.All("HostSystem") {
		h := obj.(*simulator.HostSystem)
		ctx.WithLock(h.Self, func() {
			if h.Runtime.ConnectionState == types.HostSystemConnectionStateNotResponding && h.Runtime.PowerState != types.HostSystemPowerStateStandBy {
				want.set(alarmHostConnection, h.Self, types.ManagedEntityStatusRed)
			}
			hw, qs := h.Summary.Hardware, h.Summary.QuickStats
			if hw == nil || !hostConnected(&h.HostSystem) {
				return
			}
			want.set(alarmHostCPU, h.Self, alarmHostCPU.status(int64(qs.OverallCpuUsage), int64(hw.CpuMhz)*int64(hw.NumCpuCores)))
			want.set(alarmHostMemory, h.Self, alarmHostMemory.status(int64(qs.OverallMemoryUsage), hw.MemorySize>>20))
		})
	}
	for _, obj := range ctx.Map.All("VirtualMachine") {
		vm := obj.(*simulator.VirtualMachine)
		ctx.WithLock(vm.Self, func() {
			if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn || vm.Config == nil {
				return
			}
			qs := vm.Summary.QuickStats
			want.set(alarmVMCPU, vm.Self, alarmVMCPU.status(int64(qs.OverallCpuUsage), int64(vm.Runtime.MaxCpuUsage)))
			want.set(alarmVMMemory, vm.Self, alarmVMMemory.status(int64(qs.GuestMemoryUsage), int64(vm.Config.Hardware.MemoryMB)))
		})
	}
	for _, obj := range ctx.Map.All("ClusterComputeResource") {
		cl := obj.(*simulator.ClusterComputeResource)
		if admissionView(ctx, cl).admission().Met() != nil {
			want.set(alarmFailover, cl.Self, types.ManagedEntityStatusRed)
		}
	}
	vc.alarms.mu.Lock()
	defer vc.alarms.mu.Unlock()
	for k, status := range want {
		vc.setAlarm(ctx, k, status, "")
	}
	for k := range vc.alarms.triggered {
		if _, ok := want[k]; !ok {
			vc.setAlarm(ctx, k, types.ManagedEntityStatusGreen, "")
		}
	}
}

// wanted are the alarms an evaluation finds triggered, and their status.
type wanted map[alarmKey]types.ManagedEntityStatus

// set records alarm a on entity with status; green records nothing.
func (w wanted) set(a simAlarm, entity types.ManagedObjectReference, status types.ManagedEntityStatus) {
	if status != types.ManagedEntityStatusGreen {
		w[alarmKey{a.ref, entity}] = status
	}
}

// alarmSettle spaces evaluations of the alarms: a state alarm (a host not
// responding) shows within about a tenth of a second of the change, and a
// burst of changes costs one pass over the inventory (a few milliseconds
// at 10,000 VMs) per tenth of a second at most.
const alarmSettle = 100 * time.Millisecond

// alarmsStale reports whether changes to an object of type kind may
// change what an alarm says: what the roll-up follows, and the figures it
// publishes.
func alarmsStale(kind string, changes []types.PropertyChange) bool {
	if rollUpStale(kind, changes) {
		return true
	}
	for _, c := range changes {
		if (kind == "HostSystem" || kind == "ClusterComputeResource") && overlaps(c.Name, "summary") {
			return true
		}
	}
	return false
}

// staleAlarms has the alarms evaluated once changes settle.
func (vc *vcenter) staleAlarms() {
	vc.settle(&vc.alarms.settler, alarmSettle, func() {
		c := *vc.sctx // a context of its own: locks belong to a context
		vc.evaluateAlarms(&c)
	})
}

// setAlarm sets the alarm k to status (green clears it) on its entity and
// the entity's ancestors, and posts the events of the change: user, if
// set, made it. It does nothing if k already has status. The caller
// holds vc.alarms.mu.
func (vc *vcenter) setAlarm(ctx *simulator.Context, k alarmKey, status types.ManagedEntityStatus, user string) {
	from, ok := vc.alarms.triggered[k]
	if !ok {
		from = types.ManagedEntityStatusGreen
	}
	if from == status {
		return
	}
	holders := vc.holders(ctx, k)
	if status == types.ManagedEntityStatusGreen {
		delete(vc.alarms.triggered, k)
		delete(vc.alarms.holders, k)
	} else {
		vc.alarms.triggered[k], vc.alarms.holders[k] = status, holders
	}
	now := time.Now()
	propagate(ctx, holders, func(states []types.AlarmState) []types.AlarmState {
		i := slices.IndexFunc(states, func(s types.AlarmState) bool { return s.Key == k.key() })
		switch {
		case status == types.ManagedEntityStatusGreen && i >= 0:
			return slices.Delete(states, i, i+1)
		case status == types.ManagedEntityStatusGreen:
			return states
		case i >= 0:
			states[i].OverallStatus, states[i].Time = status, now
			return states
		}
		return append(states, types.AlarmState{Key: k.key(), Entity: k.entity, Alarm: k.alarm, OverallStatus: status, Time: now,
			Acknowledged: types.NewBool(false)})
	})
	if k.alarm == alarmFailover.ref && user == "" {
		if status == types.ManagedEntityStatusGreen {
			postEvent(ctx, &types.FailoverLevelRestored{ClusterEvent: types.ClusterEvent{Event: clusterEvent(ctx, k.entity)}})
		} else {
			postEvent(ctx, &types.InsufficientFailoverResourcesEvent{ClusterEvent: types.ClusterEvent{Event: clusterEvent(ctx, k.entity)}})
		}
	}
	ev := alarmEvent(ctx, k, user)
	postEvent(ctx, &types.AlarmStatusChangedEvent{AlarmEvent: ev, Source: entityArg(ctx, rootFolder(ctx)),
		Entity: entityArg(ctx, k.entity), From: string(from), To: string(status)})
}

// holders returns the objects whose triggeredAlarmState holds the alarm
// k, or would: those recorded, else its entity and its ancestors. The
// caller holds vc.alarms.mu.
func (vc *vcenter) holders(ctx *simulator.Context, k alarmKey) []types.ManagedObjectReference {
	if h, ok := vc.alarms.holders[k]; ok {
		return h
	}
	var h []types.ManagedObjectReference
	for ref := k.entity; ref.Value != ""; ref = parentOf(ctx, ref) {
		h = append(h, ref)
	}
	return h
}

// propagate changes the triggeredAlarmState of each of holders that still
// exists with change, through property updates.
func propagate(ctx *simulator.Context, holders []types.ManagedObjectReference, change func([]types.AlarmState) []types.AlarmState) {
	for _, ref := range holders {
		obj, ok := ctx.Map.Get(ref).(mo.Entity)
		if !ok {
			continue
		}
		ctx.WithLock(obj, func() {
			next := change(slices.Clone(obj.Entity().TriggeredAlarmState))
			ctx.Update(obj, []types.PropertyChange{{Name: "triggeredAlarmState", Val: next}})
		})
	}
}

// alarmEvent returns the AlarmEvent part of an event about k, with the
// arguments vCenter fills for the entity's kind.
func alarmEvent(ctx *simulator.Context, k alarmKey, user string) types.AlarmEvent {
	var ev types.Event
	switch k.entity.Type {
	case "HostSystem":
		ev = hostEvent(ctx, k.entity).Event
	case "ClusterComputeResource":
		ev = clusterEvent(ctx, k.entity)
	case "VirtualMachine":
		ev = types.Event{Datacenter: datacenterArg(ctx, k.entity),
			Vm: &types.VmEventArgument{EntityEventArgument: types.EntityEventArgument{Name: nameOf(ctx, k.entity)}, Vm: k.entity}}
		if h := vmHost(ctx, k.entity); h.Value != "" {
			ev.Host, ev.ComputeResource = hostArg(ctx, h), computeResourceArg(ctx, h)
		}
	default:
		ev = types.Event{Datacenter: datacenterArg(ctx, k.entity)}
	}
	ev.UserName = user
	return types.AlarmEvent{Event: ev, Alarm: types.AlarmEventArgument{EntityEventArgument: types.EntityEventArgument{Name: nameOf(ctx, k.alarm)}, Alarm: k.alarm}}
}

// vmHost returns the host of a VM, or the zero reference.
func vmHost(ctx *simulator.Context, ref types.ManagedObjectReference) types.ManagedObjectReference {
	var h types.ManagedObjectReference
	if vm, ok := ctx.Map.Get(ref).(*simulator.VirtualMachine); ok {
		ctx.WithLock(vm, func() {
			if vm.Runtime.Host != nil {
				h = *vm.Runtime.Host
			}
		})
	}
	return h
}

func entityArg(ctx *simulator.Context, ref types.ManagedObjectReference) types.ManagedEntityEventArgument {
	return types.ManagedEntityEventArgument{EntityEventArgument: types.EntityEventArgument{Name: nameOf(ctx, ref)}, Entity: ref}
}

// AcknowledgeAlarm acknowledges the alarm triggered on the entity, as
// vCenter does: on the entity and its ancestors, through property
// updates, with AlarmAcknowledgedEvent. An alarm not triggered there is
// left alone.
func (vc *vcenter) AcknowledgeAlarm(ctx *simulator.Context, req *types.AcknowledgeAlarm) soap.HasFault {
	k := alarmKey{req.Alarm, req.Entity}
	if f := checkAlarmArgs(ctx, k); f != nil {
		return &methods.AcknowledgeAlarmBody{Fault_: f}
	}
	vc.alarms.mu.Lock()
	defer vc.alarms.mu.Unlock()
	now := time.Now()
	acked := false
	propagate(ctx, vc.holders(ctx, k), func(states []types.AlarmState) []types.AlarmState {
		for i, s := range states {
			if s.Alarm == k.alarm && s.Entity == k.entity && !vmo.IsTrue(s.Acknowledged) {
				states[i].Acknowledged, states[i].AcknowledgedTime, states[i].AcknowledgedByUser = types.NewBool(true), &now, ctx.Session.UserName
				acked = true
			}
		}
		return states
	})
	if acked {
		ev := alarmEvent(ctx, k, ctx.Session.UserName)
		postEvent(ctx, &types.AlarmAcknowledgedEvent{AlarmEvent: ev, Source: entityArg(ctx, rootFolder(ctx)), Entity: entityArg(ctx, k.entity)})
	}
	return &methods.AcknowledgeAlarmBody{Res: &types.AcknowledgeAlarmResponse{}}
}

// SetAlarmStatus sets the status of the alarm triggered on the entity, as
// vCenter's "Reset to Green" does with green.
func (vc *vcenter) SetAlarmStatus(ctx *simulator.Context, req *vmo.SetAlarmStatus) soap.HasFault {
	k := alarmKey{req.Alarm, req.Entity}
	if f := checkAlarmArgs(ctx, k); f != nil {
		return &vmo.SetAlarmStatusBody{Fault_: f}
	}
	switch req.Status {
	case types.ManagedEntityStatusGreen, types.ManagedEntityStatusYellow, types.ManagedEntityStatusRed:
	default:
		return &vmo.SetAlarmStatusBody{Fault_: simulator.Fault("", &types.InvalidArgument{InvalidProperty: "status"})}
	}
	vc.alarms.mu.Lock()
	defer vc.alarms.mu.Unlock()
	if _, ok := vc.alarms.triggered[k]; !ok && triggeredOn(ctx, k) {
		// triggered by vcsim's own alarms: take it over
		vc.alarms.triggered[k] = types.ManagedEntityStatusRed
	}
	vc.setAlarm(ctx, k, req.Status, ctx.Session.UserName)
	return &vmo.SetAlarmStatusBody{Res: &vmo.SetAlarmStatusResponse{}}
}

// triggeredOn reports whether the alarm k is in its entity's
// triggeredAlarmState.
func triggeredOn(ctx *simulator.Context, k alarmKey) bool {
	e, ok := ctx.Map.Get(k.entity).(mo.Entity)
	if !ok {
		return false
	}
	var on bool
	ctx.WithLock(e, func() {
		on = slices.ContainsFunc(e.Entity().TriggeredAlarmState, func(s types.AlarmState) bool { return s.Alarm == k.alarm })
	})
	return on
}

// checkAlarmArgs returns the fault vCenter gives for an alarm or entity
// that does not exist, or nil.
func checkAlarmArgs(ctx *simulator.Context, k alarmKey) *soap.Fault {
	for _, ref := range []types.ManagedObjectReference{k.alarm, k.entity} {
		if ctx.Map.Get(ref) == nil {
			return simulator.Fault(fmt.Sprintf("%s not found", ref), &types.ManagedObjectNotFound{Obj: ref})
		}
	}
	return nil
}

// LoadVM makes the powered-on VM named name use cpuPercent of its CPU
// and memPercent of its memory, as a busy guest would, through property
// updates of its quick stats; its host's follow in the roll-up, and the
// usage alarms in turn. For tests and demos of the alarms.
func (s *Server) LoadVM(name string, cpuPercent, memPercent int) error {
	ctx := detach(s.model.Service.Context)
	for _, obj := range ctx.Map.All("VirtualMachine") {
		vm := obj.(*simulator.VirtualMachine)
		if nameOf(ctx, vm.Self) != name {
			continue
		}
		var err error
		ctx.WithLock(vm, func() {
			if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn || vm.Config == nil {
				err = fmt.Errorf("%w: %s is %s; only a running VM uses CPU and memory", errVMState, name, vm.Runtime.PowerState)
				return
			}
			qs := vm.Summary.QuickStats
			qs.OverallCpuUsage = vm.Runtime.MaxCpuUsage * int32(cpuPercent) / 100
			qs.OverallCpuDemand = qs.OverallCpuUsage
			qs.GuestMemoryUsage = vm.Config.Hardware.MemoryMB * int32(memPercent) / 100
			qs.HostMemoryUsage = max(qs.HostMemoryUsage, qs.GuestMemoryUsage)
			ctx.Update(vm, []types.PropertyChange{{Name: "summary.quickStats", Val: qs}})
		})
		return err
	}
	return fmt.Errorf("%w: %q", errUnknownVM, name)
}

// Errors of LoadVM.
var (
	errUnknownVM = errors.New("no such VM")
	errVMState   = errors.New("the VM is not in a state that allows this")
)
