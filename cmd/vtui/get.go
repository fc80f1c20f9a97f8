package main

import (
	"context"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vtui/vtui/ui/columns"
	"github.com/vtui/vtui/vsphere"
)

// getKinds maps every accepted spelling of a kind to its canonical name.
var getKinds = map[string]string{
	"cluster": "clusters", "clusters": "clusters",
	"host": "hosts", "hosts": "hosts",
	"vm": "vms", "vms": "vms",
	"datastore": "datastores", "datastores": "datastores", "ds": "datastores",
	"network": "networks", "networks": "networks", "net": "networks",
	"task": "tasks", "tasks": "tasks",
	"event": "events", "events": "events",
}

const getKindList = "clusters, hosts, vms, datastores, networks, tasks, events"

// activity holds get's flags for tasks and events.
type activity struct {
	n     int
	types []string
}

func newGetCmd(a *app) *cobra.Command {
	var f vsphere.Filter
	var act activity
	cmd := &cobra.Command{
		Use:   "get KIND [NAME-GLOB]",
		Short: "List clusters, hosts, VMs, datastores, networks, tasks or events",
		Long: `List inventory objects, sorted by name, or recent tasks and events, newest
first.

KIND is one of: ` + getKindList + ` (singular forms, "ds" and "net" work too).
NAME-GLOB filters by name with shell wildcards (*, ?, [a-z]); quote it. For
tasks and events it matches the name of the object they are about.

The table is for people. For scripts, -o json prints an array of objects and
-o yaml a list; their snake_case field names are stable (see the README).`,
		Example: `  vtui get vms
  vtui get vms 'web-*' --cluster prod -o json
  vtui get hosts --cluster prod
  vtui get datastores --host esx01.lab.local
  vtui --simulator get clusters -o yaml
  vtui get tasks
  vtui get events -n 100 --type VmMigratedEvent --type DrsVmMigratedEvent`,
		Args:      cobra.RangeArgs(1, 2),
		ValidArgs: []string{"clusters", "hosts", "vms", "datastores", "networks", "tasks", "events"},
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, ok := getKinds[strings.ToLower(args[0])]
			if !ok {
				return usageErrorf("unknown kind %q (valid: %s)", args[0], getKindList)
			}
			if len(args) == 2 {
				f.Name = args[1]
			}
			if kind == "clusters" && f.Cluster != "" {
				return usageErrorf("--cluster does not apply to clusters; give the name as NAME-GLOB")
			}
			if err := act.check(cmd, kind, f); err != nil {
				return err
			}
			c, err := a.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close(context.WithoutCancel(cmd.Context()))
			if kind == "tasks" || kind == "events" {
				return writeActivity(cmd.Context(), cmd.OutOrStdout(), a.settings.Output, c, kind, f.Name, act)
			}
			inv, err := c.InventoryFor(cmd.Context(), vsphere.Listing(kind, f))
			if err != nil {
				return err
			}
			if err := f.Validate(inv); err != nil {
				return usageErrorf("%v", err)
			}
			return writeInventory(cmd.OutOrStdout(), a.settings.Output, kind, inv, f)
		},
	}
	cmd.Flags().StringVar(&f.Cluster, "cluster", "", "only objects in (or attached to hosts of) this cluster")
	cmd.Flags().StringVar(&f.Host, "host", "", "only objects on (or attached to) this host")
	cmd.Flags().IntVarP(&act.n, "limit", "n", 25, fmt.Sprintf("tasks and events: at most this many, newest first (events: up to %d)", vsphere.MaxEvents))
	cmd.Flags().StringSliceVar(&act.types, "type", nil, "events: only these types, e.g. VmMigratedEvent (repeat or separate with commas)")
	return cmd
}

// check rejects flags that do not apply to kind.
func (act activity) check(cmd *cobra.Command, kind string, f vsphere.Filter) error {
	isActivity := kind == "tasks" || kind == "events"
	switch {
	case isActivity && (f.Cluster != "" || f.Host != ""):
		return usageErrorf("--cluster and --host do not apply to %s; give the object name as NAME-GLOB", kind)
	case !isActivity && cmd.Flags().Changed("limit"):
		return usageErrorf("-n applies to tasks and events only")
	case kind != "events" && cmd.Flags().Changed("type"):
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

// writeActivity renders the newest tasks or events whose object matches
// the glob name.
func writeActivity(ctx context.Context, w io.Writer, output string, c *vsphere.Client, kind, name string, act activity) error {
	match := func(s string) bool {
		ok, _ := path.Match(name, s)
		return name == "" || ok
	}
	if kind == "tasks" {
		tasks, err := c.RecentTasks(ctx)
		if err != nil {
			return err
		}
		tasks = slices.DeleteFunc(tasks, func(t vsphere.Task) bool { return !match(t.Target) })
		return writeRows(w, output, tasks[:min(len(tasks), act.n)], taskColumns)
	}
	n := act.n
	if name != "" {
		n = vsphere.MaxEvents // filter the most the server serves, then cut
	}
	events, err := c.Events(ctx, n, act.types...)
	if err != nil {
		return err
	}
	events = slices.DeleteFunc(events, func(e vsphere.Event) bool { return !match(e.Object) })
	return writeRows(w, output, events[:min(len(events), act.n)], eventColumns)
}

// writeInventory renders the objects of one kind that f selects.
func writeInventory(w io.Writer, output, kind string, inv *vsphere.Inventory, f vsphere.Filter) error {
	switch kind {
	case "clusters":
		return writeRows(w, output, inv.FilterClusters(f), fromTable(columns.Clusters))
	case "hosts":
		return writeRows(w, output, inv.FilterHosts(f), fromTable(columns.Hosts))
	case "vms":
		return writeRows(w, output, inv.FilterVMs(f), fromTable(columns.VMs))
	case "datastores":
		return writeRows(w, output, inv.FilterDatastores(f), fromTable(columns.Datastores))
	case "networks":
		return writeRows(w, output, inv.FilterNetworks(f), fromTable(columns.Networks))
	}
	return usageErrorf("unknown kind %q (valid: %s)", kind, getKindList)
}

var orDash = columns.Dash

// stamp shows a time in the local zone to the second; "-" for none.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format(time.DateTime)
}

var taskColumns = []column[vsphere.Task]{
	{"QUEUED", func(t vsphere.Task) string { return stamp(t.Queued) }},
	{"NAME", func(t vsphere.Task) string { return t.Name }},
	{"TARGET", func(t vsphere.Task) string { return orDash(t.Target) }},
	{"STATE", func(t vsphere.Task) string { return t.State }},
	{"PROGRESS", func(t vsphere.Task) string { return columns.Itoa(t.Progress) + "%" }},
	{"USER", func(t vsphere.Task) string { return orDash(t.User) }},
	{"COMPLETED", func(t vsphere.Task) string { return stamp(t.Completed) }},
	{"ERROR", func(t vsphere.Task) string { return orDash(t.Error) }},
}

var eventColumns = []column[vsphere.Event]{
	{"TIME", func(e vsphere.Event) string { return stamp(e.Time) }},
	{"TYPE", func(e vsphere.Event) string { return e.Type }},
	{"OBJECT", func(e vsphere.Event) string { return orDash(e.Object) }},
	{"USER", func(e vsphere.Event) string { return orDash(e.User) }},
	{"MESSAGE", func(e vsphere.Event) string { return e.Message }},
}
