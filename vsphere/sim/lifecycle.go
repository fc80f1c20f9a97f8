package sim

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// lifecycle owns the simulator's background work: delayed tasks now, the
// HA agent's timers and restarts. Every piece starts through goBackground,
// stops when the server closes (its context is cancelled, so a delay or a
// timer ends early) and is waited for before the simulator's files are
// removed, so nothing outlives Close: no goroutine, and no file written
// into a home directory already deleted.
//
// Nothing runs before the server serves (serve): vcsim's NewServer copies
// the registry's objects into themselves without the registry's lock
// (Service.RegisterSDK, as the SDK path is registered already: requests.go),
// so a piece reading the registry meanwhile, such as an alarm evaluation
// after the build's roll-up, crashed the process ("concurrent map
// iteration and map write").
type lifecycle struct {
	ctx     context.Context
	cancel  context.CancelFunc
	serving chan struct{} // closed by serve
	mu      sync.Mutex    // orders starts before stop's wait
	wg      sync.WaitGroup
	running atomic.Int32 // for tests: pieces not yet returned
}

func newLifecycle() *lifecycle {
	l := &lifecycle{serving: make(chan struct{})}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	return l
}

// goBackground runs fn in its own goroutine, with a context cancelled when
// the server closes, once the server serves (or closes).
func (l *lifecycle) goBackground(fn func(ctx context.Context)) {
	// Pieces start from request goroutines (a task, the registry's
	// listener): once the server is closing nothing new starts, so that
	// no start races stop's wait.
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ctx.Err() != nil {
		return
	}
	l.running.Add(1)
	l.wg.Go(func() {
		defer l.running.Add(-1)
		select {
		case <-l.serving:
		case <-l.ctx.Done():
		}
		fn(l.ctx)
	})
}

// serve lets the background work run: the server serves. Call it once.
func (l *lifecycle) serve() { close(l.serving) }

// sleep waits d, or less if the server closes; it reports whether the full
// time passed.
func (l *lifecycle) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// stop cancels the background work and waits for it to return.
func (l *lifecycle) stop() {
	l.mu.Lock()
	l.cancel()
	l.mu.Unlock()
	l.wg.Wait()
}

// settler runs a piece of background work once a burst of changes has
// settled: the views' walk (containerviews.go), the usage roll-up
// (rollup.go).
type settler struct {
	mu      sync.Mutex
	stale   bool // changed since the work last ran
	running bool // a background run is waiting or working
}

// idle reports whether s has no run waiting or working. A run stays
// running through the wait after its work, so idle also means that what
// its work changed has been recorded by the settlers it made stale.
func (s *settler) idle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.running
}

// settled reports whether the work that follows changes has caught up:
// the settlers are asked in the order one's work makes the next stale
// (a move, then the roll-up of the VMs on its hosts, then the alarms on
// the roll-up's figures).
func (vc *vcenter) settled() bool {
	return vc.feed.views.walk.idle() && vc.rollUps.idle() && vc.alarms.settler.idle()
}

// settle records a change and, unless s is running, runs work in the
// background after d, and again after d while changes came meanwhile,
// until the server closes. It takes no lock but s's, so the registry's
// listener may call it.
func (l *lifecycle) settle(s *settler, d time.Duration, work func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stale = true
	if s.running {
		return
	}
	s.running = true
	l.goBackground(func(life context.Context) {
		for {
			settled := l.sleep(life, d)
			s.mu.Lock()
			if !settled || !s.stale {
				s.running = false
				s.mu.Unlock()
				return
			}
			s.stale = false
			s.mu.Unlock()
			work()
		}
	})
}
