package sim

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// Property collectors
//
// vcsim answers a WaitForUpdatesEx by collecting again, for every change
// of any object, everything the collector's filters cover: O(inventory)
// work per change, which at 10,000 VMs delays each update by seconds and
// keeps both cores busy. vtui's simulator serves the filters and waits
// itself (route.go reroutes the methods): the registry's listener
// (feed.go) turns each change of an object already in a filter into its
// update at once, and only a change that can alter what a filter's
// traversal reaches (a view's membership, a folder's children, an entity
// created or destroyed) makes that filter walk its traversal again at the
// next wait, reading the properties of the objects that entered only.
// The package documentation lists what a client sees.

// collectors holds the state of every session's property collectors.
type collectors struct {
	mu  sync.RWMutex
	all map[collectorKey]*collector

	// loadEnded, if set, is called in a goroutine of its own each time a
	// session's large first load has been handed out (see collect):
	// largeLoad objects or more through one collector.
	loadEnded func()
	largeLoad int

	walks atomic.Int64 // traversals walked, for tests: a change must not cause one
}

// collectorKey names a collector: the default one has the same reference
// in every session, and each session has its own.
type collectorKey struct {
	session string
	ref     types.ManagedObjectReference
}

// collector is one property collector's filters and waits.
type collector struct {
	pc         *simulator.PropertyCollector // vcsim's object, whose filter property lists the filters
	wake       chan struct{}                // has a value when a filter may have news
	collecting sync.Mutex                   // one collection at a time, so none takes another's updates

	mu      sync.Mutex
	filters []*filter
	version int64
	pending []owedFilter            // the rest of a truncated update set
	handed  int                     // the objects of the pending set handed out so far
	waits   int64                   // waits started, naming the one in progress
	cancel  context.CancelCauseFunc // ends the wait in progress
	waiting bool
}

func newCollectors() *collectors {
	return &collectors{all: map[collectorKey]*collector{}, largeLoad: largeLoad}
}

// get returns the calling session's collector this, creating its state on
// first use, or the fault for a collector that does not exist.
func (cs *collectors) get(ctx *simulator.Context, this types.ManagedObjectReference) (*collector, types.BaseMethodFault) {
	pc, ok := ctx.Session.Get(this).(*simulator.PropertyCollector)
	if !ok {
		return nil, &types.ManagedObjectNotFound{Obj: this}
	}
	key := collectorKey{ctx.Session.Key, this}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c := cs.all[key]
	if c == nil || c.pc != pc {
		c = &collector{pc: pc, wake: make(chan struct{}, 1)}
		cs.all[key] = c
	}
	return c, nil
}

// lookup returns the calling session's collector this, if it has state.
func (cs *collectors) lookup(session string, this types.ManagedObjectReference) *collector {
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	return cs.all[collectorKey{session, this}]
}

// drop forgets the collectors match accepts, ending their waits.
func (cs *collectors) drop(match func(collectorKey) bool) {
	cs.mu.Lock()
	var gone []*collector
	for k, c := range cs.all {
		if match(k) {
			gone = append(gone, c)
			delete(cs.all, k)
		}
	}
	cs.mu.Unlock()
	for _, c := range gone {
		c.endWait(errCollectorGone)
	}
}

// owner returns the session's collector that has the filter ref, or nil.
func (cs *collectors) owner(session string, ref types.ManagedObjectReference) *collector {
	var found *collector
	cs.each(func(k collectorKey, c *collector) {
		if k.session != session {
			return
		}
		c.mu.Lock()
		if slices.ContainsFunc(c.filters, func(f *filter) bool { return f.ref == ref }) {
			found = c
		}
		c.mu.Unlock()
	})
	return found
}

// waiting reports whether a wait of session is in progress.
func (cs *collectors) waiting(session string) bool {
	w := false
	cs.each(func(k collectorKey, c *collector) {
		if k.session == session {
			c.mu.Lock()
			w = w || c.waiting
			c.mu.Unlock()
		}
	})
	return w
}

// each calls fn for every collector. fn may take the collector's lock
// (nothing holding one asks for cs.mu), but not cs.mu.
func (cs *collectors) each(fn func(collectorKey, *collector)) {
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	for k, c := range cs.all {
		fn(k, c)
	}
}

