package clusterconf

import (
	"errors"
	"reflect"
	"testing"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
)

// base is a cluster "c" with a rule, a group of each kind and an override.
func base() clusterspec.Config {
	return clusterspec.Config{
		Cluster:    "c",
		HA:         clusterspec.HA{Enabled: true, RestartPriority: clusterspec.RestartMedium},
		DRS:        clusterspec.DRS{Enabled: true, Automation: clusterspec.AutomationFull, Threshold: 3},
		Rules:      []clusterspec.Rule{{Name: "apart", Kind: clusterspec.RuleAntiAffinity, Enabled: true, VMs: []string{"a", "b"}}},
		VMGroups:   []clusterspec.VMGroup{{Name: "vms", VMs: []string{"a"}}},
		HostGroups: []clusterspec.HostGroup{{Name: "hosts", Hosts: []string{"h1"}}},
		Overrides:  []clusterspec.Override{{VM: "a", RestartPriority: clusterspec.RestartHighest}},
	}
}

func names(n ...string) Names { return func() ([]string, error) { return n, nil } }

// TestEdits makes each edit to base and checks the result, or the error
// of an edit that cannot be made; base itself must be left as it was.
func TestEdits(t *testing.T) {
	errResolve := errors.New("no VM z")
	for _, tt := range []struct {
		name    string
		edits   []Edit
		want    func(*clusterspec.Config) // what the edits do to base
		wantErr string
	}{
		{name: "ha set", edits: []Edit{SetHA(func(h *clusterspec.HA) { h.RestartPriority = clusterspec.RestartHigh },
			func(h *clusterspec.HA) { h.HostMonitoring = true })},
			want: func(c *clusterspec.Config) { c.HA.RestartPriority, c.HA.HostMonitoring = clusterspec.RestartHigh, true }},
		{name: "drs set", edits: []Edit{SetDRS(func(d *clusterspec.DRS) { d.Threshold = 5 })},
			want: func(c *clusterspec.Config) { c.DRS.Threshold = 5 }},
		{name: "rule add", edits: []Edit{AddRule(clusterspec.Rule{Name: "together", Kind: clusterspec.RuleAffinity}, names("a", "c"))},
			want: func(c *clusterspec.Config) {
				c.Rules = append(c.Rules, clusterspec.Rule{Name: "together", Kind: clusterspec.RuleAffinity, VMs: []string{"a", "c"}})
			}},
		{name: "rule add vm-host", edits: []Edit{AddRule(clusterspec.Rule{Name: "on", Kind: clusterspec.RuleVMHost, VMGroup: "vms", AffineHostGroup: "hosts"}, nil)},
			want: func(c *clusterspec.Config) {
				c.Rules = append(c.Rules, clusterspec.Rule{Name: "on", Kind: clusterspec.RuleVMHost, VMGroup: "vms", AffineHostGroup: "hosts"})
			}},
		{name: "rule add taken, before its VMs are resolved",
			edits:   []Edit{AddRule(clusterspec.Rule{Name: "apart"}, func() ([]string, error) { return nil, errResolve })},
			wantErr: `c already has a rule named "apart"; remove it first (vtui cluster rule rm)`},
		{name: "rule add, VMs not resolved",
			edits:   []Edit{AddRule(clusterspec.Rule{Name: "new"}, func() ([]string, error) { return nil, errResolve })},
			wantErr: "no VM z"},
		{name: "rule rm", edits: []Edit{RemoveRules("apart")}, want: func(c *clusterspec.Config) { c.Rules = []clusterspec.Rule{} }},
		{name: "rule rm unknown", edits: []Edit{RemoveRules("apart", "nope")},
			wantErr: `c has no rule named "nope" (see: vtui cluster rule list c)`},
		{name: "vm group add", edits: []Edit{AddVMGroup("more", names("b"))},
			want: func(c *clusterspec.Config) {
				c.VMGroups = append(c.VMGroups, clusterspec.VMGroup{Name: "more", VMs: []string{"b"}})
			}},
		{name: "host group add", edits: []Edit{AddHostGroup("more", names("h2"))},
			want: func(c *clusterspec.Config) {
				c.HostGroups = append(c.HostGroups, clusterspec.HostGroup{Name: "more", Hosts: []string{"h2"}})
			}},
		{name: "group add taken by the other kind", edits: []Edit{AddVMGroup("hosts", names("b"))},
			wantErr: `c already has a group named "hosts"`},
		{name: "group rm", edits: []Edit{RemoveGroups("vms", "hosts")},
			want: func(c *clusterspec.Config) {
				c.VMGroups, c.HostGroups = []clusterspec.VMGroup{}, []clusterspec.HostGroup{}
			}},
		{name: "group rm unknown", edits: []Edit{RemoveGroups("nope")},
			wantErr: `c has no group named "nope" (see: vtui cluster group list c)`},
		{name: "override set: kept, and new", edits: []Edit{SetOverrides([]string{"a", "b"}, func(o *clusterspec.Override) { o.DRSAutomation = "manual" })},
			want: func(c *clusterspec.Config) {
				c.Overrides = []clusterspec.Override{
					{VM: "a", RestartPriority: clusterspec.RestartHighest, DRSAutomation: "manual"},
					{VM: "b", DRSAutomation: "manual"},
				}
			}},
		{name: "override rm", edits: []Edit{RemoveOverrides("a", "b")}, want: func(c *clusterspec.Config) { c.Overrides = []clusterspec.Override{} }},
		{name: "file sections", edits: []Edit{Sections(clusterspec.Config{DRS: clusterspec.DRS{Threshold: 1}, Rules: nil},
			func(s string) bool { return s == "drs" || s == "rules" })},
			want: func(c *clusterspec.Config) { c.DRS, c.Rules = clusterspec.DRS{Threshold: 1}, nil }},
		{name: "edits in order", edits: []Edit{RemoveRules("apart"), AddRule(clusterspec.Rule{Name: "apart", Kind: clusterspec.RuleAffinity}, names("a", "b"))},
			want: func(c *clusterspec.Config) {
				c.Rules = []clusterspec.Rule{{Name: "apart", Kind: clusterspec.RuleAffinity, VMs: []string{"a", "b"}}}
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := &Session{Config: &vsphere.ClusterConfig{Spec: base()}}
			got, err := s.Edit(tt.edits...)
			if !reflect.DeepEqual(s.Config.Spec, base()) {
				t.Errorf("the configuration as read changed: %+v", s.Config.Spec)
			}
			if tt.wantErr != "" {
				var bad *BadEditError
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err %v; want %q", err, tt.wantErr)
				}
				if isBad := errors.As(err, &bad); isBad == errors.Is(err, errResolve) {
					t.Errorf("err %v: a *BadEditError %v; want it only for the edit's own refusal", err, isBad)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := base()
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}
