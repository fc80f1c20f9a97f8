package gate

import (
	"context"
	"strings"
	"testing"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/internal/conntest"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// snapshotsOf reloads the inventory of c and returns the snapshots of
// the VM named vm, with the VM.
func snapshotsOf(t *testing.T, c *vsphere.Client, vm string) (*vsphere.Inventory, vsphere.VM, []vsphere.Snapshot) {
	t.Helper()
	inv, err := c.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range inv.VMs {
		if v.Name == vm {
			return inv, v, v.Snapshots()
		}
	}
	t.Fatalf("no VM %s", vm)
	return nil, vsphere.VM{}, nil
}

// do plans with plan over a fresh inventory and runs the action through
// a gate of c, failing the test unless it ends with want.
func do(t *testing.T, c *vsphere.Client, vm string, want Status, plan func(p *Planner, v vsphere.VM) Action) Result {
	t.Helper()
	inv, v, _ := snapshotsOf(t, c, vm)
	r := NewGate(c).Do(context.Background(), plan(NewPlanner(inv, nil, nil), v), nil)
	if r.Status != want {
		t.Fatalf("%s %s: %s (%s); want %s", r.Op, r.Object, r.Status, r.Message, want)
	}
	return r
}

func find(t *testing.T, v vsphere.VM, name string) vsphere.Snapshot {
	t.Helper()
	s, err := vsphere.FindSnapshot(v, name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSnapshotLifecycleThroughTheGate takes two snapshots, reverts to the
// first and removes it with its child, on vtui's simulator and on plain
// vcsim, checking the tree after each step.
func TestSnapshotLifecycleThroughTheGate(t *testing.T) {
	for _, server := range []string{"vtui", "vcsim"} {
		t.Run(server, func(t *testing.T) {
			var c *vsphere.Client
			if server == "vcsim" {
				c = vspheretest.PlainVcsim(t)
			} else {
				c = vspheretest.Connect(t, startSim(t, "small"))
			}
			inv, err := c.Inventory(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			vm := inv.VMs[0].Name
			do(t, c, vm, StatusOK, func(p *Planner, v vsphere.VM) Action {
				return p.CreateSnapshot(v.Ref, SnapshotSpec{Name: "s1", Description: "first"})
			})
			r := do(t, c, vm, StatusOK, func(p *Planner, v vsphere.VM) Action {
				return p.CreateSnapshot(v.Ref, SnapshotSpec{Name: "s2"})
			})
			if r.Target != "s2" || r.Task == "" {
				t.Errorf("result %+v; want target s2 and the task's id", r)
			}
			_, _, snaps := snapshotsOf(t, c, vm)
			if len(snaps) != 2 || snaps[0].Name != "s1" || snaps[0].Description != "first" || snaps[1].Parent != "s1" || !snaps[1].Current {
				t.Fatalf("snapshots %+v; want s1 (first), then s2 under it, current", snaps)
			}

			do(t, c, vm, StatusOK, func(p *Planner, v vsphere.VM) Action { return p.RevertSnapshot(v.Ref, find(t, v, "s1")) })
			if _, v, _ := snapshotsOf(t, c, vm); !find(t, v, "s1").Current || find(t, v, "s2").Current {
				t.Errorf("after the revert, %+v; want s1 current", v.Snapshots())
			}

			do(t, c, vm, StatusOK, func(p *Planner, v vsphere.VM) Action { return p.RemoveSnapshot(v.Ref, find(t, v, "s1"), true) })
			if _, _, snaps := snapshotsOf(t, c, vm); len(snaps) != 0 {
				t.Errorf("after removing s1 with its children, %+v; want none", snaps)
			}
		})
	}
}

// TestSnapshotChangesUnderDryRunAndReadOnlySendNothing: with --dry-run the
// gate says what it would do, naming the VM and the snapshot, and with
// --readonly refuses; neither sends a change.
func TestSnapshotChangesUnderDryRunAndReadOnlySendNothing(t *testing.T) {
	e := newOpsEnv(t)
	do(t, e.c, "web-01", StatusOK, func(p *Planner, v vsphere.VM) Action {
		return p.CreateSnapshot(v.Ref, SnapshotSpec{Name: "keep"})
	})
	for _, policy := range []vsphere.Policy{{DryRun: true}, {ReadOnly: true}} {
		c := e.connect(policy)
		rec := conntest.Record(c.Conn())
		want := map[bool]Status{true: StatusDryRun, false: StatusFailed}[policy.DryRun]
		for _, plan := range []func(p *Planner, v vsphere.VM) Action{
			func(p *Planner, v vsphere.VM) Action { return p.CreateSnapshot(v.Ref, SnapshotSpec{Name: "new"}) },
			func(p *Planner, v vsphere.VM) Action { return p.RevertSnapshot(v.Ref, find(t, v, "keep")) },
			func(p *Planner, v vsphere.VM) Action { return p.RemoveSnapshot(v.Ref, find(t, v, "keep"), false) },
		} {
			r := do(t, c, "web-01", want, plan)
			if policy.DryRun && (!strings.Contains(r.Message, "web-01") || !strings.Contains(r.Message, `"`)) {
				t.Errorf("dry run says %q; want it to name web-01 and the snapshot", r.Message)
			}
		}
		if sent := rec.Sent(mutating); len(sent) > 0 {
			t.Errorf("policy %+v sent %v", policy, sent)
		}
	}
	if _, _, snaps := snapshotsOf(t, e.c, "web-01"); len(snaps) != 1 || snaps[0].Name != "keep" {
		t.Errorf("snapshots %+v; want only keep, as it was", snaps)
	}
}

// TestSnapshotConfirmationsNameTheVMAndTheSnapshot: the blast radius of a
// lone snapshot action names both; several are counted.
func TestSnapshotConfirmationsNameTheVMAndTheSnapshot(t *testing.T) {
	a := Action{Op: OpSnapshotRevert, Object: "web-01", Target: "pre-upgrade", run: refuse}
	if got, want := BlastRadius([]Action{a}), `revert web-01 to snapshot "pre-upgrade"`; got != want {
		t.Errorf("BlastRadius = %q; want %q", got, want)
	}
	rm := Action{Op: OpSnapshotRemoveTree, Object: "db-01", Target: "old", run: refuse}
	if got, want := BlastRadius([]Action{rm}), `remove snapshot "old" of db-01 and the snapshots taken after it`; got != want {
		t.Errorf("BlastRadius = %q; want %q", got, want)
	}
	b := Action{Op: OpSnapshotCreate, Object: "web-02", Target: "n", run: refuse}
	c := Action{Op: OpSnapshotCreate, Object: "web-03", Target: "n", run: refuse}
	if got, want := BlastRadius([]Action{b, c}), "take snapshots of 2 VMs"; got != want {
		t.Errorf("BlastRadius = %q; want %q", got, want)
	}
}

// TestSnapshotPrechecks: a nameless snapshot and quiescing a guest
// without running tools are refused; a name the VM already uses warns.
func TestSnapshotPrechecks(t *testing.T) {
	e := newOpsEnv(t)
	do(t, e.c, "web-01", StatusOK, func(p *Planner, v vsphere.VM) Action {
		return p.CreateSnapshot(v.Ref, SnapshotSpec{Name: "dup"})
	})
	inv, web, _ := snapshotsOf(t, e.c, "web-01")
	_, off, _ := snapshotsOf(t, e.c, "cache-01") // powered off in the small preset
	p := NewPlanner(inv, nil, nil)
	for _, tt := range []struct {
		a    Action
		want string
	}{
		{p.CreateSnapshot(web.Ref, SnapshotSpec{}), "snapshot: a snapshot needs a name"},
		{p.CreateSnapshot(off.Ref, SnapshotSpec{Name: "q", Quiesce: true}), "quiesce: cache-01 is poweredOff"},
	} {
		if f := tt.a.Failed(); len(f) != 1 || !strings.HasPrefix(f[0].String(), tt.want) {
			t.Errorf("%s: failed checks %v; want one starting %q", tt.a, f, tt.want)
		}
	}
	if w := p.CreateSnapshot(web.Ref, SnapshotSpec{Name: "dup"}).Warnings(); len(w) != 1 || !strings.Contains(w[0].String(), "ambiguous") {
		t.Errorf("warnings %v; want one saying the name would be ambiguous", w)
	}
}
