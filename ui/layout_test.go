package ui

import (
	"regexp"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/vtui/vtui/vsphere"
)

// TestTypeAheadKeepsItsOrder: keys typed faster than the screen is read
// arrive as one message, or before the first frame; each is taken in
// order, and what one asks for (a drill-down) happens before the next.
func TestTypeAheadKeepsItsOrder(t *testing.T) {
	tests := []struct {
		name   string
		loaded bool // the keys come after the first frame and the data
		msgs   []tea.Msg
		want   string // the breadcrumbs
	}{
		{"command and enter as one message", false, []tea.Msg{
			tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(":host\r")},
		}, "hosts()"},
		{"drill-downs as one message", true, []tea.Msg{
			tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(":cluster\r\r\r")},
		}, "clusters() hosts(cluster-a) vms(esx-a-01.lab.local)"},
		// Typed while vtui starts, before the terminal is raw: each Enter
		// arrives as a line feed (ctrl+j).
		{"line feeds before raw mode", false, []tea.Msg{
			tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(":vm")}, tea.KeyMsg{Type: tea.KeyCtrlJ},
			tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(":host")}, tea.KeyMsg{Type: tea.KeyCtrlJ},
		}, "hosts()"},
		{"fast keys, one by one", false, append(keyMsgs(":vm"), append([]tea.Msg{tea.KeyMsg{Type: tea.KeyEnter}},
			append(keyMsgs(":host"), tea.KeyMsg{Type: tea.KeyEnter})...)...), "hosts()"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := New(Config{Context: "lab", Contexts: []string{"lab"}})
			a.after = noTimer
			load := func() {
				a.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
				a.connected = true
				a.Update(watchMsg{gen: a.gen, update: vsphere.WatchUpdate{Data: smallInventory(t), State: vsphere.Live, Seq: 1}})
			}
			if tt.loaded {
				load()
			}
			for _, msg := range tt.msgs {
				a.Update(msg)
			}
			if !tt.loaded {
				load()
			}
			if got := crumbs(a); got != tt.want || a.mode != modeNormal {
				t.Errorf("keys %q: view %s, mode %v; want %s in normal mode\n%s", tt.msgs, got, a.mode, tt.want, a.statusBar())
			}
		})
	}
}

func TestTooSmallFitsAnySize(t *testing.T) {
	for w := 1; w < minWidth+5; w++ {
		for h := 1; h < minHeight+3; h++ {
			if w >= minWidth && h >= minHeight {
				continue
			}
			got := tooSmall(w, h)
			lines := strings.Split(got, "\n")
			if len(lines) > h || lipgloss.Width(got) > w || strings.TrimSpace(got) == "" {
				t.Errorf("tooSmall(%d, %d) = %q: %d lines, %d wide; want it to fit", w, h, got, len(lines), lipgloss.Width(got))
			}
		}
	}
	if got := tooSmall(40, 8); !strings.Contains(got, "terminal too small: 40×8") || !strings.Contains(got, "60×10") {
		t.Errorf("tooSmall(40, 8) = %q; want the size and the minimum", got)
	}
}

// screenFits fails unless screen is exactly h lines of at most w cells.
func screenFits(t *testing.T, screen string, w, h int) {
	t.Helper()
	lines := strings.Split(screen, "\n")
	if len(lines) != h {
		t.Errorf("the screen has %d lines; want %d:\n%s", len(lines), h, screen)
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			t.Errorf("line %d is %d wide; want at most %d: %q", i, lipgloss.Width(l), w, l)
		}
	}
}

// TestMigrateDialogAtTheMinimumSize: at 60×10 the migrate dialog keeps its
// title, every host and its keys, and speaks the tables' units.
func TestMigrateDialogAtTheMinimumSize(t *testing.T) {
	l, _ := simApp(t, vsphere.Policy{})
	a := l.a
	l.send(tea.WindowSizeMsg{Width: minWidth, Height: minHeight})
	l.selectVM("app-01")
	l.keys("m")
	l.until("the migrate dialog", func() bool { return a.dialog != nil })
	screen := a.View()
	screenFits(t, screen, minWidth, minHeight)
	for _, want := range []string{"migrate app-01 to…", "› auto", "esx-", "enter select"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the dialog at 60×10 lacks %q:\n%s", want, screen)
		}
	}

	l.send(tea.WindowSizeMsg{Width: 200, Height: 30})
	screen = a.View()
	if !strings.Contains(screen, "GiB memory and ") || !strings.Contains(screen, "GHz CPU free") || strings.Contains(screen, "MB memory") {
		t.Errorf("the dialog does not speak the tables' units:\n%s", screen)
	}
}

