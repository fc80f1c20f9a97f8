package vsphere

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// Recommendation is one DRS recommendation of a cluster, in the
// vocabulary of people. Its JSON field names are a stable contract.
type Recommendation struct {
	// Key identifies it to ApplyRecommendation.
	Key string `json:"key" yaml:"key"`
	// Rating is vCenter's confidence, 1 to 5; priority 1 (mandatory, such
	// as a rule fix) is rating 5.
	Rating int    `json:"rating" yaml:"rating"`
	Reason string `json:"reason" yaml:"reason"`
	// Actions are the migrations it makes: the VM, from and to.
	Actions []RecommendedMove `json:"actions" yaml:"actions"`
}

// RecommendedMove is a migration a recommendation makes.
type RecommendedMove struct {
	VM   string `json:"vm" yaml:"vm"`
	From string `json:"from" yaml:"from"`
	To   string `json:"to" yaml:"to"`
	// Ref is the VM's, for ApplyRecommendation's checks.
	Ref Ref `json:"-" yaml:"-"`
}

// String is "migrate web-01 from esx-a-01 to esx-a-02; ...".
func (r Recommendation) String() string {
	parts := make([]string, len(r.Actions))
	for i, m := range r.Actions {
		parts[i] = fmt.Sprintf("migrate %s from %s to %s", m.VM, m.From, m.To)
	}
	if len(parts) == 0 {
		return r.Reason
	}
	return strings.Join(parts, "; ")
}

// Recommendations reads the DRS recommendations vCenter (or vtui's
// simulator) holds for the cluster, highest rating first, with the names
// of inv.
func (c *Client) Recommendations(ctx context.Context, inv *Inventory, cluster Ref) ([]Recommendation, error) {
	names := map[Ref]string{}
	for _, v := range inv.VMs {
		names[v.Ref] = v.Name
	}
	for _, h := range inv.Hosts {
		names[h.Ref] = h.Name
	}
	name := func(r *types.ManagedObjectReference) string {
		if r == nil {
			return "-"
		}
		if n, ok := names[mo.ToRef(*r)]; ok {
			return n
		}
		return r.Value
	}
	var out []Recommendation
	spec := types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: mo.ToMoRef(cluster)}},
		PropSet:   []types.PropertySpec{{Type: "ClusterComputeResource", PathSet: []string{"recommendation"}}},
	}
	err := conn.Retrieve(ctx, c.conn, spec, func(oc types.ObjectContent) {
		for _, p := range oc.PropSet {
			recs, _ := p.Val.(types.ArrayOfClusterRecommendation)
			for _, r := range recs.ClusterRecommendation {
				rec := Recommendation{Key: r.Key, Rating: int(r.Rating), Reason: cmp.Or(r.ReasonText, r.Reason)}
				for _, act := range r.Action {
					if m, ok := act.(*types.ClusterMigrationAction); ok && m.DrsMigration != nil {
						d := m.DrsMigration
						rec.Actions = append(rec.Actions, RecommendedMove{VM: name(&d.Vm), From: name(&d.Source), To: name(&d.Destination), Ref: mo.ToRef(d.Vm)})
					}
				}
				out = append(out, rec)
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("read the DRS recommendations of %s from %s: %w", cluster.Value, c.Host(), err)
	}
	sortRecommendations(out)
	return out, nil
}

// sortRecommendations puts the highest rating first, then by key.
func sortRecommendations(recs []Recommendation) {
	slices.SortStableFunc(recs, func(a, b Recommendation) int {
		return cmp.Or(cmp.Compare(b.Rating, a.Rating), strings.Compare(a.Key, b.Key))
	})
}

// Reservation is what a VM has reserved of its host.
type Reservation struct {
	CPUMHz   int64 `json:"cpu_mhz" yaml:"cpu_mhz"`
	MemoryMB int64 `json:"memory_mb" yaml:"memory_mb"`
}

// Reservations reads the CPU and memory reservations of vms, in one
// request; a VM that reserves nothing is left out.
func (c *Client) Reservations(ctx context.Context, vms []Ref) (map[Ref]Reservation, error) {
	out := map[Ref]Reservation{}
	if len(vms) == 0 {
		return out, nil
	}
	err := conn.Retrieve(ctx, c.conn, mo.RefsSpec(vms, "config.cpuAllocation.reservation", "config.memoryAllocation.reservation"), func(oc types.ObjectContent) {
		var r Reservation
		for _, p := range oc.PropSet {
			n := mo.AsInt(p.Val)
			if ptr, ok := p.Val.(*int64); ok && ptr != nil {
				n = *ptr
			}
			switch p.Name {
			case "config.cpuAllocation.reservation":
				r.CPUMHz = n
			case "config.memoryAllocation.reservation":
				r.MemoryMB = n
			}
		}
		if r != (Reservation{}) {
			out[mo.ToRef(oc.Obj)] = r
		}
	})
	if err != nil {
		return nil, fmt.Errorf("read the reservations of %d VMs from %s: %w", len(vms), c.Host(), err)
	}
	return out, nil
}
