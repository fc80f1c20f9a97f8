package clusterspec

import (
	"fmt"
	"slices"
	"strings"
)

// Scope is what a configuration may name: the hosts and VMs of its
// cluster. Validate checks names and capacity against it.
type Scope struct {
	Hosts []ScopeHost
	// VMs are the names of the cluster's VMs.
	VMs []string
}

// ScopeHost is a host of the cluster, with the state validation needs.
type ScopeHost struct {
	Name        string
	Connected   bool
	Maintenance bool
}

// usable counts the hosts that can run VMs: connected and not in
// maintenance mode.
func (s Scope) usable() int {
	n := 0
	for _, h := range s.Hosts {
		if h.Connected && !h.Maintenance {
			n++
		}
	}
	return n
}

func (s Scope) host(name string) (ScopeHost, bool) {
	i := slices.IndexFunc(s.Hosts, func(h ScopeHost) bool { return h.Name == name })
	if i < 0 {
		return ScopeHost{}, false
	}
	return s.Hosts[i], true
}

// Problem is one thing wrong with a configuration: the field, the value
// and what to do about it.
type Problem struct {
	// Field locates the value: "ha.admission_control", "rules[web].vms".
	Field string `json:"field" yaml:"field"`
	Value string `json:"value" yaml:"value"`
	// Msg says what is wrong and how to fix it.
	Msg string `json:"message" yaml:"message"`
}

func (p Problem) String() string {
	if p.Value == "" {
		return p.Field + ": " + p.Msg
	}
	return fmt.Sprintf("%s: %s: %s", p.Field, p.Value, p.Msg)
}

// ValidationError lists every problem of a configuration. Nothing was
// sent: a configuration is validated before any request.
type ValidationError struct {
	Cluster  string
	Problems []Problem
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	noun := "problems"
	if len(parts) == 1 {
		noun = "problem"
	}
	return fmt.Sprintf("the configuration of %s has %d %s, so nothing was changed: %s",
		e.Cluster, len(parts), noun, strings.Join(parts, "; "))
}

// Validate checks c against its cluster s and returns a *ValidationError
// listing every problem, or nil. It checks each setting's value and range,
// that every VM, host and group named exists, that no two rules conflict,
// and that each rule can be kept at all.
func Validate(c Config, s Scope) error {
	v := &validator{c: c, s: s, vms: map[string]bool{}}
	for _, vm := range s.VMs {
		v.vms[vm] = true
	}
	v.ha()
	v.drs()
	v.groups()
	v.rules()
	v.overrides()
	if len(v.problems) == 0 {
		return nil
	}
	return &ValidationError{Cluster: c.Cluster, Problems: v.problems}
}

type validator struct {
	c        Config
	s        Scope
	vms      map[string]bool
	problems []Problem
}

func (v *validator) add(field, value, format string, args ...any) {
	v.problems = append(v.problems, Problem{Field: field, Value: value, Msg: fmt.Sprintf(format, args...)})
}

// enum records a problem if e is not valid; empty is allowed only where
// optional.
func (v *validator) enum(field, value string, optional bool, valid func() error) {
	if value == "" && optional {
		return
	}
	if value == "" {
		v.add(field, "", "missing; %v", valid())
		return
	}
	if err := valid(); err != nil {
		v.add(field, value, "%v", err)
	}
}

