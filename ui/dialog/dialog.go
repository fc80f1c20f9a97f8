// Package dialog is a modal choice: the migrate target picker, the power
// menu, a confirmation. Choosing an option emits the message it carries;
// the dialog itself does nothing else.
package dialog

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/vtui/vtui/ui/common"
)

// Option is one line of a dialog.
type Option struct {
	Label, Detail string
	// Disabled says why the option cannot be chosen; "" means it can.
	Disabled string
	// Msg is what choosing the option emits, wrapped in a ChosenMsg.
	Msg tea.Msg
}

// ChosenMsg is emitted when an option is chosen; the dialog is done.
type ChosenMsg struct{ Msg tea.Msg }

// CancelledMsg is emitted when the dialog is dismissed without a choice.
type CancelledMsg struct{}

// Model is a modal list of options under a title and an optional body.
type Model struct {
	common  common.Common
	help    help.Model
	title   string
	body    []string
	options []Option
	cursor  int
	confirm bool   // a yes/no question: y answers yes
	note    string // why the last choice was refused
	blocked string // why nothing can be chosen any more
}

// New returns a dialog offering options, the cursor on the first.
func New(c common.Common, title string, options []Option) *Model {
	return &Model{common: c, help: help.New(), title: title, options: options}
}

// Confirm returns a yes/no question: body says what yes does, yes is
// emitted on yes, and the cursor starts on no, so a stray Enter changes
// nothing.
func Confirm(c common.Common, title string, body []string, yesDetail string, yes tea.Msg) *Model {
	m := New(c, title, []Option{
		{Label: "yes", Detail: yesDetail, Msg: yes},
		{Label: "no", Detail: "change nothing", Msg: nil},
	})
	m.body, m.cursor, m.confirm = body, 1, true
	return m
}

// Title returns the dialog's title.
func (m *Model) Title() string { return m.title }

// Block stops every choice for good, saying why, e.g. when the connection
// dropped while the dialog was open: what it offers was planned from data
// that may no longer hold.
func (m *Model) Block(reason string) {
	if m.blocked == "" {
		m.blocked = reason
	}
}

// SetSize sets the space the dialog is centred in.
func (m *Model) SetSize(width, height int) { m.common.SetSize(width, height) }

// Update moves the cursor and chooses.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	keys := m.common.Keys.Dialog
	switch {
	case key.Matches(k, keys.Cancel):
		m.common.Emit(CancelledMsg{})
	case key.Matches(k, keys.Up):
		m.cursor = max(m.cursor-1, 0)
	case key.Matches(k, keys.Down):
		m.cursor = min(m.cursor+1, len(m.options)-1)
	case key.Matches(k, keys.Yes) && m.confirm:
		m.choose(0)
	case key.Matches(k, keys.Select):
		m.choose(m.cursor)
	}
	return nil
}

func (m *Model) choose(i int) {
	o := m.options[i]
	switch {
	case o.Msg == nil:
		m.common.Emit(CancelledMsg{})
	case m.blocked != "":
		m.note = m.blocked
	case o.Disabled != "":
		m.note = fmt.Sprintf("%s cannot be chosen: %s", o.Label, o.Disabled)
	default:
		m.common.Emit(ChosenMsg{Msg: o.Msg})
	}
}

// ShortHelp is the dialog's keys.
func (m *Model) ShortHelp() []key.Binding {
	k := m.common.Keys.Dialog
	if m.confirm {
		return []key.Binding{k.Up, k.Select, k.Yes, k.Cancel}
	}
	return []key.Binding{k.Up, k.Select, k.Cancel}
}

// FullHelp is the dialog's keys.
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// View renders the dialog centred in its space. When the space is short
// it drops the padding and the blank lines first, then scrolls the body
// and the options, keeping the title, the cursor and the keys in view.
func (m *Model) View() string {
	st := m.common.Styles
	w := max(m.common.Width-4, 1)
	line := func(s string) string { return lipgloss.NewStyle().MaxWidth(w).Render(s) }

	var foot []string
	if s := cmp.Or(m.blocked, m.note); s != "" {
		foot = append(foot, line(st.Bad.Render(s)))
	}
	m.help.Width = w
	foot = append(foot, line(st.Hint.Render(m.help.ShortHelpView(m.ShortHelp()))))
	body := make([]string, len(m.body))
	for i, s := range m.body {
		body[i] = line(s)
	}
	opts := make([]string, len(m.options))
	for i, o := range m.options {
		cursor := "  "
		if i == m.cursor {
			cursor = "› "
		}
		s := cursor + o.Label
		switch {
		case o.Detail != "":
			s += "  " + o.Detail
		case o.Disabled != "":
			s += "  ✗ " + o.Disabled
		}
		if o.Disabled != "" {
			s = st.Hint.Render(s)
		}
		opts[i] = line(s)
	}

	box, gap := st.Help, []string{""}
	gaps := 2
	if len(body) > 0 {
		gaps = 3
	}
	h := m.common.Height
	if 1+len(body)+len(opts)+len(foot)+gaps+box.GetVerticalPadding() > h {
		box, gap = lipgloss.NewStyle().Padding(0, 2), nil
	}
	room := max(h-1-len(foot)-len(gap)*gaps-box.GetVerticalPadding(), 1)
	body = window(body, 0, min(len(body), room-min(len(opts), 3)))
	opts = window(opts, m.cursor, room-len(body))

	parts := []string{line(st.Title.Render(m.title))}
	parts = append(parts, gap...)
	if len(body) > 0 {
		parts = append(parts, body...)
		parts = append(parts, gap...)
	}
	parts = append(parts, opts...)
	parts = append(parts, gap...)
	parts = append(parts, foot...)
	return lipgloss.Place(m.common.Width, h, lipgloss.Center, lipgloss.Center, box.Render(strings.Join(parts, "\n")))
}

// window returns at most n of lines, keeping line i among them; an end
// cut off is replaced by a line saying how many lines it hides.
func window(lines []string, i, n int) []string {
	switch {
	case len(lines) <= n:
		return lines
	case n <= 0:
		return nil
	case n < 3:
		return lines[i : i+1]
	}
	more := func(arrow string, k int) string { return fmt.Sprintf("  %s %d more", arrow, k) }
	vis := n - 2
	s := max(min(i-vis/2, len(lines)-vis), 0)
	switch {
	case s == 0:
		return append(slices.Clone(lines[:n-1]), more("↓", len(lines)-n+1))
	case s+vis == len(lines):
		s = len(lines) - n + 1
		return append([]string{more("↑", s)}, lines[s:]...)
	}
	out := append([]string{more("↑", s)}, lines[s:s+vis]...)
	return append(out, more("↓", len(lines)-s-vis))
}
