// Package table is a scrolling, sortable, filterable table for large
// inventories. It renders only the visible rows, so its cost per frame
// depends on the screen, not on the number of rows.
package table

import (
	"cmp"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/mattn/go-runewidth"

	"github.com/vtui/vtui/internal/kinds"
)

// Column describes one column of rows of type T.
type Column[T any] struct {
	// Title is the header text; it is also what the sort key names.
	Title string
	// Width is the column's minimum width; the last column takes the rest.
	Width int
	// Right aligns numbers.
	Right bool
	// Grow makes this column, rather than the first, take the spare width.
	Grow bool
	// GiveWay orders which columns a narrow screen hides first: the
	// highest, and among equals the rightmost. The first column (the
	// name) never gives way.
	GiveWay int
	// Cell renders a row's value for this column.
	Cell func(T) string
	// Compare orders two rows by this column; nil compares the cells as text.
	Compare func(a, b T) int
}

// FromKind takes a table's columns from a kind's entry in the registry
// (internal/kinds), so a row reads the same in the terminal UI and in
// vtui get.
func FromKind[T any](cols []kinds.Column[T]) []Column[T] {
	out := make([]Column[T], len(cols))
	for i, c := range cols {
		out[i] = Column[T]{Title: c.Title, Width: c.Width, Right: c.Right, Grow: c.Grow, GiveWay: c.GiveWay, Cell: c.Cell, Compare: c.Compare}
	}
	return out
}

// Styles are the table's looks. The zero value renders plain text.
type Styles struct {
	Header    lipgloss.Style
	Selected  lipgloss.Style
	Marked    lipgloss.Style
	Highlight lipgloss.Style
	Stale     lipgloss.Style
}

// KeyMap is the table's key bindings.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	SortNext, SortReverse, Mark           key.Binding
	// Left and Right scroll the columns when not all fit.
	Left, Right key.Binding
	// SortColumn holds the letters (shift and a letter, as k9s has it)
	// that sort by a column: each column gets the first letter of its
	// title that is among them and not taken by an earlier column, and
	// its letter again reverses the sort. Leave out the capitals that
	// other keys use.
	SortColumn key.Binding
}

// DefaultKeyMap returns the standard bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:          key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:        key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:      key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown:    key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		Home:        key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("home/g", "first")),
		End:         key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("end/G", "last")),
		SortNext:    key.NewBinding(key.WithKeys(">"), key.WithHelp(">", "sort by next column")),
		SortReverse: key.NewBinding(key.WithKeys("<"), key.WithHelp("<", "reverse sort")),
		Mark:        key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "mark")),
		Left:        key.NewBinding(key.WithKeys("left"), key.WithHelp("←/→", "scroll columns")),
		Right:       key.NewBinding(key.WithKeys("right")),
		SortColumn:  key.NewBinding(key.WithKeys(capitalsBut("G")...), key.WithHelp("shift+letter", "sort by that column (again: reverse)")),
	}
}

// capitalsBut returns the letters A to Z but those given.
func capitalsBut(taken ...string) []string {
	var out []string
	for c := 'A'; c <= 'Z'; c++ {
		if !slices.Contains(taken, string(c)) {
			out = append(out, string(c))
		}
	}
	return out
}

// Model is a table of rows of type T. Rows are identified by Key, so the
// selection and the marks survive a data refresh and a re-sort.
type Model[T any] struct {
	cols   []Column[T]
	key    func(T) string
	rows   []T
	view   []int    // indices into rows: filtered, then sorted
	texts  []string // each row's cells as the filter reads them; "" until needed
	same   func(a, b T) bool
	keys   KeyMap
	styles Styles

	sortCol  int
	sortDesc bool
	sortKeys []string // each column's SortColumn letter, "" for none
	filter   string
	negate   bool

	cursor int // index into view
	offset int // first visible index into view
	left   int // columns after the first scrolled out to the left
	width  int
	height int // rows, header excluded
	marked map[string]bool
	stale  bool
}

// New returns a table with the given columns, sorted by the first.
func New[T any](cols []Column[T], key func(T) string, keys KeyMap, styles Styles) Model[T] {
	return Model[T]{cols: cols, key: key, keys: keys, styles: styles, marked: map[string]bool{}, sortKeys: sortLetters(cols, keys.SortColumn.Keys())}
}

// sortLetters gives each column the first letter of its title that is
// among letters and not taken by an earlier column.
func sortLetters[T any](cols []Column[T], letters []string) []string {
	out := make([]string, len(cols))
	var taken []string
	for i, c := range cols {
		for _, r := range strings.ToUpper(c.Title) {
			if l := string(r); slices.Contains(letters, l) && !slices.Contains(taken, l) {
				out[i], taken = l, append(taken, l)
				break
			}
		}
	}
	return out
}

