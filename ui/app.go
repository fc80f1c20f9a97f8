// Package ui is vtui's terminal UI: a k9s-style browser over a live
// vSphere inventory. Only the root model here is a tea.Model: it routes
// messages to the views and dialogs (each a common.Component in a package
// of its own), keeps the focus, and lays the screen out. Everything shown
// comes from vsphere through commands and typed messages; no domain logic
// lives in Update.
package ui

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	hadrill "github.com/vtui/vtui/ha/drill"
	"github.com/vtui/vtui/ui/changes"
	"github.com/vtui/vtui/ui/common"
	"github.com/vtui/vtui/ui/describe"
	"github.com/vtui/vtui/ui/dialog"
	"github.com/vtui/vtui/ui/drill"
	"github.com/vtui/vtui/ui/hapanel"
	"github.com/vtui/vtui/ui/listview"
	"github.com/vtui/vtui/ui/overview"
	"github.com/vtui/vtui/ui/perfchart"
	"github.com/vtui/vtui/ui/related"
	"github.com/vtui/vtui/vsphere"
)

// Config is everything the UI needs from its caller, resolved up front: it
// never reads flags, files or the environment.
type Config struct {
	// Context is the name of the context to open ("simulator" for one).
	Context string
	// Origin, if not "", is what named the vCenter opened first instead
	// of a context of the config file: "--simulator", "--url", "VTUI_URL",
	// "GOVC_URL". Context is then only a name for it, and the drill view
	// refuses there a plan that names a context (drill.CheckContext).
	Origin string
	// Contexts lists the contexts :ctx can switch to.
	Contexts []string
	// About describes the contexts for :ctx: URL, user, read-only.
	About map[string]ContextInfo
	// Connect logs in to the named context. It runs in a tea.Cmd. An empty
	// password means the context's own password source. When the context
	// has none, Connect returns an error wrapping ErrPasswordRequired;
	// when the server refuses the password, a *vsphere.LoginError. Either
	// way the UI asks for a password and calls Connect again with it. The
	// readonly and dry-run policy travels with the client it returns
	// (vsphere.WithPolicy): the UI shows it and its changes obey it.
	Connect func(ctx context.Context, name, password string) (*vsphere.Client, error)
	// BMCPassword reads the BMC password of a drill plan that names its
	// source (inject.bmc password-env or password-file). The terminal UI
	// cannot prompt for it, so a plan that names no source is refused
	// with a way to fix it; nil refuses every plan whose BMC needs a
	// password.
	BMCPassword hadrill.BMCPassword
	// FirstScreen, if set, is called once, as the first state of an
	// inventory watch is shown (the first screen, or why there is none).
	// vtui holds its garbage collector off until then (internal/gcpolicy).
	FirstScreen func()
	// Log receives the UI's log records; nil discards them.
	Log *slog.Logger
	// Theme is the palette; the zero Theme means common.DefaultTheme.
	Theme *common.Theme
}

// ContextInfo is what :ctx shows of a context besides its name.
type ContextInfo = listview.ContextInfo

// ErrPasswordRequired is what Config.Connect wraps when the context has no
// password source: the UI then asks for one.
var ErrPasswordRequired = errors.New("a password is required")

// Minimum terminal size the layout needs.
const (
	minWidth  = 60
	minHeight = 10
	// noteTTL is how long a note with no lasting cause (a change's
	// outcome, a bad command) stays in the status bar.
	noteTTL = 10 * time.Second
)

type mode int

const (
	modeNormal mode = iota
	modeFilter
	modeCommand
	modeHelp
)

// location is one level of the navigation stack: a view and its scope.
type location struct {
	kind  Kind
	scope vsphere.Filter
	label string // breadcrumb text, e.g. "cluster-a"
	all   bool   // the kind's view across every context (:vm @all)
	// context is, for the related-objects tree of a row of a view
	// across contexts, the row's context.
	context string
}

