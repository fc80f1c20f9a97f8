package ui

// The view across every context (:vm @all): each context's inventory in
// one list, a CONTEXT column first, and each context's state in the
// status bar. The current context's rows come from the root's own
// connection; every other context gets a login and an inventory watch of
// its own for as long as a view across contexts is shown, each in its own
// commands, so a context that is down, slow or waiting for a password
// holds back neither the others nor the keys.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/ui/listview"

	"github.com/vtui/vtui/vsphere"
)

// allContexts is the argument of a : command that opens its kind's view
// across every context: ":vm @all".
const allContexts = "@all"

// phase is where a context of the view across contexts stands.
type phase int

const (
	phaseConnecting phase = iota
	phaseNeedsPassword
	phaseFailed // its login failed
	phaseLoading
	phaseLive
	phaseDown // its connection dropped; the watch reconnects
)

// contextState is what the status bar says of one context in the view
// across contexts.
type contextState struct {
	name  string
	phase phase
	rows  int    // its rows in the view, when live
	err   string // why it is down or failed
}

// text is the state in a few words: "lab 12 vms", "dr down: …".
func (s contextState) text(kind Kind) string {
	switch s.phase {
	case phaseConnecting:
		return s.name + " connecting"
	case phaseNeedsPassword:
		return fmt.Sprintf("%s needs a password (:login %s)", s.name, s.name)
	case phaseFailed:
		return s.name + " failed: " + s.err
	case phaseLoading:
		return fmt.Sprintf("%s loading %d %s", s.name, s.rows, kind)
	case phaseDown:
		return s.name + " down: " + s.err
	}
	return fmt.Sprintf("%s %d %s", s.name, s.rows, kind)
}

// bad says whether the state is one the admin must see to.
func (s contextState) bad() bool {
	return s.phase == phaseFailed || s.phase == phaseDown || s.phase == phaseNeedsPassword
}

// watchPhase is the phase of a context whose inventory watch is in state.
func watchPhase(state vsphere.ConnState) phase {
	switch state {
	case vsphere.Live:
		return phaseLive
	case vsphere.Reconnecting:
		return phaseDown
	}
	return phaseLoading
}

// member is a context of the view across contexts other than the
// current one: its login, its inventory watch and what it last said.
type member struct {
	client *vsphere.Client
	watch  *vsphere.Watch
	inv    *vsphere.Inventory
	phase  phase
	err    string
}

// fleetConn is the view across contexts' own connections, one per context
// other than the current one; members is nil while no view across
// contexts is shown.
type fleetConn struct {
	ctx     context.Context
	cancel  context.CancelFunc
	gen     int // of the members; messages of closed ones are dropped
	members map[string]*member
}

// fleetConnectedMsg is a member's login result; asked says the password
// was the admin's answer to the prompt.
type fleetConnectedMsg struct {
	gen    int
	name   string
	asked  bool
	client *vsphere.Client
	err    error
}

// fleetWatchMsg is the newest state of a member's inventory watch.
type fleetWatchMsg struct {
	gen    int
	name   string
	update vsphere.WatchUpdate
}

// openFleet logs in to every context but the current one, unless the
// view across contexts is open already.
func (a *App) openFleet() tea.Cmd {
	if a.fleet.members != nil {
		return nil
	}
	a.fleet.ctx, a.fleet.cancel = context.WithCancel(context.Background())
	a.fleet.gen++
	a.fleet.members = map[string]*member{}
	var cmds []tea.Cmd
	for _, name := range a.cfg.Contexts {
		if name == a.contextName {
			continue
		}
		a.fleet.members[name] = &member{phase: phaseConnecting}
		cmds = append(cmds, a.fleetLogin(name, ""))
	}
	return tea.Batch(cmds...)
}

