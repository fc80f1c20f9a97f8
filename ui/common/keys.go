package common

import (
	"slices"

	"github.com/charmbracelet/bubbles/key"

	"github.com/vtui/vtui/ui/table"
)

// KeyMap holds every binding of the UI, grouped by the component that
// handles them. Help is built from these, so a key declared here is
// documented by construction.
type KeyMap struct {
	// The root's: the command line, the filter line, going back, help and
	// quitting. Quit (q) goes back in a sub-view, as Back does, and quits
	// at the top level; Exit (ctrl+c) quits from anywhere. Either asks
	// first while changes or a drill run.
	Command, Filter, Back, Help, Quit, Exit key.Binding
	// Every list view's: drill down and the detail pane.
	Enter, Detail key.Binding
	// Every list view's, for the selected object: its properties as YAML
	// and its related-objects tree.
	Describe, Related key.Binding
	// The root's: show or hide the recent-tasks pane, in every view.
	TasksPane key.Binding
	// The VM view's and the host view's changes.
	Migrate, Power, Maintenance key.Binding
	// The cluster view's: open the HA/DRS panel.
	HA key.Binding
	// The VM and host views': open the selection's performance charts.
	Chart  key.Binding
	Charts ChartKeyMap
	// The alarm view's: acknowledge, and reset to green.
	Acknowledge, ResetAlarm key.Binding
	// Snapshot takes a snapshot of VMs (the VM view's); Revert and
	// RemoveSnapshot act on the snapshot view's rows.
	Snapshot, Revert, RemoveSnapshot key.Binding
	Table                            table.KeyMap
	Dialog                           DialogKeyMap
	Prompt                           PromptKeyMap
	Panel                            PanelKeyMap
	Drill                            DrillKeyMap
	Find                             FindKeyMap
}

// FindKeyMap is the describe view's search; it scrolls with the table's
// keys.
type FindKeyMap struct {
	// Search opens the search line; Enter there finds the text.
	Search key.Binding
	// Next and Prev go to the next and the previous line that matches.
	Next, Prev key.Binding
}

// DialogKeyMap is a modal choice's bindings.
type DialogKeyMap struct {
	Up, Down, Select, Yes, Cancel key.Binding
}

// PromptKeyMap is a text prompt's bindings; every other key is text.
type PromptKeyMap struct {
	Submit, Cancel key.Binding
}

// PanelKeyMap is the HA/DRS panel's bindings: its own, its form's and its
// review's. It pages with the table's keys.
type PanelKeyMap struct {
	Edit, Refresh, Recommendation, Up, Down key.Binding
	// The form's: move between fields, change a field's value, review
	// the changes; Cancel leaves the form, or the review for the form.
	Next, Prev, Cycle, CycleBack, Review, Cancel key.Binding
	// The review's: confirm and send the changes.
	Apply key.Binding
}

// ChartKeyMap is the chart view's bindings.
type ChartKeyMap struct {
	// Interval cycles through real-time, the past day and the past week.
	Interval key.Binding
	// Refresh reads the samples again now.
	Refresh key.Binding
}

// DrillKeyMap is the drill view's bindings; it scrolls with the table's.
type DrillKeyMap struct {
	// Up and Down choose a plan: arrows only, as letters type a path.
	Up, Down key.Binding
	// Go opens the chosen plan, runs the preflight, then runs the drill
	// (after asking).
	Go key.Binding
	// Write writes the drill's reports next to its journal.
	Write key.Binding
	// Back goes back a step and Close closes the view; while a drill
	// runs, Abort (the same keys) asks whether to abort it and roll back.
	Back, Close, Abort key.Binding
}

// DefaultKeyMap returns vtui's bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Command:     key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "command")),
		Filter:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter (!text negates)")),
		Back:        key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back / clear")),
		Enter:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "drill down")),
		Detail:      key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "details")),
		Describe:    key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "describe")),
		Related:     key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "related")),
		TasksPane:   key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "tasks pane")),
		Help:        key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:        key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		Exit:        key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit from anywhere")),
		Migrate:     key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "migrate VMs (marked or selected)")),
		Power:       key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "power menu")),
		Maintenance: key.NewBinding(key.WithKeys("M"), key.WithHelp("M", "maintenance on/off (marked or selected hosts)")),
		HA:          key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "HA/DRS panel")),
		Chart:       key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "performance charts")),
		Charts: ChartKeyMap{
			Interval: key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "interval: realtime, day, week")),
			Refresh:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "read again")),
		},
		Acknowledge:    key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "acknowledge alarms (marked or selected)")),
		ResetAlarm:     key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "reset alarms to green (marked or selected)")),
		Snapshot:       key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "take a snapshot (marked or selected VMs)")),
		Revert:         key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "revert the VM to the selected snapshot")),
		RemoveSnapshot: key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", "remove snapshots (marked or selected)")),
		Table:          tableKeys(),
		Dialog: DialogKeyMap{
			Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "choose")),
			Down:   key.NewBinding(key.WithKeys("down", "j")),
			Select: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "select")),
			Yes:    key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes")),
			Cancel: key.NewBinding(key.WithKeys("esc", "n", "q"), key.WithHelp("esc", "cancel")),
		},
		Prompt: PromptKeyMap{
			Submit: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "log in")),
			Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		},
		Panel: PanelKeyMap{
			Edit:           key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit HA/DRS")),
			Refresh:        key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "read again")),
			Recommendation: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "apply a DRS recommendation")),
			Up:             key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "scroll")),
			Down:           key.NewBinding(key.WithKeys("down", "j")),
			Next:           key.NewBinding(key.WithKeys("down", "tab"), key.WithHelp("↓/tab", "next field")),
			Prev:           key.NewBinding(key.WithKeys("up", "shift+tab"), key.WithHelp("↑", "previous field")),
			Cycle:          key.NewBinding(key.WithKeys("right", " "), key.WithHelp("→/space", "next value")),
			CycleBack:      key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "previous value")),
			Review:         key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "review the changes")),
			Cancel:         key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
			Apply:          key.NewBinding(key.WithKeys("enter", "y"), key.WithHelp("enter", "apply")),
		},
		Find: FindKeyMap{
			Search: key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
			Next:   key.NewBinding(key.WithKeys("n"), key.WithHelp("n/N", "next/previous match")),
			Prev:   key.NewBinding(key.WithKeys("N")),
		},
		Drill: DrillKeyMap{
			Up:    key.NewBinding(key.WithKeys("up"), key.WithHelp("↑/↓", "choose")),
			Down:  key.NewBinding(key.WithKeys("down")),
			Go:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next step")),
			Write: key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "write the reports")),
			Back:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
			Close: key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "close")),
			Abort: key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc/q", "abort and roll back")),
		},
	}
}

// Global is the root's hint line: the keys that work in every list
// view, the newest last, so that a narrow screen cuts them first.
func (k KeyMap) Global() []key.Binding {
	return []key.Binding{k.Command, k.Filter, k.Enter, k.Detail, k.Back, k.Help, k.Quit, k.Describe, k.Related, k.TasksPane}
}

// tableKeys are the table's bindings, its sort letters without M and R,
// which the host view's maintenance key and the alarm view's reset take.
func tableKeys() table.KeyMap {
	t := table.DefaultKeyMap()
	t.SortColumn.SetKeys(slices.DeleteFunc(t.SortColumn.Keys(), func(k string) bool { return k == "M" || k == "R" })...)
	return t
}