// SortKeys returns a binding per column that has a sort letter, for help:
// "N  sort by NAME".
func (m Model[T]) SortKeys() []key.Binding {
	var out []key.Binding
	for i, l := range m.sortKeys {
		if l != "" {
			out = append(out, key.NewBinding(key.WithKeys(l), key.WithHelp(l, "sort by "+m.cols[i].Title)))
		}
	}
	return out
}

// Scrolls reports whether there are more rows than the table shows.
func (m Model[T]) Scrolls() bool { return len(m.view) > m.height }

// SetSame tells the table how to recognise a row that a refresh left as
// it was: same reports whether two rows have the same cells in every
// column. Then a refresh keeps what the filter read of each such row in
// the same place rather than rendering every cell of every row again: a
// live change at 45,000 VMs changes a few rows and moves none.
func (m *Model[T]) SetSame(same func(a, b T) bool) { m.same = same }

// SetRows replaces the data, keeping the selected row (by key) selected.
// The table only reads rows, so they may be shared with their source, but
// they must not change while it has them: handed the very rows it has
// (a live state that changed none of them), it has nothing to do.
func (m *Model[T]) SetRows(rows []T) {
	if len(rows) == len(m.rows) && (len(rows) == 0 || &rows[0] == &m.rows[0]) {
		return
	}
	sel, ok := m.Selected()
	m.texts = m.keptTexts(rows)
	m.rows = rows
	m.rebuild()
	if ok {
		m.selectKey(m.key(sel))
	}
}

// SetSize sets the width and the height in lines, header included.
func (m *Model[T]) SetSize(w, h int) {
	m.width, m.height = w, max(h-1, 1)
	m.clamp()
}

// SetStale dims the rows, for data that may be out of date.
func (m *Model[T]) SetStale(stale bool) { m.stale = stale }

// SetFilter keeps rows whose cells contain s, ignoring case; a leading "!"
// keeps the rows that do not.
func (m *Model[T]) SetFilter(s string) {
	sel, ok := m.Selected()
	m.negate = strings.HasPrefix(s, "!")
	m.filter = strings.ToLower(strings.TrimPrefix(s, "!"))
	m.rebuild()
	if ok {
		m.selectKey(m.key(sel))
	}
}

// Filter returns the filter as it was set.
func (m Model[T]) Filter() string {
	if m.negate {
		return "!" + m.filter
	}
	return m.filter
}

// SortBy sorts by the column with that title (case-insensitive); it reports
// whether such a column exists.
func (m *Model[T]) SortBy(title string, desc bool) bool {
	for i, c := range m.cols {
		if strings.EqualFold(c.Title, title) {
			m.sortCol, m.sortDesc = i, desc
			m.resort()
			return true
		}
	}
	return false
}

// Sort returns the sort column's title and direction.
func (m Model[T]) Sort() (string, bool) { return m.cols[m.sortCol].Title, m.sortDesc }

// Len returns the number of rows shown (after the filter).
func (m Model[T]) Len() int { return len(m.view) }

// Total returns the number of rows before the filter.
func (m Model[T]) Total() int { return len(m.rows) }

// Cursor returns the selected position among the shown rows.
func (m Model[T]) Cursor() int { return m.cursor }

// Selected returns the selected row, if any.
func (m Model[T]) Selected() (T, bool) {
	if m.cursor < 0 || m.cursor >= len(m.view) {
		var zero T
		return zero, false
	}
	return m.rows[m.view[m.cursor]], true
}

// Marked returns the marked rows that are still present, in table order.
func (m Model[T]) Marked() []T {
	var out []T
	for _, i := range m.view {
		if m.marked[m.key(m.rows[i])] {
			out = append(out, m.rows[i])
		}
	}
	return out
}

// ClearMarks unmarks every row.
func (m *Model[T]) ClearMarks() { clear(m.marked) }

