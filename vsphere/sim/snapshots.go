package sim

import (
	"fmt"
	"slices"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/units"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// Snapshots
//
// vcsim's snapshot tasks (CreateSnapshot_Task, RemoveSnapshot_Task,
// RevertToSnapshot_Task, RemoveAllSnapshots_Task) change the VM's snapshot
// through ctx.Update but rewrite its layoutEx, where the snapshot's files
// are listed, in place and unannounced. vCenter reports the new layout
// with the new tree, so the feed adds it (withSnapshotLayout): a watcher
// of layoutEx.* sees the files come and go with the snapshot.

// withSnapshotLayout returns changes, plus the VM's whole layoutEx when
// they change its snapshot tree and do not already carry it.
func withSnapshotLayout(vm *mo.VirtualMachine, changes []types.PropertyChange) []types.PropertyChange {
	touches := func(name string) func(types.PropertyChange) bool {
		return func(c types.PropertyChange) bool { return overlaps(c.Name, name) }
	}
	if !slices.ContainsFunc(changes, touches("snapshot")) || slices.ContainsFunc(changes, touches("layoutEx")) {
		return changes
	}
	return append(slices.Clip(changes), types.PropertyChange{Name: "layoutEx", Op: types.PropertyChangeOpAssign, Val: vm.LayoutEx})
}

// snapshotsOf is how many snapshots VM i of a preset with
// Spec.SnapshotEvery = every gets: one VM in every, from the fourth, with
// one to three snapshots in a chain; none if every is 0.
func snapshotsOf(i, every int) int {
	if every <= 0 || i%every != 3%every {
		return 0
	}
	return 1 + (i/every)%3
}

// snapshotNames are the preset snapshots' names, oldest first, as admins
// name them.
var snapshotNames = []string{"before-patching", "pre-upgrade", "app-release"}

// snapshots gives VM i of the preset its chain of snapshots (snapshotsOf),
// as vCenter would hold them after that many CreateSnapshot_Task calls
// without memory: the tree, a VirtualMachineSnapshot object each, and in
// layoutEx a .vmsn file each and the delta disk each one started, sized
// deterministically (the oldest 20 to 120 days old). Its chains are of
// its first disk, d, whose file attach named.
func (b *builder) snapshots(vm *simulator.VirtualMachine, i int, d vmDisk) {
	n := snapshotsOf(i, b.spec.SnapshotEvery)
	if n == 0 {
		return
	}
	const diskKey = int32(2000) // the first disk's, as attach adds it
	dir := fmt.Sprintf("[%s] %s/", d.ds.Name, vm.Name)
	diskGB := int64(d.capacityGB)
	layout := &types.VirtualMachineFileLayoutEx{Timestamp: b.now}
	addFile := func(name, typ string, size int64) int32 {
		key := int32(len(layout.File))
		layout.File = append(layout.File, types.VirtualMachineFileLayoutExFileInfo{
			Key: key, Name: name, Type: typ, Size: size, UniqueSize: size, Accessible: types.NewBool(true),
		})
		return key
	}
	chain := []types.VirtualMachineFileLayoutExDiskUnit{{FileKey: []int32{
		addFile(dir+vm.Name+".vmdk", string(types.VirtualMachineFileLayoutExFileTypeDiskDescriptor), diskGB*units.GB/2)}}}
	var trees []types.VirtualMachineSnapshotTree
	age := time.Duration(20+(i*7)%100) * 24 * time.Hour // of the oldest
	for k := range n {
		snap := &simulator.VirtualMachineSnapshot{}
		snap.Vm = vm.Self
		snap.Config = *vm.Config
		b.ctx.Map.Put(snap)
		trees = append(trees, types.VirtualMachineSnapshotTree{
			Snapshot: snap.Self, Vm: vm.Self, Name: snapshotNames[k],
			Description: fmt.Sprintf("%s of %s", snapshotNames[k], vm.Name),
			Id:          int32(k + 1), CreateTime: b.now.Add(-age), State: types.VirtualMachinePowerStatePoweredOff,
			ReplaySupported: types.NewBool(false),
		})
		age = age * 2 / 5
		data := addFile(fmt.Sprintf("%s%s-Snapshot%d.vmsn", dir, vm.Name, k+1), string(types.VirtualMachineFileLayoutExFileTypeSnapshotData), 32*units.KB)
		layout.Snapshot = append(layout.Snapshot, types.VirtualMachineFileLayoutExSnapshotLayout{
			Key: snap.Self, DataKey: data, MemoryKey: -1,
			Disk: []types.VirtualMachineFileLayoutExDiskLayout{{Key: diskKey, Chain: slices.Clone(chain)}},
		})
		delta := int64(percent(i, k+7, 1, 40)) * diskGB * units.GB / 100
		chain = append(chain, types.VirtualMachineFileLayoutExDiskUnit{FileKey: []int32{
			addFile(fmt.Sprintf("%s%s-%06d.vmdk", dir, vm.Name, k+1), string(types.VirtualMachineFileLayoutExFileTypeDiskDescriptor), delta)}})
	}
	layout.Disk = []types.VirtualMachineFileLayoutExDiskLayout{{Key: diskKey, Chain: chain}}
	for k := n - 1; k > 0; k-- {
		trees[k-1].ChildSnapshotList = []types.VirtualMachineSnapshotTree{trees[k]}
		b.ctx.Map.Get(trees[k-1].Snapshot).(*simulator.VirtualMachineSnapshot).ChildSnapshot = []types.ManagedObjectReference{trees[k].Snapshot}
	}
	current := trees[n-1].Snapshot
	vm.Snapshot = &types.VirtualMachineSnapshotInfo{CurrentSnapshot: &current, RootSnapshotList: trees[:1]}
	vm.RootSnapshot = []types.ManagedObjectReference{trees[0].Snapshot}
	vm.LayoutEx = layout
}
