// Package hapanel is the HA/DRS panel of a cluster: its HA and DRS
// settings, whether it tolerates a host failure, its rules (and whether
// vCenter says each is kept now), groups, overrides, what vtui does not
// model, and DRS's recommendations. Its form edits the settings; the
// changes are reviewed as a diff, one line a field, then confirmed and
// applied through the root, which runs them through vsphere's gate.
//
// Everything it shows comes from one Read, in a tea.Cmd; everything it
// changes is planned by internal/clusterconf (Session.Plan,
// Session.ApplyRecommendations) and raised to the root as a ChangeMsg,
// which the root confirms and runs through the gate like every change.
package hapanel

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/vtui/vtui/ui/changes"
	"github.com/vtui/vtui/ui/common"
	"github.com/vtui/vtui/ui/dialog"
	"github.com/vtui/vtui/ui/listview"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/gate"
)

// Conn is the connection the panel reads through: the root's current one.
// A nil Client means there is none.
type Conn struct {
	Ctx    context.Context
	Client *vsphere.Client
	Inv    *vsphere.Inventory
}

// Msg is what the panel's reads bring back; the root hands every Msg to
// the panel.
type Msg interface{ haPanel() }

// readMsg brings the result of read number seq.
type readMsg struct {
	seq  int
	snap Snapshot
	err  error
}

func (readMsg) haPanel() {}

// ChangeMsg asks the root to confirm Actions, listing Details (the diff)
// under the plan, and to run them through the gate. Their outcome comes
// back through ChangeDone.
type ChangeMsg struct {
	Actions []gate.Action
	Details []string
}

// ChooseMsg asks the root to offer Options in a dialog under Title; each
// option's Msg is a ChangeMsg.
type ChooseMsg struct {
	Title   string
	Options []dialog.Option
}

// readTimeout bounds one read of the panel.
const readTimeout = time.Minute

type mode int

const (
	modeShown  mode = iota // the cluster's configuration, or the state of its read
	modeForm               // editing the settings
	modeReview             // the changes, before they are confirmed
)

// Model is the panel.
type Model struct {
	common common.Common
	help   help.Model
	conn   func() Conn

	cluster vsphere.Cluster
	mode    mode
	seq     int       // the newest read; the results of older ones are dropped
	reading bool      // a read is under way
	snap    *Snapshot // nil until the first read came back
	readErr error     // why the last read failed
	stale   bool      // the connection dropped: what is shown may be old
	offset  int       // the first line shown

	form *form
	want clusterspec.Config   // what the review applies
	diff []clusterspec.Change // and how it differs from the read
	// note is the outcome of the last change, or why a key did nothing.
	note    string
	noteBad bool
}

// New returns a closed panel; conn returns the root's connection when the
// panel reads.
func New(c common.Common, conn func() Conn) *Model {
	return &Model{common: c, help: help.New(), conn: conn}
}

// Open shows cluster's panel and reads it.
func (m *Model) Open(cluster vsphere.Cluster) tea.Cmd {
	*m = Model{common: m.common, help: m.help, conn: m.conn, cluster: cluster}
	return m.read()
}

// read starts reading the cluster, dropping any read under way.
func (m *Model) read() tea.Cmd {
	c := m.conn()
	if c.Client == nil || c.Inv == nil {
		m.readErr = errors.New("not connected")
		return nil
	}
	m.seq++
	m.reading = true
	seq, ref := m.seq, m.cluster.Ref
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(c.Ctx, readTimeout)
		defer cancel()
		snap, err := Read(ctx, c.Client, c.Inv, ref)
		return readMsg{seq: seq, snap: snap, err: err}
	}
}

// Capturing reports whether the panel takes every key, the root's too:
// while its form or review is open.
func (m *Model) Capturing() bool { return m.mode != modeShown }

// Load is a view's; the panel reads its own data.
func (m *Model) Load(listview.Source) {}

// SetStale marks what is shown as possibly out of date.
func (m *Model) SetStale(stale bool) { m.stale = stale }

// SetSize sets the panel's size.
func (m *Model) SetSize(width, height int) { m.common.SetSize(width, height) }

// Update handles the panel's keys and its reads' results.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case readMsg:
		if msg.seq != m.seq {
			return nil
		}
		m.reading = false
		if msg.err != nil {
			m.readErr = msg.err
			return nil
		}
		m.readErr, m.snap = nil, &msg.snap
		return nil
	case tea.KeyMsg:
		switch m.mode {
		case modeForm:
			return m.formKey(msg)
		case modeReview:
			return m.reviewKey(msg)
		}
		return m.shownKey(msg)
	}
	return nil
}

