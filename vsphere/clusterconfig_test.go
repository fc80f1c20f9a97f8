package vsphere

import (
	"reflect"
	"testing"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/vsphere/clusterspec"
)

func moref(t, v string) types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: t, Value: v}
}

// sampleCluster is a cluster's configurationEx with every kind of setting
// vtui models, and a dependency rule and advanced options it does not.
func sampleCluster() (types.ClusterConfigInfoEx, *Inventory) {
	cl := Ref{Type: "ClusterComputeResource", Value: "domain-c1"}
	inv := &Inventory{}
	for _, h := range []string{"host-1", "host-2", "host-3"} {
		inv.Hosts = append(inv.Hosts, Host{Ref: Ref{Type: "HostSystem", Value: h}, Name: "esx-" + h, ClusterRef: cl, ConnectionState: "connected"})
	}
	for _, v := range []string{"vm-1", "vm-2", "vm-3"} {
		inv.VMs = append(inv.VMs, VM{Ref: Ref{Type: "VirtualMachine", Value: v}, Name: "app-" + v, ClusterRef: cl})
	}
	info := types.ClusterConfigInfoEx{
		DasConfig: types.ClusterDasConfigInfo{
			Enabled: types.NewBool(true), HostMonitoring: "enabled", VmMonitoring: "vmMonitoringOnly",
			AdmissionControlEnabled: types.NewBool(true),
			AdmissionControlPolicy:  &types.ClusterFailoverHostAdmissionControlPolicy{FailoverHosts: []types.ManagedObjectReference{moref("HostSystem", "host-3")}},
			DefaultVmSettings:       &types.ClusterDasVmSettings{RestartPriority: "high", IsolationResponse: "powerOff"},
			Option:                  []types.BaseOptionValue{&types.OptionValue{Key: "das.isolationaddress0", Value: "10.0.0.1"}},
		},
		DrsConfig: types.ClusterDrsConfigInfo{Enabled: types.NewBool(true), DefaultVmBehavior: types.DrsBehaviorPartiallyAutomated, VmotionRate: 2},
		Group: []types.BaseClusterGroupInfo{
			&types.ClusterVmGroup{ClusterGroupInfo: types.ClusterGroupInfo{Name: "g-vms"}, Vm: []types.ManagedObjectReference{moref("VirtualMachine", "vm-2"), moref("VirtualMachine", "vm-1")}},
			&types.ClusterHostGroup{ClusterGroupInfo: types.ClusterGroupInfo{Name: "g-hosts"}, Host: []types.ManagedObjectReference{moref("HostSystem", "host-1")}},
		},
		Rule: []types.BaseClusterRuleInfo{
			&types.ClusterAntiAffinityRuleSpec{ClusterRuleInfo: types.ClusterRuleInfo{Key: 1, Name: "apart", Enabled: types.NewBool(true), InCompliance: types.NewBool(false)},
				Vm: []types.ManagedObjectReference{moref("VirtualMachine", "vm-1"), moref("VirtualMachine", "vm-3")}},
			&types.ClusterVmHostRuleInfo{ClusterRuleInfo: types.ClusterRuleInfo{Key: 2, Name: "pin", Enabled: types.NewBool(true), Mandatory: types.NewBool(true)},
				VmGroupName: "g-vms", AffineHostGroupName: "g-hosts"},
			&types.ClusterDependencyRuleInfo{ClusterRuleInfo: types.ClusterRuleInfo{Key: 3, Name: "web-needs-db", Enabled: types.NewBool(true)},
				VmGroup: "g-vms", DependsOnVmGroup: "g-db"},
		},
		DasVmConfig: []types.ClusterDasVmConfigInfo{{Key: moref("VirtualMachine", "vm-1"), DasSettings: &types.ClusterDasVmSettings{
			RestartPriority: "highest", IsolationResponse: "clusterIsolationResponse",
			VmToolsMonitoringSettings: &types.ClusterVmToolsMonitoringSettings{ClusterSettings: types.NewBool(false), VmMonitoring: "vmAndAppMonitoring"}}}},
		DrsVmConfig: []types.ClusterDrsVmConfigInfo{{Key: moref("VirtualMachine", "vm-2"), Enabled: types.NewBool(false)}},
	}
	return info, inv
}

func readSample(t *testing.T) *ClusterConfig {
	t.Helper()
	info, inv := sampleCluster()
	cc, err := clusterConfigOf(Ref{Type: "ClusterComputeResource", Value: "domain-c1"}, "cluster-x", info, inv)
	if err != nil {
		t.Fatal(err)
	}
	return cc
}

