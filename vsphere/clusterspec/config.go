// Package clusterspec is a cluster's HA and DRS configuration as plain Go
// types: what vSphere HA does when a host fails (admission control,
// restart priority, isolation response, monitoring), how DRS places and
// balances VMs (automation level, migration threshold), the rules and
// groups that constrain both, and per-VM overrides. It validates a
// configuration against the cluster it is meant for and lists the
// differences between two configurations, one line a field.
//
// It knows nothing of vSphere's API and imports nothing of vtui: package
// vsphere reads ClusterConfigInfoEx into it, and package vsphere/gate turns
// a desired Config into a ClusterConfigSpecEx. What vtui does not model
// (VM dependency rules, advanced options) is carried in Unmodeled, shown,
// and never changed.
package clusterspec

import (
	"fmt"
	"slices"
	"strings"
)

// Config is a cluster's HA and DRS configuration. Its YAML and JSON field
// names are a stable contract: `vtui cluster config export` writes them
// and `apply` reads them. The strict tags mark what a file must say when
// it says a section at all (internal/strictyaml reads them).
type Config struct {
	// Cluster is the name of the cluster the configuration is for.
	Cluster    string      `json:"cluster" yaml:"cluster" strict:"required"`
	HA         HA          `json:"ha" yaml:"ha"`
	DRS        DRS         `json:"drs" yaml:"drs"`
	Rules      []Rule      `json:"rules" yaml:"rules"`
	VMGroups   []VMGroup   `json:"vm_groups" yaml:"vm_groups"`
	HostGroups []HostGroup `json:"host_groups" yaml:"host_groups"`
	Overrides  []Override  `json:"overrides" yaml:"overrides"`
	// Unmodeled is what the cluster has that vtui does not model. It is
	// read from vCenter, shown and exported, and never changed by vtui.
	Unmodeled Unmodeled `json:"unmodeled" yaml:"unmodeled"`
}

// HA is the cluster-wide vSphere HA configuration.
type HA struct {
	Enabled bool `json:"enabled" yaml:"enabled" strict:"required"`
	// HostMonitoring lets HA restart the VMs of a failed host; without it
	// HA does nothing when a host fails.
	HostMonitoring    bool              `json:"host_monitoring" yaml:"host_monitoring" strict:"required"`
	VMMonitoring      VMMonitoring      `json:"vm_monitoring" yaml:"vm_monitoring" strict:"required"`
	AdmissionControl  AdmissionControl  `json:"admission_control" yaml:"admission_control" strict:"required"`
	RestartPriority   RestartPriority   `json:"restart_priority" yaml:"restart_priority" strict:"required"`
	IsolationResponse IsolationResponse `json:"isolation_response" yaml:"isolation_response" strict:"required"`
}

// DRS is the cluster-wide DRS configuration.
type DRS struct {
	Enabled    bool       `json:"enabled" yaml:"enabled" strict:"required"`
	Automation Automation `json:"automation" yaml:"automation" strict:"required"`
	// Threshold is the migration threshold as the vSphere Client shows
	// it: 1 (conservative: only mandatory moves) to 5 (aggressive).
	// vSphere's API stores the inverse (VMotionRate).
	Threshold int `json:"threshold" yaml:"threshold" strict:"required"`
}

// VMotionRate returns the API's drsConfig.vmotionRate for a migration
// threshold: the API counts the other way, 1 being the most aggressive
// (terraform-provider-vsphere#812 shipped the wrong way round for years).
func VMotionRate(threshold int) int32 { return int32(6 - threshold) }

// ThresholdOf returns the migration threshold for the API's vmotionRate.
func ThresholdOf(vmotionRate int32) int { return 6 - int(vmotionRate) }

// RuleKind is the kind of a DRS rule.
type RuleKind string

// The rule kinds vtui models.
const (
	// RuleAffinity keeps its VMs together on one host.
	RuleAffinity RuleKind = "affinity"
	// RuleAntiAffinity keeps its VMs on different hosts.
	RuleAntiAffinity RuleKind = "anti-affinity"
	// RuleVMHost keeps a VM group on, or off, the hosts of a host group.
	RuleVMHost RuleKind = "vm-host"
)