func (m *Model) say(bad bool, format string, args ...any) {
	m.note, m.noteBad = fmt.Sprintf(format, args...), bad
}

func (m *Model) shownKey(k tea.KeyMsg) tea.Cmd {
	keys := m.common.Keys.Panel
	switch {
	case key.Matches(k, m.common.Keys.Back):
		m.common.Emit(listview.BackMsg{})
	case key.Matches(k, keys.Refresh):
		m.note = ""
		return m.read()
	case key.Matches(k, keys.Edit):
		if m.snap == nil {
			m.say(true, "nothing to edit until the configuration is read")
			return nil
		}
		m.note, m.mode, m.offset = "", modeForm, 0
		m.form = newForm(keys, m.snap.Session.Config.Spec)
	case key.Matches(k, keys.Recommendation):
		m.chooseRecommendation()
	default:
		m.offset, _ = m.common.Scroll(k, keys.Up, keys.Down, m.offset, m.pageHeight())
	}
	return nil
}

// chooseRecommendation asks the root to offer DRS's recommendations,
// each applied through the gate when chosen.
func (m *Model) chooseRecommendation() {
	if m.snap == nil || len(m.snap.Recommendations) == 0 {
		m.say(false, "DRS has no recommendation for %s", m.cluster.Name)
		return
	}
	actions := m.snap.Session.ApplyRecommendations(m.snap.Recommendations)
	var opts []dialog.Option
	for i, r := range m.snap.Recommendations {
		opts = append(opts, dialog.Option{
			Label:  fmt.Sprintf("#%s rating %d", r.Key, r.Rating),
			Detail: r.String() + " (" + r.Reason + ")",
			Msg:    ChangeMsg{Actions: actions[i : i+1]},
		})
	}
	m.common.Emit(ChooseMsg{Title: "apply a DRS recommendation of " + m.cluster.Name, Options: opts})
}

func (m *Model) formKey(k tea.KeyMsg) tea.Cmd {
	if key.Matches(k, m.common.Keys.Panel.Cancel) {
		m.mode, m.form = modeShown, nil
		return nil
	}
	cmd, review := m.form.update(k)
	if !review {
		return cmd
	}
	cur := m.snap.Session.Config
	want, ok := m.form.desired(cur.Spec, cur.Scope)
	if !ok {
		return nil
	}
	diff := m.snap.Session.Diff(want)
	if len(diff) == 0 {
		m.form.note = "nothing changed: change a value first, or esc to leave"
		return nil
	}
	m.mode, m.want, m.diff, m.note = modeReview, want, diff, ""
	return nil
}

func (m *Model) reviewKey(k tea.KeyMsg) tea.Cmd {
	keys := m.common.Keys.Panel
	switch {
	case key.Matches(k, keys.Cancel):
		m.mode, m.note = modeForm, ""
	case key.Matches(k, keys.Apply):
		plan := m.snap.Session.Plan(m.want, false)
		m.note = ""
		m.common.Emit(ChangeMsg{Actions: []gate.Action{plan.Action}, Details: plan.Details()})
	}
	return nil
}

// ChangeDone takes the outcome of a change the root ran. One that was
// about this cluster's configuration or recommendations is shown here,
// where it was asked for, and the panel reads the cluster again; a
// configuration changed by someone else meanwhile is refused, and the
// panel says to read it again.
func (m *Model) ChangeDone(f changes.Finished) tea.Cmd {
	var mine []gate.Result
	for _, r := range f.Summary.Results {
		if r.Object == m.cluster.Name && (r.Op == gate.OpReconfigureCluster || r.Op == gate.OpApplyRecommendation) {
			mine = append(mine, r)
		}
	}
	if len(mine) == 0 {
		return nil
	}
	r := mine[len(mine)-1]
	switch {
	case gate.IsStale(r.Err):
		m.say(true, "%s's configuration changed since it was read, so nothing was sent: r reads it again, then edit it anew", m.cluster.Name)
		m.mode, m.form = modeShown, nil
		return nil
	case r.Status == gate.StatusFailed || r.Status == gate.StatusCancelled || r.Status == gate.StatusUnknown:
		m.say(true, "%s", r.Message)
		return nil
	case r.Status == gate.StatusDryRun:
		m.say(false, "dry run, nothing was sent: %s", r.Message)
	default:
		m.say(false, "%s: %s", r.Object, r.Message)
	}
	m.mode, m.form = modeShown, nil
	return m.read()
}

