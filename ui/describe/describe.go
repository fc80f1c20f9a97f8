// Package describe is the describe view: every property of one object,
// as YAML, the way govc object.collect shows it. It scrolls, and / finds
// text in it (n and N go to the next and previous line that holds it).
// The properties are read once, in a tea.Cmd, when the view opens.
package describe

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/vtui/vtui/internal/strictyaml"
	"github.com/vtui/vtui/ui/common"
	"github.com/vtui/vtui/ui/listview"
	"github.com/vtui/vtui/vsphere"
)

// Read reads the description the view shows.
type Read func(ctx context.Context) (*vsphere.Description, error)

// readTimeout bounds one read.
const readTimeout = 30 * time.Second

// Msg is what the view's read brings back; the root hands every Msg to
// the view.
type Msg struct {
	seq  int
	text string
	err  error
}

// Model is the describe view.
type Model struct {
	common common.Common
	vp     viewport.Model
	input  textinput.Model

	title   string // what is described, e.g. "VirtualMachine vm-42 (web-01)"
	seq     int
	lines   []string // the YAML, a line each; nil while reading
	err     error
	typing  bool   // the search line has the keys
	find    string // the text searched for, lower case
	matches []int  // the lines that hold it
	at      int    // the match shown, an index into matches
}

// New returns an empty describe view.
func New(c common.Common) *Model {
	in := textinput.New()
	in.Prompt = "/"
	in.CharLimit = 128
	return &Model{common: c, vp: viewport.New(0, 0), input: in}
}

// Open shows title and reads its description with read, within ctx (the
// connection's, which ends when it is replaced or the UI quits).
func (m *Model) Open(ctx context.Context, title string, read Read) tea.Cmd {
	m.seq++
	m.title, m.lines, m.err, m.typing, m.find, m.matches, m.at = title, nil, nil, false, "", nil, 0
	m.vp.SetContent("reading…")
	m.vp.GotoTop()
	seq := m.seq
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, readTimeout)
		defer cancel()
		d, err := read(ctx)
		if err != nil {
			return Msg{seq: seq, err: err}
		}
		var b bytes.Buffer
		if err := strictyaml.Encode(&b, d); err != nil {
			return Msg{seq: seq, err: fmt.Errorf("describe %s: %w", title, err)}
		}
		return Msg{seq: seq, text: b.String()}
	}
}

// Lines returns the YAML shown, a line each.
func (m *Model) Lines() []string { return m.lines }

// Capturing reports whether the search line has the keys.
func (m *Model) Capturing() bool { return m.typing }

// Load does nothing: a description is read once, when the view opens.
func (m *Model) Load(listview.Source) {}

// SetStale does nothing: the view says when it was read.
func (m *Model) SetStale(bool) {}

// SetSize gives the YAML all but the view's title line.
func (m *Model) SetSize(width, height int) {
	m.common.SetSize(width, height)
	m.vp.Width, m.vp.Height = width, max(height-1, 1)
	m.render()
}

// Update handles the read's result and the keys: scrolling, / to search,
// n and N between matches, Esc back (or out of the search line).
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case Msg:
		if msg.seq == m.seq {
			m.err = msg.err
			m.lines = strings.Split(strings.TrimRight(msg.text, "\n"), "\n")
			m.render()
		}
		return nil
	case tea.KeyMsg:
		return m.key(msg)
	}
	return nil
}

func (m *Model) key(k tea.KeyMsg) tea.Cmd {
	keys := m.common.Keys
	if m.typing {
		switch k.Type {
		case tea.KeyEsc:
			m.typing = false
			m.input.Blur()
		case tea.KeyEnter:
			m.typing = false
			m.input.Blur()
			m.search(m.input.Value())
		default:
			var cmd tea.Cmd
			m.input, cmd = m.input.Update(k)
			return cmd
		}
		return nil
	}
	switch {
	case key.Matches(k, keys.Back):
		if m.find != "" {
			m.search("")
			return nil
		}
		m.common.Emit(listview.BackMsg{})
	case key.Matches(k, keys.Find.Search):
		m.typing = true
		m.input.SetValue("")
		m.input.Focus()
	case key.Matches(k, keys.Find.Next):
		m.step(1)
	case key.Matches(k, keys.Find.Prev):
		m.step(-1)
	default:
		if off, ok := m.common.Scroll(k, keys.Table.Up, keys.Table.Down, m.vp.YOffset, m.vp.Height); ok {
			m.vp.SetYOffset(max(off, 0))
		}
	}
	return nil
}

