package table

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

type row struct {
	name string
	n    int
}

func newTestTable(rows ...row) Model[row] {
	cols := []Column[row]{
		{Title: "NAME", Width: 8, Cell: func(r row) string { return r.name }},
		{Title: "N", Width: 4, Right: true, Cell: func(r row) string { return strconv.Itoa(r.n) },
			Compare: func(a, b row) int { return cmp.Compare(a.n, b.n) }},
	}
	m := New(cols, func(r row) string { return r.name }, DefaultKeyMap(), Styles{})
	m.SetSize(30, 4) // 3 rows visible
	m.SetRows(rows)
	return m
}

func names(m Model[row]) []string {
	var out []string
	for _, i := range m.view {
		out = append(out, m.rows[i].name)
	}
	return out
}

func press(m Model[row], keys ...string) Model[row] {
	for _, k := range keys {
		var msg tea.KeyMsg
		switch k {
		case "down", "up", "pgdown", "pgup", "home", "end":
			msg = map[string]tea.KeyMsg{
				"down": {Type: tea.KeyDown}, "up": {Type: tea.KeyUp}, "pgdown": {Type: tea.KeyPgDown},
				"pgup": {Type: tea.KeyPgUp}, "home": {Type: tea.KeyHome}, "end": {Type: tea.KeyEnd},
			}[k]
		case "space":
			msg = tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
		default:
			msg = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		}
		m, _ = m.Update(msg)
	}
	return m
}

var data = []row{{"delta", 4}, {"alpha", 1}, {"charlie", 3}, {"bravo", 2}, {"echo", 5}}

func TestSortsByFirstColumnThenByChoice(t *testing.T) {
	m := newTestTable(data...)
	if got := names(m); !slices.Equal(got, []string{"alpha", "bravo", "charlie", "delta", "echo"}) {
		t.Errorf("initial order = %v; want by name", got)
	}
	m.SortBy("n", true)
	if got := names(m); !slices.Equal(got, []string{"echo", "delta", "charlie", "bravo", "alpha"}) {
		t.Errorf("sorted by N descending = %v", got)
	}
	if col, desc := m.Sort(); col != "N" || !desc {
		t.Errorf("Sort() = %s, %v; want N, true", col, desc)
	}
	if !strings.Contains(m.View(), "N↓") {
		t.Errorf("header lacks the sort indicator N↓:\n%s", m.View())
	}
	m = press(m, "<")
	if col, desc := m.Sort(); col != "N" || desc {
		t.Errorf("after < Sort() = %s, %v; want N ascending", col, desc)
	}
}

func TestFilterIsCaseInsensitiveAndNegatable(t *testing.T) {
	m := newTestTable(data...)
	m.SetFilter("HAR")
	if got := names(m); !slices.Equal(got, []string{"charlie"}) {
		t.Errorf("filter HAR = %v; want [charlie]", got)
	}
	m.SetFilter("!a")
	if got := names(m); !slices.Equal(got, []string{"echo"}) {
		t.Errorf("filter !a = %v; want [echo] (the only name without an a)", got)
	}
	if m.Len() != 1 || m.Total() != 5 {
		t.Errorf("Len, Total = %d, %d; want 1, 5", m.Len(), m.Total())
	}
}

func TestFilterHighlightsMatches(t *testing.T) {
	m := newTestTable(data...)
	m.styles.Highlight = m.styles.Highlight.SetString("").Transform(func(s string) string { return "[" + s + "]" })
	m.SetFilter("a") // alpha, bravo, charlie, delta; the cursor is on alpha
	if v := m.View(); !strings.Contains(v, "ch[a]rlie") {
		t.Errorf("View() does not mark the match:\n%s", v)
	}
}

