package vsphere

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// The first screen
//
// A watch's first load brings the whole inventory, and every row of it
// is in only once the last page is (at 45,000 VMs, seconds; on plain
// vcsim the first page alone waits while vcsim reads every object). So
// that the VM list shows at once, the watch first asks small questions:
// the name of every VM, down the inventory's tree (vmNamesSpec) and read
// by the connection's lean decoder, then, by reference, the rows of the
// first screen's VMs by name, then the names of what those rows refer to
// (their hosts and those hosts' clusters, datastores, networks). No view
// is needed for that; the views the load needs, each a walk of the whole
// inventory on vcsim, are made after the first screen is out.
// Knowing every name, the watch knows where each row goes: while the
// rest streams in, it lists the VMs in name order up to the first whose
// row is not in yet, so rows only ever appear below those shown and never
// move or repeat. Once the load is complete the list is the one a
// one-shot snapshot gives.
//
// Names come from the server in no useful order (vCenter's and vcsim's
// are neither), so no row's place is certain before every name is in:
// showing rows from part of the names would move them when the rest came.

// preview is what a store knows of its objects while the first load
// streams in behind the first screen.
type preview struct {
	// seen are the objects the load has brought so far; those loaded
	// ahead and not seen at its end were deleted meanwhile. (Which
	// objects were loaded ahead is not noted: at 45,000 VMs that took
	// 20 ms before the first screen.)
	seen map[Ref]bool
	// rows are the VM rows of the last state published (see
	// previewInventory), in an array with room for every VM's; shown
	// holds their VMs. stale says something they show may have changed
	// since; orderGen is the store's order they follow.
	rows     []VM
	shown    map[Ref]bool
	stale    bool
	orderGen uint64
}

// changed notes an update of obj while the load streams in: the rows
// shown are stale unless it is a VM not shown yet, whose row is
// below them. (Any other object may be what a row names: a host, its
// cluster, a datastore, a network.)
func (p *preview) changed(obj Ref, kind types.ObjectUpdateKind) {
	p.seen[obj] = true
	if obj.Type != "VirtualMachine" || kind == types.ObjectUpdateKindLeave || p.shown[obj] {
		p.stale = true
	}
}

// previewInventory is the inventory while the load streams in behind the
// first screen: the datacenters, and the VMs in name order up to the
// first whose row is not whole yet; no other kind, since their rows count
// VMs, which are not all in. The rows of the state published before are
// kept unless something they show changed (preview.stale) or the order
// did: each state costs the rows new since, not every row again (at
// 45,000 VMs, a state every 250 ms made 0.66 s of the load's CPU and
// much of its garbage).
func (s *store) previewInventory() *Inventory {
	p := s.preview
	order := s.sortedVMs()
	if p.stale || p.orderGen != s.orderGen || p.rows == nil {
		// A new array: the states published keep the old one.
		p.rows = make([]VM, 0, len(order))
		if p.shown == nil {
			p.shown = make(map[Ref]bool, len(order))
		}
		clear(p.shown)
		p.stale, p.orderGen = false, s.orderGen
	}
	var hostClusters map[Ref]*cluster // made when a row needs it
	gen := s.nameGen + 1
	for _, vm := range order[len(p.rows):] {
		if s.owes(vm.Ref) {
			break // the list only ever grows below what it shows
		}
		if hostClusters == nil {
			hostClusters = s.hostClusters()
		}
		p.rows = append(p.rows, s.row(vm, gen, s.placement(vm, hostClusters)))
		p.shown[vm.Ref] = true
	}
	return &Inventory{
		Datacenters: s.datacenters(),
		// Capped: appending to it must not write into the rows a later
		// state adds.
		VMs:        p.rows[:len(p.rows):len(p.rows)],
		LoadingVMs: len(s.vms),
	}
}

