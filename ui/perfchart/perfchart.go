// Package perfchart is the performance charts of a host or a VM: the
// full-screen chart view (Model), a line chart per counter that follows
// new samples, and the small charts of the detail pane (Pane). Both read
// vsphere.Client.Metrics in a tea.Cmd and read again once the interval's
// sampling period has passed (20 s for real-time samples), through the
// root's timer, so Update never waits.
package perfchart

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/vsphere"
)

// Conn is the connection the charts read through: the root's current one.
// A nil Client means there is none.
type Conn struct {
	Ctx    context.Context
	Client *vsphere.Client
}

// Entity is the host or VM charted.
type Entity struct {
	Ref  vsphere.Ref
	Kind string // "host" or "vm"
	Name string
}

// Msg is what the charts' reads and timers bring back; the root hands
// every Msg to the Model and the Pane, and each takes its own.
type Msg interface{ perfChart() }

// loadedMsg brings the result of read seq of follower who.
type loadedMsg struct {
	who    *follower
	seq    int
	series []vsphere.Series
	at     time.Time
	err    error
}

// tickMsg tells follower who that the sampling period after read seq
// has passed.
type tickMsg struct {
	who *follower
	seq int
}

func (loadedMsg) perfChart() {}
func (tickMsg) perfChart()   {}

// readTimeout bounds one read.
const readTimeout = 30 * time.Second

// After delivers msg once d has passed (the root's timer, which tests
// replace).
type After func(d time.Duration, msg tea.Msg) tea.Cmd

// follower reads an entity's samples and reads them again each sampling
// period while it follows the entity.
type follower struct {
	conn    func() Conn
	after   After
	samples int

	entity   Entity
	interval vsphere.Interval
	seq      int // the newest read; results and ticks of older ones are dropped
	reading  bool
	series   []vsphere.Series // nil until a read came back
	at       time.Time        // when the series were read
	err      error            // why the last read failed
}

// follow starts following e at interval, dropping what it followed.
func (f *follower) follow(e Entity, interval vsphere.Interval) tea.Cmd {
	f.entity, f.interval, f.series, f.err = e, interval, nil, nil
	return f.read()
}

// stop follows nothing any more.
func (f *follower) stop() {
	f.seq++
	f.entity, f.series, f.err, f.reading = Entity{}, nil, nil, false
}

// read starts reading the entity, dropping any read under way.
func (f *follower) read() tea.Cmd {
	f.seq++
	c := f.conn()
	if c.Client == nil {
		f.err, f.reading = errors.New("not connected"), false
		return nil
	}
	f.reading = true
	seq, ref, q := f.seq, f.entity.Ref, vsphere.MetricsQuery{Interval: f.interval, Samples: f.samples}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(c.Ctx, readTimeout)
		defer cancel()
		series, err := c.Client.Metrics(ctx, []vsphere.Ref{ref}, q)
		msg := loadedMsg{who: f, seq: seq, err: err, at: time.Now()}
		if err == nil {
			msg.series = series[0]
		}
		return msg
	}
}

// update takes the follower's own messages: a read's result, then the
// timer for the next; ok is false for others'.
func (f *follower) update(msg tea.Msg) (cmd tea.Cmd, ok bool) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.who != f {
			return nil, false
		}
		if msg.seq != f.seq {
			return nil, true
		}
		f.reading = false
		if msg.err != nil {
			f.err = msg.err
		} else {
			f.series, f.at, f.err = msg.series, msg.at, nil
		}
		period := time.Duration(f.interval.Seconds()) * time.Second
		return f.after(period, tickMsg{who: f, seq: f.seq}), true
	case tickMsg:
		if msg.who != f {
			return nil, false
		}
		if msg.seq != f.seq || f.entity.Ref.IsZero() {
			return nil, true
		}
		return f.read(), true
	}
	return nil, false
}

// state is a line on what is shown: reading, the error, or "".
func (f *follower) state() string {
	switch {
	case f.err != nil:
		return fmt.Sprintf("cannot read the samples: %v", f.err)
	case f.series == nil:
		return "reading…"
	}
	return ""
}
