package kinds

import (
	"fmt"

	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/vsphere"
)

// ClusterList is the clusters entry. Listing them loads only the
// clusters: their own summary counts their hosts and VMs.
func ClusterList() Def[vsphere.Cluster] {
	return Def[vsphere.Cluster]{
		Name: Clusters, Aliases: []string{"cluster"},
		Load: func(f vsphere.Filter) vsphere.Load { return vsphere.Listing(vsphere.Load{Clusters: vsphere.Rows}, f) },
		Rows: (*vsphere.Inventory).FilterClusters,
		Key:  func(c vsphere.Cluster) string { return c.Name },
		Ref:  func(c vsphere.Cluster) vsphere.Ref { return c.Ref },
		Columns: []Column[vsphere.Cluster]{
			{Title: "NAME", Width: 16, Cell: func(c vsphere.Cluster) string { return c.Name }},
			{Title: "DATACENTER", Width: 10, Cell: func(c vsphere.Cluster) string { return format.Dash(c.Datacenter) }},
			{Title: "HA", Width: 4, Cell: func(c vsphere.Cluster) string { return format.YesNo(c.HAEnabled) }},
			{Title: "DRS", Width: 4, Cell: func(c vsphere.Cluster) string { return format.YesNo(c.DRSEnabled) }},
			{Title: "HOSTS", Width: 6, Right: true, Cell: func(c vsphere.Cluster) string { return itoa(c.HostCount) },
				Compare: byInt(func(c vsphere.Cluster) int64 { return int64(c.HostCount) })},
			{Title: "VMS", Width: 6, Right: true, Cell: func(c vsphere.Cluster) string { return itoa(c.VMCount) },
				Compare: byInt(func(c vsphere.Cluster) int64 { return int64(c.VMCount) })},
			{Title: "CPU", Width: 9, Right: true, Cell: func(c vsphere.Cluster) string { return format.MHz(c.CPUMHz) },
				Compare: byInt(func(c vsphere.Cluster) int64 { return c.CPUMHz })},
			{Title: "CPU%", Width: 5, Right: true, Cell: func(c vsphere.Cluster) string { return format.Percent(c.CPUUsageMHz, c.CPUMHz) },
				Compare: byInt(func(c vsphere.Cluster) int64 { return pct(c.CPUUsageMHz, c.CPUMHz) })},
			{Title: "MEMORY", Width: 9, Right: true, Cell: func(c vsphere.Cluster) string { return format.MB(c.MemoryMB) },
				Compare: byInt(func(c vsphere.Cluster) int64 { return c.MemoryMB })},
			{Title: "MEM%", Width: 5, Right: true, Cell: func(c vsphere.Cluster) string { return format.Percent(c.MemoryUsageMB, c.MemoryMB) },
				Compare: byInt(func(c vsphere.Cluster) int64 { return pct(c.MemoryUsageMB, c.MemoryMB) })},
		},
		JSON: []string{"id", "name", "datacenter", "ha_enabled", "drs_enabled", "host_count", "vm_count",
			"cpu_mhz", "memory_mb", "cpu_usage_mhz", "memory_usage_mb"},
		Detail: func(_ *vsphere.Inventory, c vsphere.Cluster) []Field {
			return fields(
				"Cluster", c.Name, "ID", c.ID, "Datacenter", format.Dash(c.Datacenter),
				"HA", onOff(c.HAEnabled), "DRS", onOff(c.DRSEnabled),
				"Hosts", itoa(c.HostCount), "VMs", itoa(c.VMCount),
				"CPU", fmt.Sprintf("%s of %s (%s)", format.MHz(c.CPUUsageMHz), format.MHz(c.CPUMHz), format.Percent(c.CPUUsageMHz, c.CPUMHz)),
				"Memory", fmt.Sprintf("%s of %s (%s)", format.MB(c.MemoryUsageMB), format.MB(c.MemoryMB), format.Percent(c.MemoryUsageMB, c.MemoryMB)),
			)
		},
	}
}
