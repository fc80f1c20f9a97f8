package sim

import (
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Container views that follow moves
//
// vcsim adds a created object to the container views above it and removes
// a destroyed one, but a move leaves every view as it was: a VM relocated
// to another cluster stays in the first cluster's view and never appears
// in the second's (and a VM moved between folders appears twice). vCenter
// keeps a view's membership current, and watchers of the view see the
// objects leave and enter. So every container view is kept here, and a
// change of what contains what (a folder's children, a pool's or host's
// VMs, a cluster's hosts...) has them walked again in the background, a
// view whose membership changed getting a property update of "view". A
// recursive view of the root folder holds every entity of its types
// wherever it moves, so it needs no walk.

// viewSettle lets a burst of changes (a relocation touches a VM, two
// hosts, two pools) settle before the views are walked.
const viewSettle = 10 * time.Millisecond

// viewKeeper keeps container views' membership current.
type viewKeeper struct {
	mu    sync.Mutex
	views map[types.ManagedObjectReference]keptView
	walk  settler // walks the views after moves
}

// keptView is a container view and the session that owns it.
type keptView struct {
	session string
	view    *simulator.ContainerView
}

// containment lists the properties through which entities contain one
// another, as container views walk them.
var containment = []string{"childEntity", "vmFolder", "hostFolder", "datastoreFolder", "networkFolder", "host", "resourcePool", "vm"}

// movesSomething reports whether changes alter what contains what.
func movesSomething(changes []types.PropertyChange) bool {
	return slices.ContainsFunc(changes, func(c types.PropertyChange) bool { return slices.Contains(containment, c.Name) })
}

// CreateContainerView creates the view as vcsim does, and keeps its
// membership current from then on.
func (vc *vcenter) CreateContainerView(ctx *simulator.Context, req *types.CreateContainerView) soap.HasFault {
	res := ctx.Map.ViewManager().CreateContainerView(ctx, req)
	body, ok := res.(*methods.CreateContainerViewBody)
	if !ok || body.Res == nil {
		return res
	}
	v, ok := ctx.Session.Get(body.Res.Returnval).(*simulator.ContainerView)
	if ok && (!v.Recursive || v.Container != rootFolder(ctx)) {
		k := &vc.feed.views
		k.mu.Lock()
		if k.views == nil {
			k.views = map[types.ManagedObjectReference]keptView{}
		}
		k.views[v.Self] = keptView{ctx.Session.Key, v}
		k.mu.Unlock()
	}
	return res
}

// DestroyView destroys the container view This, as vcsim does.
func (vc *vcenter) DestroyView(ctx *simulator.Context, req *types.DestroyView) soap.HasFault {
	v, ok := ctx.Session.Get(req.This).(*simulator.ContainerView)
	if !ok {
		return &methods.DestroyViewBody{Fault_: simulator.Fault("", &types.ManagedObjectNotFound{Obj: req.This})}
	}
	vc.feed.views.drop(func(ref types.ManagedObjectReference, _ keptView) bool { return ref == req.This })
	return v.DestroyView(ctx, req)
}

func rootFolder(ctx *simulator.Context) types.ManagedObjectReference {
	return ctx.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance).Content.RootFolder
}

// drop forgets the views match accepts.
func (k *viewKeeper) drop(match func(types.ManagedObjectReference, keptView) bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	maps.DeleteFunc(k.views, match)
}

// moved records that something moved, and has the views walked again
// once moves settle.
func (vc *vcenter) moved() {
	k := &vc.feed.views
	k.mu.Lock()
	none := len(k.views) == 0
	k.mu.Unlock()
	if !none {
		vc.settle(&k.walk, viewSettle, vc.walkViews)
	}
}

// walkViews walks the views again.
func (vc *vcenter) walkViews() {
	k := &vc.feed.views
	c := *vc.sctx // a context of its own: locks belong to a context
	k.mu.Lock()
	views := slices.Collect(maps.Values(k.views))
	k.mu.Unlock()
	for _, kv := range views {
		refresh(&c, kv.view)
	}
}