// TestHelpAtTheMinimumSize: at 60×10 the help screen loses no key: what
// does not fit scrolls.
func TestHelpAtTheMinimumSize(t *testing.T) {
	a := loadedApp(t)
	a.Update(tea.WindowSizeMsg{Width: minWidth, Height: minHeight})
	keys(a, "?")
	var seen strings.Builder
	for range 40 {
		screen := a.View()
		screenFits(t, screen, minWidth, minHeight)
		seen.WriteString(screen)
		keys(a, "j")
	}
	for _, b := range append(a.keys.Global(), a.keys.Table.Up, a.keys.Table.End, a.keys.Table.Mark, a.keys.Migrate, a.keys.Power) {
		if !strings.Contains(seen.String(), b.Help().Desc) {
			t.Errorf("the help at 60×10 never shows %q", b.Help().Desc)
		}
	}
	keys(a, "x")
	if a.mode != modeNormal {
		t.Errorf("a key other than ↑/↓ does not close the help")
	}
}

// TestColumnsGiveWayAt80x24: at 80×24 the VM view hides the columns that
// give way first (CLUSTER, then DATASTORES, then from the right) rather
// than cutting the line, says so with ›, and → and ← scroll to them.
func TestColumnsGiveWayAt80x24(t *testing.T) {
	a := loadedApp(t)
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	header := func() string {
		t.Helper()
		for _, l := range strings.Split(screen(a), "\n") {
			if strings.HasPrefix(l, "NAME") {
				return l
			}
		}
		t.Fatalf("no header:\n%s", screen(a))
		return ""
	}
	h := header()
	for _, want := range []string{"NAME↑", "POWER", "HOST", "CPUS", "MEMORY", "CPU USED", "MEM%"} {
		if !strings.Contains(h, want) {
			t.Errorf("80 columns: header %q lacks %s", h, want)
		}
	}
	for _, gone := range []string{"CLUSTER", "DATASTORES", " IP"} {
		if strings.Contains(h, gone) {
			t.Errorf("80 columns: header %q shows %s, which gives way first", h, gone)
		}
	}
	if !strings.HasSuffix(h, "›") || lipgloss.Width(h) != 80 {
		t.Errorf("80 columns: header %q (%d wide); want 80 wide, ending in ›", h, lipgloss.Width(h))
	}
	keys(a, "<right>", "<right>", "<right>", "<right>")
	h = header()
	for _, want := range []string{"NAME↑", "IP", "DATASTORES"} {
		if !strings.Contains(h, want) {
			t.Errorf("after → ×4: header %q lacks %s", h, want)
		}
	}
	if !strings.Contains(h, "‹") || strings.Contains(h, "›") {
		t.Errorf("after → ×4: header %q; want ‹ (columns to the left) and no ›", h)
	}
	keys(a, "<right>")
	if header() != h {
		t.Errorf("→ past the last column moved on: %q; want %q", header(), h)
	}
	keys(a, "<left>", "<left>", "<left>", "<left>")
	if !strings.Contains(header(), "POWER") {
		t.Errorf("← back: header %q lacks POWER", header())
	}
}

// TestDetailWordsWholeAt80x24: at 80×24 the detail pane wraps its values
// between words: a host name, a datastore list and a UUID each show
// whole, a long one under its label.
func TestDetailWordsWholeAt80x24(t *testing.T) {
	a := loadedApp(t)
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	keys(a, "/", "web-01", "<enter>", "d")
	s := screen(a)
	for _, want := range []string{"esx-a-01.lab.local", "ds-shared-01,", "ds-a-only", "poweredOn"} {
		if !strings.Contains(s, want) {
			t.Errorf("VM detail at 80×24 lacks %q whole:\n%s", want, s)
		}
	}
	if !regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`).MatchString(s) {
		t.Errorf("VM detail at 80×24 lacks a whole instance UUID:\n%s", s)
	}
}
