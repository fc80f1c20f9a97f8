package vsphere

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"syscall"
	"time"

	"github.com/vtui/vtui/vsphere/internal/conn"
)

// The live streams (Watch, TaskWatch, EventWatch) share this plumbing: a
// Stream whose mailbox keeps only the newest state, a loop that reconnects
// with backoff, and follow, which runs one property filter on a collector
// of its own.

// Update is the state of a live stream at one moment.
type Update[T any] struct {
	// Data is the stream's newest data: the inventory, the recent tasks
	// (newest first) or the latest events (newest first). It is the zero
	// value until the first load arrives, and never modified after it is
	// published.
	Data T
	// State says whether Data is complete and current.
	State ConnState
	// RetryAt is when the next reconnect attempt starts, when Reconnecting.
	RetryAt time.Time
	// Err is why the connection dropped, when Reconnecting.
	Err error
	// Seq increases with every update, so a consumer can drop stale ones.
	Seq uint64
}

// Stream is data that vCenter keeps current through property updates; it
// never polls. When the connection drops it keeps the last data, marks it
// stale and reconnects with backoff, then resyncs from a fresh load.
// Consumers read the newest state with Next; intermediate states may be
// skipped.
type Stream[T any] struct {
	mb mailbox[T]
}

// Next blocks until the stream's state changed since the update numbered
// after, and returns the newest state. It returns ctx's error, or
// context.Canceled once the stream has stopped.
func (s *Stream[T]) Next(ctx context.Context, after uint64) (Update[T], error) {
	return s.mb.next(ctx, after)
}

// Latest returns the newest state without waiting.
func (s *Stream[T]) Latest() Update[T] { return s.mb.current() }

// Done is closed once the stream has stopped after its ctx ended, and has
// released what it held on the server (its property collector). Log out
// after it, or the server may keep serving the stream's last request.
func (s *Stream[T]) Done() <-chan struct{} { return s.mb.stopped() }

// startStream runs a stream on c until ctx is cancelled. connection
// follows one connection's worth of updates, handing each new state to
// publish, until an error; it reports whether it got in sync. Before each
// reconnect it waits for c's session to work (awaitSession), so streams
// that lost the server together take turns to log in again. what names
// the stream in the log.
func startStream[T any](ctx context.Context, c *Client, what string, b backoff,
	connection func(ctx context.Context, publish func(data T, state ConnState)) (synced bool, err error)) *Stream[T] {
	s := &Stream[T]{}
	publish := func(data T, state ConnState) {
		s.mb.publish(func(u *Update[T]) { *u = Update[T]{Data: data, State: state} })
	}
	first := true
	go s.mb.run(ctx, conn.Log(c.conn), what, b, func(ctx context.Context) (bool, error) {
		if !first {
			if err := conn.AwaitSession(ctx, c.conn); err != nil {
				return false, fmt.Errorf("reconnect to %s: %w", c.Host(), err)
			}
		}
		first = false
		return connection(ctx, publish)
	})
	return s
}

// mailbox holds the newest state of a live stream. The writer replaces it;
// readers wait for a state newer than the one they have. A slow reader
// therefore skips intermediate states instead of holding up the writer,
// and every waiting reader wakes on each change. The zero value is an
// empty, running mailbox.
type mailbox[T any] struct {
	mu     sync.Mutex
	latest Update[T]
	seq    uint64
	wake   chan struct{} // closed by the next publish or stop; nil until a reader waits
	halted bool
	done   chan struct{} // closed by stop; nil until asked for
}

// publish changes the state with f and numbers it.
func (m *mailbox[T]) publish(f func(*Update[T])) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f(&m.latest)
	m.seq++
	m.latest.Seq = m.seq
	m.wakeLocked()
}

// stop marks the stream ended: readers with nothing newer get
// context.Canceled.
func (m *mailbox[T]) stop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.halted = true
	m.wakeLocked()
	if m.done == nil {
		m.done = make(chan struct{})
	}
	close(m.done)
}

// stopped returns a channel that stop closes.
func (m *mailbox[T]) stopped() <-chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.done == nil {
		m.done = make(chan struct{})
	}
	return m.done
}

func (m *mailbox[T]) wakeLocked() {
	if m.wake != nil {
		close(m.wake)
		m.wake = nil
	}
}

// next blocks until the state numbered after has been replaced, and returns
// the newest. It returns ctx's error, or context.Canceled once the stream
// has stopped, with the last state.
func (m *mailbox[T]) next(ctx context.Context, after uint64) (Update[T], error) {
	for {
		m.mu.Lock()
		u, seq, stopped := m.latest, m.seq, m.halted
		if m.wake == nil {
			m.wake = make(chan struct{})
		}
		wake := m.wake
		m.mu.Unlock()
		switch {
		case seq > after:
			return u, nil
		case stopped:
			return u, context.Canceled
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return u, ctx.Err()
		}
	}
}

// current returns the newest state without waiting.
func (m *mailbox[T]) current() Update[T] {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.latest
}

// backoff bounds the wait between reconnect attempts: it starts at min
// and doubles up to max, but stays under refused while the server refuses
// connections.
type backoff struct{ min, max, refused time.Duration }

// defaultBackoff is what the task and event streams use, and Watch unless
// its options say otherwise.
var defaultBackoff = backoff{min: 500 * time.Millisecond, max: 30 * time.Second, refused: time.Second}

// bound returns the wait before the next attempt, after one that failed
// with err. A server that refuses connections is down or restarting, and
// asking it again costs next to nothing (a refused SYN), so the wait stays
// under b.refused: the streams are back within a second of the server.
// Other failures (a timeout, a server error) keep the longer wait, which
// spares a struggling server.
func (b backoff) bound(wait time.Duration, err error) time.Duration {
	if b.refused > 0 && errors.Is(err, syscall.ECONNREFUSED) {
		return min(wait, b.refused)
	}
	return wait
}

// run calls stream until ctx ends, then stops the mailbox. Whenever stream
// returns, it marks the state stale (keeping its data) and waits before the
// next attempt, doubling the wait up to b.max (see backoff.bound); an
// attempt that got in sync resets it to b.min. what names the stream in
// the log.
func (m *mailbox[T]) run(ctx context.Context, log *slog.Logger, what string, b backoff,
	stream func(context.Context) (synced bool, err error)) {
	defer m.stop()
	wait := b.min
	for {
		synced, err := stream(ctx)
		if ctx.Err() != nil {
			return
		}
		if synced {
			wait = b.min
		}
		wait = b.bound(wait, err)
		retryAt := time.Now().Add(wait)
		log.Warn(what+" lost its connection; reconnecting", "err", err, "retry_in", wait)
		m.publish(func(u *Update[T]) { u.State, u.Err, u.RetryAt = Reconnecting, err, retryAt })
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(wait*2, b.max)
	}
}
