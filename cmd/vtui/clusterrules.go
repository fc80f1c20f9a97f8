package main

import (
	"fmt"
	"slices"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vtui/vtui/internal/clusterconf"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
)

// addForceFlag adds --force, which applies over someone else's change.
func addForceFlag(fs *pflag.FlagSet, force *bool) {
	fs.BoolVar(force, "force", false, "apply even if the cluster's configuration changed since vtui read it")
}

func newClusterRuleCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "rule", Short: "List, add or remove a cluster's DRS rules",
		Example: `  vtui cluster rule list cluster-a
  vtui cluster rule add cluster-a --name web-apart --anti-affinity web-01 web-02
  vtui cluster rule rm cluster-a web-apart`}
	list := &cobra.Command{
		Use:   "list CLUSTER",
		Short: "List a cluster's DRS rules, with whether each is kept now",
		Example: `  vtui cluster rule list cluster-a
  vtui cluster rule list cluster-a -o json`,
		Long: `List a cluster's DRS rules. -o json prints [{name, kind, enabled, mandatory,
vms, vm_group, affine_host_group, anti_affine_host_group, in_compliance}];
kind is affinity, anti-affinity or vm-host. Rules of kinds vtui does not
model are shown by 'vtui cluster config export'.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCluster(cmd, args[0], func(cs *clusterSession) error {
				return writeRows(cmd.OutOrStdout(), a.settings.Output, clusterconf.Rules(cs.Config), clusterconf.RuleColumns())
			})
		},
	}
	var name, vmGroup, hostGroup string
	var affinity, anti, must, should, not, disabled, force bool
	add := &cobra.Command{
		Use:   "add CLUSTER --name N (--affinity|--anti-affinity) VM... | --vm-group G --host-group G (--must|--should) [--not]",
		Short: "Add a DRS rule",
		Long: `Add a DRS rule to a cluster:

  --affinity VM...        keep the VMs together on one host
  --anti-affinity VM...   keep the VMs on different hosts
  --vm-group G --host-group H --must|--should [--not]
                          the VMs of group G must (or should) run on the
                          hosts of group H, or, with --not, on none of them

A --must rule is never broken by DRS or HA; a --should rule may be. The rule
is enabled unless --disabled. It is validated first: every VM and group must
exist, an anti-affinity rule needs as many usable hosts as VMs, and it must
not contradict another rule.`,
		Example: `  vtui cluster rule add cluster-a --name web-apart --anti-affinity web-01 web-02
  vtui cluster rule add cluster-a --name db-licensed --vm-group dbs --host-group licensed --must`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r := clusterspec.Rule{Name: name, Enabled: !disabled, Mandatory: must}
			switch {
			case name == "":
				return usageErrorf("--name is required")
			case affinity == anti && vmGroup == "":
				return usageErrorf("say what kind of rule: --affinity VM..., --anti-affinity VM..., or --vm-group G --host-group H")
			case vmGroup != "" && (affinity || anti):
				return usageErrorf("--vm-group makes a VM-host rule; it does not go with --affinity or --anti-affinity")
			case vmGroup != "" && (hostGroup == "" || must == should):
				return usageErrorf("a VM-host rule needs --vm-group, --host-group and one of --must or --should")
			case vmGroup == "" && (must || should || not || hostGroup != ""):
				return usageErrorf("--must, --should, --not and --host-group are for VM-host rules (--vm-group)")
			case vmGroup != "" && len(args) > 1:
				return usageErrorf("a VM-host rule names groups, not VMs: put the VMs in a group (vtui cluster group add)")
			case vmGroup == "" && len(args) < 3:
				return usageErrorf("an affinity or anti-affinity rule needs at least 2 VMs")
			}
			if vmGroup != "" {
				r.Kind, r.VMGroup = clusterspec.RuleVMHost, vmGroup
				if not {
					r.AntiAffineHostGroup = hostGroup
				} else {
					r.AffineHostGroup = hostGroup
				}
			} else {
				r.Kind = clusterspec.RuleAffinity
				if anti {
					r.Kind = clusterspec.RuleAntiAffinity
				}
			}
			return a.withCluster(cmd, args[0], func(cs *clusterSession) error {
				var vms clusterconf.Names // a VM-host rule names groups
				if vmGroup == "" {
					vms = cs.vmNames(args[1:])
				}
				return cs.reconfigure(force, clusterconf.AddRule(r, vms))
			})
		},
	}
	f := add.Flags()
	f.StringVar(&name, "name", "", "the rule's name")
	f.BoolVar(&affinity, "affinity", false, "keep the VMs together")
	f.BoolVar(&anti, "anti-affinity", false, "keep the VMs apart")
	f.StringVar(&vmGroup, "vm-group", "", "VM-host rule: the VM group")
	f.StringVar(&hostGroup, "host-group", "", "VM-host rule: the host group")
	f.BoolVar(&must, "must", false, "VM-host rule: mandatory")
	f.BoolVar(&should, "should", false, "VM-host rule: preferred")
	f.BoolVar(&not, "not", false, "VM-host rule: keep the VMs off the host group")
	f.BoolVar(&disabled, "disabled", false, "add the rule disabled")
	addForceFlag(f, &force)
	var rmForce bool
	rm := &cobra.Command{
		Use:     "rm CLUSTER NAME...",
		Short:   "Remove DRS rules",
		Example: `  vtui cluster rule rm cluster-a web-apart --dry-run`,
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCluster(cmd, args[0], func(cs *clusterSession) error {
				return cs.reconfigure(rmForce, clusterconf.RemoveRules(args[1:]...))
			})
		},
	}
	addForceFlag(rm.Flags(), &rmForce)
	cmd.AddCommand(list, add, rm)
	return cmd
}

// vmNames resolves VM arguments (names, IDs, paths, globs), when an edit
// asks, to the names the cluster configuration uses.
func (cs *clusterSession) vmNames(args []string) clusterconf.Names {
	return func() ([]string, error) {
		vms, err := cs.resolve.VMs(cs.cmd.Context(), args)
		return namesOf(vms, err, func(v vsphere.VM) string { return v.Name })
	}
}

// hostNames resolves host arguments as vmNames does VM arguments.
func (cs *clusterSession) hostNames(args []string) clusterconf.Names {
	return func() ([]string, error) {
		hosts, err := cs.resolve.Hosts(cs.cmd.Context(), args)
		return namesOf(hosts, err, func(h vsphere.Host) string { return h.Name })
	}
}

// namesOf is the names of the objects a resolution found; a resolution
// that failed is a bad name.
func namesOf[T any](objs []T, err error, name func(T) string) ([]string, error) {
	if err != nil {
		return nil, badName(err)
	}
	names := make([]string, len(objs))
	for i, o := range objs {
		names[i] = name(o)
	}
	return names, nil
}

func newClusterGroupCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "group", Short: "List, add or remove a cluster's VM and host groups",
		Example: `  vtui cluster group list cluster-a
  vtui cluster group add cluster-a --name dbs --vms db-01,db-02
  vtui cluster group rm cluster-a dbs`}
	list := &cobra.Command{
		Use:   "list CLUSTER",
		Short: "List a cluster's VM and host groups",
		Example: `  vtui cluster group list cluster-a
  vtui cluster group list cluster-a -o yaml`,
		Long: `List a cluster's groups. -o json prints [{name, kind, members}]; kind is vm or host.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCluster(cmd, args[0], func(cs *clusterSession) error {
				return writeRows(cmd.OutOrStdout(), a.settings.Output, clusterconf.Groups(cs.Config.Spec), clusterconf.GroupColumns())
			})
		},
	}
	var name string
	var vms, hosts []string
	var force bool
	add := &cobra.Command{
		Use:   "add CLUSTER --name G (--vms VM,... | --hosts HOST,...)",
		Short: "Add a VM group or a host group",
		Example: `  vtui cluster group add cluster-a --name dbs --vms db-01,db-02
  vtui cluster group add cluster-a --name licensed --hosts esx-a-01.lab.local,esx-a-02.lab.local`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case name == "":
				return usageErrorf("--name is required")
			case (len(vms) == 0) == (len(hosts) == 0):
				return usageErrorf("give the members: --vms for a VM group or --hosts for a host group")
			}
			return a.withCluster(cmd, args[0], func(cs *clusterSession) error {
				if len(vms) > 0 {
					return cs.reconfigure(force, clusterconf.AddVMGroup(name, cs.vmNames(vms)))
				}
				return cs.reconfigure(force, clusterconf.AddHostGroup(name, cs.hostNames(hosts)))
			})
		},
	}
	add.Flags().StringVar(&name, "name", "", "the group's name")
	add.Flags().StringSliceVar(&vms, "vms", nil, "the VMs of a VM group")
	add.Flags().StringSliceVar(&hosts, "hosts", nil, "the hosts of a host group")
	addForceFlag(add.Flags(), &force)
	var rmForce bool
	rm := &cobra.Command{
		Use:     "rm CLUSTER NAME...",
		Short:   "Remove groups (a group a rule names cannot go: remove the rule first)",
		Example: `  vtui cluster group rm cluster-a dbs --dry-run`,
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCluster(cmd, args[0], func(cs *clusterSession) error {
				return cs.reconfigure(rmForce, clusterconf.RemoveGroups(args[1:]...))
			})
		},
	}
	addForceFlag(rm.Flags(), &rmForce)
	cmd.AddCommand(list, add, rm)
	return cmd
}

func newClusterOverrideCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "override", Short: "List, set or remove per-VM HA and DRS overrides",
		Example: `  vtui cluster override list cluster-a
  vtui cluster override set cluster-a db-01 --restart-priority highest
  vtui cluster override rm cluster-a db-01`}
	list := &cobra.Command{
		Use:   "list CLUSTER [VM...]",
		Short: "List per-VM overrides",
		Example: `  vtui cluster override list cluster-a
  vtui cluster override list cluster-a db-01 -o json`,
		Long: `List a cluster's per-VM overrides ("-" follows the cluster). -o json prints
[{vm, restart_priority, isolation_response, vm_monitoring, drs_automation}],
leaving out what follows the cluster.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCluster(cmd, args[0], func(cs *clusterSession) error {
				rows := cs.Config.Spec.Overrides
				if len(args) > 1 {
					names, err := cs.vmNames(args[1:])()
					if err != nil {
						return err
					}
					rows = slices.DeleteFunc(slices.Clone(rows), func(o clusterspec.Override) bool { return !slices.Contains(names, o.VM) })
				}
				return writeRows(cmd.OutOrStdout(), a.settings.Output, rows, clusterconf.OverrideColumns())
			})
		},
	}
	var priority, isolation, vmMon, drs string
	var force bool
	set := &cobra.Command{
		Use:   "set CLUSTER VM... [flags]",
		Short: "Override HA or DRS settings for VMs",
		Long: `Override cluster settings for VMs; settings not given stay as they are, and
the value "cluster" makes one follow the cluster again.

  --restart-priority   disabled | lowest | low | medium | high | highest
  --isolation-response none | powerOff | shutdown
  --vm-monitoring      off | vm | app
  --drs-automation     manual | partial | full | disabled`,
		Example: `  vtui cluster override set cluster-a db-01 --restart-priority highest
  vtui cluster override set cluster-a 'batch-*' --restart-priority disabled --drs-automation manual`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			// "cluster" makes a setting follow the cluster again: the empty value.
			orCluster := func(v string, parse func(string) error) error {
				if v == "cluster" {
					return nil
				}
				if err := parse(v); err != nil {
					return fmt.Errorf("%w (or cluster, to follow the cluster)", err)
				}
				return nil
			}
			edits, err := parseEdits(cmd, []edit[clusterspec.Override]{
				{"restart-priority", func() (func(*clusterspec.Override), error) {
					var v clusterspec.RestartPriority
					err := orCluster(priority, func(s string) (err error) { v, err = clusterspec.ParseRestartPriority(s); return })
					return func(o *clusterspec.Override) { o.RestartPriority = v }, err
				}},
				{"isolation-response", func() (func(*clusterspec.Override), error) {
					var v clusterspec.IsolationResponse
					err := orCluster(isolation, func(s string) (err error) { v, err = clusterspec.ParseIsolationResponse(s); return })
					return func(o *clusterspec.Override) { o.IsolationResponse = v }, err
				}},
				{"vm-monitoring", func() (func(*clusterspec.Override), error) {
					var v clusterspec.VMMonitoring
					err := orCluster(vmMon, func(s string) (err error) { v, err = clusterspec.ParseVMMonitoring(s); return })
					return func(o *clusterspec.Override) { o.VMMonitoring = v }, err
				}},
				{"drs-automation", func() (func(*clusterspec.Override), error) {
					var v clusterspec.DRSOverride
					err := orCluster(drs, func(s string) (err error) { v, err = clusterspec.ParseDRSOverride(s); return })
					return func(o *clusterspec.Override) { o.DRSAutomation = v }, err
				}},
			})
			if err != nil {
				return err
			}
			return a.withCluster(cmd, args[0], func(cs *clusterSession) error {
				names, err := cs.vmNames(args[1:])()
				if err != nil {
					return err
				}
				return cs.reconfigure(force, clusterconf.SetOverrides(names, edits...))
			})
		},
	}
	sf := set.Flags()
	sf.StringVar(&priority, "restart-priority", "", "HA restart priority, or cluster")
	sf.StringVar(&isolation, "isolation-response", "", "HA isolation response, or cluster")
	sf.StringVar(&vmMon, "vm-monitoring", "", "HA VM monitoring, or cluster")
	sf.StringVar(&drs, "drs-automation", "", "DRS automation level, or cluster")
	addForceFlag(sf, &force)
	var rmForce bool
	rm := &cobra.Command{
		Use:     "rm CLUSTER VM...",
		Short:   "Remove VMs' overrides: they follow the cluster again",
		Example: `  vtui cluster override rm cluster-a db-01 --dry-run`,
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCluster(cmd, args[0], func(cs *clusterSession) error {
				names, err := cs.vmNames(args[1:])()
				if err != nil {
					return err
				}
				return cs.reconfigure(rmForce, clusterconf.RemoveOverrides(names...))
			})
		},
	}
	addForceFlag(rm.Flags(), &rmForce)
	cmd.AddCommand(list, set, rm)
	return cmd
}
