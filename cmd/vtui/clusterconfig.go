package main

import (
	"fmt"
	"reflect"

	"github.com/spf13/cobra"

	"github.com/vtui/vtui/ha/capacity"
	"github.com/vtui/vtui/internal/clusterconf"
	"github.com/vtui/vtui/internal/readlimit"
	"github.com/vtui/vtui/internal/strictyaml"
	"github.com/vtui/vtui/vsphere/clusterspec"
)

func newClusterConfigCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Export a cluster's HA/DRS configuration as YAML, or apply one",
		Example: `  vtui cluster config export cluster-a > cluster-a.yaml
  vtui cluster config apply cluster-a -f cluster-a.yaml --dry-run`}
	export := &cobra.Command{
		Use:   "export CLUSTER",
		Short: "Write a cluster's whole HA/DRS configuration as one YAML document",
		Long: `Write a cluster's HA and DRS configuration, rules, groups and overrides as
one YAML document (-o json for JSON). What vtui does not model (VM
dependency rules, advanced options) is under 'unmodeled', to read: apply
never changes it.`,
		Example: `  vtui cluster config export cluster-a > cluster-a.yaml`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCluster(cmd, args[0], func(cs *clusterSession) error {
				format := a.settings.Output
				if format != outputJSON {
					format = outputYAML
				}
				return writeValue(cmd.OutOrStdout(), format, cs.Config.Spec)
			})
		},
	}
	var file string
	var force bool
	apply := &cobra.Command{
		Use:   "apply CLUSTER -f FILE",
		Short: "Make a cluster's HA/DRS configuration what a YAML file says",
		Long: `Make a cluster's configuration what FILE (- for standard input) says, as
'vtui cluster config export' writes it: the difference is shown one field a
line, confirmed, then only that is sent.

The file is read strictly: an unknown key, a value of the wrong type or a
missing one is an error with its line and column. Its sections (ha, drs,
rules, vm_groups, host_groups, overrides) are each optional: a section the
file leaves out is left as it is, and a section it has is the whole truth,
so a rule missing from 'rules' is removed. 'cluster' must name CLUSTER.
'unmodeled' is never applied. With --dry-run only the difference is
written (-o json: [{path, from, to}]); export, then apply, changes nothing.`,
		Example: `  vtui cluster config export cluster-a > a.yaml
  $EDITOR a.yaml
  vtui cluster config apply cluster-a -f a.yaml --dry-run
  vtui cluster config apply cluster-a -f a.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if file == "" {
				return usageErrorf("-f FILE is required (- reads standard input)")
			}
			data, path, err := readInput(cmd, file)
			if err != nil {
				return err
			}
			var fromFile clusterspec.Config
			doc, err := strictyaml.Decode(path, data, &fromFile)
			if err != nil {
				return usageError{err}
			}
			return a.withCluster(cmd, args[0], func(cs *clusterSession) error {
				if fromFile.Cluster != cs.cluster.Name {
					return usageError{doc.Errorf([]string{"cluster"}, "this file is for cluster %q, not %q", fromFile.Cluster, cs.cluster.Name)}
				}
				if doc.Has("unmodeled") && !reflect.DeepEqual(fromFile.Unmodeled, cs.Config.Spec.Unmodeled) {
					fmt.Fprintf(cmd.ErrOrStderr(), "note: %s: unmodeled differs from the cluster's and is not applied: vtui never changes it\n", path)
				}
				return cs.reconfigure(force, clusterconf.Sections(fromFile, func(section string) bool { return doc.Has(section) }))
			})
		},
	}
	apply.Flags().StringVarP(&file, "file", "f", "", "the YAML file to apply, - for standard input")
	addForceFlag(apply.Flags(), &force)
	cmd.AddCommand(export, apply)
	return cmd
}

// readInput reads the file name, or standard input for "-", at most
// readlimit.Document bytes, and returns it with the name to report errors
// under. Every failure is bad input (exit 2).
func readInput(cmd *cobra.Command, name string) ([]byte, string, error) {
	var data []byte
	var err error
	if name == "-" {
		name = "<stdin>"
		data, err = readlimit.Reader(cmd.Context(), name, cmd.InOrStdin(), readlimit.Document)
	} else {
		data, err = readlimit.File(cmd.Context(), name, readlimit.Document)
	}
	if err != nil {
		return nil, "", usageErrorf("cluster config file: %w", err)
	}
	return data, name, nil
}

func newClusterCapacityCmd(a *app) *cobra.Command {
	var failures int
	cmd := &cobra.Command{
		Use:   "capacity CLUSTER [--failures N]",
		Short: "HA what-if: which VMs would restart where if hosts failed",
		Long: `For every host of the cluster, or every set of N hosts (N up to 3), that
fails: which powered-on VMs HA would restart and where, which it could not,
and why. Restarts go in restart-priority order (disabled never restarts) to
the compatible host with the most unreserved capacity; a VM needs its memory
reservation or else its configured memory, and its CPU reservation or else
its current demand; mandatory rules are kept, "should" rules broken when
they must be; dedicated failover hosts take restarts first.

It ends with a verdict, "tolerates N host failures: yes" or "no", and the
worst case. -o json prints {cluster, failures, tolerates, hosts,
usable_hosts, protected_vms, admission_control, admission, worst,
scenarios: [{failed, restarts, stranded, lost, free_memory_mb}]}. The exit
code is 0 either way: the what-if ran.`,
		Example: `  vtui cluster capacity cluster-a
  vtui cluster capacity cluster-a --failures 2 -o json | jq .tolerates`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if failures < 1 || failures > capacity.MaxFailures {
				return usageErrorf("--failures %d: want 1 to %d host failures", failures, capacity.MaxFailures)
			}
			return a.withCluster(cmd, args[0], func(cs *clusterSession) error {
				in, err := capacity.Gather(cs.cmd.Context(), cs.c, cs.inv, cs.Config)
				if err != nil {
					return err
				}
				r, err := capacity.Analyze(in, failures)
				if err != nil {
					return usageErrorf("%v", err)
				}
				if a.settings.Output != outputTable {
					return writeValue(cmd.OutOrStdout(), a.settings.Output, r)
				}
				return r.WriteText(cmd.OutOrStdout())
			})
		},
	}
	cmd.Flags().IntVar(&failures, "failures", 1, fmt.Sprintf("how many hosts fail at once (1 to %d)", capacity.MaxFailures))
	return cmd
}
