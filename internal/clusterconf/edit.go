package clusterconf

import (
	"fmt"
	"slices"

	"github.com/vtui/vtui/vsphere/clusterspec"
)

// Edit changes a configuration in place. It clones any slice it changes,
// so the configuration it started from is left as it was.
type Edit func(*clusterspec.Config) error

// Names resolves the names of an edit's members (VMs, hosts) when the edit
// is made, after its own checks: a rule whose name is taken is refused
// before its VMs are looked up.
type Names func() ([]string, error)

// BadEditError is an edit that cannot be made to the configuration as
// read: a name taken, or one it does not have. Nothing is sent.
type BadEditError struct{ msg string }

// Error says what cannot be edited and why.
func (e *BadEditError) Error() string { return e.msg }

func badEdit(format string, args ...any) error {
	return &BadEditError{msg: fmt.Sprintf(format, args...)}
}

// SetHA applies sets to the HA settings.
func SetHA(sets ...func(*clusterspec.HA)) Edit {
	return func(c *clusterspec.Config) error {
		for _, set := range sets {
			set(&c.HA)
		}
		return nil
	}
}

// SetDRS applies sets to the DRS settings.
func SetDRS(sets ...func(*clusterspec.DRS)) Edit {
	return func(c *clusterspec.Config) error {
		for _, set := range sets {
			set(&c.DRS)
		}
		return nil
	}
}

// AddRule adds r, whose name must be free. An affinity or anti-affinity
// rule takes its VMs from vms; a VM-host rule names groups, and vms is nil.
func AddRule(r clusterspec.Rule, vms Names) Edit {
	return func(c *clusterspec.Config) error {
		if _, exists := c.Rule(r.Name); exists {
			return badEdit("%s already has a rule named %q; remove it first (vtui cluster rule rm)", c.Cluster, r.Name)
		}
		if vms != nil {
			names, err := vms()
			if err != nil {
				return err
			}
			r.VMs = names
		}
		c.Rules = append(slices.Clone(c.Rules), r)
		return nil
	}
}

// RemoveRules removes the rules named names, all of which must exist.
func RemoveRules(names ...string) Edit {
	return func(c *clusterspec.Config) error {
		for _, n := range names {
			if _, ok := c.Rule(n); !ok {
				return badEdit("%s has no rule named %q (see: vtui cluster rule list %s)", c.Cluster, n, c.Cluster)
			}
		}
		c.Rules = slices.DeleteFunc(slices.Clone(c.Rules), func(r clusterspec.Rule) bool { return slices.Contains(names, r.Name) })
		return nil
	}
}

// AddVMGroup adds a VM group of vms; no group, of VMs or hosts, may have
// its name.
func AddVMGroup(name string, vms Names) Edit {
	return func(c *clusterspec.Config) error {
		members, err := newGroup(c, name, vms)
		if err != nil {
			return err
		}
		c.VMGroups = append(slices.Clone(c.VMGroups), clusterspec.VMGroup{Name: name, VMs: members})
		return nil
	}
}

// AddHostGroup adds a host group of hosts; no group, of VMs or hosts, may
// have its name.
func AddHostGroup(name string, hosts Names) Edit {
	return func(c *clusterspec.Config) error {
		members, err := newGroup(c, name, hosts)
		if err != nil {
			return err
		}
		c.HostGroups = append(slices.Clone(c.HostGroups), clusterspec.HostGroup{Name: name, Hosts: members})
		return nil
	}
}

// newGroup checks that name is free and resolves the new group's members.
func newGroup(c *clusterspec.Config, name string, members Names) ([]string, error) {
	if hasGroup(c, name) {
		return nil, badEdit("%s already has a group named %q", c.Cluster, name)
	}
	return members()
}

func hasGroup(c *clusterspec.Config, name string) bool {
	_, vmg := c.VMGroup(name)
	_, hg := c.HostGroup(name)
	return vmg || hg
}

// RemoveGroups removes the VM and host groups named names, all of which
// must exist. A group a rule still names is refused when the change is
// validated.
func RemoveGroups(names ...string) Edit {
	return func(c *clusterspec.Config) error {
		for _, n := range names {
			if !hasGroup(c, n) {
				return badEdit("%s has no group named %q (see: vtui cluster group list %s)", c.Cluster, n, c.Cluster)
			}
		}
		drop := func(n string) bool { return slices.Contains(names, n) }
		c.VMGroups = slices.DeleteFunc(slices.Clone(c.VMGroups), func(g clusterspec.VMGroup) bool { return drop(g.Name) })
		c.HostGroups = slices.DeleteFunc(slices.Clone(c.HostGroups), func(g clusterspec.HostGroup) bool { return drop(g.Name) })
		return nil
	}
}

// SetOverrides applies sets to the override of each VM of vms, starting
// from its current one (or none); the changed overrides go last.
func SetOverrides(vms []string, sets ...func(*clusterspec.Override)) Edit {
	return func(c *clusterspec.Config) error {
		c.Overrides = slices.Clone(c.Overrides)
		for _, vm := range vms {
			cur, _ := c.Override(vm)
			for _, set := range sets {
				set(&cur)
			}
			c.Overrides = append(slices.DeleteFunc(c.Overrides, func(x clusterspec.Override) bool { return x.VM == vm }), cur)
		}
		return nil
	}
}

// RemoveOverrides removes the overrides of vms: they follow the cluster
// again. A VM without one is no error.
func RemoveOverrides(vms ...string) Edit {
	return func(c *clusterspec.Config) error {
		c.Overrides = slices.DeleteFunc(slices.Clone(c.Overrides), func(o clusterspec.Override) bool { return slices.Contains(vms, o.VM) })
		return nil
	}
}

// Sections replaces each section (ha, drs, rules, vm_groups, host_groups,
// overrides) that has says a file has by file's: a section the file
// leaves out stays as it is, one it has is the whole truth. unmodeled is
// never replaced.
func Sections(file clusterspec.Config, has func(section string) bool) Edit {
	return func(c *clusterspec.Config) error {
		if has("ha") {
			c.HA = file.HA
		}
		if has("drs") {
			c.DRS = file.DRS
		}
		if has("rules") {
			c.Rules = file.Rules
		}
		if has("vm_groups") {
			c.VMGroups = file.VMGroups
		}
		if has("host_groups") {
			c.HostGroups = file.HostGroups
		}
		if has("overrides") {
			c.Overrides = file.Overrides
		}
		return nil
	}
}
