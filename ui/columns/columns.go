// Package columns defines how each kind of inventory object renders as a
// table row: titles, widths, units and sort order. The terminal UI and the
// CLI's tables share these, so a VM reads the same everywhere.
package columns

import (
	"cmp"
	"strconv"
	"strings"

	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/ui/table"
	"github.com/vtui/vtui/vsphere"
)

// Itoa renders an integer.
func Itoa[T ~int | ~int32 | ~int64](n T) string { return strconv.FormatInt(int64(n), 10) }

// Dash renders an empty string as "-".
func Dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// pct is a share in per mille, for sorting percentage columns.
func pct(part, whole int64) int64 {
	if whole <= 0 {
		return -1
	}
	return part * 1000 / whole
}

func byInt[T any](f func(T) int64) func(a, b T) int {
	return func(a, b T) int { return cmp.Compare(f(a), f(b)) }
}

// Clusters are the columns of a cluster list.
var Clusters = []table.Column[vsphere.Cluster]{
	{Title: "NAME", Width: 16, Cell: func(c vsphere.Cluster) string { return c.Name }},
	{Title: "DATACENTER", Width: 10, Cell: func(c vsphere.Cluster) string { return Dash(c.Datacenter) }},
	{Title: "HA", Width: 4, Cell: func(c vsphere.Cluster) string { return format.YesNo(c.HAEnabled) }},
	{Title: "DRS", Width: 4, Cell: func(c vsphere.Cluster) string { return format.YesNo(c.DRSEnabled) }},
	{Title: "HOSTS", Width: 6, Right: true, Cell: func(c vsphere.Cluster) string { return Itoa(c.HostCount) },
		Compare: byInt(func(c vsphere.Cluster) int64 { return int64(c.HostCount) })},
	{Title: "VMS", Width: 6, Right: true, Cell: func(c vsphere.Cluster) string { return Itoa(c.VMCount) },
		Compare: byInt(func(c vsphere.Cluster) int64 { return int64(c.VMCount) })},
	{Title: "CPU", Width: 9, Right: true, Cell: func(c vsphere.Cluster) string { return format.MHz(c.CPUMHz) },
		Compare: byInt(func(c vsphere.Cluster) int64 { return c.CPUMHz })},
	{Title: "CPU%", Width: 5, Right: true, Cell: func(c vsphere.Cluster) string { return format.Percent(c.CPUUsageMHz, c.CPUMHz) },
		Compare: byInt(func(c vsphere.Cluster) int64 { return pct(c.CPUUsageMHz, c.CPUMHz) })},
	{Title: "MEMORY", Width: 9, Right: true, Cell: func(c vsphere.Cluster) string { return format.MB(c.MemoryMB) },
		Compare: byInt(func(c vsphere.Cluster) int64 { return c.MemoryMB })},
	{Title: "MEM%", Width: 5, Right: true, Cell: func(c vsphere.Cluster) string { return format.Percent(c.MemoryUsageMB, c.MemoryMB) },
		Compare: byInt(func(c vsphere.Cluster) int64 { return pct(c.MemoryUsageMB, c.MemoryMB) })},
}

// Hosts are the columns of a host list.
var Hosts = []table.Column[vsphere.Host]{
	{Title: "NAME", Width: 20, Cell: func(h vsphere.Host) string { return h.Name }},
	{Title: "CLUSTER", Width: 12, Cell: func(h vsphere.Host) string { return Dash(h.Cluster) }},
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
	{Title: "VMS", Width: 5, Right: true, Cell: func(h vsphere.Host) string { return Itoa(h.VMCount) },
		Compare: byInt(func(h vsphere.Host) int64 { return int64(h.VMCount) })},
}