func TestNavigationScrollsAndClamps(t *testing.T) {
	m := newTestTable(data...)
	m = press(m, "down", "down", "down")
	if sel, _ := m.Selected(); sel.name != "delta" || m.offset != 1 {
		t.Errorf("after 3×down: selected %s, offset %d; want delta, 1", sel.name, m.offset)
	}
	m = press(m, "end")
	if sel, _ := m.Selected(); sel.name != "echo" {
		t.Errorf("end selects %s; want echo", sel.name)
	}
	m = press(m, "down", "home")
	if sel, _ := m.Selected(); sel.name != "alpha" || m.offset != 0 {
		t.Errorf("home selects %s at offset %d; want alpha at 0", sel.name, m.offset)
	}
	m, _ = m.Update(tea.MouseMsg{Button: tea.MouseButtonWheelDown})
	if m.Cursor() != 3 {
		t.Errorf("wheel down moves to %d; want 3", m.Cursor())
	}
}

func TestRendersOnlyVisibleRows(t *testing.T) {
	var many []row
	for i := range 1000 {
		many = append(many, row{name: "vm-" + strconv.Itoa(i), n: i})
	}
	m := newTestTable(many...)
	lines := strings.Split(m.View(), "\n")
	if len(lines) != 4 {
		t.Errorf("View() has %d lines; want header + 3 rows", len(lines))
	}
}

func TestSelectionAndMarksSurviveRefresh(t *testing.T) {
	m := newTestTable(data...)
	m = press(m, "down", "space") // mark bravo; the cursor moves on to charlie
	sel, _ := m.Selected()
	if sel.name != "charlie" {
		t.Fatalf("after down, space: selected %s; want charlie", sel.name)
	}
	m.SetRows([]row{{"aardvark", 0}, {"charlie", 9}, {"bravo", 2}})
	if got, _ := m.Selected(); got.name != sel.name {
		t.Errorf("after refresh selected %s; want %s", got.name, sel.name)
	}
	if marked := m.Marked(); len(marked) != 1 || marked[0].name != "bravo" {
		t.Errorf("Marked() = %v; want [bravo]", marked)
	}
}

// TestSortLetters: each column gets the first letter of its title that is
// free (NAME N, then NODE O, NUMBER U, as N and O are taken), a letter
// that other keys use is skipped (G), and the same letter again reverses.
func TestSortLetters(t *testing.T) {
	cell := func(r row) string { return r.name }
	cols := []Column[row]{{Title: "NAME", Cell: cell}, {Title: "NODE", Cell: cell}, {Title: "NUMBER", Cell: cell}, {Title: "GB", Cell: cell}, {Title: "G", Cell: cell}}
	if got, want := sortLetters(cols, DefaultKeyMap().SortColumn.Keys()), []string{"N", "O", "U", "B", ""}; !slices.Equal(got, want) {
		t.Errorf("sort letters of NAME NODE NUMBER GB G: %q; want %q", got, want)
	}

	m := New([]Column[row]{
		{Title: "NAME", Cell: func(r row) string { return r.name }},
		{Title: "SIZE", Cell: func(r row) string { return strconv.Itoa(r.n) }, Compare: func(a, b row) int { return cmp.Compare(a.n, b.n) }},
	}, func(r row) string { return r.name }, DefaultKeyMap(), Styles{})
	m.SetSize(30, 10)
	m.SetRows([]row{{"b", 1}, {"a", 3}, {"c", 2}})
	for _, tt := range []struct {
		key  string
		want []string
	}{{"S", []string{"b", "c", "a"}}, {"S", []string{"a", "c", "b"}}, {"N", []string{"a", "b", "c"}}, {"N", []string{"c", "b", "a"}}, {"Z", []string{"c", "b", "a"}}} {
		m = press(m, tt.key)
		if got := names(m); !slices.Equal(got, tt.want) {
			col, desc := m.Sort()
			t.Errorf("after %s: rows %q (sorted by %s desc=%v); want %q", tt.key, got, col, desc, tt.want)
		}
	}
}

