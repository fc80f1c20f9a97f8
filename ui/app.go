// Package ui is vtui's terminal UI: a k9s-style browser over a live
// vSphere inventory. Only the root model here is a tea.Model; everything it
// shows comes from vsphere through commands and typed messages, and no
// domain logic lives in Update.
package ui

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/vtui/vtui/vsphere"
)

// Config is everything the UI needs from its caller, resolved up front: it
// never reads flags, files or the environment.
type Config struct {
	// Context is the name of the context to open ("simulator" for one).
	Context string
	// Contexts lists the contexts :ctx can switch to.
	Contexts []string
	// Connect logs in to the named context. It runs in a tea.Cmd.
	Connect func(ctx context.Context, name string) (*vsphere.Client, error)
	// ReadOnly shows the read-only badge.
	ReadOnly bool
	// Log receives the UI's log records; nil discards them.
	Log *slog.Logger
	// Theme is the palette; the zero Theme means DefaultTheme.
	Theme *Theme
}

// Minimum terminal size the layout needs.
const (
	minWidth  = 60
	minHeight = 10
	// errorTTL is how long the last error stays in the status bar.
	errorTTL = 10 * time.Second
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
}

// App is the root model.
type App struct {
	cfg    Config
	log    *slog.Logger
	keys   KeyMap
	styles Styles
	help   help.Model

	ctx    context.Context
	cancel context.CancelFunc // of the current connection's work
	gen    int                // connection generation; older messages are dropped

	contextName string
	client      *vsphere.Client
	watch       *vsphere.Watch
	taskWatch   *vsphere.TaskWatch
	eventWatch  *vsphere.EventWatch
	inv         *vsphere.Inventory
	tasks       []vsphere.Task
	events      []vsphere.Event
	state       vsphere.ConnState
	connected   bool
	retryAt     time.Time
	lastErr     string
	errSeq      int

	stack      []location
	panes      map[Kind]pane
	mode       mode
	input      textinput.Model
	showDetail bool
	dialog     *dialog
	opCh       <-chan tea.Msg // the running change's reports
	opStatus   string         // its latest report
	width      int
	height     int
	now        func() time.Time
}

// New returns the root model. Run it with tea.NewProgram(New(cfg),
// tea.WithAltScreen(), tea.WithMouseCellMotion()).
func New(cfg Config) *App {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	theme := DefaultTheme()
	if cfg.Theme != nil {
		theme = *cfg.Theme
	}
	keys := DefaultKeyMap()
	styles := NewStyles(theme)
	in := textinput.New()
	in.ShowSuggestions = true
	in.CharLimit = 256
	a := &App{
		cfg:    cfg,
		log:    log,
		keys:   keys,
		styles: styles,
		help:   help.New(),
		panes:  newPanes(keys.Table, styles.Table),
		stack:  []location{{kind: VMs}},
		input:  in,
		width:  80,
		height: 24,
		now:    time.Now,
	}
	a.ctx, a.cancel = context.WithCancel(context.Background())
	a.contextName = cfg.Context
	return a
}

// Close stops the background work and logs out, so the session does not
// linger on vCenter after the UI quits. Call it after the program ends.
func (a *App) Close(ctx context.Context) error {
	a.cancel()
	if a.client == nil {
		return nil
	}
	c := a.client
	a.client = nil
	return c.Close(ctx)
}

// Init connects to the configured context.
func (a *App) Init() tea.Cmd {
	return a.connect(a.contextName)
}

// connectedMsg reports the result of logging in to a context.
type connectedMsg struct {
	gen    int
	name   string
	client *vsphere.Client
	err    error
}

// watchMsg carries the newest state of the inventory watch.
type watchMsg struct {
	gen    int
	update vsphere.WatchUpdate
}

// tasksMsg carries the newest recent-task list.
type tasksMsg struct {
	gen    int
	update vsphere.TaskUpdate
}

// eventsMsg carries the newest events, newest first.
type eventsMsg struct {
	gen    int
	update vsphere.EventUpdate
}

// clearErrorMsg clears the status bar's error if it is still the one shown.
type clearErrorMsg struct{ seq int }

// tickMsg redraws the reconnect countdown.
type tickMsg struct{ gen int }

