package ui

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/ui/prompt"
	"github.com/vtui/vtui/vsphere"
)

// conn is the root's connection: one generation per login, its client and
// the live data its streams bring.
type conn struct {
	ctx    context.Context
	cancel context.CancelFunc // of the current generation's work
	gen    int                // connection generation; older messages are dropped

	contextName string
	client      *vsphere.Client
	// retiring are the sessions of earlier generations that changes still
	// use; each is closed when its last change ends.
	retiring map[int]session
	// closing counts the sessions being closed in the background; Close
	// waits for them, so none outlives the UI logged in.
	closing     sync.WaitGroup
	watch       *vsphere.Watch
	taskWatch   *vsphere.TaskWatch
	eventWatch  *vsphere.EventWatch
	alarmWatch  *vsphere.AlarmWatch
	inv         *vsphere.Inventory
	tasks       []vsphere.Task
	events      []vsphere.Event
	alarms      []vsphere.Alarm
	state       vsphere.ConnState
	connected   bool
	loginFailed bool // the last login of this generation failed
	retryAt     time.Time
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

// alarmsMsg carries the newest triggered alarms.
type alarmsMsg struct {
	gen    int
	update vsphere.AlarmUpdate
}

// tickMsg redraws the reconnect countdown.
type tickMsg struct{ gen int }

// session is a client and the streams that run on it.
type session struct {
	client  *vsphere.Client
	streams []<-chan struct{} // each closed once its stream stopped
}

// close logs out once the session's streams have stopped (they release
// their collectors on the server first), waiting for them at most until
// ctx ends.
func (s session) close(ctx context.Context) error {
	for _, done := range s.streams {
		select {
		case <-done:
		case <-ctx.Done():
		}
	}
	return s.client.Close(ctx)
}

// closeTimeout bounds how long closing a session waits.
const closeTimeout = 5 * time.Second

// passwordAsk is the open password prompt and the context it is for: the
// one to switch to, or, with fleet, a context of the view across contexts.
type passwordAsk struct {
	name   string
	fleet  bool
	prompt *prompt.Model
}

// maxEvents is how many events the events view keeps.
const maxEvents = 500

// firstScreen is how many VMs the watch loads ahead of the rest: more
// than a terminal shows at once.
const firstScreen = 100

// Close stops the background work and logs out, so the session does not
// linger on vCenter after the UI quits. Call it after the program ends. A
// running drill is rolled back first, as the CLI's is: Close waits for it
// until ctx ends (its runner bounds the rollback), then gives the logout
// closeTimeout.
func (a *App) Close(ctx context.Context) error {
	a.cancel()
	a.closeFleet()
	a.drill.Wait(ctx)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), closeTimeout)
	defer cancel()
	closed := make(chan struct{})
	go func() {
		a.closing.Wait()
		close(closed)
	}()
	select {
	case <-closed:
	case <-ctx.Done():
	}
	var errs []error
	for gen, s := range a.retiring {
		delete(a.retiring, gen)
		errs = append(errs, s.close(ctx))
	}
	if a.client != nil {
		s := a.currentSession()
		a.client = nil
		errs = append(errs, s.close(ctx))
	}
	return errors.Join(errs...)
}

// DrillRunning returns the journal of the drill that runs, if one does.
func (a *App) DrillRunning() (journal string, ok bool) { return a.drill.Running() }

// currentSession returns the current client and its streams.
func (a *App) currentSession() session {
	s := session{client: a.client}
	if a.watch != nil {
		s.streams = append(s.streams, a.watch.Done())
	}
	if a.taskWatch != nil {
		s.streams = append(s.streams, a.taskWatch.Done(), a.eventWatch.Done(), a.alarmWatch.Done())
	}
	return s
}

// switchContext opens the VM view of another context.
func (a *App) switchContext(name string) tea.Cmd { return a.switchTo(name, VMs, nil) }

// switchTo opens the view of kind in another context, leaving any view
// across contexts, through client, a login to it made for that view, or
// else a new login.
func (a *App) switchTo(name string, kind Kind, client *vsphere.Client) tea.Cmd {
	a.clearMarks()
	a.closeFleet()
	a.stack = []location{{kind: kind}}
	a.inv = nil
	a.reload()
	login := a.connect(name, "")
	if client != nil {
		gen := a.gen
		login = func() tea.Msg { return connectedMsg{gen: gen, name: name, client: client} }
	}
	return login
}

