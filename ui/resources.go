package ui

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

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
		Clusters: newResource(clusterColumns, func(c vsphere.Cluster) string { return c.Name },
			func(s source) []vsphere.Cluster { return invOr(s).FilterClusters(s.scope) }, clusterDetail, keys, st),
		Hosts: newResource(hostColumns, func(h vsphere.Host) string { return h.Name },
			func(s source) []vsphere.Host { return invOr(s).FilterHosts(s.scope) }, hostDetail, keys, st),
		VMs: newResource(vmColumns, func(v vsphere.VM) string { return v.Name },
			func(s source) []vsphere.VM { return invOr(s).FilterVMs(s.scope) }, vmDetail, keys, st),
		Datastores: newResource(datastoreColumns, func(d vsphere.Datastore) string { return d.Name },
			func(s source) []vsphere.Datastore { return invOr(s).FilterDatastores(s.scope) }, datastoreDetail, keys, st),
		Networks: newResource(networkColumns, func(n vsphere.Network) string { return n.Name },
			func(s source) []vsphere.Network { return invOr(s).FilterNetworks(s.scope) }, nil, keys, st),
		Tasks: newResource(taskColumns, func(t vsphere.Task) string { return t.ID },
			func(s source) []vsphere.Task { return s.tasks }, taskDetail, keys, st),
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

func itoa[T ~int | ~int32 | ~int64](n T) string { return strconv.FormatInt(int64(n), 10) }

