package kinds

import "github.com/vtui/vtui/vsphere"

// NetworkList is the networks entry. It has no detail pane.
func NetworkList() Def[vsphere.Network] {
	return Def[vsphere.Network]{
		Name: Networks, Aliases: []string{"net", "network"},
		Load: func(f vsphere.Filter) vsphere.Load { return vsphere.Listing(vsphere.Load{Networks: vsphere.Rows}, f) },
		Rows: (*vsphere.Inventory).FilterNetworks,
		Key:  func(n vsphere.Network) string { return n.Name },
		Ref:  func(n vsphere.Network) vsphere.Ref { return n.Ref },
		Columns: []Column[vsphere.Network]{
			{Title: "NAME", Width: 20, Cell: func(n vsphere.Network) string { return n.Name }},
			{Title: "TYPE", Width: 12, Cell: func(n vsphere.Network) string { return n.Type }},
			{Title: "HOSTS", Width: 5, Right: true, Cell: func(n vsphere.Network) string { return itoa(n.HostCount) },
				Compare: byInt(func(n vsphere.Network) int64 { return int64(n.HostCount) })},
			{Title: "VMS", Width: 5, Right: true, Cell: func(n vsphere.Network) string { return itoa(n.VMCount) },
				Compare: byInt(func(n vsphere.Network) int64 { return int64(n.VMCount) })},
		},
		JSON: []string{"id", "name", "type", "host_count", "vm_count"},
	}
}
