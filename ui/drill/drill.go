// Package drill is the terminal UI's failover drill view (:drill). It
// offers a plan: a file of the current directory, a path typed in, or one
// built from the host or cluster selected in the view below, and below
// them the history of that cluster's past drills (runs, pass rate, RTO
// statistics and trend, the last failure). It shows the plan, runs the
// preflight and shows what it found, asks, runs the drill with a live
// timeline and each protected VM's state, and shows the
// result, the rollback and, a key away, the reports.
//
// ha/drill does the drill, in a goroutine the view starts from a tea.Cmd;
// its moments come back as messages, through a feed that never makes the
// runner wait. While a drill runs the view keeps every key but ctrl+c
// (the root's quit): leaving asks whether to abort it, and an abort rolls
// back.
package drill

import (
	"context"
	"fmt"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/ha/drill"
	"github.com/vtui/vtui/ha/drill/history"
	"github.com/vtui/vtui/ui/common"
	"github.com/vtui/vtui/ui/dialog"
	"github.com/vtui/vtui/vsphere"
)

// Conn is the connection a drill runs through: the root's current one.
// A nil Client means there is none.
type Conn struct {
	Ctx    context.Context
	Client *vsphere.Client
	// Context names the connection: a context of the config file, or,
	// with Origin, a name for the vCenter the command line named.
	Context string
	// Origin, if not "", is what named the vCenter instead of a context
	// of the config file: "--simulator", "--url", "VTUI_URL", "GOVC_URL".
	Origin string
	// BMCPassword reads the BMC password of a plan that names its source
	// (see ui.Config.BMCPassword); nil refuses such plans.
	BMCPassword drill.BMCPassword
}

// where is the connection, for the rule on a plan's context
// (drill.CheckContext). The view cannot give way to a plan's context, as
// the CLI's defaults do: it runs the drill where it is, so it names
// itself, and switching is the user's to do.
func (c Conn) where(planContext string) drill.Where {
	w := drill.Where{Context: c.Context, By: "the current connection", Names: fmt.Sprintf("is on context %q", c.Context),
		Instead: "close the view and switch with :ctx " + planContext}
	if c.Origin != "" {
		w.Context, w.Names = "", fmt.Sprintf("is on %s (named by %s, not a context)", c.Context, c.Origin)
	}
	return w
}

// Selection is what was selected where the view was opened: a host and
// its cluster, or a cluster; empty for neither.
type Selection struct{ Cluster, Host string }

// Msg is what the view's commands bring back; the root hands every Msg to
// the view.
type Msg interface{ drillMsg() }

type (
	// offeredMsg brings the plans to choose from.
	offeredMsg struct {
		seq     int
		choices []choice
		others  int   // .yaml files that are not plans
		err     error // why no plan could be built from the selection
	}
	// loadedMsg brings a plan file typed in.
	loadedMsg struct {
		seq int
		c   choice
		err error
	}
	// checkedMsg brings the preflight's findings.
	checkedMsg struct {
		seq int
		pre *drill.Preflight
		err error
	}
	// startedMsg says the drill runs, or why it could not start.
	startedMsg struct {
		seq int
		run *run
		err error
	}
	// momentsMsg brings the moments of the timeline since the last.
	momentsMsg struct {
		seq     int
		moments []drill.Moment
	}
	// finishedMsg brings the report of a drill that is over, rolled back
	// as its plan says.
	finishedMsg struct {
		seq    int
		report *drill.Report
	}
	// writtenMsg says which reports were written.
	writtenMsg struct {
		seq   int
		paths []string
		err   error
	}
	// spinMsg turns the spinner.
	spinMsg struct{ tick tea.Msg }
	// goMsg is a yes to running the drill; abortMsg a yes to aborting it.
	goMsg    struct{}
	abortMsg struct{}
)

func (offeredMsg) drillMsg()  {}
func (loadedMsg) drillMsg()   {}
func (checkedMsg) drillMsg()  {}
func (startedMsg) drillMsg()  {}
func (momentsMsg) drillMsg()  {}
func (finishedMsg) drillMsg() {}
func (writtenMsg) drillMsg()  {}
func (spinMsg) drillMsg()     {}

// phase is where the view is in a drill's course.
type phase int

const (
	phaseClosed    phase = iota
	phaseChoose          // offering plans
	phasePlan            // showing the chosen plan
	phaseChecking        // the preflight runs
	phasePreflight       // what the preflight found
	phaseRunning         // the drill runs
	phaseResult          // the report
)