// Rule is one DRS rule. Affinity and anti-affinity rules name VMs; a
// VM-host rule names a VM group and exactly one host group, affine (the
// VMs run on its hosts) or anti-affine (they run on none of them).
type Rule struct {
	Name    string   `json:"name" yaml:"name" strict:"required"`
	Kind    RuleKind `json:"kind" yaml:"kind" strict:"required"`
	Enabled bool     `json:"enabled" yaml:"enabled" strict:"required"`
	// Mandatory makes a "must" rule, which vSphere never breaks; otherwise
	// it is a "should" rule, which DRS and HA may break when they must.
	Mandatory           bool     `json:"mandatory" yaml:"mandatory" strict:"required"`
	VMs                 []string `json:"vms,omitempty" yaml:"vms,omitempty"`
	VMGroup             string   `json:"vm_group,omitempty" yaml:"vm_group,omitempty"`
	AffineHostGroup     string   `json:"affine_host_group,omitempty" yaml:"affine_host_group,omitempty"`
	AntiAffineHostGroup string   `json:"anti_affine_host_group,omitempty" yaml:"anti_affine_host_group,omitempty"`
}

// String describes the rule for people: "anti-affinity, must: web-01,
// web-02", "vm-host, should: group db on hosts of group a-hosts",
// "(disabled)" at the end when it is off.
func (r Rule) String() string {
	strength := "should"
	if r.Mandatory {
		strength = "must"
	}
	var what string
	switch {
	case r.Kind == RuleVMHost && r.AntiAffineHostGroup != "":
		what = fmt.Sprintf("group %s %s not run on hosts of group %s", r.VMGroup, strength, r.AntiAffineHostGroup)
	case r.Kind == RuleVMHost:
		what = fmt.Sprintf("group %s %s run on hosts of group %s", r.VMGroup, strength, r.AffineHostGroup)
	default:
		what = fmt.Sprintf("%s, %s: %s", r.Kind, strength, strings.Join(r.VMs, ", "))
	}
	if r.Kind == RuleVMHost {
		what = "vm-host: " + what
	}
	if !r.Enabled {
		what += " (disabled)"
	}
	return what
}

// VMGroup is a named set of VMs that VM-host rules refer to.
type VMGroup struct {
	Name string   `json:"name" yaml:"name" strict:"required"`
	VMs  []string `json:"vms" yaml:"vms" strict:"required"`
}

// HostGroup is a named set of hosts that VM-host rules refer to.
type HostGroup struct {
	Name  string   `json:"name" yaml:"name" strict:"required"`
	Hosts []string `json:"hosts" yaml:"hosts" strict:"required"`
}

// Override is one VM's departure from the cluster's defaults. An empty
// field follows the cluster.
type Override struct {
	VM                string            `json:"vm" yaml:"vm" strict:"required"`
	RestartPriority   RestartPriority   `json:"restart_priority,omitempty" yaml:"restart_priority,omitempty"`
	IsolationResponse IsolationResponse `json:"isolation_response,omitempty" yaml:"isolation_response,omitempty"`
	VMMonitoring      VMMonitoring      `json:"vm_monitoring,omitempty" yaml:"vm_monitoring,omitempty"`
	DRSAutomation     DRSOverride       `json:"drs_automation,omitempty" yaml:"drs_automation,omitempty"`
}

// IsZero reports whether o overrides nothing.
func (o Override) IsZero() bool {
	return o.RestartPriority == "" && o.IsolationResponse == "" && o.VMMonitoring == "" && o.DRSAutomation == ""
}

// HasHA reports whether o overrides an HA setting.
func (o Override) HasHA() bool {
	return o.RestartPriority != "" || o.IsolationResponse != "" || o.VMMonitoring != ""
}