// connect starts a new connection generation: it cancels the work of the
// previous one (its changes start no more actions; those sent are seen
// through on its client, which is closed after them) and logs in to name
// in the background. An empty password means the context's own source.
func (a *App) connect(name, password string) tea.Cmd {
	a.cancel()
	a.retire()
	a.ctx, a.cancel = context.WithCancel(context.Background())
	a.gen++
	a.contextName = name
	a.connected, a.loginFailed = false, false
	a.state = vsphere.Syncing
	a.tasks, a.events, a.alarms = nil, nil, nil // they belong to the previous vCenter
	a.notes.clear(causeConnection)
	a.notes.clear(causeBlocked)
	gen, ctx, connect := a.gen, a.ctx, a.cfg.Connect
	if connect == nil {
		return nil
	}
	return func() tea.Msg {
		c, err := connect(ctx, name, password)
		return connectedMsg{gen: gen, name: name, client: c, err: err}
	}
}

// retire lets go of the current client: at once if no change uses it,
// else when the last one ends.
func (a *App) retire() {
	if a.client == nil {
		return
	}
	s := a.currentSession()
	a.client, a.watch, a.taskWatch, a.eventWatch, a.alarmWatch = nil, nil, nil, nil, nil
	if !a.changes.RunningOn(a.gen) {
		a.closeSession(s)
		return
	}
	if a.retiring == nil {
		a.retiring = map[int]session{}
	}
	a.retiring[a.gen] = s
}

// closeSession closes s in the background.
func (a *App) closeSession(s session) {
	a.closing.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
		defer cancel()
		if err := s.close(ctx); err != nil {
			a.log.Warn("logout failed", "host", s.client.Host(), "err", err)
		}
	})
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

func waitTasks(ctx context.Context, gen int, w *vsphere.TaskWatch, after uint64) tea.Cmd {
	return waitNext(ctx, w.Next, after, func(u vsphere.TaskUpdate) tea.Msg { return tasksMsg{gen: gen, update: u} })
}

func waitEvents(ctx context.Context, gen int, w *vsphere.EventWatch, after uint64) tea.Cmd {
	return waitNext(ctx, w.Next, after, func(u vsphere.EventUpdate) tea.Msg { return eventsMsg{gen: gen, update: u} })
}

func waitAlarms(ctx context.Context, gen int, w *vsphere.AlarmWatch, after uint64) tea.Cmd {
	return waitNext(ctx, w.Next, after, func(u vsphere.AlarmUpdate) tea.Msg { return alarmsMsg{gen: gen, update: u} })
}

// updateConn handles the connection's messages; ok is false for others.
func (a *App) updateConn(msg tea.Msg) (cmd tea.Cmd, ok bool) {
	switch msg := msg.(type) {
	case connectedMsg:
		return a.loggedIn(msg), true
	case tasksMsg:
		if msg.gen != a.gen {
			return nil, true
		}
		a.tasks = msg.update.Data
		a.activityChanged(Tasks)
		return waitTasks(a.ctx, a.gen, a.taskWatch, msg.update.Seq), true
	case eventsMsg:
		if msg.gen != a.gen {
			return nil, true
		}
		a.events = msg.update.Data
		a.activityChanged(Events)
		return waitEvents(a.ctx, a.gen, a.eventWatch, msg.update.Seq), true
	case alarmsMsg:
		if msg.gen != a.gen {
			return nil, true
		}
		a.alarms = msg.update.Data
		if k := a.top().kind; k == Alarms || k == Overview {
			a.reload()
		}
		return waitAlarms(a.ctx, a.gen, a.alarmWatch, msg.update.Seq), true
	case watchMsg:
		if msg.gen != a.gen {
			return nil, true
		}
		return a.applyWatch(msg.update), true
	case tickMsg:
		if msg.gen == a.gen && a.state == vsphere.Reconnecting {
			return a.tick(), true
		}
		return nil, true
	case prompt.SubmittedMsg:
		ask := a.password
		a.password = nil
		if ask.fleet {
			pw := ask.prompt.Take()
			m := a.fleet.members[ask.name]
			if m == nil {
				return nil, true // the view across contexts was left meanwhile
			}
			m.phase, m.err = phaseConnecting, ""
			return a.fleetLogin(ask.name, pw), true
		}
		return a.connect(ask.name, ask.prompt.Take()), true
	case prompt.CancelledMsg:
		ask := a.password
		a.password = nil
		if ask.fleet {
			return nil, true // the status bar still says it needs one
		}
		return a.note(causeConnection, true, fmt.Sprintf("not connected to %s: no password given; :ctx %s to try again", ask.name, ask.name)), true
	}
	return nil, false
}

