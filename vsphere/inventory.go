package vsphere

import (
	"context"
	"fmt"
	"sync"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// viewSet is one container view per kind, each created on first need and
// shared by snapshots and the watch. Views live in the server session, so
// a re-login (a new generation) makes them stale.
type viewSet struct {
	gen   uint64
	mu    []sync.Mutex                   // parallel to kinds: held while creating the view
	views []types.ManagedObjectReference // parallel to kinds; zero until created
}

// currentViews returns the session's views, a new empty set after a
// re-login.
func (c *Client) currentViews() *viewSet {
	c.viewsMu.Lock()
	defer c.viewsMu.Unlock()
	if gen := c.Relogins(); c.views == nil || c.views.gen != gen {
		c.views = &viewSet{gen: gen, mu: make([]sync.Mutex, len(kinds)), views: make([]types.ManagedObjectReference, len(kinds))}
	}
	return c.views
}

// destroyViews destroys the views of the current session that the client
// created, at once, and forgets them. Views of an earlier session went
// with it.
func (c *Client) destroyViews() {
	c.viewsMu.Lock()
	vs := c.views
	c.views = nil
	c.viewsMu.Unlock()
	if vs == nil || vs.gen != c.Relogins() {
		return
	}
	var wg sync.WaitGroup
	for i := range vs.views {
		vs.mu[i].Lock() // a view being created is destroyed once it is
		view := vs.views[i]
		vs.mu[i].Unlock()
		if view.Value != "" {
			wg.Go(func() { c.destroyView(view) })
		}
	}
	wg.Wait()
}

// view returns the view of kind i, creating it on first use. On vcsim
// creating one walks the whole inventory (10 to 20 ms at 10,000 VMs), so
// callers create the views they need at once, each starting its requests
// as soon as its own view exists.
func (vs *viewSet) view(ctx context.Context, c *Client, i int) (types.ManagedObjectReference, error) {
	vs.mu[i].Lock()
	defer vs.mu[i].Unlock()
	if vs.views[i].Value != "" {
		return vs.views[i], nil
	}
	sc := c.vim.ServiceContent
	res, err := methods.CreateContainerView(ctx, c.vim, &types.CreateContainerView{
		This:      *sc.ViewManager,
		Container: sc.RootFolder,
		Type:      kinds[i].types,
		Recursive: true,
	})
	if err != nil {
		return types.ManagedObjectReference{}, fmt.Errorf("create %s view: %w", kinds[i].types[0], err)
	}
	vs.views[i] = res.Returnval
	return vs.views[i], nil
}

// viewsFor returns the session's views, having created those l needs at
// once.
func (c *Client) viewsFor(ctx context.Context, l Load) (*viewSet, error) {
	vs := c.currentViews()
	errs := make([]error, len(kinds))
	var wg sync.WaitGroup
	for i, k := range kinds {
		if len(l.paths(k)) > 0 {
			wg.Go(func() { _, errs[i] = vs.view(ctx, c, i) })
		}
	}
	wg.Wait()
	if err := firstError(errs); err != nil {
		return nil, err
	}
	return vs, nil
}

// firstError returns the first error of errs that is not nil: requests
// sent together tend to fail together, for the same reason.
func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// staleViews reports whether err means vs died with its session: the
// session was renewed meanwhile, or the server no longer knows a view (vcsim
// answers so, rather than NotAuthenticated, once a session expired). It
// forgets vs so the next viewsFor creates new views.
func (c *Client) staleViews(vs *viewSet, err error) bool {
	if c.Relogins() == vs.gen && !fault.Is(err, &types.ManagedObjectNotFound{}) {
		return false
	}
	c.viewsMu.Lock()
	if c.views == vs {
		c.views = nil
	}
	c.viewsMu.Unlock()
	return true
}

// viewSpec selects every object of a container view.
func viewSpec(view types.ManagedObjectReference) types.ObjectSpec {
	return types.ObjectSpec{
		Obj:  view,
		Skip: types.NewBool(true),
		SelectSet: []types.BaseSelectionSpec{
			&types.TraversalSpec{Type: "ContainerView", Path: "view"},
		},
	}
}

// climbSpec selects, from each object it is applied to, its parents up to
// the root folder: the folders and the datacenter a cluster's row names.
// Climbing costs one request's worth of objects more; a container view of
// every folder and datacenter costs a walk of the whole inventory each on
// vcsim (12 ms at 10,000 VMs, most of get clusters' time) and a request
// each.
func climbSpec() *types.TraversalSpec {
	return &types.TraversalSpec{
		SelectionSpec: types.SelectionSpec{Name: "parents"},
		Type:          "ManagedEntity",
		Path:          "parent",
		SelectSet:     []types.BaseSelectionSpec{&types.SelectionSpec{Name: "parents"}},
	}
}

// climbProps are what a climb reads of the folders and the datacenter.
var climbProps = []types.PropertySpec{
	{Type: "Folder", PathSet: []string{"parent"}},
	{Type: "Datacenter", PathSet: []string{"name"}},
}

// addKind adds to spec the paths of the objects of kinds[k] in view and,
// with climb, their parents (climbSpec).
func addKind(spec *types.PropertyFilterSpec, k int, view types.ManagedObjectReference, paths []string, climb bool) {
	os := viewSpec(view)
	if climb {
		os.SelectSet[0].(*types.TraversalSpec).SelectSet = []types.BaseSelectionSpec{climbSpec()}
		spec.PropSet = append(spec.PropSet, climbProps...)
	}
	spec.ObjectSet = append(spec.ObjectSet, os)
	for _, t := range kinds[k].types {
		spec.PropSet = append(spec.PropSet, types.PropertySpec{Type: t, PathSet: paths})
	}
}

// climbs reports whether l needs the parents of kinds[k]'s objects.
func (l Load) climbs(k int) bool { return kinds[k].climb != nil && kinds[k].climb(l) }

// filterSpecs splits what l needs over n filters, as a snapshot's
// requests split it (see requests): the parts of a kind split in several
// go one to each filter from the first, a kind in one part to the last.
// A filter left with nothing is dropped.
func (vs *viewSet) filterSpecs(l Load, n int) []types.PropertyFilterSpec {
	reqs := requests(l)
	parts := map[int]int{} // requests of each kind
	for _, r := range reqs {
		parts[r.kind]++
	}
	paths := make([]map[int][]string, n) // of each filter, by kind
	for i := range paths {
		paths[i] = map[int][]string{}
	}
	part := map[int]int{}
	climbing := map[int]int{} // the filter that climbs from each kind: its first part's
	for _, r := range reqs {
		i := (part[r.kind] + n - parts[r.kind]%n) % n
		if part[r.kind] == 0 {
			climbing[r.kind] = i
		}
		part[r.kind]++
		paths[i][r.kind] = append(paths[i][r.kind], r.paths...)
	}
	var specs []types.PropertyFilterSpec
	for i := range paths {
		var spec types.PropertyFilterSpec
		for k := range kinds {
			if len(paths[i][k]) > 0 {
				addKind(&spec, k, vs.views[k], paths[i][k], l.climbs(k) && climbing[k] == i)
			}
		}
		if len(spec.PropSet) > 0 {
			specs = append(specs, spec)
		}
	}
	return specs
}

// maxPathsPerRequest bounds the paths of one kind that a snapshot asks for
// in one request; more are split over requests that run at once. vcsim
// pays per path and object, so a VM row (13 paths) split in two loads
// 10,000 VMs in 1.9 s instead of 2.7 s on two cores; vCenter serves
// parallel requests on threads of its own. 8 keeps the whole load's VM
// paths (15, with the snapshot tree) in two requests, not three.
const maxPathsPerRequest = 8

// request is one RetrievePropertiesEx of a snapshot: some paths of the
// objects of one kind, and, for the first of a kind that climbs, their
// parents.
type request struct {
	kind  int // index in kinds
	paths []string
	climb bool
}

// requests splits what l needs into the requests of a snapshot: one per
// kind, or more for a kind with many paths.
func requests(l Load) []request {
	var out []request
	for i, k := range kinds {
		paths := l.paths(k)
		climb := l.climbs(i)
		for n := (len(paths) + maxPathsPerRequest - 1) / maxPathsPerRequest; n > 0; n-- {
			// n requests left share the rest evenly.
			part := paths[:(len(paths)+n-1)/n]
			paths = paths[len(part):]
			out = append(out, request{kind: i, paths: part, climb: climb})
			climb = false
		}
	}
	return out
}

// spec selects the request's paths of every object in view.
func (r request) spec(view types.ManagedObjectReference) types.PropertyFilterSpec {
	var spec types.PropertyFilterSpec
	addKind(&spec, r.kind, view, r.paths, r.climb)
	return spec
}

// Inventory loads a snapshot of the whole inventory (Everything): what
// changes are planned from.
func (c *Client) Inventory(ctx context.Context) (*Inventory, error) {
	return c.InventoryFor(ctx, Everything())
}

// InventoryFor loads a snapshot of what l describes and nothing more: one
// container view per kind (created once per session) and a few
// RetrievePropertiesEx requests, sent at once, for only the properties l
// needs, so the cost is a few round trips whatever the inventory's size.
// Relations are resolved in memory. Kinds that l skips are empty, and
// fields that l does not load are zero.
func (c *Client) InventoryFor(ctx context.Context, l Load) (*Inventory, error) {
	s := newStore(l)
	if err := c.load(ctx, s, l); err != nil {
		return nil, err
	}
	if l.Clusters >= Rows && l.Hosts < Usage && s.clustersWithoutUsage() {
		// The server keeps no usage summary: add the clusters up from
		// their hosts, which the clusters' host lists place.
		s.load.Hosts = Usage
		if err := c.load(ctx, s, Load{Clusters: Names, Hosts: Usage}); err != nil {
			return nil, err
		}
	}
	if l.Snapshots >= Rows {
		if err := c.loadSnapshotLayouts(ctx, s); err != nil {
			return nil, err
		}
	}
	return s.inventory(), nil
}

// load fills s with what l describes: all its requests at once, each as
// soon as its kind's view exists. If the session was renewed while
// loading, the views it used are gone, so it starts once more with new
// ones.
func (c *Client) load(ctx context.Context, s *store, l Load) error {
	for attempt := 0; ; attempt++ {
		vs := c.currentViews()
		var mu sync.Mutex
		reqs := requests(l)
		errs := make([]error, len(reqs))
		var wg sync.WaitGroup
		for i, r := range reqs {
			wg.Go(func() {
				view, err := vs.view(ctx, c, r.kind)
				if err == nil {
					err = conn.Retrieve(ctx, c.conn, r.spec(view), func(oc types.ObjectContent) {
						mu.Lock()
						defer mu.Unlock()
						s.setAll(oc)
					})
				}
				errs[i] = err
			})
		}
		wg.Wait()
		err := firstError(errs)
		if err == nil {
			return nil
		}
		if attempt == 0 && c.staleViews(vs, err) {
			conn.Log(c.conn).Info("views were lost with the session; loading again with new ones", "err", err)
			continue
		}
		return fmt.Errorf("load inventory from %s: %w", c.Host(), err)
	}
}

// setAll stores every property of one retrieved object.
func (s *store) setAll(oc types.ObjectContent) {
	obj := mo.ToRef(oc.Obj)
	for _, p := range oc.PropSet {
		s.set(obj, p.Name, p.Val)
	}
}
