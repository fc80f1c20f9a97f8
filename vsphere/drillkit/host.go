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

// HostUUIDs reads the SMBIOS UUID of each host (hardware.systemInfo.uuid),
// by host: the UUID the host's BMC reports for the system it powers, so a
// drill can check that a BMC powers the host it means to fail. A host
// whose UUID is not known maps to "".
func HostUUIDs(ctx context.Context, c *vsphere.Client, hosts []vsphere.Ref) (map[vsphere.Ref]string, error) {
	spec := types.PropertyFilterSpec{PropSet: []types.PropertySpec{{Type: "HostSystem", PathSet: []string{"hardware.systemInfo.uuid"}}}}
	for _, h := range hosts {
		spec.ObjectSet = append(spec.ObjectSet, types.ObjectSpec{Obj: mo.ToMoRef(h)})
	}
	out := make(map[vsphere.Ref]string, len(hosts))
	for _, h := range hosts {
		out[h] = ""
	}
	if len(hosts) == 0 {
		return out, nil
	}
	err := conn.Retrieve(ctx, c.Conn(), spec, func(oc types.ObjectContent) {
		for _, p := range oc.PropSet {
			out[mo.ToRef(oc.Obj)] = mo.AsString(p.Val)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("read the hosts' SMBIOS UUIDs: %w", err)
	}
	return out, nil
}
