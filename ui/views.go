package ui

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/ui/columns"
	"github.com/vtui/vtui/ui/common"
	"github.com/vtui/vtui/ui/listview"
	"github.com/vtui/vtui/ui/table"
	"github.com/vtui/vtui/vsphere"
)

// Kind names a view.
type Kind string

// The views.
const (
	Clusters   Kind = "clusters"
	Hosts      Kind = "hosts"
	VMs        Kind = "vms"
	Datastores Kind = "datastores"
	Networks   Kind = "networks"
	Tasks      Kind = "tasks"
	Events     Kind = "events"
	Contexts   Kind = "contexts"
	// HA is a cluster's HA/DRS panel, not a list.
	HA Kind = "ha"
)

// intents are what the views' keys ask the root for; each view raises
// them with common.Common.Emit.
type (
	// openMsg opens a view one level down: a cluster's hosts, a host's VMs.
	openMsg struct{ loc location }
	// switchContextMsg connects to another context.
	switchContextMsg struct{ name string }
	// migrateMsg opens the target picker for VMs.
	migrateMsg struct{ vmSet }
	// powerMsg opens the power menu for VMs.
	powerMsg struct{ vmSet }
	// maintenanceMsg asks to toggle the maintenance mode of hosts.
	maintenanceMsg struct{ hosts []vsphere.Host }
	// haMsg opens a cluster's HA/DRS panel.
	haMsg struct{ cluster vsphere.Cluster }
)

// view is what the root needs of a view: a component it routes to, lays
// out and fills with data.
type view interface {
	common.Component
	Load(listview.Source)
	SetStale(bool)
}

// listView is a view of rows, which / filters, space marks and the
// header counts.
type listView interface {
	view
	SetFilter(string)
	Filter() string
	Len() int
	Total() int
	Marks() int
	ClearMarks()
}

// capturer is a view that, while it edits, takes every key before the
// root does (the HA/DRS panel's form).
type capturer interface {
	view
	Capturing() bool
}

// newViews builds one list view per kind. Each declares its rows, its
// detail pane, where Enter leads and its own keys: the VM view owns m and
// p, the host view M, the cluster view h.
func newViews(c common.Common) map[Kind]view {
	k := c.Keys
	return map[Kind]view{
		Clusters: listview.New(c, listview.Kind[vsphere.Cluster]{
			Columns: columns.Clusters, Name: func(c vsphere.Cluster) string { return c.Name },
			Rows:   func(s listview.Source) []vsphere.Cluster { return invOr(s).FilterClusters(s.Scope) },
			Detail: clusterDetail,
			Open: func(c vsphere.Cluster) tea.Msg {
				return openMsg{location{kind: Hosts, scope: vsphere.Filter{Cluster: c.Name}, label: c.Name}}
			},
			Actions: []listview.Action[vsphere.Cluster]{
				{Key: k.HA, Do: func(c vsphere.Cluster, _ []vsphere.Cluster) tea.Msg { return haMsg{c} }},
			},
		}),
		Hosts: listview.New(c, listview.Kind[vsphere.Host]{
			Columns: columns.Hosts, Name: func(h vsphere.Host) string { return h.Name },
			Rows:   func(s listview.Source) []vsphere.Host { return invOr(s).FilterHosts(s.Scope) },
			Detail: hostDetail,
			Open: func(h vsphere.Host) tea.Msg {
				return openMsg{location{kind: VMs, scope: vsphere.Filter{Host: h.Name}, label: h.Name}}
			},
			Actions: []listview.Action[vsphere.Host]{
				{Key: k.Maintenance, Do: func(sel vsphere.Host, marked []vsphere.Host) tea.Msg { return maintenanceMsg{actedOn(sel, marked)} }},
			},
		}),
		VMs: listview.New(c, listview.Kind[vsphere.VM]{
			Columns: columns.VMs, Name: func(v vsphere.VM) string { return v.Name },
			Rows:   func(s listview.Source) []vsphere.VM { return invOr(s).FilterVMs(s.Scope) },
			Detail: vmDetail,
			Actions: []listview.Action[vsphere.VM]{
				{Key: k.Migrate, Do: func(sel vsphere.VM, marked []vsphere.VM) tea.Msg { return migrateMsg{vmsOf(actedOn(sel, marked))} }},
				{Key: k.Power, Do: func(sel vsphere.VM, marked []vsphere.VM) tea.Msg { return powerMsg{vmsOf(actedOn(sel, marked))} }},
			},
		}),
		Datastores: listview.New(c, listview.Kind[vsphere.Datastore]{
			Columns: columns.Datastores, Name: func(d vsphere.Datastore) string { return d.Name },
			Rows:   func(s listview.Source) []vsphere.Datastore { return invOr(s).FilterDatastores(s.Scope) },
			Detail: datastoreDetail,
			Open: func(d vsphere.Datastore) tea.Msg {
				return openMsg{location{kind: VMs, scope: vsphere.Filter{Datastore: d.Name}, label: d.Name}}
			},
		}),
		Networks: listview.New(c, listview.Kind[vsphere.Network]{
			Columns: columns.Networks, Name: func(n vsphere.Network) string { return n.Name },
			Rows: func(s listview.Source) []vsphere.Network { return invOr(s).FilterNetworks(s.Scope) },
			Open: func(n vsphere.Network) tea.Msg {
				return openMsg{location{kind: VMs, scope: vsphere.Filter{Network: n.Name}, label: n.Name}}
			},
		}),
		Tasks: listview.New(c, listview.Kind[vsphere.Task]{
			Columns: taskColumns, Name: func(t vsphere.Task) string { return t.ID },
			Rows:   func(s listview.Source) []vsphere.Task { return s.Tasks },
			Detail: taskDetail, SortBy: "STARTED", SortDesc: true,
		}),
		Events: listview.New(c, listview.Kind[vsphere.Event]{
			Columns: eventColumns, Name: func(e vsphere.Event) string { return strconv.Itoa(int(e.Key)) },
			Rows:   func(s listview.Source) []vsphere.Event { return s.Events },
			Detail: eventDetail, SortBy: "TIME", SortDesc: true,
		}),
		Contexts: listview.New(c, listview.Kind[contextRow]{
			Columns: contextColumns, Name: func(c contextRow) string { return c.name },
			Rows: contextRows,
			Open: func(c contextRow) tea.Msg { return switchContextMsg{c.name} },
		}),
	}
}

