package sim

import (
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
