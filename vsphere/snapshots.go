package vsphere

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// Snapshot is one snapshot of a VM, read from the VM's snapshot property
// (rootSnapshotList and currentSnapshot). Its JSON field names are a
// stable contract.
type Snapshot struct {
	Ref         Ref       `json:"-" yaml:"-"`
	ID          string    `json:"id" yaml:"id"`
	VM          string    `json:"vm" yaml:"vm"`
	VMRef       Ref       `json:"-" yaml:"-"`
	Name        string    `json:"name" yaml:"name"`
	Description string    `json:"description" yaml:"description"`
	Created     time.Time `json:"created" yaml:"created"`
	// Parent is the name of the snapshot this one was taken after; "" for
	// a root.
	Parent    string `json:"parent" yaml:"parent"`
	ParentRef Ref    `json:"-" yaml:"-"`
	// Depth is the snapshot's level in the VM's tree, 0 for a root.
	Depth int `json:"-" yaml:"-"`
	// Current marks the snapshot the VM runs from: the parent of its
	// present state.
	Current bool `json:"current" yaml:"current"`
	// PowerState is the VM's power state when the snapshot was taken
	// (poweredOn means it holds the memory).
	PowerState string `json:"power_state" yaml:"power_state"`
	Quiesced   bool   `json:"quiesced" yaml:"quiesced"`
	// SizeBytes is what the snapshot's own files take on the datastore,
	// as the VM's layoutEx lists them (SnapshotSize); -1 when the sizes
	// were not loaded (Client.Inventory's plan of changes).
	SizeBytes int64 `json:"size_bytes" yaml:"size_bytes"`
}

// vmSnapshots is what the store keeps of a VM's snapshots: the tree,
// flattened, and the layout its sizes come from.
type vmSnapshots struct {
	tree   []Snapshot // pre-order; VM names are filled when listed
	layout *types.VirtualMachineFileLayoutEx
}

// snapshotTree flattens a VM's snapshot property in pre-order (each
// snapshot followed by its children, oldest first), marking the current
// one. A nil or empty value gives none.
func snapshotTree(v any) []Snapshot {
	var info *types.VirtualMachineSnapshotInfo
	switch s := v.(type) {
	case types.VirtualMachineSnapshotInfo:
		info = &s
	case *types.VirtualMachineSnapshotInfo:
		info = s
	}
	if info == nil {
		return nil
	}
	var current Ref
	if info.CurrentSnapshot != nil {
		current = mo.ToRef(*info.CurrentSnapshot)
	}
	var out []Snapshot
	var walk func(list []types.VirtualMachineSnapshotTree, parent *Snapshot, depth int)
	walk = func(list []types.VirtualMachineSnapshotTree, parent *Snapshot, depth int) {
		for _, t := range list {
			s := Snapshot{
				Ref: mo.ToRef(t.Snapshot), ID: t.Snapshot.Value, VMRef: mo.ToRef(t.Vm),
				Name: t.Name, Description: t.Description, Created: t.CreateTime,
				Depth: depth, PowerState: string(t.State), Quiesced: t.Quiesced, SizeBytes: -1,
			}
			s.Current = s.Ref == current
			if parent != nil {
				s.Parent, s.ParentRef = parent.Name, parent.Ref
			}
			out = append(out, s)
			walk(t.ChildSnapshotList, &s, depth+1)
		}
	}
	walk(info.RootSnapshotList, nil, 0)
	return out
}