// vmSet is the VMs a key acts on, and their names for its dialogs.
type vmSet struct {
	vms   []vsphere.Ref
	names []string
}

// actedOn returns the marked rows, or the selected one when none is
// marked: what a key acts on.
func actedOn[T any](selected T, marked []T) []T {
	if len(marked) == 0 {
		return []T{selected}
	}
	return marked
}

// vmsOf returns vms as a vmSet.
func vmsOf(vms []vsphere.VM) vmSet {
	var out vmSet
	for _, v := range vms {
		out.vms, out.names = append(out.vms, v.Ref), append(out.names, v.Name)
	}
	return out
}

func invOr(s listview.Source) *vsphere.Inventory {
	if s.Inventory == nil {
		return &vsphere.Inventory{}
	}
	return s.Inventory
}

type contextRow struct {
	name    string
	current bool
}

func contextRows(s listview.Source) []contextRow {
	rows := make([]contextRow, len(s.Contexts))
	for i, c := range s.Contexts {
		rows[i] = contextRow{name: c, current: c == s.Current}
	}
	return rows
}

var contextColumns = []table.Column[contextRow]{
	{Title: "NAME", Width: 30, Cell: func(c contextRow) string { return c.name }},
	{Title: "CURRENT", Width: 8, Cell: func(c contextRow) string {
		if c.current {
			return "*"
		}
		return ""
	}},
}

func clusterDetail(s listview.Source, c vsphere.Cluster) []listview.Field {
	return fields(
		"Cluster", c.Name, "ID", c.ID, "Datacenter", columns.Dash(c.Datacenter),
		"HA", onOff(c.HAEnabled), "DRS", onOff(c.DRSEnabled),
		"Hosts", columns.Itoa(c.HostCount), "VMs", columns.Itoa(c.VMCount),
		"CPU", fmt.Sprintf("%s of %s (%s)", format.MHz(c.CPUUsageMHz), format.MHz(c.CPUMHz), format.Percent(c.CPUUsageMHz, c.CPUMHz)),
		"Memory", fmt.Sprintf("%s of %s (%s)", format.MB(c.MemoryUsageMB), format.MB(c.MemoryMB), format.Percent(c.MemoryUsageMB, c.MemoryMB)),
	)
}

func hostDetail(s listview.Source, h vsphere.Host) []listview.Field {
	var vms []string
	for _, v := range invOr(s).FilterVMs(vsphere.Filter{Host: h.Name}) {
		vms = append(vms, v.Name+" ("+v.PowerState+")")
	}
	return fields(
		"Host", h.Name, "ID", h.ID, "Cluster", columns.Dash(h.Cluster),
		"Connection", h.ConnectionState, "Power", h.PowerState, "Maintenance", format.YesNo(h.MaintenanceMode),
		"CPU", fmt.Sprintf("%s of %s (%s)", format.MHz(h.CPUUsageMHz), format.MHz(h.CPUMHz), format.Percent(h.CPUUsageMHz, h.CPUMHz)),
		"Memory", fmt.Sprintf("%s of %s (%s)", format.MB(h.MemoryUsageMB), format.MB(h.MemoryMB), format.Percent(h.MemoryUsageMB, h.MemoryMB)),
		"Datastores", list(h.Datastores), "Networks", list(h.Networks),
		"VMs", fmt.Sprintf("%d: %s", len(vms), list(vms)),
	)
}

