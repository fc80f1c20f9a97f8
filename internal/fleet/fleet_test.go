package fleet

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

func TestEachKeepsOrderAndPartialResults(t *testing.T) {
	names := []string{"lab", "prod", "dr"}
	res := Each(context.Background(), names, Options{}, func(_ context.Context, name string) (int, error) {
		if name == "prod" {
			return 0, errors.New("connection refused")
		}
		return len(name), nil
	})
	if len(res) != 3 {
		t.Fatalf("got %d results, want 3", len(res))
	}
	for i, want := range []struct {
		name  string
		value int
		err   string
	}{{"lab", 3, ""}, {"prod", 0, "connection refused"}, {"dr", 2, ""}} {
		r := res[i]
		got := ""
		if r.Err != nil {
			got = r.Err.Error()
		}
		if r.Context != want.name || r.Value != want.value || got != want.err {
			t.Errorf("result %d = {%s %d %q}, want {%s %d %q}", i, r.Context, r.Value, got, want.name, want.value, want.err)
		}
	}
	if f := Failed(res); len(f) != 1 || f[0].Context != "prod" {
		t.Errorf("Failed = %v, want only prod", f)
	}
}

func TestEachBoundsASlowContextByItsTimeout(t *testing.T) {
	res := Each(context.Background(), []string{"slow", "fast"}, Options{Timeout: 50 * time.Millisecond},
		func(ctx context.Context, name string) (string, error) {
			if name == "slow" {
				<-ctx.Done() // a vCenter that never answers
				return "", fmt.Errorf("retrieve: %w", ctx.Err())
			}
			return "rows", nil
		})
	if !errors.Is(res[0].Err, context.DeadlineExceeded) {
		t.Errorf("slow context's error = %v, want a deadline", res[0].Err)
	}
	if res[1].Err != nil || res[1].Value != "rows" {
		t.Errorf("fast context = %+v, want its rows despite the slow one", res[1])
	}
}

func TestEachRunsAtMostLimitAtOnce(t *testing.T) {
	var running, most atomic.Int32
	names := make([]string, 12)
	for i := range names {
		names[i] = fmt.Sprint("vc", i)
	}
	Each(context.Background(), names, Options{Limit: 3}, func(context.Context, string) (struct{}, error) {
		n := running.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		running.Add(-1)
		return struct{}{}, nil
	})
	if got := most.Load(); got > 3 || got < 1 {
		t.Errorf("at most %d calls ran at once, want 1 to 3", got)
	}
}

func TestEachStopsAskingWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var asked atomic.Int32
	res := Each(ctx, []string{"a", "b", "c"}, Options{Limit: 1}, func(ctx context.Context, _ string) (int, error) {
		asked.Add(1)
		cancel()
		<-ctx.Done()
		return 0, ctx.Err()
	})
	if n := asked.Load(); n != 1 {
		t.Errorf("%d contexts were asked after the cancel, want 1", n)
	}
	for _, r := range res {
		if !errors.Is(r.Err, context.Canceled) {
			t.Errorf("%s: err = %v, want cancelled", r.Context, r.Err)
		}
	}
}
