package clusterspec

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Change is one difference between two configurations: one field, or a
// whole rule, group or override added or removed.
type Change struct {
	// Path locates it: "ha.admission_control", "rules[web-apart]",
	// "rules[web-apart].enabled", "overrides[db-01].restart_priority".
	Path string `json:"path" yaml:"path"`
	// From and To are the values for people; "(none)" when the object is
	// added or removed.
	From string `json:"from" yaml:"from"`
	To   string `json:"to" yaml:"to"`
}

// absent stands for a rule, group or override that does not exist, and
// asCluster for an override field that follows the cluster.
const (
	absent    = "(none)"
	asCluster = "(cluster)"
)

// String is the change as one line: "ha.admission_control: disabled ->
// failures:1".
func (c Change) String() string { return c.Path + ": " + c.From + " -> " + c.To }

// Diff lists what changes from current to desired, one line a field, in
// a stable order: HA, DRS, groups, rules, overrides, each by name.
// Unmodeled settings are never compared: vtui does not change them. No
// changes gives an empty list.
func Diff(current, desired Config) []Change {
	current, desired = normalized(current), normalized(desired)
	d := &differ{}
	d.ha(current.HA, desired.HA)
	d.drs(current.DRS, desired.DRS)
	diffNamed(d, "vm_groups", current.VMGroups, desired.VMGroups, func(g VMGroup) string { return g.Name },
		func(g VMGroup) string { return list(g.VMs) }, func(path string, a, b VMGroup) {
			d.field(path+".vms", list(a.VMs), list(b.VMs))
		})
	diffNamed(d, "host_groups", current.HostGroups, desired.HostGroups, func(g HostGroup) string { return g.Name },
		func(g HostGroup) string { return list(g.Hosts) }, func(path string, a, b HostGroup) {
			d.field(path+".hosts", list(a.Hosts), list(b.Hosts))
		})
	diffNamed(d, "rules", current.Rules, desired.Rules, func(r Rule) string { return r.Name }, Rule.String, d.rule)
	diffNamed(d, "overrides", current.Overrides, desired.Overrides, func(o Override) string { return o.VM },
		describeOverride, d.override)
	return d.changes
}

// normalized returns a normalized copy of c, leaving c's slices alone.
func normalized(c Config) Config {
	c.Rules = slices.Clone(c.Rules)
	for i := range c.Rules {
		c.Rules[i].VMs = slices.Clone(c.Rules[i].VMs)
	}
	c.VMGroups = slices.Clone(c.VMGroups)
	for i := range c.VMGroups {
		c.VMGroups[i].VMs = slices.Clone(c.VMGroups[i].VMs)
	}
	c.HostGroups = slices.Clone(c.HostGroups)
	for i := range c.HostGroups {
		c.HostGroups[i].Hosts = slices.Clone(c.HostGroups[i].Hosts)
	}
	c.Overrides = slices.Clone(c.Overrides)
	c.Unmodeled.Rules = slices.Clone(c.Unmodeled.Rules)
	c.Normalize()
	return c
}

type differ struct{ changes []Change }

func (d *differ) field(path, from, to string) {
	if from != to {
		d.changes = append(d.changes, Change{Path: path, From: from, To: to})
	}
}

func (d *differ) ha(a, b HA) {
	d.field("ha.enabled", strconv.FormatBool(a.Enabled), strconv.FormatBool(b.Enabled))
	d.field("ha.host_monitoring", strconv.FormatBool(a.HostMonitoring), strconv.FormatBool(b.HostMonitoring))
	d.field("ha.vm_monitoring", string(a.VMMonitoring), string(b.VMMonitoring))
	d.field("ha.admission_control", a.AdmissionControl.String(), b.AdmissionControl.String())
	d.field("ha.restart_priority", string(a.RestartPriority), string(b.RestartPriority))
	d.field("ha.isolation_response", string(a.IsolationResponse), string(b.IsolationResponse))
}

func (d *differ) drs(a, b DRS) {
	d.field("drs.enabled", strconv.FormatBool(a.Enabled), strconv.FormatBool(b.Enabled))
	d.field("drs.automation", string(a.Automation), string(b.Automation))
	d.field("drs.threshold", strconv.Itoa(a.Threshold), strconv.Itoa(b.Threshold))
}

func (d *differ) rule(path string, a, b Rule) {
	if a.Kind != b.Kind {
		d.field(path, a.String(), b.String())
		return
	}
	d.field(path+".enabled", strconv.FormatBool(a.Enabled), strconv.FormatBool(b.Enabled))
	d.field(path+".mandatory", strconv.FormatBool(a.Mandatory), strconv.FormatBool(b.Mandatory))
	d.field(path+".vms", list(a.VMs), list(b.VMs))
	d.field(path+".vm_group", orNone(a.VMGroup), orNone(b.VMGroup))
	d.field(path+".affine_host_group", orNone(a.AffineHostGroup), orNone(b.AffineHostGroup))
	d.field(path+".anti_affine_host_group", orNone(a.AntiAffineHostGroup), orNone(b.AntiAffineHostGroup))
}

func (d *differ) override(path string, a, b Override) {
	d.field(path+".restart_priority", orCluster(string(a.RestartPriority)), orCluster(string(b.RestartPriority)))
	d.field(path+".isolation_response", orCluster(string(a.IsolationResponse)), orCluster(string(b.IsolationResponse)))
	d.field(path+".vm_monitoring", orCluster(string(a.VMMonitoring)), orCluster(string(b.VMMonitoring)))
	d.field(path+".drs_automation", orCluster(string(a.DRSAutomation)), orCluster(string(b.DRSAutomation)))
}

// diffNamed compares two lists of named objects, sorted by name: an object
// only in one is added or removed as a whole (described by describe), and
// one in both is compared field by field (by fields).
func diffNamed[T any](d *differ, section string, from, to []T, name func(T) string, describe func(T) string, fields func(path string, a, b T)) {
	i, j := 0, 0
	for i < len(from) || j < len(to) {
		switch {
		case j == len(to) || (i < len(from) && name(from[i]) < name(to[j])):
			d.field(fmt.Sprintf("%s[%s]", section, name(from[i])), describe(from[i]), absent)
			i++
		case i == len(from) || name(to[j]) < name(from[i]):
			d.field(fmt.Sprintf("%s[%s]", section, name(to[j])), absent, describe(to[j]))
			j++
		default:
			fields(fmt.Sprintf("%s[%s]", section, name(to[j])), from[i], to[j])
			i, j = i+1, j+1
		}
	}
}

func describeOverride(o Override) string {
	var parts []string
	for _, f := range []struct{ name, value string }{
		{"restart_priority", string(o.RestartPriority)},
		{"isolation_response", string(o.IsolationResponse)},
		{"vm_monitoring", string(o.VMMonitoring)},
		{"drs_automation", string(o.DRSAutomation)},
	} {
		if f.value != "" {
			parts = append(parts, f.name+"="+f.value)
		}
	}
	return strings.Join(parts, ", ")
}

func list(s []string) string {
	if len(s) == 0 {
		return "[]"
	}
	return strings.Join(s, ", ")
}

func orNone(s string) string {
	if s == "" {
		return absent
	}
	return s
}

func orCluster(s string) string {
	if s == "" {
		return asCluster
	}
	return s
}
