package vsphere

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// Resolver turns what a user types into objects of an inventory. Each
// argument is tried as, in order:
//
//  1. an inventory path, if it starts with "/": /dc-01/vm/prod/web-01,
//     /dc-01/host/cluster-a/esx-a-01.lab.local (one request to vCenter);
//  2. an ID: vm-101, host-42, datastore-7;
//  3. a shell glob, if it holds *, ? or [: every object whose name
//     matches, at least one;
//  4. an exact name, which must be one object's only: a name several
//     objects share is refused, listing their IDs and paths, so that a
//     command never acts on more than it was told.
type Resolver struct {
	c   *Client // nil resolves without paths
	inv *Inventory
}

// NewResolver returns a resolver over inv that asks c for inventory
// paths; c may be nil, and then paths are not resolved.
func NewResolver(c *Client, inv *Inventory) *Resolver { return &Resolver{c: c, inv: inv} }

// kindOf describes one kind of object for resolution and its messages.
type kindOf[T any] struct {
	noun, list string // "VM", "vms" (for "see: vtui get vms")
	name       func(T) string
	ref        func(T) Ref
}

var (
	vmKind   = kindOf[VM]{"VM", "vms", func(v VM) string { return v.Name }, func(v VM) Ref { return v.Ref }}
	hostKind = kindOf[Host]{"host", "hosts", func(h Host) string { return h.Name }, func(h Host) Ref { return h.Ref }}
	dsKind   = kindOf[Datastore]{"datastore", "datastores", func(d Datastore) string { return d.Name }, func(d Datastore) Ref { return d.Ref }}
	clKind   = kindOf[Cluster]{"cluster", "clusters", func(c Cluster) string { return c.Name }, func(c Cluster) Ref { return c.Ref }}
	// poolKind has no list: there is no vtui get for pools, and
	// Resolver.Pool words its own errors, listing the pools with their IDs.
	poolKind = kindOf[Pool]{"resource pool", "", func(p Pool) string { return p.Path }, func(p Pool) Ref { return p.Ref }}
)

// VMs resolves each argument to one VM, or, for a glob, to every VM it
// matches. A VM matched twice is returned once, in the order of first
// match. Every argument must match: the error lists those that did not.
func (r *Resolver) VMs(ctx context.Context, args []string) ([]VM, error) {
	return resolveAll(ctx, r, args, r.inv.VMs, vmKind)
}

// Hosts resolves hosts as VMs resolves VMs.
func (r *Resolver) Hosts(ctx context.Context, args []string) ([]Host, error) {
	return resolveAll(ctx, r, args, r.inv.Hosts, hostKind)
}

// Host resolves exactly one host: a path, an ID or a name, not a glob.
// flag names where the argument came from, for messages ("--host").
func (r *Resolver) Host(ctx context.Context, arg, flag string) (Host, error) {
	return resolveOne(ctx, r, arg, flag, r.inv.Hosts, hostKind)
}

// Datastore resolves exactly one datastore, as Host does.
func (r *Resolver) Datastore(ctx context.Context, arg, flag string) (Datastore, error) {
	return resolveOne(ctx, r, arg, flag, r.inv.Datastores, dsKind)
}

// Cluster resolves exactly one cluster, as Host does.
func (r *Resolver) Cluster(ctx context.Context, arg, flag string) (Cluster, error) {
	return resolveOne(ctx, r, arg, flag, r.inv.Clusters, clKind)
}

// Object resolves exactly one of items, as Host does: a path, an ID or a
// name, not a glob. flag names where arg came from, and noun and list
// the kind ("VM", and "vms" for "see: vtui get vms"), in messages; name
// and ref read an item's.
func Object[T any](ctx context.Context, r *Resolver, arg, flag, noun, list string, items []T, name func(T) string, ref func(T) Ref) (T, error) {
	return resolveOne(ctx, r, arg, flag, items, kindOf[T]{noun, list, name, ref})
}

// VMsNamed resolves VM names, IDs and globs against inv alone (no paths):
// see Resolver.
func (inv *Inventory) VMsNamed(args []string) ([]VM, error) {
	return NewResolver(nil, inv).VMs(context.Background(), args)
}

// HostsNamed resolves host names, IDs and globs against inv alone.
func (inv *Inventory) HostsNamed(args []string) ([]Host, error) {
	return NewResolver(nil, inv).Hosts(context.Background(), args)
}

// HostNamed returns the one host called name, or with that ID.
func (inv *Inventory) HostNamed(name string) (Host, error) {
	return NewResolver(nil, inv).Host(context.Background(), name, "host")
}

// DatastoreNamed returns the one datastore called name, or with that ID.
func (inv *Inventory) DatastoreNamed(name string) (Datastore, error) {
	return NewResolver(nil, inv).Datastore(context.Background(), name, "datastore")
}

func isGlob(s string) bool { return strings.ContainsAny(s, "*?[") }

// resolveOne resolves arg to exactly one object; a glob is refused.
func resolveOne[T any](ctx context.Context, r *Resolver, arg, flag string, items []T, k kindOf[T]) (T, error) {
	var zero T
	if isGlob(arg) && !strings.HasPrefix(arg, "/") {
		return zero, fmt.Errorf("%s %q: %w: %s takes one %s, by name, ID or path, not a pattern (see: vtui get %s)",
			flag, arg, ErrInvalidPattern, flag, k.noun, k.list)
	}
	found, err := resolveAll(ctx, r, []string{arg}, items, k)
	if err != nil {
		return zero, err
	}
	return found[0], nil
}

