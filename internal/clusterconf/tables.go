package clusterconf

import (
	"strconv"
	"strings"

	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
)

// The tables of a cluster's configuration, for people: each is a row type
// whose JSON and YAML field names are a stable contract for scripts, and
// its columns for a table (format.WriteTable). Both faces read them.

// Setting is one line of a table of settings: a field of the HA or DRS
// configuration and its value.
type Setting struct{ Name, Value string }

// SettingColumns are the columns of a table of settings: SETTING, VALUE.
func SettingColumns() []format.Column[Setting] {
	return []format.Column[Setting]{
		{Title: "SETTING", Cell: func(s Setting) string { return s.Name }},
		{Title: "VALUE", Cell: func(s Setting) string { return s.Value }},
	}
}

// HASettings are the HA configuration's fields, named as its JSON names
// them, in its order.
func HASettings(h clusterspec.HA) []Setting {
	return []Setting{
		{"enabled", strconv.FormatBool(h.Enabled)}, {"host_monitoring", strconv.FormatBool(h.HostMonitoring)},
		{"vm_monitoring", string(h.VMMonitoring)}, {"admission_control", h.AdmissionControl.String()},
		{"restart_priority", string(h.RestartPriority)}, {"isolation_response", string(h.IsolationResponse)},
	}
}

// DRSSettings are the DRS configuration's fields, named as its JSON names
// them, in its order.
func DRSSettings(d clusterspec.DRS) []Setting {
	return []Setting{
		{"enabled", strconv.FormatBool(d.Enabled)}, {"automation", string(d.Automation)},
		{"threshold", strconv.Itoa(d.Threshold)},
	}
}

// ChangeColumns are the columns of a table of differences: PATH, FROM, TO.
func ChangeColumns() []format.Column[clusterspec.Change] {
	return []format.Column[clusterspec.Change]{
		{Title: "PATH", Cell: func(c clusterspec.Change) string { return c.Path }},
		{Title: "FROM", Cell: func(c clusterspec.Change) string { return c.From }},
		{Title: "TO", Cell: func(c clusterspec.Change) string { return c.To }},
	}
}

// RuleRow is a rule and whether vCenter says it is kept now (nil: it
// does not say).
type RuleRow struct {
	clusterspec.Rule `yaml:",inline"`
	InCompliance     *bool `json:"in_compliance,omitempty" yaml:"in_compliance,omitempty"`
}

// Rules are the rows of the configuration's modelled rules, in its order.
func Rules(cfg *vsphere.ClusterConfig) []RuleRow {
	rows := make([]RuleRow, len(cfg.Spec.Rules))
	for i, r := range cfg.Spec.Rules {
		rows[i] = RuleRow{Rule: r}
		if kept, ok := cfg.Compliance[r.Name]; ok {
			rows[i].InCompliance = &kept
		}
	}
	return rows
}

// RuleColumns are the columns of a table of rules: NAME, KIND, ENABLED,
// MANDATORY, KEPT ("-" when vCenter does not say) and RULE.
func RuleColumns() []format.Column[RuleRow] {
	return []format.Column[RuleRow]{
		{Title: "NAME", Cell: func(r RuleRow) string { return r.Name }},
		{Title: "KIND", Cell: func(r RuleRow) string { return string(r.Kind) }},
		{Title: "ENABLED", Cell: func(r RuleRow) string { return format.YesNo(r.Enabled) }},
		{Title: "MANDATORY", Cell: func(r RuleRow) string { return format.YesNo(r.Mandatory) }},
		{Title: "KEPT", Cell: func(r RuleRow) string {
			if r.InCompliance == nil {
				return "-"
			}
			return format.YesNo(*r.InCompliance)
		}},
		{Title: "RULE", Cell: func(r RuleRow) string { return r.Rule.String() }},
	}
}

// GroupRow is a VM group or a host group.
type GroupRow struct {
	Name    string   `json:"name" yaml:"name"`
	Kind    string   `json:"kind" yaml:"kind"` // vm or host
	Members []string `json:"members" yaml:"members"`
}

// Groups are the rows of the configuration's groups: its VM groups, then
// its host groups; nil when it has none.
func Groups(spec clusterspec.Config) []GroupRow {
	var rows []GroupRow
	for _, g := range spec.VMGroups {
		rows = append(rows, GroupRow{g.Name, "vm", g.VMs})
	}
	for _, g := range spec.HostGroups {
		rows = append(rows, GroupRow{g.Name, "host", g.Hosts})
	}
	return rows
}

// GroupColumns are the columns of a table of groups: NAME, KIND, MEMBERS.
func GroupColumns() []format.Column[GroupRow] {
	return []format.Column[GroupRow]{
		{Title: "NAME", Cell: func(g GroupRow) string { return g.Name }},
		{Title: "KIND", Cell: func(g GroupRow) string { return g.Kind }},
		{Title: "MEMBERS", Cell: func(g GroupRow) string { return format.Dash(strings.Join(g.Members, ", ")) }},
	}
}

// OverrideColumns are the columns of a table of per-VM overrides: the VM
// and each setting it overrides, "-" where it follows the cluster.
func OverrideColumns() []format.Column[clusterspec.Override] {
	return []format.Column[clusterspec.Override]{
		{Title: "VM", Cell: func(o clusterspec.Override) string { return o.VM }},
		{Title: "RESTART PRIORITY", Cell: func(o clusterspec.Override) string { return format.Dash(string(o.RestartPriority)) }},
		{Title: "ISOLATION RESPONSE", Cell: func(o clusterspec.Override) string { return format.Dash(string(o.IsolationResponse)) }},
		{Title: "VM MONITORING", Cell: func(o clusterspec.Override) string { return format.Dash(string(o.VMMonitoring)) }},
		{Title: "DRS AUTOMATION", Cell: func(o clusterspec.Override) string { return format.Dash(string(o.DRSAutomation)) }},
	}
}

// RecommendationColumns are the columns of a table of DRS
// recommendations: KEY, RATING, ACTIONS and REASON.
func RecommendationColumns() []format.Column[vsphere.Recommendation] {
	return []format.Column[vsphere.Recommendation]{
		{Title: "KEY", Cell: func(r vsphere.Recommendation) string { return r.Key }},
		{Title: "RATING", Cell: func(r vsphere.Recommendation) string { return strconv.Itoa(r.Rating) }},
		{Title: "ACTIONS", Cell: func(r vsphere.Recommendation) string { return r.String() }},
		{Title: "REASON", Cell: func(r vsphere.Recommendation) string { return format.Dash(r.Reason) }},
	}
}
