package ui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/internal/fleet"
	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/internal/kinds"
	"github.com/vtui/vtui/ui/common"
	"github.com/vtui/vtui/ui/listview"
	"github.com/vtui/vtui/ui/perfchart"
	"github.com/vtui/vtui/ui/table"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
)

// Kind names a view: a kind of the registry (internal/kinds), or one of
// the views that are not kinds (contexts, the HA/DRS panel).
type Kind string

// The views.
const (
	Clusters   Kind = kinds.Clusters
	Hosts      Kind = kinds.Hosts
	VMs        Kind = kinds.VMs
	Datastores Kind = kinds.Datastores
	Networks   Kind = kinds.Networks
	Tasks      Kind = kinds.Tasks
	Events     Kind = kinds.Events
	Alarms     Kind = kinds.Alarms
	Snapshots  Kind = kinds.Snapshots
	Contexts   Kind = "contexts"
	// HA is a cluster's HA/DRS panel, not a list.
	HA Kind = "ha"
	// Charts is a host's or VM's performance charts, not a list.
	Charts Kind = "charts"
	// Describe is an object's properties as YAML, and Related its
	// related-objects tree; neither is a list.
	Describe Kind = "describe"
	Related  Kind = "related"
	// Overview is the pulse of the whole vCenter (:overview, :pulse).
	Overview Kind = "overview"
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
	// chartMsg opens a host's or VM's performance charts.
	chartMsg struct{ entity perfchart.Entity }
	// alarmMsg asks to acknowledge triggered alarms, or reset them to
	// green (op).
	alarmMsg struct {
		op     gate.Op
		alarms []vsphere.Alarm
	}
	// snapshotMsg asks to take a snapshot of VMs.
	snapshotMsg struct{ vmSet }
	// revertMsg asks to revert a VM to its snapshot.
	revertMsg struct{ snapshot vsphere.Snapshot }
	// removeSnapshotsMsg asks to remove snapshots.
	removeSnapshotsMsg struct{ snapshots []vsphere.Snapshot }
	// openInContextMsg opens the view of kind in context, at the row
	// whose key is key: Enter in a view across contexts.
	openInContextMsg struct {
		context string
		kind    Kind
		key     string
	}
	// notAcrossMsg is a key of a view across contexts that acts in one
	// context only: what it does (what, key), on the row name of context.
	notAcrossMsg struct{ what, key, name, context string }
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
	Position() (row int, scrolls bool)
	Marks() int
	ClearMarks()
	Select(name string) bool
	SetActivity(tasks []vsphere.Task, events []vsphere.Event)
}

// capturer is a view that, while it edits, takes every key before the
// root does (the HA/DRS panel's form).
type capturer interface {
	view
	Capturing() bool
}

