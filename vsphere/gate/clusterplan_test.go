package gate

import (
	"context"
	"strings"
	"testing"

	"github.com/vtui/vtui/vsphere/internal/conntest"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
)

// readCluster reads cluster-a's configuration through c.
func readCluster(t *testing.T, c *vsphere.Client) *vsphere.ClusterConfig {
	t.Helper()
	ctx := context.Background()
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ref vsphere.Ref
	for _, cl := range inv.Clusters {
		if cl.Name == "cluster-a" {
			ref = cl.Ref
		}
	}
	cc, err := c.ClusterConfig(ctx, inv, ref)
	if err != nil {
		t.Fatal(err)
	}
	return cc
}

// vcsimKept changes the fields plain vcsim keeps: DRS enabled and
// automation, groups, rules and restart-priority overrides.
func vcsimKept(c clusterspec.Config) clusterspec.Config {
	c.DRS.Automation = clusterspec.AutomationPartial
	c.VMGroups = append(c.VMGroups, clusterspec.VMGroup{Name: "dbs", VMs: []string{"db-01"}})
	c.HostGroups = append(c.HostGroups, clusterspec.HostGroup{Name: "low", Hosts: []string{"esx-a-01.lab.local", "esx-a-02.lab.local"}})
	c.Rules = append(c.Rules,
		clusterspec.Rule{Name: "db-low", Kind: clusterspec.RuleVMHost, Enabled: true, VMGroup: "dbs", AffineHostGroup: "low"},
		clusterspec.Rule{Name: "web-apart", Kind: clusterspec.RuleAntiAffinity, Enabled: true, VMs: []string{"web-01", "app-02"}})
	c.Overrides = append(c.Overrides, clusterspec.Override{VM: "db-01", RestartPriority: clusterspec.RestartHighest})
	return c
}

func TestReconfigureClusterRoundTrip(t *testing.T) {
	e := newOpsEnv(t)
	cc := readCluster(t, e.c)
	want := vcsimKept(cc.Spec)
	a := ReconfigureCluster(cc, want, false)
	if a.Target != "6 changes" || len(a.Failed()) > 0 {
		t.Fatalf("planned %s (%s), failed %v; want 6 changes", a, a.Target, a.Failed())
	}
	r := NewGate(e.c).Do(context.Background(), a, nil)
	if r.Status != StatusOK || !strings.HasPrefix(r.Message, "reconfigured: 6 changes") {
		t.Fatalf("apply: %s %q", r.Status, r.Message)
	}
	back := readCluster(t, e.c)
	if d := clusterspec.Diff(back.Spec, want); len(d) > 0 {
		t.Errorf("read back differs from what was asked: %v", d)
	}
	// Applying what is there is a no-op: export, then apply, is empty.
	if a := ReconfigureCluster(back, back.Spec, false); a.Noop == "" {
		t.Errorf("reapplying the read configuration: %s; want a no-op", a.Target)
	}
}

func TestReconfigureClusterRefusesAStaleRead(t *testing.T) {
	e := newOpsEnv(t)
	cc := readCluster(t, e.c)
	// Someone else changes the cluster after cc was read.
	other := e.connect(vsphere.Policy{})
	theirs := readCluster(t, other)
	mine := cc.Spec
	mine.DRS.Automation = clusterspec.AutomationManual
	tc := theirs.Spec
	tc.Rules = append(tc.Rules, clusterspec.Rule{Name: "theirs", Kind: clusterspec.RuleAntiAffinity, Enabled: true, VMs: []string{"web-01", "app-01"}})
	if r := NewGate(other).Do(context.Background(), ReconfigureCluster(theirs, tc, false), nil); r.Status != StatusOK {
		t.Fatalf("their change: %s %q", r.Status, r.Message)
	}
	r := NewGate(e.c).Do(context.Background(), ReconfigureCluster(cc, mine, false), nil)
	if r.Status != StatusFailed || !strings.Contains(r.Message, "changed since it was read") || !strings.Contains(r.Message, "rules[theirs]") ||
		!strings.Contains(r.Message, "--force") {
		t.Errorf("apply over a stale read: %s %q; want refused, naming what changed and --force", r.Status, r.Message)
	}
	if !IsStale(r.Err) {
		t.Errorf("IsStale(%v) = false; want true", r.Err)
	}
	now := readCluster(t, e.c)
	if now.Spec.DRS.Automation == clusterspec.AutomationManual {
		t.Error("the refused change was made")
	}
	r = NewGate(e.c).Do(context.Background(), ReconfigureCluster(cc, mine, true), nil)
	if r.Status != StatusOK || len(r.Warnings) == 0 {
		t.Errorf("with force: %s %q, warnings %v; want ok with a warning", r.Status, r.Message, r.Warnings)
	}
}

