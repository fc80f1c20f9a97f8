package vsphere

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// RuleKind is the kind of a cluster DRS rule. The values are stable.
type RuleKind string

// The rule kinds vtui understands. Others (VM dependency rules) are
// skipped: they do not constrain placement.
const (
	RuleAffinity     RuleKind = "affinity"      // keep the VMs on one host
	RuleAntiAffinity RuleKind = "anti-affinity" // keep the VMs on different hosts
	RuleVMHost       RuleKind = "vm-host"       // keep a VM group on, or off, a host group
)

// Rule is one DRS rule of a cluster.
type Rule struct {
	Name    string   `json:"name" yaml:"name"`
	Kind    RuleKind `json:"kind" yaml:"kind"`
	Enabled bool     `json:"enabled" yaml:"enabled"`
	// Mandatory marks a "must" rule: breaking it is refused. A rule that
	// is not mandatory is a "should" rule: breaking it only warns.
	Mandatory bool `json:"mandatory" yaml:"mandatory"`
	// VMs are the members of an affinity or anti-affinity rule.
	VMs []Ref `json:"-" yaml:"-"`
	// VMGroup, AffineHostGroup and AntiAffineHostGroup name the groups of
	// a VM-host rule: the VMs of VMGroup must (or should) run on a host of
	// AffineHostGroup, or on none of AntiAffineHostGroup.
	VMGroup             string `json:"vm_group,omitempty" yaml:"vm_group,omitempty"`
	AffineHostGroup     string `json:"affine_host_group,omitempty" yaml:"affine_host_group,omitempty"`
	AntiAffineHostGroup string `json:"anti_affine_host_group,omitempty" yaml:"anti_affine_host_group,omitempty"`
}

// ClusterRules are a cluster's DRS rules and the groups they name.
type ClusterRules struct {
	Cluster    Ref
	Rules      []Rule
	VMGroups   map[string][]Ref
	HostGroups map[string][]Ref
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
		PathSet: []string{"configurationEx.rule", "configurationEx.group"},
	}}}
	for _, cl := range clusters {
		spec.ObjectSet = append(spec.ObjectSet, types.ObjectSpec{Obj: mo.ToMoRef(cl)})
	}
	byRef := map[Ref]*ClusterRules{}
	err := conn.Retrieve(ctx, c.conn, spec, func(oc types.ObjectContent) {
		cr := &ClusterRules{Cluster: mo.ToRef(oc.Obj), VMGroups: map[string][]Ref{}, HostGroups: map[string][]Ref{}}
		for _, p := range oc.PropSet {
			switch v := p.Val.(type) {
			case types.ArrayOfClusterRuleInfo:
				for _, r := range v.ClusterRuleInfo {
					if rule, ok := ruleOf(r); ok {
						cr.Rules = append(cr.Rules, rule)
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

// ruleOf converts a vSphere rule; ok is false for kinds vtui ignores.
func ruleOf(r types.BaseClusterRuleInfo) (Rule, bool) {
	info := r.GetClusterRuleInfo()
	rule := Rule{Name: info.Name, Enabled: mo.IsTrue(info.Enabled), Mandatory: mo.IsTrue(info.Mandatory)}
	switch r := r.(type) {
	case *types.ClusterAffinityRuleSpec:
		rule.Kind, rule.VMs = RuleAffinity, mo.ToRefs(r.Vm)
	case *types.ClusterAntiAffinityRuleSpec:
		rule.Kind, rule.VMs = RuleAntiAffinity, mo.ToRefs(r.Vm)
	case *types.ClusterVmHostRuleInfo:
		rule.Kind, rule.VMGroup = RuleVMHost, r.VmGroupName
		rule.AffineHostGroup, rule.AntiAffineHostGroup = r.AffineHostGroupName, r.AntiAffineHostGroupName
	default:
		return Rule{}, false
	}
	return rule, true
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