// Model is the drill view.
type Model struct {
	common  common.Common
	help    help.Model
	spinner spinner.Model
	conn    func() Conn

	phase    phase
	seq      int  // the newest request; the results of older ones are dropped
	spinning bool // a spinner tick is on its way

	sel     Selection
	offered bool     // the plans to choose from have come
	choices []choice // a plan built from sel first, then the files
	others  int
	cursor  int // into choices; len(choices) is the path input
	path    textinput.Model

	chosen   choice
	pre      *drill.Preflight
	run      *run
	live     *drill.Live
	timeline []drill.Moment
	aborting bool
	journal  string // the running or ended drill's journal
	report   *drill.Report
	written  []string // the report files written

	history    []history.Summary // the past drills of sel.Cluster
	historyErr error

	dialog *dialog.Model // the confirmation, if open
	answer tea.Msg       // what the dialog emitted

	note    string // what the last key or request came to
	noteBad bool
	offset  int // the first line of the content shown
}

// New returns a closed drill view; conn returns the root's connection.
func New(c common.Common, conn func() Conn) *Model {
	in := textinput.New()
	in.Prompt = "file: "
	in.Placeholder = "a plan's path"
	in.CharLimit = 1024
	in.Cursor.SetMode(cursor.CursorStatic) // a blink would be a message the root does not route here
	return &Model{common: c, help: help.New(), spinner: spinner.New(spinner.WithSpinner(spinner.MiniDot)), conn: conn, path: in}
}

// Shown reports whether the view is open; it then takes every key.
func (m *Model) Shown() bool { return m.phase != phaseClosed }

// Open shows the view, offering the plan files of the current directory
// and, if sel names a cluster, a plan built from sel.
func (m *Model) Open(sel Selection) tea.Cmd {
	*m = Model{common: m.common, help: m.help, spinner: m.spinner, spinning: m.spinning, conn: m.conn, path: m.path, seq: m.seq + 1,
		phase: phaseChoose, sel: sel}
	m.path.Reset()
	m.path.Blur()
	seq, c := m.seq, m.conn()
	return tea.Batch(m.startSpinner(), m.readHistory(sel.Cluster), func() tea.Msg {
		choices, others := planFiles(c.Ctx, ".")
		msg := offeredMsg{seq: seq, others: others}
		if sel.Cluster != "" {
			ctx, cancel := context.WithTimeout(c.Ctx, preflightTimeout)
			defer cancel()
			var built choice
			built, msg.err = buildPlan(ctx, c.Client, sel)
			if msg.err == nil {
				choices = append([]choice{built}, choices...)
			}
		}
		msg.choices = choices
		return msg
	})
}

// SetSize sets the view's size: the whole screen but the status bar.
func (m *Model) SetSize(width, height int) {
	m.common.SetSize(width, height)
	if m.dialog != nil {
		m.dialog.SetSize(width, height)
	}
}

// Update handles the view's keys and its commands' results.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if m.dialog != nil {
			return m.dialogKey(msg)
		}
		return m.key(msg)
	case spinMsg:
		if !m.busy() {
			m.spinning = false
			return nil
		}
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg.tick)
		return spin(cmd)
	case Msg:
		return m.result(msg)
	}
	return nil
}

// result takes what a command brought back, if it is current.
func (m *Model) result(msg Msg) tea.Cmd {
	switch msg := msg.(type) {
	case offeredMsg:
		if msg.seq == m.seq {
			m.offered, m.choices, m.others = true, msg.choices, msg.others
			if msg.err != nil {
				m.say(true, "no plan built from %s: %v", m.selectedKind(), msg.err)
			}
			m.choose(0)
		}
	case loadedMsg:
		if msg.seq == m.seq && m.phase == phaseChoose {
			if msg.err != nil {
				m.say(true, "%v", msg.err)
				return nil
			}
			m.show(msg.c)
		}
	case checkedMsg:
		if msg.seq == m.seq && m.phase == phaseChecking {
			m.checked(msg)
		}
	case startedMsg:
		if msg.seq == m.seq {
			return m.started(msg)
		}
	case momentsMsg:
		if msg.seq == m.seq {
			for _, mo := range msg.moments {
				m.live.Add(mo)
			}
			m.timeline = append(m.timeline, msg.moments...)
			return m.run.next(msg.seq)
		}
	case finishedMsg:
		if msg.seq == m.seq {
			m.phase, m.report, m.run, m.offset, m.note = phaseResult, msg.report, nil, 0, ""
			m.dialog = nil // an abort asked for too late has nothing to abort
		}
	case historyMsg:
		if msg.seq == m.seq {
			m.history, m.historyErr = msg.plans, msg.err
		}
	case writtenMsg:
		if msg.seq == m.seq {
			if msg.err != nil {
				m.say(true, "%v", msg.err)
				return nil
			}
			m.written = msg.paths
			m.say(false, "wrote the reports next to the journal")
		}
	}
	return nil
}

func (m *Model) say(bad bool, format string, args ...any) {
	m.note, m.noteBad = fmt.Sprintf(format, args...), bad
}