func TestReconfigureClusterRefusesBadConfigsAndHonoursPolicy(t *testing.T) {
	e := newOpsEnv(t)
	cc := readCluster(t, e.c)
	bad := cc.Spec
	bad.DRS.Threshold = 9
	if a := ReconfigureCluster(cc, bad, false); len(a.Failed()) == 0 || !strings.Contains(a.Failed()[0].Reason, "drs.threshold: 9") {
		t.Errorf("a threshold of 9: failed %v; want refused naming the field", a.Failed())
	}
	for _, policy := range []vsphere.Policy{{DryRun: true}, {ReadOnly: true}} {
		c := e.connect(policy)
		rec := conntest.Record(c.Conn())
		r := NewGate(c).Do(context.Background(), ReconfigureCluster(cc, vcsimKept(cc.Spec), false), nil)
		if m := rec.Sent(func(m string) bool { return m == "ReconfigureComputeResource_Task" }); len(m) > 0 {
			t.Errorf("policy %+v: sent %v (status %s)", policy, m, r.Status)
		}
	}
}

// everyField changes every field vtui models to a value other than the
// small preset's.
func everyField(c clusterspec.Config) clusterspec.Config {
	c = vcsimKept(c)
	c.HA = clusterspec.HA{Enabled: true, HostMonitoring: false, VMMonitoring: clusterspec.VMMonitoringApp,
		AdmissionControl: clusterspec.AdmissionControl{Mode: clusterspec.AdmissionPercent, CPUPercent: 25, MemoryPercent: 30},
		RestartPriority:  clusterspec.RestartHigh, IsolationResponse: clusterspec.IsolationShutdown}
	c.DRS = clusterspec.DRS{Enabled: true, Automation: clusterspec.AutomationManual, Threshold: 5}
	c.Rules = append(c.Rules,
		clusterspec.Rule{Name: "app-together", Kind: clusterspec.RuleAffinity, Enabled: false, Mandatory: true, VMs: []string{"app-01", "db-02"}},
		clusterspec.Rule{Name: "cache-off-low", Kind: clusterspec.RuleVMHost, Enabled: true, Mandatory: false, VMGroup: "dbs", AntiAffineHostGroup: "low"})
	c.Overrides = []clusterspec.Override{
		{VM: "db-01", RestartPriority: clusterspec.RestartHighest, IsolationResponse: clusterspec.IsolationPowerOff,
			VMMonitoring: clusterspec.VMMonitoringVM, DRSAutomation: clusterspec.DRSDisabled},
		{VM: "cache-02", DRSAutomation: "partial"},
	}
	return c
}

func TestEveryFieldRoundTripsOnVtuisSimulator(t *testing.T) {
	e := newOpsEnv(t)
	cc := readCluster(t, e.c)
	for _, want := range []clusterspec.Config{
		everyField(cc.Spec),
		// then the other admission control policies, and back to defaults
		func() clusterspec.Config {
			c := everyField(cc.Spec)
			c.HA.AdmissionControl = clusterspec.AdmissionControl{Mode: clusterspec.AdmissionHosts, Hosts: []string{"esx-a-03.lab.local"}}
			return c
		}(),
		func() clusterspec.Config {
			c := everyField(cc.Spec)
			c.HA.AdmissionControl = clusterspec.AdmissionControl{Mode: clusterspec.AdmissionSlots, Failures: 2}
			return c
		}(),
		cc.Spec,
	} {
		cur := readCluster(t, e.c)
		r := NewGate(e.c).Do(context.Background(), ReconfigureCluster(cur, want, false), nil)
		if r.Status != StatusOK && r.Status != StatusNoop {
			t.Fatalf("apply: %s %q", r.Status, r.Message)
		}
		// Read back through a second session: any client sees it.
		back := readCluster(t, e.connect(vsphere.Policy{}))
		if d := clusterspec.Diff(back.Spec, want); len(d) > 0 {
			t.Errorf("read back differs from what was asked: %v", d)
		}
	}
}

func TestVtuisSimulatorRefusesUnknownReferences(t *testing.T) {
	e := newOpsEnv(t)
	cc := readCluster(t, e.c)
	want := cc.Spec
	// cache-01 runs in cluster-b: vCenter refuses a rule of cluster-a naming it.
	want.Rules = append(want.Rules, clusterspec.Rule{Name: "x", Kind: clusterspec.RuleAntiAffinity, Enabled: true, VMs: []string{"web-01", "cache-01"}})
	cc.VMRefs["cache-01"] = []vsphere.Ref{{Type: "VirtualMachine", Value: "vm-cache-01-of-b"}}
	inv, _ := e.c.Inventory(context.Background())
	for _, v := range inv.VMs {
		if v.Name == "cache-01" {
			cc.VMRefs["cache-01"] = []vsphere.Ref{v.Ref}
			cc.Scope.VMs = append(cc.Scope.VMs, "cache-01") // get past vtui's own check, to ask the server
		}
	}
	r := NewGate(e.c).Do(context.Background(), ReconfigureCluster(cc, want, false), nil)
	if r.Status != StatusFailed || !strings.Contains(r.Message, "is not a VM of cluster cluster-a") {
		t.Errorf("a rule naming another cluster's VM: %s %q; want the task failed, saying why", r.Status, r.Message)
	}
	back := readCluster(t, e.c)
	if _, ok := back.Spec.Rule("x"); ok {
		t.Error("the refused rule was kept")
	}
}
