package ui

import (
	"github.com/charmbracelet/bubbles/key"

	"github.com/vtui/vtui/ui/table"
)

// KeyMap holds the global bindings; the table's own are in Table. Help is
// built from these, so a key declared here is documented by construction.
type KeyMap struct {
	Command, Filter, Back, Enter, Detail, Help, Quit key.Binding
	Migrate, Power, Maintenance                      key.Binding
	Table                                            table.KeyMap
}

// DefaultKeyMap returns vtui's bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Command:     key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "command")),
		Filter:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter (!text negates)")),
		Back:        key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back / clear")),
		Enter:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "drill down")),
		Detail:      key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "details")),
		Help:        key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:        key.NewBinding(key.WithKeys("ctrl+c", "q"), key.WithHelp("q", "quit")),
		Migrate:     key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "migrate VMs (marked or selected)")),
		Power:       key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "power menu")),
		Maintenance: key.NewBinding(key.WithKeys("M"), key.WithHelp("M", "host maintenance on/off")),
		Table:       table.DefaultKeyMap(),
	}
}

// ShortHelp is the hint line.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Command, k.Filter, k.Enter, k.Detail, k.Back, k.Help, k.Quit}
}

// FullHelp is the help screen, in groups.
func (k KeyMap) FullHelp() [][]key.Binding {
	t := k.Table
	return [][]key.Binding{
		{k.Command, k.Filter, k.Enter, k.Detail, k.Back, k.Help, k.Quit},
		{t.Up, t.Down, t.PageUp, t.PageDown, t.Home, t.End},
		{t.SortNext, t.SortReverse, t.Mark, k.Migrate, k.Power, k.Maintenance},
	}
}