// SnapshotSize returns what snapshot takes on the datastore by the VM's
// file layout (layoutEx): its state file (.vmsn), its memory file (.vmem)
// when it holds the memory, and the delta disks written on top of it:
// those in the disk chains of its children (each child's chain is the
// snapshot's plus the delta created when the snapshot was taken) and, if
// it is current, in the VM's present chains, but not in its own. So each
// delta counts once, for the snapshot it follows, as vSphere's snapshot
// manager counts it, and deleting the snapshot consolidates those deltas.
// Sizes are the files' sizes; -1 if the layout does not list the
// snapshot.
func SnapshotSize(layout *types.VirtualMachineFileLayoutEx, snapshot Ref, children []Ref, current bool) int64 {
	if layout == nil {
		return -1
	}
	chains := func(disks []types.VirtualMachineFileLayoutExDiskLayout, into map[int32]bool) {
		for _, d := range disks {
			for _, u := range d.Chain {
				for _, k := range u.FileKey {
					into[k] = true
				}
			}
		}
	}
	own, after := map[int32]bool{}, map[int32]bool{}
	found := false
	for _, l := range layout.Snapshot {
		switch r := mo.ToRef(l.Key); {
		case r == snapshot:
			found = true
			own[l.DataKey], own[l.MemoryKey] = true, true
			chains(l.Disk, own)
		case slices.Contains(children, r):
			chains(l.Disk, after)
		}
	}
	if !found {
		return -1
	}
	if current {
		chains(layout.Disk, after)
	}
	var size int64
	for _, l := range layout.Snapshot {
		if mo.ToRef(l.Key) == snapshot {
			for _, f := range layout.File {
				if f.Key == l.DataKey || f.Key == l.MemoryKey || (after[f.Key] && !own[f.Key]) {
					size += f.Size
				}
			}
		}
	}
	return size
}

// snapshotLayoutPaths are what a snapshot's size is computed from.
var snapshotLayoutPaths = []string{"layoutEx.snapshot", "layoutEx.disk", "layoutEx.file"}

// maxLayoutsPerRequest bounds the VMs whose layouts one request reads: a
// layout lists every file of the VM, a few kilobytes each.
const maxLayoutsPerRequest = 1000

// loadSnapshotLayouts reads the file layouts of the VMs in s that have
// snapshots, and only theirs: a layout is large and most VMs have no
// snapshot, so they are asked for by reference, in a few requests rather
// than one per VM or one over every VM.
func (c *Client) loadSnapshotLayouts(ctx context.Context, s *store) error {
	var refs []Ref
	for r, vm := range s.vms {
		if vm.SnapshotCount() > 0 {
			refs = append(refs, r)
		}
	}
	return c.loadLayouts(ctx, s, refs)
}

// loadLayouts reads the file layouts of the VMs refs into s.
func (c *Client) loadLayouts(ctx context.Context, s *store, refs []Ref) error {
	slices.SortFunc(refs, cmpRef)
	for chunk := range slices.Chunk(refs, maxLayoutsPerRequest) {
		err := conn.Retrieve(ctx, c.conn, mo.RefsSpec(chunk, snapshotLayoutPaths...), s.setAll)
		if err != nil {
			return fmt.Errorf("load the snapshot sizes of %d VMs from %s: %w", len(chunk), c.Host(), err)
		}
	}
	return nil
}

// followLayouts keeps a watch's snapshot sizes current without watching
// every VM's layout: it reads again, in one batch, the layouts of the VMs
// whose snapshot tree changed since the last call (s.treesChanged), those
// with snapshots only. A snapshot's size is so as of its VM's last
// snapshot change; its delta disk grows unseen until the next one. It
// returns how many layouts it read.
func (c *Client) followLayouts(ctx context.Context, s *store) (int, error) {
	var refs []Ref
	for r := range s.treesChanged {
		if vm := s.vms[r]; vm != nil && vm.SnapshotCount() > 0 {
			refs = append(refs, r)
		}
	}
	clear(s.treesChanged)
	return len(refs), c.loadLayouts(ctx, s, refs)
}

func cmpRef(a, b Ref) int {
	if a.Value < b.Value {
		return -1
	}
	if a.Value > b.Value {
		return 1
	}
	return 0
}