// connect starts a new connection generation: it cancels the work of the
// previous one and logs in to name in the background.
func (a *App) connect(name string) tea.Cmd {
	a.cancel()
	a.ctx, a.cancel = context.WithCancel(context.Background())
	a.gen++
	a.contextName = name
	a.connected = false
	a.state = vsphere.Syncing
	a.tasks, a.events = nil, nil // they belong to the previous vCenter
	gen, ctx, connect := a.gen, a.ctx, a.cfg.Connect
	if connect == nil {
		return nil
	}
	return func() tea.Msg {
		c, err := connect(ctx, name)
		return connectedMsg{gen: gen, name: name, client: c, err: err}
	}
}

// waitNext returns a Cmd that delivers the next state of a live stream
// (the inventory, tasks or events watch) after seq, as the message wrap
// makes. The glow pattern: the Update that receives it issues the next.
func waitNext[U any](ctx context.Context, next func(context.Context, uint64) (U, error), seq uint64, wrap func(U) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		u, err := next(ctx, seq)
		if err != nil {
			return nil // the connection was replaced or the UI quit
		}
		return wrap(u)
	}
}

func waitWatch(ctx context.Context, gen int, w *vsphere.Watch, after uint64) tea.Cmd {
	return waitNext(ctx, w.Next, after, func(u vsphere.WatchUpdate) tea.Msg { return watchMsg{gen: gen, update: u} })
}

// maxEvents is how many events the events view keeps.
const maxEvents = 500

func waitTasks(ctx context.Context, gen int, w *vsphere.TaskWatch, after uint64) tea.Cmd {
	return waitNext(ctx, w.Next, after, func(u vsphere.TaskUpdate) tea.Msg { return tasksMsg{gen: gen, update: u} })
}

func waitEvents(ctx context.Context, gen int, w *vsphere.EventWatch, after uint64) tea.Cmd {
	return waitNext(ctx, w.Next, after, func(u vsphere.EventUpdate) tea.Msg { return eventsMsg{gen: gen, update: u} })
}

// Update routes messages. I/O happens only in returned Cmds.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.width, a.height = msg.Width, msg.Height
		a.layout()
		return a, nil
	case connectedMsg:
		if msg.gen != a.gen {
			if msg.client != nil {
				go msg.client.Close(context.Background())
			}
			return a, nil
		}
		if msg.err != nil {
			a.state = vsphere.Reconnecting
			return a, a.setError(fmt.Sprintf("connect to %s: %v", msg.name, msg.err))
		}
		old := a.client
		a.client, a.connected = msg.client, true
		if old != nil {
			go old.Close(context.Background())
		}
		a.watch = msg.client.Watch(a.ctx, vsphere.WatchOptions{})
		a.taskWatch = msg.client.WatchTasks(a.ctx)
		a.eventWatch = msg.client.WatchEvents(a.ctx, maxEvents)
		a.log.Info("connected", "context", msg.name, "host", msg.client.Host())
		return a, tea.Batch(waitWatch(a.ctx, a.gen, a.watch, 0),
			waitTasks(a.ctx, a.gen, a.taskWatch, 0), waitEvents(a.ctx, a.gen, a.eventWatch, 0))
	case tasksMsg:
		if msg.gen != a.gen {
			return a, nil
		}
		a.tasks = msg.update.Data
		if a.top().kind == Tasks {
			a.reload()
		}
		return a, waitTasks(a.ctx, a.gen, a.taskWatch, msg.update.Seq)
	case eventsMsg:
		if msg.gen != a.gen {
			return a, nil
		}
		a.events = msg.update.Data
		if a.top().kind == Events {
			a.reload()
		}
		return a, waitEvents(a.ctx, a.gen, a.eventWatch, msg.update.Seq)
	case watchMsg:
		if msg.gen != a.gen {
			return a, nil
		}
		return a, a.applyWatch(msg.update)
	case tickMsg:
		if msg.gen == a.gen && a.state == vsphere.Reconnecting {
			return a, a.tick()
		}
		return a, nil
	case plannedMsg:
		if msg.gen != a.gen {
			return a, nil
		}
		return a, a.migrateDialog(msg)
	case opProgressMsg:
		if msg.gen == a.gen {
			a.opStatus = opProgressText(msg.p)
		}
		return a, waitOp(a.opCh)
	case opDoneMsg:
		a.opStatus = ""
		a.log.Info("change finished", "summary", msg.sum.String())
		if err := msg.sum.Err(); err != nil {
			return a, a.setError(err.Error())
		}
		return a, a.setError(msg.sum.String()) // not an error, but shown the same way for a while
	case clearErrorMsg:
		if msg.seq == a.errSeq {
			a.lastErr = ""
		}
		return a, nil
	case tea.MouseMsg:
		if a.mode == modeNormal {
			a.current().update(msg)
		}
		return a, nil
	case tea.KeyMsg:
		// Runes typed faster than the terminal is read arrive together
		// (":task" as one message); take them one key at a time.
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste {
			var cmds []tea.Cmd
			for _, r := range msg.Runes {
				cmds = append(cmds, a.handleKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt}))
			}
			return a, tea.Batch(cmds...)
		}
		return a, a.handleKey(msg)
	}
	return a, nil
}