// Update moves the cursor, sorts and marks, on keys and the mouse wheel.
func (m Model[T]) Update(msg tea.Msg) (Model[T], tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, m.keys.Up):
			m.move(-1)
		case key.Matches(msg, m.keys.Down):
			m.move(1)
		case key.Matches(msg, m.keys.PageUp):
			m.move(-m.height)
		case key.Matches(msg, m.keys.PageDown):
			m.move(m.height)
		case key.Matches(msg, m.keys.Home):
			m.move(-len(m.view))
		case key.Matches(msg, m.keys.End):
			m.move(len(m.view))
		case key.Matches(msg, m.keys.SortNext):
			m.SortBy(m.cols[(m.sortCol+1)%len(m.cols)].Title, false)
		case key.Matches(msg, m.keys.SortReverse):
			m.SortBy(m.cols[m.sortCol].Title, !m.sortDesc)
		case key.Matches(msg, m.keys.Left):
			m.left = max(m.left-1, 0)
		case key.Matches(msg, m.keys.Right):
			if m.hiddenRight() {
				m.left++
			}
		case key.Matches(msg, m.keys.SortColumn):
			if i := slices.Index(m.sortKeys, msg.String()); i >= 0 {
				m.SortBy(m.cols[i].Title, i == m.sortCol && !m.sortDesc)
			}
		case key.Matches(msg, m.keys.Mark):
			if sel, ok := m.Selected(); ok {
				k := m.key(sel)
				if m.marked[k] {
					delete(m.marked, k)
				} else {
					m.marked[k] = true
				}
				m.move(1)
			}
		}
	case tea.MouseMsg:
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			m.move(-3)
		case tea.MouseButtonWheelDown:
			m.move(3)
		}
	}
	return m, nil
}

func (m *Model[T]) move(n int) {
	m.cursor += n
	m.clamp()
}

func (m *Model[T]) clamp() {
	m.cursor = max(min(m.cursor, len(m.view)-1), 0)
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+m.height {
		m.offset = m.cursor - m.height + 1
	}
	m.offset = max(min(m.offset, len(m.view)-m.height), 0)
}

// Select moves the cursor to the row whose key is k; ok is false when
// the filter does not show such a row, and the cursor stays.
func (m *Model[T]) Select(k string) (ok bool) {
	for _, r := range m.view {
		if m.key(m.rows[r]) == k {
			m.selectKey(k)
			return true
		}
	}
	return false
}

func (m *Model[T]) selectKey(k string) {
	for i, r := range m.view {
		if m.key(m.rows[r]) == k {
			m.cursor = i
			break
		}
	}
	m.clamp()
}

// rebuild applies the filter, then sorts.
func (m *Model[T]) rebuild() {
	m.view = m.view[:0]
	if m.filter == "" {
		for i := range m.rows {
			m.view = append(m.view, i)
		}
	} else {
		if m.texts == nil {
			m.texts = make([]string, len(m.rows))
		}
		for i, r := range m.rows {
			if m.texts[i] == "" { // not read yet: never "", as each cell ends in a 0 byte
				var b strings.Builder
				for _, c := range m.cols {
					b.WriteString(strings.ToLower(c.Cell(r)))
					b.WriteByte(0)
				}
				m.texts[i] = b.String()
			}
		}
		for i, t := range m.texts {
			if strings.Contains(t, m.filter) != m.negate {
				m.view = append(m.view, i)
			}
		}
	}
	m.sortView()
	m.clamp()
}

// keptTexts returns the filter's texts for rows, which are to replace
// m.rows: those of the rows SetSame's function finds unchanged in the same
// place, "" for the others; nil when there is nothing to keep.
func (m *Model[T]) keptTexts(rows []T) []string {
	if m.same == nil || m.texts == nil {
		return nil
	}
	kept := make([]string, len(rows))
	for i := range min(len(rows), len(m.rows)) {
		if m.same(m.rows[i], rows[i]) {
			kept[i] = m.texts[i]
		}
	}
	return kept
}

// resort sorts again, keeping the selected row selected.
func (m *Model[T]) resort() {
	sel, ok := m.Selected()
	m.sortView()
	if ok {
		m.selectKey(m.key(sel))
	}
	m.clamp()
}

func (m *Model[T]) sortView() {
	col := m.cols[m.sortCol]
	compare := col.Compare
	if compare == nil {
		compare = func(a, b T) int { return cmp.Compare(col.Cell(a), col.Cell(b)) }
	}
	slices.SortStableFunc(m.view, func(a, b int) int {
		c := compare(m.rows[a], m.rows[b])
		if m.sortDesc {
			c = -c
		}
		return c
	})
}

// shown returns the columns that fit the width, in order: the first,
// then those from m.left on, less the ones that give way (GiveWay).
func (m Model[T]) shown() []int {
	cols := []int{0}
	for i := 1 + m.left; i < len(m.cols); i++ {
		cols = append(cols, i)
	}
	used := 0
	for _, i := range cols {
		used += m.minWidth(i) + 1
	}
	for used > m.width && len(cols) > 1 {
		drop := 1
		for k := 2; k < len(cols); k++ {
			if m.cols[cols[k]].GiveWay >= m.cols[cols[drop]].GiveWay {
				drop = k
			}
		}
		used -= m.minWidth(cols[drop]) + 1
		cols = slices.Delete(cols, drop, drop+1)
	}
	return cols
}

