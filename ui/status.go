package ui

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/mattn/go-runewidth"

	"github.com/vtui/vtui/vsphere"
)

// cause says what a status note is about, and so what ends it.
type cause int

const (
	// causeInput: a bad command. The next key ends it.
	causeInput cause = iota
	// causeConnection: logging in failed, or the connection dropped. A
	// live connection or another context ends it.
	causeConnection
	// causeBlocked: a change was refused because the data is stale or
	// still loading. A live connection ends it.
	causeBlocked
	// causeChange: how a change ended. It stays a while.
	causeChange
)

// noteKey names a note: its cause, and for a change's outcome the change.
type noteKey struct {
	cause cause
	id    int
}

// note is one message of the status bar.
type note struct {
	text string
	bad  bool
	seq  int
}

// notes are the status bar's messages, one per key: a new one replaces
// the old of the same key, and each goes when its cause is over.
type notes struct {
	by  map[noteKey]note
	seq int
}

// noteExpiredMsg ends a note that has been shown long enough, unless a
// newer one replaced it.
type noteExpiredMsg struct {
	key noteKey
	seq int
}

func (n *notes) set(k noteKey, bad bool, text string) int {
	if n.by == nil {
		n.by = map[noteKey]note{}
	}
	n.seq++
	n.by[k] = note{text: text, bad: bad, seq: n.seq}
	return n.seq
}

// clear ends the note of cause c.
func (n *notes) clear(c cause) { delete(n.by, noteKey{cause: c}) }

func (n *notes) expire(msg noteExpiredMsg) {
	if x, ok := n.by[msg.key]; ok && x.seq == msg.seq {
		delete(n.by, msg.key)
	}
}

func (n *notes) get(c cause) (note, bool) {
	x, ok := n.by[noteKey{cause: c}]
	return x, ok
}

// newestFirst returns the notes, the newest first.
func (n *notes) newestFirst() []note {
	out := slices.Collect(maps.Values(n.by))
	slices.SortFunc(out, func(x, y note) int { return y.seq - x.seq })
	return out
}

// note shows text for cause c; see show.
func (a *App) note(c cause, bad bool, text string) tea.Cmd {
	return a.show(noteKey{cause: c}, bad, text)
}

// changeNote shows how change id ended.
func (a *App) changeNote(id int, bad bool, text string) tea.Cmd {
	return a.show(noteKey{cause: causeChange, id: id}, bad, text)
}

// show sets a note and logs it. Notes whose cause has no end of its own
// (a change's outcome, a bad command) expire after noteTTL.
func (a *App) show(k noteKey, bad bool, text string) tea.Cmd {
	if bad {
		a.log.Warn("ui error", "err", text)
	} else {
		a.log.Info("ui note", "note", text)
	}
	seq := a.notes.set(k, bad, text)
	if k.cause == causeInput || k.cause == causeChange {
		return a.after(noteTTL, noteExpiredMsg{key: k, seq: seq})
	}
	return nil
}

// loading says whether the view waits for its data: an inventory view
// before the first data, or, while the first load streams in behind the
// VM list's first screen, a view of another kind, which comes with the
// rest (vsphere.WatchOptions.Screen).
func (a *App) loading() bool {
	if a.top().all {
		return false // each context's state is in the status bar
	}
	switch a.top().kind {
	case Contexts, Tasks, Events:
		return false
	case VMs:
		return a.inv == nil
	}
	if a.inv == nil {
		return true
	}
	l, ok := a.current().(listView)
	return ok && a.state == vsphere.Syncing && l.Total() == 0
}

func (a *App) loadingText() string {
	if n, ok := a.notes.get(causeConnection); ok {
		return a.styles.Bad.Render(n.text)
	}
	if a.connected {
		return "loading " + string(a.top().kind) + "…"
	}
	return "connecting to " + a.contextName + "…"
}

// header is the breadcrumb line and the key hints (or the input line).
func (a *App) header() string {
	var crumbs []string
	for _, l := range a.stack {
		if l.label != "" {
			crumbs = append(crumbs, l.label)
		}
		crumbs = append(crumbs, string(l.kind))
		if l.all {
			crumbs[len(crumbs)-1] += " " + allContexts
		}
	}
	line1 := a.styles.Title.Render("vtui") + " " + a.styles.Crumb.Render(strings.Join(crumbs, " › "))
	if v, ok := a.current().(listView); ok {
		count := fmt.Sprintf(" [%d]", v.Total())
		if v.Filter() != "" {
			count = fmt.Sprintf(" [%d/%d]", v.Len(), v.Total())
		}
		if row, scrolls := v.Position(); scrolls {
			count += fmt.Sprintf(" row %d/%d", row, v.Len())
		}
		if n := v.Marks(); n > 0 {
			count += fmt.Sprintf(" %d marked", n)
		}
		line1 += a.styles.Hint.Render(count)
		if f := v.Filter(); f != "" && a.mode != modeFilter {
			line1 += a.styles.Hint.Render("  /" + f)
		}
	}
	var line2 string
	switch a.mode {
	case modeFilter, modeCommand:
		line2 = a.input.View()
	default:
		if a.state == vsphere.Reconnecting && a.inv != nil {
			line2 = a.styles.Banner.Render(fmt.Sprintf("⚠ connection lost; reconnecting in %ds — data may be stale", a.retryIn()))
		} else {
			line2 = a.help.ShortHelpView(a.globalKeys())
		}
	}
	return fit(line1, a.width) + "\n" + fit(line2, a.width)
}

