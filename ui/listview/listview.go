// Package listview is the view of a list of vSphere objects of one kind:
// a table of its rows, a detail pane for the selected one, and the keys
// that act on them. What each kind shows and what its keys ask for is
// given to New; the view itself knows no kind.
package listview

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/mattn/go-runewidth"

	"github.com/vtui/vtui/internal/kinds"
	"github.com/vtui/vtui/ui/common"
	"github.com/vtui/vtui/ui/table"
	"github.com/vtui/vtui/vsphere"
)

// Source is everything a list view can show rows from.
type Source struct {
	Inventory *vsphere.Inventory // nil until the first load
	Scope     vsphere.Filter     // what the navigation narrowed the view to
	Tasks     []vsphere.Task
	Events    []vsphere.Event
	Alarms    []vsphere.Alarm // the triggered alarms
	Contexts  []string
	Current   string // the current context
	// About describes the contexts; one it lacks shows its name only.
	About map[string]ContextInfo
	// Across is, in a view across contexts, the inventory of each
	// context that answers, by name; Contexts orders them.
	Across map[string]*vsphere.Inventory
}

// ContextInfo is what :ctx shows of a context besides its name.
type ContextInfo struct {
	URL      string // redacted of any user information
	User     string
	ReadOnly bool
}

// Action is a key of a view that asks the root for something done to its
// rows: Do gets the selected row and the marked ones (none if no row is
// marked), and returns the message the view emits, or nil for nothing.
type Action[T any] struct {
	Key key.Binding
	Do  func(selected T, marked []T) tea.Msg
}

// Kind says what a view shows and what its keys do.
type Kind[T any] struct {
	Columns []table.Column[T]
	// Name identifies a row; it keeps the selection across updates.
	Name func(T) string
	// Same, if set, reports whether two rows read the same in every
	// column, so that a refresh re-reads for the filter only the rows it
	// changed (table.Model.SetSame).
	Same func(a, b T) bool
	// Ref is the managed object a row shows, which the describe and
	// related keys act on; nil for rows that are none.
	Ref func(T) vsphere.Ref
	// Context is the context a row comes from, in a view across
	// contexts; nil means the current one.
	Context func(T) string
	// Rows picks the view's rows from the source.
	Rows func(Source) []T
	// Detail fills the detail pane; nil means the kind has none.
	Detail func(Source, T) []kinds.Field
	// Extra, if set, is drawn in the detail pane under the fields, width
	// cells wide (the performance charts of hosts and VMs).
	Extra func(row T, width int) string
	// Open is what Enter asks for on a row (drilling down); nil shows the
	// detail pane instead.
	Open func(T) tea.Msg
	// Actions are the kind's own keys.
	Actions []Action[T]
	// SortBy and SortDesc set the first sort; "" sorts by the first column.
	SortBy   string
	SortDesc bool
}

// BackMsg asks the root to go back a level: Esc on a view with no detail
// pane open, no row marked and no filter set.
type BackMsg struct{}

// DescribeMsg asks the root to show every property of the object Ref,
// named Name, of the context Context ("" for the current one): the
// describe key on a row.
type DescribeMsg struct {
	Ref     vsphere.Ref
	Name    string
	Context string
}

// RelatedMsg asks the root to show the related-objects tree of the object
// Ref, named Name, of the context Context ("" for the current one): the
// related key on a row.
type RelatedMsg struct {
	Ref     vsphere.Ref
	Name    string
	Context string
}

// Model is a list view over rows of type T.
type Model[T any] struct {
	common     common.Common
	kind       Kind[T]
	table      table.Model[T]
	src        Source
	showDetail bool
}

// New returns a view of kind, sized and styled by c.
func New[T any](c common.Common, kind Kind[T]) *Model[T] {
	m := &Model[T]{common: c, kind: kind, table: table.New(kind.Columns, kind.Name, c.Keys.Table, c.Styles.Table)}
	m.table.SetSame(kind.Same)
	if kind.SortBy != "" {
		m.table.SortBy(kind.SortBy, kind.SortDesc)
	}
	return m
}

// Load shows the rows of src.
func (m *Model[T]) Load(src Source) {
	m.src = src
	m.table.SetRows(m.kind.Rows(src))
}

