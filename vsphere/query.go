package vsphere

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"
)

// Filter narrows a listing. Its zero value matches everything.
type Filter struct {
	// Name is a shell glob (path.Match syntax) matched against object names.
	Name string
	// Cluster, if set, keeps objects in (or, for datastores and networks,
	// attached to hosts of) the cluster of that name.
	Cluster string
	// Host, if set, keeps objects on (or attached to) the host of that name.
	Host string
	// Datastore and Network, if set, keep the VMs that use them.
	Datastore, Network string
	// CreatedBefore, if set, keeps the snapshots taken before it.
	CreatedBefore time.Time
}

// Validate checks f against inv: the glob must parse, and a named cluster or
// host must exist. Its errors say what was wrong and list what would do.
func (f Filter) Validate(inv *Inventory) error {
	if _, err := path.Match(f.Name, ""); err != nil {
		return fmt.Errorf("%w %q: %v (use *, ? and [a-z])", ErrInvalidPattern, f.Name, err)
	}
	if f.Cluster != "" && !slices.ContainsFunc(inv.Clusters, func(c Cluster) bool { return c.Name == f.Cluster }) {
		return fmt.Errorf("no cluster named %q: %w (clusters: %s)", f.Cluster, ErrNotFound, names(inv.Clusters, func(c Cluster) string { return c.Name }))
	}
	if f.Host != "" && !slices.ContainsFunc(inv.Hosts, func(h Host) bool { return h.Name == f.Host }) {
		return fmt.Errorf("no host named %q: %w (see: vtui get hosts)", f.Host, ErrNotFound)
	}
	return nil
}

func names[T any](s []T, name func(T) string) string {
	const most = 10
	var out []string
	for i, x := range s {
		if i == most {
			out = append(out, fmt.Sprintf("and %d more", len(s)-most))
			break
		}
		out = append(out, name(x))
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

func (f Filter) matchName(name string) bool {
	if f.Name == "" {
		return true
	}
	ok, _ := path.Match(f.Name, name)
	return ok
}

// FilterVMs returns the VMs f matches, in inventory order.
func (inv *Inventory) FilterVMs(f Filter) []VM {
	return filter(inv.VMs, func(v VM) bool {
		return f.matchName(v.Name) && (f.Cluster == "" || v.Cluster == f.Cluster) && (f.Host == "" || v.Host == f.Host) &&
			(f.Datastore == "" || slices.Contains(v.Datastores, f.Datastore)) &&
			(f.Network == "" || slices.Contains(v.Networks, f.Network))
	})
}

// FilterHosts returns the hosts f matches.
func (inv *Inventory) FilterHosts(f Filter) []Host {
	return filter(inv.Hosts, func(h Host) bool {
		return f.matchName(h.Name) && (f.Cluster == "" || h.Cluster == f.Cluster) && (f.Host == "" || h.Name == f.Host)
	})
}

// FilterClusters returns the clusters f matches.
func (inv *Inventory) FilterClusters(f Filter) []Cluster {
	return filter(inv.Clusters, func(c Cluster) bool {
		if !f.matchName(c.Name) || (f.Cluster != "" && c.Name != f.Cluster) {
			return false
		}
		return f.Host == "" || slices.ContainsFunc(inv.Hosts, func(h Host) bool { return h.Name == f.Host && h.ClusterRef == c.Ref })
	})
}

// FilterDatastores returns the datastores f matches; with a cluster or host,
// those mounted on it.
func (inv *Inventory) FilterDatastores(f Filter) []Datastore {
	attached := inv.attached(f, func(h Host) []string { return h.Datastores })
	return filter(inv.Datastores, func(d Datastore) bool {
		return f.matchName(d.Name) && (attached == nil || attached[d.Name])
	})
}

// FilterNetworks returns the networks f matches; with a cluster or host,
// those present on it.
func (inv *Inventory) FilterNetworks(f Filter) []Network {
	attached := inv.attached(f, func(h Host) []string { return h.Networks })
	return filter(inv.Networks, func(n Network) bool {
		return f.matchName(n.Name) && (attached == nil || attached[n.Name])
	})
}

// attached returns the names that the hosts f selects have, or nil when f
// selects no cluster or host.
func (inv *Inventory) attached(f Filter, of func(Host) []string) map[string]bool {
	if f.Cluster == "" && f.Host == "" {
		return nil
	}
	set := map[string]bool{}
	for _, h := range inv.FilterHosts(Filter{Cluster: f.Cluster, Host: f.Host}) {
		for _, n := range of(h) {
			set[n] = true
		}
	}
	return set
}

func filter[T any](s []T, keep func(T) bool) []T {
	out := make([]T, 0, len(s))
	for _, x := range s {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}