// App is the root model.
type App struct {
	cfg    Config
	common common.Common
	log    *slog.Logger
	keys   *common.KeyMap
	styles *common.Styles
	help   help.Model

	conn                  // the connection and its live data (conn.go)
	firstScreen bool      // cfg.FirstScreen was called
	fleet       fleetConn // the other contexts' connections, for the views across contexts (fleet.go)
	notes       notes
	changes     changes.Registry

	stack  []location
	views  map[Kind]view
	across map[Kind]view // the views across contexts, of the inventory kinds
	// selectNext is the row to select once the current view shows it:
	// one opened in its context from a view across contexts.
	selectNext string
	ha         *hapanel.Model   // the HA/DRS panel, also views[HA]
	charts     *perfchart.Model // the chart view, also views[Charts]
	pane       *perfchart.Pane  // the detail pane's small charts
	describe   *describe.Model
	related    *related.Model
	showTasks  bool            // the recent-tasks pane is shown
	overview   *overview.Model // the overview, also views[Overview]
	mode       mode
	input      textinput.Model
	helpOffset int           // first line of the help screen shown
	helpPage   helpPage      // what the help screen shows
	completion completion    // Tab's place in the command line
	dialog     *dialog.Model // a modal choice, if open
	drill      *drill.Model  // the drill view; while shown, over the others
	password   *passwordAsk  // the password prompt, if open
	quitting   bool          // quitting asks while something runs
	pending    []tea.Msg     // what components emitted, handled before the next message
	width      int
	height     int
	now        func() time.Time
	// after delivers msg once d has passed; tests replace it.
	after func(d time.Duration, msg tea.Msg) tea.Cmd
}

// New returns the root model. Run it with tea.NewProgram(New(cfg),
// tea.WithAltScreen(), tea.WithMouseCellMotion()).
func New(cfg Config) *App {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	theme := common.DefaultTheme()
	if cfg.Theme != nil {
		theme = *cfg.Theme
	}
	keys := common.DefaultKeyMap()
	styles := common.NewStyles(theme)
	in := textinput.New()
	in.ShowSuggestions = true
	in.CharLimit = 256
	a := &App{
		cfg:    cfg,
		log:    log,
		keys:   &keys,
		styles: &styles,
		help:   help.New(),
		stack:  []location{{kind: VMs}},
		input:  in,
		width:  80,
		height: 24,
		now:    time.Now,
		after: func(d time.Duration, msg tea.Msg) tea.Cmd {
			return tea.Tick(d, func(time.Time) tea.Msg { return msg })
		},
	}
	a.common = common.Common{Styles: a.styles, Keys: a.keys, Log: log, Emit: a.emit}
	after := func(d time.Duration, msg tea.Msg) tea.Cmd { return a.after(d, msg) } // a.after as tests set it
	a.pane = perfchart.NewPane(a.chartConn, after)
	a.views = newViews(a.common, a.pane)
	a.across = newAcrossViews(a.common, a.views)
	a.ha = hapanel.New(a.common, a.panelConn)
	a.views[HA] = a.ha
	a.charts = perfchart.New(a.common, a.chartConn, after)
	a.views[Charts] = a.charts
	a.describe, a.related = describe.New(a.common), related.New(a.common)
	a.views[Describe], a.views[Related] = a.describe, a.related
	a.overview = overview.New(a.common, a.overviewConn)
	a.views[Overview] = a.overview
	a.drill = drill.New(a.common, a.drillConn)
	a.ctx, a.cancel = context.WithCancel(context.Background())
	a.contextName = cfg.Context
	a.layout() // keys typed before the first WindowSizeMsg find a sized screen
	return a
}

// emit queues what a component asks for; Update handles it before it
// returns, so it takes effect before the next key.
func (a *App) emit(msg tea.Msg) { a.pending = append(a.pending, msg) }

// Init connects to the configured context.
func (a *App) Init() tea.Cmd {
	return a.connect(a.contextName, "")
}

// Update routes a message, then what the components emitted while
// handling it.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := a.update(msg)
	return a, tea.Batch(cmd, a.drain())
}

// drain handles, in order, what the components emitted.
func (a *App) drain() tea.Cmd {
	var cmds []tea.Cmd
	for len(a.pending) > 0 {
		next := a.pending[0]
		a.pending = a.pending[1:]
		cmds = append(cmds, a.update(next))
	}
	return tea.Batch(cmds...)
}

