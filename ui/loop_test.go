package ui

import (
	"context"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// loop runs an App as bubbletea does: every command in a goroutine of its
// own, its message back through Update, but on the test's goroutine, so
// the test can press keys and read the model between messages.
type loop struct {
	t    *testing.T
	a    *App
	msgs chan tea.Msg
	done chan struct{}
}

// noTimer stands in for App.after: notes do not expire and the countdown
// does not tick, so a test sees what it causes and nothing else.
func noTimer(time.Duration, tea.Msg) tea.Cmd { return nil }

// run starts a at 120×30 and runs its Init command.
func run(t *testing.T, a *App) *loop {
	t.Helper()
	a.after = noTimer
	l := &loop{t: t, a: a, msgs: make(chan tea.Msg, 64), done: make(chan struct{})}
	t.Cleanup(func() {
		close(l.done)
		_ = a.Close(context.Background())
	})
	l.send(tea.WindowSizeMsg{Width: 120, Height: 30})
	l.exec(a.Init())
	return l
}

// exec runs cmd in the background and queues its message.
func (l *loop) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		switch msg := cmd().(type) {
		case nil:
		case tea.BatchMsg:
			for _, c := range msg {
				l.exec(c)
			}
		default:
			select {
			case l.msgs <- msg:
			case <-l.done:
			}
		}
	}()
}

// send hands msgs to Update and runs what they return.
func (l *loop) send(msgs ...tea.Msg) {
	for _, msg := range msgs {
		_, cmd := l.a.Update(msg)
		l.exec(cmd)
	}
}

// keys presses keys as the package's keys helper does.
func (l *loop) keys(ks ...string) {
	for _, k := range ks {
		l.send(keyMsgs(k)...)
	}
}

// until handles the queued messages until ok holds; it fails the test
// after a bound only a broken UI reaches, showing the screen.
func (l *loop) until(what string, ok func() bool) {
	l.t.Helper()
	timeout := time.After(20 * time.Second)
	for !ok() {
		select {
		case msg := <-l.msgs:
			l.send(msg)
		case <-timeout:
			l.t.Fatalf("waited in vain for %s; the screen:\n%s", what, l.a.View())
		}
	}
}

// settle handles the messages queued now, without waiting for more.
func (l *loop) settle() {
	for {
		select {
		case msg := <-l.msgs:
			l.send(msg)
		default:
			return
		}
	}
}

// simApp runs the UI on a small simulator of its own, through a client
// with policy p, and waits until the inventory is live.
func simApp(t *testing.T, p vsphere.Policy) (*loop, *sim.Server) {
	t.Helper()
	srv := vspheretest.Start(t, "small")
	return simAppOn(t, srv, p), srv
}

// simAppOn runs the UI on srv, as simApp does, as context "lab".
func simAppOn(t *testing.T, srv *sim.Server, p vsphere.Policy) *loop {
	t.Helper()
	return simAppAs(t, srv, p, Config{Context: "lab", Contexts: []string{"lab"}})
}

// simAppAs runs the UI on srv, as simApp does, with cfg's Context,
// Contexts and Origin: whatever context it connects to is srv.
func simAppAs(t *testing.T, srv *sim.Server, p vsphere.Policy, cfg Config) *loop {
	t.Helper()
	cfg.Connect = func(ctx context.Context, _, _ string) (*vsphere.Client, error) {
		return vsphere.Connect(ctx, vspheretest.Config(srv), vsphere.WithPolicy(p))
	}
	a := New(cfg)
	l := run(t, a)
	l.until("the inventory to load", func() bool { return a.state == vsphere.Live && a.inv != nil })
	return l
}

// inventory reads the server's inventory afresh, through a client of the
// test's own.
func inventory(t *testing.T, srv *sim.Server) *vsphere.Inventory {
	t.Helper()
	inv, err := vspheretest.Connect(t, srv).Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return inv
}