// loggedIn takes a login's result: the new client and its streams, or
// the password prompt, or the error.
func (a *App) loggedIn(msg connectedMsg) tea.Cmd {
	if msg.gen != a.gen {
		if msg.client != nil {
			a.closeSession(session{client: msg.client})
		}
		return nil
	}
	if msg.err != nil {
		a.loginFailed = true
		a.state = vsphere.Reconnecting
		var login *vsphere.LoginError
		switch {
		case errors.Is(msg.err, ErrPasswordRequired):
			a.askPassword(msg.name, "", false)
			return nil
		case errors.As(msg.err, &login):
			a.askPassword(msg.name, login.Error(), false)
			return nil
		}
		return a.note(causeConnection, true, fmt.Sprintf("connect to %s: %v", msg.name, msg.err))
	}
	a.client, a.connected = msg.client, true
	a.watch = msg.client.Watch(a.ctx, vsphere.WatchOptions{Screen: firstScreen})
	a.log.Info("connected", "context", msg.name, "host", msg.client.Host(), "policy", msg.client.Policy())
	return waitWatch(a.ctx, a.gen, a.watch, 0)
}

// startActivity starts the tasks, events and alarms watches of the
// current client, once its inventory watch said something first (the
// first screen, or why there is none): started at login, their
// collectors and first reads competed with the first screen's, on the
// server and here, on vCenter as on the simulator. It does nothing once
// they run.
func (a *App) startActivity() tea.Cmd {
	if a.client == nil || a.taskWatch != nil {
		return nil
	}
	a.taskWatch = a.client.WatchTasks(a.ctx)
	a.eventWatch = a.client.WatchEvents(a.ctx, maxEvents)
	a.alarmWatch = a.client.WatchAlarms(a.ctx)
	return tea.Batch(waitTasks(a.ctx, a.gen, a.taskWatch, 0), waitEvents(a.ctx, a.gen, a.eventWatch, 0), waitAlarms(a.ctx, a.gen, a.alarmWatch, 0))
}

// askPassword opens the password prompt for a context, to switch to or,
// with fleet, for the view across contexts; note says why the last
// attempt failed, if one did.
func (a *App) askPassword(name, note string, fleet bool) {
	a.dialog = nil
	title := "log in to " + name
	if fleet {
		title += " (for the view across contexts)"
	}
	a.password = &passwordAsk{name: name, fleet: fleet, prompt: prompt.New(a.common, title, note)}
	a.password.prompt.SetSize(a.width, a.bodyHeight())
}

// applyWatch shows a new watch state and asks for the next one.
func (a *App) applyWatch(u vsphere.WatchUpdate) tea.Cmd {
	if a.cfg.FirstScreen != nil && !a.firstScreen {
		a.firstScreen = true
		a.cfg.FirstScreen()
	}
	cmds := []tea.Cmd{waitWatch(a.ctx, a.gen, a.watch, u.Seq), a.startActivity()}
	prev := a.state
	a.state, a.retryAt = u.State, u.RetryAt
	if u.Data != nil && u.Data != a.inv {
		a.inv = u.Data
		a.reload()
		a.selectPending(u.State != vsphere.Syncing)
	}
	if prev != vsphere.Live && u.State == vsphere.Live && a.top().kind == Overview {
		cmds = append(cmds, a.overview.Open()) // the HA verdicts of the whole inventory
	}
	stale := u.State == vsphere.Reconnecting
	for _, v := range a.views {
		v.SetStale(stale)
	}
	switch {
	case stale && prev != vsphere.Reconnecting:
		cmds = append(cmds, a.note(causeConnection, true, fmt.Sprintf("connection lost: %v", u.Err)), a.tick())
	case u.State == vsphere.Live:
		a.notes.clear(causeConnection)
		a.notes.clear(causeBlocked)
	}
	if reason := a.changesBlocked(); reason != "" && a.dialog != nil {
		a.dialog.Block(reason + ": this plan can no longer be sent; esc, then try again")
	}
	return tea.Batch(cmds...)
}

func (a *App) tick() tea.Cmd { return a.after(time.Second, tickMsg{gen: a.gen}) }

func (a *App) retryIn() int {
	return max(int(a.retryAt.Sub(a.now()).Round(time.Second)/time.Second), 0)
}