func vmDetail(_ listview.Source, v vsphere.VM) []listview.Field {
	return fields(
		"VM", v.Name, "ID", v.ID, "Power", v.PowerState, "Host", columns.Dash(v.Host), "Cluster", columns.Dash(v.Cluster),
		"Datastores", list(v.Datastores), "Networks", list(v.Networks), "IP", columns.Dash(v.IPAddress),
		"CPUs", columns.Itoa(v.NumCPU), "Memory", format.MB(int64(v.MemoryMB)),
		"CPU used", format.MHz(int64(v.CPUUsageMHz)), "Memory used", format.MB(int64(v.MemoryUsageMB)),
		"Tools", columns.Dash(v.ToolsStatus), "Instance UUID", columns.Dash(v.InstanceUUID), "Template", format.YesNo(v.Template),
	)
}

func datastoreDetail(s listview.Source, d vsphere.Datastore) []listview.Field {
	return fields(
		"Datastore", d.Name, "ID", d.ID, "Type", d.Type, "Accessible", format.YesNo(d.Accessible),
		"Capacity", format.Bytes(d.CapacityBytes), "Free", fmt.Sprintf("%s (%s)", format.Bytes(d.FreeBytes), format.Percent(d.FreeBytes, d.CapacityBytes)),
		"Hosts", columns.Itoa(d.HostCount), "VMs", columns.Itoa(d.VMCount),
	)
}

// fields pairs keys and values into detail lines:
// fields("Host", h.Name, "ID", h.ID).
func fields(kv ...string) []listview.Field {
	out := make([]listview.Field, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, listview.Field{Key: kv[i], Value: kv[i+1]})
	}
	return out
}

func onOff(b bool) string {
	if b {
		return "enabled"
	}
	return "disabled"
}

func list(s []string) string {
	if len(s) == 0 {
		return "-"
	}
	return strings.Join(slices.Clone(s), ", ")
}

// progressBar draws a task's progress in ten cells: [#####     ] 50%.
func progressBar(t vsphere.Task) string {
	switch t.State {
	case vsphere.TaskSuccess:
		return "done"
	case vsphere.TaskError:
		return "failed"
	case vsphere.TaskQueued:
		return "queued"
	}
	n := max(min(t.Progress/10, 10), 0)
	return "[" + strings.Repeat("#", n) + strings.Repeat(" ", 10-n) + "] " + columns.Itoa(t.Progress) + "%"
}

func clock(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("15:04:05")
}

var taskColumns = []table.Column[vsphere.Task]{
	{Title: "STARTED", Width: 8, Cell: func(t vsphere.Task) string { return clock(t.Queued) },
		Compare: func(a, b vsphere.Task) int { return a.Queued.Compare(b.Queued) }},
	{Title: "TASK", Width: 18, Cell: func(t vsphere.Task) string { return t.Name }},
	{Title: "TARGET", Width: 18, Cell: func(t vsphere.Task) string { return columns.Dash(t.Target) }},
	{Title: "PROGRESS", Width: 16, Cell: progressBar},
	{Title: "USER", Width: 10, Cell: func(t vsphere.Task) string { return columns.Dash(t.User) }},
	{Title: "RESULT", Width: 20, Grow: true, Cell: func(t vsphere.Task) string { return columns.Dash(t.Error) }},
}

var eventColumns = []table.Column[vsphere.Event]{
	{Title: "TIME", Width: 8, Cell: func(e vsphere.Event) string { return clock(e.Time) },
		Compare: func(a, b vsphere.Event) int { return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.Key, b.Key)) }},
	{Title: "TYPE", Width: 22, Cell: func(e vsphere.Event) string { return e.Type }},
	{Title: "OBJECT", Width: 16, Cell: func(e vsphere.Event) string { return columns.Dash(e.Object) }},
	{Title: "MESSAGE", Width: 30, Grow: true, Cell: func(e vsphere.Event) string { return e.Message }},
}

func taskDetail(_ listview.Source, t vsphere.Task) []listview.Field {
	return fields(
		"Task", t.Name, "ID", t.ID, "Target", columns.Dash(t.Target), "State", t.State,
		"Progress", progressBar(t), "User", columns.Dash(t.User), "Queued", clock(t.Queued),
		"Started", clock(t.Started), "Completed", clock(t.Completed), "Error", columns.Dash(t.Error),
	)
}

func eventDetail(_ listview.Source, e vsphere.Event) []listview.Field {
	return fields(
		"Event", e.Type, "Key", columns.Itoa(e.Key), "Time", e.Time.Local().Format(time.RFC3339),
		"Object", columns.Dash(e.Object), "User", columns.Dash(e.User), "Message", e.Message,
	)
}