func (v *validator) ha() {
	h := v.c.HA
	v.enum("ha.vm_monitoring", string(h.VMMonitoring), false, h.VMMonitoring.Valid)
	v.enum("ha.restart_priority", string(h.RestartPriority), false, h.RestartPriority.Valid)
	v.enum("ha.isolation_response", string(h.IsolationResponse), false, h.IsolationResponse.Valid)
	ac := h.AdmissionControl
	field, value := "ha.admission_control", ac.String()
	hosts := len(v.s.Hosts)
	switch ac.Mode {
	case AdmissionDisabled:
	case AdmissionFailures, AdmissionSlots:
		switch {
		case ac.Failures < 1:
			v.add(field, value, "tolerate at least 1 host failure, or use disabled")
		case ac.Failures >= hosts:
			v.add(field, value, "%s has %d hosts, so it can tolerate at most %d host failures; use %s:1 to %s:%d",
				v.c.Cluster, hosts, max(hosts-1, 0), ac.Mode, ac.Mode, max(hosts-1, 1))
		}
	case AdmissionPercent:
		for _, p := range []struct {
			what string
			n    int
		}{{"CPU", ac.CPUPercent}, {"memory", ac.MemoryPercent}} {
			if p.n < 1 || p.n > 100 {
				v.add(field, value, "the %s percentage must be within 1..100, got %d", p.what, p.n)
			}
		}
	case AdmissionHosts:
		for _, name := range ac.Hosts {
			switch h, ok := v.s.host(name); {
			case !ok:
				v.add(field, value, "%s is not a host of %s; name hosts of the cluster (vtui get hosts --cluster %s)", name, v.c.Cluster, v.c.Cluster)
			case !h.Connected:
				v.add(field, value, "failover host %s is not connected; reconnect it or choose another", name)
			}
		}
		if dup := duplicates(ac.Hosts); len(dup) > 0 {
			v.add(field, value, "%s named more than once", strings.Join(dup, ", "))
		}
		if len(ac.Hosts) >= hosts && hosts > 0 {
			v.add(field, value, "dedicating all %d hosts of %s to failover leaves none to run VMs; keep at least one out", hosts, v.c.Cluster)
		}
	case "":
		v.add(field, "", "missing; want %s", admissionForms)
	default:
		v.add(field, value, "unknown policy; want %s", admissionForms)
	}
}

func (v *validator) drs() {
	d := v.c.DRS
	v.enum("drs.automation", string(d.Automation), false, d.Automation.Valid)
	if d.Threshold < 1 || d.Threshold > 5 {
		v.add("drs.threshold", fmt.Sprint(d.Threshold), "the migration threshold runs from 1 (conservative) to 5 (aggressive); 3 is the default")
	}
}

func (v *validator) groups() {
	names := map[string]string{} // group name -> where it was first defined
	seen := func(field, name string) {
		if name == "" {
			v.add(field, "", "a group needs a name")
			return
		}
		if first, dup := names[name]; dup {
			v.add(field, name, "the name is already used by %s; group names are unique in a cluster, VM and host groups alike", first)
		}
		names[name] = field
	}
	for _, g := range v.c.VMGroups {
		field := fmt.Sprintf("vm_groups[%s]", g.Name)
		seen(field, g.Name)
		v.vmNames(field+".vms", g.VMs)
	}
	for _, g := range v.c.HostGroups {
		field := fmt.Sprintf("host_groups[%s]", g.Name)
		seen(field, g.Name)
		for _, h := range g.Hosts {
			if _, ok := v.s.host(h); !ok {
				v.add(field+".hosts", h, "not a host of %s (vtui get hosts --cluster %s)", v.c.Cluster, v.c.Cluster)
			}
		}
		if dup := duplicates(g.Hosts); len(dup) > 0 {
			v.add(field+".hosts", strings.Join(dup, ", "), "named more than once")
		}
	}
}

// vmNames checks that every name is a VM of the cluster, once.
func (v *validator) vmNames(field string, names []string) {
	for _, n := range names {
		if !v.vms[n] {
			v.add(field, n, "not a VM of %s (vtui get vms --cluster %s)", v.c.Cluster, v.c.Cluster)
		}
	}
	if dup := duplicates(names); len(dup) > 0 {
		v.add(field, strings.Join(dup, ", "), "named more than once")
	}
}

func (v *validator) rules() {
	names := map[string]bool{}
	for _, o := range v.c.Unmodeled.Rules {
		names[o.Name] = true
	}
	for _, r := range v.c.Rules {
		field := fmt.Sprintf("rules[%s]", r.Name)
		switch {
		case r.Name == "":
			v.add("rules", "", "a rule needs a name")
		case names[r.Name]:
			v.add(field, r.Name, "another rule of the cluster has this name; rule names are unique")
		}
		names[r.Name] = true
		switch r.Kind {
		case RuleAffinity, RuleAntiAffinity:
			v.vmRule(field, r)
		case RuleVMHost:
			v.vmHostRule(field, r)
		default:
			v.add(field+".kind", string(r.Kind), "want affinity, anti-affinity or vm-host")
		}
	}
	v.conflicts()
}

