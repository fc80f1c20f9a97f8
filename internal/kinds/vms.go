package kinds

import (
	"strings"

	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/vsphere"
)

// VMList is the VMs entry. Listing them loads only the names of the
// hosts, clusters, datastores and networks their rows name.
func VMList() Def[vsphere.VM] {
	return Def[vsphere.VM]{
		Name: VMs, Aliases: []string{"vm"},
		Load: func(f vsphere.Filter) vsphere.Load {
			return vsphere.Listing(vsphere.Load{VMs: vsphere.Rows, Hosts: vsphere.Names, Clusters: vsphere.Names, Datastores: vsphere.Names, Networks: vsphere.Names}, f)
		},
		Rows: (*vsphere.Inventory).FilterVMs,
		Key:  func(v vsphere.VM) string { return v.Name },
		Ref:  func(v vsphere.VM) vsphere.Ref { return v.Ref },
		Columns: []Column[vsphere.VM]{
			{Title: "NAME", Width: 16, Cell: func(v vsphere.VM) string { return v.Name }},
			{Title: "POWER", Width: 10, Cell: func(v vsphere.VM) string { return v.PowerState }},
			{Title: "HOST", Width: 20, Cell: func(v vsphere.VM) string { return format.Dash(v.Host) }},
			{Title: "CLUSTER", Width: 10, GiveWay: 2, Cell: func(v vsphere.VM) string { return format.Dash(v.Cluster) }},
			{Title: "CPUS", Width: 4, Right: true, Cell: func(v vsphere.VM) string { return itoa(v.NumCPU) },
				Compare: byInt(func(v vsphere.VM) int64 { return int64(v.NumCPU) })},
			{Title: "MEMORY", Width: 8, Right: true, Cell: func(v vsphere.VM) string { return format.MB(int64(v.MemoryMB)) },
				Compare: byInt(func(v vsphere.VM) int64 { return int64(v.MemoryMB) })},
			{Title: "CPU USED", Width: 9, Right: true, Cell: func(v vsphere.VM) string { return format.MHz(int64(v.CPUUsageMHz)) },
				Compare: byInt(func(v vsphere.VM) int64 { return int64(v.CPUUsageMHz) })},
			{Title: "MEM%", Width: 5, Right: true, Cell: func(v vsphere.VM) string { return format.Percent(int64(v.MemoryUsageMB), int64(v.MemoryMB)) },
				Compare: byInt(func(v vsphere.VM) int64 { return pct(int64(v.MemoryUsageMB), int64(v.MemoryMB)) })},
			{Title: "IP", Width: 15, Cell: func(v vsphere.VM) string { return format.Dash(v.IPAddress) }},
			{Title: "DATASTORES", Width: 12, GiveWay: 1, Cell: func(v vsphere.VM) string { return format.Dash(strings.Join(v.Datastores, ",")) }},
		},
		JSON: []string{"id", "name", "power_state", "host", "cluster", "datastores", "networks", "num_cpu",
			"memory_mb", "cpu_usage_mhz", "memory_usage_mb", "ip_address", "tools_status", "instance_uuid", "template"},
		Detail: func(_ *vsphere.Inventory, v vsphere.VM) []Field {
			return append(fields(
				"VM", v.Name, "ID", v.ID, "Power", v.PowerState, "Host", format.Dash(v.Host), "Cluster", format.Dash(v.Cluster),
				"Datastores", list(v.Datastores), "Networks", list(v.Networks), "IP", format.Dash(v.IPAddress),
				"CPUs", itoa(v.NumCPU), "Memory", format.MB(int64(v.MemoryMB)),
				"CPU used", format.MHz(int64(v.CPUUsageMHz)), "Memory used", format.MB(int64(v.MemoryUsageMB)),
				"Tools", format.Dash(v.ToolsStatus), "Instance UUID", format.Dash(v.InstanceUUID), "Template", format.YesNo(v.Template),
			), snapshotTree(v)...)
		},
	}
}