// fleetLogin logs in to a member in the background; an empty password
// means the context's own source.
func (a *App) fleetLogin(name, password string) tea.Cmd {
	ctx, gen, connect := a.fleet.ctx, a.fleet.gen, a.cfg.Connect
	if connect == nil {
		return nil
	}
	return func() tea.Msg {
		c, err := connect(ctx, name, password)
		return fleetConnectedMsg{gen: gen, name: name, asked: password != "", client: c, err: err}
	}
}

// closeFleet logs out of every member, in the background.
func (a *App) closeFleet() {
	if a.fleet.members == nil {
		return
	}
	a.fleet.cancel()
	for _, m := range a.fleet.members {
		if m.client != nil {
			s := session{client: m.client}
			if m.watch != nil {
				s.streams = []<-chan struct{}{m.watch.Done()}
			}
			a.closeSession(s)
		}
	}
	a.fleet.members = nil
	for _, v := range a.across {
		v.Load(listview.Source{}) // lets go of the other contexts' inventories
	}
}

// updateFleet handles the members' messages; ok is false for others.
func (a *App) updateFleet(msg tea.Msg) (cmd tea.Cmd, ok bool) {
	switch msg := msg.(type) {
	case fleetConnectedMsg:
		m := a.fleet.members[msg.name]
		if msg.gen != a.fleet.gen || m == nil {
			if msg.client != nil {
				a.closeSession(session{client: msg.client})
			}
			return nil, true
		}
		var login *vsphere.LoginError
		switch {
		case errors.Is(msg.err, ErrPasswordRequired):
			m.phase = phaseNeedsPassword
		case errors.As(msg.err, &login):
			m.phase, m.err = phaseNeedsPassword, login.Error()
			if msg.asked && a.password == nil { // ask again, as :ctx does
				a.askPassword(msg.name, login.Error(), true)
			}
		case msg.err != nil:
			m.phase, m.err = phaseFailed, msg.err.Error()
		default:
			m.client, m.phase, m.err = msg.client, phaseLoading, ""
			m.watch = msg.client.Watch(a.fleet.ctx, vsphere.WatchOptions{Screen: firstScreen})
			a.log.Info("connected for @all", "context", msg.name, "host", msg.client.Host())
			return waitFleet(a.fleet.ctx, a.fleet.gen, msg.name, m.watch, 0), true
		}
		return nil, true
	case openInContextMsg:
		return a.openInContext(msg), true
	case notAcrossMsg:
		return a.note(causeInput, true, fmt.Sprintf("%s acts in one context: enter opens %s in %s, then %s",
			msg.what, msg.name, msg.context, msg.key)), true
	case fleetWatchMsg:
		m := a.fleet.members[msg.name]
		if msg.gen != a.fleet.gen || m == nil {
			return nil, true
		}
		u := msg.update
		m.phase, m.err = watchPhase(u.State), ""
		if u.Err != nil {
			m.err = u.Err.Error()
		}
		if u.Data != nil {
			m.inv = u.Data
		}
		if a.top().all {
			a.reload()
		}
		return waitFleet(a.fleet.ctx, a.fleet.gen, msg.name, m.watch, u.Seq), true
	}
	return nil, false
}

func waitFleet(ctx context.Context, gen int, name string, w *vsphere.Watch, after uint64) tea.Cmd {
	return waitNext(ctx, w.Next, after, func(u vsphere.WatchUpdate) tea.Msg { return fleetWatchMsg{gen: gen, name: name, update: u} })
}

// login logs in again to a context of the view across contexts whose
// login failed, or asks for the password of one that needs it (:login
// NAME).
func (a *App) login(name string) tea.Cmd {
	m := a.fleet.members[name]
	switch {
	case !slices.Contains(a.cfg.Contexts, name):
		return a.note(causeInput, true, fmt.Sprintf("no context named %q (contexts: %s)", name, strings.Join(a.cfg.Contexts, ", ")))
	case a.top().all && name == a.contextName:
		return a.note(causeInput, true, fmt.Sprintf("%s is the current context: :ctx %s logs in to it again", name, name))
	case !a.top().all || m == nil:
		return a.note(causeInput, true, fmt.Sprintf(":login logs in to a context of a view across contexts (:vm %s); to switch to %s, :ctx %s", allContexts, name, name))
	case m.phase != phaseNeedsPassword && m.phase != phaseFailed:
		return a.note(causeInput, true, fmt.Sprintf("%s is logged in already, or logging in", name))
	case m.phase == phaseFailed:
		m.phase, m.err = phaseConnecting, ""
		return a.fleetLogin(name, "")
	}
	a.askPassword(name, m.err, true)
	return nil
}