// newViews builds one list view per kind, from its entry in the
// registry (internal/kinds) and what the view adds: where Enter leads
// and its own keys. The VM view owns m and p, the host view M, the
// cluster view h; both VMs and hosts c (charts), and their detail pane
// shows pane's small charts.
func newViews(c common.Common, pane *perfchart.Pane) map[Kind]view {
	k := c.Keys
	return map[Kind]view{
		Clusters: viewOf(c, kinds.ClusterList(), listview.Kind[vsphere.Cluster]{
			Open: func(c vsphere.Cluster) tea.Msg {
				return openMsg{location{kind: Hosts, scope: vsphere.Filter{Cluster: c.Name}, label: c.Name}}
			},
			Actions: []listview.Action[vsphere.Cluster]{
				{Key: k.HA, Do: func(c vsphere.Cluster, _ []vsphere.Cluster) tea.Msg { return haMsg{c} }},
			},
		}),
		Hosts: viewOf(c, kinds.HostList(), listview.Kind[vsphere.Host]{
			Open: func(h vsphere.Host) tea.Msg {
				return openMsg{location{kind: VMs, scope: vsphere.Filter{Host: h.Name}, label: h.Name}}
			},
			Actions: []listview.Action[vsphere.Host]{
				{Key: k.Maintenance, Do: func(sel vsphere.Host, marked []vsphere.Host) tea.Msg { return maintenanceMsg{actedOn(sel, marked)} }},
				{Key: k.Chart, Do: func(sel vsphere.Host, _ []vsphere.Host) tea.Msg { return chartMsg{hostEntity(sel)} }},
			},
			Extra: func(h vsphere.Host, width int) string { return pane.View(h.Ref, width) },
		}),
		VMs: viewOf(c, kinds.VMList(), listview.Kind[vsphere.VM]{
			Same: vsphere.VM.Equal, // 45,000 rows: read again only those a change touched
			// Unscoped, the inventory's own rows, not a copy: the table only
			// reads them, and an inventory never changes. At 45,000 VMs a
			// copy was 18 MB a state, and states whose VM rows did not
			// change share them (the table then has nothing to do).
			Rows: func(s listview.Source) []vsphere.VM {
				if s.Scope == (vsphere.Filter{}) {
					return invOr(s).VMs
				}
				return invOr(s).FilterVMs(s.Scope)
			},
			Actions: []listview.Action[vsphere.VM]{
				{Key: k.Migrate, Do: func(sel vsphere.VM, marked []vsphere.VM) tea.Msg { return migrateMsg{vmsOf(actedOn(sel, marked))} }},
				{Key: k.Power, Do: func(sel vsphere.VM, marked []vsphere.VM) tea.Msg { return powerMsg{vmsOf(actedOn(sel, marked))} }},
				{Key: k.Chart, Do: func(sel vsphere.VM, _ []vsphere.VM) tea.Msg { return chartMsg{vmEntity(sel)} }},
				{Key: k.Snapshot, Do: func(sel vsphere.VM, marked []vsphere.VM) tea.Msg { return snapshotMsg{vmsOf(actedOn(sel, marked))} }},
			},
			Extra: func(v vsphere.VM, width int) string { return pane.View(v.Ref, width) },
		}),
		Snapshots: viewOf(c, kinds.SnapshotList(), listview.Kind[vsphere.Snapshot]{
			Open: func(s vsphere.Snapshot) tea.Msg {
				return openMsg{location{kind: VMs, scope: vsphere.Filter{Name: s.VM}, label: s.VM}}
			},
			Actions: []listview.Action[vsphere.Snapshot]{
				{Key: k.Revert, Do: func(sel vsphere.Snapshot, _ []vsphere.Snapshot) tea.Msg { return revertMsg{sel} }},
				{Key: k.RemoveSnapshot, Do: func(sel vsphere.Snapshot, marked []vsphere.Snapshot) tea.Msg {
					return removeSnapshotsMsg{actedOn(sel, marked)}
				}},
			},
		}),
		Datastores: viewOf(c, kinds.DatastoreList(), listview.Kind[vsphere.Datastore]{
			Open: func(d vsphere.Datastore) tea.Msg {
				return openMsg{location{kind: VMs, scope: vsphere.Filter{Datastore: d.Name}, label: d.Name}}
			},
		}),
		Networks: viewOf(c, kinds.NetworkList(), listview.Kind[vsphere.Network]{
			Open: func(n vsphere.Network) tea.Msg {
				return openMsg{location{kind: VMs, scope: vsphere.Filter{Network: n.Name}, label: n.Name}}
			},
		}),
		Tasks: viewOf(c, kinds.TaskList(), listview.Kind[vsphere.Task]{
			Rows: func(s listview.Source) []vsphere.Task { return s.Tasks },
		}),
		Events: viewOf(c, kinds.EventList(), listview.Kind[vsphere.Event]{
			Rows: func(s listview.Source) []vsphere.Event { return s.Events },
		}),
		Alarms: viewOf(c, kinds.AlarmList(), listview.Kind[vsphere.Alarm]{
			Rows: func(s listview.Source) []vsphere.Alarm { return s.Alarms },
			Open: openEntity,
			Actions: []listview.Action[vsphere.Alarm]{
				{Key: k.Acknowledge, Do: func(sel vsphere.Alarm, marked []vsphere.Alarm) tea.Msg {
					return alarmMsg{gate.OpAcknowledgeAlarm, actedOn(sel, marked)}
				}},
				{Key: k.ResetAlarm, Do: func(sel vsphere.Alarm, marked []vsphere.Alarm) tea.Msg {
					return alarmMsg{gate.OpResetAlarm, actedOn(sel, marked)}
				}},
			},
		}),
		Contexts: listview.New(c, listview.Kind[contextRow]{
			Columns: contextColumns, Name: func(c contextRow) string { return c.name },
			Rows: contextRows,
			Open: func(c contextRow) tea.Msg { return switchContextMsg{c.name} },
		}),
	}
}