// applyWatch shows a new watch state and asks for the next one.
func (a *App) applyWatch(u vsphere.WatchUpdate) tea.Cmd {
	cmds := []tea.Cmd{waitWatch(a.ctx, a.gen, a.watch, u.Seq)}
	prev := a.state
	a.state, a.retryAt = u.State, u.RetryAt
	if u.Data != nil && u.Data != a.inv {
		a.inv = u.Data
		a.reload()
	}
	stale := u.State == vsphere.Reconnecting
	for _, p := range a.panes {
		p.setStale(stale)
	}
	if stale && prev != vsphere.Reconnecting {
		cmds = append(cmds, a.setError(fmt.Sprintf("connection lost: %v", u.Err)), a.tick())
	}
	return tea.Batch(cmds...)
}

func (a *App) tick() tea.Cmd {
	gen := a.gen
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return tickMsg{gen: gen} })
}

func (a *App) setError(s string) tea.Cmd {
	a.log.Warn("ui error", "err", s)
	a.lastErr = s
	a.errSeq++
	seq := a.errSeq
	return tea.Tick(errorTTL, func(time.Time) tea.Msg { return clearErrorMsg{seq: seq} })
}

func (a *App) top() location { return a.stack[len(a.stack)-1] }

func (a *App) current() pane { return a.panes[a.top().kind] }

func (a *App) source() source {
	return source{inv: a.inv, scope: a.top().scope, tasks: a.tasks, events: a.events, contexts: a.cfg.Contexts, current: a.contextName}
}

// reload refreshes the visible pane from the newest data.
func (a *App) reload() { a.current().load(a.source()) }

func (a *App) layout() {
	w, h := a.tableSize()
	for _, p := range a.panes {
		p.setSize(w, h)
	}
}

// tableSize is the space left for the table: the header takes two lines,
// the status bar one, and the detail pane half the width when shown.
func (a *App) tableSize() (int, int) {
	w := a.width
	if a.showDetail {
		w = a.width - a.detailWidth()
	}
	return w, a.height - 3
}

func (a *App) detailWidth() int { return max(a.width*2/5, 30) }

func (a *App) handleKey(msg tea.KeyMsg) tea.Cmd {
	if a.dialog != nil {
		return a.handleDialogKey(msg)
	}
	switch a.mode {
	case modeFilter, modeCommand:
		return a.handleInput(msg)
	case modeHelp:
		a.mode = modeNormal
		return nil
	}
	k := a.keys
	switch {
	case key.Matches(msg, k.Quit):
		a.cancel()
		return tea.Quit
	case key.Matches(msg, k.Help):
		a.mode = modeHelp
	case key.Matches(msg, k.Filter):
		a.openInput(modeFilter, "/", a.current().filter(), nil)
	case key.Matches(msg, k.Command):
		a.openInput(modeCommand, ":", "", commandNames(a.cfg.Contexts))
	case key.Matches(msg, k.Back):
		switch {
		case a.showDetail:
			a.showDetail = false
			a.layout()
		case a.current().filter() != "":
			a.current().setFilter("")
		case len(a.stack) > 1:
			a.stack = a.stack[:len(a.stack)-1]
			a.reload()
		}
	case key.Matches(msg, k.Detail):
		a.showDetail = !a.showDetail
		a.layout()
	case key.Matches(msg, k.Enter):
		return a.drillDown()
	case key.Matches(msg, k.Migrate) && a.top().kind == VMs:
		return a.openMigrate()
	case key.Matches(msg, k.Power) && a.top().kind == VMs:
		a.powerDialog()
	case key.Matches(msg, k.Maintenance) && a.top().kind == Hosts:
		return a.toggleMaintenance()
	default:
		a.current().update(msg)
	}
	return nil
}