// ShortHelp is the keys of what the panel shows now.
func (m *Model) ShortHelp() []key.Binding {
	k := m.common.Keys.Panel
	switch m.mode {
	case modeForm:
		return []key.Binding{k.Next, k.Prev, k.Cycle, k.Review, k.Cancel}
	case modeReview:
		return []key.Binding{k.Apply, k.Cancel}
	}
	return []key.Binding{k.Edit, k.Refresh, k.Recommendation, k.Up, m.common.Keys.Back}
}

// FullHelp is every key of the panel: its own, its form's, its review's.
func (m *Model) FullHelp() [][]key.Binding {
	k, t := m.common.Keys.Panel, m.common.Keys.Table
	return [][]key.Binding{
		{k.Edit, k.Refresh, k.Recommendation, k.Up, t.PageUp, t.PageDown, t.Home, t.End},
		{k.Next, k.Prev, k.Cycle, k.CycleBack, k.Review, k.Cancel, k.Apply},
	}
}

// pageHeight is how many lines of content fit: the panel's height less
// its title, its note and its key hints.
func (m *Model) pageHeight() int { return max(m.common.Height-3, 1) }

// View renders the panel: a title, the note, the content (scrolled) and
// the keys.
func (m *Model) View() string {
	st := m.common.Styles
	w, h := m.common.Width, m.common.Height
	line := func(s string) string { return lipgloss.NewStyle().MaxWidth(w).Render(s) }

	title := st.Title.Render(m.title())
	switch {
	case m.reading:
		title += st.Hint.Render("  reading…")
	case m.stale:
		title += st.Warn.Render("  the connection is lost: this may be out of date")
	}
	note := ""
	if m.note != "" {
		note = m.note
		if m.noteBad {
			note = st.Bad.Render(note)
		}
	}
	content, focus := m.content()
	room := m.pageHeight()
	if focus >= 0 { // the form's field, and the problem under it, stay in view
		m.offset = max(min(m.offset, focus), focus+2-room)
	}
	m.offset = max(min(m.offset, len(content)-room), 0)
	content = content[m.offset:min(m.offset+room, len(content))]

	m.help.Width = w
	out := []string{line(title), line(note)}
	for _, l := range content {
		out = append(out, line(l))
	}
	for len(out) < h-1 {
		out = append(out, "")
	}
	out = append(out[:max(h-1, 0)], line(st.Hint.Render(m.help.ShortHelpView(m.ShortHelp()))))
	return strings.Join(out, "\n")
}

func (m *Model) title() string {
	switch m.mode {
	case modeForm:
		return "Edit the HA and DRS settings of " + m.cluster.Name
	case modeReview:
		return "The changes to " + m.cluster.Name + ", one field a line"
	}
	return m.cluster.Name + ": HA and DRS"
}

// content is the lines of what the panel shows now, before scrolling,
// and the line that must stay in view (the form's cursor), or -1.
func (m *Model) content() (lines []string, focus int) {
	st := m.common.Styles
	switch {
	case m.mode == modeForm:
		return m.form.lines(st)
	case m.mode == modeReview:
		return m.reviewLines(), -1
	case m.snap == nil && m.readErr != nil:
		return []string{st.Bad.Render(fmt.Sprintf("could not read %s: %v", m.cluster.Name, m.readErr)), "", "r tries again"}, -1
	case m.snap == nil:
		return []string{"reading the HA and DRS configuration of " + m.cluster.Name + "…"}, -1
	}
	lines = snapshotLines(*m.snap, st, m.common.Width)
	if m.readErr != nil {
		lines = append([]string{st.Bad.Render(fmt.Sprintf("reading again failed, so this is the last read: %v", m.readErr)), ""}, lines...)
	}
	return lines, -1
}

func (m *Model) reviewLines() []string {
	st := m.common.Styles
	out := []string{}
	for _, c := range m.diff {
		out = append(out, "  "+c.String())
	}
	out = append(out, "", "Only these fields are sent; the rest of the configuration stays as it is.")
	if c := m.conn(); c.Client != nil {
		switch p := c.Client.Policy(); {
		case p.DryRun:
			out = append(out, st.Warn.Render("Dry run: applying shows what would change and sends nothing."))
		case p.ReadOnly:
			out = append(out, st.Warn.Render("Read-only mode: applying will be refused, and nothing sent."))
		}
	}
	return out
}