// viewOf builds the view of the kind d with what the view adds to it in
// k: where Enter leads, its own keys, and a stream's rows, which come
// from the source; the kind's rows unless k has its own.
func viewOf[T any](c common.Common, d kinds.Def[T], k listview.Kind[T]) *listview.Model[T] {
	k.Columns, k.Name, k.Ref, k.SortBy, k.SortDesc = table.FromKind(d.Columns), d.Key, d.Ref, d.SortBy, d.SortDesc
	if d.Rows != nil && k.Rows == nil {
		k.Rows = func(s listview.Source) []T { return d.Rows(invOr(s), s.Scope) }
	}
	switch {
	case d.Detail != nil && d.Ref != nil && d.Rows != nil:
		k.Detail = func(s listview.Source, row T) []kinds.Field {
			return append(d.Detail(invOr(s), row), kinds.History(s.Tasks, s.Events, d.Ref(row), historyRows)...)
		}
	case d.Detail != nil:
		k.Detail = func(s listview.Source, row T) []kinds.Field { return d.Detail(invOr(s), row) }
	}
	return listview.New(c, k)
}

// acrossView is a kind's view across contexts. It counts each context's
// rows, which the status bar shows, and keeps each context's rows while
// its inventory is the same, so that a live change in one context lists
// only that one again.
type acrossView[T any] struct {
	*listview.Model[kinds.Tagged[*T]]
	rows   map[string]int
	listed map[string]listed[T]
}

// listed are a context's rows, from inv within scope.
type listed[T any] struct {
	inv   *vsphere.Inventory
	scope vsphere.Filter
	rows  []*T
}

// Rows returns how many rows each context has in the view.
func (v *acrossView[T]) Rows() map[string]int { return v.rows }

// acrossViewOf builds the view across contexts of the kind d: its rows
// are every answering context's, tagged (kinds.AcrossContexts); Enter
// opens a row in its own context, where the kind's keys act; those keys
// (acting, one context's) here say so and do nothing.
func acrossViewOf[T any](c common.Common, d kinds.Def[T], acting []key.Binding) *acrossView[T] {
	ad := kinds.AcrossContexts(d)
	v := &acrossView[T]{listed: map[string]listed[T]{}}
	list := func(name string, inv *vsphere.Inventory, scope vsphere.Filter) []*T {
		if l, ok := v.listed[name]; ok && l.inv == inv && l.scope == scope {
			return l.rows
		}
		rows := d.Rows(inv, scope)
		ptrs := make([]*T, len(rows))
		for i := range rows {
			ptrs[i] = &rows[i]
		}
		v.listed[name] = listed[T]{inv: inv, scope: scope, rows: ptrs}
		return ptrs
	}
	k := listview.Kind[kinds.Tagged[*T]]{
		Columns: table.FromKind(ad.Columns), Name: ad.Key, Ref: ad.Ref, SortBy: ad.SortBy, SortDesc: ad.SortDesc,
		Context: func(r kinds.Tagged[*T]) string { return r.Context },
		Rows: func(s listview.Source) []kinds.Tagged[*T] {
			v.rows = map[string]int{}
			var answers []fleet.Result[[]*T]
			for _, name := range s.Contexts {
				if inv := s.Across[name]; inv != nil {
					rows := list(name, inv, s.Scope)
					v.rows[name] = len(rows)
					answers = append(answers, fleet.Result[[]*T]{Context: name, Value: rows})
				}
			}
			for name := range v.listed {
				if s.Across[name] == nil {
					delete(v.listed, name) // down or left: its rows go
				}
			}
			rows, _, _ := kinds.Merge(answers) // no answer here is a failure
			return rows
		},
		Open: func(r kinds.Tagged[*T]) tea.Msg {
			return openInContextMsg{context: r.Context, kind: Kind(d.Name), key: d.Key(*r.Row)}
		},
	}
	if ad.Detail != nil {
		k.Detail = func(s listview.Source, r kinds.Tagged[*T]) []kinds.Field {
			return ad.Detail(invOr(listview.Source{Inventory: s.Across[r.Context]}), r)
		}
	}
	for _, b := range acting {
		h := b.Help()
		k.Actions = append(k.Actions, listview.Action[kinds.Tagged[*T]]{
			Key: key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(h.Key, h.Desc+" (enter: in its context first)")),
			Do: func(sel kinds.Tagged[*T], _ []kinds.Tagged[*T]) tea.Msg {
				return notAcrossMsg{what: h.Desc, key: h.Key, name: d.Key(*sel.Row), context: sel.Context}
			},
		})
	}
	v.Model = listview.New(c, k)
	return v
}

