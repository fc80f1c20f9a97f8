package gate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// RunOptions tunes Gate.Run.
type RunOptions struct {
	// Concurrency bounds how many actions run at once; 0 means
	// DefaultConcurrency.
	Concurrency int
	// Progress, if not nil, receives every report of every action. Calls
	// are serialized, so it needs no lock of its own; reports of different
	// actions interleave.
	Progress func(Progress)
	// Timeout, if positive, bounds the wait for each change; one that
	// takes longer ends unknown, its task perhaps still running.
	Timeout time.Duration
	// Abort, when done, stops the waits of the changes already running
	// (they end unknown), where cancelling Run's ctx only starts nothing
	// more. vtui ties it to the first SIGINT or SIGTERM.
	Abort context.Context
}

// Run carries out actions, at most opts.Concurrency at once, and returns a
// result for each, in the order given. One failure does not stop the
// others. Cancelling ctx starts no more actions (they end cancelled) and
// waits for those already running to finish: a vSphere task, once started,
// is seen through, up to opts.Timeout or opts.Abort. Once the connection
// to vCenter is lost, nothing more starts either: the running changes end
// unknown, and the others cancelled.
func (g *Gate) Run(ctx context.Context, actions []Action, opts RunOptions) Summary {
	start := time.Now()
	n := opts.Concurrency
	if n <= 0 {
		n = DefaultConcurrency
	}
	var mu sync.Mutex
	progress := func(p Progress) {
		if opts.Progress != nil {
			mu.Lock()
			defer mu.Unlock()
			opts.Progress(p)
		}
	}
	if g.policy.ReadOnly && len(actions) > 0 {
		g.log.Warn("read-only mode: refusing every change of the run", "actions", len(actions))
	}

	results := make([]Result, len(actions))
	slots := make(chan struct{}, n)
	var wg sync.WaitGroup
	var lost atomic.Bool
	running, stop := runningContext(ctx, opts.Abort)
	defer stop()
	for i, a := range actions {
		acquired := false
		select {
		case slots <- struct{}{}:
			acquired = true
		case <-ctx.Done():
		}
		if ctx.Err() != nil || lost.Load() {
			if acquired {
				<-slots
			}
			cause := ctx.Err()
			if lost.Load() {
				cause = ErrConnectionLost
			}
			results[i] = g.cancelled(a, cause)
			progress(Progress{Index: i, Total: len(actions), Op: a.Op, Object: a.Object, Target: a.Target,
				Stage: StageDone, Message: results[i].Message, Result: &results[i]})
			continue
		}
		wg.Go(func() {
			defer func() { <-slots }()
			actx, cancel := running, context.CancelFunc(func() {})
			if opts.Timeout > 0 {
				actx, cancel = context.WithTimeout(running, opts.Timeout)
			}
			defer cancel()
			results[i] = g.do(actx, a, i, len(actions), progress)
			if errors.Is(results[i].Err, ErrConnectionLost) {
				lost.Store(true)
			}
		})
	}
	wg.Wait()
	return Summary{Results: results, Elapsed: time.Since(start)}
}

// runningContext is the context changes run under once started: not
// cancelled with ctx (a started task is seen through), but with abort.
func runningContext(ctx, abort context.Context) (context.Context, func()) {
	running, cancel := context.WithCancel(context.WithoutCancel(ctx))
	if abort == nil {
		return running, cancel
	}
	stop := context.AfterFunc(abort, cancel)
	return running, func() { stop(); cancel() }
}

// cancelled is the result of an action a cancelled run never started.
func (g *Gate) cancelled(a Action, cause error) Result {
	err := &OpError{Op: a.Op, Object: a.Object, Err: fmt.Errorf("not started, nothing was changed: %w", cause)}
	g.log.Info("change cancelled before it started", "op", a.Op, "object", a.Object)
	return Result{Op: a.Op, Object: a.Object, From: a.From, Target: a.Target,
		Status: StatusCancelled, Message: err.Error(), Err: err}
}

