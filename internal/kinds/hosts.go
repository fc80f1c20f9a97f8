package kinds

import (
	"fmt"

	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/vsphere"
)

// HostList is the hosts entry. Listing them loads the names of the
// clusters, datastores and networks their rows name.
func HostList() Def[vsphere.Host] {
	return Def[vsphere.Host]{
		Name: Hosts, Aliases: []string{"host"},
		Load: func(f vsphere.Filter) vsphere.Load {
			return vsphere.Listing(vsphere.Load{Hosts: vsphere.Rows, Clusters: vsphere.Names, Datastores: vsphere.Names, Networks: vsphere.Names}, f)
		},
		Rows: (*vsphere.Inventory).FilterHosts,
		Key:  func(h vsphere.Host) string { return h.Name },
		Ref:  func(h vsphere.Host) vsphere.Ref { return h.Ref },
		Columns: []Column[vsphere.Host]{
			{Title: "NAME", Width: 20, Cell: func(h vsphere.Host) string { return h.Name }},
			{Title: "CLUSTER", Width: 12, Cell: func(h vsphere.Host) string { return format.Dash(h.Cluster) }},
			{Title: "STATE", Width: 12, Cell: func(h vsphere.Host) string { return h.ConnectionState }},
			{Title: "POWER", Width: 9, Cell: func(h vsphere.Host) string { return h.PowerState }},
			{Title: "MAINT", Width: 5, Cell: func(h vsphere.Host) string { return format.YesNo(h.MaintenanceMode) }},
			{Title: "CPU", Width: 9, Right: true, Cell: func(h vsphere.Host) string { return format.MHz(h.CPUMHz) },
				Compare: byInt(func(h vsphere.Host) int64 { return h.CPUMHz })},
			{Title: "CPU%", Width: 5, Right: true, Cell: func(h vsphere.Host) string { return format.Percent(h.CPUUsageMHz, h.CPUMHz) },
				Compare: byInt(func(h vsphere.Host) int64 { return pct(h.CPUUsageMHz, h.CPUMHz) })},
			{Title: "MEMORY", Width: 9, Right: true, Cell: func(h vsphere.Host) string { return format.MB(h.MemoryMB) },
				Compare: byInt(func(h vsphere.Host) int64 { return h.MemoryMB })},
			{Title: "MEM%", Width: 5, Right: true, Cell: func(h vsphere.Host) string { return format.Percent(h.MemoryUsageMB, h.MemoryMB) },
				Compare: byInt(func(h vsphere.Host) int64 { return pct(h.MemoryUsageMB, h.MemoryMB) })},
			{Title: "VMS", Width: 5, Right: true, Cell: func(h vsphere.Host) string { return itoa(h.VMCount) },
				Compare: byInt(func(h vsphere.Host) int64 { return int64(h.VMCount) })},
		},
		JSON: []string{"id", "name", "cluster", "connection_state", "power_state", "maintenance_mode",
			"cpu_mhz", "memory_mb", "cpu_usage_mhz", "memory_usage_mb", "vm_count", "datastores", "networks"},
		Detail: func(inv *vsphere.Inventory, h vsphere.Host) []Field {
			var vms []string
			for _, v := range inv.FilterVMs(vsphere.Filter{Host: h.Name}) {
				vms = append(vms, v.Name+" ("+v.PowerState+")")
			}
			return fields(
				"Host", h.Name, "ID", h.ID, "Cluster", format.Dash(h.Cluster),
				"Connection", h.ConnectionState, "Power", h.PowerState, "Maintenance", format.YesNo(h.MaintenanceMode),
				"CPU", fmt.Sprintf("%s of %s (%s)", format.MHz(h.CPUUsageMHz), format.MHz(h.CPUMHz), format.Percent(h.CPUUsageMHz, h.CPUMHz)),
				"Memory", fmt.Sprintf("%s of %s (%s)", format.MB(h.MemoryUsageMB), format.MB(h.MemoryMB), format.Percent(h.MemoryUsageMB, h.MemoryMB)),
				"Datastores", list(h.Datastores), "Networks", list(h.Networks),
				"VMs", fmt.Sprintf("%d: %s", len(vms), list(vms)),
			)
		},
	}
}