func (v *validator) vmRule(field string, r Rule) {
	if len(r.VMs) < 2 {
		v.add(field+".vms", strings.Join(r.VMs, ", "), "an %s rule needs at least 2 VMs", r.Kind)
	}
	v.vmNames(field+".vms", r.VMs)
	if r.VMGroup != "" || r.AffineHostGroup != "" || r.AntiAffineHostGroup != "" {
		v.add(field, "", "an %s rule names VMs, not groups; use kind vm-host for groups", r.Kind)
	}
	if r.Kind == RuleAntiAffinity && r.Enabled {
		if usable := v.s.usable(); len(r.VMs) > usable {
			v.add(field+".vms", fmt.Sprintf("%d VMs", len(r.VMs)),
				"%s has only %d hosts that can run VMs (connected, not in maintenance), so these VMs cannot all run apart; split the rule or add hosts",
				v.c.Cluster, usable)
		}
	}
}

func (v *validator) vmHostRule(field string, r Rule) {
	if len(r.VMs) > 0 {
		v.add(field+".vms", strings.Join(r.VMs, ", "), "a vm-host rule names a VM group, not VMs; put them in vm_groups")
	}
	if _, ok := v.c.VMGroup(r.VMGroup); !ok {
		v.add(field+".vm_group", r.VMGroup, "no VM group of that name; define it under vm_groups")
	}
	if (r.AffineHostGroup == "") == (r.AntiAffineHostGroup == "") {
		v.add(field, "", "a vm-host rule names exactly one of affine_host_group (run on) and anti_affine_host_group (do not run on)")
		return
	}
	name := r.AffineHostGroup + r.AntiAffineHostGroup
	g, ok := v.c.HostGroup(name)
	if !ok {
		v.add(field+".host_group", name, "no host group of that name; define it under host_groups")
		return
	}
	if r.AffineHostGroup != "" && r.Mandatory && r.Enabled && len(g.Hosts) == 0 {
		v.add(field, name, "a must-run-on rule to the empty host group %s leaves its VMs nowhere to run; add hosts to the group or make the rule a should rule", name)
	}
}

// conflicts finds two VMs that one enabled rule keeps together and
// another keeps apart.
func (v *validator) conflicts() {
	for _, a := range v.c.Rules {
		if a.Kind != RuleAffinity || !a.Enabled {
			continue
		}
		for _, b := range v.c.Rules {
			if b.Kind != RuleAntiAffinity || !b.Enabled {
				continue
			}
			var both []string
			for _, vm := range a.VMs {
				if slices.Contains(b.VMs, vm) {
					both = append(both, vm)
				}
			}
			if len(both) >= 2 {
				v.add(fmt.Sprintf("rules[%s]", a.Name), strings.Join(both, ", "),
					"rule %s keeps these VMs together and rule %s keeps them apart; disable or change one", a.Name, b.Name)
			}
		}
	}
}

func (v *validator) overrides() {
	seen := map[string]bool{}
	for _, o := range v.c.Overrides {
		field := fmt.Sprintf("overrides[%s]", o.VM)
		if seen[o.VM] {
			v.add(field, o.VM, "overridden twice; merge the two entries")
		}
		seen[o.VM] = true
		if !v.vms[o.VM] {
			v.add(field+".vm", o.VM, "not a VM of %s (vtui get vms --cluster %s)", v.c.Cluster, v.c.Cluster)
		}
		v.enum(field+".restart_priority", string(o.RestartPriority), true, o.RestartPriority.Valid)
		v.enum(field+".isolation_response", string(o.IsolationResponse), true, o.IsolationResponse.Valid)
		v.enum(field+".vm_monitoring", string(o.VMMonitoring), true, o.VMMonitoring.Valid)
		v.enum(field+".drs_automation", string(o.DRSAutomation), true, o.DRSAutomation.Valid)
	}
}

// duplicates returns the names that occur more than once, each once.
func duplicates(names []string) []string {
	count := map[string]int{}
	var out []string
	for _, n := range names {
		count[n]++
		if count[n] == 2 {
			out = append(out, n)
		}
	}
	return out
}