func resolveAll[T any](ctx context.Context, r *Resolver, args []string, items []T, k kindOf[T]) ([]T, error) {
	var out []T
	seen := map[Ref]bool{}
	add := func(it T) {
		if !seen[k.ref(it)] {
			seen[k.ref(it)] = true
			out = append(out, it)
		}
	}
	var missing []string
	for _, arg := range args {
		matched, err := match(ctx, r, arg, items, k)
		if err != nil {
			return nil, err
		}
		if len(matched) == 0 {
			missing = append(missing, fmt.Sprintf("%q", arg))
		}
		for _, it := range matched {
			add(it)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("no %s named %s: %w (see: vtui get %s)", k.noun, strings.Join(missing, ", "), ErrNotFound, k.list)
	}
	return out, nil
}

// match returns what one argument names: none, one, or, for a glob,
// several. A name several objects share is an ambiguity error.
func match[T any](ctx context.Context, r *Resolver, arg string, items []T, k kindOf[T]) ([]T, error) {
	if strings.HasPrefix(arg, "/") && r.c != nil {
		ref, err := r.c.findByPath(ctx, arg)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(items, func(it T) bool { return k.ref(it) == ref })
		if i < 0 {
			return nil, nil
		}
		return items[i : i+1], nil
	}
	if i := slices.IndexFunc(items, func(it T) bool { return k.ref(it).Value == arg }); i >= 0 {
		return items[i : i+1], nil
	}
	if isGlob(arg) {
		if _, err := path.Match(arg, ""); err != nil {
			return nil, fmt.Errorf("%w %q for a %s: %v (use *, ? and [a-z])", ErrInvalidPattern, arg, k.noun, err)
		}
		var out []T
		for _, it := range items {
			if ok, _ := path.Match(arg, k.name(it)); ok {
				out = append(out, it)
			}
		}
		return out, nil
	}
	var out []T
	for _, it := range items {
		if k.name(it) == arg {
			out = append(out, it)
		}
	}
	if len(out) > 1 {
		return nil, ambiguous(ctx, r, arg, out, k)
	}
	return out, nil
}

// ambiguous is the error for a name several objects share: it lists
// their IDs and, when it can find them, their inventory paths.
func ambiguous[T any](ctx context.Context, r *Resolver, name string, found []T, k kindOf[T]) error {
	refs := make([]Ref, len(found))
	for i, it := range found {
		refs[i] = k.ref(it)
	}
	var paths map[Ref]string
	if r.c != nil {
		paths, _ = r.c.InventoryPaths(ctx, refs) // without them the IDs still tell them apart
	}
	each := make([]string, len(refs))
	for i, ref := range refs {
		each[i] = ref.Value
		if p := paths[ref]; p != "" {
			each[i] += " (" + p + ")"
		}
	}
	return fmt.Errorf("%s name %q is %w: %d %ss have it: %s; give the ID or the inventory path of the one you mean",
		k.noun, name, ErrAmbiguous, len(found), k.noun, strings.Join(each, ", "))
}

// findByPath finds the object at an inventory path such as
// /dc-01/vm/prod/web-01 (vCenter's SearchIndex, one request).
func (c *Client) findByPath(ctx context.Context, p string) (Ref, error) {
	res, err := methods.FindByInventoryPath(ctx, c.vim, &types.FindByInventoryPath{
		This: *c.vim.ServiceContent.SearchIndex, InventoryPath: strings.TrimPrefix(p, "/"),
	})
	if err != nil {
		return Ref{}, fmt.Errorf("look up %s on %s: %w", p, c.Host(), err)
	}
	if res.Returnval == nil {
		return Ref{}, nil
	}
	return mo.ToRef(*res.Returnval), nil
}

// InventoryPaths returns the inventory path of each of refs, e.g.
// /dc-01/vm/prod/web-01: one request per level of folders, for these
// objects only.
func (c *Client) InventoryPaths(ctx context.Context, refs []Ref) (map[Ref]string, error) {
	type node struct {
		name   string
		parent Ref
	}
	nodes := map[Ref]node{}
	root := mo.ToRef(c.vim.ServiceContent.RootFolder)
	want := slices.Clone(refs)
	for depth := 0; len(want) > 0 && depth < 32; depth++ {
		var next []Ref
		err := conn.Retrieve(ctx, c.conn, mo.RefsSpec(want, "name", "parent"), func(oc types.ObjectContent) {
			n := node{}
			for _, p := range oc.PropSet {
				switch p.Name {
				case "name":
					n.name = mo.AsString(p.Val)
				case "parent":
					n.parent = mo.AsRef(p.Val)
				}
			}
			nodes[mo.ToRef(oc.Obj)] = n
			if _, known := nodes[n.parent]; !n.parent.IsZero() && n.parent != root && !known && !slices.Contains(next, n.parent) {
				next = append(next, n.parent)
			}
		})
		if err != nil {
			return nil, fmt.Errorf("find the inventory paths of %d objects on %s: %w", len(refs), c.Host(), err)
		}
		want = next
	}
	out := make(map[Ref]string, len(refs))
	for _, r := range refs {
		var parts []string
		for cur := r; !cur.IsZero() && cur != root && len(parts) < 32; cur = nodes[cur].parent {
			parts = append([]string{nodes[cur].name}, parts...)
		}
		out[r] = "/" + strings.Join(parts, "/")
	}
	return out, nil
}
