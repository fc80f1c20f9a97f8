package gate

import (
	"context"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25"

	"github.com/vtui/vtui/vsphere/internal/conn"
)

// starter sends the request that starts a vSphere task.
type starter func(ctx context.Context, vim *vim25.Client) (*object.Task, error)

// runTask returns an Action's run function for a change that is one
// vSphere task: start it, then wait for it with progress.
func runTask(start starter) func(context.Context, *Gate, func(int, string)) (string, error) {
	return func(ctx context.Context, g *Gate, report func(int, string)) (string, error) {
		t, err := start(ctx, conn.VIM(g.c.Conn()))
		if err != nil {
			return "", err
		}
		ref := t.Reference()
		_, err = conn.WaitTask(ctx, g.c.Conn(), ref, report)
		return ref.Value, err
	}
}