// VMs are the columns of a VM list.
var VMs = []table.Column[vsphere.VM]{
	{Title: "NAME", Width: 16, Cell: func(v vsphere.VM) string { return v.Name }},
	{Title: "POWER", Width: 10, Cell: func(v vsphere.VM) string { return v.PowerState }},
	{Title: "HOST", Width: 20, Cell: func(v vsphere.VM) string { return Dash(v.Host) }},
	{Title: "CLUSTER", Width: 10, Cell: func(v vsphere.VM) string { return Dash(v.Cluster) }},
	{Title: "CPUS", Width: 4, Right: true, Cell: func(v vsphere.VM) string { return Itoa(v.NumCPU) },
		Compare: byInt(func(v vsphere.VM) int64 { return int64(v.NumCPU) })},
	{Title: "MEMORY", Width: 8, Right: true, Cell: func(v vsphere.VM) string { return format.MB(int64(v.MemoryMB)) },
		Compare: byInt(func(v vsphere.VM) int64 { return int64(v.MemoryMB) })},
	{Title: "CPU USED", Width: 9, Right: true, Cell: func(v vsphere.VM) string { return format.MHz(int64(v.CPUUsageMHz)) },
		Compare: byInt(func(v vsphere.VM) int64 { return int64(v.CPUUsageMHz) })},
	{Title: "MEM%", Width: 5, Right: true, Cell: func(v vsphere.VM) string { return format.Percent(int64(v.MemoryUsageMB), int64(v.MemoryMB)) },
		Compare: byInt(func(v vsphere.VM) int64 { return pct(int64(v.MemoryUsageMB), int64(v.MemoryMB)) })},
	{Title: "IP", Width: 15, Cell: func(v vsphere.VM) string { return Dash(v.IPAddress) }},
	{Title: "DATASTORES", Width: 12, Cell: func(v vsphere.VM) string { return Dash(strings.Join(v.Datastores, ",")) }},
}

// Datastores are the columns of a datastore list.
var Datastores = []table.Column[vsphere.Datastore]{
	{Title: "NAME", Width: 16, Cell: func(d vsphere.Datastore) string { return d.Name }},
	{Title: "TYPE", Width: 6, Cell: func(d vsphere.Datastore) string { return d.Type }},
	{Title: "CAPACITY", Width: 9, Right: true, Cell: func(d vsphere.Datastore) string { return format.Bytes(d.CapacityBytes) },
		Compare: byInt(func(d vsphere.Datastore) int64 { return d.CapacityBytes })},
	{Title: "FREE", Width: 9, Right: true, Cell: func(d vsphere.Datastore) string { return format.Bytes(d.FreeBytes) },
		Compare: byInt(func(d vsphere.Datastore) int64 { return d.FreeBytes })},
	{Title: "FREE%", Width: 5, Right: true, Cell: func(d vsphere.Datastore) string { return format.Percent(d.FreeBytes, d.CapacityBytes) },
		Compare: byInt(func(d vsphere.Datastore) int64 { return pct(d.FreeBytes, d.CapacityBytes) })},
	{Title: "ACCESSIBLE", Width: 10, Cell: func(d vsphere.Datastore) string { return format.YesNo(d.Accessible) }},
	{Title: "HOSTS", Width: 5, Right: true, Cell: func(d vsphere.Datastore) string { return Itoa(d.HostCount) },
		Compare: byInt(func(d vsphere.Datastore) int64 { return int64(d.HostCount) })},
	{Title: "VMS", Width: 5, Right: true, Cell: func(d vsphere.Datastore) string { return Itoa(d.VMCount) },
		Compare: byInt(func(d vsphere.Datastore) int64 { return int64(d.VMCount) })},
}

// Networks are the columns of a network list.
var Networks = []table.Column[vsphere.Network]{
	{Title: "NAME", Width: 20, Cell: func(n vsphere.Network) string { return n.Name }},
	{Title: "TYPE", Width: 12, Cell: func(n vsphere.Network) string { return n.Type }},
	{Title: "HOSTS", Width: 5, Right: true, Cell: func(n vsphere.Network) string { return Itoa(n.HostCount) },
		Compare: byInt(func(n vsphere.Network) int64 { return int64(n.HostCount) })},
	{Title: "VMS", Width: 5, Right: true, Cell: func(n vsphere.Network) string { return Itoa(n.VMCount) },
		Compare: byInt(func(n vsphere.Network) int64 { return int64(n.VMCount) })},
}