// fleetInventories returns the inventory of every context that answers
// now, by name: the current context's and the members'. A context that
// is down shows none of its last rows, which may be stale.
func (a *App) fleetInventories() map[string]*vsphere.Inventory {
	invs := map[string]*vsphere.Inventory{}
	if a.inv != nil && a.state != vsphere.Reconnecting {
		invs[a.contextName] = a.inv
	}
	for name, m := range a.fleet.members {
		if m.inv != nil && m.phase != phaseDown {
			invs[name] = m.inv
		}
	}
	return invs
}

// fleetStates is each context's state, in the order of the contexts;
// rows counts a context's rows in the view.
func (a *App) fleetStates(rows map[string]int) []contextState {
	var out []contextState
	for _, name := range a.cfg.Contexts {
		s := contextState{name: name, rows: rows[name]}
		if m, ok := a.fleet.members[name]; ok {
			s.phase, s.err = m.phase, m.err
		} else if name == a.contextName {
			s.phase = a.currentPhase()
		} else {
			continue
		}
		out = append(out, s)
	}
	return out
}

// currentPhase is the phase of the root's own connection.
func (a *App) currentPhase() phase {
	switch {
	case a.password != nil && !a.password.fleet:
		return phaseNeedsPassword
	case a.loginFailed:
		return phaseFailed
	case a.client == nil:
		return phaseConnecting
	}
	return watchPhase(a.state)
}

// fleetStatus is the status bar's part in a view across contexts: each
// context's state, those that need the admin last, so that a narrow
// screen cuts the healthy ones' words rather than an error's.
func (a *App) fleetStatus(rows map[string]int) string {
	var good, bad []string
	for _, s := range a.fleetStates(rows) {
		if s.phase == phaseFailed && s.name == a.contextName {
			if n, ok := a.notes.get(causeConnection); ok {
				s.err = strings.TrimPrefix(n.text, "connect to "+s.name+": ")
			}
		}
		if s.bad() {
			bad = append(bad, a.styles.Bad.Render(s.text(a.top().kind)))
		} else {
			good = append(good, s.text(a.top().kind))
		}
	}
	return strings.Join(append(good, bad...), " │ ")
}

// openInContext opens a row of a view across contexts in its own
// context, selected: in the current context's view of its kind, or in
// another context's, switched to through the login the view across
// contexts made, so no password is asked again. There the kind's keys
// act, and their confirmations name that context in the status bar.
func (a *App) openInContext(msg openInContextMsg) tea.Cmd {
	a.selectNext = msg.key
	if msg.context == a.contextName {
		a.clearMarks()
		a.closeFleet()
		a.stack = []location{{kind: msg.kind}}
		a.reload()
		a.selectPending(a.state != vsphere.Syncing)
		return nil
	}
	var client *vsphere.Client
	if m := a.fleet.members[msg.context]; m != nil {
		client, m.client = m.client, nil // the switch keeps it: closeFleet leaves it logged in
	}
	return a.switchTo(msg.context, msg.kind, client)
}

// selectPending selects the row opened from a view across contexts once
// the view shows it; done gives up on a row that the whole inventory
// lacks.
func (a *App) selectPending(done bool) {
	if a.selectNext == "" {
		return
	}
	if l, ok := a.current().(listView); ok && l.Select(a.selectNext) || done {
		a.selectNext = ""
	}
}
