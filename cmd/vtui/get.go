package main

import (
	"context"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vtui/vtui/ui/format"
	"github.com/vtui/vtui/vsphere"
)

// getKinds maps every accepted spelling of a kind to its canonical name.
var getKinds = map[string]string{
	"cluster": "clusters", "clusters": "clusters",
	"host": "hosts", "hosts": "hosts",
	"vm": "vms", "vms": "vms",
	"datastore": "datastores", "datastores": "datastores", "ds": "datastores",
	"network": "networks", "networks": "networks", "net": "networks",
}

const getKindList = "clusters, hosts, vms, datastores, networks"

func newGetCmd(a *app) *cobra.Command {
	var f vsphere.Filter
	cmd := &cobra.Command{
		Use:   "get KIND [NAME-GLOB]",
		Short: "List clusters, hosts, VMs, datastores or networks",
		Long: `List inventory objects, sorted by name.

KIND is one of: ` + getKindList + ` (singular forms, "ds" and "net" work too).
NAME-GLOB filters by name with shell wildcards (*, ?, [a-z]); quote it.

The table is for people. For scripts, -o json prints an array of objects and
-o yaml a list; their snake_case field names are stable (see the README).`,
		Example: `  vtui get vms
  vtui get vms 'web-*' --cluster prod -o json
  vtui get hosts --cluster prod
  vtui get datastores --host esx01.lab.local
  vtui --simulator get clusters -o yaml`,
		Args:      cobra.RangeArgs(1, 2),
		ValidArgs: []string{"clusters", "hosts", "vms", "datastores", "networks"},
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
			c, err := a.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close(context.WithoutCancel(cmd.Context()))
			inv, err := c.Inventory(cmd.Context())
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
	return cmd
}

// writeInventory renders the objects of one kind that f selects.
func writeInventory(w io.Writer, output, kind string, inv *vsphere.Inventory, f vsphere.Filter) error {
	switch kind {
	case "clusters":
		return writeRows(w, output, inv.FilterClusters(f), clusterColumns)
	case "hosts":
		return writeRows(w, output, inv.FilterHosts(f), hostColumns)
	case "vms":
		return writeRows(w, output, inv.FilterVMs(f), vmColumns)
	case "datastores":
		return writeRows(w, output, inv.FilterDatastores(f), datastoreColumns)
	case "networks":
		return writeRows(w, output, inv.FilterNetworks(f), networkColumns)
	}
	return usageErrorf("unknown kind %q (valid: %s)", kind, getKindList)
}

func itoa[T ~int | ~int32 | ~int64](n T) string { return strconv.FormatInt(int64(n), 10) }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

var clusterColumns = []column[vsphere.Cluster]{
	{"NAME", func(c vsphere.Cluster) string { return c.Name }},
	{"DATACENTER", func(c vsphere.Cluster) string { return orDash(c.Datacenter) }},
	{"HA", func(c vsphere.Cluster) string { return format.YesNo(c.HAEnabled) }},
	{"DRS", func(c vsphere.Cluster) string { return format.YesNo(c.DRSEnabled) }},
	{"HOSTS", func(c vsphere.Cluster) string { return itoa(c.HostCount) }},
	{"VMS", func(c vsphere.Cluster) string { return itoa(c.VMCount) }},
	{"CPU", func(c vsphere.Cluster) string { return format.MHz(c.CPUMHz) }},
	{"CPU%", func(c vsphere.Cluster) string { return format.Percent(c.CPUUsageMHz, c.CPUMHz) }},
	{"MEMORY", func(c vsphere.Cluster) string { return format.MB(c.MemoryMB) }},
	{"MEM%", func(c vsphere.Cluster) string { return format.Percent(c.MemoryUsageMB, c.MemoryMB) }},
}

var hostColumns = []column[vsphere.Host]{
	{"NAME", func(h vsphere.Host) string { return h.Name }},
	{"CLUSTER", func(h vsphere.Host) string { return orDash(h.Cluster) }},
	{"STATE", func(h vsphere.Host) string { return h.ConnectionState }},
	{"POWER", func(h vsphere.Host) string { return h.PowerState }},
	{"MAINT", func(h vsphere.Host) string { return format.YesNo(h.MaintenanceMode) }},
	{"CPU", func(h vsphere.Host) string { return format.MHz(h.CPUMHz) }},
	{"CPU%", func(h vsphere.Host) string { return format.Percent(h.CPUUsageMHz, h.CPUMHz) }},
	{"MEMORY", func(h vsphere.Host) string { return format.MB(h.MemoryMB) }},
	{"MEM%", func(h vsphere.Host) string { return format.Percent(h.MemoryUsageMB, h.MemoryMB) }},
	{"VMS", func(h vsphere.Host) string { return itoa(h.VMCount) }},
}

var vmColumns = []column[vsphere.VM]{
	{"NAME", func(v vsphere.VM) string { return v.Name }},
	{"POWER", func(v vsphere.VM) string { return v.PowerState }},
	{"HOST", func(v vsphere.VM) string { return orDash(v.Host) }},
	{"CLUSTER", func(v vsphere.VM) string { return orDash(v.Cluster) }},
	{"CPUS", func(v vsphere.VM) string { return itoa(v.NumCPU) }},
	{"MEMORY", func(v vsphere.VM) string { return format.MB(int64(v.MemoryMB)) }},
	{"CPU USED", func(v vsphere.VM) string { return format.MHz(int64(v.CPUUsageMHz)) }},
	{"MEM%", func(v vsphere.VM) string { return format.Percent(int64(v.MemoryUsageMB), int64(v.MemoryMB)) }},
	{"IP", func(v vsphere.VM) string { return orDash(v.IPAddress) }},
	{"DATASTORES", func(v vsphere.VM) string { return orDash(strings.Join(v.Datastores, ",")) }},
}

var datastoreColumns = []column[vsphere.Datastore]{
	{"NAME", func(d vsphere.Datastore) string { return d.Name }},
	{"TYPE", func(d vsphere.Datastore) string { return d.Type }},
	{"CAPACITY", func(d vsphere.Datastore) string { return format.Bytes(d.CapacityBytes) }},
	{"FREE", func(d vsphere.Datastore) string { return format.Bytes(d.FreeBytes) }},
	{"FREE%", func(d vsphere.Datastore) string { return format.Percent(d.FreeBytes, d.CapacityBytes) }},
	{"ACCESSIBLE", func(d vsphere.Datastore) string { return format.YesNo(d.Accessible) }},
	{"HOSTS", func(d vsphere.Datastore) string { return itoa(d.HostCount) }},
	{"VMS", func(d vsphere.Datastore) string { return itoa(d.VMCount) }},
}

var networkColumns = []column[vsphere.Network]{
	{"NAME", func(n vsphere.Network) string { return n.Name }},
	{"TYPE", func(n vsphere.Network) string { return n.Type }},
	{"HOSTS", func(n vsphere.Network) string { return itoa(n.HostCount) }},
	{"VMS", func(n vsphere.Network) string { return itoa(n.VMCount) }},
}
