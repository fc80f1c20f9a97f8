package sim

import (
	"slices"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

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

// eventInfo describes, as vCenter's EventManager.description.eventInfo
// does, every event type the simulator posts itself: its category (info,
// warning or error, which clients such as govc's events show) and the
// template of its full formatted message. vcsim formats a posted event's
// message with the template of its type (EventManager.formatMessage, Go's
// text/template over the event), and knows only a few types; the
// simulator's entries replace vcsim's for the same type. The wording is
// vCenter's catalog's, its {host.name} written {{.Host.Name}}.
var eventInfo = []types.EventDescriptionEventDetail{
	{Key: "HostConnectionLostEvent", Description: "Host connection lost", Category: "error",
		FullFormat: "Host {{.Host.Name}} in {{.Datacenter.Name}} is not responding"},
	{Key: "HostConnectedEvent", Description: "Host connected", Category: "info",
		FullFormat: "Connected to {{.Host.Name}} in {{.Datacenter.Name}}"},
	{Key: "HostDisconnectedEvent", Description: "Host disconnected", Category: "info",
		FullFormat: "Host {{.Host.Name}} in {{.Datacenter.Name}} is disconnected"},
	{Key: "HostShutdownEvent", Description: "Host shut down", Category: "info",
		FullFormat: "Shut down of {{.Host.Name}} in {{.Datacenter.Name}}: {{.Reason}}"},
	{Key: "EnteredMaintenanceModeEvent", Description: "Host entered maintenance mode", Category: "info",
		FullFormat: "Host {{.Host.Name}} in {{.Datacenter.Name}} has entered maintenance mode"},
	{Key: "ExitMaintenanceModeEvent", Description: "Exit maintenance mode", Category: "info",
		FullFormat: "Host {{.Host.Name}} in {{.Datacenter.Name}} has exited maintenance mode"},
	{Key: "VmMigratedEvent", Description: "VM migrated", Category: "info",
		FullFormat: "Migration of virtual machine {{.Vm.Name}} from {{.SourceHost.Name}}, {{.SourceDatastore.Name}} to {{.Host.Name}}, {{.Ds.Name}} completed"},
	{Key: "DasHostFailedEvent", Description: "vSphere HA detected a possible host failure", Category: "error",
		FullFormat: "A possible host failure has been detected by vSphere HA on {{.FailedHost.Name}} in cluster {{.ComputeResource.Name}} in {{.Datacenter.Name}}"},
	{Key: "DasHostIsolatedEvent", Description: "vSphere HA detected a host isolation", Category: "warning",
		FullFormat: "Host {{.IsolatedHost.Name}} has been isolated from cluster {{.ComputeResource.Name}} in {{.Datacenter.Name}}"},
	{Key: "VmRestartedOnAlternateHostEvent", Description: "VM restarted on alternate host", Category: "info",
		FullFormat: "Virtual machine {{.Vm.Name}} was restarted on {{.Host.Name}} since {{.SourceHost.Name}} failed"},
	{Key: "NotEnoughResourcesToStartVmEvent", Description: "Insufficient resources for vSphere HA to start VM", Category: "warning",
		FullFormat: "Insufficient resources to fail over {{.Vm.Name}} in {{.ComputeResource.Name}} that resides in {{.Datacenter.Name}}. Reason: {{.Reason}}"},
	{Key: "ClusterReconfiguredEvent", Description: "Cluster reconfigured", Category: "info",
		FullFormat: "Reconfigured cluster {{.ComputeResource.Name}} in datacenter {{.Datacenter.Name}}"},
	{Key: "CustomFieldValueChangedEvent", Description: "Custom field value changed", Category: "info",
		FullFormat: "Changed custom field {{.Name}} on {{.Entity.Name}} in {{.Datacenter.Name}} from '{{.PrevState}}' to '{{.Value}}'"},
}

// describeEvents puts eventInfo into the event manager's description, so
// that posted events get their messages and clients their categories.
func describeEvents(m *simulator.Model) {
	em := m.Map().EventManager()
	em.Description.EventInfo = slices.Clone(em.Description.EventInfo) // vcsim's is a package variable
	for _, d := range eventInfo {
		i := slices.IndexFunc(em.Description.EventInfo, func(x types.EventDescriptionEventDetail) bool { return x.Key == d.Key })
		if i < 0 {
			em.Description.EventInfo = append(em.Description.EventInfo, d)
		} else {
			em.Description.EventInfo[i] = d
		}
	}
}

// clusterEvent returns the Event part of an event about the cluster cl.
func clusterEvent(ctx *simulator.Context, cl types.ManagedObjectReference) types.Event {
	return types.Event{
		Datacenter:      datacenterArg(ctx, cl),
		ComputeResource: &types.ComputeResourceEventArgument{EntityEventArgument: types.EntityEventArgument{Name: nameOf(ctx, cl)}, ComputeResource: cl},
	}
}