// newAcrossViews builds the views across contexts: one per inventory
// kind. The keys of each kind's own view (in views) act in one context
// only: there they say so.
func newAcrossViews(c common.Common, views map[Kind]view) map[Kind]view {
	acting := func(k Kind) []key.Binding { return views[k].ShortHelp() }
	return map[Kind]view{
		Clusters:   acrossViewOf(c, kinds.ClusterList(), acting(Clusters)),
		Hosts:      acrossViewOf(c, kinds.HostList(), acting(Hosts)),
		VMs:        acrossViewOf(c, kinds.VMList(), acting(VMs)),
		Datastores: acrossViewOf(c, kinds.DatastoreList(), acting(Datastores)),
		Networks:   acrossViewOf(c, kinds.NetworkList(), acting(Networks)),
		Snapshots:  acrossViewOf(c, kinds.SnapshotList(), acting(Snapshots)),
	}
}

// historyRows is how many of its recent tasks, and of its events, an
// object's detail pane shows.
const historyRows = 5

// entityViews are the views of the kinds of entity an alarm is
// triggered on, by vsphere.Alarm.EntityType.
var entityViews = map[string]Kind{"vm": VMs, "host": Hosts, "cluster": Clusters, "datastore": Datastores, "network": Networks}

// openEntity opens the view of the entity an alarm is triggered on,
// narrowed to it; nil for an entity no view lists (a folder).
func openEntity(a vsphere.Alarm) tea.Msg {
	kind, ok := entityViews[a.EntityType]
	if !ok {
		return nil
	}
	return openMsg{location{kind: kind, scope: vsphere.Filter{Name: a.EntityName}, label: a.EntityName}}
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
	about   listview.ContextInfo
}

func contextRows(s listview.Source) []contextRow {
	rows := make([]contextRow, len(s.Contexts))
	for i, c := range s.Contexts {
		rows[i] = contextRow{name: c, current: c == s.Current, about: s.About[c]}
	}
	return rows
}

var contextColumns = []table.Column[contextRow]{
	{Title: "NAME", Width: 16, Cell: func(c contextRow) string { return c.name }},
	{Title: "CURRENT", Width: 8, Cell: func(c contextRow) string {
		if c.current {
			return "*"
		}
		return ""
	}},
	{Title: "URL", Width: 30, Grow: true, Cell: func(c contextRow) string { return format.Dash(c.about.URL) }},
	{Title: "USER", Width: 28, Cell: func(c contextRow) string { return format.Dash(c.about.User) }},
	{Title: "READONLY", Width: 9, Cell: func(c contextRow) string {
		if c.about.URL == "" {
			return "-"
		}
		return format.YesNo(c.about.ReadOnly)
	}},
}
