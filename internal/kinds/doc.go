// Package kinds is the one registry of the kinds of object vtui lists:
// clusters, hosts, VMs, datastores, networks, tasks, events, triggered
// alarms and snapshots. Each entry holds a kind's name and aliases, what
// it loads from vSphere, how its rows read as columns (in the terminal UI
// and in vtui get's table), its JSON field names, its detail pane and the
// managed object a row shows (Ref), which describe reads. Related builds
// an object's related-objects tree from the same rows.
//
// vtui get, the terminal UI's ":" prompt and views, Tab completion and
// shell completion all read this registry, so adding a kind is one entry
// here (a file of its own) plus its loader in vsphere.
//
// The package knows no face: it imports neither bubbletea, cobra nor
// govmomi, only vsphere's plain types (with vsphere/clusterspec's rules)
// and internal/format.
package kinds
