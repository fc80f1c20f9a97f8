package ui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/vtui/vtui/internal/kinds"
)

func (a *App) openInput(m mode, prompt, value string, suggestions []string) {
	a.mode = m
	a.input.Prompt = prompt
	a.input.SetValue(value)
	a.input.SetSuggestions(suggestions)
	a.input.CursorEnd()
	a.input.Focus()
}

// handleInput gives keys to the focused filter or command line first.
func (a *App) handleInput(msg tea.KeyMsg) tea.Cmd {
	switch msg.Type {
	case tea.KeyEsc:
		if l, ok := a.current().(listView); ok && a.mode == modeFilter {
			l.SetFilter("")
		}
		a.mode = modeNormal
		a.input.Blur()
		return nil
	case tea.KeyTab:
		if a.mode == modeCommand {
			a.complete()
			return nil
		}
	case tea.KeyEnter:
		m := a.mode
		a.mode = modeNormal
		a.input.Blur()
		if m == modeCommand {
			return a.runCommand(a.input.Value())
		}
		return nil
	}
	a.completion.active = false
	var cmd tea.Cmd
	a.input, cmd = a.input.Update(msg)
	if l, ok := a.current().(listView); ok && a.mode == modeFilter {
		l.SetFilter(a.input.Value())
	}
	return cmd
}

// kindCommands are the : commands that open each kind: its first alias.
func kindCommands() []string {
	var names []string
	for _, k := range kinds.All() {
		names = append(names, k.Aliases[0])
	}
	return names
}

// viewNamed returns the view a : command opens: a kind, by its name or
// an alias, or the contexts.
func viewNamed(name string) (Kind, bool) {
	if name == "ctx" || name == "context" {
		return Contexts, true
	}
	k, ok := kinds.Lookup(name)
	return Kind(k.Name), ok
}

// runCommand executes a : command line.
func (a *App) runCommand(line string) tea.Cmd {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return nil
	}
	name := strings.ToLower(fields[0])
	switch name {
	case "q", "quit", "q!":
		return a.quit()
	case "drill":
		return a.openDrill()
	case "overview", "pulse":
		a.clearMarks()
		a.closeFleet()
		a.stack = []location{{kind: Overview}}
		a.reload()
		return a.overview.Open()
	case "alias", "aliases":
		a.mode, a.helpOffset, a.helpPage = modeHelp, 0, helpCommands
		return nil
	case "login":
		if len(fields) != 2 {
			return a.note(causeInput, true, "usage: :login NAME, a context the status bar says needs a password")
		}
		return a.login(fields[1])
	}
	kind, ok := viewNamed(name)
	if !ok {
		return a.note(causeInput, true, fmt.Sprintf("unknown command %q: try :%s, :overview, :ctx, :drill, :q, or :alias for the list", line, strings.Join(kindCommands(), ", :")))
	}
	if kind == Contexts && len(fields) > 1 {
		if !slices.Contains(a.cfg.Contexts, fields[1]) {
			return a.note(causeInput, true, fmt.Sprintf("no context named %q (contexts: %s)", fields[1], strings.Join(a.cfg.Contexts, ", ")))
		}
		return a.switchContext(fields[1])
	}
	all := len(fields) > 1 && strings.ToLower(fields[1]) == allContexts
	if _, ok := a.across[kind]; all && !ok {
		return a.note(causeInput, true, fmt.Sprintf("%s are not listed across contexts, only the current one's: :%s; across contexts: %s",
			kind, name, strings.Join(acrossCommands(), ", ")))
	}
	a.clearMarks()
	if all {
		a.stack = []location{{kind: kind, all: true}}
		cmd := a.openFleet()
		a.reload()
		return cmd
	}
	a.closeFleet() // back to the current context's view
	a.stack = []location{{kind: kind}}
	a.reload()
	return nil
}

// helpPage is what the help screen shows.
type helpPage int

const (
	helpKeys     helpPage = iota // ?: the keys, then the commands
	helpCommands                 // :alias: the commands and their aliases
)

// helpLines is the help screen's text. ? shows the root's keys and the
// current view's, in as many columns as fit the width, then the :
// commands; :alias shows the commands alone.
func (a *App) helpLines() []string {
	commandsText := "commands (: then the name; Tab cycles through completions)\n\n" + strings.Join(commandLines(), "\n")
	if a.helpPage == helpCommands {
		return strings.Split("vtui — commands and aliases\n\n"+commandsText+"\n\nany key closes this list", "\n")
	}
	groups := append([][]key.Binding{append(a.globalKeys(), a.keys.Exit)}, a.current().FullHelp()...)
	var rows, row []string
	rowWidth := 0
	for _, g := range groups {
		col := a.help.FullHelpView([][]key.Binding{g})
		w := lipgloss.Width(col)
		if len(row) > 0 && rowWidth+helpGap+w > a.width-a.styles.Help.GetHorizontalPadding() {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
			row, rowWidth = nil, 0
		}
		if len(row) > 0 {
			col = lipgloss.NewStyle().PaddingLeft(helpGap).Render(col)
			w += helpGap
		}
		row, rowWidth = append(row, col), rowWidth+w
	}
	rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	rule := lipgloss.NewStyle().Width(max(a.width-a.styles.Help.GetHorizontalPadding(), 20)).Render(quitRule)
	return strings.Split("vtui — keys\n\n"+strings.Join(rows, "\n\n")+"\n\n"+rule+"\n\n"+commandsText+"\n\nany key closes this help", "\n")
}

// quitRule is how to leave anything, as the help states it.
const quitRule = "esc or q goes back to where you came from: from a view opened from another, the details, " +
	"the HA/DRS panel, the drill view, this help or a dialog (in a text field q is a letter). " +
	"q or :q in a top-level view quits; ctrl+c quits from anywhere. " +
	"While changes or a drill run, quitting first asks, naming them (y or ctrl+c again quits); a drill is rolled back first."

// helpGap is the space between two columns of keys.
const helpGap = 4

// helpView renders the help screen; one taller than the screen scrolls.
func (a *App) helpView() string {
	lines := a.helpLines()
	if len(lines)+a.styles.Help.GetVerticalPadding() <= a.height {
		return a.styles.Help.Render(strings.Join(lines, "\n"))
	}
	room := a.height - 1
	start := max(min(a.helpOffset, len(lines)-room), 0)
	shown := append(slices.Clone(lines[start:start+room]), a.styles.Hint.Render("↑/↓ scroll • any other key closes"))
	return lipgloss.NewStyle().PaddingLeft(2).MaxWidth(a.width).Render(strings.Join(shown, "\n"))
}

// handleHelpKey scrolls the help screen; any other key closes it.
func (a *App) handleHelpKey(msg tea.KeyMsg) tea.Cmd {
	t := a.keys.Table
	switch {
	case key.Matches(msg, t.Up):
		a.helpOffset = max(a.helpOffset-1, 0)
	case key.Matches(msg, t.Down):
		a.helpOffset = min(a.helpOffset+1, max(len(a.helpLines())-(a.height-1), 0))
	default:
		a.mode = modeNormal
	}
	return nil
}
