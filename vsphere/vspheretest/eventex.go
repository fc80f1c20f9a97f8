package vspheretest

import (
	"context"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/internal/conn"
)

// PostEventEx posts an EventEx of type id about the entity obj through
// c, as an extension would: govmomi's vcsim triggers its own alarms on
// such events (its "vcsim VM Alarm" on vcsim.vm.fatal, failure and
// success).
func PostEventEx(ctx context.Context, c *vsphere.Client, obj vsphere.Ref, id string) error {
	vim := conn.VIM(c.Conn())
	_, err := methods.PostEvent(ctx, vim, &types.PostEvent{This: *vim.ServiceContent.EventManager, EventToPost: &types.EventEx{
		EventTypeId: id, ObjectType: obj.Type, ObjectId: obj.Value, Severity: string(types.EventEventSeverityError),
	}})
	return err
}