func (a *App) openInput(m mode, prompt, value string, suggestions []string) {
	a.mode = m
	a.input.Prompt = prompt
	a.input.SetValue(value)
	a.input.SetSuggestions(suggestions)
	a.input.CursorEnd()
	a.input.Focus()
}

// handleInput gives keys to the focused filter or command line first.
func (a *App) handleInput(msg tea.KeyMsg) tea.Cmd {
	switch msg.Type {
	case tea.KeyEsc:
		if a.mode == modeFilter {
			a.current().setFilter("")
		}
		a.mode = modeNormal
		a.input.Blur()
		return nil
	case tea.KeyEnter:
		m := a.mode
		a.mode = modeNormal
		a.input.Blur()
		if m == modeCommand {
			return a.runCommand(a.input.Value())
		}
		return nil
	}
	var cmd tea.Cmd
	a.input, cmd = a.input.Update(msg)
	if a.mode == modeFilter {
		a.current().setFilter(a.input.Value())
	}
	return cmd
}

// drillDown opens what the selected row contains: a cluster's hosts, a
// host's VMs, a datastore's or network's VMs; on a leaf it shows details.
func (a *App) drillDown() tea.Cmd {
	name, ok := a.current().selected()
	if !ok {
		return nil
	}
	var next location
	switch a.top().kind {
	case Clusters:
		next = location{kind: Hosts, scope: vsphere.Filter{Cluster: name}, label: name}
	case Hosts:
		next = location{kind: VMs, scope: vsphere.Filter{Host: name}, label: name}
	case Datastores:
		next = location{kind: VMs, scope: vsphere.Filter{Datastore: name}, label: name}
	case Networks:
		next = location{kind: VMs, scope: vsphere.Filter{Network: name}, label: name}
	case Contexts:
		a.stack = []location{{kind: VMs}}
		a.inv = nil
		a.reload()
		return a.connect(name)
	default:
		a.showDetail = true
		a.layout()
		return nil
	}
	a.stack = append(a.stack, next)
	a.current().setFilter("")
	a.reload()
	return nil
}

// commands maps what :cmd accepts to the view it opens.
var commands = map[string]Kind{
	"vm": VMs, "vms": VMs, "host": Hosts, "hosts": Hosts, "cluster": Clusters, "clusters": Clusters,
	"ds": Datastores, "datastore": Datastores, "datastores": Datastores,
	"net": Networks, "network": Networks, "networks": Networks, "ctx": Contexts, "context": Contexts,
	"task": Tasks, "tasks": Tasks, "event": Events, "events": Events,
}

func commandNames(contexts []string) []string {
	names := []string{"vm", "host", "cluster", "ds", "net", "task", "event", "ctx", "q", "quit"}
	for _, c := range contexts {
		names = append(names, "ctx "+c)
	}
	return names
}

// runCommand executes a : command line.
func (a *App) runCommand(line string) tea.Cmd {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return nil
	}
	name := strings.ToLower(fields[0])
	switch name {
	case "q", "quit", "q!":
		a.cancel()
		return tea.Quit
	}
	kind, ok := commands[name]
	if !ok {
		return a.setError(fmt.Sprintf("unknown command %q: try :vm, :host, :cluster, :ds, :net, :task, :event, :ctx or :q", line))
	}
	if kind == Contexts && len(fields) > 1 {
		if !slices.Contains(a.cfg.Contexts, fields[1]) {
			return a.setError(fmt.Sprintf("no context named %q (contexts: %s)", fields[1], strings.Join(a.cfg.Contexts, ", ")))
		}
		a.stack = []location{{kind: VMs}}
		a.inv = nil
		a.reload()
		return a.connect(fields[1])
	}
	a.stack = []location{{kind: kind}}
	a.showDetail = false
	a.layout()
	a.reload()
	return nil
}

