package sim

import (
	"fmt"
	"slices"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// The property collector methods vtui serves instead of vcsim (see
// collector.go). vcsim's PropertyCollector objects stay in the sessions,
// and its RetrievePropertiesEx still answers retrievals; the filters are
// vcsim PropertyFilter objects too, so that their references and the
// collector's filter property look as before, but vcsim never sees their
// changes.

// CreateFilter creates a filter on the collector This and walks its
// traversal, so that a spec naming an object that does not exist, or an
// undefined traversal spec, fails here as on vCenter.
func (vc *vcenter) CreateFilter(ctx *simulator.Context, req *types.CreateFilter) soap.HasFault {
	body := &methods.CreateFilterBody{}
	cs := vc.feed.collectors
	c, fault := cs.get(ctx, req.This)
	if fault == nil {
		fault = missingRoot(ctx, req.Spec)
	}
	if fault != nil {
		body.Fault_ = simulator.Fault("", fault)
		return body
	}
	pf := &simulator.PropertyFilter{}
	pf.Spec, pf.PartialUpdates = req.Spec, req.PartialUpdates
	f := newFilter(req.Spec)
	f.ref = ctx.Session.Put(pf).Reference()
	c.mu.Lock()
	c.filters = append(c.filters, f)
	c.pc.Filter = append(c.pc.Filter, f.ref)
	c.mu.Unlock()
	if _, _, fault := c.walk(ctx, cs, f); fault != nil {
		c.removeFilter(ctx, f.ref)
		body.Fault_ = simulator.Fault("", fault)
		return body
	}
	body.Res = &types.CreateFilterResponse{Returnval: f.ref}
	return body
}

// missingRoot returns ManagedObjectNotFound for the first object of spec's
// object set that does not exist, unless spec asks to report missing
// objects in results.
func missingRoot(ctx *simulator.Context, spec types.PropertyFilterSpec) types.BaseMethodFault {
	if boolValue(spec.ReportMissingObjectsInResults) {
		return nil
	}
	for _, os := range spec.ObjectSet {
		if sessionObject(ctx, os.Obj) == nil {
			return &types.ManagedObjectNotFound{Obj: os.Obj}
		}
	}
	return nil
}

// removeFilter removes the filter ref from c, and from the session.
func (c *collector) removeFilter(ctx *simulator.Context, ref types.ManagedObjectReference) {
	c.mu.Lock()
	c.filters = slices.DeleteFunc(c.filters, func(f *filter) bool { return f.ref == ref })
	c.pending = slices.DeleteFunc(c.pending, func(of owedFilter) bool { return of.f.ref == ref })
	simulator.RemoveReference(&c.pc.Filter, ref)
	c.mu.Unlock()
	ctx.Session.Remove(ctx, ref)
}

// DestroyPropertyFilter destroys the filter This.
func (vc *vcenter) DestroyPropertyFilter(ctx *simulator.Context, req *types.DestroyPropertyFilter) soap.HasFault {
	body := &methods.DestroyPropertyFilterBody{}
	c := vc.feed.collectors.owner(ctx.Session.Key, req.This)
	if c == nil {
		body.Fault_ = simulator.Fault(fmt.Sprintf("filter %s not found", req.This.Value), &types.ManagedObjectNotFound{Obj: req.This})
		return body
	}
	c.removeFilter(ctx, req.This)
	body.Res = &types.DestroyPropertyFilterResponse{}
	return body
}

// WaitForUpdatesEx answers with the changes since Version (everything, for
// an empty one), as vCenter does: see the package documentation.
func (vc *vcenter) WaitForUpdatesEx(ctx *simulator.Context, req *types.WaitForUpdatesEx) soap.HasFault {
	body := &methods.WaitForUpdatesExBody{}
	o := waitOptions{maxWait: -1, maxObjects: defaultMaxObjectUpdates}
	if wo := req.Options; wo != nil {
		if s := wo.MaxWaitSeconds; s != nil {
			if *s < 0 {
				body.Fault_ = simulator.Fault(fmt.Sprintf("maxWaitSeconds is %d; want 0 or more", *s), &types.InvalidArgument{InvalidProperty: "maxWaitSeconds"})
				return body
			}
			o.maxWait = time.Duration(*s) * time.Second
		}
		if wo.MaxObjectUpdates > 0 {
			o.maxObjects = int(wo.MaxObjectUpdates)
		}
	}
	set, f := vc.waitForUpdates(ctx, req.This, req.Version, o)
	if f != nil {
		body.Fault_ = f
		return body
	}
	body.Res = &types.WaitForUpdatesExResponse{Returnval: set}
	return vc.answer(ctx, body)
}

// WaitForUpdates is the deprecated form of WaitForUpdatesEx: it waits
// until there are changes, and answers with all of them.
func (vc *vcenter) WaitForUpdates(ctx *simulator.Context, req *types.WaitForUpdates) soap.HasFault {
	body := &methods.WaitForUpdatesBody{}
	set, f := vc.waitForUpdates(ctx, req.This, req.Version, waitOptions{maxWait: -1})
	if f != nil {
		body.Fault_ = f
		return body
	}
	body.Res = &types.WaitForUpdatesResponse{Returnval: *set}
	return body
}

func (vc *vcenter) waitForUpdates(ctx *simulator.Context, this types.ManagedObjectReference, version string, o waitOptions) (*types.UpdateSet, *soap.Fault) {
	cs := vc.feed.collectors
	c, fault := cs.get(ctx, this)
	if fault != nil {
		return nil, simulator.Fault("", fault)
	}
	set, fault := c.wait(ctx, cs, vc.feed.conns.of(ctx.Session.Key, this), version, o)
	switch fault.(type) {
	case nil:
		return set, nil
	case *types.InvalidCollectorVersion:
		return nil, simulator.Fault(fmt.Sprintf("version %q is not the collector's current one; wait with an empty version to start again", version), fault)
	}
	return nil, simulator.Fault("", fault)
}

// CancelWaitForUpdates ends the wait in progress on the collector This,
// which fails with RequestCanceled.
func (vc *vcenter) CancelWaitForUpdates(ctx *simulator.Context, req *types.CancelWaitForUpdates) soap.HasFault {
	body := &methods.CancelWaitForUpdatesBody{}
	if _, ok := ctx.Session.Get(req.This).(*simulator.PropertyCollector); !ok {
		body.Fault_ = simulator.Fault("", &types.ManagedObjectNotFound{Obj: req.This})
		return body
	}
	if c := vc.feed.collectors.lookup(ctx.Session.Key, req.This); c != nil {
		c.endWait(errCancelled)
	}
	body.Res = &types.CancelWaitForUpdatesResponse{}
	return body
}

// DestroyPropertyCollector destroys the collector This and its filters,
// ending a wait in progress.
func (vc *vcenter) DestroyPropertyCollector(ctx *simulator.Context, req *types.DestroyPropertyCollector) soap.HasFault {
	pc, ok := ctx.Session.Get(req.This).(*simulator.PropertyCollector)
	if !ok {
		return &methods.DestroyPropertyCollectorBody{Fault_: simulator.Fault("", &types.ManagedObjectNotFound{Obj: req.This})}
	}
	key := collectorKey{ctx.Session.Key, req.This}
	vc.feed.collectors.drop(func(k collectorKey) bool { return k == key })
	return pc.DestroyPropertyCollector(ctx, req) // removes the filters from the session
}
