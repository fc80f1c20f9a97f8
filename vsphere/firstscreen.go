package vsphere

import (
	"context"
	"fmt"

	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// The first screen
//
// A watch's first load brings the whole inventory, and the simulator reads
// all of it before it returns the first page (0.4 s at 10,000 VMs on
// vtui's; 2 to 4 s on plain vcsim), then the client decodes it. So
// that the VM list shows at once, the watch first asks small questions:
// the names of every VM and of what VM rows refer to, then, by reference,
// the rows of the first screen's VMs by name. Knowing every name, it
// knows where each row goes: while the rest streams in, it lists the VMs
// in name order up to the first whose row is not in yet, so rows only
// ever appear below those shown and never move or repeat. Once the load
// is complete the list is the one a one-shot snapshot gives.

// preview is what a store knows of its objects while the first load
// streams in behind the first screen.
type preview struct {
	// unseen are the objects loaded ahead that the load has not brought
	// yet; those still unseen at its end were deleted meanwhile.
	unseen map[Ref]bool
}

// previewFirst loads into s the names of every object in the VM list and
// the rows of its first n VMs by name, and puts s in preview until
// endPreview. The other VMs' rows are owed by the filters that carry VM
// rows (s.parts; see split.go).
func (c *Client) previewFirst(ctx context.Context, s *store, n int) error {
	names := Load{VMs: Names, Hosts: Names, Clusters: Names, Datastores: Names, Networks: Names} // and the rows of the first n, below
	if err := c.load(ctx, s, names); err != nil {
		return err
	}
	p := &preview{unseen: map[Ref]bool{}}
	addKeys(p.unseen, s.names)
	addKeys(p.unseen, s.parents)
	addKeys(p.unseen, s.clusters)
	addKeys(p.unseen, s.hosts)
	addKeys(p.unseen, s.vms)
	addKeys(p.unseen, s.datastores)
	addKeys(p.unseen, s.networks)
	var first []Ref
	for i, vm := range s.sortedVMs() {
		if i < n {
			first = append(first, vm.Ref)
		} else {
			s.owing[vm.Ref] = s.parts["VirtualMachine"]
		}
	}
	s.preview = p
	if len(first) == 0 {
		return nil
	}
	err := conn.Retrieve(ctx, c.conn, mo.RefsSpec(first, s.load.paths(kindFor("VirtualMachine"))...), s.setAll)
	if err != nil {
		return fmt.Errorf("load the first %d VMs from %s: %w", len(first), c.Host(), err)
	}
	return nil
}

// endPreview ends the preview once the load is complete: what it did not
// bring is gone from the server.
func (s *store) endPreview() {
	if s.preview == nil {
		return
	}
	for r := range s.preview.unseen {
		s.remove(r)
	}
	s.preview = nil
}

// addKeys adds the keys of m to set.
func addKeys[V any](set map[Ref]bool, m map[Ref]V) {
	for r := range m {
		set[r] = true
	}
}