// SetActivity hands the detail pane newer tasks and events, keeping the
// rows.
func (m *Model[T]) SetActivity(tasks []vsphere.Task, events []vsphere.Event) {
	m.src.Tasks, m.src.Events = tasks, events
}

// SetSize sets the space for the table and, when shown, the detail pane.
func (m *Model[T]) SetSize(width, height int) {
	m.common.SetSize(width, height)
	w := width
	if m.showDetail {
		w -= m.detailWidth()
	}
	m.table.SetSize(w, height)
}

// SetStale dims the rows, for data that may be out of date.
func (m *Model[T]) SetStale(stale bool) { m.table.SetStale(stale) }

// SetFilter keeps the rows that contain s ("!s": that do not).
func (m *Model[T]) SetFilter(s string) { m.table.SetFilter(s) }

// Filter returns the filter.
func (m *Model[T]) Filter() string { return m.table.Filter() }

// Len returns how many rows the filter keeps.
func (m *Model[T]) Len() int { return m.table.Len() }

// Total returns how many rows there are.
func (m *Model[T]) Total() int { return m.table.Total() }

// Position returns the selected row's place among the rows the filter
// keeps, from 1, and whether some of those rows are off the screen.
func (m *Model[T]) Position() (int, bool) { return m.table.Cursor() + 1, m.table.Scrolls() }

// Selected returns the name of the selected row, if any.
func (m *Model[T]) Selected() (string, bool) {
	row, ok := m.table.Selected()
	if !ok {
		return "", false
	}
	return m.kind.Name(row), true
}

// SelectedRow returns the selected row, if any.
func (m *Model[T]) SelectedRow() (T, bool) { return m.table.Selected() }

// Marks returns how many of the rows shown are marked: those a key's
// action would act on.
func (m *Model[T]) Marks() int { return len(m.table.Marked()) }

// Select selects the row whose Name is name; ok is false when the view
// shows no such row.
func (m *Model[T]) Select(name string) (ok bool) { return m.table.Select(name) }

// ClearMarks unmarks every row: once the marks' action is confirmed, and
// when the view is left, as marks belong to one visit of one view.
func (m *Model[T]) ClearMarks() { m.table.ClearMarks() }

// DetailShown reports whether the detail pane is open.
func (m *Model[T]) DetailShown() bool { return m.showDetail }

// Sort returns the sort column's title and whether it is descending.
func (m *Model[T]) Sort() (string, bool) { return m.table.Sort() }

// Update handles the view's keys and the mouse wheel.
func (m *Model[T]) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		m.table, _ = m.table.Update(msg)
		return nil
	}
	keys := m.common.Keys
	switch {
	case key.Matches(k, keys.Back):
		switch {
		case m.showDetail:
			m.toggleDetail()
		case m.Marks() > 0:
			m.table.ClearMarks()
		case m.table.Filter() != "":
			m.table.SetFilter("")
		default:
			m.common.Emit(BackMsg{})
		}
		return nil
	case key.Matches(k, keys.Detail):
		m.toggleDetail()
		return nil
	case key.Matches(k, keys.Describe, keys.Related):
		row, ok := m.table.Selected()
		switch {
		case !ok || m.kind.Ref == nil:
		case key.Matches(k, keys.Describe):
			m.emit(DescribeMsg{Ref: m.kind.Ref(row), Name: m.kind.Name(row), Context: m.context(row)})
		default:
			m.emit(RelatedMsg{Ref: m.kind.Ref(row), Name: m.kind.Name(row), Context: m.context(row)})
		}
		return nil
	case key.Matches(k, keys.Enter):
		row, ok := m.table.Selected()
		switch {
		case !ok:
		case m.kind.Open != nil:
			m.emit(m.kind.Open(row))
		case !m.showDetail:
			m.toggleDetail()
		}
		return nil
	}
	for _, a := range m.kind.Actions {
		if key.Matches(k, a.Key) {
			if row, ok := m.table.Selected(); ok {
				m.emit(a.Do(row, m.table.Marked()))
			}
			return nil
		}
	}
	m.table, _ = m.table.Update(msg)
	return nil
}

// context returns the context of row, "" for the current one.
func (m *Model[T]) context(row T) string {
	if m.kind.Context == nil {
		return ""
	}
	return m.kind.Context(row)
}

