package drill

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
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

// Diff is one way the cluster differs from its baseline.
type Diff struct {
	// Kind is "host", "vm" or "cluster"; ID and Name are the object's (for
	// a configuration change, Name is the cluster's and ID empty).
	Kind, ID, Name string
	// What changed: "on esx-a-02, was on esx-a-01".
	What string
	// Change is a configuration change, as clusterspec.Diff has it.
	Change *clusterspec.Change
}

// String is the difference as one line: "vm web-01: poweredOff, was
// poweredOn".
func (d Diff) String() string { return d.Kind + " " + d.Name + ": " + d.What }

// Compare lists how the cluster, as inv and cfg have it now, differs
// from the baseline: one a difference, in a stable order; none when the
// cluster equals the baseline.
func (b *Baseline) Compare(inv *vsphere.Inventory, cfg clusterspec.Config) []Diff {
	var diffs []Diff
	hosts := byID(inv.Hosts, func(h vsphere.Host) vsphere.Ref { return h.Ref })
	for _, bh := range b.Hosts {
		d := Diff{Kind: "host", ID: bh.ID, Name: bh.Name}
		h, ok := hosts[bh.ID]
		switch {
		case !ok:
			d.What = "gone from the inventory"
		case h.ConnectionState != bh.ConnectionState:
			d.What = fmt.Sprintf("%s, was %s", h.ConnectionState, bh.ConnectionState)
		case h.MaintenanceMode != bh.Maintenance:
			d.What = fmt.Sprintf("maintenance mode %t, was %t", h.MaintenanceMode, bh.Maintenance)
		default:
			continue
		}
		diffs = append(diffs, d)
	}
	vms := byID(inv.VMs, func(v vsphere.VM) vsphere.Ref { return v.Ref })
	for _, bv := range b.VMs {
		d := Diff{Kind: "vm", ID: bv.ID, Name: bv.Name}
		v, ok := vms[bv.ID]
		switch {
		case !ok:
			diffs = append(diffs, d.with("gone from the inventory"))
		case v.HostRef.Value != bv.Host.ID:
			diffs = append(diffs, d.with(fmt.Sprintf("on %s, was on %s", v.Host, bv.Host.Name)))
		}
		if ok && v.PowerState != bv.PowerState {
			diffs = append(diffs, d.with(fmt.Sprintf("%s, was %s", v.PowerState, bv.PowerState)))
		}
	}
	for _, c := range clusterspec.Diff(b.Config, cfg) {
		diffs = append(diffs, Diff{Kind: "cluster", Name: b.Config.Cluster, What: c.String(), Change: &c})
	}
	slices.SortStableFunc(diffs, func(a, b Diff) int { return strings.Compare(a.String(), b.String()) })
	return diffs
}

func (d Diff) with(what string) Diff {
	d.What = what
	return d
}

// byID indexes objects by their reference's value.
func byID[T any](items []T, ref func(T) vsphere.Ref) map[string]T {
	out := make(map[string]T, len(items))
	for _, x := range items {
		out[ref(x).Value] = x
	}
	return out
}