// vmNamesSpec selects the name of every VM under root by the inventory's
// tree, not through a container view. A VM is in a VM folder or, on
// vCenter, in a vApp and no folder; vApps are in VM folders or in the
// resource pools of a cluster or host (of which vApps are one kind). So
// it goes down the folders of datacenters (dcTree), each datacenter's VM
// folders (vmTree), and its host folders (hostTree) to their clusters'
// and hosts' pools (pools), taking the VMs of each vApp (vappVMs). It
// visits no host, and reads no plain pool's VMs, which are in folders.
// It selects what a recursive VM view holds; without the view it saves
// the first screen a request, and on vcsim a walk of the whole inventory
// (at 45,000 VMs the view's walk took 0.2 s of the server's CPU). The
// views the load needs are made after the first screen.
//
// vcsim follows a spec from any object with a field of its path,
// whatever the spec's type, so no spec applied to a VM has a path a VM
// has (resourcePool): from each VM it would go up to its pool and down to
// all the pool's VMs.
func vmNamesSpec(root types.ManagedObjectReference) types.PropertyFilterSpec {
	trav := func(name, typ, path string, next ...string) types.BaseSelectionSpec {
		t := &types.TraversalSpec{SelectionSpec: types.SelectionSpec{Name: name}, Type: typ, Path: path}
		for _, n := range next {
			t.SelectSet = append(t.SelectSet, &types.SelectionSpec{Name: n})
		}
		return t
	}
	return types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: root, SelectSet: []types.BaseSelectionSpec{
			trav("dcTree", "Folder", "childEntity", "dcTree", "vmFolder", "hostFolder"),
			trav("vmFolder", "Datacenter", "vmFolder", "vmTree"),
			trav("vmTree", "Folder", "childEntity", "vmTree", "vappVMs"),
			trav("hostFolder", "Datacenter", "hostFolder", "hostTree"),
			trav("hostTree", "Folder", "childEntity", "hostTree", "compute"),
			trav("compute", "ComputeResource", "resourcePool", "pools", "vappVMs"),
			trav("pools", "ResourcePool", "resourcePool", "pools", "vappVMs"),
			trav("vappVMs", "VirtualApp", "vm"),
		}}},
		PropSet: []types.PropertySpec{{Type: "VirtualMachine", PathSet: []string{"name"}}},
	}
}

// hostClusters maps each host to its cluster.
func (s *store) hostClusters() map[Ref]*cluster {
	m := make(map[Ref]*cluster, len(s.hosts))
	for _, c := range s.clusters {
		for _, h := range c.hosts {
			m[h] = c
		}
	}
	return m
}

// previewFirst loads into s the names of every VM, the rows of the first
// n by name, and the names those rows show, and puts s in preview until
// endPreview. The other VMs' rows are owed by the filters that carry VM
// rows (s.parts, set before; see split.go).
func (c *Client) previewFirst(ctx context.Context, s *store, n int) error {
	// Each VM's sort key is made as its name comes, while its VM is at
	// hand: made after, from 45,000 VMs scattered in memory, they took
	// half of the sort's time.
	var keys []sortKey
	err := conn.Retrieve(ctx, c.conn, vmNamesSpec(c.vim.ServiceContent.RootFolder), func(oc types.ObjectContent) {
		s.setAll(oc)
		if oc.Obj.Type == "VirtualMachine" {
			keys = append(keys, keyOf(s.vm(mo.ToRef(oc.Obj))))
		}
	})
	if err != nil {
		return fmt.Errorf("load the VMs' names from %s: %w", c.Host(), err)
	}
	var order []*VM
	if len(keys) == len(s.vms) { // each VM once, and none loaded before
		order = s.orderBy(keys)
	} else {
		order = s.sortedVMs()
	}
	first := make([]Ref, 0, min(n, len(order)))
	for _, vm := range order[:cap(first)] {
		first = append(first, vm.Ref)
	}
	// The other VMs' rows are owed. Their map is made while the first
	// rows are asked for: at 45,000 VMs it took 20 ms.
	var owing map[Ref]uint8
	part := s.parts["VirtualMachine"]
	var wg sync.WaitGroup
	wg.Go(func() {
		owing = make(map[Ref]uint8, len(order)-len(first))
		for _, vm := range order[len(first):] {
			owing[vm.Ref] = part
		}
	})
	err = c.loadFirst(ctx, s, first)
	wg.Wait()
	if err != nil {
		return err
	}
	if len(s.owing) == 0 {
		s.owing = owing
	} else {
		maps.Copy(s.owing, owing)
	}
	s.startPreview()
	return nil
}

