package sim

import (
	"maps"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// filter is a property filter of a collector (see collector.go): the
// objects its spec selects, and the updates owed to its client. The
// registry's listener (feed.go) turns each change of an object in the
// filter into a modify update at once, from the change itself; only a
// change that can alter what the traversal reaches marks the filter dirty,
// and the next wait walks it again.
//
// The fields after the first group are guarded by the collector's mu.
type filter struct {
	ref   types.ManagedObjectReference
	spec  types.PropertyFilterSpec
	hops  []string   // the paths the spec's traversal specs follow
	props *specProps // of spec.PropSet

	in      map[types.ManagedObjectReference]bool // the objects the client has (or will have at the next wait) as entered
	order   []types.ManagedObjectReference        // in, as the traversal found them
	nodes   map[types.ManagedObjectReference][]string
	queue   []types.ObjectUpdate // modify and leave updates not yet handed out, in order
	fresh   bool                 // the next wait hands out every object as entered
	dirty   bool                 // the next wait walks the traversal again
	walking int                  // walks in progress: any change to a hop counts
	resync  bool                 // the queue overflowed: the next wait sends every object's properties
}

// maxQueued bounds a filter's queue. A client that stopped asking (or
// never will: a killed one, until its session expires) costs no more
// memory than this; when it asks again it gets every object's properties
// as one modify update each, which brings it up to date.
const maxQueued = 20000

// typeProps is what property specs report of objects of one type.
type typeProps struct {
	covered bool                 // some property spec names the type or one it extends
	all     bool                 // every property
	paths   []string             // otherwise these, each once, in the specs' order
	read    []*propertyPath      // paths, compiled for the type
	specs   []types.PropertySpec // the specs that cover the type, in order
}

// specProps resolves, by object type, what a list of property specs
// reports, once per type: the specs apply to thousands of objects of a
// handful of types.
type specProps struct {
	specs  []types.PropertySpec
	mu     sync.Mutex                            // held to add to byKind
	byKind atomic.Pointer[map[string]*typeProps] // object type -> what is reported; replaced, never changed, so read without a lock
}

// known returns what the specs report of objects of type kind, if of has
// worked it out.
func (sp *specProps) known(kind string) (*typeProps, bool) {
	if m := sp.byKind.Load(); m != nil {
		tp, ok := (*m)[kind]
		return tp, ok
	}
	return nil, false
}

// of returns what the specs report of objects of type kind, whose managed
// object type is rt. As vcsim's collector does, a property spec covers
// its own type and the types that embed it (ManagedEntity covers every
// entity).
func (sp *specProps) of(kind string, rt reflect.Type) *typeProps {
	if tp, ok := sp.known(kind); ok {
		return tp
	}
	tp := &typeProps{}
	for _, ps := range sp.specs {
		if ps.Type != kind && ps.Type != rt.Name() {
			if sf, ok := rt.FieldByName(ps.Type); !ok || !sf.Anonymous {
				continue
			}
		}
		tp.covered = true
		tp.all = tp.all || boolValue(ps.All)
		tp.specs = append(tp.specs, ps)
		for _, p := range ps.PathSet {
			if !slices.Contains(tp.paths, p) {
				tp.paths = append(tp.paths, p)
				tp.read = append(tp.read, pathFor(rt, p))
			}
		}
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if got, ok := sp.known(kind); ok {
		return got
	}
	m := map[string]*typeProps{kind: tp}
	if old := sp.byKind.Load(); old != nil {
		maps.Copy(m, *old)
	}
	sp.byKind.Store(&m)
	return tp
}

func newFilter(spec types.PropertyFilterSpec) *filter {
	f := &filter{spec: spec, props: &specProps{specs: spec.PropSet}, fresh: true, dirty: true}
	for _, os := range spec.ObjectSet {
		f.hops = appendHops(f.hops, os.SelectSet)
	}
	return f
}

// appendHops adds the paths of the traversal specs in sel, and in theirs.
func appendHops(hops []string, sel []types.BaseSelectionSpec) []string {
	for _, s := range sel {
		if ts, ok := s.(*types.TraversalSpec); ok {
			if !slices.Contains(hops, ts.Path) {
				hops = append(hops, ts.Path)
			}
			hops = appendHops(hops, ts.SelectSet)
		}
	}
	return hops
}

// changes returns the changes a filter with tp reports for changes made to
// obj (its managed object struct, already changed). A change of one of
// its paths is reported as made; a change above a path (summary for
// summary.quickStats.overallCpuUsage) or below it (the other way round)
// reports the path's new value, read from obj. With every property asked
// for, each changed top-level property is reported.
func (tp *typeProps) changes(obj reflect.Value, changes []types.PropertyChange) []types.PropertyChange {
	var out []types.PropertyChange
	put := func(c types.PropertyChange) {
		if i := slices.IndexFunc(out, func(o types.PropertyChange) bool { return o.Name == c.Name }); i >= 0 {
			out[i] = c
			return
		}
		out = append(out, c)
	}
	read := func(p string, c *propertyPath) types.PropertyChange {
		val, _ := c.value(obj)
		return types.PropertyChange{Name: p, Op: types.PropertyChangeOpAssign, Val: val}
	}
	for _, c := range changes {
		if tp.all {
			if top := topLevel(c.Name); top != c.Name {
				put(read(top, pathFor(obj.Type(), top)))
			} else {
				put(c)
			}
			continue
		}
		for i, p := range tp.paths {
			switch {
			case c.Name == p:
				put(c)
			case overlaps(c.Name, p):
				put(read(p, tp.read[i]))
			}
		}
	}
	return out
}

// modified records changes made to ref, whose managed object struct is
// obj, and reports whether the filter has something new for its client.
func (f *filter) modified(ref types.ManagedObjectReference, obj reflect.Value, changes []types.PropertyChange) bool {
	news := false
	if f.in[ref] {
		if cs := f.props.of(ref.Type, obj.Type()).changes(obj, changes); len(cs) > 0 {
			f.push(types.ObjectUpdate{Obj: ref, Kind: types.ObjectUpdateKindModify, ChangeSet: cs})
			news = true
		}
	}
	hops, walked := f.nodes[ref]
	if f.walking > 0 {
		hops, walked = f.hops, true
	}
	if walked && !f.dirty && slices.ContainsFunc(changes, func(c types.PropertyChange) bool {
		return slices.ContainsFunc(hops, func(h string) bool { return overlaps(c.Name, h) })
	}) {
		f.dirty, news = true, true
	}
	return news
}

// created records that an entity was put in the registry (created, or
// moved into a folder): a traversal may reach it now, and the folders
// vcsim fills do not tell.
func (f *filter) created() bool {
	if len(f.hops) == 0 || f.dirty {
		return false
	}
	f.dirty = true
	return true
}

// removed records that ref left the inventory.
func (f *filter) removed(ref types.ManagedObjectReference) bool {
	news := false
	if f.in[ref] {
		delete(f.in, ref)
		f.push(types.ObjectUpdate{Obj: ref, Kind: types.ObjectUpdateKindLeave})
		news = true
	}
	if _, ok := f.nodes[ref]; ok && !f.dirty {
		f.dirty, news = true, true
	}
	return news
}

// push queues u. Past maxQueued, modify updates are dropped for a resync.
func (f *filter) push(u types.ObjectUpdate) {
	if f.resync && u.Kind == types.ObjectUpdateKindModify {
		return
	}
	if len(f.queue) >= maxQueued {
		f.queue = slices.DeleteFunc(f.queue, func(u types.ObjectUpdate) bool { return u.Kind == types.ObjectUpdateKindModify })
		f.resync = true
	}
	f.queue = append(f.queue, u)
}

// reset makes the next wait start over, as a wait with no version does:
// every object the traversal reaches enters, with its properties read
// then. It walks the traversal again only if it is dirty: one that is
// not reaches what the last walk found (CreateFilter walks it, and the
// client's first wait follows at once; at 45,000 VMs a walk costs a
// tenth of a second).
func (f *filter) reset() {
	f.queue, f.fresh, f.resync = nil, true, false
}

// replace records a new walk's result, returning the objects that left
// the filter and those that entered it. The entered ones count as in at
// once, so that their changes from now on are queued; their properties
// are read after.
func (f *filter) replace(w walked) (left, entered []types.ManagedObjectReference) {
	for _, r := range w.order {
		if !f.in[r] {
			entered = append(entered, r)
		}
	}
	for _, r := range f.order {
		if f.in[r] && !w.found[r] {
			left = append(left, r)
		}
	}
	f.in, f.order, f.nodes = w.found, w.order, w.nodes
	return left, entered
}

// walked is what a walk of a filter's traversal found.
type walked struct {
	order []types.ManagedObjectReference            // the objects selected, in the order found
	found map[types.ManagedObjectReference]bool     // order, as a set
	nodes map[types.ManagedObjectReference][]string // the paths followed from each node
}

// walker walks a filter spec's traversal as vcsim's collector does (a
// traversal spec's type is not checked, its path is simply followed) and
// records the objects it finds and the nodes it went through.
type walker struct {
	ctx   *simulator.Context
	f     *filter
	specs map[string]*types.TraversalSpec // named traversal specs seen so far
	done  map[walkStep]bool
	found map[types.ManagedObjectReference]bool
	order []types.ManagedObjectReference
	nodes map[types.ManagedObjectReference][]string
	paths map[tsOnType]*propertyPath // compiled traversal paths (see path)
	// follows says, of the types of objects met, whether specs of a type
	// are followed from them (see leaf).
	follows map[typeKey]bool
}

// tsOnType is a traversal spec followed from objects of a managed object
// type.
type tsOnType struct {
	rt reflect.Type
	ts *types.TraversalSpec
}

// walkStep is one traversal spec followed from one node; following it
// again would find nothing new (and a cycle would never end).
type walkStep struct {
	node types.ManagedObjectReference
	ts   *types.TraversalSpec
}

// walk returns the objects f's spec selects, in the order found, and the
// paths followed from each node, or the fault of an invalid spec. A root
// object that does not exist is skipped (CreateFilter checks them).
func (f *filter) walk(ctx *simulator.Context) (walked, types.BaseMethodFault) {
	w := &walker{ctx: ctx, f: f, specs: map[string]*types.TraversalSpec{}, done: map[walkStep]bool{},
		found: map[types.ManagedObjectReference]bool{}, nodes: map[types.ManagedObjectReference][]string{},
		paths: map[tsOnType]*propertyPath{}, follows: map[typeKey]bool{}}
	for _, os := range f.spec.ObjectSet {
		obj := sessionObject(ctx, os.Obj)
		if obj == nil {
			continue
		}
		if os.SelectSet == nil || !boolValue(os.Skip) {
			w.add(os.Obj, obj)
		}
		if fault := w.follow(os.Obj, obj, os.SelectSet); fault != nil {
			return walked{}, fault
		}
	}
	return walked{w.order, w.found, w.nodes}, nil
}

// add records ref as found, if a property spec covers its type. obj is
// ref's object, or nil to look it up if need be.
func (w *walker) add(ref types.ManagedObjectReference, obj mo.Reference) {
	if w.found[ref] {
		return
	}
	tp, ok := w.f.props.known(ref.Type)
	if !ok {
		if obj == nil {
			obj = sessionObject(w.ctx, ref)
		}
		v := moStruct(obj)
		if !v.IsValid() {
			return
		}
		tp = w.f.props.of(ref.Type, v.Type())
	}
	if tp.covered {
		w.found[ref] = true
		w.order = append(w.order, ref)
	}
}

// follow applies the selection specs sel to node, whose object is obj. A
// traversal spec whose path names no property of obj's type finds nothing
// there: it is passed by without locking obj (a traversal from the root
// folder reaches every VM through Folder.childEntity, and would otherwise
// lock each VM once for each spec of its select set).
func (w *walker) follow(node types.ManagedObjectReference, obj mo.Reference, sel []types.BaseSelectionSpec) types.BaseMethodFault {
	for _, s := range sel {
		if ts, ok := s.(*types.TraversalSpec); ok && ts.Name != "" {
			w.specs[ts.Name] = ts
		}
	}
	v := moStruct(obj)
	for _, s := range sel {
		ts, ok := s.(*types.TraversalSpec)
		if !ok {
			if ts = w.specs[s.GetSelectionSpec().Name]; ts == nil {
				return &types.InvalidArgument{InvalidProperty: "undefined TraversalSpec name"}
			}
		}
		if !v.IsValid() {
			continue
		}
		follows := isA(v.Type(), ts.Type)
		w.follows[typeKey{typ: node.Type, spec: ts.Type}] = follows
		if !follows {
			continue // vCenter follows a spec only from objects of its type
		}
		path := w.path(v.Type(), ts)
		if path.absent() {
			continue
		}
		step := walkStep{node, ts}
		if w.done[step] {
			continue
		}
		w.done[step] = true
		if !slices.Contains(w.nodes[node], ts.Path) {
			w.nodes[node] = append(w.nodes[node], ts.Path)
		}
		var refs []types.ManagedObjectReference
		w.ctx.WithLock(node, func() { // by reference: cheaper to resolve than obj, and the same lock
			val, _ := path.value(v)
			refs = slices.Clone(refsIn(val))
		})
		if len(w.found) == 0 && !boolValue(ts.Skip) { // sized for the first list it may take in
			w.found = make(map[types.ManagedObjectReference]bool, len(refs))
		}
		for _, r := range refs {
			if !boolValue(ts.Skip) {
				w.add(r, nil)
			}
			if len(ts.SelectSet) == 0 || w.leaf(r.Type, ts.SelectSet) {
				continue
			}
			if child := sessionObject(w.ctx, r); child != nil {
				if fault := w.follow(r, child, ts.SelectSet); fault != nil {
					return fault
				}
			}
		}
	}
	return nil
}

// leaf reports whether no spec of sel is followed from objects of type
// typ, as known from one already met: at 45,000 VMs, the VMs of a
// folder need no lookup, lock or step each. A spec sel names but does
// not define makes it false, for follow to fault.
func (w *walker) leaf(typ string, sel []types.BaseSelectionSpec) bool {
	for _, s := range sel {
		ts, ok := s.(*types.TraversalSpec)
		if !ok {
			ts = w.specs[s.GetSelectionSpec().Name]
		}
		if ts == nil {
			return false
		}
		follows, known := w.follows[typeKey{typ: typ, spec: ts.Type}]
		if !known || follows {
			return false
		}
	}
	return true
}

// typeKey is an object's type and a traversal spec's.
type typeKey struct{ typ, spec string }

// isA reports whether rt, a managed object's struct type, is the type
// named typ or derives from it (a VirtualApp is a ResourcePool, a
// cluster a ComputeResource, all of them ManagedEntity). An empty typ
// matches all. vcsim applies every traversal spec to every object,
// whatever its type, so a spec for one type whose path another type also
// has (a ResourcePool's resourcePool, which a VM has too) walks where
// vCenter does not: far more objects, and objects vCenter would not
// select.
func isA(rt reflect.Type, typ string) bool {
	if typ == "" {
		return true
	}
	return derived.get(derivedKey{rt, typ}, func() bool { return embeds(rt, typ) })
}

// derivedKey is a managed-object struct type and a type name it may
// derive from.
type derivedKey struct {
	t   reflect.Type
	typ string
}

// derived caches isA's answers.
var derived boundedCache[derivedKey, bool]

// embeds reports whether struct type t is named typ or embeds, at any
// depth, a struct of that name: mo's types derive by embedding.
func embeds(t reflect.Type, typ string) bool {
	if t.Name() == typ {
		return true
	}
	for i := range t.NumField() {
		if f := t.Field(i); f.Anonymous && f.Type.Kind() == reflect.Struct && embeds(f.Type, typ) {
			return true
		}
	}
	return false
}

// path returns ts's path compiled for managed objects of type rt,
// remembered for the walk: a walk asks for it once per node it follows
// ts from, thousands of times for a handful of types.
func (w *walker) path(rt reflect.Type, ts *types.TraversalSpec) *propertyPath {
	k := tsOnType{rt, ts}
	p, ok := w.paths[k]
	if !ok {
		p = pathFor(rt, ts.Path)
		w.paths[k] = p
	}
	return p
}

// sessionObject returns the object ref as the calling session sees it
// (its views and collectors are its own), or nil.
func sessionObject(ctx *simulator.Context, ref types.ManagedObjectReference) mo.Reference {
	if ctx.Session != nil {
		return ctx.Session.Get(ref)
	}
	return ctx.Map.Get(ref)
}

// boolValue returns *b, or false if b is nil.
func boolValue(b *bool) bool { return b != nil && *b }
