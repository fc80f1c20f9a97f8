package vsphere

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// Surroundings are what an object's related-objects tree shows beyond
// the inventory and the recent tasks.
type Surroundings struct {
	// Rules are the DRS rules of a cluster, or of a VM's cluster those
	// that name the VM, directly or through its VM group.
	Rules []clusterspec.Rule
	// Snapshots are a VM's snapshots, depth first.
	Snapshots []SnapshotNode
	// Events are the newest events about the object itself, newest first.
	Events []Event
}

// SnapshotNode is one snapshot of a VM's snapshot tree.
type SnapshotNode struct {
	Name    string
	Created time.Time
	// Depth is 0 for a root snapshot, 1 for its children, and so on.
	Depth int
	// Current is the snapshot the VM runs from.
	Current bool
}

// Surroundings reads the surroundings of the object ref of inv with at
// most n events: its cluster's rules, a VM's snapshot tree and the
// object's events, in at most six round trips whatever the size of the
// inventory (one for the rules, one for the snapshots, four for an event
// collector's latest page), none per related object.
func (c *Client) Surroundings(ctx context.Context, inv *Inventory, ref Ref, n int) (Surroundings, error) {
	var s Surroundings
	cluster := ref
	if ref.Type == "VirtualMachine" {
		i := slices.IndexFunc(inv.VMs, func(v VM) bool { return v.Ref == ref })
		if i < 0 {
			return s, fmt.Errorf("read the surroundings of %s: no such VM in the inventory; it may have been removed", ref.Value)
		}
		cluster = inv.VMs[i].ClusterRef
		var err error
		if s.Snapshots, err = c.snapshotTree(ctx, ref); err != nil {
			return s, err
		}
	}
	if cluster.Type == "ClusterComputeResource" {
		rules, err := c.ClusterRules(ctx, cluster)
		if err != nil {
			return s, err
		}
		for _, cr := range rules {
			s.Rules = append(s.Rules, cr.naming(ref, inv)...)
		}
	}
	var err error
	s.Events, err = c.EventsAbout(ctx, ref, n)
	return s, err
}

// naming returns the rules that name obj: all of them for the cluster
// itself, for a VM those it is a member of, directly or by its group. An
// affinity or anti-affinity rule's VMs are named as inv names them.
func (cr ClusterRules) naming(obj Ref, inv *Inventory) []clusterspec.Rule {
	var out []clusterspec.Rule
	for _, r := range cr.Rules {
		members := cr.Members[r.Name]
		if obj != cr.Cluster && !slices.Contains(members, obj) && (r.Kind != clusterspec.RuleVMHost || !slices.Contains(cr.VMGroups[r.VMGroup], obj)) {
			continue
		}
		for _, v := range inv.VMs {
			if slices.Contains(members, v.Ref) {
				r.VMs = append(r.VMs, v.Name)
			}
		}
		out = append(out, r)
	}
	return out
}

// snapshotTree reads a VM's snapshot property as a flat tree.
func (c *Client) snapshotTree(ctx context.Context, vm Ref) ([]SnapshotNode, error) {
	spec := types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: mo.ToMoRef(vm)}},
		PropSet:   []types.PropertySpec{{Type: vm.Type, PathSet: []string{"snapshot"}}},
	}
	var out []SnapshotNode
	err := conn.Retrieve(ctx, c.conn, spec, func(oc types.ObjectContent) {
		for _, p := range oc.PropSet {
			if info, ok := p.Val.(types.VirtualMachineSnapshotInfo); ok {
				out = flattenSnapshots(out, info.RootSnapshotList, info.CurrentSnapshot, 0)
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("read the snapshots of %s from %s: %w", vm.Value, c.Host(), err)
	}
	return out, nil
}

func flattenSnapshots(out []SnapshotNode, trees []types.VirtualMachineSnapshotTree, current *types.ManagedObjectReference, depth int) []SnapshotNode {
	for _, t := range trees {
		out = append(out, SnapshotNode{Name: t.Name, Created: t.CreateTime, Depth: depth,
			Current: current != nil && *current == t.Snapshot})
		out = flattenSnapshots(out, t.ChildSnapshotList, current, depth+1)
	}
	return out
}
