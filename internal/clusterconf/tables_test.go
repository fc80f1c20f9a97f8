package clusterconf

import (
	"bytes"
	"testing"

	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
)

// TestRuleTableSaysWhatVCenterSays shows "-" for a rule whose compliance
// vCenter does not report, rather than claiming it kept or broken.
func TestRuleTableSaysWhatVCenterSays(t *testing.T) {
	cfg := &vsphere.ClusterConfig{
		Spec: clusterspec.Config{Rules: []clusterspec.Rule{
			{Name: "apart", Kind: clusterspec.RuleAntiAffinity, Enabled: true, VMs: []string{"a", "b"}},
			{Name: "together", Kind: clusterspec.RuleAffinity, VMs: []string{"c", "d"}},
		}},
		Compliance: map[string]bool{"apart": false},
	}
	var b bytes.Buffer
	if err := format.WriteTable(&b, Rules(cfg), RuleColumns()); err != nil {
		t.Fatal(err)
	}
	want := "NAME      KIND           ENABLED  MANDATORY  KEPT  RULE\n" +
		"apart     anti-affinity  yes      no         no    " + cfg.Spec.Rules[0].String() + "\n" +
		"together  affinity       no       no         -     " + cfg.Spec.Rules[1].String() + "\n"
	if got := b.String(); got != want {
		t.Errorf("got\n%s; want\n%s", got, want)
	}
}

// TestGroupsListVMGroupsFirst lists VM groups, then host groups, a "-"
// for no members.
func TestGroupsListVMGroupsFirst(t *testing.T) {
	spec := clusterspec.Config{
		HostGroups: []clusterspec.HostGroup{{Name: "licensed", Hosts: []string{"esx-1", "esx-2"}}},
		VMGroups:   []clusterspec.VMGroup{{Name: "dbs"}},
	}
	var b bytes.Buffer
	if err := format.WriteTable(&b, Groups(spec), GroupColumns()); err != nil {
		t.Fatal(err)
	}
	want := "NAME      KIND  MEMBERS\ndbs       vm    -\nlicensed  host  esx-1, esx-2\n"
	if got := b.String(); got != want {
		t.Errorf("got %q; want %q", got, want)
	}
}
