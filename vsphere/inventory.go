package vsphere

import (
	"context"
	"fmt"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

// viewSet is one container view per kind, created once per session and
// shared by snapshots and the watch. Views live in the server session, so a
// re-login (a new generation) makes them stale.
type viewSet struct {
	gen   uint64
	views []types.ManagedObjectReference // parallel to kinds
}

// viewsFor returns the session's container views, creating them on first
// use and after a re-login.
func (c *Client) viewsFor(ctx context.Context) (*viewSet, error) {
	c.viewsMu.Lock()
	defer c.viewsMu.Unlock()
	gen := c.session.gen.Load()
	if c.views != nil && c.views.gen == gen {
		return c.views, nil
	}
	vs := &viewSet{gen: gen}
	sc := c.vim.ServiceContent
	for _, k := range kinds {
		res, err := methods.CreateContainerView(ctx, c.vim, &types.CreateContainerView{
			This:      *sc.ViewManager,
			Container: sc.RootFolder,
			Type:      k.types,
			Recursive: true,
		})
		if err != nil {
			return nil, fmt.Errorf("create %s view: %w", k.types[0], err)
		}
		vs.views = append(vs.views, res.Returnval)
	}
	c.views = vs
	return vs, nil
}

// staleViews reports whether err means vs died with its session: the
// session was renewed meanwhile, or the server no longer knows a view (vcsim
// answers so, rather than NotAuthenticated, once a session expired). It
// forgets vs so the next viewsFor creates new views.
func (c *Client) staleViews(vs *viewSet, err error) bool {
	if c.session.gen.Load() == vs.gen && !fault.Is(err, &types.ManagedObjectNotFound{}) {
		return false
	}
	c.viewsMu.Lock()
	if c.views == vs {
		c.views = nil
	}
	c.viewsMu.Unlock()
	return true
}

// filterSpec selects every object of every view, with only the properties
// vtui shows.
func (vs *viewSet) filterSpec() types.PropertyFilterSpec {
	var spec types.PropertyFilterSpec
	for i, k := range kinds {
		spec.ObjectSet = append(spec.ObjectSet, types.ObjectSpec{
			Obj:  vs.views[i],
			Skip: types.NewBool(true),
			SelectSet: []types.BaseSelectionSpec{
				&types.TraversalSpec{Type: "ContainerView", Path: "view"},
			},
		})
		for _, t := range k.types {
			spec.PropSet = append(spec.PropSet, types.PropertySpec{Type: t, PathSet: k.props})
		}
	}
	return spec
}

// Inventory loads a snapshot of the whole inventory: one container view per
// type (created once per session) and one paged RetrievePropertiesEx for
// only the properties vtui shows, so the cost is a few round trips whatever
// the inventory's size. Relations are resolved in memory.
func (c *Client) Inventory(ctx context.Context) (*Inventory, error) {
	s := newStore()
	if err := c.load(ctx, s); err != nil {
		return nil, err
	}
	return s.inventory(), nil
}

// load fills s with every object. If the session was renewed while loading,
// the views it used are gone, so it starts once more with new ones.
func (c *Client) load(ctx context.Context, s *store) error {
	for attempt := 0; ; attempt++ {
		vs, err := c.viewsFor(ctx)
		if err != nil {
			return fmt.Errorf("load inventory from %s: %w", c.host, err)
		}
		err = c.retrieve(ctx, vs.filterSpec(), func(oc types.ObjectContent) {
			obj := toRef(oc.Obj)
			for _, p := range oc.PropSet {
				s.set(obj, p.Name, p.Val)
			}
		})
		if err == nil {
			return nil
		}
		if attempt == 0 && c.staleViews(vs, err) {
			c.log.Info("views were lost with the session; loading again with new ones", "err", err)
			continue
		}
		return fmt.Errorf("load inventory from %s: %w", c.host, err)
	}
}

// retrieve runs one RetrievePropertiesEx and follows its continuation
// tokens, handing each object to fn as it is decoded.
func (c *Client) retrieve(ctx context.Context, spec types.PropertyFilterSpec, fn func(types.ObjectContent)) error {
	pc := c.vim.ServiceContent.PropertyCollector
	res, err := methods.RetrievePropertiesEx(ctx, c.vim, &types.RetrievePropertiesEx{
		This:    pc,
		SpecSet: []types.PropertyFilterSpec{spec},
	})
	if err != nil {
		return err
	}
	for r := res.Returnval; r != nil; {
		for _, oc := range r.Objects {
			fn(oc)
		}
		if r.Token == "" {
			return nil
		}
		next, err := methods.ContinueRetrievePropertiesEx(ctx, c.vim, &types.ContinueRetrievePropertiesEx{This: pc, Token: r.Token})
		if err != nil {
			return err
		}
		r = &next.Returnval
	}
	return nil
}
