package vspheretest

import (
	"context"
	"fmt"
	"time"

	"github.com/vmware/govmomi/fault"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/internal/conn"
)

// StartExtensionTask runs a task of type id on the entity obj through c,
// as an extension (a backup product, say) does: it registers an
// extension that declares id (unless one is registered already), creates the task, marks it running at
// progress percent, and returns a function that ends it successfully.
// The task stays running until then, on any vCenter, govmomi's plain
// vcsim included, without slowing anything down.
func StartExtensionTask(ctx context.Context, c *vsphere.Client, obj vsphere.Ref, id string, progress int32) (finish func(context.Context) error, err error) {
	vim := conn.VIM(c.Conn())
	key := id + ".extension"
	found, err := methods.FindExtension(ctx, vim, &types.FindExtension{This: *vim.ServiceContent.ExtensionManager, ExtensionKey: key})
	if err != nil {
		return nil, fmt.Errorf("find the extension of %s: %w", id, err)
	}
	if found.Returnval == nil {
		if _, err := methods.RegisterExtension(ctx, vim, &types.RegisterExtension{This: *vim.ServiceContent.ExtensionManager, Extension: types.Extension{
			Key: key, Version: "1.0", Description: &types.Description{Label: id, Summary: id},
			TaskList: []types.ExtensionTaskTypeInfo{{TaskID: id}},
		}}); err != nil {
			return nil, fmt.Errorf("register the extension of %s: %w", id, err)
		}
	}
	res, err := methods.CreateTask(ctx, vim, &types.CreateTask{This: *vim.ServiceContent.TaskManager,
		Obj: types.ManagedObjectReference{Type: obj.Type, Value: obj.Value}, TaskTypeId: id, InitiatedBy: key})
	if err != nil {
		return nil, fmt.Errorf("create a task of %s: %w", id, err)
	}
	task := res.Returnval.Task
	// vcsim registers the task a moment after answering.
	for tries := 0; ; tries++ {
		_, err := methods.SetTaskState(ctx, vim, &types.SetTaskState{This: task, State: types.TaskInfoStateRunning})
		if err == nil {
			break
		}
		if tries == 100 || !fault.Is(err, &types.ManagedObjectNotFound{}) {
			return nil, fmt.Errorf("start the task of %s: %w", id, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := methods.UpdateProgress(ctx, vim, &types.UpdateProgress{This: task, PercentDone: progress}); err != nil {
		return nil, fmt.Errorf("set the progress of the task of %s: %w", id, err)
	}
	return func(ctx context.Context) error {
		_, err := methods.SetTaskState(ctx, vim, &types.SetTaskState{This: task, State: types.TaskInfoStateSuccess})
		return err
	}, nil
}