// Summary is the outcome of a run: one result per action, in order.
type Summary struct {
	Results []Result
	Elapsed time.Duration
}

// Count returns how many results have status s.
func (s Summary) Count(st Status) int {
	n := 0
	for _, r := range s.Results {
		if r.Status == st {
			n++
		}
	}
	return n
}

// String sums the run up for people: "12 changes in 3.2s: 10 ok, 1 noop,
// 1 failed".
func (s Summary) String() string {
	noun := "changes"
	if len(s.Results) == 1 {
		noun = "change"
	}
	return fmt.Sprintf("%d %s in %s: %s", len(s.Results), noun, s.Elapsed.Round(10*time.Millisecond), s.Tally())
}

// Tally counts the results by how they ended, naming every status that
// occurs: "4 ok, 1 cancelled, 4 unknown".
func (s Summary) Tally() string {
	var parts []string
	for _, st := range []Status{StatusOK, StatusNoop, StatusDryRun, StatusFailed, StatusUnknown, StatusCancelled} {
		if n := s.Count(st); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	return strings.Join(parts, ", ")
}

// Err returns nil if no action failed or was cancelled, and otherwise an
// error joining the failures' errors, which callers can inspect with
// errors.As (e.g. for *OpError) and errors.Is (e.g. ErrReadOnly).
func (s Summary) Err() error {
	var errs []error
	for _, r := range s.Results {
		if r.Err != nil {
			errs = append(errs, r.Err)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return &RunError{Failed: len(errs), Cancelled: s.Count(StatusCancelled), Unknown: s.Count(StatusUnknown), Total: len(s.Results), Err: errors.Join(errs...)}
}

// RunError reports that some actions of a run failed, were cancelled, or
// ended unknown.
type RunError struct {
	// Failed counts every action that did not succeed; Cancelled and
	// Unknown those of them that never started, and whose outcome is not
	// known.
	Failed, Cancelled, Unknown, Total int
	Err                               error // the failures, joined
}

// Error counts the outcomes honestly and names the first few failures:
// "5 of 9 changes did not succeed (1 cancelled, 4 unknown: check vCenter's
// tasks): migrate a: ...; and 2 more".
func (e *RunError) Error() string {
	if e.Total == 1 {
		return e.Err.Error()
	}
	var msgs []string
	for _, err := range unjoin(e.Err) {
		msgs = append(msgs, strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	failed := e.Failed - e.Cancelled - e.Unknown
	if failed == e.Failed {
		return fmt.Sprintf("%d of %d changes failed: %s", e.Failed, e.Total, Summarize(msgs, "; "))
	}
	var how []string
	if failed > 0 {
		how = append(how, fmt.Sprintf("%d failed", failed))
	}
	if e.Cancelled > 0 {
		how = append(how, fmt.Sprintf("%d cancelled", e.Cancelled))
	}
	if e.Unknown > 0 {
		how = append(how, fmt.Sprintf("%d unknown: check vCenter's tasks", e.Unknown))
	}
	return fmt.Sprintf("%d of %d changes did not succeed (%s): %s", e.Failed, e.Total, strings.Join(how, ", "), Summarize(msgs, "; "))
}

func (e *RunError) Unwrap() error { return e.Err }

// unjoin returns the errors errors.Join joined, or err alone.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// summaryItems is how many items a one-line summary names before it
// counts the rest.
const summaryItems = 3

// Summarize joins the first few items with sep and counts the rest, so
// that a one-line message stays short however many items there are: "a;
// b; c; and 37 more". The full list belongs in the output or report the
// message sums up.
func Summarize(items []string, sep string) string {
	if len(items) <= summaryItems {
		return strings.Join(items, sep)
	}
	return fmt.Sprintf("%s%sand %d more", strings.Join(items[:summaryItems], sep), sep, len(items)-summaryItems)
}