// record runs fn on each filter of c under c's lock, and wakes c's wait
// if fn says a filter has news.
func (c *collector) record(fn func(*filter) bool) {
	c.mu.Lock()
	news := false
	for _, f := range c.filters {
		news = fn(f) || news
	}
	c.mu.Unlock()
	if news {
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
}

// Why a wait ends early.
var (
	errCancelled     = errors.New("CancelWaitForUpdates was called")
	errSuperseded    = errors.New("another wait started on the collector")
	errCollectorGone = errors.New("the collector was destroyed")
)

// endWait ends the wait in progress on c, if any, for why.
func (c *collector) endWait(why error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancel != nil {
		c.cancel(why)
	}
}

// waitOptions are a wait's WaitOptions, resolved.
type waitOptions struct {
	maxWait    time.Duration // < 0: no limit; 0: one pass
	maxObjects int           // <= 0: no limit
}

// defaultMaxObjectUpdates is how many object updates one answer holds when
// the client sets no limit: vcsim's (and vCenter's) policy.
const defaultMaxObjectUpdates = 100

// wait answers a WaitForUpdatesEx: the updates since version, waiting for
// some as o says. It returns a nil set when the time ran out, and
// RequestCanceled when the wait was cancelled (CancelWaitForUpdates,
// another wait on the collector, the collector's end) or the client's
// connection closed (conn ended; Server.Close closes them all).
func (c *collector) wait(ctx *simulator.Context, cs *collectors, conn context.Context, version string, o waitOptions) (*types.UpdateSet, types.BaseMethodFault) {
	waitCtx, cancel := context.WithCancelCause(conn)
	defer cancel(nil)

	c.mu.Lock()
	if c.cancel != nil {
		c.cancel(errSuperseded)
	}
	c.waits++
	id := c.waits
	c.cancel, c.waiting = cancel, true
	defer func() {
		c.mu.Lock()
		if c.waits == id {
			c.cancel, c.waiting = nil, false
		}
		c.mu.Unlock()
	}()
	initial := version == ""
	switch {
	case initial:
		c.pending = nil
		for _, f := range c.filters {
			f.reset()
		}
	case version != strconv.FormatInt(c.version, 10):
		c.mu.Unlock()
		return nil, &types.InvalidCollectorVersion{}
	}
	c.mu.Unlock()

	var timeout <-chan time.Time
	if o.maxWait > 0 {
		t := time.NewTimer(o.maxWait)
		defer t.Stop()
		timeout = t.C
	}
	for {
		select {
		case <-c.wake: // what it announced is collected below
		default:
		}
		set, fault := c.collect(ctx, cs, o.maxObjects, initial)
		if fault != nil || set != nil || o.maxWait == 0 {
			return set, fault
		}
		select {
		case <-c.wake:
		case <-timeout:
			return nil, nil
		case <-waitCtx.Done(): // after a closed connection, nobody reads it
			return nil, &types.RequestCanceled{}
		}
	}
}

// collect returns the next update set, or nil if there is nothing new
// (unless always, which returns a set even then, as the first wait does).
// It reads the properties of the objects it hands out page by page (see
// owed): a client's first wait on a filter of 45,000 VMs gets its first
// page after reading a thousand of them, not all.
func (c *collector) collect(ctx *simulator.Context, cs *collectors, maxObjects int, always bool) (*types.UpdateSet, types.BaseMethodFault) {
	c.collecting.Lock()
	defer c.collecting.Unlock()
	c.mu.Lock()
	pending := len(c.pending) > 0
	filters := slices.Clone(c.filters)
	c.mu.Unlock()
	if !pending {
		var owes []owedFilter
		for _, f := range filters {
			objects, fault := c.updates(ctx, cs, f)
			if fault != nil {
				return nil, fault
			}
			if len(objects) > 0 {
				owes = append(owes, owedFilter{f: f, objects: objects})
			}
		}
		if len(owes) == 0 && !always {
			return nil, nil
		}
		c.mu.Lock()
		c.pending, c.handed = owes, 0
		c.mu.Unlock()
	}
	c.mu.Lock()
	page := c.takeLocked(maxObjects)
	for _, of := range page {
		c.handed += len(of.objects)
	}
	c.mu.Unlock()

	// Read outside c.mu: the registry's listener takes it with an
	// object's lock held (feed.go). c.collecting keeps other
	// collections out.
	set := &types.UpdateSet{}
	for _, of := range page {
		if objects := c.read(ctx, of); len(objects) > 0 {
			set.FilterSet = append(set.FilterSet, types.PropertyFilterUpdate{Filter: of.f.ref, ObjectSet: objects})
		}
	}
	c.mu.Lock()
	if len(c.pending) > 0 {
		set.Truncated = types.NewBool(true)
	}
	c.version++
	set.Version = strconv.FormatInt(c.version, 10)
	large := len(c.pending) == 0 && c.handed >= cs.largeLoad
	c.mu.Unlock()
	if large && cs.loadEnded != nil && !cs.loading(ctx.Session.Key) {
		go cs.loadEnded()
	}
	return set, nil
}

// largeLoad is how many objects an update set must hold for its last
// page to end a large load: a client's first load of a VM list, not of
// its hosts or clusters.
const largeLoad = 10000

// loading reports whether a collector of session has pages of an update
// set left to hand out.
func (cs *collectors) loading(session string) bool {
	found := false
	cs.each(func(k collectorKey, c *collector) {
		if k.session == session {
			c.mu.Lock()
			found = found || len(c.pending) > 0
			c.mu.Unlock()
		}
	})
	return found
}

// owed is an object update a collector owes its client: whole, or, when
// unread, its object and kind, whose properties are read as its page is
// handed out. An object destroyed by then is passed by (its leave, which
// the filter queued, follows the pages); one changed by then comes as it
// is then (and its change follows, as a modify of the same values).
type owed struct {
	update types.ObjectUpdate
	unread bool
}

// owedFilter is what a collector owes its client from one filter.
type owedFilter struct {
	f       *filter
	objects []owed
}

// takeLocked takes the first maxObjects (all if <= 0) owed updates from
// c.pending.
func (c *collector) takeLocked(maxObjects int) []owedFilter {
	var page []owedFilter
	n := 0
	for len(c.pending) > 0 && (maxObjects <= 0 || n < maxObjects) {
		of := &c.pending[0]
		take := len(of.objects)
		if maxObjects > 0 {
			take = min(take, maxObjects-n)
		}
		page = append(page, owedFilter{f: of.f, objects: of.objects[:take:take]})
		n += take
		if of.objects = of.objects[take:]; len(of.objects) == 0 {
			c.pending = c.pending[1:]
		}
	}
	return page
}

// updates returns what f owes its client: the queued modify and leave
// updates and, when the traversal may have changed, the objects that left
// and entered it since the last walk (every object, for a fresh filter),
// the entered ones unread.
func (c *collector) updates(ctx *simulator.Context, cs *collectors, f *filter) ([]owed, types.BaseMethodFault) {
	c.mu.Lock()
	queued, fresh, resync := f.queue, f.fresh, f.resync
	f.queue, f.fresh, f.resync = nil, false, false
	c.mu.Unlock()
	var order []types.ManagedObjectReference

	left, entered, fault := c.walk(ctx, cs, f)
	if fault != nil {
		return nil, fault
	}
	if fresh || resync {
		c.mu.Lock()
		order = slices.DeleteFunc(slices.Clone(f.order), func(r types.ManagedObjectReference) bool { return !f.in[r] })
		c.mu.Unlock()
	}
	if fresh {
		return unread(nil, order, types.ObjectUpdateKindEnter), nil
	}
	out := make([]owed, 0, len(queued)+len(left))
	for _, u := range queued {
		out = append(out, owed{update: u})
	}
	for _, r := range left {
		out = append(out, owed{update: types.ObjectUpdate{Obj: r, Kind: types.ObjectUpdateKindLeave}})
	}
	if resync {
		out = unread(out, order, types.ObjectUpdateKindModify)
	}
	return unread(out, entered, types.ObjectUpdateKindEnter), nil
}

// unread appends to out an unread update of kind for each of refs.
func unread(out []owed, refs []types.ManagedObjectReference, kind types.ObjectUpdateKind) []owed {
	out = slices.Grow(out, len(refs))
	for _, r := range refs {
		out = append(out, owed{update: types.ObjectUpdate{Obj: r, Kind: kind}, unread: true})
	}
	return out
}

// walk walks f's traversal again if it is dirty, returning the objects
// that left and entered it.
func (c *collector) walk(ctx *simulator.Context, cs *collectors, f *filter) (left, entered []types.ManagedObjectReference, fault types.BaseMethodFault) {
	c.mu.Lock()
	if !f.dirty {
		c.mu.Unlock()
		return nil, nil, nil
	}
	f.dirty = false
	f.walking++
	c.mu.Unlock()

	cs.walks.Add(1)
	found, fault := f.walk(ctx)

	c.mu.Lock()
	defer c.mu.Unlock()
	f.walking--
	if fault != nil {
		f.dirty = true
		return nil, nil, fault
	}
	left, entered = f.replace(found)
	return left, entered, nil
}

// read returns the updates of of, reading the properties (see content)
// of those unread. An unread object that no longer exists is passed by,
// and, if it was entering, dropped from the filter.
func (c *collector) read(ctx *simulator.Context, of owedFilter) []types.ObjectUpdate {
	out := make([]types.ObjectUpdate, 0, len(of.objects))
	var gone []types.ManagedObjectReference
	for _, o := range of.objects {
		u := o.update
		if !o.unread {
			out = append(out, u)
			continue
		}
		oc, ok := content(ctx, u.Obj, of.f.props)
		if !ok {
			if u.Kind == types.ObjectUpdateKindEnter {
				gone = append(gone, u.Obj)
			}
			continue
		}
		if len(oc.PropSet) > 0 {
			u.ChangeSet = make([]types.PropertyChange, len(oc.PropSet))
			for i, p := range oc.PropSet {
				u.ChangeSet[i] = types.PropertyChange{Name: p.Name, Op: types.PropertyChangeOpAssign, Val: p.Val}
			}
		}
		out = append(out, u)
	}
	if len(gone) > 0 {
		c.mu.Lock()
		for _, r := range gone {
			delete(of.f.in, r)
		}
		c.mu.Unlock()
	}
	return out
}
