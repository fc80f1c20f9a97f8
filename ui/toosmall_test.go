package ui

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/ui/common"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// boundKeys walks v, a keymap, and returns every key of its bindings,
// nested ones included, each once: a key added to a keymap is covered
// without being listed here.
func boundKeys(v reflect.Value) []string {
	var out []string
	switch b, ok := v.Interface().(key.Binding); {
	case ok:
		out = append(out, b.Keys()...)
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			out = append(out, boundKeys(v.Field(i))...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// keyMsg is the message the terminal sends for a key as key.Binding
// names it ("M", "ctrl+c", "shift+tab", "pgup", " ").
func keyMsg(t *testing.T, k string) tea.KeyMsg {
	t.Helper()
	if r := []rune(k); len(r) == 1 {
		if k == " " {
			return tea.KeyMsg{Type: tea.KeySpace, Runes: r}
		}
		return tea.KeyMsg{Type: tea.KeyRunes, Runes: r}
	}
	for kt := tea.KeyType(-200); kt < 200; kt++ {
		if m := (tea.KeyMsg{Type: kt}); m.String() == k {
			return m
		}
	}
	t.Fatalf("no key message is %q", k)
	return tea.KeyMsg{}
}

// TestTooSmallScreenOnlyEscAndQuitAct: while the screen says it is too
// small, no key of any keymap opens a dialog, a view or a line, or sends
// a change, on each view with changes and with a confirmation already
// open; Esc and quitting are the keys that act, and they change nothing.
// At 20×5 on the host view, M then y once put a host into maintenance.
// Quitting from there is TestQuitActsOnATooSmallScreen.
func TestTooSmallScreenOnlyEscAndQuitAct(t *testing.T) {
	keys := common.DefaultKeyMap()
	var tried []string
	for _, k := range boundKeys(reflect.ValueOf(keys)) {
		if !key.Matches(keyMsg(t, k), keys.Quit, keys.Exit) { // quitting ends the test's app; it is allowed
			tried = append(tried, k)
		}
	}
	for _, tc := range []struct {
		name  string
		setup []string // keys at full size
	}{
		{"vms", []string{":vm", "<enter>"}},
		{"hosts", []string{":host", "<enter>"}},
		{"clusters", []string{":cluster", "<enter>"}},
		{"maintenance confirmation open", []string{":host", "<enter>", "M"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, srv := simApp(t, vsphere.Policy{})
			before := vspheretest.State(t, vspheretest.Connect(t, srv))
			l.keys(tc.setup...)
			if tc.name == "maintenance confirmation open" {
				l.until("the maintenance confirmation", func() bool { return l.a.dialog != nil })
			}
			dialog, stack := l.a.dialog, slices.Clone(l.a.stack)
			l.send(tea.WindowSizeMsg{Width: 20, Height: 5})
			for _, k := range tried {
				for _, then := range []string{"", "y", "enter"} { // a key, then what would confirm it
					l.send(keyMsg(t, k))
					if then != "" {
						l.send(keyMsg(t, then))
					}
					l.settle()
					escapes := key.Matches(keyMsg(t, k), keys.Back)
					switch {
					case l.a.dialog != dialog && !(escapes && l.a.dialog == nil):
						t.Fatalf("%q then %q at 20×5 changed the dialog to %v", k, then, l.a.dialog)
					case l.a.drill.Shown() || l.a.mode != modeNormal || l.a.password != nil:
						t.Fatalf("%q then %q at 20×5 opened the drill view, a line or a prompt", k, then)
					case !escapes && !slices.Equal(l.a.stack, stack):
						t.Fatalf("%q then %q at 20×5 changed the view to %v", k, then, l.a.stack)
					case len(l.a.changes.Running()) > 0:
						t.Fatalf("%q then %q at 20×5 started %v", k, then, l.a.changes.Running())
					}
					dialog = l.a.dialog // esc may have closed it
				}
			}
			time.Sleep(200 * time.Millisecond) // what the keys started in the background would be back
			l.settle()
			l.send(keyMsg(t, "y"))
			if len(l.a.changes.Running()) > 0 || l.a.dialog != dialog {
				t.Fatalf("at 20×5, what the keys asked for in the background opened %v or started %v", l.a.dialog, l.a.changes.Running())
			}
			vspheretest.SameState(t, "after every key at 20×5", vspheretest.State(t, vspheretest.Connect(t, srv)), before)
		})
	}
}

// TestQuitActsOnATooSmallScreen: q and ctrl+c still quit at 20×5.
func TestQuitActsOnATooSmallScreen(t *testing.T) {
	for _, k := range []string{"q", "<ctrl+c>"} {
		l, _ := simApp(t, vsphere.Policy{})
		l.send(tea.WindowSizeMsg{Width: 20, Height: 5})
		l.keys(k)
		if !l.quitAsked() {
			t.Errorf("%s at 20×5 did not quit", k)
		}
	}
}
