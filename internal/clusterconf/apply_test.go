package clusterconf

import (
	"context"
	"strings"
	"testing"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/gate"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// read reads cluster's configuration through c.
func read(t *testing.T, c *vsphere.Client, cluster string) *Session {
	t.Helper()
	ctx := context.Background()
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cl := inv.FilterClusters(vsphere.Filter{Name: cluster})
	if len(cl) != 1 {
		t.Fatalf("no cluster %s", cluster)
	}
	s, err := Read(ctx, c, inv, cl[0].Ref)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// apply edits s's configuration and runs the plan through c's gate.
func apply(t *testing.T, c *vsphere.Client, s *Session, force bool, edits ...Edit) gate.Result {
	t.Helper()
	want, err := s.Edit(edits...)
	if err != nil {
		t.Fatal(err)
	}
	p := s.Plan(want, force)
	if p.Noop() || p.Err() != nil {
		t.Fatalf("plan: noop %v, err %v; want a change", p.Noop(), p.Err())
	}
	return gate.NewGate(c).Do(context.Background(), p.Action, nil)
}

var high = SetHA(func(h *clusterspec.HA) { h.RestartPriority = clusterspec.RestartHigh })

// TestApplyAgainstTheSimulator: an edit planned on a session is applied
// and reads back; planned again, it is a no-op.
func TestApplyAgainstTheSimulator(t *testing.T) {
	c := vspheretest.Connect(t, vspheretest.Start(t, "small"))
	s := read(t, c, "cluster-a")
	rule := AddRule(clusterspec.Rule{Name: "apart", Kind: clusterspec.RuleAntiAffinity, Enabled: true}, names("web-01", "db-01"))
	if r := apply(t, c, s, false, high, rule); r.Status != gate.StatusOK {
		t.Fatalf("apply: %s %s", r.Status, r.Message)
	}
	back := read(t, c, "cluster-a")
	if back.Config.Spec.HA.RestartPriority != clusterspec.RestartHigh {
		t.Errorf("restart priority reads back %s; want high", back.Config.Spec.HA.RestartPriority)
	}
	if _, ok := back.Config.Spec.Rule("apart"); !ok {
		t.Errorf("rule apart does not read back: %+v", back.Config.Spec.Rules)
	}
	want, err := back.Edit(high)
	if err != nil {
		t.Fatal(err)
	}
	if p := back.Plan(want, false); !p.Noop() || len(p.Changes) != 0 {
		t.Errorf("planned again: noop %v, changes %v; want a no-op", p.Noop(), p.Changes)
	}
}

// TestStaleFingerprintIsRefused: a configuration another admin changed
// since the session read it is not overwritten: the plan is refused as
// stale and nothing is sent; forced, it is applied over the other change,
// which is kept.
func TestStaleFingerprintIsRefused(t *testing.T) {
	srv := vspheretest.Start(t, "small")
	rec := vspheretest.Record(t, srv)
	c, err := vsphere.Connect(context.Background(), rec.Config())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	mine := read(t, c, "cluster-a")

	other := vspheretest.Connect(t, srv)
	theirs := read(t, other, "cluster-a")
	if r := apply(t, other, theirs, false, SetDRS(func(d *clusterspec.DRS) { d.Threshold = 2 })); r.Status != gate.StatusOK {
		t.Fatalf("the other admin's change: %s %s", r.Status, r.Message)
	}

	rec.Reset()
	r := apply(t, c, mine, false, high)
	if !gate.IsStale(r.Err) || !strings.Contains(r.Message, "drs.threshold: 3 -> 2") {
		t.Errorf("stale apply: %s %q (err %v); want refused as stale, naming the other change", r.Status, r.Message, r.Err)
	}
	if sent := rec.Changes(); len(sent) > 0 {
		t.Errorf("a stale apply sent %v; want nothing", sent)
	}

	if r := apply(t, c, mine, true, high); r.Status != gate.StatusOK {
		t.Fatalf("forced apply: %s %s", r.Status, r.Message)
	}
	back := read(t, c, "cluster-a").Config.Spec
	if back.HA.RestartPriority != clusterspec.RestartHigh || back.DRS.Threshold != 2 {
		t.Errorf("after the forced apply: restart priority %s, threshold %d; want high and the other admin's 2",
			back.HA.RestartPriority, back.DRS.Threshold)
	}
}

// TestRecommendationsArePickedAndApplied: with manual DRS and a rule the
// placement breaks, DRS recommends; picked by key, a recommendation is
// planned as an action for the gate, and an unknown key is named.
func TestRecommendationsArePickedAndApplied(t *testing.T) {
	c := vspheretest.Connect(t, vspheretest.Start(t, "small"))
	s := read(t, c, "cluster-b")
	// web-03 and batch-01 share esx-b-02.
	manual := SetDRS(func(d *clusterspec.DRS) {
		*d = clusterspec.DRS{Enabled: true, Automation: clusterspec.AutomationManual, Threshold: 1}
	})
	apart := AddRule(clusterspec.Rule{Name: "batch-apart", Kind: clusterspec.RuleAntiAffinity, Enabled: true}, names("web-03", "batch-01"))
	if r := apply(t, c, s, false, manual, apart); r.Status != gate.StatusOK {
		t.Fatalf("apply: %s %s", r.Status, r.Message)
	}
	s = read(t, c, "cluster-b")
	recs, err := s.Recommendations(context.Background(), c)
	if err != nil || len(recs) == 0 {
		t.Fatalf("recommendations: %v, %v; want some", recs, err)
	}
	if _, missing := Pick(recs, []string{recs[0].Key, "nope"}); missing != "nope" {
		t.Errorf("Pick of an unknown key: missing %q; want nope", missing)
	}
	chosen, missing := Pick(recs, []string{recs[0].Key})
	if missing != "" || len(chosen) != 1 {
		t.Fatalf("Pick(%s): %v, missing %q", recs[0].Key, chosen, missing)
	}
	acts := s.ApplyRecommendations(chosen)
	if len(acts) != 1 || acts[0].Op != gate.OpApplyRecommendation {
		t.Fatalf("ApplyRecommendations: %+v; want one action", acts)
	}
	if r := gate.NewGate(c).Do(context.Background(), acts[0], nil); r.Status != gate.StatusOK {
		t.Errorf("apply the recommendation: %s %s", r.Status, r.Message)
	}
}
