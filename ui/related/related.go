// Package related is the related-objects view: an object's tree (its
// host, cluster, datastores, networks, rules, snapshots, recent tasks and
// events, as kinds.Related builds it), which Enter leaves for the chosen
// object, selected in its own view. The object's surroundings are read
// once, in a tea.Cmd, when the view opens; the tree is rebuilt from the
// live inventory and task list on every update.
package related

import (
	"context"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/vtui/vtui/internal/kinds"
	"github.com/vtui/vtui/ui/common"
	"github.com/vtui/vtui/ui/listview"
	"github.com/vtui/vtui/vsphere"
)

// Read reads the object's surroundings.
type Read func(ctx context.Context) (vsphere.Surroundings, error)

// readTimeout bounds one read.
const readTimeout = 30 * time.Second

// Msg is what the view's read brings back; the root hands every Msg to
// the view.
type Msg struct {
	seq    int
	nearby vsphere.Surroundings
	err    error
}

// GoMsg asks the root to open the view of Kind with the row of Key
// selected: Enter on a node.
type GoMsg struct{ Kind, Key string }

// line is one node of the tree as shown.
type line struct {
	node  kinds.Node
	depth int
}

// Model is the related-objects view.
type Model struct {
	common common.Common
	ref    vsphere.Ref
	name   string
	seq    int
	read   bool // the surroundings came back
	nearby vsphere.Surroundings
	err    error
	src    listview.Source
	lines  []line
	cursor int
	offset int
}

// New returns an empty related-objects view.
func New(c common.Common) *Model { return &Model{common: c} }

// Open shows the tree of the object ref, named name, and reads its
// surroundings with read, within ctx (the connection's).
func (m *Model) Open(ctx context.Context, ref vsphere.Ref, name string, read Read) tea.Cmd {
	m.seq++
	m.ref, m.name, m.read, m.nearby, m.err, m.cursor, m.offset = ref, name, false, vsphere.Surroundings{}, nil, 0, 0
	m.rebuild()
	seq := m.seq
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, readTimeout)
		defer cancel()
		s, err := read(ctx)
		return Msg{seq: seq, nearby: s, err: err}
	}
}

// Load rebuilds the tree from the newest inventory and task list.
func (m *Model) Load(src listview.Source) {
	m.src = src
	m.rebuild()
}

// SetStale does nothing: the tree is as fresh as the inventory.
func (m *Model) SetStale(bool) {}

// SetSize sets the tree's space.
func (m *Model) SetSize(width, height int) {
	m.common.SetSize(width, height)
	m.clamp()
}

// Lines returns the tree's lines as shown, indented, without styles.
func (m *Model) Lines() []string {
	out := make([]string, len(m.lines))
	for i, l := range m.lines {
		out[i] = strings.Repeat("  ", l.depth) + l.node.Text
	}
	return out
}

func (m *Model) rebuild() {
	m.lines = nil
	if m.src.Inventory == nil {
		return
	}
	root, ok := kinds.Related(kinds.Around{Inv: m.src.Inventory, Tasks: m.src.Tasks, Nearby: m.nearby}, m.ref)
	if !ok {
		m.lines = []line{{node: kinds.Node{Text: m.name + " is no longer in the inventory"}}}
	} else {
		m.walk(root, 0)
	}
	m.clamp()
}

func (m *Model) walk(n kinds.Node, depth int) {
	m.lines = append(m.lines, line{node: n, depth: depth})
	for _, c := range n.Children {
		m.walk(c, depth+1)
	}
}

func (m *Model) clamp() {
	m.cursor = max(min(m.cursor, len(m.lines)-1), 0)
	h := m.treeHeight()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
	m.offset = max(min(m.offset, len(m.lines)-h), 0)
}

func (m *Model) treeHeight() int { return max(m.common.Height-1, 1) }

// Update handles the read's result and the keys: moving, Enter to go to
// a node's object, Esc back.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case Msg:
		if msg.seq == m.seq {
			m.read, m.nearby, m.err = true, msg.nearby, msg.err
			m.rebuild()
		}
	case tea.KeyMsg:
		keys := m.common.Keys
		switch {
		case key.Matches(msg, keys.Back):
			m.common.Emit(listview.BackMsg{})
		case key.Matches(msg, keys.Enter):
			if m.cursor < len(m.lines) {
				if n := m.lines[m.cursor].node; n.Kind != "" {
					m.common.Emit(GoMsg{Kind: n.Kind, Key: n.Key})
				}
			}
		default:
			if c, ok := m.common.Scroll(msg, keys.Table.Up, keys.Table.Down, m.cursor, m.treeHeight()); ok {
				m.cursor = c
				m.clamp()
			}
		}
	}
	return nil
}

// View renders the title line and the tree, the cursor's line selected;
// lines that lead somewhere are in the accent colour.
func (m *Model) View() string {
	st := m.common.Styles
	head := st.Title.Render("related: "+m.name) + st.Hint.Render("  enter goes to the object")
	switch {
	case m.err != nil:
		head += "  " + st.Bad.Render(m.err.Error())
	case !m.read:
		head += st.Hint.Render("  reading rules, snapshots and events…")
	}
	fit := lipgloss.NewStyle().MaxWidth(m.common.Width)
	out := []string{fit.Render(head)}
	end := min(m.offset+m.treeHeight(), len(m.lines))
	for i := m.offset; i < end; i++ {
		l := m.lines[i]
		text := strings.Repeat("  ", l.depth) + l.node.Text
		switch {
		case i == m.cursor:
			text = st.Table.Selected.Render(text)
		case l.node.Kind != "":
			text = st.DetailKey.Render(text)
		}
		out = append(out, fit.Render(text))
	}
	return strings.Join(out, "\n")
}

// ShortHelp is the view's own key: Enter.
func (m *Model) ShortHelp() []key.Binding { return []key.Binding{m.common.Keys.Enter} }

// FullHelp is the moving keys, then the view's own.
func (m *Model) FullHelp() [][]key.Binding {
	t := m.common.Keys.Table
	return [][]key.Binding{{t.Up, t.Down, t.PageUp, t.PageDown, t.Home, t.End}, m.ShortHelp()}
}