func (m *Model[T]) emit(msg tea.Msg) {
	if msg != nil {
		m.common.Emit(msg)
	}
}

func (m *Model[T]) toggleDetail() {
	m.showDetail = !m.showDetail
	m.SetSize(m.common.Width, m.common.Height)
}

// ShortHelp is the view's own keys.
func (m *Model[T]) ShortHelp() []key.Binding {
	var out []key.Binding
	for _, a := range m.kind.Actions {
		out = append(out, a.Key)
	}
	return out
}

// FullHelp is the table's keys, then the view's own.
func (m *Model[T]) FullHelp() [][]key.Binding {
	t := m.common.Keys.Table
	return [][]key.Binding{
		{t.Up, t.Down, t.PageUp, t.PageDown, t.Home, t.End, t.Left},
		append([]key.Binding{t.SortNext, t.SortReverse, t.Mark}, m.ShortHelp()...),
		append([]key.Binding{t.SortColumn}, m.table.SortKeys()...),
	}
}

// View renders the table, and the detail pane beside it when open.
func (m *Model[T]) View() string {
	if !m.showDetail {
		return m.table.View()
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, m.table.View(), m.detailView())
}

// detailWidth is two fifths of the screen, and at least 40 columns (an
// instance UUID whole beside the border) where the table keeps 30.
func (m *Model[T]) detailWidth() int {
	return max(min(max(m.common.Width*2/5, 40), m.common.Width-30), 30)
}

func (m *Model[T]) detailView() string {
	var fields []kinds.Field
	extra := ""
	if row, ok := m.table.Selected(); ok && m.kind.Detail != nil {
		fields = m.kind.Detail(m.src, row)
		if m.kind.Extra != nil {
			extra = m.kind.Extra(row, m.detailWidth()-4)
		}
	}
	st := m.common.Styles
	keyW := 0
	for _, f := range fields {
		keyW = max(keyW, len(f.Label))
	}
	textW := m.detailWidth() - 2 - st.DetailBox.GetHorizontalPadding()
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(st.DetailKey.Render(fmt.Sprintf("%-*s", keyW, f.Label)))
		valueW := textW - keyW - 2
		if longest := longestWord(f.Value); longest > valueW {
			// Under the label, across the pane, rather than broken;
			// indented if that still fits.
			indent := strings.Repeat(" ", max(min(2, textW-longest), 0))
			for _, l := range wrapWords(f.Value, textW-len(indent)) {
				b.WriteString("\n" + indent + l)
			}
			continue
		}
		for j, l := range wrapWords(f.Value, valueW) {
			if j > 0 {
				b.WriteString("\n" + strings.Repeat(" ", keyW))
			}
			b.WriteString("  " + l)
		}
	}
	if len(fields) == 0 {
		b.WriteString("nothing selected")
	}
	if extra != "" {
		b.WriteString("\n\n" + extra)
	}
	h := m.common.Height
	return st.DetailBox.Width(m.detailWidth() - 2).Height(h).MaxHeight(h).Render(b.String())
}

// wrapWords fills lines of at most w cells with the words of s, breaking
// only between words and keeping the spacing between the words of a line
// (a progress bar's, say); a word wider than w is cut, ending in "…".
func wrapWords(s string, w int) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		line, gap := "", ""
		for para != "" {
			word := para
			if i := strings.IndexByte(para, ' '); i >= 0 {
				word = para[:i]
			}
			para = para[len(word):]
			space := para[:len(para)-len(strings.TrimLeft(para, " "))]
			para = para[len(space):]
			if word == "" {
				gap += space
				continue
			}
			if runewidth.StringWidth(word) > w {
				word = runewidth.Truncate(word, w, "…")
			}
			switch {
			case line == "":
				line = word
			case runewidth.StringWidth(line)+runewidth.StringWidth(gap)+runewidth.StringWidth(word) <= w:
				line += gap + word
			default:
				lines = append(lines, line)
				line = word
			}
			gap = space
		}
		lines = append(lines, line)
	}
	return lines
}

// longestWord returns the width of the widest word of s.
func longestWord(s string) int {
	n := 0
	for _, word := range strings.Fields(s) {
		n = max(n, runewidth.StringWidth(word))
	}
	return n
}