// search finds s (in any case) and shows the first line at or below the
// top of the screen that holds it; "" ends the search.
func (m *Model) search(s string) {
	m.find, m.matches, m.at = strings.ToLower(s), nil, 0
	if m.find != "" {
		for i, l := range m.lines {
			if strings.Contains(strings.ToLower(l), m.find) {
				m.matches = append(m.matches, i)
			}
		}
		for m.at < len(m.matches)-1 && m.matches[m.at] < m.vp.YOffset {
			m.at++
		}
	}
	m.render()
	m.show()
}

// step goes d matches on, round the end.
func (m *Model) step(d int) {
	if len(m.matches) == 0 {
		return
	}
	m.at = (m.at + d + len(m.matches)) % len(m.matches)
	m.render()
	m.show()
}

// show scrolls the current match into view, a few lines from the top.
func (m *Model) show() {
	if len(m.matches) > 0 {
		m.vp.SetYOffset(max(m.matches[m.at]-2, 0))
	}
}

// render sets the viewport's content: the YAML with the matches marked,
// the current one selected.
func (m *Model) render() {
	if m.lines == nil {
		return
	}
	if m.err != nil {
		m.vp.SetContent(m.common.Styles.Bad.Render(m.err.Error()))
		return
	}
	st := m.common.Styles.Table
	out := make([]string, len(m.lines))
	copy(out, m.lines)
	for i, n := range m.matches {
		style := st.Highlight
		if i == m.at {
			style = st.Selected
		}
		out[n] = mark(m.lines[n], m.find, style.Render)
	}
	off := m.vp.YOffset
	m.vp.SetContent(strings.Join(out, "\n"))
	m.vp.SetYOffset(off)
}

// mark renders each case-insensitive occurrence of find in line with
// style; a line whose lower case differs in length is marked whole.
func mark(line, find string, style func(...string) string) string {
	lower := strings.ToLower(line)
	if len(lower) != len(line) {
		return style(line)
	}
	var b strings.Builder
	for {
		i := strings.Index(lower, find)
		if i < 0 {
			b.WriteString(line)
			return b.String()
		}
		b.WriteString(line[:i] + style(line[i:i+len(find)]))
		line, lower = line[i+len(find):], lower[i+len(find):]
	}
}

// View renders the title line, with the search line or the place of the
// match, and the YAML.
func (m *Model) View() string {
	st := m.common.Styles
	head := st.Title.Render("describe "+m.title) + st.Hint.Render(fmt.Sprintf("  %d lines", len(m.lines)))
	switch {
	case m.typing:
		head = st.Title.Render("describe "+m.title) + "  " + m.input.View()
	case m.find != "" && len(m.matches) == 0:
		head += st.Warn.Render(fmt.Sprintf("  /%s: no match", m.find))
	case m.find != "":
		head += st.Hint.Render(fmt.Sprintf("  /%s: match %d of %d (n/N)", m.find, m.at+1, len(m.matches)))
	}
	return lipgloss.NewStyle().MaxWidth(m.common.Width).Render(head) + "\n" + m.vp.View()
}

// ShortHelp is the view's own keys.
func (m *Model) ShortHelp() []key.Binding {
	f := m.common.Keys.Find
	return []key.Binding{f.Search, f.Next}
}

// FullHelp is the scrolling keys, then the search's.
func (m *Model) FullHelp() [][]key.Binding {
	t := m.common.Keys.Table
	return [][]key.Binding{{t.Up, t.Down, t.PageUp, t.PageDown, t.Home, t.End}, m.ShortHelp()}
}
