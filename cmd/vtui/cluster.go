package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vtui/vtui/internal/clusterconf"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/gate"
)

func newClusterCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cluster",
		Short: "Show and change a cluster's HA and DRS configuration, rules, groups and overrides",
		Example: `  vtui cluster ha show cluster-a
  vtui cluster drs set cluster-a --automation full --threshold 3 --dry-run
  vtui cluster rule list cluster-a
  vtui cluster config export cluster-a > cluster-a.yaml
  vtui cluster capacity cluster-a`,
		Long: `Show and change a cluster's vSphere HA and DRS configuration as code.

Every change (set, add, rm, apply) reads the cluster's whole configuration,
shows the difference one field a line, asks, then sends only what differs
and reads it back to check that vCenter kept it. A change made by someone
else since the configuration was read is not overwritten unless --force.
What vtui does not model (VM dependency rules, advanced options) is shown
and exported, and never changed. --dry-run shows the difference only;
--readonly refuses.`,
	}
	cmd.AddCommand(newClusterHACmd(a), newClusterDRSCmd(a), newClusterRuleCmd(a), newClusterGroupCmd(a),
		newClusterOverrideCmd(a), newClusterConfigCmd(a), newClusterCapacityCmd(a))
	return cmd
}

// clusterSession is a change session on one cluster, with its
// configuration as read.
type clusterSession struct {
	*changeSession
	*clusterconf.Session
	cluster vsphere.Cluster
}

// withCluster connects, resolves the cluster named name and reads its
// configuration, then runs fn.
func (a *app) withCluster(cmd *cobra.Command, name string, fn func(cs *clusterSession) error) error {
	return a.change(cmd, func(s *changeSession) error {
		cl, err := s.resolve.Cluster(cmd.Context(), name, "CLUSTER")
		if err != nil {
			return badName(err)
		}
		conf, err := clusterconf.Read(cmd.Context(), s.c, s.inv, cl.Ref)
		if err != nil {
			return err
		}
		return fn(&clusterSession{changeSession: s, Session: conf, cluster: cl})
	})
}

// reconfigure makes edits to the configuration as read, shows the
// difference, asks, and applies it through the gate. An edit that cannot
// be made or bad input (a value out of range, an unknown name) is a usage
// error and nothing is sent; with --dry-run only the difference is
// written, in the -o format.
func (cs *clusterSession) reconfigure(force bool, edits ...clusterconf.Edit) error {
	want, err := cs.Edit(edits...)
	var bad *clusterconf.BadEditError
	if errors.As(err, &bad) {
		return usageError{err}
	} else if err != nil {
		return err
	}
	w, stderr := cs.cmd.OutOrStdout(), cs.cmd.ErrOrStderr()
	plan := cs.Plan(want, force)
	if plan.Noop() {
		fmt.Fprintf(stderr, "%s is already as asked; nothing to change\n", cs.cluster.Name)
		if cs.a.settings.DryRun {
			return writeRows(w, cs.a.settings.Output, plan.Changes, clusterconf.ChangeColumns())
		}
		return nil
	}
	if err := plan.Err(); err != nil {
		return usageError{err}
	}
	if cs.a.settings.DryRun {
		return writeRows(w, cs.a.settings.Output, plan.Changes, clusterconf.ChangeColumns())
	}
	fmt.Fprintf(stderr, "Changes to %s:\n", cs.cluster.Name)
	for _, d := range plan.Details() {
		fmt.Fprintln(stderr, d)
	}
	actions := []gate.Action{plan.Action}
	return cs.apply(actions, gate.RunOptions{Concurrency: 1}, runAll(actions))
}

// writeShow writes v in the -o format; a table lists rows.
func writeShow(w io.Writer, output string, v any, rows []clusterconf.Setting) error {
	if output == outputJSON || output == outputYAML {
		return writeValue(w, output, v)
	}
	return writeRows(w, output, rows, clusterconf.SettingColumns())
}

func newClusterHACmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "ha", Short: "Show or change vSphere HA of a cluster",
		Example: `  vtui cluster ha show cluster-a
  vtui cluster ha set cluster-a --admission-control failures:1 --dry-run`}
	show := &cobra.Command{
		Use:   "show CLUSTER",
		Short: "Show a cluster's HA configuration",
		Example: `  vtui cluster ha show cluster-a
  vtui cluster ha show cluster-a -o yaml`,
		Long: `Show a cluster's HA configuration. -o json and -o yaml print the object
{enabled, host_monitoring, vm_monitoring, admission_control, restart_priority,
isolation_response}; its field names are stable.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCluster(cmd, args[0], func(cs *clusterSession) error {
				h := cs.Config.Spec.HA
				return writeShow(cmd.OutOrStdout(), a.settings.Output, h, clusterconf.HASettings(h))
			})
		},
	}
	var enabled, hostMon bool
	var vmMon, admission, priority, isolation string
	var force bool
	set := &cobra.Command{
		Use:   "set CLUSTER [flags]",
		Short: "Change a cluster's HA configuration",
		Long: `Change a cluster's HA configuration; settings not given stay as they are.

  --admission-control disabled | failures:N  (N host failures, by cluster resource percentage)
                      | slots:N              (N host failures, by the slot policy)
                      | percent:CPU,MEM      (fixed percentages reserved)
                      | hosts:H1,H2          (dedicated failover hosts)
  --restart-priority  disabled | lowest | low | medium | high | highest
  --isolation-response none | powerOff | shutdown
  --vm-monitoring     off | vm | app

The difference is shown first, one field a line, and confirmed.`,
		Example: `  vtui cluster ha set cluster-a --admission-control failures:1 --restart-priority high
  vtui cluster ha set cluster-a --enabled=false --dry-run`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			edits, err := parseEdits(cmd, []edit[clusterspec.HA]{
				{"enabled", func() (func(*clusterspec.HA), error) { return func(h *clusterspec.HA) { h.Enabled = enabled }, nil }},
				{"host-monitoring", func() (func(*clusterspec.HA), error) {
					return func(h *clusterspec.HA) { h.HostMonitoring = hostMon }, nil
				}},
				{"vm-monitoring", func() (func(*clusterspec.HA), error) {
					v, err := clusterspec.ParseVMMonitoring(vmMon)
					return func(h *clusterspec.HA) { h.VMMonitoring = v }, err
				}},
				{"admission-control", func() (func(*clusterspec.HA), error) {
					v, err := clusterspec.ParseAdmissionControl(admission)
					return func(h *clusterspec.HA) { h.AdmissionControl = v }, err
				}},
				{"restart-priority", func() (func(*clusterspec.HA), error) {
					v, err := clusterspec.ParseRestartPriority(priority)
					return func(h *clusterspec.HA) { h.RestartPriority = v }, err
				}},
				{"isolation-response", func() (func(*clusterspec.HA), error) {
					v, err := clusterspec.ParseIsolationResponse(isolation)
					return func(h *clusterspec.HA) { h.IsolationResponse = v }, err
				}},
			})
			if err != nil {
				return err
			}
			return a.withCluster(cmd, args[0], func(cs *clusterSession) error {
				return cs.reconfigure(force, clusterconf.SetHA(edits...))
			})
		},
	}
	f := set.Flags()
	f.BoolVar(&enabled, "enabled", false, "turn HA on (--enabled) or off (--enabled=false)")
	f.BoolVar(&hostMon, "host-monitoring", false, "restart the VMs of failed hosts (--host-monitoring=false: do not)")
	f.StringVar(&vmMon, "vm-monitoring", "", "restart VMs whose heartbeats stop: off, vm or app")
	f.StringVar(&admission, "admission-control", "", "reserve failover capacity: disabled, failures:N, slots:N, percent:CPU,MEM or hosts:H1,H2")
	f.StringVar(&priority, "restart-priority", "", "default restart priority: disabled, lowest, low, medium, high or highest")
	f.StringVar(&isolation, "isolation-response", "", "what an isolated host does with its VMs: none, powerOff or shutdown")
	addForceFlag(f, &force)
	cmd.AddCommand(show, set)
	return cmd
}

func newClusterDRSCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "drs", Short: "Show or change DRS of a cluster, and its recommendations",
		Example: `  vtui cluster drs show cluster-a
  vtui cluster drs set cluster-a --automation full --dry-run
  vtui cluster drs recommendations cluster-a`}
	show := &cobra.Command{
		Use:   "show CLUSTER",
		Short: "Show a cluster's DRS configuration",
		Example: `  vtui cluster drs show cluster-a
  vtui cluster drs show cluster-a -o json`,
		Long: `Show a cluster's DRS configuration. -o json and -o yaml print the object
{enabled, automation, threshold}; threshold runs from 1 (conservative) to 5
(aggressive), as the vSphere Client shows it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCluster(cmd, args[0], func(cs *clusterSession) error {
				d := cs.Config.Spec.DRS
				return writeShow(cmd.OutOrStdout(), a.settings.Output, d, clusterconf.DRSSettings(d))
			})
		},
	}
	var enabled, force bool
	var automation string
	var threshold int
	set := &cobra.Command{
		Use:   "set CLUSTER [flags]",
		Short: "Change a cluster's DRS configuration",
		Long: `Change a cluster's DRS configuration; settings not given stay as they are.

  --automation manual | partial | full
  --threshold  1 (conservative: only mandatory moves) to 5 (aggressive)

The difference is shown first and confirmed.`,
		Example: `  vtui cluster drs set cluster-a --automation full --threshold 3`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			edits, err := parseEdits(cmd, []edit[clusterspec.DRS]{
				{"enabled", func() (func(*clusterspec.DRS), error) { return func(d *clusterspec.DRS) { d.Enabled = enabled }, nil }},
				{"automation", func() (func(*clusterspec.DRS), error) {
					v, err := clusterspec.ParseAutomation(automation)
					return func(d *clusterspec.DRS) { d.Automation = v }, err
				}},
				{"threshold", func() (func(*clusterspec.DRS), error) {
					if threshold < 1 || threshold > 5 {
						return nil, fmt.Errorf("the migration threshold runs from 1 (conservative) to 5 (aggressive), not %d", threshold)
					}
					return func(d *clusterspec.DRS) { d.Threshold = threshold }, nil
				}},
			})
			if err != nil {
				return err
			}
			return a.withCluster(cmd, args[0], func(cs *clusterSession) error {
				return cs.reconfigure(force, clusterconf.SetDRS(edits...))
			})
		},
	}
	set.Flags().BoolVar(&enabled, "enabled", false, "turn DRS on (--enabled) or off (--enabled=false)")
	set.Flags().StringVar(&automation, "automation", "", "manual, partial or full")
	set.Flags().IntVar(&threshold, "threshold", 0, "migration threshold, 1 (conservative) to 5 (aggressive)")
	addForceFlag(set.Flags(), &force)
	cmd.AddCommand(show, set, newDRSRecommendationsCmd(a))
	return cmd
}