func (a *App) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.width, a.height = msg.Width, msg.Height
		a.layout()
		return nil
	case tea.KeyMsg:
		var cmds []tea.Cmd
		for _, k := range splitKeys(msg) {
			if !a.fits() && !key.Matches(k, a.keys.Back, a.keys.Quit, a.keys.Exit) {
				continue // nothing acts that the screen cannot show
			}
			// What a key raised happens before the next key.
			cmds = append(cmds, a.handleKey(k), a.drain())
		}
		return tea.Batch(append(cmds, a.followDetail())...)
	case tea.MouseMsg:
		if a.fits() && a.mode == modeNormal && a.modal() == nil {
			return tea.Batch(a.current().Update(msg), a.followDetail())
		}
		return nil
	case noteExpiredMsg:
		a.notes.expire(msg)
		return nil
	case listview.BackMsg:
		if len(a.stack) > 1 {
			a.clearMarks()
			a.stack = a.stack[:len(a.stack)-1]
			a.reload()
		}
		return nil
	case openMsg:
		a.push(msg.loc)
		return nil
	case switchContextMsg:
		return a.switchContext(msg.name)
	case drill.Msg:
		return a.drill.Update(msg)
	case overview.Msg:
		return a.overview.Update(msg)
	case overview.OpenMsg:
		a.stack = append(a.stack, location{kind: Kind(msg.Kind), scope: msg.Scope, label: msg.Label})
		if l, ok := a.current().(listView); ok {
			l.SetFilter(msg.Filter)
		}
		a.reload()
		return nil
	}
	if cmd, ok := a.updateConn(msg); ok {
		return cmd
	}
	if cmd, ok := a.updateFleet(msg); ok {
		return cmd
	}
	if cmd, ok := a.updateChanges(msg); ok {
		return cmd
	}
	if cmd, ok := a.updatePanel(msg); ok {
		return cmd
	}
	if cmd, ok := a.updateCharts(msg); ok {
		return cmd
	}
	if cmd, ok := a.updateObjects(msg); ok {
		return cmd
	}
	return nil
}

// modal returns the open dialog or prompt, which gets every key.
func (a *App) modal() common.Component {
	switch {
	case a.password != nil:
		return a.password.prompt
	case a.dialog != nil:
		return a.dialog
	case a.drill.Shown():
		return a.drill
	}
	return nil
}

// handleKey gives a key to whatever has it. The quit rule is the same
// everywhere: ctrl+c quits from anywhere; q, like Esc, goes back in a
// sub-view (a view opened from another, the detail pane, the HA/DRS
// panel, the drill view, help, a dialog) and quits at the top level; in
// a text input q is a letter. Quitting while something runs asks first
// (quit).
func (a *App) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := a.keys
	if key.Matches(msg, k.Exit) {
		return a.quit()
	}
	if m := a.modal(); m != nil {
		return m.Update(msg)
	}
	switch a.mode {
	case modeFilter, modeCommand:
		return a.handleInput(msg)
	case modeHelp:
		return a.handleHelpKey(msg)
	}
	if c, ok := a.current().(capturer); ok && c.Capturing() {
		return c.Update(msg)
	}
	a.notes.clear(causeInput) // the bad command it was about is over
	switch {
	case key.Matches(msg, k.Quit) && a.inSubView():
		return a.current().Update(tea.KeyMsg{Type: tea.KeyEsc}) // q is Esc here
	case key.Matches(msg, k.Quit):
		return a.quit()
	case key.Matches(msg, k.Help):
		a.mode, a.helpOffset, a.helpPage = modeHelp, 0, helpKeys
	case key.Matches(msg, k.Filter):
		if l, ok := a.current().(listView); ok {
			a.openInput(modeFilter, "/", l.Filter(), nil)
			return nil
		}
		return a.current().Update(msg) // a view that is no list searches its own way
	case key.Matches(msg, k.TasksPane):
		a.showTasks = !a.showTasks
		a.layout()
	case key.Matches(msg, k.Command):
		a.openInput(modeCommand, ":", "", commandNames(a.cfg.Contexts))
	default:
		return a.current().Update(msg)
	}
	return nil
}

// inSubView reports whether the current view was opened from another
// one, or shows its detail pane: q then goes back rather than quits.
func (a *App) inSubView() bool {
	d, ok := a.current().(interface{ DetailShown() bool })
	return len(a.stack) > 1 || (ok && d.DetailShown())
}

// quitConfirmedMsg is a yes to quitting while something runs.
type quitConfirmedMsg struct{}

// quit ends the program. While changes or a drill run it asks first, in a
// dialog that names them, and quits on yes or on ctrl+c again: a
// change's vSphere tasks go on without vtui, which then cannot say how
// they ended, and a drill is rolled back before vtui exits (Close).
func (a *App) quit() tea.Cmd {
	if running := a.runningNow(); len(running) > 0 && !a.quitting {
		a.quitting = true
		a.openDialog(dialog.Confirm(a.common, "quit vtui?", running, "quit", quitConfirmedMsg{}))
		return nil
	}
	a.cancel()
	return tea.Quit
}

// runningNow says what quitting would leave, a line each: the running
// changes, and the drill, which rolls back; none when nothing runs.
func (a *App) runningNow() []string {
	var lines []string
	if running := a.changes.Running(); len(running) > 0 {
		radii := make([]string, len(running))
		for i, ch := range running {
			radii[i] = ch.Radius
		}
		lines = append(lines, "running: "+common.Targets(radii, "change"),
			"  vCenter carries on with them, but vtui will not see how they end")
	}
	if journal, ok := a.drill.Running(); ok {
		lines = append(lines, "running: a drill (journal "+filepath.Base(journal)+")",
			"  it stops and rolls back before vtui exits")
	}
	return lines
}

