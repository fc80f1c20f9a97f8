package ui

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/ui/columns"
	"github.com/vtui/vtui/ui/format"
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
)

// source is everything a view can show rows from.
type source struct {
	inv      *vsphere.Inventory
	scope    vsphere.Filter
	tasks    []vsphere.Task
	events   []vsphere.Event
	contexts []string
	current  string
}

// field is one line of the detail pane.
type field struct{ key, value string }

// pane is one view's table, whatever its row type.
type pane interface {
	load(src source)
	setSize(w, h int)
	setFilter(s string)
	filter() string
	setStale(bool)
	update(tea.Msg) pane
	view() string
	selected() (name string, ok bool)
	len() int
	total() int
	detail(src source) []field
}

// resource is a pane over rows of type T.
type resource[T any] struct {
	t       table.Model[T]
	rows    func(source) []T
	name    func(T) string
	details func(source, T) []field
}

func (r *resource[T]) load(src source)    { r.t.SetRows(r.rows(src)) }
func (r *resource[T]) setSize(w, h int)   { r.t.SetSize(w, h) }
func (r *resource[T]) setFilter(s string) { r.t.SetFilter(s) }
func (r *resource[T]) filter() string     { return r.t.Filter() }
func (r *resource[T]) setStale(b bool)    { r.t.SetStale(b) }
func (r *resource[T]) view() string       { return r.t.View() }
func (r *resource[T]) len() int           { return r.t.Len() }
func (r *resource[T]) total() int         { return r.t.Total() }
func (r *resource[T]) update(msg tea.Msg) pane {
	r.t, _ = r.t.Update(msg)
	return r
}

func (r *resource[T]) selected() (string, bool) {
	row, ok := r.t.Selected()
	if !ok {
		return "", false
	}
	return r.name(row), true
}

func (r *resource[T]) detail(src source) []field {
	row, ok := r.t.Selected()
	if !ok || r.details == nil {
		return nil
	}
	return r.details(src, row)
}

func newResource[T any](cols []table.Column[T], name func(T) string, rows func(source) []T, details func(source, T) []field, keys table.KeyMap, st table.Styles) *resource[T] {
	return &resource[T]{t: table.New(cols, name, keys, st), rows: rows, name: name, details: details}
}

// newPanes builds one pane per kind.
func newPanes(keys table.KeyMap, st table.Styles) map[Kind]pane {
	return map[Kind]pane{
		Clusters: newResource(columns.Clusters, func(c vsphere.Cluster) string { return c.Name },
			func(s source) []vsphere.Cluster { return invOr(s).FilterClusters(s.scope) }, clusterDetail, keys, st),
		Hosts: newResource(columns.Hosts, func(h vsphere.Host) string { return h.Name },
			func(s source) []vsphere.Host { return invOr(s).FilterHosts(s.scope) }, hostDetail, keys, st),
		VMs: newResource(columns.VMs, func(v vsphere.VM) string { return v.Name },
			func(s source) []vsphere.VM { return invOr(s).FilterVMs(s.scope) }, vmDetail, keys, st),
		Datastores: newResource(columns.Datastores, func(d vsphere.Datastore) string { return d.Name },
			func(s source) []vsphere.Datastore { return invOr(s).FilterDatastores(s.scope) }, datastoreDetail, keys, st),
		Networks: newResource(columns.Networks, func(n vsphere.Network) string { return n.Name },
			func(s source) []vsphere.Network { return invOr(s).FilterNetworks(s.scope) }, nil, keys, st),
		Tasks: sortedBy("STARTED", true, newResource(taskColumns, func(t vsphere.Task) string { return t.ID },
			func(s source) []vsphere.Task { return s.tasks }, taskDetail, keys, st)),
		Events: sortedBy("TIME", true, newResource(eventColumns, func(e vsphere.Event) string { return strconv.Itoa(int(e.Key)) },
			func(s source) []vsphere.Event { return s.events }, eventDetail, keys, st)),
		Contexts: newResource(contextColumns, func(c contextRow) string { return c.name },
			contextRows, nil, keys, st),
	}
}

// sortedBy sets a pane's initial sort.
func sortedBy[T any](col string, desc bool, r *resource[T]) *resource[T] {
	r.t.SortBy(col, desc)
	return r
}

func invOr(s source) *vsphere.Inventory {
	if s.inv == nil {
		return &vsphere.Inventory{}
	}
	return s.inv
}

type contextRow struct {
	name    string
	current bool
}

