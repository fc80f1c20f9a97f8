package gate

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// readSample is the configuration of a cluster with every kind of setting
// vtui models, and a dependency rule and advanced options it does not, as
// vsphere reads it (vsphere's clusterconfig_test maps the same one).
func readSample(t *testing.T) *vsphere.ClusterConfig {
	t.Helper()
	vm := func(v string) vsphere.Ref { return vsphere.Ref{Type: "VirtualMachine", Value: v} }
	host := func(v string) vsphere.Ref { return vsphere.Ref{Type: "HostSystem", Value: v} }
	return &vsphere.ClusterConfig{
		Cluster: vsphere.Ref{Type: "ClusterComputeResource", Value: "domain-c1"},
		Spec: clusterspec.Config{
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
		},
		RuleKeys: map[string]int32{"apart": 1, "pin": 2, "web-needs-db": 3},
		VMRefs:   map[string][]vsphere.Ref{"app-vm-1": {vm("vm-1")}, "app-vm-2": {vm("vm-2")}, "app-vm-3": {vm("vm-3")}},
		HostRefs: map[string]vsphere.Ref{"esx-host-1": host("host-1"), "esx-host-2": host("host-2"), "esx-host-3": host("host-3")},
	}
}

func TestSpecForTheSameConfigurationIsEmpty(t *testing.T) {
	cc := readSample(t)
	spec, err := specFor(cc, cc.Spec)
	if err != nil || !reflect.DeepEqual(spec, types.ClusterConfigSpecEx{}) {
		t.Errorf("specFor(unchanged) = %+v, %v; want an empty spec", spec, err)
	}
}

func TestSpecForSendsOnlyWhatChanged(t *testing.T) {
	cc := readSample(t)
	want := cc.Spec
	want.HA.AdmissionControl = clusterspec.AdmissionControl{Mode: clusterspec.AdmissionFailures, Failures: 1}
	want.DRS.Threshold = 5
	want.Rules = []clusterspec.Rule{cc.Spec.Rules[1], {Name: "together", Kind: "affinity", Enabled: true, VMs: []string{"app-vm-2", "app-vm-3"}}}
	want.Rules[0].Enabled = false
	want.Overrides = []clusterspec.Override{{VM: "app-vm-1", RestartPriority: "highest", VMMonitoring: "app"}, {VM: "app-vm-3", DRSAutomation: "manual"}}
	spec, err := specFor(cc, want)
	if err != nil {
		t.Fatal(err)
	}
	d := spec.DasConfig
	if d == nil || d.Enabled != nil || d.HostMonitoring != "" || d.DefaultVmSettings != nil || !mo.IsTrue(d.AdmissionControlEnabled) {
		t.Fatalf("dasConfig %+v; want only admission control", d)
	}
	if p, ok := d.AdmissionControlPolicy.(*types.ClusterFailoverResourcesAdmissionControlPolicy); !ok || p.FailoverLevel != 1 || !mo.IsTrue(p.AutoComputePercentages) {
		t.Errorf("policy %#v; want resource percentage computed from 1 failure", d.AdmissionControlPolicy)
	}
	if r := spec.DrsConfig; r == nil || r.VmotionRate != 1 || r.Enabled != nil || r.DefaultVmBehavior != "" {
		t.Errorf("drsConfig %+v; want only vmotionRate 1 (threshold 5)", r)
	}
	var rules []string
	for _, r := range spec.RulesSpec {
		if r.Info != nil {
			rules = append(rules, fmt.Sprintf("%s %s", r.Operation, r.Info.GetClusterRuleInfo().Name))
		} else {
			rules = append(rules, fmt.Sprintf("%s key %v", r.Operation, r.RemoveKey))
		}
	}
	if strings.Join(rules, "; ") != "remove key 1; edit pin; add together" {
		t.Errorf("rules spec: %v; want apart removed by key, pin edited, together added", rules)
	}
	if len(spec.GroupSpec) != 0 || len(spec.DasVmConfigSpec) != 0 {
		t.Errorf("groups %v, dasVmConfig %v; want none: they did not change", spec.GroupSpec, spec.DasVmConfigSpec)
	}
	var drs []string
	for _, s := range spec.DrsVmConfigSpec {
		drs = append(drs, string(s.Operation))
	}
	if strings.Join(drs, ",") != "remove,add" || spec.DrsVmConfigSpec[1].Info.Behavior != types.DrsBehaviorManual {
		t.Errorf("drsVmConfig ops %v; want app-vm-2's removed and app-vm-3's added as manual", drs)
	}
	// The dependency rule vtui does not model is never touched.
	for _, r := range spec.RulesSpec {
		if r.RemoveKey == int32(3) {
			t.Error("the spec removes the dependency rule vtui did not model")
		}
	}
}

func TestSpecForRefusesUnknownNames(t *testing.T) {
	cc := readSample(t)
	want := cc.Spec
	want.Rules = append(want.Rules, clusterspec.Rule{Name: "x", Kind: "affinity", Enabled: true, VMs: []string{"app-vm-1", "ghost"}})
	if _, err := specFor(cc, want); err == nil || !strings.Contains(err.Error(), `no VM named "ghost" in cluster cluster-x`) {
		t.Errorf("specFor with an unknown VM: %v; want it named", err)
	}
}
