package vsphere

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// ClusterRules are a cluster's DRS rules and the groups they name, by
// reference, for the planner's prechecks.
type ClusterRules struct {
	Cluster Ref
	// Rules are the rules of the kinds vtui models, as ClusterConfig reads
	// them, except that an affinity or anti-affinity rule's VMs are left
	// empty: VM names are not unique, so Members holds its VMs by ref.
	Rules []clusterspec.Rule
	// Members are the VMs of each affinity and anti-affinity rule, by
	// rule name.
	Members map[string][]Ref
	// VMGroups and HostGroups are the members of each group, by group name.
	VMGroups   map[string][]Ref
	HostGroups map[string][]Ref
	// FailoverHosts are the dedicated failover hosts of HA's admission
	// control, when its policy has them: vCenter refuses to move a
	// running VM onto one.
	FailoverHosts []Ref
}

// ClusterRules fetches the rules and groups of the given clusters, in one
// request. They are not part of Inventory, which must stay light for
// 10,000 VMs; placement asks for them, per cluster, when it needs them.
func (c *Client) ClusterRules(ctx context.Context, clusters ...Ref) ([]ClusterRules, error) {
	if len(clusters) == 0 {
		return nil, nil
	}
	spec := types.PropertyFilterSpec{PropSet: []types.PropertySpec{{
		Type:    "ClusterComputeResource",
		PathSet: []string{"configurationEx.rule", "configurationEx.group", "configurationEx.dasConfig"},
	}}}
	for _, cl := range clusters {
		spec.ObjectSet = append(spec.ObjectSet, types.ObjectSpec{Obj: mo.ToMoRef(cl)})
	}
	byRef := map[Ref]*ClusterRules{}
	err := conn.Retrieve(ctx, c.conn, spec, func(oc types.ObjectContent) {
		cr := &ClusterRules{Cluster: mo.ToRef(oc.Obj), Members: map[string][]Ref{},
			VMGroups: map[string][]Ref{}, HostGroups: map[string][]Ref{}}
		for _, p := range oc.PropSet {
			switch v := p.Val.(type) {
			case types.ArrayOfClusterRuleInfo:
				for _, r := range v.ClusterRuleInfo {
					rule, vms, ok := ruleOf(r)
					if !ok {
						continue
					}
					cr.Rules = append(cr.Rules, rule)
					if rule.Kind != clusterspec.RuleVMHost {
						cr.Members[rule.Name] = vms
					}
				}
			case types.ArrayOfClusterGroupInfo:
				for _, g := range v.ClusterGroupInfo {
					switch g := g.(type) {
					case *types.ClusterVmGroup:
						cr.VMGroups[g.Name] = mo.ToRefs(g.Vm)
					case *types.ClusterHostGroup:
						cr.HostGroups[g.Name] = mo.ToRefs(g.Host)
					}
				}
			case types.ClusterDasConfigInfo:
				if pol, ok := v.AdmissionControlPolicy.(*types.ClusterFailoverHostAdmissionControlPolicy); ok &&
					v.Enabled != nil && *v.Enabled && v.AdmissionControlEnabled != nil && *v.AdmissionControlEnabled {
					cr.FailoverHosts = mo.ToRefs(pol.FailoverHosts)
				}
			}
		}
		byRef[cr.Cluster] = cr
	})
	if err != nil {
		return nil, fmt.Errorf("read the DRS rules of %d clusters from %s: %w", len(clusters), c.Host(), err)
	}
	out := make([]ClusterRules, 0, len(clusters))
	for _, cl := range clusters {
		if cr := byRef[cl]; cr != nil {
			out = append(out, *cr)
		}
	}
	return out, nil
}

// Pool is a resource pool. Owner is the cluster (or standalone host's
// compute resource) whose resources it divides.
type Pool struct {
	Ref   Ref
	Name  string
	Owner Ref
	// Path is the pool's place under its owner, for people and for
	// telling pools of the same name apart: "cluster-a/Resources/prod".
	Path string
}

