package drillkit

import (
	"context"
	"fmt"

	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// WaitHostConnected waits, through property updates, until host is
// connected to vCenter again (after a recovery or a reboot), or ctx ends.
func WaitHostConnected(ctx context.Context, c *vsphere.Client, host vsphere.Ref) error {
	if err := conn.WaitFor(ctx, c.Conn(), mo.ToMoRef(host), "runtime.connectionState", types.HostSystemConnectionStateConnected); err != nil {
		return fmt.Errorf("wait for %s to be connected: %w", host.Value, err)
	}
	return nil
}