// setSnapshots stores a VM's snapshot property or one of its layout's
// paths.
func (vm *VM) setSnapshots(name string, v any) {
	if vm.snapshots == nil {
		vm.snapshots = &vmSnapshots{}
	}
	// A new struct each time: inventories handed out share the old one.
	sn := *vm.snapshots
	switch name {
	case "snapshot":
		sn.tree = snapshotTree(v)
	default: // a path of layoutEx
		l := types.VirtualMachineFileLayoutEx{}
		if sn.layout != nil {
			l = *sn.layout
		}
		switch name {
		case "layoutEx.snapshot":
			l.Snapshot = nil
			if a, ok := v.(types.ArrayOfVirtualMachineFileLayoutExSnapshotLayout); ok {
				l.Snapshot = a.VirtualMachineFileLayoutExSnapshotLayout
			}
		case "layoutEx.disk":
			l.Disk = nil
			if a, ok := v.(types.ArrayOfVirtualMachineFileLayoutExDiskLayout); ok {
				l.Disk = a.VirtualMachineFileLayoutExDiskLayout
			}
		case "layoutEx.file":
			l.File = nil
			if a, ok := v.(types.ArrayOfVirtualMachineFileLayoutExFileInfo); ok {
				l.File = a.VirtualMachineFileLayoutExFileInfo
			}
		}
		sn.layout = &l
	}
	vm.snapshots = &sn
}

// Snapshots returns the VM's snapshots in tree order (each followed by
// its children), with their VM's name and, when the layouts were loaded,
// their sizes; nil if it has none or they were not loaded.
func (vm VM) Snapshots() []Snapshot {
	if vm.snapshots == nil || len(vm.snapshots.tree) == 0 {
		return nil
	}
	out := slices.Clone(vm.snapshots.tree)
	children := map[Ref][]Ref{}
	for _, s := range out {
		children[s.ParentRef] = append(children[s.ParentRef], s.Ref)
	}
	for i := range out {
		out[i].VM, out[i].VMRef = vm.Name, vm.Ref
		if vm.snapshots.layout != nil {
			out[i].SizeBytes = SnapshotSize(vm.snapshots.layout, out[i].Ref, children[out[i].Ref], out[i].Current)
		}
	}
	return out
}

// SnapshotCount returns how many snapshots the VM has, without copying
// them.
func (vm VM) SnapshotCount() int {
	if vm.snapshots == nil {
		return 0
	}
	return len(vm.snapshots.tree)
}

// FilterSnapshots returns the snapshots of the VMs f matches (by their
// names, cluster, host, datastore or network), created before
// f.CreatedBefore if set, in VM then tree order.
func (inv *Inventory) FilterSnapshots(f Filter) []Snapshot {
	var out []Snapshot
	for _, v := range inv.FilterVMs(f) {
		for _, s := range v.Snapshots() {
			if f.CreatedBefore.IsZero() || s.Created.Before(f.CreatedBefore) {
				out = append(out, s)
			}
		}
	}
	return out
}

// FindSnapshot returns vm's snapshot named name, or whose ID (snapshot-42)
// is name. vSphere lets one VM hold several snapshots of one name; such a
// name is refused (ErrAmbiguous) with each candidate's ID, creation time
// and place in the tree, so the caller can give the ID. ErrNotFound lists
// the VM's snapshots.
func FindSnapshot(vm VM, name string) (Snapshot, error) {
	all := vm.Snapshots()
	var found []Snapshot
	for _, s := range all {
		if s.ID == name {
			return s, nil
		}
		if s.Name == name {
			found = append(found, s)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		if len(all) == 0 {
			return Snapshot{}, fmt.Errorf("no snapshot named %q: %w: %s has no snapshots (see: vtui vm snapshot list %s)", name, ErrNotFound, vm.Name, vm.Name)
		}
		names := make([]string, len(all))
		for i, s := range all {
			names[i] = fmt.Sprintf("%q", s.Name)
		}
		return Snapshot{}, fmt.Errorf("no snapshot named %q: %w: %s has %s", name, ErrNotFound, vm.Name, strings.Join(names, ", "))
	}
	each := make([]string, len(found))
	for i, s := range found {
		each[i] = fmt.Sprintf("%s (taken %s", s.ID, s.Created.UTC().Format(time.RFC3339))
		if s.Parent != "" {
			each[i] += fmt.Sprintf(", after %q", s.Parent)
		}
		if s.Current {
			each[i] += ", current"
		}
		each[i] += ")"
	}
	return Snapshot{}, fmt.Errorf("snapshot name %q is %w: %s has %d snapshots of that name: %s; give the ID of the one you mean",
		name, ErrAmbiguous, vm.Name, len(found), strings.Join(each, ", "))
}
