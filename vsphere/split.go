package vsphere

import (
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// Rows in parts
//
// A watch follows several filters at once, each with part of some kinds'
// paths (see followers): a VM's row comes in halves, from two filters that
// answer independently. So that a row never shows half, and an object one
// filter reports gone is not brought back by the other's late news of it,
// the store tracks, per object:
//   - owing: the filters that have yet to bring their part of it; the row
//     shows once none has (in preview, the VM list stops at the first);
//   - gone: after a filter reported it gone, the filters that have yet to;
//     their news of it meanwhile is stale and dropped.
// Kinds one filter carries whole are not tracked. An object created and
// destroyed between two of a filter's answers may never reach it, and
// stays in gone: a reference's worth of memory.

// parts says which filters (a bit each) carry part of the objects of each
// managed-object type.
type parts map[string]uint8

// partsOf returns which of specs carry each type.
func partsOf(specs []types.PropertyFilterSpec) parts {
	p := parts{}
	for i, spec := range specs {
		for _, ps := range spec.PropSet {
			p[ps.Type] |= 1 << i
		}
	}
	return p
}

// filterParts returns which of the n filters that carry l (see
// viewSet.filterSpecs) carry each type: it does not depend on the views,
// so it is known before they are made.
func filterParts(l Load, n int) parts {
	return partsOf((&viewSet{views: make([]types.ManagedObjectReference, len(kinds))}).filterSpecs(l, n))
}

// others returns the filters other than from that carry objects of type
// t, if its objects come in parts.
func (p parts) others(t string, from int) uint8 {
	return p[t] &^ (1 << from)
}

// applyFrom folds property updates from the filter from into the store,
// keeping split rows whole (see above).
func (s *store) applyFrom(from int, updates []types.ObjectUpdate) {
	for i := range updates {
		u := &updates[i]
		obj := mo.ToRef(u.Obj)
		if left, ok := s.gone[obj]; ok {
			if u.Kind == types.ObjectUpdateKindLeave {
				if left &^= 1 << from; left == 0 {
					delete(s.gone, obj)
				} else {
					s.gone[obj] = left
				}
			}
			continue // stale news of an object already removed
		}
		if u.Kind != types.ObjectUpdateKindModify {
			s.live.reshaped() // a row may come whole or go
		}
		switch u.Kind {
		case types.ObjectUpdateKindLeave:
			s.remove(obj)
			if rest := s.parts.others(obj.Type, from); rest != 0 {
				s.gone[obj] = rest
			}
			delete(s.owing, obj)
		case types.ObjectUpdateKindEnter:
			if owing, ok := s.owing[obj]; ok {
				if owing &^= 1 << from; owing == 0 {
					delete(s.owing, obj)
				} else {
					s.owing[obj] = owing
				}
			} else if rest := s.parts.others(obj.Type, from); rest != 0 && !s.has(obj) {
				s.owing[obj] = rest
			}
		}
		mo.ApplyUpdates(updates[i:i+1], s.set, s.remove)
		if s.preview != nil {
			s.preview.changed(obj, u.Kind)
		}
	}
}

// owes reports whether part of the object r has yet to come.
func (s *store) owes(r Ref) bool {
	_, ok := s.owing[r]
	return ok
}

// has reports whether the store holds the object r.
func (s *store) has(r Ref) bool {
	if _, ok := s.names[r]; ok {
		return true
	}
	if _, ok := s.parents[r]; ok {
		return true
	}
	_, c := s.clusters[r]
	_, h := s.hosts[r]
	_, v := s.vms[r]
	_, d := s.datastores[r]
	_, n := s.networks[r]
	return c || h || v || d || n
}
