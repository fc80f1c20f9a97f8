package gate

import (
	"context"
	"strings"
	"testing"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
)

// applyConfig changes cluster-a's configuration through the gate.
func applyConfig(t *testing.T, e *opsEnv, change func(*clusterspec.Config)) {
	t.Helper()
	cc := readCluster(t, e.c)
	want := cc.Spec
	change(&want)
	if r := NewGate(e.c).Do(context.Background(), ReconfigureCluster(cc, want, false), nil); r.Status != StatusOK {
		t.Fatalf("reconfigure: %s %q", r.Status, r.Message)
	}
}

func TestFullyAutomatedDRSEvacuatesForMaintenanceAndKeepsRules(t *testing.T) {
	e := newOpsEnv(t)
	// web-01 runs on esx-a-01 and app-01 on esx-a-02: kept apart, web-01
	// may not go to esx-a-02.
	applyConfig(t, e, func(c *clusterspec.Config) {
		c.Rules = append(c.Rules, clusterspec.Rule{Name: "apart", Kind: clusterspec.RuleAntiAffinity, Enabled: true, VMs: []string{"web-01", "app-01"}})
	})
	p, inv := e.planner()
	h := e.host(inv, "esx-a-01")
	r := NewGate(e.c).Do(context.Background(), p.EnterMaintenance(h.Ref, 0), nil)
	if r.Status != StatusOK {
		t.Fatalf("enter maintenance on a fully automated cluster: %s %q", r.Status, r.Message)
	}
	after, err := e.c.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range after.FilterVMs(vsphere.Filter{Host: h.Name}) {
		if v.PowerState == "poweredOn" {
			t.Errorf("%s is still powered on on %s, now in maintenance mode", v.Name, h.Name)
		}
	}
	if web := e.vm(after, "web-01"); web.Host != "esx-a-03.lab.local" {
		t.Errorf("web-01 went to %s; want esx-a-03, the only host away from app-01", web.Host)
	}
}

func TestManualDRSRecommendsAndApplyingMoves(t *testing.T) {
	e := newOpsEnv(t)
	// web-01 and app-02 both run on esx-a-01: a rule to keep them apart
	// is broken, and manual DRS recommends a fix.
	applyConfig(t, e, func(c *clusterspec.Config) {
		c.DRS = clusterspec.DRS{Enabled: true, Automation: clusterspec.AutomationManual, Threshold: 1}
		c.Rules = append(c.Rules, clusterspec.Rule{Name: "apart", Kind: clusterspec.RuleAntiAffinity, Enabled: true, VMs: []string{"web-01", "app-02"}})
	})
	ctx := context.Background()
	inv, err := e.c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cl := inv.FilterClusters(vsphere.Filter{Name: "cluster-a"})[0]
	recs, err := e.c.Recommendations(ctx, inv, cl.Ref)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Rating != 5 || len(recs[0].Actions) != 1 || !strings.Contains(recs[0].Reason, "rule apart") {
		t.Fatalf("recommendations %+v; want one rule fix rated 5 (threshold 1 keeps only those)", recs)
	}
	mv := recs[0].Actions[0]
	r := NewGate(e.c).Do(ctx, NewPlanner(inv, nil, nil).ApplyRecommendation(cl.Ref, recs[0]), nil)
	if r.Status != StatusOK || !strings.Contains(r.Message, "applied: migrate "+mv.VM) {
		t.Fatalf("apply: %s %q", r.Status, r.Message)
	}
	after, _ := e.c.Inventory(ctx)
	if v := e.vm(after, mv.VM); v.Host != mv.To {
		t.Errorf("%s is on %s after the recommendation was applied; want %s", mv.VM, v.Host, mv.To)
	}
	if left, _ := e.c.Recommendations(ctx, after, cl.Ref); len(left) != 0 {
		t.Errorf("recommendations left after the fix: %+v", left)
	}
}

func TestManualDRSRecommendsBalancingByThreshold(t *testing.T) {
	e := newOpsEnv(t)
	ctx := context.Background()
	// Crowd cluster-a's VMs onto esx-a-01.
	p, inv := e.planner()
	to := e.host(inv, "esx-a-01")
	var moves []Action
	for _, v := range inv.FilterVMs(vsphere.Filter{Cluster: "cluster-a"}) {
		moves = append(moves, p.Migrate(v.Ref, MigrateSpec{Host: to.Ref}))
	}
	NewGate(e.c).Run(ctx, moves, RunOptions{})
	count := func(threshold int) int {
		applyConfig(t, e, func(c *clusterspec.Config) {
			c.DRS = clusterspec.DRS{Enabled: true, Automation: clusterspec.AutomationPartial, Threshold: threshold}
		})
		inv, _ := e.c.Inventory(ctx)
		recs, err := e.c.Recommendations(ctx, inv, inv.FilterClusters(vsphere.Filter{Name: "cluster-a"})[0].Ref)
		if err != nil {
			t.Fatal(err)
		}
		return len(recs)
	}
	if n := count(1); n != 0 {
		t.Errorf("threshold 1 (conservative): %d recommendations; want none, there is no rule to fix", n)
	}
	if n := count(5); n == 0 {
		t.Error("threshold 5 (aggressive): no recommendation to balance a crowded host")
	}
}

// TestVtuisSimulatorReportsRuleCompliance: vCenter says whether each rule
// is kept now (ClusterRuleInfo.inCompliance); vtui's simulator does too,
// after every move, and that status is not part of the fingerprint, which
// identifies the configuration.
func TestVtuisSimulatorReportsRuleCompliance(t *testing.T) {
	e := newOpsEnv(t)
	applyConfig(t, e, func(c *clusterspec.Config) {
		c.Rules = append(c.Rules, clusterspec.Rule{Name: "together", Kind: clusterspec.RuleAffinity, Enabled: true, VMs: []string{"web-01", "app-01"}})
	})
	before := readCluster(t, e.c)
	if kept, ok := before.Compliance["together"]; !ok || kept {
		t.Fatalf("web-01 and app-01 run on two hosts: compliance %v (reported %t); want not kept", kept, ok)
	}
	p, inv := e.planner()
	web := e.vm(inv, "web-01")
	if r := NewGate(e.c).Do(context.Background(), p.Migrate(e.vm(inv, "app-01").Ref, MigrateSpec{Host: web.HostRef}), nil); r.Status != StatusOK {
		t.Fatalf("migrate: %s %q", r.Status, r.Message)
	}
	after := readCluster(t, e.c)
	if !after.Compliance["together"] {
		t.Errorf("app-01 joined web-01 on %s; the rule still reads not kept", web.Host)
	}
	if after.Fingerprint != before.Fingerprint {
		t.Errorf("the fingerprint changed with the rule's compliance (%s -> %s); want it to identify the configuration only", before.Fingerprint, after.Fingerprint)
	}
}