// loadFirst loads into s the rows of the VMs first, and what they name.
// It touches nothing of s but what setAll sets.
func (c *Client) loadFirst(ctx context.Context, s *store, first []Ref) error {
	if len(first) == 0 {
		return nil
	}
	err := conn.Retrieve(ctx, c.conn, mo.RefsSpec(first, s.load.paths(kindFor("VirtualMachine"))...), s.setAll)
	if err != nil {
		return fmt.Errorf("load the first %d VMs from %s: %w", len(first), c.Host(), err)
	}
	if err := c.loadShown(ctx, s, first); err != nil {
		return fmt.Errorf("load what the first %d VMs refer to from %s: %w", len(first), c.Host(), err)
	}
	return nil
}

// startPreview puts s in preview, its VMs' names loaded ahead.
func (s *store) startPreview() {
	// Sized for every VM and as many other objects as an eighth of them
	// (at the vCenter maximum, hosts and the rest are a twentieth):
	// grown 45,000 VMs long, the map cost a tenth of a second of the
	// load.
	s.preview = &preview{seen: make(map[Ref]bool, len(s.vms)+len(s.vms)/8)}
}

// loadShown loads into s what the rows of the VMs vms name: their hosts'
// names and clusters (the cluster's name and hosts, which place a host),
// their datastores' and networks' names.
func (c *Client) loadShown(ctx context.Context, s *store, vms []Ref) error {
	var refs []Ref
	seen := map[Ref]bool{}
	add := func(rs ...Ref) {
		for _, r := range rs {
			if !r.IsZero() && !seen[r] {
				seen[r] = true
				refs = append(refs, r)
			}
		}
	}
	for _, r := range vms {
		if vm := s.vms[r]; vm != nil {
			add(vm.HostRef)
			add(vm.DatastoreRefs...)
			add(vm.NetworkRefs...)
		}
	}
	if len(refs) == 0 {
		return nil
	}
	var clusters []Ref
	err := conn.Retrieve(ctx, c.conn, mo.RefsSpec(refs, "name", "parent"), func(oc types.ObjectContent) {
		s.setAll(oc)
		for _, p := range oc.PropSet {
			if parent := mo.AsRef(p.Val); p.Name == "parent" && oc.Obj.Type == "HostSystem" && parent.Type == "ClusterComputeResource" {
				clusters = append(clusters, parent)
			}
		}
	})
	if err != nil || len(clusters) == 0 {
		return err
	}
	slices.SortFunc(clusters, func(a, b Ref) int { return strings.Compare(a.Value, b.Value) })
	return conn.Retrieve(ctx, c.conn, mo.RefsSpec(slices.Compact(clusters), "name", "host"), s.setAll)
}

// endPreview ends the preview once the load is complete: what it did not
// bring is gone from the server.
func (s *store) endPreview() {
	if s.preview == nil {
		return
	}
	var gone []Ref
	s.eachObject(func(r Ref) {
		if !s.preview.seen[r] {
			gone = append(gone, r)
		}
	})
	for _, r := range gone {
		s.remove(r)
	}
	s.preview = nil
}

// eachObject calls fn with each object s holds, once per map it is in.
func (s *store) eachObject(fn func(Ref)) {
	eachKey(s.names, fn)
	eachKey(s.parents, fn)
	eachKey(s.clusters, fn)
	eachKey(s.hosts, fn)
	eachKey(s.vms, fn)
	eachKey(s.datastores, fn)
	eachKey(s.networks, fn)
}

// eachKey calls fn with each key of m.
func eachKey[V any](m map[Ref]V, fn func(Ref)) {
	for r := range m {
		fn(r)
	}
}