// hiddenRight reports whether a column right of the shown ones gave way,
// so that Right has something to show.
func (m Model[T]) hiddenRight() bool {
	cols := m.shown()
	return len(cols) < len(m.cols)-m.left
}

func (m Model[T]) minWidth(i int) int {
	return max(m.cols[i].Width, runewidth.StringWidth(m.cols[i].Title)+1)
}

// widths fits the shown columns to the width: each gets its minimum, and
// the Grow column takes what is left; without one the first (the name)
// grows, up to nameMax.
func (m Model[T]) widths(cols []int) []int {
	w := make([]int, len(cols))
	used, grow := 0, -1
	for k, i := range cols {
		w[k] = m.minWidth(i)
		used += w[k] + 1
		if m.cols[i].Grow {
			grow = k
		}
	}
	switch {
	case used >= m.width || len(w) == 0:
	case grow >= 0:
		w[grow] += m.width - used
	default:
		w[0] += max(min(m.width-used, nameMax-w[0]), 0)
	}
	return w
}

// nameMax bounds how wide the first column grows on a wide screen.
const nameMax = 40

// View renders the header and the visible rows. A header that ends in ‹
// has columns scrolled out to the left, one that ends in › columns that
// gave way to the right (←/→ scroll).
func (m Model[T]) View() string {
	cols := m.shown()
	widths := m.widths(cols)
	var b strings.Builder
	b.Grow((m.width + 16) * (m.height + 1))
	var line strings.Builder
	for k, i := range cols {
		c := m.cols[i]
		title := c.Title
		if i == m.sortCol {
			if m.sortDesc {
				title += "↓"
			} else {
				title += "↑"
			}
		}
		pad(&line, title, widths[k], c.Right)
	}
	more := ""
	if m.left > 0 {
		more = "‹"
	}
	if len(cols) < len(m.cols)-m.left {
		more += "›"
	}
	b.WriteString(m.styles.Header.Render(fit(line.String(), m.width-len([]rune(more))) + more))
	end := min(m.offset+m.height, len(m.view))
	for vi := m.offset; vi < end; vi++ {
		r := m.rows[m.view[vi]]
		line.Reset()
		for k, i := range cols {
			pad(&line, m.cols[i].Cell(r), widths[k], m.cols[i].Right)
		}
		text := fit(line.String(), m.width)
		b.WriteByte('\n')
		switch {
		case vi == m.cursor:
			b.WriteString(m.styles.Selected.Render(text))
		case m.marked[m.key(r)]:
			b.WriteString(m.styles.Marked.Render(text))
		case m.filter != "" && !m.negate:
			b.WriteString(m.highlight(text))
		case m.stale:
			b.WriteString(m.styles.Stale.Render(text))
		default:
			b.WriteString(text)
		}
	}
	for i := end - m.offset; i < m.height; i++ {
		b.WriteByte('\n')
	}
	return b.String()
}

// highlight styles each case-insensitive occurrence of the filter.
func (m Model[T]) highlight(text string) string {
	lower := strings.ToLower(text)
	if len(lower) != len(text) {
		return text // a case change altered byte offsets; skip the highlight
	}
	var b strings.Builder
	for {
		i := strings.Index(lower, m.filter)
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		j := i + len(m.filter)
		b.WriteString(text[:i])
		b.WriteString(m.styles.Highlight.Render(text[i:j]))
		text, lower = text[j:], lower[j:]
	}
}

// pad writes s in a cell of width w (truncating with …) and a separator.
func pad(b *strings.Builder, s string, w int, right bool) {
	sw := runewidth.StringWidth(s)
	if sw > w {
		s = runewidth.Truncate(s, w, "…")
		sw = runewidth.StringWidth(s)
	}
	if right {
		b.WriteString(strings.Repeat(" ", w-sw))
		b.WriteString(s)
	} else {
		b.WriteString(s)
		b.WriteString(strings.Repeat(" ", w-sw))
	}
	b.WriteByte(' ')
}

// fit cuts or pads a line to exactly w cells.
func fit(s string, w int) string {
	sw := runewidth.StringWidth(s)
	if sw > w {
		return runewidth.Truncate(s, w, "")
	}
	return s + strings.Repeat(" ", w-sw)
}
