package kinds

import (
	"fmt"

	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/vsphere"
)

// DatastoreList is the datastores entry.
func DatastoreList() Def[vsphere.Datastore] {
	return Def[vsphere.Datastore]{
		Name: Datastores, Aliases: []string{"ds", "datastore"},
		Load: func(f vsphere.Filter) vsphere.Load { return vsphere.Listing(vsphere.Load{Datastores: vsphere.Rows}, f) },
		Rows: (*vsphere.Inventory).FilterDatastores,
		Key:  func(d vsphere.Datastore) string { return d.Name },
		Ref:  func(d vsphere.Datastore) vsphere.Ref { return d.Ref },
		Columns: []Column[vsphere.Datastore]{
			{Title: "NAME", Width: 16, Cell: func(d vsphere.Datastore) string { return d.Name }},
			{Title: "TYPE", Width: 6, Cell: func(d vsphere.Datastore) string { return d.Type }},
			{Title: "CAPACITY", Width: 9, Right: true, Cell: func(d vsphere.Datastore) string { return format.Bytes(d.CapacityBytes) },
				Compare: byInt(func(d vsphere.Datastore) int64 { return d.CapacityBytes })},
			{Title: "FREE", Width: 9, Right: true, Cell: func(d vsphere.Datastore) string { return format.Bytes(d.FreeBytes) },
				Compare: byInt(func(d vsphere.Datastore) int64 { return d.FreeBytes })},
			{Title: "FREE%", Width: 5, Right: true, Cell: func(d vsphere.Datastore) string { return format.Percent(d.FreeBytes, d.CapacityBytes) },
				Compare: byInt(func(d vsphere.Datastore) int64 { return pct(d.FreeBytes, d.CapacityBytes) })},
			{Title: "ACCESSIBLE", Width: 10, Cell: func(d vsphere.Datastore) string { return format.YesNo(d.Accessible) }},
			{Title: "HOSTS", Width: 5, Right: true, Cell: func(d vsphere.Datastore) string { return itoa(d.HostCount) },
				Compare: byInt(func(d vsphere.Datastore) int64 { return int64(d.HostCount) })},
			{Title: "VMS", Width: 5, Right: true, Cell: func(d vsphere.Datastore) string { return itoa(d.VMCount) },
				Compare: byInt(func(d vsphere.Datastore) int64 { return int64(d.VMCount) })},
		},
		JSON: []string{"id", "name", "type", "capacity_bytes", "free_bytes", "accessible", "host_count", "vm_count"},
		Detail: func(_ *vsphere.Inventory, d vsphere.Datastore) []Field {
			return fields(
				"Datastore", d.Name, "ID", d.ID, "Type", d.Type, "Accessible", format.YesNo(d.Accessible),
				"Capacity", format.Bytes(d.CapacityBytes), "Free", fmt.Sprintf("%s (%s)", format.Bytes(d.FreeBytes), format.Percent(d.FreeBytes, d.CapacityBytes)),
				"Hosts", itoa(d.HostCount), "VMs", itoa(d.VMCount),
			)
		},
	}
}
