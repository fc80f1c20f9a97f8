// Package fleet asks every configured vCenter the same question at once
// and gathers the answers, partial ones included.
//
// A vCenter that is down or slow costs its own answer, never the others':
// each call runs under its own deadline, at most Limit run at a time, and
// Each returns one Result per context, in the order given, whether the
// call succeeded, failed or ran out of time.
package fleet

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Defaults of Options.
const (
	DefaultLimit   = 8
	DefaultTimeout = 60 * time.Second
)

// Options bound a fleet-wide call.
type Options struct {
	// Limit is how many contexts are asked at once; 0 means DefaultLimit.
	Limit int
	// Timeout bounds each context's call, from its start; 0 means
	// DefaultTimeout.
	Timeout time.Duration
}

// Result is one context's answer.
type Result[T any] struct {
	// Context names the context asked.
	Context string
	// Value is the answer; the zero T when Err is set.
	Value T
	// Err says why the context gave no answer: the call's error, which
	// also wraps context.DeadlineExceeded when the call ran past
	// Options.Timeout. It does not repeat the context's name, which is
	// Context.
	Err error
	// Took is how long the call ran.
	Took time.Duration
}

// Each calls fn for every context in names, concurrently within opts,
// and returns their results in the order of names. fn gets a context
// that ends at the per-context deadline or when ctx ends; it must
// return once its context is done. Each returns when every call has.
func Each[T any](ctx context.Context, names []string, opts Options, fn func(ctx context.Context, name string) (T, error)) []Result[T] {
	limit, timeout := opts.Limit, opts.Timeout
	if limit <= 0 {
		limit = DefaultLimit
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	results := make([]Result[T], len(names))
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &results[i]
			r.Context = name
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
			}
			if ctx.Err() != nil {
				r.Err = fmt.Errorf("not asked: %w", context.Cause(ctx))
				return
			}
			cctx, cancel := context.WithTimeoutCause(ctx, timeout,
				fmt.Errorf("no answer within %s: %w", timeout, context.DeadlineExceeded))
			defer cancel()
			start := time.Now()
			v, err := fn(cctx, name)
			r.Took = time.Since(start)
			if err != nil {
				if cause := context.Cause(cctx); cctx.Err() != nil && ctx.Err() == nil && !errors.Is(err, cause) {
					err = fmt.Errorf("%w (%w)", cause, err)
				}
				r.Err = err
				return
			}
			r.Value = v
		}()
	}
	wg.Wait()
	return results
}

// Failed returns the results that carry an error.
func Failed[T any](results []Result[T]) []Result[T] {
	var failed []Result[T]
	for _, r := range results {
		if r.Err != nil {
			failed = append(failed, r)
		}
	}
	return failed
}
