package gate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/vsphere"
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
func ReconfigureCluster(cur *vsphere.ClusterConfig, desired clusterspec.Config, force bool) Action {
	a := Action{Op: OpReconfigureCluster, Ref: cur.Cluster, Object: cur.Spec.Cluster, run: refuse}
	desired.Unmodeled = cur.Spec.Unmodeled // never changed by vtui
	changes := clusterspec.Diff(cur.Spec, desired)
	a.Target = format.Count(len(changes), "change")
	if len(changes) == 0 {
		a.Noop = "already as asked"
		return a
	}
	a.Checks = []Check{pass("cluster")}
	if err := clusterspec.Validate(desired, cur.Scope); err != nil {
		a.Checks = append(a.Checks, fail("config", "%v", err))
		return a
	}
	spec, err := specFor(cur, desired)
	if err != nil {
		a.Checks = append(a.Checks, fail("names", "%v", err))
		return a
	}
	a.Checks = append(a.Checks, pass("config"))
	a.verify = func(ctx context.Context, g *Gate, _ func(string)) []Check {
		now, err := cur.ReadAgain(ctx, g.c)
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
			cur.Spec.Cluster, format.Count(len(theirs), "difference"), changesList(theirs))}
	}
	a.run = func(ctx context.Context, g *Gate, report func(int, string)) (string, error) {
		task, err := runTask(func(ctx context.Context, vim *vim25.Client) (*object.Task, error) {
			return object.NewClusterComputeResource(vim, mo.ToMoRef(cur.Cluster)).Reconfigure(ctx, &spec, true)
		})(ctx, g, report)
		if err != nil {
			return task, err
		}
		report(100, "reading the configuration back")
		back, err := cur.ReadAgain(ctx, g.c)
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

// ApplyRecommendation plans carrying out the DRS recommendation rec of
// the cluster (ApplyRecommendation): vCenter makes its migrations.
func (p *Planner) ApplyRecommendation(cluster vsphere.Ref, rec vsphere.Recommendation) Action {
	a := Action{Op: OpApplyRecommendation, Ref: cluster, Object: p.clusterName(cluster), Target: rec.String(), run: refuse}
	a.Checks = []Check{pass("cluster")}
	for _, m := range rec.Actions {
		if v := p.vm(m.Ref); v != nil {
			if f := p.checkSource(v); f.Status == CheckFail {
				a.Checks = append(a.Checks, f)
			}
		}
	}
	key := rec.Key
	a.run = func(ctx context.Context, g *Gate, report func(int, string)) (string, error) {
		_, err := methods.ApplyRecommendation(ctx, conn.VIM(g.c.Conn()), &types.ApplyRecommendation{This: mo.ToMoRef(cluster), Key: key})
		return "", err
	}
	return a
}
