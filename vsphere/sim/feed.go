package sim

import (
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// feed is the registry's listener (Registry.AddHandler): vcsim calls it
// for every object put in the registry, changed through ctx.Update, or
// removed. It hands each change to the property collectors' filters
// (collector.go), has the container views walked again after a move
// (containerviews.go), zeroes the quick stats of a VM that stops
// (quickstats.go) and has the usage rolled up again (rollup.go). It also holds the state those need: the sessions seen
// (sessions.go) and the connections of waits in progress (requests.go).
//
// It runs in the goroutine that made the change, usually holding the
// changed object's lock, so it only records: it takes no object's lock.
type feed struct {
	Self types.ManagedObjectReference
	vc   *vcenter

	collectors *collectors
	views      viewKeeper
	conns      waitConns
	sessions   sessions
}

func newFeed(vc *vcenter) *feed {
	return &feed{
		Self:       types.ManagedObjectReference{Type: "VtuiFeed", Value: "vtui-feed"},
		vc:         vc,
		collectors: newCollectors(),
	}
}

// Reference implements mo.Reference.
func (f *feed) Reference() types.ManagedObjectReference { return f.Self }

// PutObject records an object created (or, for an entity moved between
// folders, put again).
func (f *feed) PutObject(_ *simulator.Context, o mo.Reference) {
	if _, ok := o.(mo.Entity); !ok {
		return // tasks, collectors...: a traversal reaches them through a property that changes
	}
	f.collectors.each(func(_ collectorKey, c *collector) { c.record((*filter).created) })
	f.vc.moved()
	if t := o.Reference().Type; t == "VirtualMachine" || t == "HostSystem" {
		f.vc.staleRollUp()
	}
}

// UpdateObject records changes made to o (the managed object itself, as
// Registry.Update passes it).
func (f *feed) UpdateObject(ctx *simulator.Context, o mo.Reference, changes []types.PropertyChange) {
	ref, obj := o.Reference(), moStruct(o)
	if !obj.IsValid() {
		return
	}
	if vm, ok := o.(*mo.VirtualMachine); ok {
		changes = withSnapshotLayout(vm, changes)
	}
	f.collectors.each(func(_ collectorKey, c *collector) {
		c.record(func(fl *filter) bool { return fl.modified(ref, obj, changes) })
	})
	if movesSomething(changes) {
		f.vc.moved()
	}
	if vm, ok := o.(*mo.VirtualMachine); ok {
		zeroStatsWhenStopped(ctx, vm, changes)
	}
	if rollUpStale(ref.Type, changes) {
		f.vc.staleRollUp()
	}
	if alarmsStale(ref.Type, changes) {
		f.vc.staleAlarms()
	}
}

// RemoveObject records an object removed from the registry.
func (f *feed) RemoveObject(_ *simulator.Context, ref types.ManagedObjectReference) {
	f.collectors.each(func(_ collectorKey, c *collector) {
		c.record(func(fl *filter) bool { return fl.removed(ref) })
	})
	if ref.Type == "VirtualMachine" || ref.Type == "HostSystem" {
		f.vc.staleRollUp()
	}
}