// globalKeys are the root's keys that work in the current view: the list
// keys on a list, fewer on another view, and none while the view takes
// every key (the HA/DRS panel's form).
// In a sub-view q goes back, and its hint says so.
func (a *App) globalKeys() []key.Binding {
	k := *a.keys
	if a.inSubView() {
		k.Quit.SetHelp("q", "back")
	}
	if a.top().all {
		k.Enter.SetHelp("enter", "open in its context")
	}
	switch v := a.current().(type) {
	case listView:
		return k.Global()
	case capturer:
		if v.Capturing() {
			return nil
		}
	}
	return []key.Binding{k.Command, k.TasksPane, k.Back, k.Help, k.Quit}
}

// statusBar shows the context, the vCenter, the connection state, the
// client's policy (READONLY, DRY-RUN), the object counts, the running
// changes and the notes, newest first.
func (a *App) statusBar() string {
	var parts []string
	if v, ok := a.current().(interface{ Rows() map[string]int }); ok && a.top().all {
		parts = []string{a.styles.Title.Render(allContexts), a.fleetStatus(v.Rows())}
	} else {
		parts = a.contextStatus()
	}
	notes := a.notes.newestFirst()
	// A lone change's progress is long: with notes to show, it is counted.
	if s := a.changes.Status(len(notes) > 0); s != "" {
		parts = append(parts, a.styles.Warn.Render(s))
	}
	for _, n := range notes {
		if n.bad {
			parts = append(parts, a.styles.Bad.Render(n.text))
		} else {
			parts = append(parts, n.text)
		}
	}
	return fit(strings.Join(parts, " │ "), a.width)
}

// contextStatus is the status bar's part in a view of the current
// context: its name, its vCenter, the connection state, the client's
// policy and the object counts.
func (a *App) contextStatus() []string {
	parts := []string{a.styles.Title.Render(a.contextName)}
	// Not the previous context's host while switching, nor the host again
	// when the context is named by its URL.
	if a.client != nil && a.connected && a.client.Host() != a.contextName {
		parts = append(parts, a.client.Host())
	}
	switch {
	case a.loginFailed:
		parts = append(parts, a.styles.Bad.Render("disconnected"))
	case !a.connected:
		parts = append(parts, a.styles.Warn.Render("connecting"))
	case a.state == vsphere.Reconnecting:
		parts = append(parts, a.styles.Warn.Render(fmt.Sprintf("reconnecting in %ds", a.retryIn())))
	case a.state == vsphere.Syncing:
		parts = append(parts, a.styles.Warn.Render("loading"))
	default:
		parts = append(parts, a.styles.Good.Render("connected"))
	}
	if a.client != nil && a.connected {
		p := a.client.Policy()
		if p.ReadOnly {
			parts = append(parts, a.styles.Badge.Render("READONLY"))
		}
		if p.DryRun {
			parts = append(parts, a.styles.Badge.Render("DRY-RUN"))
		}
	}
	switch {
	case a.inv != nil && a.inv.LoadingVMs > 0:
		parts = append(parts, fmt.Sprintf("%d of %d VMs", len(a.inv.VMs), a.inv.LoadingVMs))
	case a.inv != nil:
		parts = append(parts, fmt.Sprintf("%d clusters %d hosts %d VMs", len(a.inv.Clusters), len(a.inv.Hosts), len(a.inv.VMs)))
	}
	return parts
}

// tooSmall is the whole screen when the terminal is smaller than the
// layout needs: the longest explanation that fits, down to 1×1.
func tooSmall(w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	for _, text := range []string{
		fmt.Sprintf("terminal too small: %d×%d\nvtui needs at least %d×%d; enlarge the window.", w, h, minWidth, minHeight),
		fmt.Sprintf("terminal too small: %d×%d; vtui needs %d×%d", w, h, minWidth, minHeight),
		fmt.Sprintf("too small: need %d×%d", minWidth, minHeight),
		fmt.Sprintf("need %d×%d", minWidth, minHeight),
	} {
		if s := lipgloss.NewStyle().Width(w).Render(text); lipgloss.Height(s) <= h && lipgloss.Width(s) <= w {
			return s
		}
	}
	return runewidth.Truncate("too small", w, "")
}