// TestRefreshReadsOnlyChangedRowsForTheFilter: with SetSame, a refresh
// renders for the filter only the rows it changed or moved, and the filter
// still judges every row by its newest cells, also after the filter was
// cleared and set again.
func TestRefreshReadsOnlyChangedRowsForTheFilter(t *testing.T) {
	reads := 0
	cols := []Column[row]{
		{Title: "NAME", Width: 8, Cell: func(r row) string { return r.name }}, // the sort reads it too
		{Title: "N", Width: 4, Cell: func(r row) string { reads++; return strconv.Itoa(r.n) }},
	}
	m := New(cols, func(r row) string { return r.name }, DefaultKeyMap(), Styles{})
	m.SetSize(30, 10)
	m.SetSame(func(a, b row) bool { return a == b })
	m.SetRows(data) // delta 4, alpha 1, charlie 3, bravo 2, echo 5
	m.SetFilter("3")
	if got := names(m); !slices.Equal(got, []string{"charlie"}) {
		t.Fatalf("filter 3 = %v; want [charlie]", got)
	}

	for _, step := range []struct {
		name      string
		rows      []row
		filter    string // set after the rows; "-" leaves it
		want      []string
		wantReads int
	}{
		{"one row changed", []row{{"delta", 3}, {"alpha", 1}, {"charlie", 3}, {"bravo", 2}, {"echo", 5}}, "-", []string{"charlie", "delta"}, 1},
		{"nothing changed", []row{{"delta", 3}, {"alpha", 1}, {"charlie", 3}, {"bravo", 2}, {"echo", 5}}, "-", []string{"charlie", "delta"}, 0},
		{"a row no longer matches", []row{{"delta", 3}, {"alpha", 1}, {"charlie", 7}, {"bravo", 2}, {"echo", 5}}, "-", []string{"delta"}, 1},
		{"a row inserted moves the rest", []row{{"aaron", 0}, {"delta", 3}, {"alpha", 1}, {"charlie", 7}, {"bravo", 2}, {"echo", 5}}, "-", []string{"delta"}, 6},
		{"the filter cleared", nil, "", nil, 0},
		{"changed while no filter is set", []row{{"aaron", 3}, {"delta", 3}, {"alpha", 1}, {"charlie", 7}, {"bravo", 2}, {"echo", 5}}, "-", nil, 0},
		{"the filter set again reads what changed meanwhile", nil, "3", []string{"aaron", "delta"}, 1},
	} {
		reads = 0
		if step.rows != nil {
			m.SetRows(step.rows)
		}
		if step.filter != "-" {
			m.SetFilter(step.filter)
		}
		if got := names(m); step.want != nil && !slices.Equal(got, step.want) {
			t.Errorf("%s: rows shown %v; want %v", step.name, got, step.want)
		}
		if reads != step.wantReads {
			t.Errorf("%s: read %d rows' cells; want %d", step.name, reads, step.wantReads)
		}
	}
}

// TestTheSameRowsAgainAreNotReadAgain: handed the very rows it has (a
// live state that changed none of them), the table compares and reads
// none of them, and shows and selects what it did.
func TestTheSameRowsAgainAreNotReadAgain(t *testing.T) {
	reads, compared := 0, 0
	cols := []Column[row]{
		{Title: "NAME", Width: 8, Cell: func(r row) string { return r.name }}, // the sort reads it too
		{Title: "N", Width: 4, Cell: func(r row) string { reads++; return strconv.Itoa(r.n) }},
	}
	m := New(cols, func(r row) string { return r.name }, DefaultKeyMap(), Styles{})
	m.SetSize(30, 10)
	m.SetSame(func(a, b row) bool { compared++; return a == b })
	rows := slices.Clone(data)
	m.SetRows(rows)
	m.SetFilter("a")
	m = press(m, "down")
	shown, sel := names(m), m.cursor
	reads, compared = 0, 0
	m.SetRows(rows)
	if reads != 0 || compared != 0 {
		t.Errorf("the same rows again: read %d rows' cells and compared %d rows; want none", reads, compared)
	}
	if got := names(m); !slices.Equal(got, shown) || m.cursor != sel {
		t.Errorf("the same rows again: shown %v, cursor %d; want %v, %d", got, m.cursor, shown, sel)
	}
}
