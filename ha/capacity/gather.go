package capacity

import (
	"context"

	"github.com/vtui/vtui/vsphere"
)

// Gather reads what the what-if needs about one cluster beyond the
// inventory: the reservations of its VMs (admission control counts a VM's
// when it powers on). The configuration is the one read for the cluster
// (Client.ClusterConfig).
func Gather(ctx context.Context, c *vsphere.Client, inv *vsphere.Inventory, cfg *vsphere.ClusterConfig) (Input, error) {
	in := Input{Config: cfg.Spec}
	for _, h := range inv.Hosts {
		if h.ClusterRef == cfg.Cluster {
			in.Hosts = append(in.Hosts, h)
		}
	}
	var refs []vsphere.Ref
	for _, v := range inv.VMs {
		if v.ClusterRef == cfg.Cluster {
			in.VMs = append(in.VMs, v)
			refs = append(refs, v.Ref)
		}
	}
	res, err := c.Reservations(ctx, refs)
	if err != nil {
		return in, err
	}
	in.Reservations = res
	return in, nil
}
