package vsphere

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/units"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere/internal/conntest"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// TestSnapshotSizeCountsItsFilesAndTheDeltasWrittenOnTop: a chain
// root -> child (current), one disk: base.vmdk, then delta 1 (started by
// root), then delta 2 (started by child). Root holds its .vmsn and delta
// 1; the child its .vmsn, its .vmem and delta 2, the running VM's; the
// base disk is no snapshot's.
func TestSnapshotSizeCountsItsFilesAndTheDeltasWrittenOnTop(t *testing.T) {
	root := types.ManagedObjectReference{Type: "VirtualMachineSnapshot", Value: "snapshot-1"}
	child := types.ManagedObjectReference{Type: "VirtualMachineSnapshot", Value: "snapshot-2"}
	chain := func(keys ...int32) []types.VirtualMachineFileLayoutExDiskLayout {
		var units []types.VirtualMachineFileLayoutExDiskUnit
		for _, k := range keys {
			units = append(units, types.VirtualMachineFileLayoutExDiskUnit{FileKey: []int32{k}})
		}
		return []types.VirtualMachineFileLayoutExDiskLayout{{Key: 2000, Chain: units}}
	}
	layout := &types.VirtualMachineFileLayoutEx{
		File: []types.VirtualMachineFileLayoutExFileInfo{
			{Key: 0, Name: "base.vmdk", Size: 100 * units.GB},
			{Key: 1, Name: "vm-Snapshot1.vmsn", Size: 10},
			{Key: 2, Name: "vm-000001.vmdk", Size: 2000},
			{Key: 3, Name: "vm-Snapshot2.vmsn", Size: 30},
			{Key: 4, Name: "vm-Snapshot2.vmem", Size: 400},
			{Key: 5, Name: "vm-000002.vmdk", Size: 5000},
		},
		Disk: chain(0, 2, 5),
		Snapshot: []types.VirtualMachineFileLayoutExSnapshotLayout{
			{Key: root, DataKey: 1, MemoryKey: -1, Disk: chain(0)},
			{Key: child, DataKey: 3, MemoryKey: 4, Disk: chain(0, 2)},
		},
	}
	for _, tt := range []struct {
		name     string
		snapshot types.ManagedObjectReference
		children []Ref
		current  bool
		want     int64
	}{
		{"root", root, []Ref{mo.ToRef(child)}, false, 10 + 2000},
		{"child, current", child, nil, true, 30 + 400 + 5000},
		{"child, not current", child, nil, false, 30 + 400},
		{"unknown", types.ManagedObjectReference{Type: "VirtualMachineSnapshot", Value: "snapshot-9"}, nil, false, -1},
	} {
		if got := SnapshotSize(layout, mo.ToRef(tt.snapshot), tt.children, tt.current); got != tt.want {
			t.Errorf("%s: SnapshotSize = %d; want %d", tt.name, got, tt.want)
		}
	}
}

// snapshotsOf returns the snapshots of the VM named name in inv.
func snapshotsOf(inv *Inventory, name string) []Snapshot { return vmNamed(inv, name).Snapshots() }

