package vsphere

import (
	"fmt"
	"path"
	"strings"
)

// VMsNamed returns the VMs that patterns name: exact names, or shell globs
// (*, ?, [a-z]). Each pattern must match at least one VM; a VM matched
// twice is returned once, in the order of first match. The error wraps
// ErrNotFound and lists every pattern that matched nothing.
func (inv *Inventory) VMsNamed(patterns []string) ([]VM, error) {
	return named(patterns, inv.VMs, "VM", "vms", func(v VM) string { return v.Name }, func(v VM) Ref { return v.Ref })
}

// HostsNamed returns the hosts that patterns name, like VMsNamed.
func (inv *Inventory) HostsNamed(patterns []string) ([]Host, error) {
	return named(patterns, inv.Hosts, "host", "hosts", func(h Host) string { return h.Name }, func(h Host) Ref { return h.Ref })
}

// HostNamed returns the host called name (no globs).
func (inv *Inventory) HostNamed(name string) (Host, error) {
	for _, h := range inv.Hosts {
		if h.Name == name {
			return h, nil
		}
	}
	return Host{}, fmt.Errorf("no host named %q: %w (see: vtui get hosts)", name, ErrNotFound)
}

// DatastoreNamed returns the datastore called name (no globs).
func (inv *Inventory) DatastoreNamed(name string) (Datastore, error) {
	for _, d := range inv.Datastores {
		if d.Name == name {
			return d, nil
		}
	}
	return Datastore{}, fmt.Errorf("no datastore named %q: %w (see: vtui get datastores)", name, ErrNotFound)
}

func named[T any](patterns []string, items []T, kind, list string, name func(T) string, ref func(T) Ref) ([]T, error) {
	var out []T
	seen := map[Ref]bool{}
	var missing []string
	for _, pat := range patterns {
		if _, err := path.Match(pat, ""); err != nil {
			return nil, fmt.Errorf("%w %q for a %s: %v (use *, ? and [a-z])", ErrInvalidPattern, pat, kind, err)
		}
		glob := strings.ContainsAny(pat, "*?[")
		n := 0
		for _, it := range items {
			if ok := name(it) == pat || (glob && match(pat, name(it))); ok {
				n++
				if !seen[ref(it)] {
					seen[ref(it)] = true
					out = append(out, it)
				}
			}
		}
		if n == 0 {
			missing = append(missing, fmt.Sprintf("%q", pat))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("no %s named %s: %w (see: vtui get %s)", kind, strings.Join(missing, ", "), ErrNotFound, list)
	}
	return out, nil
}

func match(pattern, name string) bool {
	ok, _ := path.Match(pattern, name)
	return ok
}