// View renders the whole screen.
func (a *App) View() string {
	if a.width < minWidth || a.height < minHeight {
		return fmt.Sprintf("terminal too small: %d×%d\nvtui needs at least %d×%d; enlarge the window.", a.width, a.height, minWidth, minHeight)
	}
	if a.mode == modeHelp {
		return a.styles.Help.Render("vtui — keys\n\n" + a.help.FullHelpView(a.keys.FullHelp()) + "\n\nany key closes this help")
	}
	body := a.current().view()
	if a.dialog != nil {
		body = lipgloss.Place(a.width, a.height-3, lipgloss.Center, lipgloss.Center, a.dialogView())
	} else if a.inv == nil && a.top().kind != Contexts && a.top().kind != Tasks && a.top().kind != Events {
		body = lipgloss.Place(a.width, a.height-3, lipgloss.Center, lipgloss.Center, a.loadingText())
	} else if a.showDetail {
		body = lipgloss.JoinHorizontal(lipgloss.Top, body, a.detailView())
	}
	return strings.Join([]string{a.header(), body, a.statusBar()}, "\n")
}

func (a *App) loadingText() string {
	if a.lastErr != "" {
		return a.styles.Bad.Render(a.lastErr)
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
	}
	p := a.current()
	count := fmt.Sprintf(" [%d]", p.total())
	if p.filter() != "" {
		count = fmt.Sprintf(" [%d/%d]", p.len(), p.total())
	}
	line1 := a.styles.Title.Render("vtui") + " " + a.styles.Crumb.Render(strings.Join(crumbs, " › ")) + a.styles.Hint.Render(count)
	if f := p.filter(); f != "" && a.mode != modeFilter {
		line1 += a.styles.Hint.Render("  /" + f)
	}
	var line2 string
	switch a.mode {
	case modeFilter, modeCommand:
		line2 = a.input.View()
	default:
		if a.state == vsphere.Reconnecting && a.inv != nil {
			line2 = a.styles.Banner.Render(fmt.Sprintf("⚠ connection lost; reconnecting in %ds — data may be stale", a.retryIn()))
		} else {
			line2 = a.help.ShortHelpView(a.keys.ShortHelp())
		}
	}
	return fit(line1, a.width) + "\n" + fit(line2, a.width)
}

func (a *App) retryIn() int {
	return max(int(a.retryAt.Sub(a.now()).Round(time.Second)/time.Second), 0)
}

// statusBar shows the context, the vCenter, the connection state, the
// readonly badge, the last error and the object counts.
func (a *App) statusBar() string {
	parts := []string{a.styles.Title.Render(a.contextName)}
	if a.client != nil && a.connected { // not the previous context's while switching
		parts = append(parts, a.client.Host())
	}
	switch {
	case !a.connected && a.lastErr != "":
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
	if a.cfg.ReadOnly {
		parts = append(parts, a.styles.Badge.Render("READONLY"))
	}
	if a.inv != nil {
		parts = append(parts, fmt.Sprintf("%d clusters %d hosts %d VMs", len(a.inv.Clusters), len(a.inv.Hosts), len(a.inv.VMs)))
	}
	if a.opStatus != "" {
		parts = append(parts, a.styles.Warn.Render(a.opStatus))
	}
	if a.lastErr != "" {
		parts = append(parts, a.styles.Bad.Render(a.lastErr))
	}
	return fit(strings.Join(parts, " │ "), a.width)
}

func (a *App) detailView() string {
	fields := a.current().detail(a.source())
	w := a.detailWidth() - 2
	keyW := 0
	for _, f := range fields {
		keyW = max(keyW, len(f.key))
	}
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(a.styles.DetailKey.Render(fmt.Sprintf("%-*s", keyW, f.key)))
		b.WriteString("  ")
		b.WriteString(f.value)
	}
	if len(fields) == 0 {
		b.WriteString("nothing selected")
	}
	return a.styles.DetailBox.Width(w).Height(a.height - 3).MaxHeight(a.height - 3).Render(b.String())
}

// fit cuts s (which may hold styles) to at most w cells.
func fit(s string, w int) string {
	return lipgloss.NewStyle().MaxWidth(w).Render(s)
}
