// Package common holds what every view and widget of the terminal UI
// shares: the Component shape, and the Common context the root passes
// down (styles, keys, logger, size, and the way to raise a request to the
// root). Nothing here is global: the root builds one Common and hands each
// component its copy.
package common

import (
	"log/slog"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"
)

// Component is the shape of every view and widget: a model with its own
// keys, documented by its help.KeyMap, that renders in the size it is
// given. Update changes the component in place and returns a command for
// any I/O; what the root must act on (open another view, confirm a change)
// the component raises with Common.Emit.
type Component interface {
	help.KeyMap
	Update(msg tea.Msg) tea.Cmd
	View() string
	SetSize(width, height int)
}

// Common is the context the root passes to every component.
type Common struct {
	Styles *Styles
	Keys   *KeyMap
	Log    *slog.Logger
	// Width and Height are the component's size, set by SetSize.
	Width, Height int
	// Emit hands msg to the root, which handles it as soon as the current
	// message is done and before the next one: what a key asks for (open
	// a view, start a change) happens before the keys typed after it, so
	// type-ahead keeps its order.
	Emit func(msg tea.Msg)
}

// SetSize records the component's size.
func (c *Common) SetSize(width, height int) { c.Width, c.Height = width, height }
