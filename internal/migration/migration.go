package migration

import (
	"context"
	"slices"
	"strings"

	"github.com/vtui/vtui/ha/placement"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
)

// Request asks to move VMs. A zero Host, Pool or Datastore leaves that
// part of each VM where it is.
type Request struct {
	VMs []vsphere.Ref
	// Host is the target host. AutoHost instead picks, for each VM, the
	// best eligible host of its cluster (placement.Rank), the VMs placed
	// one after the other so they spread out and keep the rules between
	// them.
	Host     vsphere.Ref
	AutoHost bool
	Pool     vsphere.Ref
	// Pools are the resource pools read to resolve Pool; nil without one.
	Pools     []vsphere.Pool
	Datastore vsphere.Ref
}

// Names are a request as a person gives it: VMs by name, ID, path or
// glob, and the target host ("auto" to choose), datastore and resource
// pool by name; "" leaves that part where it is.
type Names struct {
	VMs                   []string
	Host, Datastore, Pool string
}

// PoolError is a resource pool that did not resolve: unknown, ambiguous,
// or of another cluster than the VMs go to.
type PoolError struct{ Err error }

// Error returns the message of Err.
func (e *PoolError) Error() string { return e.Err.Error() }

// Unwrap returns Err.
func (e *PoolError) Unwrap() error { return e.Err }

// Resolve turns names into a request. A pool is looked for in the target
// host's cluster or, with no host, in the cluster all the VMs share. A
// VM, host or datastore that does not resolve is the resolver's error
// (vsphere.IsBadName); a pool that does not is a *PoolError.
func Resolve(ctx context.Context, c *vsphere.Client, r *vsphere.Resolver, n Names) (Request, error) {
	vms, err := r.VMs(ctx, n.VMs)
	if err != nil {
		return Request{}, err
	}
	req := Request{AutoHost: n.Host == "auto"}
	cluster := vms[0].ClusterRef
	for _, v := range vms {
		req.VMs = append(req.VMs, v.Ref)
		if v.ClusterRef != cluster {
			cluster = vsphere.Ref{}
		}
	}
	if n.Host != "" && n.Host != "auto" {
		h, err := r.Host(ctx, n.Host, "--host")
		if err != nil {
			return req, err
		}
		req.Host, cluster = h.Ref, h.ClusterRef
	}
	if n.Datastore != "" {
		d, err := r.Datastore(ctx, n.Datastore, "--datastore")
		if err != nil {
			return req, err
		}
		req.Datastore = d.Ref
	}
	if n.Pool != "" {
		if req.Pools, err = c.ResourcePools(ctx); err != nil {
			return req, err
		}
		rp, err := r.Pool(ctx, req.Pools, n.Pool, cluster)
		if err != nil {
			return req, &PoolError{err}
		}
		req.Pool = rp.Ref
	}
	return req, nil
}

// Plan reads the rules of the clusters the request involves and plans
// its moves, one action per VM, in order. A VM with no eligible target
// gets an action refused by a failed check; the others are unaffected.
func Plan(ctx context.Context, c *vsphere.Client, inv *vsphere.Inventory, r Request) ([]gate.Action, error) {
	p, err := gate.PlannerFor(ctx, c, inv, slices.Concat(r.VMs, []vsphere.Ref{r.Host, r.Pool}), r.Pools)
	if err != nil {
		return nil, err
	}
	return placement.PlanMigrations(p, placement.MigrateRequest{
		VMs:      r.VMs,
		Spec:     gate.MigrateSpec{Host: r.Host, Pool: r.Pool, Datastore: r.Datastore},
		AutoHost: r.AutoHost,
	}), nil
}

// Choice is a migration whose target someone is choosing: the VMs and
// what their prechecks need, read once, while a picker shows the hosts
// and the resource pools of the other clusters.
type Choice struct {
	planner *gate.Planner
	vms     []vsphere.Ref
	pools   []vsphere.Pool // of the clusters the first VM is not in
}

// Choose reads the rules of every cluster and the resource pools, for
// the targets a picker offers and the plan it ends in. vms must not be
// empty.
func Choose(ctx context.Context, c *vsphere.Client, inv *vsphere.Inventory, vms []vsphere.Ref) (*Choice, error) {
	pools, err := c.ResourcePools(ctx)
	if err != nil {
		return nil, err
	}
	involved := slices.Clone(vms)
	clusters := map[vsphere.Ref]bool{}
	for _, cl := range inv.Clusters {
		involved, clusters[cl.Ref] = append(involved, cl.Ref), true
	}
	p, err := gate.PlannerFor(ctx, c, inv, involved, pools)
	if err != nil {
		return nil, err
	}
	ch := &Choice{planner: p, vms: vms}
	if v, ok := p.VM(vms[0]); ok {
		for _, rp := range pools {
			if clusters[rp.Owner] && rp.Owner != v.ClusterRef {
				ch.pools = append(ch.pools, rp)
			}
		}
	}
	slices.SortFunc(ch.pools, func(a, b vsphere.Pool) int { return strings.Compare(a.Path, b.Path) })
	return ch, nil
}

// Pools returns the resource pools of the other clusters, by path: a
// move across clusters goes into one of them.
func (ch *Choice) Pools() []vsphere.Pool { return ch.pools }

// Hosts ranks every other host for the first VM, with its verdict: the
// eligible first, best first.
func (ch *Choice) Hosts() []placement.Candidate {
	return placement.Rank(ch.planner, ch.vms[0], gate.MigrateSpec{})
}

// To plans moving every VM of the choice to host, one action per VM. A
// zero host is the automatic target: for each VM the best eligible host
// of its cluster, or, with a pool of another cluster (Pools), of that
// cluster, as Request.AutoHost.
func (ch *Choice) To(host, pool vsphere.Ref) []gate.Action {
	return placement.PlanMigrations(ch.planner, placement.MigrateRequest{VMs: ch.vms,
		Spec: gate.MigrateSpec{Host: host, Pool: pool}, AutoHost: host.IsZero()})
}
