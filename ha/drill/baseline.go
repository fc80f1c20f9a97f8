package drill

import (
	"fmt"
	"slices"
	"time"

	"github.com/vtui/vtui/ha/clusterspec"
	"github.com/vtui/vtui/vsphere"
)

// Baseline is the cluster as a drill found it: where every VM ran and
// whether it was on, each host's state, and the HA/DRS configuration. A
// rollback restores it and proves it by comparing.
type Baseline struct {
	Taken  time.Time          `json:"taken"`
	VMs    []BaselineVM       `json:"vms"`
	Hosts  []BaselineHost     `json:"hosts"`
	Config clusterspec.Config `json:"config"`
}

// BaselineVM is one VM of the baseline.
type BaselineVM struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	InstanceUUID string `json:"instance_uuid"`
	Host         Object `json:"host"`
	PowerState   string `json:"power_state"`
}

// BaselineHost is one host of the baseline.
type BaselineHost struct {
	Object
	ConnectionState string `json:"connection_state"`
	Maintenance     bool   `json:"maintenance"`
}

// takeBaseline records the cluster's VMs and hosts from inv, and cfg.
func takeBaseline(inv *vsphere.Inventory, cluster vsphere.Ref, cfg clusterspec.Config) *Baseline {
	b := &Baseline{Taken: time.Now().UTC(), Config: cfg}
	for _, h := range inv.Hosts {
		if h.ClusterRef == cluster {
			b.Hosts = append(b.Hosts, BaselineHost{Object: Object{ID: h.Ref.Value, Name: h.Name}, ConnectionState: h.ConnectionState, Maintenance: h.MaintenanceMode})
		}
	}
	for _, v := range inv.VMs {
		if v.ClusterRef == cluster {
			b.VMs = append(b.VMs, BaselineVM{ID: v.Ref.Value, Name: v.Name, InstanceUUID: v.InstanceUUID,
				Host: Object{ID: v.HostRef.Value, Name: v.Host}, PowerState: v.PowerState})
		}
	}
	return b
}

// Compare lists how the cluster, as inv and cfg have it now, differs
// from the baseline: one line a difference, in a stable order; none when
// the rollback restored everything.
func (b *Baseline) Compare(inv *vsphere.Inventory, cfg clusterspec.Config) []string {
	var diffs []string
	hosts := byID(inv.Hosts, func(h vsphere.Host) vsphere.Ref { return h.Ref })
	for _, bh := range b.Hosts {
		h, ok := hosts[bh.ID]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("host %s: gone from the inventory", bh.Name))
		case h.ConnectionState != bh.ConnectionState:
			diffs = append(diffs, fmt.Sprintf("host %s: %s, was %s", bh.Name, h.ConnectionState, bh.ConnectionState))
		case h.MaintenanceMode != bh.Maintenance:
			diffs = append(diffs, fmt.Sprintf("host %s: maintenance mode %t, was %t", bh.Name, h.MaintenanceMode, bh.Maintenance))
		}
	}
	vms := byID(inv.VMs, func(v vsphere.VM) vsphere.Ref { return v.Ref })
	for _, bv := range b.VMs {
		v, ok := vms[bv.ID]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("vm %s: gone from the inventory", bv.Name))
		case v.HostRef.Value != bv.Host.ID:
			diffs = append(diffs, fmt.Sprintf("vm %s: on %s, was on %s", bv.Name, v.Host, bv.Host.Name))
		}
		if ok && v.PowerState != bv.PowerState {
			diffs = append(diffs, fmt.Sprintf("vm %s: %s, was %s", bv.Name, v.PowerState, bv.PowerState))
		}
	}
	for _, d := range clusterspec.Diff(b.Config, cfg) {
		diffs = append(diffs, "cluster "+b.Config.Cluster+": "+d.String())
	}
	slices.Sort(diffs)
	return diffs
}

// byID indexes objects by their reference's value.
func byID[T any](items []T, ref func(T) vsphere.Ref) map[string]T {
	out := make(map[string]T, len(items))
	for _, x := range items {
		out[ref(x).Value] = x
	}
	return out
}