// busy says a request runs that the spinner shows.
func (m *Model) busy() bool {
	return m.phase == phaseRunning || m.phase == phaseChecking || (m.phase == phaseChoose && !m.offered)
}

// spin issues the next spinner tick, wrapped so the root routes it here.
func spin(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg { return spinMsg{cmd()} }
}

// startSpinner turns the spinner while a request runs.
func (m *Model) startSpinner() tea.Cmd {
	if m.spinning {
		return nil
	}
	m.spinning = true
	return spin(m.spinner.Tick)
}

func (m *Model) key(k tea.KeyMsg) tea.Cmd {
	keys, t := m.common.Keys.Drill, m.common.Keys.Table
	if m.phase == phaseRunning {
		if key.Matches(k, keys.Abort) {
			m.askAbort()
		}
		return nil
	}
	if m.phase == phaseChoose {
		return m.chooseKey(k)
	}
	switch {
	case key.Matches(k, keys.Close):
		m.phase = phaseClosed
	case key.Matches(k, keys.Back):
		m.back()
	case key.Matches(k, keys.Go):
		return m.next()
	case key.Matches(k, keys.Write) && m.phase == phaseResult:
		return m.writeReports()
	default:
		m.offset, _ = m.common.Scroll(k, t.Up, t.Down, m.offset, m.pageHeight())
	}
	return nil
}

// back goes back a step: from the preflight to the plan, from the plan
// to the choice; the result closes the view.
func (m *Model) back() {
	m.seq++ // what is under way is of the step left
	m.note, m.offset = "", 0
	switch m.phase {
	case phasePlan:
		m.phase = phaseChoose
	case phaseChecking, phasePreflight:
		m.phase, m.pre = phasePlan, nil
	default:
		m.phase = phaseClosed
	}
}

// next takes the step Go stands for in the phase.
func (m *Model) next() tea.Cmd {
	switch m.phase {
	case phasePlan:
		return m.check()
	case phasePreflight:
		m.askGo()
	}
	return nil
}

// dialogKey hands a key to the open confirmation and acts on its answer.
func (m *Model) dialogKey(k tea.KeyMsg) tea.Cmd {
	m.dialog.Update(k)
	answer := m.answer
	if answer == nil {
		return nil
	}
	m.dialog, m.answer = nil, nil
	switch a := answer.(type) {
	case dialog.ChosenMsg:
		switch a.Msg.(type) {
		case goMsg:
			return m.start()
		case abortMsg:
			m.abort()
		}
	}
	return nil
}

// confirm opens a yes/no question whose answer comes back to this view:
// the dialog emits to the view, not to the root.
func (m *Model) confirm(title string, body []string, yes string, msg tea.Msg) {
	c := m.common
	c.Emit = func(msg tea.Msg) { m.answer = msg }
	m.dialog = dialog.Confirm(c, title, body, yes, msg)
	m.dialog.SetSize(m.common.Width, m.common.Height)
}

// ShortHelp is the keys of what the view shows now.
func (m *Model) ShortHelp() []key.Binding {
	if m.dialog != nil {
		return m.dialog.ShortHelp()
	}
	k, t := m.common.Keys.Drill, m.common.Keys.Table
	step := func(what string) key.Binding {
		b := k.Go
		b.SetHelp("enter", what)
		return b
	}
	scroll := key.NewBinding(key.WithKeys(t.Up.Keys()...), key.WithHelp("↑/↓", "scroll"))
	closeView := k.Back
	closeView.SetHelp("esc", "close")
	switch m.phase {
	case phaseChoose:
		return []key.Binding{k.Up, step("open the plan"), closeView}
	case phasePlan:
		return []key.Binding{step("run the preflight (changes nothing)"), scroll, k.Back, k.Close}
	case phaseChecking:
		return []key.Binding{k.Back, k.Close}
	case phasePreflight:
		if m.pre.OK() && !m.dryRun() {
			return []key.Binding{step("run the drill (asks first)"), scroll, k.Back, k.Close}
		}
		return []key.Binding{scroll, k.Back, k.Close}
	case phaseRunning:
		return []key.Binding{k.Abort}
	}
	return []key.Binding{k.Write, scroll, k.Close}
}

// FullHelp is every key of the view.
func (m *Model) FullHelp() [][]key.Binding {
	k, t := m.common.Keys.Drill, m.common.Keys.Table
	return [][]key.Binding{{k.Up, k.Go, k.Write, k.Back, k.Close, k.Abort}, {t.Up, t.Down, t.PageUp, t.PageDown, t.Home, t.End}}
}

// dryRun says the client's policy is a dry run: the view stops after the
// preflight.
func (m *Model) dryRun() bool {
	c := m.conn().Client
	return c != nil && c.Policy().DryRun
}