func dash(s string) string {
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

var clusterColumns = []table.Column[vsphere.Cluster]{
	{Title: "NAME", Width: 16, Cell: func(c vsphere.Cluster) string { return c.Name }},
	{Title: "DATACENTER", Width: 10, Cell: func(c vsphere.Cluster) string { return dash(c.Datacenter) }},
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
}

var hostColumns = []table.Column[vsphere.Host]{
	{Title: "NAME", Width: 20, Cell: func(h vsphere.Host) string { return h.Name }},
	{Title: "CLUSTER", Width: 12, Cell: func(h vsphere.Host) string { return dash(h.Cluster) }},
	{Title: "STATE", Width: 12, Cell: func(h vsphere.Host) string { return h.ConnectionState }},
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
}

var vmColumns = []table.Column[vsphere.VM]{
	{Title: "NAME", Width: 16, Cell: func(v vsphere.VM) string { return v.Name }},
	{Title: "POWER", Width: 10, Cell: func(v vsphere.VM) string { return v.PowerState }},
	{Title: "HOST", Width: 20, Cell: func(v vsphere.VM) string { return dash(v.Host) }},
	{Title: "CLUSTER", Width: 10, Cell: func(v vsphere.VM) string { return dash(v.Cluster) }},
	{Title: "CPUS", Width: 4, Right: true, Cell: func(v vsphere.VM) string { return itoa(v.NumCPU) },
		Compare: byInt(func(v vsphere.VM) int64 { return int64(v.NumCPU) })},
	{Title: "MEMORY", Width: 8, Right: true, Cell: func(v vsphere.VM) string { return format.MB(int64(v.MemoryMB)) },
		Compare: byInt(func(v vsphere.VM) int64 { return int64(v.MemoryMB) })},
	{Title: "CPU USED", Width: 9, Right: true, Cell: func(v vsphere.VM) string { return format.MHz(int64(v.CPUUsageMHz)) },
		Compare: byInt(func(v vsphere.VM) int64 { return int64(v.CPUUsageMHz) })},
	{Title: "MEM%", Width: 5, Right: true, Cell: func(v vsphere.VM) string { return format.Percent(int64(v.MemoryUsageMB), int64(v.MemoryMB)) },
		Compare: byInt(func(v vsphere.VM) int64 { return pct(int64(v.MemoryUsageMB), int64(v.MemoryMB)) })},
	{Title: "IP", Width: 15, Cell: func(v vsphere.VM) string { return dash(v.IPAddress) }},
}

var datastoreColumns = []table.Column[vsphere.Datastore]{
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
}

var networkColumns = []table.Column[vsphere.Network]{
	{Title: "NAME", Width: 20, Cell: func(n vsphere.Network) string { return n.Name }},
	{Title: "TYPE", Width: 12, Cell: func(n vsphere.Network) string { return n.Type }},
	{Title: "HOSTS", Width: 5, Right: true, Cell: func(n vsphere.Network) string { return itoa(n.HostCount) },
		Compare: byInt(func(n vsphere.Network) int64 { return int64(n.HostCount) })},
	{Title: "VMS", Width: 5, Right: true, Cell: func(n vsphere.Network) string { return itoa(n.VMCount) },
		Compare: byInt(func(n vsphere.Network) int64 { return int64(n.VMCount) })},
}

func clusterDetail(s source, c vsphere.Cluster) []field {
	return []field{
		{"Cluster", c.Name}, {"ID", c.ID}, {"Datacenter", dash(c.Datacenter)},
		{"HA", onOff(c.HAEnabled)}, {"DRS", onOff(c.DRSEnabled)},
		{"Hosts", itoa(c.HostCount)}, {"VMs", itoa(c.VMCount)},
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
		{"Host", h.Name}, {"ID", h.ID}, {"Cluster", dash(h.Cluster)},
		{"Connection", h.ConnectionState}, {"Power", h.PowerState}, {"Maintenance", format.YesNo(h.MaintenanceMode)},
		{"CPU", fmt.Sprintf("%s of %s (%s)", format.MHz(h.CPUUsageMHz), format.MHz(h.CPUMHz), format.Percent(h.CPUUsageMHz, h.CPUMHz))},
		{"Memory", fmt.Sprintf("%s of %s (%s)", format.MB(h.MemoryUsageMB), format.MB(h.MemoryMB), format.Percent(h.MemoryUsageMB, h.MemoryMB))},
		{"Datastores", list(h.Datastores)}, {"Networks", list(h.Networks)},
		{"VMs", fmt.Sprintf("%d: %s", len(vms), list(vms))},
	}
}

func vmDetail(_ source, v vsphere.VM) []field {
	return []field{
		{"VM", v.Name}, {"ID", v.ID}, {"Power", v.PowerState}, {"Host", dash(v.Host)}, {"Cluster", dash(v.Cluster)},
		{"Datastores", list(v.Datastores)}, {"Networks", list(v.Networks)}, {"IP", dash(v.IPAddress)},
		{"CPUs", itoa(v.NumCPU)}, {"Memory", format.MB(int64(v.MemoryMB))},
		{"CPU used", format.MHz(int64(v.CPUUsageMHz))}, {"Memory used", format.MB(int64(v.MemoryUsageMB))},
		{"Tools", dash(v.ToolsStatus)}, {"Instance UUID", dash(v.InstanceUUID)}, {"Template", format.YesNo(v.Template)},
	}
}

func datastoreDetail(s source, d vsphere.Datastore) []field {
	return []field{
		{"Datastore", d.Name}, {"ID", d.ID}, {"Type", d.Type}, {"Accessible", format.YesNo(d.Accessible)},
		{"Capacity", format.Bytes(d.CapacityBytes)}, {"Free", fmt.Sprintf("%s (%s)", format.Bytes(d.FreeBytes), format.Percent(d.FreeBytes, d.CapacityBytes))},
		{"Hosts", itoa(d.HostCount)}, {"VMs", itoa(d.VMCount)},
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
	return "[" + strings.Repeat("#", n) + strings.Repeat(" ", 10-n) + "] " + itoa(t.Progress) + "%"
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
	{Title: "TARGET", Width: 18, Cell: func(t vsphere.Task) string { return dash(t.Target) }},
	{Title: "PROGRESS", Width: 16, Cell: progressBar},
	{Title: "USER", Width: 10, Cell: func(t vsphere.Task) string { return dash(t.User) }},
	{Title: "RESULT", Width: 20, Grow: true, Cell: func(t vsphere.Task) string { return dash(t.Error) }},
}

var eventColumns = []table.Column[vsphere.Event]{
	{Title: "TIME", Width: 8, Cell: func(e vsphere.Event) string { return clock(e.Time) },
		Compare: func(a, b vsphere.Event) int { return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.Key, b.Key)) }},
	{Title: "TYPE", Width: 22, Cell: func(e vsphere.Event) string { return e.Type }},
	{Title: "OBJECT", Width: 16, Cell: func(e vsphere.Event) string { return dash(e.Object) }},
	{Title: "MESSAGE", Width: 30, Grow: true, Cell: func(e vsphere.Event) string { return e.Message }},
}

func taskDetail(_ source, t vsphere.Task) []field {
	return []field{
		{"Task", t.Name}, {"ID", t.ID}, {"Target", dash(t.Target)}, {"State", t.State},
		{"Progress", progressBar(t)}, {"User", dash(t.User)}, {"Queued", clock(t.Queued)},
		{"Started", clock(t.Started)}, {"Completed", clock(t.Completed)}, {"Error", dash(t.Error)},
	}
}

func eventDetail(_ source, e vsphere.Event) []field {
	return []field{
		{"Event", e.Type}, {"Key", itoa(e.Key)}, {"Time", e.Time.Local().Format(time.RFC3339)},
		{"Object", dash(e.Object)}, {"User", dash(e.User)}, {"Message", e.Message},
	}
}
