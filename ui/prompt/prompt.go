// Package prompt is a modal, masked text prompt: vtui asks for a password
// with it. The secret never leaves the prompt in a message: the root takes
// it with Take when the prompt says it was submitted, and the prompt
// forgets it then.
package prompt

import (
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/vtui/vtui/ui/common"
)

// SubmittedMsg is emitted on Enter with something typed: call Take.
type SubmittedMsg struct{}

// CancelledMsg is emitted on Esc; what was typed is gone.
type CancelledMsg struct{}

// Model is a masked prompt under a title and a note (e.g. why the last
// attempt failed).
type Model struct {
	common common.Common
	help   help.Model
	title  string
	note   string
	input  textinput.Model
}

// New returns a focused prompt whose input shows as dots.
func New(c common.Common, title, note string) *Model {
	in := textinput.New()
	in.EchoMode = textinput.EchoPassword
	in.EchoCharacter = '•'
	in.Prompt = "password: "
	in.CharLimit = 1024
	in.Focus()
	return &Model{common: c, help: help.New(), title: title, note: note, input: in}
}

// Take returns what was typed and clears it, so the prompt holds no secret
// after it was used.
func (m *Model) Take() string {
	v := m.input.Value()
	m.input.Reset()
	return v
}

// SetSize sets the space the prompt is centred in.
func (m *Model) SetSize(width, height int) { m.common.SetSize(width, height) }

// Update edits the input; Enter submits and Esc cancels.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyMsg); ok {
		keys := m.common.Keys.Prompt
		switch {
		case key.Matches(k, keys.Cancel):
			m.input.Reset()
			m.common.Emit(CancelledMsg{})
			return nil
		case key.Matches(k, keys.Submit):
			if m.input.Value() != "" {
				m.common.Emit(SubmittedMsg{})
			}
			return nil
		}
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return cmd
}

// ShortHelp is the prompt's keys.
func (m *Model) ShortHelp() []key.Binding {
	return []key.Binding{m.common.Keys.Prompt.Submit, m.common.Keys.Prompt.Cancel}
}

// FullHelp is the prompt's keys.
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// View renders the prompt centred in its space.
func (m *Model) View() string {
	st := m.common.Styles
	w := max(m.common.Width-4, 1)
	line := func(s string) string { return lipgloss.NewStyle().MaxWidth(w).Render(s) }
	m.help.Width = w
	m.input.Width = max(w-len(m.input.Prompt)-1, 1)
	parts := []string{line(st.Title.Render(m.title))}
	if m.note != "" {
		parts = append(parts, line(st.Bad.Render(m.note)))
	}
	parts = append(parts, "", line(m.input.View()), "", line(st.Hint.Render(m.help.ShortHelpView(m.ShortHelp()))))
	box := st.Help
	if len(parts)+box.GetVerticalPadding() > m.common.Height {
		box = lipgloss.NewStyle().Padding(0, 2)
		parts = slices.DeleteFunc(parts, func(s string) bool { return s == "" })
	}
	return lipgloss.Place(m.common.Width, m.common.Height, lipgloss.Center, lipgloss.Center, box.Render(strings.Join(parts, "\n")))
}
