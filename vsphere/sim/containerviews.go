package sim

import (
	"maps"
	"reflect"
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
// membership current from then on. vcsim fills a recursive view by
// walking everything under the container, looking each object up in the
// registry (at 45,000 VMs, a tenth of a second for each of the views a
// watch makes); so vcsim creates it flat, checking the request and
// registering the view to follow creations and removals as ever, and its
// members come from viewMembers, the same walk without the lookups of
// objects that contain nothing.
func (vc *vcenter) CreateContainerView(ctx *simulator.Context, req *types.CreateContainerView) soap.HasFault {
	flat := *req
	flat.Recursive = false
	res := ctx.Map.ViewManager().CreateContainerView(ctx, &flat)
	body, ok := res.(*methods.CreateContainerViewBody)
	if !ok || body.Res == nil {
		return res
	}
	v, ok := ctx.Session.Get(body.Res.Returnval).(*simulator.ContainerView)
	if !ok {
		return res
	}
	if req.Recursive {
		members := viewMembers(ctx, v.Container, v.Type, true)
		ctx.WithLock(v, func() { v.Recursive, v.View = true, members })
	}
	if !v.Recursive || v.Container != rootFolder(ctx) {
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
// in the order vcsim's container view finds them: depth first, each
// once, a reference counted by its type (as vcsim does, even one that
// names no object). Only objects that can contain entities are looked up
// and read, each under its lock; their children are taken in under that
// lock up to the first container to walk, and only the rest is copied to
// be taken in after it (a folder of 45,000 VMs is read in place).
func viewMembers(ctx *simulator.Context, root types.ManagedObjectReference, kinds []string, recursive bool) []types.ManagedObjectReference {
	include := viewTypes(kinds)
	var members []types.ManagedObjectReference
	var seen map[types.ManagedObjectReference]bool    // members
	walked := map[types.ManagedObjectReference]bool{} // containers: a second walk would find nothing new
	var kind string                                   // the type of the last child taken in (if known)...
	var known, in, container bool                     // ...and whether it is included, and walked
	// take takes in kids up to the first container to walk, which it
	// returns with the kids after it.
	take := func(kids []types.ManagedObjectReference) (next types.ManagedObjectReference, rest []types.ManagedObjectReference) {
		for i, kid := range kids {
			if !known || kid.Type != kind {
				kind, known = kid.Type, true
				in, container = include == nil || include[kid.Type], recursive && containers[kid.Type]
			}
			if in && !seen[kid] {
				if seen == nil { // sized for the list that brings the first members
					seen = make(map[types.ManagedObjectReference]bool, len(kids)-i)
				}
				if len(members) == cap(members) {
					members = slices.Grow(members, len(kids)-i)
				}
				seen[kid] = true
				members = append(members, kid)
			}
			if container && !walked[kid] {
				return kid, kids[i+1:]
			}
		}
		return types.ManagedObjectReference{}, nil
	}
	var walk func(types.ManagedObjectReference)
	walk = func(node types.ManagedObjectReference) {
		obj := ctx.Map.Get(node)
		if obj == nil {
			return
		}
		var next types.ManagedObjectReference
		var rest []types.ManagedObjectReference
		ctx.WithLock(node, func() { // by reference: cheaper to resolve than obj, and the same lock
			lists := childLists(obj)
			for i, kids := range lists {
				if next, rest = take(kids); next.Type != "" {
					rest = slices.Concat(append([][]types.ManagedObjectReference{rest}, lists[i+1:]...)...)
					return
				}
			}
		})
		for next.Type != "" {
			walked[next] = true
			walk(next)
			next, rest = take(rest)
		}
	}
	walk(root)
	return members
}

// viewEntities are the types a container view can be of, as vcsim's view
// manager lists them (simulator/view_manager.go).
var viewEntities = []reflect.Type{
	reflect.TypeFor[mo.ManagedEntity](), reflect.TypeFor[mo.Folder](), reflect.TypeFor[mo.StoragePod](),
	reflect.TypeFor[mo.Datacenter](), reflect.TypeFor[mo.ComputeResource](), reflect.TypeFor[mo.ClusterComputeResource](),
	reflect.TypeFor[mo.HostSystem](), reflect.TypeFor[mo.ResourcePool](), reflect.TypeFor[mo.VirtualApp](),
	reflect.TypeFor[mo.VirtualMachine](), reflect.TypeFor[mo.Datastore](), reflect.TypeFor[mo.Network](),
	reflect.TypeFor[mo.OpaqueNetwork](), reflect.TypeFor[mo.DistributedVirtualPortgroup](),
	reflect.TypeFor[mo.DistributedVirtualSwitch](), reflect.TypeFor[mo.VmwareDistributedVirtualSwitch](),
}

// viewTypes returns the types a view of kinds holds, as vcsim's does:
// each kind, and each of viewEntities that embeds one; nil (every type)
// for no kinds.
func viewTypes(kinds []string) map[string]bool {
	if len(kinds) == 0 {
		return nil
	}
	in := map[string]bool{}
	for _, k := range kinds {
		in[k] = true
		for _, e := range viewEntities {
			if f, ok := e.FieldByName(k); ok && f.Anonymous {
				in[e.Name()] = true
			}
		}
	}
	return in
}

// containers are the types of the objects childLists finds entities in.
var containers = map[string]bool{
	"Datacenter": true, "Folder": true, "StoragePod": true, "ComputeResource": true, "ClusterComputeResource": true,
	"ResourcePool": true, "VirtualApp": true, "HostSystem": true,
}

// childLists returns the lists of the entities obj contains, in the
// order container views see them: the object's own slices, to be read
// under its lock.
func childLists(obj mo.Reference) [][]types.ManagedObjectReference {
	v := moStruct(obj)
	if !v.IsValid() || !v.CanAddr() {
		return nil
	}
	switch e := v.Addr().Interface().(type) {
	case *mo.Datacenter:
		return [][]types.ManagedObjectReference{{e.VmFolder, e.HostFolder, e.DatastoreFolder, e.NetworkFolder}}
	case *mo.Folder:
		return [][]types.ManagedObjectReference{e.ChildEntity}
	case *mo.StoragePod:
		return [][]types.ManagedObjectReference{e.ChildEntity}
	case *mo.ComputeResource:
		return [][]types.ManagedObjectReference{e.Host, refOrNone(e.ResourcePool)}
	case *mo.ClusterComputeResource:
		return [][]types.ManagedObjectReference{e.Host, refOrNone(e.ResourcePool)}
	case *mo.ResourcePool:
		return [][]types.ManagedObjectReference{e.ResourcePool, e.Vm}
	case *mo.VirtualApp:
		return [][]types.ManagedObjectReference{e.ResourcePool.ResourcePool, e.Vm}
	case *mo.HostSystem:
		return [][]types.ManagedObjectReference{e.Vm}
	}
	return nil
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
