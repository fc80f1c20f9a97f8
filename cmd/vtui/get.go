package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vtui/vtui/internal/kinds"
	"github.com/vtui/vtui/vsphere"
)

// getKindList names the kinds get takes, in the registry's order.
func getKindList() string {
	var names []string
	for _, k := range kinds.All() {
		names = append(names, k.Name)
	}
	return strings.Join(names, ", ")
}

// activity holds get's flags for tasks and events.
type activity struct {
	n     int
	types []string
}

func newGetCmd(a *app) *cobra.Command {
	var f vsphere.Filter
	var act activity
	var olderThan string
	var across acrossFlags
	cmd := &cobra.Command{
		Use:   "get KIND [NAME-GLOB]",
		Short: "List clusters, hosts, VMs, datastores, networks, tasks, events, alarms or snapshots",
		Long: `List inventory objects, sorted by name, recent tasks and events, newest
first, the alarms triggered across the inventory, red before yellow and
newest first (all of them unless -n is given), or the VMs' snapshots.

KIND is one of: ` + getKindList() + ` (singular forms, "ds" and "net" work too).
NAME-GLOB filters by name with shell wildcards (*, ?, [a-z]); quote it. For
tasks, events and alarms it matches the name of the object they are about,
for snapshots the name of their VM; --older-than 30d (or 12h) keeps the
snapshots taken longer ago.

The table is for people. For scripts, -o json prints an array of objects and
-o yaml a list; their snake_case field names are stable (see the README).

--all-contexts (-A) asks every context of the config file at once: at most
--concurrency of them at a time, each within --timeout, connecting
included. Each context's password comes from its password-env or
password-file, or else the session an earlier vtui run kept; none is asked
for. The rows come grouped by context, in the order of the contexts' names,
each context's rows in the kind's order (-n counts per context); the table
gets a CONTEXT column first, JSON and YAML a "context" field first. A
context that fails or does not answer in time gets a line on stderr (which
context, its URL, what went wrong, what to do), the others' rows are
printed all the same, and vtui exits 1 after a "partial result" line.
--context, --url and --simulator pick one vCenter: not with -A.`,
		Example: `  vtui get vms
  vtui get vms 'web-*' --cluster prod -o json
  vtui get hosts --cluster prod
  vtui get datastores --host esx01.lab.local
  vtui --simulator get clusters -o yaml
  vtui get tasks
  vtui get events -n 100 --type VmMigratedEvent --type DrsVmMigratedEvent
  vtui get alarms
  vtui get alarms 'esx-*' -o json
  vtui get snapshots --older-than 30d
  vtui get vms 'web-*' --all-contexts
  vtui get alarms -A -o json --timeout 20s`,
		Args:              cobra.RangeArgs(1, 2),
		ValidArgsFunction: completeKind,
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, ok := kinds.Lookup(args[0])
			if !ok {
				return usageErrorf("unknown kind %q (valid: %s)", args[0], getKindList())
			}
			if len(args) == 2 {
				f.Name = args[1]
			}
			if kind.Name == kinds.Clusters && f.Cluster != "" {
				return usageErrorf("--cluster does not apply to clusters; give the name as NAME-GLOB")
			}
			if err := act.check(cmd, kind, f); err != nil {
				return err
			}
			if olderThan != "" {
				if kind.Name != kinds.Snapshots {
					return usageErrorf("--older-than applies to snapshots only")
				}
				age, err := parseAge(olderThan)
				if err != nil {
					return usageErrorf("--older-than: %v", err)
				}
				f.CreatedBefore = time.Now().Add(-age)
			}
			q := kinds.Query{Kind: kind, Filter: f, N: act.n, Types: act.types}
			if kind.Whole && !cmd.Flags().Changed("limit") {
				q.N = math.MaxInt
			}
			if across.all {
				return a.getAcross(cmd, q, across)
			}
			if err := across.checkOne(cmd); err != nil {
				return err
			}
			c, err := a.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close(context.WithoutCancel(cmd.Context()))
			rows, err := q.Rows(cmd.Context(), c)
			if fe := (*kinds.FilterError)(nil); errors.As(err, &fe) {
				return usageError{err}
			}
			if err != nil {
				return err
			}
			return writeRows(cmd.OutOrStdout(), a.settings.Output, rows, fromKind(kind.Printed))
		},
	}
	cmd.Flags().StringVar(&f.Cluster, "cluster", "", "only objects in (or attached to hosts of) this cluster")
	cmd.Flags().StringVar(&f.Host, "host", "", "only objects on (or attached to) this host")
	cmd.Flags().IntVarP(&act.n, "limit", "n", 25, fmt.Sprintf("tasks, events and alarms: at most this many, newest first (events: up to %d; alarms: all unless given)", vsphere.MaxEvents))
	cmd.Flags().StringVar(&olderThan, "older-than", "", "snapshots: only those taken longer ago than this, e.g. 30d or 12h")
	cmd.Flags().StringSliceVar(&act.types, "type", nil, "events: only these types, e.g. VmMigratedEvent (repeat or separate with commas)")
	across.register(cmd)
	return cmd
}

// completeKind completes get's first argument: the kinds' names.
func completeKind(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	var names []string
	for _, k := range kinds.All() {
		if len(args) == 0 && strings.HasPrefix(k.Name, toComplete) {
			names = append(names, k.Name)
		}
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}

// check rejects flags that do not apply to kind.
func (act activity) check(cmd *cobra.Command, kind kinds.Kind, f vsphere.Filter) error {
	isActivity := kind.Stream
	switch {
	case isActivity && (f.Cluster != "" || f.Host != ""):
		return usageErrorf("--cluster and --host do not apply to %s; give the object name as NAME-GLOB", kind.Name)
	case !isActivity && cmd.Flags().Changed("limit"):
		return usageErrorf("-n applies to tasks, events and alarms only")
	case kind.Name != kinds.Events && cmd.Flags().Changed("type"):
		return usageErrorf("--type applies to events only")
	case isActivity && act.n <= 0:
		return usageErrorf("-n must be at least 1, not %d", act.n)
	}
	if _, err := path.Match(f.Name, ""); isActivity && err != nil {
		return usageErrorf("invalid name pattern %q: %v (use *, ? and [a-z])", f.Name, err)
	}
	if err := vsphere.CheckEventTypes(act.types); err != nil {
		return usageError{err}
	}
	return nil
}