// splitKeys turns one key message into the keys it holds. Runes typed
// faster than the terminal is read arrive together (":host" as one
// message, or ":host\r" from a paste-like burst); each is handled on its
// own, in order, with the control characters among them as the keys they
// are. A line feed is Enter: keys typed before the terminal is in raw mode
// (while vtui starts) have their Enter turned into one by the terminal.
func splitKeys(msg tea.KeyMsg) []tea.KeyMsg {
	if msg.Type == tea.KeyCtrlJ {
		return []tea.KeyMsg{{Type: tea.KeyEnter, Alt: msg.Alt}}
	}
	if msg.Type != tea.KeyRunes || len(msg.Runes) <= 1 || msg.Paste {
		return []tea.KeyMsg{msg}
	}
	out := make([]tea.KeyMsg, 0, len(msg.Runes))
	for _, r := range msg.Runes {
		k := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt}
		switch r {
		case '\r', '\n':
			k = tea.KeyMsg{Type: tea.KeyEnter, Alt: msg.Alt}
		case '\t':
			k = tea.KeyMsg{Type: tea.KeyTab, Alt: msg.Alt}
		case '\x1b':
			k = tea.KeyMsg{Type: tea.KeyEsc}
		case '\x7f':
			k = tea.KeyMsg{Type: tea.KeyBackspace, Alt: msg.Alt}
		case ' ':
			k = tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{r}, Alt: msg.Alt}
		}
		out = append(out, k)
	}
	return out
}

func (a *App) top() location { return a.stack[len(a.stack)-1] }

func (a *App) current() view {
	if top := a.top(); top.all {
		return a.across[top.kind]
	}
	return a.views[a.top().kind]
}

func (a *App) source() listview.Source {
	s := listview.Source{Inventory: a.inv, Scope: a.top().scope, Tasks: a.tasks, Events: a.events, Alarms: a.alarms,
		Contexts: a.cfg.Contexts, Current: a.contextName, About: a.cfg.About}
	if a.top().all {
		s.Across = a.fleetInventories()
	}
	return s
}

// clearMarks unmarks the rows of the current view, if it is a list: once
// their action is confirmed, and before the view is left, so that, as in
// k9s, marks belong to one view and no key acts later on rows marked out
// of sight.
func (a *App) clearMarks() {
	if l, ok := a.current().(listView); ok {
		l.ClearMarks()
	}
}

// reload refreshes the visible view from the newest data.
func (a *App) reload() { a.current().Load(a.source()) }

// bodyHeight is what the header (two lines), the recent-tasks pane and
// the status bar leave.
func (a *App) bodyHeight() int { return max(a.height-3-a.paneHeight(), 1) }

func (a *App) layout() {
	for _, v := range a.views {
		v.SetSize(a.width, a.bodyHeight())
	}
	for _, v := range a.across {
		v.SetSize(a.width, a.bodyHeight())
	}
	if m := a.modal(); m != nil {
		m.SetSize(a.width, a.bodyHeight())
	}
	a.drill.SetSize(a.width, a.height-1) // all but the status bar, whether it is the modal or not
}

// fits reports whether the screen is large enough for the layout. While
// it is not, the screen says so and only Esc and quitting act: a key must
// not change what the admin cannot see.
func (a *App) fits() bool { return a.width >= minWidth && a.height >= minHeight }

// View renders the whole screen.
func (a *App) View() string {
	if !a.fits() {
		return tooSmall(a.width, a.height)
	}
	if a.mode == modeHelp && a.modal() == nil { // a dialog that opened meanwhile has the keys
		return a.helpView()
	}
	var body string
	switch {
	case a.modal() == common.Component(a.drill): // no dialog over it: it has a header of its own
		return a.drill.View() + "\n" + a.statusBar()
	case a.modal() != nil:
		body = a.modal().View()
	case a.loading():
		body = lipgloss.Place(a.width, a.bodyHeight(), lipgloss.Center, lipgloss.Center, a.loadingText())
	default:
		body = a.current().View()
	}
	parts := []string{a.header(), body}
	if a.paneHeight() > 0 {
		parts = append(parts, a.tasksPane())
	}
	return strings.Join(append(parts, a.statusBar()), "\n")
}

// fit cuts s (which may hold styles) to at most w cells.
func fit(s string, w int) string {
	return lipgloss.NewStyle().MaxWidth(w).Render(s)
}
