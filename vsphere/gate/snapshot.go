package gate

import (
	"context"
	"fmt"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// SnapshotSpec is a snapshot to take (CreateSnapshot_Task).
type SnapshotSpec struct {
	Name, Description string
	// Memory includes the running VM's memory, so a revert resumes it
	// running; it takes longer and as much disk as the VM's memory.
	Memory bool
	// Quiesce asks VMware Tools to flush the guest's file systems first;
	// it needs the VM running with tools.
	Quiesce bool
}

// CreateSnapshot plans taking a snapshot of vm. It is refused without a
// name, and with Quiesce when the guest cannot be quiesced; a name the VM
// already has for a snapshot passes with a warning, as vSphere allows it,
// because such names must later be told apart by ID.
func (p *Planner) CreateSnapshot(vm vsphere.Ref, spec SnapshotSpec) Action {
	a, v := p.snapshotAction(OpSnapshotCreate, vm)
	a.Target = spec.Name
	if v == nil {
		return a
	}
	if spec.Name == "" {
		a.Checks = append(a.Checks, fail("snapshot", "a snapshot needs a name"))
	}
	if spec.Quiesce {
		a.Checks = append(a.Checks, checkQuiesce(v))
	}
	for _, s := range v.Snapshots() {
		if s.Name == spec.Name {
			a.Checks = append(a.Checks, warn("snapshot", "%s already has a snapshot named %q (%s): the name will be ambiguous, and the CLI will ask for the ID", v.Name, s.Name, s.ID))
			break
		}
	}
	this := mo.ToMoRef(vm)
	a.run = runTask(func(ctx context.Context, vim *vim25.Client) (*object.Task, error) {
		return object.NewVirtualMachine(vim, this).CreateSnapshot(ctx, spec.Name, spec.Description, spec.Memory, spec.Quiesce)
	})
	return a
}

// checkQuiesce checks that v's guest can be quiesced.
func checkQuiesce(v *vsphere.VM) Check {
	if v.PowerState != "poweredOn" {
		return fail("quiesce", "%s is %s and only a running guest can be quiesced; leave out --quiesce", v.Name, orUnknown(v.PowerState))
	}
	if v.ToolsStatus != "toolsOk" && v.ToolsStatus != "toolsOld" {
		return fail("quiesce", "VMware Tools is not running in %s (%s), which quiescing needs; leave out --quiesce", v.Name, orUnknown(v.ToolsStatus))
	}
	return pass("quiesce")
}

// RevertSnapshot plans reverting vm to its snapshot: the VM's present
// state, unless kept in another snapshot, is lost. Reverting to the
// current snapshot is not a no-op: it discards what changed since.
func (p *Planner) RevertSnapshot(vm vsphere.Ref, snapshot vsphere.Snapshot) Action {
	a, v := p.snapshotAction(OpSnapshotRevert, vm)
	a.Target = snapshot.Name
	if v == nil || !p.checkSnapshot(&a, v, snapshot) {
		return a
	}
	this := mo.ToMoRef(snapshot.Ref)
	a.run = runTask(func(ctx context.Context, vim *vim25.Client) (*object.Task, error) {
		res, err := methods.RevertToSnapshot_Task(ctx, vim, &types.RevertToSnapshot_Task{This: this})
		if err != nil {
			return nil, err
		}
		return object.NewTask(vim, res.Returnval), nil
	})
	return a
}

// RemoveSnapshot plans deleting vm's snapshot and, with children, every
// snapshot taken after it in its branch; without, its children are kept
// and its disk changes consolidated into them.
func (p *Planner) RemoveSnapshot(vm vsphere.Ref, snapshot vsphere.Snapshot, children bool) Action {
	op := OpSnapshotRemove
	if children {
		op = OpSnapshotRemoveTree
	}
	a, v := p.snapshotAction(op, vm)
	a.Target = snapshot.Name
	if v == nil || !p.checkSnapshot(&a, v, snapshot) {
		return a
	}
	this := mo.ToMoRef(snapshot.Ref)
	a.run = runTask(func(ctx context.Context, vim *vim25.Client) (*object.Task, error) {
		res, err := methods.RemoveSnapshot_Task(ctx, vim, &types.RemoveSnapshot_Task{This: this, RemoveChildren: children})
		if err != nil {
			return nil, err
		}
		return object.NewTask(vim, res.Returnval), nil
	})
	return a
}

// snapshotAction starts a snapshot action on vm, with the VM check; the
// VM is nil if it is not in the inventory.
func (p *Planner) snapshotAction(op Op, vm vsphere.Ref) (Action, *vsphere.VM) {
	a := Action{Op: op, Ref: vm, Object: vm.Value, run: refuse}
	v := p.vm(vm)
	if v == nil {
		a.Checks = []Check{fail("vm", "VM %s is not in the inventory (deleted or renamed?); reload and check the name", vm.Value)}
		return a, nil
	}
	a.Object = v.Name
	a.Checks = []Check{pass("vm")}
	return a, v
}

// checkSnapshot checks that snapshot is still one of v's, and reports
// whether it is.
func (p *Planner) checkSnapshot(a *Action, v *vsphere.VM, snapshot vsphere.Snapshot) bool {
	for _, s := range v.Snapshots() {
		if s.Ref == snapshot.Ref {
			a.Checks = append(a.Checks, pass("snapshot"))
			return true
		}
	}
	a.Checks = append(a.Checks, fail("snapshot", "%s has no snapshot %s (%q) any more; list them again (vtui vm snapshot list %s)",
		v.Name, snapshot.ID, snapshot.Name, v.Name))
	return false
}

// describeSnapshot says what a snapshot action does, naming the VM and
// the snapshot.
func describeSnapshot(what string) func(Action) string {
	return func(a Action) string { return fmt.Sprintf(what, a.Target, a.Object) }
}