// refresh walks v's container again and, if its membership changed,
// updates its view property.
func refresh(ctx *simulator.Context, v *simulator.ContainerView) {
	var root types.ManagedObjectReference
	var kinds []string
	var recursive bool
	var cur []types.ManagedObjectReference
	ctx.WithLock(v, func() {
		root, kinds, recursive, cur = v.Container, slices.Clone(v.Type), v.Recursive, slices.Clone(v.View)
	})
	members := viewMembers(ctx, root, kinds, recursive)
	if sameMembers(cur, members) {
		return
	}
	ctx.WithLock(v, func() {
		ctx.Update(v, []types.PropertyChange{{Name: "view", Val: members}})
	})
}

// viewMembers returns the entities under root (its children only, unless
// recursive) of the given types or types that extend them (all, if none),
// as vcsim's container view finds them.
func viewMembers(ctx *simulator.Context, root types.ManagedObjectReference, kinds []string, recursive bool) []types.ManagedObjectReference {
	included := map[string]bool{}
	include := func(ref types.ManagedObjectReference, obj mo.Reference) bool {
		if len(kinds) == 0 {
			return true
		}
		in, ok := included[ref.Type]
		if !ok {
			rt := moStruct(obj).Type()
			in = slices.ContainsFunc(kinds, func(k string) bool {
				f, ok := rt.FieldByName(k)
				return k == ref.Type || (ok && f.Anonymous)
			})
			included[ref.Type] = in
		}
		return in
	}
	var members []types.ManagedObjectReference
	seen := map[types.ManagedObjectReference]bool{}
	var walk func(types.ManagedObjectReference)
	walk = func(node types.ManagedObjectReference) {
		obj := ctx.Map.Get(node)
		if obj == nil {
			return
		}
		var kids []types.ManagedObjectReference
		ctx.WithLock(obj, func() { kids = children(obj) })
		for _, kid := range kids {
			if seen[kid] {
				continue
			}
			seen[kid] = true
			child := ctx.Map.Get(kid)
			if child == nil {
				continue
			}
			if include(kid, child) {
				members = append(members, kid)
			}
			if recursive {
				walk(kid)
			}
		}
	}
	walk(root)
	return members
}

// children returns the entities obj contains, as container views see
// them (a copy).
func children(obj mo.Reference) []types.ManagedObjectReference {
	v := moStruct(obj)
	if !v.IsValid() || !v.CanAddr() {
		return nil
	}
	var kids []types.ManagedObjectReference
	switch e := v.Addr().Interface().(type) {
	case *mo.Datacenter:
		kids = []types.ManagedObjectReference{e.VmFolder, e.HostFolder, e.DatastoreFolder, e.NetworkFolder}
	case *mo.Folder:
		kids = slices.Clone(e.ChildEntity)
	case *mo.StoragePod:
		kids = slices.Clone(e.ChildEntity)
	case *mo.ComputeResource:
		kids = append(slices.Clone(e.Host), refOrNone(e.ResourcePool)...)
	case *mo.ClusterComputeResource:
		kids = append(slices.Clone(e.Host), refOrNone(e.ResourcePool)...)
	case *mo.ResourcePool:
		kids = append(slices.Clone(e.ResourcePool), e.Vm...)
	case *mo.VirtualApp:
		kids = append(slices.Clone(e.ResourcePool.ResourcePool), e.Vm...)
	case *mo.HostSystem:
		kids = slices.Clone(e.Vm)
	}
	return kids
}

func refOrNone(r *types.ManagedObjectReference) []types.ManagedObjectReference {
	if r == nil {
		return nil
	}
	return []types.ManagedObjectReference{*r}
}

// sameMembers reports whether a and b hold the same references, each
// once.
func sameMembers(a, b []types.ManagedObjectReference) bool {
	if len(a) != len(b) {
		return false
	}
	in := make(map[types.ManagedObjectReference]bool, len(a))
	for _, r := range a {
		in[r] = true
	}
	return len(in) == len(a) && !slices.ContainsFunc(b, func(r types.ManagedObjectReference) bool { return !in[r] })
}
