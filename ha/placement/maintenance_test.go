package placement

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/gate"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// connectSmall starts the small simulator preset and logs in to it.
func connectSmall(t *testing.T) (*vsphere.Client, *sim.Server) {
	t.Helper()
	srv := vspheretest.Start(t, "small")
	return vspheretest.Connect(t, srv), srv
}

func plannerOf(t *testing.T, c *vsphere.Client) (*gate.Planner, *vsphere.Inventory) {
	t.Helper()
	inv, err := c.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var clusters []vsphere.Ref
	for _, cl := range inv.Clusters {
		clusters = append(clusters, cl.Ref)
	}
	rules, err := c.ClusterRules(context.Background(), clusters...)
	if err != nil {
		t.Fatal(err)
	}
	return gate.NewPlanner(inv, rules, nil), inv
}

func TestEvacuationLeavesNoPoweredOnVM(t *testing.T) {
	c, _ := connectSmall(t)
	ctx := context.Background()
	p, inv := plannerOf(t, c)
	// esx-b-01 (cluster-b, no DRS) runs batch-02 (on) and cache-01 (off);
	// esx-a-01 runs web-01, which only cluster-a's hosts can take.
	hosts, err := inv.HostsNamed([]string{"esx-a-01.lab.local", "esx-b-01.lab.local"})
	if err != nil {
		t.Fatal(err)
	}
	refs := []vsphere.Ref{hosts[0].Ref, hosts[1].Ref}
	plan, err := PlanMaintenance(p, refs, true, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	sum := EnterMaintenance(ctx, gate.NewGate(c), plan, gate.RunOptions{})
	if err := sum.Err(); err != nil {
		t.Fatalf("evacuate and enter maintenance: %v (%s)", err, sum)
	}
	if sum.Count(gate.StatusOK) != plan.Moves()+2 {
		t.Errorf("summary %s; want %d moves and 2 hosts ok", sum, plan.Moves())
	}
	after, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range after.Hosts {
		if h.Ref != refs[0] && h.Ref != refs[1] {
			continue
		}
		if !h.MaintenanceMode {
			t.Errorf("%s is not in maintenance mode", h.Name)
		}
		for _, v := range after.VMs {
			if v.HostRef == h.Ref && v.PowerState == "poweredOn" {
				t.Errorf("%s still runs powered-on VM %s", h.Name, v.Name)
			}
		}
	}
	web, _ := after.VMsNamed([]string{"web-01"})
	if web[0].Cluster != "cluster-a" {
		t.Errorf("web-01 moved to %s; want it kept in cluster-a, whose hosts have its datastore", web[0].Host)
	}

	// Leaving maintenance is a single action per host.
	p, _ = plannerOf(t, c)
	exit := gate.NewGate(c).Run(ctx, []gate.Action{p.ExitMaintenance(refs[0], 0), p.ExitMaintenance(refs[1], 0)}, gate.RunOptions{})
	if exit.Err() != nil {
		t.Errorf("exit maintenance: %v", exit.Err())
	}
}

// planEvacuationOfOneVM plans maintenance mode for esx-a-02, which runs
// app-01 and db-02 (off): one move.
func planEvacuationOfOneVM(t *testing.T) (*vsphere.Client, *sim.Server, vsphere.Host, MaintenancePlan) {
	t.Helper()
	c, srv := connectSmall(t)
	p, inv := plannerOf(t, c)
	h, err := inv.HostNamed("esx-a-02.lab.local")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := PlanMaintenance(p, []vsphere.Ref{h.Ref}, true, 0)
	if err != nil || plan.Moves() != 1 {
		t.Fatalf("plan: %v, %d moves; want 1", err, plan.Moves())
	}
	return c, srv, h, plan
}

func TestEvacuationFailureOrCancelKeepsHostOut(t *testing.T) {
	c, srv, h, plan := planEvacuationOfOneVM(t)
	g := gate.NewGate(c)
	unchanged := func(what string) {
		t.Helper()
		after, _ := c.Inventory(context.Background())
		got, _ := after.HostNamed(h.Name)
		if got.MaintenanceMode || got.VMCount != h.VMCount {
			t.Errorf("after %s %s: maintenance %v, %d VMs; want unchanged", what, h.Name, got.MaintenanceMode, got.VMCount)
		}
	}

	// Cancelled before anything starts: nothing moves.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sum := EnterMaintenance(ctx, g, plan, gate.RunOptions{})
	if sum.Count(gate.StatusCancelled) != len(sum.Results) {
		t.Errorf("cancelled evacuation: %s; want everything cancelled", sum)
	}
	unchanged("a cancelled evacuation")

	// A move that fails keeps the host out of maintenance.
	undo := srv.FailMethod("RelocateVM_Task", "app-01", nil)
	defer undo()
	sum = EnterMaintenance(context.Background(), g, plan, gate.RunOptions{})
	last := sum.Results[len(sum.Results)-1]
	if sum.Count(gate.StatusFailed) != 2 || last.Op != gate.OpEnterMaintenance || !strings.Contains(last.Message, "evacuation: 1 of the 1 VMs to move off esx-a-02.lab.local are not known to have moved (1 failed)") {
		t.Errorf("evacuation with a failed move: %s, last %q; want the move and the enter failed", sum, last.Message)
	}
	unchanged("a failed evacuation")
}

// TestAnEvacuationMoveThatEndsUnknownKeepsHostOut stops the wait on a
// slow move: it ends unknown, so the host is not known to be empty and
// stays out of maintenance mode, and the reason counts the move as
// unknown rather than as not moved.
func TestAnEvacuationMoveThatEndsUnknownKeepsHostOut(t *testing.T) {
	c, srv, h, plan := planEvacuationOfOneVM(t)
	srv.SetTaskDelay("RelocateVm", 2*time.Second)
	sum := EnterMaintenance(context.Background(), gate.NewGate(c), plan, gate.RunOptions{Timeout: 100 * time.Millisecond})
	last := sum.Results[len(sum.Results)-1]
	if sum.Results[0].Status != gate.StatusUnknown || last.Status != gate.StatusFailed ||
		!strings.Contains(last.Message, "1 of the 1 VMs to move off esx-a-02.lab.local are not known to have moved (1 unknown)") {
		t.Errorf("evacuation with a move that ended unknown: %s, last %s %q; want the enter refused, naming the unknown move", sum, last.Status, last.Message)
	}
	after, _ := c.Inventory(context.Background())
	if got, _ := after.HostNamed(h.Name); got.MaintenanceMode {
		t.Errorf("%s entered maintenance mode with a move of unknown outcome", h.Name)
	}
}

// TestDRSEvacuates: only DRS that is on, fully automated and not pinned
// empties a host entering maintenance mode.
func TestDRSEvacuates(t *testing.T) {
	for _, tt := range []struct {
		enabled    bool
		automation clusterspec.Automation
		pinned     bool
		want       bool
	}{
		{true, clusterspec.AutomationFull, false, true},
		{true, clusterspec.AutomationFull, true, false},
		{true, clusterspec.AutomationPartial, false, false},
		{true, clusterspec.AutomationManual, false, false},
		{false, clusterspec.AutomationFull, false, false},
		{false, "", false, false},
	} {
		drs := clusterspec.DRS{Enabled: tt.enabled, Automation: tt.automation}
		if got := DRSEvacuates(drs, tt.pinned); got != tt.want {
			t.Errorf("DRSEvacuates(%+v, pinned %t) = %t; want %t", drs, tt.pinned, got, tt.want)
		}
	}
}
