package sim

import (
	"context"
	"strings"
	"testing"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

// TestSnapshotTasksPushTheLayoutWithTheTree: a watcher of a VM's
// snapshot and layoutEx.file gets, with each snapshot taken or removed,
// the new tree and the new file list (the .vmsn comes and goes), as
// vCenter pushes them; vcsim changes the layout without telling.
func TestSnapshotTasksPushTheLayoutWithTheTree(t *testing.T) {
	s := startPreset(t, "small")
	c := login(t, s)
	ctx := context.Background()
	w := watchVMs(t, c, c.ServiceContent.RootFolder, "snapshot", "layoutEx.file")
	w.load()
	var vm *object.VirtualMachine
	for _, v := range fetch(t, c).vms {
		if v.Name == "web-01" {
			vm = object.NewVirtualMachine(c.Client, v.Self)
		}
	}

	task, err := vm.CreateSnapshot(ctx, "s1", "", false, false)
	if err != nil {
		t.Fatal(err)
	}
	info, err := task.WaitForResult(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !snapshotUpdate(w.next(), vm.Reference(), true) {
		t.Error("no update of web-01 carries both its new snapshot tree and a layout listing a .vmsn file")
	}

	snap := info.Result.(types.ManagedObjectReference)
	res, err := methods.RemoveSnapshot_Task(ctx, c.Client, &types.RemoveSnapshot_Task{This: snap})
	if err != nil {
		t.Fatal(err)
	}
	if err := object.NewTask(c.Client, res.Returnval).Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if !snapshotUpdate(w.next(), vm.Reference(), false) {
		t.Error("after the removal, no update of web-01 carries both its snapshot (gone) and a layout without the .vmsn file")
	}
}

// snapshotUpdate reports whether updates change vm's snapshot and its
// layoutEx.file, the files listing a .vmsn exactly when taken is set.
func snapshotUpdate(updates []types.ObjectUpdate, vm types.ManagedObjectReference, taken bool) bool {
	for _, u := range updates {
		if u.Obj != vm {
			continue
		}
		var tree, layout bool
		for _, c := range u.ChangeSet {
			switch c.Name {
			case "snapshot":
				tree = true
			case "layoutEx.file":
				vmsn := false
				if files, ok := c.Val.(types.ArrayOfVirtualMachineFileLayoutExFileInfo); ok {
					for _, f := range files.VirtualMachineFileLayoutExFileInfo {
						vmsn = vmsn || strings.HasSuffix(f.Name, ".vmsn")
					}
				}
				layout = vmsn == taken
			}
		}
		if tree && layout {
			return true
		}
	}
	return false
}