// takeSnapshot takes a snapshot of vm as another client (govc) would.
func takeSnapshot(t *testing.T, c *Client, vm Ref, name string) types.ManagedObjectReference {
	t.Helper()
	ctx := context.Background()
	task, err := object.NewVirtualMachine(c.vim, mo.ToMoRef(vm)).CreateSnapshot(ctx, name, "by another client", false, false)
	if err != nil {
		t.Fatal(err)
	}
	info, err := task.WaitForResult(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return info.Result.(types.ManagedObjectReference)
}

// TestWatchShowsSnapshotsOtherClientsTake: a snapshot another client takes
// shows in the watched inventory, as the current one; a second one shows
// as its child (vcsim changes the tree in place and announces only
// currentSnapshot); a removal shows. On vtui's simulator and on plain
// vcsim. The bound is generous; the latency is logged.
func TestWatchShowsSnapshotsOtherClientsTake(t *testing.T) {
	for _, server := range []string{"vtui", "vcsim"} {
		t.Run(server, func(t *testing.T) {
			var c *Client
			if server == "vcsim" {
				c = plainVcsim(t)
			} else {
				c, _ = connectSim(t, "small")
			}
			ctx, cancel := context.WithCancel(context.Background())
			w := c.Watch(ctx, WatchOptions{})
			defer func() { cancel(); <-w.Done() }() // vcsim's wait would outlive the connection
			u := nextUntil(t, w, func(u WatchUpdate) bool { return u.State == Live })
			vm := u.Data.VMs[0]
			if n := vm.SnapshotCount(); n != 0 {
				t.Fatalf("%s starts with %d snapshots; want none", vm.Name, n)
			}

			start := time.Now()
			first := takeSnapshot(t, c, vm.Ref, "s1")
			u = nextUntil(t, w, func(u WatchUpdate) bool { return len(snapshotsOf(u.Data, vm.Name)) == 1 })
			t.Logf("a snapshot taken by another client showed %v after the task was started", time.Since(start))
			// Its size follows, read as its VM's tree changed.
			u = nextUntil(t, w, func(u WatchUpdate) bool {
				s := snapshotsOf(u.Data, vm.Name)
				return len(s) == 1 && s[0].SizeBytes >= 0
			})
			if s := snapshotsOf(u.Data, vm.Name)[0]; s.Name != "s1" || !s.Current || s.VM != vm.Name || s.Created.IsZero() || s.SizeBytes < 0 {
				t.Errorf("snapshot %+v; want s1 of %s, current, with its creation time and its size (read as the tree changed)", s, vm.Name)
			}

			takeSnapshot(t, c, vm.Ref, "s2")
			u = nextUntil(t, w, func(u WatchUpdate) bool { return len(snapshotsOf(u.Data, vm.Name)) == 2 })
			snaps := snapshotsOf(u.Data, vm.Name)
			if snaps[1].Name != "s2" || snaps[1].Parent != "s1" || snaps[1].Depth != 1 || !snaps[1].Current || snaps[0].Current {
				t.Errorf("snapshots %+v; want s1, then s2 under it and current", snaps)
			}

			res, err := methods.RemoveSnapshot_Task(ctx, c.vim, &types.RemoveSnapshot_Task{This: first, RemoveChildren: true})
			if err != nil {
				t.Fatal(err)
			}
			if err := object.NewTask(c.vim, res.Returnval).Wait(ctx); err != nil {
				t.Fatal(err)
			}
			nextUntil(t, w, func(u WatchUpdate) bool { return len(snapshotsOf(u.Data, vm.Name)) == 0 })
		})
	}
}

// TestSnapshotSizesLoadOnlyTheLayoutsOfVMsWithSnapshots: listing
// snapshots with sizes reads every VM's snapshot tree in one request and
// then the file layouts of only the VMs that have snapshots (9 of the
// demo preset's 60), by reference; the sizes are the preset's .vmsn files
// and delta disks.
func TestSnapshotSizesLoadOnlyTheLayoutsOfVMsWithSnapshots(t *testing.T) {
	c, _ := connectSim(t, "demo")
	ctx := context.Background()
	rec := conntest.Record(c.conn)
	inv, err := c.InventoryFor(ctx, Load{VMs: Names, Snapshots: Rows})
	if err != nil {
		t.Fatal(err)
	}
	snaps := inv.FilterSnapshots(Filter{})
	withSnapshots := map[string]bool{}
	for _, s := range snaps {
		withSnapshots[s.VM] = true
		if s.SizeBytes <= 32*units.KB {
			t.Errorf("%s of %s is %d bytes; want its .vmsn (32 KiB) and the delta disk written on top", s.Name, s.VM, s.SizeBytes)
		}
	}
	if len(withSnapshots) != 9 || len(snaps) < 6 {
		t.Errorf("%d snapshots of %d VMs; want the demo preset's 9 VMs with snapshots", len(snaps), len(withSnapshots))
	}
	if got := rec.Sent(func(m string) bool { return m == "RetrievePropertiesEx" }); len(got) != 2 {
		t.Errorf("%d RetrievePropertiesEx; want 2: the trees, then the 9 VMs' layouts", len(got))
	}
	old := inv.FilterSnapshots(Filter{CreatedBefore: time.Now().Add(-20 * 24 * time.Hour)})
	if len(old) == 0 || len(old) >= len(snaps) {
		t.Errorf("%d of %d snapshots older than 20 days; want some but not all (the preset's are 20 to 120 days old, their children younger)", len(old), len(snaps))
	}
}

// TestFindSnapshotRefusesAnAmbiguousName: two snapshots of one name are
// refused by name, listing both IDs, and found by ID.
func TestFindSnapshotRefusesAnAmbiguousName(t *testing.T) {
	c, _ := connectSim(t, "small")
	inv, err := c.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	vm := inv.VMs[0]
	first, second := takeSnapshot(t, c, vm.Ref, "dup"), takeSnapshot(t, c, vm.Ref, "dup")
	if inv, err = c.Inventory(context.Background()); err != nil {
		t.Fatal(err)
	}
	vm = vmNamed(inv, vm.Name)
	_, err = FindSnapshot(vm, "dup")
	if !errors.Is(err, ErrAmbiguous) || !strings.Contains(err.Error(), first.Value) || !strings.Contains(err.Error(), second.Value) {
		t.Errorf("FindSnapshot(dup) = %v; want ErrAmbiguous naming %s and %s", err, first.Value, second.Value)
	}
	if s, err := FindSnapshot(vm, second.Value); err != nil || s.ID != second.Value || s.Parent != "dup" {
		t.Errorf("FindSnapshot(%s) = %+v, %v; want the second, under the first", second.Value, s, err)
	}
}

// TestWatchReadsTheSizesOfVMsWithSnapshots: a watch of the demo preset
// shows its snapshots' sizes, as get does, without watching any layout.
func TestWatchReadsTheSizesOfVMsWithSnapshots(t *testing.T) {
	c, _ := connectSim(t, "demo")
	want, err := c.InventoryFor(context.Background(), Load{VMs: Names, Snapshots: Rows})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := c.Watch(ctx, WatchOptions{Screen: 10})
	defer func() { cancel(); <-w.Done() }()
	u := nextUntil(t, w, func(u WatchUpdate) bool {
		return u.State == Live && len(u.Data.FilterSnapshots(Filter{})) > 0 && u.Data.FilterSnapshots(Filter{})[0].SizeBytes >= 0
	})
	got := u.Data.FilterSnapshots(Filter{})
	sizes := map[string]int64{}
	for _, s := range want.FilterSnapshots(Filter{}) {
		sizes[s.ID] = s.SizeBytes
	}
	if len(got) != len(sizes) {
		t.Fatalf("the watch shows %d snapshots; get lists %d", len(got), len(sizes))
	}
	for _, s := range got {
		if s.SizeBytes <= 0 || s.SizeBytes != sizes[s.ID] {
			t.Errorf("%s of %s: the watch shows %d bytes; get says %d", s.Name, s.VM, s.SizeBytes, sizes[s.ID])
		}
	}
}