func contextRows(s source) []contextRow {
	rows := make([]contextRow, len(s.contexts))
	for i, c := range s.contexts {
		rows[i] = contextRow{name: c, current: c == s.current}
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

func clusterDetail(s source, c vsphere.Cluster) []field {
	return []field{
		{"Cluster", c.Name}, {"ID", c.ID}, {"Datacenter", columns.Dash(c.Datacenter)},
		{"HA", onOff(c.HAEnabled)}, {"DRS", onOff(c.DRSEnabled)},
		{"Hosts", columns.Itoa(c.HostCount)}, {"VMs", columns.Itoa(c.VMCount)},
		{"CPU", fmt.Sprintf("%s of %s (%s)", format.MHz(c.CPUUsageMHz), format.MHz(c.CPUMHz), format.Percent(c.CPUUsageMHz, c.CPUMHz))},
		{"Memory", fmt.Sprintf("%s of %s (%s)", format.MB(c.MemoryUsageMB), format.MB(c.MemoryMB), format.Percent(c.MemoryUsageMB, c.MemoryMB))},
	}
}

func hostDetail(s source, h vsphere.Host) []field {
	var vms []string
	for _, v := range invOr(s).FilterVMs(vsphere.Filter{Host: h.Name}) {
		vms = append(vms, v.Name+" ("+v.PowerState+")")
	}
	return []field{
		{"Host", h.Name}, {"ID", h.ID}, {"Cluster", columns.Dash(h.Cluster)},
		{"Connection", h.ConnectionState}, {"Power", h.PowerState}, {"Maintenance", format.YesNo(h.MaintenanceMode)},
		{"CPU", fmt.Sprintf("%s of %s (%s)", format.MHz(h.CPUUsageMHz), format.MHz(h.CPUMHz), format.Percent(h.CPUUsageMHz, h.CPUMHz))},
		{"Memory", fmt.Sprintf("%s of %s (%s)", format.MB(h.MemoryUsageMB), format.MB(h.MemoryMB), format.Percent(h.MemoryUsageMB, h.MemoryMB))},
		{"Datastores", list(h.Datastores)}, {"Networks", list(h.Networks)},
		{"VMs", fmt.Sprintf("%d: %s", len(vms), list(vms))},
	}
}

func vmDetail(_ source, v vsphere.VM) []field {
	return []field{
		{"VM", v.Name}, {"ID", v.ID}, {"Power", v.PowerState}, {"Host", columns.Dash(v.Host)}, {"Cluster", columns.Dash(v.Cluster)},
		{"Datastores", list(v.Datastores)}, {"Networks", list(v.Networks)}, {"IP", columns.Dash(v.IPAddress)},
		{"CPUs", columns.Itoa(v.NumCPU)}, {"Memory", format.MB(int64(v.MemoryMB))},
		{"CPU used", format.MHz(int64(v.CPUUsageMHz))}, {"Memory used", format.MB(int64(v.MemoryUsageMB))},
		{"Tools", columns.Dash(v.ToolsStatus)}, {"Instance UUID", columns.Dash(v.InstanceUUID)}, {"Template", format.YesNo(v.Template)},
	}
}

func datastoreDetail(s source, d vsphere.Datastore) []field {
	return []field{
		{"Datastore", d.Name}, {"ID", d.ID}, {"Type", d.Type}, {"Accessible", format.YesNo(d.Accessible)},
		{"Capacity", format.Bytes(d.CapacityBytes)}, {"Free", fmt.Sprintf("%s (%s)", format.Bytes(d.FreeBytes), format.Percent(d.FreeBytes, d.CapacityBytes))},
		{"Hosts", columns.Itoa(d.HostCount)}, {"VMs", columns.Itoa(d.VMCount)},
	}
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

func taskDetail(_ source, t vsphere.Task) []field {
	return []field{
		{"Task", t.Name}, {"ID", t.ID}, {"Target", columns.Dash(t.Target)}, {"State", t.State},
		{"Progress", progressBar(t)}, {"User", columns.Dash(t.User)}, {"Queued", clock(t.Queued)},
		{"Started", clock(t.Started)}, {"Completed", clock(t.Completed)}, {"Error", columns.Dash(t.Error)},
	}
}

func eventDetail(_ source, e vsphere.Event) []field {
	return []field{
		{"Event", e.Type}, {"Key", columns.Itoa(e.Key)}, {"Time", e.Time.Local().Format(time.RFC3339)},
		{"Object", columns.Dash(e.Object)}, {"User", columns.Dash(e.User)}, {"Message", e.Message},
	}
}