// ResourcePools lists every resource pool, with its owner. Pools are not
// part of Inventory; migration asks for them only when a pool is named.
func (c *Client) ResourcePools(ctx context.Context) ([]Pool, error) {
	sc := c.vim.ServiceContent
	v, err := methods.CreateContainerView(ctx, c.vim, &types.CreateContainerView{
		This: *sc.ViewManager, Container: sc.RootFolder, Type: []string{"ResourcePool"}, Recursive: true,
	})
	if err != nil {
		return nil, fmt.Errorf("list resource pools on %s: %w", c.Host(), err)
	}
	defer c.destroyView(v.Returnval)
	type raw struct {
		name          string
		owner, parent Ref
	}
	pools := map[Ref]*raw{}
	owners := map[Ref]bool{}
	spec := types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{
			Obj: v.Returnval, Skip: types.NewBool(true),
			SelectSet: []types.BaseSelectionSpec{&types.TraversalSpec{Type: "ContainerView", Path: "view"}},
		}},
		PropSet: []types.PropertySpec{{Type: "ResourcePool", PathSet: []string{"name", "owner", "parent"}}},
	}
	err = conn.Retrieve(ctx, c.conn, spec, func(oc types.ObjectContent) {
		r := &raw{}
		for _, p := range oc.PropSet {
			switch p.Name {
			case "name":
				r.name = mo.AsString(p.Val)
			case "owner":
				r.owner = mo.AsRef(p.Val)
			case "parent":
				r.parent = mo.AsRef(p.Val)
			}
		}
		pools[mo.ToRef(oc.Obj)] = r
		owners[r.owner] = true
	})
	if err != nil {
		return nil, fmt.Errorf("list resource pools on %s: %w", c.Host(), err)
	}
	ownerNames, err := c.names(ctx, owners)
	if err != nil {
		return nil, fmt.Errorf("list resource pools on %s: %w", c.Host(), err)
	}
	out := make([]Pool, 0, len(pools))
	for ref, r := range pools {
		path := []string{r.name}
		for p := pools[r.parent]; p != nil && len(path) < 64; p = pools[p.parent] {
			path = append([]string{p.name}, path...)
		}
		path = append([]string{ownerNames[r.owner]}, path...)
		out = append(out, Pool{Ref: ref, Name: r.name, Owner: r.owner, Path: strings.Join(path, "/")})
	}
	slices.SortFunc(out, func(a, b Pool) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// names fetches the names of refs in one request.
func (c *Client) names(ctx context.Context, refs map[Ref]bool) (map[Ref]string, error) {
	out := map[Ref]string{}
	if len(refs) == 0 {
		return out, nil
	}
	err := conn.Retrieve(ctx, c.conn, mo.RefsSpec(slices.Collect(maps.Keys(refs)), "name"), func(oc types.ObjectContent) {
		for _, p := range oc.PropSet {
			out[mo.ToRef(oc.Obj)] = mo.AsString(p.Val)
		}
	})
	return out, err
}

// Pool resolves exactly one of pools (Client.ResourcePools): by its
// inventory path (/dc-01/host/cluster-b/Resources), its ID (resgroup-42),
// its Path under its owner ("cluster-b/Resources") or its name. With a
// non-zero cluster only that cluster's pools count, so "Resources", the
// root pool of every cluster, is unambiguous once the target host is
// known; a pool that exists but belongs to another cluster is named as
// such.
func (r *Resolver) Pool(ctx context.Context, pools []Pool, name string, cluster Ref) (Pool, error) {
	matches := func(p Pool) bool { return p.Name == name || p.Path == name }
	if strings.HasPrefix(name, "/") || slices.ContainsFunc(pools, func(p Pool) bool { return p.Ref.Value == name }) {
		named, err := match(ctx, r, name, pools, poolKind)
		if err != nil {
			return Pool{}, err
		}
		matches = func(p Pool) bool { return slices.Contains(named, p) }
	}
	var found, elsewhere []Pool
	for _, p := range pools {
		switch {
		case !matches(p):
		case cluster.IsZero() || p.Owner == cluster:
			found = append(found, p)
		default:
			elsewhere = append(elsewhere, p)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) == 0 && len(elsewhere) > 0:
		return Pool{}, fmt.Errorf("resource pool %q is %w in the target cluster: it belongs to %s; give a pool of the cluster the VMs go to (pools: %s)",
			name, ErrNotFound, paths(elsewhere), names(poolsOf(pools, cluster), pathAndID))
	case len(found) == 0:
		return Pool{}, fmt.Errorf("no resource pool %q: %w (pools: %s)", name, ErrNotFound,
			names(poolsOf(pools, cluster), pathAndID))
	}
	return Pool{}, fmt.Errorf("resource pool %q is %w: give its path, one of %s", name, ErrAmbiguous, paths(found))
}

// pathAndID shows a pool as "cluster-a/Resources (resgroup-9)", so that a
// user can name it either way.
func pathAndID(p Pool) string { return p.Path + " (" + p.Ref.Value + ")" }

// poolsOf returns the pools of cluster, or all when it is zero.
func poolsOf(pools []Pool, cluster Ref) []Pool {
	var out []Pool
	for _, p := range pools {
		if cluster.IsZero() || p.Owner == cluster {
			out = append(out, p)
		}
	}
	return out
}

func paths(pools []Pool) string {
	out := make([]string, len(pools))
	for i, p := range pools {
		out[i] = p.Path
	}
	return strings.Join(out, ", ")
}
