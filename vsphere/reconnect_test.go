package vsphere

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/vtui/vtui/vsphere/sim"
)

// restartable serves the small preset on a loopback port and returns it,
// a client logged in to it that trusts any certificate (the server started
// again has another), and restart, which starts the server again on the
// same address once it was closed.
func restartable(t *testing.T) (srv *sim.Server, c *Client, restart func()) {
	t.Helper()
	spec, err := sim.Preset("small")
	if err != nil {
		t.Fatal(err)
	}
	opts := sim.Options{Listen: "127.0.0.1:0", Username: testUser, Password: testPassword}
	if srv, err = sim.Start(context.Background(), spec, opts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	cfg := configFor(srv)
	cfg.Thumbprint, cfg.Insecure = "", true
	if c, err = Connect(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return srv, c, func() {
		t.Helper()
		opts.Listen = srv.URL.Host
		again, err := sim.Start(context.Background(), spec, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(again.Close)
	}
}

func TestBackoffBound(t *testing.T) {
	b := backoff{min: 500 * time.Millisecond, max: 30 * time.Second, refused: time.Second}
	refused := &url.Error{Op: "Post", URL: "https://vc/sdk", Err: &net.OpError{Op: "dial", Net: "tcp",
		Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
	tests := []struct {
		wait time.Duration
		err  error
		want time.Duration
	}{
		{16 * time.Second, fmt.Errorf("create list view: %w", refused), time.Second},
		{500 * time.Millisecond, refused, 500 * time.Millisecond},
		{16 * time.Second, errors.New("ServerFaultCode: NotAuthenticated"), 16 * time.Second},
		{16 * time.Second, context.DeadlineExceeded, 16 * time.Second},
		{16 * time.Second, nil, 16 * time.Second},
	}
	for _, tt := range tests {
		if got := b.bound(tt.wait, tt.err); got != tt.want {
			t.Errorf("bound(%v, %v) = %v; want %v", tt.wait, tt.err, got, tt.want)
		}
	}
}

// TestStreamsReconnectSoonAfterTheServerReturns stops the simulator under
// a client's three streams (a TUI's inventory, tasks and events), keeps it
// down while the backoff would grow, and starts it again on the same
// address. While it is down every wait stays under the refused bound;
// once it is back the client logs in once, and every stream's first
// attempt succeeds: no stream fails over the new session
// (ManagedObjectNotFound, NotAuthenticated). go test -v shows how long the
// streams took to come back.
func TestStreamsReconnectSoonAfterTheServerReturns(t *testing.T) {
	srv, c, restart := restartable(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	states := []func() streamState{
		latestOf(c.Watch(ctx, WatchOptions{})), latestOf(c.WatchTasks(ctx)), latestOf(c.WatchEvents(ctx, 50)),
	}
	waitAll := func(what string, ok func(streamState) bool) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second) // only a broken client gets there
		for {
			all := true
			for _, st := range states {
				all = all && ok(st())
			}
			if all {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the streams never got %s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitAll("live", func(s streamState) bool { return s.State == Live })

	srv.Close()
	waitAll("stale", func(s streamState) bool { return s.State == Reconnecting })
	// Long enough for an unbounded backoff to reach 4 s.
	down := time.Now().Add(4 * time.Second)
	for time.Now().Before(down) {
		for i, st := range states {
			if s := st(); s.State == Reconnecting && errors.Is(s.Err, syscall.ECONNREFUSED) && time.Until(s.RetryAt) > defaultBackoff.refused {
				t.Errorf("stream %d waits %v while the server refuses connections; want at most %v", i, time.Until(s.RetryAt), defaultBackoff.refused)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	relogins := c.Relogins()

	restart()
	back := time.Now()
	waitAll("live again", func(s streamState) bool {
		if s.State == Reconnecting && s.Err != nil && !errors.Is(s.Err, syscall.ECONNREFUSED) {
			t.Errorf("a stream failed after the server returned: %v", s.Err)
		}
		return s.State == Live
	})
	t.Logf("the three streams were live %v after the server returned", time.Since(back).Round(time.Millisecond))
	if n := c.Relogins() - relogins; n != 1 {
		t.Errorf("the client logged in %d times after the server returned; want once", n)
	}
}

// streamState is the part of a stream's state that does not depend on
// its data.
type streamState struct {
	State   ConnState
	Err     error
	RetryAt time.Time
}

// latestOf returns a function that reads s's newest state.
func latestOf[T any](s *Stream[T]) func() streamState {
	return func() streamState {
		u := s.Latest()
		return streamState{State: u.State, Err: u.Err, RetryAt: u.RetryAt}
	}
}