func newDRSRecommendationsCmd(a *app) *cobra.Command {
	var apply []string
	var applyAll bool
	cmd := &cobra.Command{
		Use:   "recommendations CLUSTER [--apply KEY...|--apply-all]",
		Short: "List a cluster's DRS recommendations, or apply them",
		Long: `List the DRS recommendations vCenter holds for a cluster (with manual or
partially automated DRS), highest rating first, or apply some or all of them.
Applying one makes its migrations; it goes through the same confirmation,
--dry-run and --readonly as every change. -o json prints
[{key, rating, reason, actions: [{vm, from, to}]}].`,
		Example: `  vtui cluster drs recommendations cluster-a
  vtui cluster drs recommendations cluster-a --apply 1 --apply 3
  vtui cluster drs recommendations cluster-a --apply-all --yes`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if applyAll && len(apply) > 0 {
				return usageErrorf("--apply and --apply-all cannot be combined")
			}
			return a.withCluster(cmd, args[0], func(cs *clusterSession) error {
				recs, err := cs.Recommendations(cmd.Context(), cs.c)
				if err != nil {
					return err
				}
				if !applyAll && len(apply) == 0 {
					return writeRows(cmd.OutOrStdout(), a.settings.Output, recs, clusterconf.RecommendationColumns())
				}
				chosen, missing := clusterconf.Pick(recs, apply)
				if missing != "" {
					return usageErrorf("%s has no DRS recommendation %q (see: vtui cluster drs recommendations %s)", cs.cluster.Name, missing, cs.cluster.Name)
				}
				if applyAll {
					chosen = recs
				}
				if len(chosen) == 0 {
					fmt.Fprintf(cmd.ErrOrStderr(), "%s has no DRS recommendations\n", cs.cluster.Name)
					return nil
				}
				actions := cs.ApplyRecommendations(chosen)
				return cs.apply(actions, gate.RunOptions{Concurrency: 1}, runAll(actions))
			})
		},
	}
	cmd.Flags().StringSliceVar(&apply, "apply", nil, "apply the recommendations with these keys")
	cmd.Flags().BoolVar(&applyAll, "apply-all", false, "apply every recommendation")
	return cmd
}

// edit is what one flag changes in a T, parsed from the flag's value
// before anything is read from vCenter.
type edit[T any] struct {
	flag  string
	parse func() (func(*T), error)
}

// parseEdits parses the edits whose flags were given. A bad value is a
// usage error naming its flag; no flag at all is one too.
func parseEdits[T any](cmd *cobra.Command, edits []edit[T]) ([]func(*T), error) {
	var out []func(*T)
	var flags []string
	for _, e := range edits {
		flags = append(flags, "--"+e.flag)
		if !cmd.Flags().Changed(e.flag) {
			continue
		}
		fn, err := e.parse()
		if err != nil {
			return nil, usageErrorf("--%s: %v", e.flag, err)
		}
		out = append(out, fn)
	}
	if len(out) == 0 {
		return nil, usageErrorf("nothing to set: give at least one of %s", strings.Join(flags, ", "))
	}
	return out, nil
}
