package vsphere

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// ReconfigureCluster plans changing the HA/DRS configuration of the
// cluster cur was read from to desired. Its checks validate desired
// against the cluster (clusterspec.Validate) and resolve every name, so a
// bad configuration sends nothing. When it runs it first reads the
// configuration again and refuses if it changed since cur was read
// (another admin's change would be overwritten), unless force; then it
// sends the smallest ClusterConfigSpecEx with modify=true, waits for the
// task, reads the configuration back and fails if vCenter did not keep
// what was asked. A configuration already as desired gives a no-op.
func (p *Planner) ReconfigureCluster(cur *ClusterConfig, desired clusterspec.Config, force bool) Action {
	a := Action{Op: OpReconfigureCluster, Ref: cur.Cluster, Object: cur.Spec.Cluster, run: refuse}
	desired.Unmodeled = cur.Spec.Unmodeled // never changed by vtui
	changes := clusterspec.Diff(cur.Spec, desired)
	a.Target = count(len(changes), "change")
	if len(changes) == 0 {
		a.Noop = "already as asked"
		return a
	}
	a.Checks = []Check{pass("cluster")}
	if err := clusterspec.Validate(desired, cur.Scope); err != nil {
		a.Checks = append(a.Checks, fail("config", "%v", err))
		return a
	}
	spec, err := cur.specFor(desired)
	if err != nil {
		a.Checks = append(a.Checks, fail("names", "%v", err))
		return a
	}
	a.Checks = append(a.Checks, pass("config"))
	a.verify = func(ctx context.Context, g *Gate, _ func(string)) []Check {
		now, err := g.c.ClusterConfig(ctx, cur.inv, cur.Cluster)
		switch {
		case err != nil:
			return []Check{fail("server", "could not read the configuration again to see whether it changed: %v", err)}
		case now.Fingerprint == cur.Fingerprint:
			return []Check{pass(checkFingerprint)}
		case force:
			return []Check{warn(checkFingerprint, "the configuration of %s changed since it was read; applying anyway (--force)", cur.Spec.Cluster)}
		}
		theirs := clusterspec.Diff(cur.Spec, now.Spec)
		return []Check{fail(checkFingerprint, "the configuration of %s changed since it was read (%s: %s); read it again and re-apply, or use --force to overwrite",
			cur.Spec.Cluster, count(len(theirs), "difference"), changesList(theirs))}
	}
	a.run = func(ctx context.Context, g *Gate, report func(int, string)) (string, error) {
		task, err := runTask(func(ctx context.Context, vim *vim25.Client) (*object.Task, error) {
			return object.NewClusterComputeResource(vim, mo.ToMoRef(cur.Cluster)).Reconfigure(ctx, &spec, true)
		})(ctx, g, report)
		if err != nil {
			return task, err
		}
		report(100, "reading the configuration back")
		back, err := g.c.ClusterConfig(ctx, cur.inv, cur.Cluster)
		if err != nil {
			return task, fmt.Errorf("the change was made, but reading it back failed: %w", err)
		}
		// Only what was asked is checked: with --force, others' changes
		// made meanwhile are there too, and rightly kept.
		if left := concerning(clusterspec.Diff(back.Spec, desired), changes); len(left) > 0 {
			return task, fmt.Errorf("vCenter did not keep everything asked: %s", changesList(left))
		}
		return task, nil
	}
	return a
}

// IsStale reports whether err refused a cluster reconfiguration because
// the configuration changed since it was read (and was not forced):
// nothing was sent, and it must be read again before it is edited.
func IsStale(err error) bool {
	var pe *PrecheckError
	return errors.As(err, &pe) && slices.ContainsFunc(pe.Failed, func(c Check) bool { return c.Name == checkFingerprint })
}

// checkFingerprint names the check that refuses a stale reconfiguration.
const checkFingerprint = "fingerprint"

// concerning returns the changes of cs about a field or object that asked
// changes too.
func concerning(cs, asked []clusterspec.Change) []clusterspec.Change {
	var out []clusterspec.Change
	for _, c := range cs {
		for _, a := range asked {
			if c.Path == a.Path || strings.HasPrefix(c.Path, a.Path+".") || strings.HasPrefix(a.Path, c.Path+".") {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// changesList joins the first changes for a message.
func changesList(cs []clusterspec.Change) string {
	const most = 5
	var parts []string
	for i, c := range cs {
		if i == most {
			parts = append(parts, fmt.Sprintf("and %d more", len(cs)-most))
			break
		}
		parts = append(parts, c.String())
	}
	return strings.Join(parts, "; ")
}

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
	vm   Ref
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
						rec.Actions = append(rec.Actions, RecommendedMove{VM: name(&d.Vm), From: name(&d.Source), To: name(&d.Destination), vm: mo.ToRef(d.Vm)})
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

// ApplyRecommendation plans carrying out the DRS recommendation rec of
// the cluster (ApplyRecommendation): vCenter makes its migrations.
func (p *Planner) ApplyRecommendation(cluster Ref, rec Recommendation) Action {
	a := Action{Op: OpApplyRecommendation, Ref: cluster, Object: p.clusterName(cluster), Target: rec.String(), run: refuse}
	a.Checks = []Check{pass("cluster")}
	for _, m := range rec.Actions {
		if v, ok := p.vms[m.vm]; ok {
			if f := p.checkSource(v); f.Status == CheckFail {
				a.Checks = append(a.Checks, f)
			}
		}
	}
	key := rec.Key
	a.run = func(ctx context.Context, g *Gate, report func(int, string)) (string, error) {
		_, err := methods.ApplyRecommendation(ctx, g.c.vim, &types.ApplyRecommendation{This: mo.ToMoRef(cluster), Key: key})
		return "", err
	}
	return a
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