// Unmodeled is what a cluster's configuration holds that vtui does not
// model. vtui shows it and keeps it; it never adds, changes or removes it.
type Unmodeled struct {
	// Rules are the rules of kinds vtui does not model, e.g. VM
	// dependency rules.
	Rules []OtherRule `json:"rules,omitempty" yaml:"rules,omitempty"`
	// HAOptions and DRSOptions are the advanced options of HA and DRS.
	HAOptions  map[string]string `json:"ha_options,omitempty" yaml:"ha_options,omitempty"`
	DRSOptions map[string]string `json:"drs_options,omitempty" yaml:"drs_options,omitempty"`
}

// IsZero reports whether u holds nothing.
func (u Unmodeled) IsZero() bool {
	return len(u.Rules) == 0 && len(u.HAOptions) == 0 && len(u.DRSOptions) == 0
}

// OtherRule is a rule of a kind vtui does not model.
type OtherRule struct {
	Name    string `json:"name" yaml:"name"`
	Kind    string `json:"kind" yaml:"kind"` // e.g. "vm-dependency"
	Enabled bool   `json:"enabled" yaml:"enabled"`
	// Detail describes the rule for people, e.g. "group web depends on
	// group db".
	Detail string `json:"detail,omitempty" yaml:"detail,omitempty"`
}

// Rule returns the rule called name.
func (c Config) Rule(name string) (Rule, bool) {
	i := slices.IndexFunc(c.Rules, func(r Rule) bool { return r.Name == name })
	if i < 0 {
		return Rule{}, false
	}
	return c.Rules[i], true
}

// VMGroup returns the VM group called name.
func (c Config) VMGroup(name string) (VMGroup, bool) {
	i := slices.IndexFunc(c.VMGroups, func(g VMGroup) bool { return g.Name == name })
	if i < 0 {
		return VMGroup{}, false
	}
	return c.VMGroups[i], true
}

// HostGroup returns the host group called name.
func (c Config) HostGroup(name string) (HostGroup, bool) {
	i := slices.IndexFunc(c.HostGroups, func(g HostGroup) bool { return g.Name == name })
	if i < 0 {
		return HostGroup{}, false
	}
	return c.HostGroups[i], true
}

// Override returns the override of the VM called vm; the zero Override
// when it has none.
func (c Config) Override(vm string) (Override, bool) {
	i := slices.IndexFunc(c.Overrides, func(o Override) bool { return o.VM == vm })
	if i < 0 {
		return Override{VM: vm}, false
	}
	return c.Overrides[i], true
}

// EffectiveRestartPriority is the restart priority HA uses for vm: its
// override, else the cluster's.
func (c Config) EffectiveRestartPriority(vm string) RestartPriority {
	if o, ok := c.Override(vm); ok && o.RestartPriority != "" {
		return o.RestartPriority
	}
	return c.HA.RestartPriority
}

// Normalize sorts the lists of c by name and the members of each rule
// and group, and drops empty overrides, so that two configurations that
// mean the same compare equal and export the same.
func (c *Config) Normalize() {
	byName := func(a, b string) int { return strings.Compare(a, b) }
	slices.SortFunc(c.Rules, func(a, b Rule) int { return byName(a.Name, b.Name) })
	for i := range c.Rules {
		slices.Sort(c.Rules[i].VMs)
	}
	slices.SortFunc(c.VMGroups, func(a, b VMGroup) int { return byName(a.Name, b.Name) })
	for i := range c.VMGroups {
		slices.Sort(c.VMGroups[i].VMs)
	}
	slices.SortFunc(c.HostGroups, func(a, b HostGroup) int { return byName(a.Name, b.Name) })
	for i := range c.HostGroups {
		slices.Sort(c.HostGroups[i].Hosts)
	}
	c.Overrides = slices.DeleteFunc(c.Overrides, Override.IsZero)
	slices.SortFunc(c.Overrides, func(a, b Override) int { return byName(a.VM, b.VM) })
	slices.SortFunc(c.Unmodeled.Rules, func(a, b OtherRule) int { return byName(a.Name, b.Name) })
	if c.Rules == nil {
		c.Rules = []Rule{}
	}
	if c.VMGroups == nil {
		c.VMGroups = []VMGroup{}
	}
	if c.HostGroups == nil {
		c.HostGroups = []HostGroup{}
	}
	if c.Overrides == nil {
		c.Overrides = []Override{}
	}
}