func TestClusterConfigMapsEveryModelledField(t *testing.T) {
	cc := readSample(t)
	want := clusterspec.Config{
		Cluster: "cluster-x",
		HA: clusterspec.HA{Enabled: true, HostMonitoring: true, VMMonitoring: "vm",
			AdmissionControl: clusterspec.AdmissionControl{Mode: clusterspec.AdmissionHosts, Hosts: []string{"esx-host-3"}},
			RestartPriority:  "high", IsolationResponse: "powerOff"},
		DRS:        clusterspec.DRS{Enabled: true, Automation: "partial", Threshold: 4},
		VMGroups:   []clusterspec.VMGroup{{Name: "g-vms", VMs: []string{"app-vm-1", "app-vm-2"}}},
		HostGroups: []clusterspec.HostGroup{{Name: "g-hosts", Hosts: []string{"esx-host-1"}}},
		Rules: []clusterspec.Rule{
			{Name: "apart", Kind: "anti-affinity", Enabled: true, VMs: []string{"app-vm-1", "app-vm-3"}},
			{Name: "pin", Kind: "vm-host", Enabled: true, Mandatory: true, VMGroup: "g-vms", AffineHostGroup: "g-hosts"},
		},
		Overrides: []clusterspec.Override{
			{VM: "app-vm-1", RestartPriority: "highest", VMMonitoring: "app"},
			{VM: "app-vm-2", DRSAutomation: "disabled"},
		},
		Unmodeled: clusterspec.Unmodeled{
			Rules:     []clusterspec.OtherRule{{Name: "web-needs-db", Kind: "vm-dependency", Enabled: true, Detail: "group g-vms depends on group g-db"}},
			HAOptions: map[string]string{"das.isolationaddress0": "10.0.0.1"},
		},
	}
	if !reflect.DeepEqual(cc.Spec, want) {
		t.Errorf("mapped:\n%+v\nwant:\n%+v", cc.Spec, want)
	}
	if c, ok := cc.Compliance["apart"]; !ok || c {
		t.Errorf("compliance of apart = %v, %v; want false as vCenter reported", c, ok)
	}
	if err := clusterspec.Validate(cc.Spec, cc.Scope); err != nil {
		t.Errorf("the mapped configuration does not validate against its own cluster: %v", err)
	}
}

// TestRuleOfGivesMembersAsRefs checks the one rule converter both readers
// use: the rule as the configuration models it, with an affinity rule's
// VMs as refs (ClusterConfig names them, ClusterRules keeps the refs, as
// VM names are not unique), and nothing for a kind vtui does not model.
func TestRuleOfGivesMembersAsRefs(t *testing.T) {
	info, _ := sampleCluster()
	type got struct {
		Rule clusterspec.Rule
		VMs  []Ref
		OK   bool
	}
	want := []got{
		{clusterspec.Rule{Name: "apart", Kind: clusterspec.RuleAntiAffinity, Enabled: true},
			[]Ref{{Type: "VirtualMachine", Value: "vm-1"}, {Type: "VirtualMachine", Value: "vm-3"}}, true},
		{clusterspec.Rule{Name: "pin", Kind: clusterspec.RuleVMHost, Enabled: true, Mandatory: true, VMGroup: "g-vms", AffineHostGroup: "g-hosts"}, nil, true},
		{clusterspec.Rule{}, nil, false},
	}
	for i, r := range info.Rule {
		rule, vms, ok := ruleOf(r)
		if g := (got{rule, vms, ok}); !reflect.DeepEqual(g, want[i]) {
			t.Errorf("ruleOf(%s) = %+v; want %+v", r.GetClusterRuleInfo().Name, g, want[i])
		}
	}
}

func TestFingerprintChangesWithAnythingRead(t *testing.T) {
	a := readSample(t)
	info, inv := sampleCluster()
	info.DasConfig.Option = append(info.DasConfig.Option, &types.OptionValue{Key: "das.usedefaultisolationaddress", Value: "false"})
	b, err := clusterConfigOf(a.Cluster, "cluster-x", info, inv)
	if err != nil {
		t.Fatal(err)
	}
	if a.Fingerprint == b.Fingerprint || a.Fingerprint != readSample(t).Fingerprint {
		t.Errorf("fingerprints %s, %s, again %s; want a change in an unmodelled option to change it, and a re-read not to", a.Fingerprint, b.Fingerprint, readSample(t).Fingerprint)
	}
}
