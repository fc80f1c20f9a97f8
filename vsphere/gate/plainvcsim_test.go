package gate

import (
	"context"
	"testing"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

func TestClusterConfigRoundTripsOnPlainVcsim(t *testing.T) {
	c := vspheretest.PlainVcsim(t)
	ctx := context.Background()
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cl := inv.Clusters[0]
	cc, err := c.ClusterConfig(ctx, inv, cl.Ref)
	if err != nil {
		t.Fatal(err)
	}
	vms := inv.FilterVMs(vsphere.Filter{Cluster: cl.Name})
	hosts := inv.FilterHosts(vsphere.Filter{Cluster: cl.Name})
	if len(vms) < 2 || len(hosts) < 2 {
		t.Fatalf("the VPX model's %s has %d VMs and %d hosts; want at least 2 of each", cl.Name, len(vms), len(hosts))
	}
	// The fields vcsim keeps: DRS on and its automation, groups, rules and
	// restart-priority overrides.
	want := cc.Spec
	want.DRS.Enabled, want.DRS.Automation = true, clusterspec.AutomationManual
	want.VMGroups = []clusterspec.VMGroup{{Name: "g", VMs: []string{vms[0].Name}}}
	want.HostGroups = []clusterspec.HostGroup{{Name: "h", Hosts: []string{hosts[0].Name}}}
	want.Rules = []clusterspec.Rule{
		{Name: "apart", Kind: clusterspec.RuleAntiAffinity, Enabled: true, VMs: []string{vms[0].Name, vms[1].Name}},
		{Name: "pin", Kind: clusterspec.RuleVMHost, Enabled: true, Mandatory: true, VMGroup: "g", AffineHostGroup: "h"},
	}
	want.Overrides = []clusterspec.Override{{VM: vms[1].Name, RestartPriority: clusterspec.RestartHighest}}
	r := NewGate(c).Do(ctx, ReconfigureCluster(cc, want, false), nil)
	if r.Status != StatusOK {
		t.Fatalf("apply on plain vcsim: %s %q", r.Status, r.Message)
	}
	back, err := c.ClusterConfig(ctx, inv, cl.Ref)
	if err != nil {
		t.Fatal(err)
	}
	if d := clusterspec.Diff(back.Spec, want); len(d) > 0 {
		t.Errorf("read back from plain vcsim differs: %v", d)
	}
	// vcsim drops vmotionRate: the read-back check says so, rather than
	// report success.
	more := back.Spec
	more.DRS.Threshold = 5
	r = NewGate(c).Do(ctx, ReconfigureCluster(back, more, false), nil)
	if r.Status != StatusFailed || r.Message == "" {
		t.Errorf("a field plain vcsim drops: %s %q; want failed, saying vCenter did not keep it", r.Status, r.Message)
	}
}
