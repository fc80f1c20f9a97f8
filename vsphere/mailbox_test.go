package vsphere

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// testMailbox holds the smallest data a stream can carry.
type testMailbox = mailbox[int]

// testUpdate is the state such a mailbox holds.
type testUpdate = Update[int]

func TestMailboxNextSkipsToNewest(t *testing.T) {
	var m testMailbox
	for n := 1; n <= 3; n++ {
		m.publish(func(u *testUpdate) { u.Data = n })
	}
	u, err := m.next(context.Background(), 0)
	if err != nil || u.Data != 3 || u.Seq != 3 {
		t.Errorf("next(0) = %+v, %v; want N 3, Seq 3, no error", u, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if u, err := m.next(ctx, 3); !errors.Is(err, context.DeadlineExceeded) || u.Seq != 3 {
		t.Errorf("next(3) with nothing newer = %+v, %v; want Seq 3 and DeadlineExceeded", u, err)
	}
}

func TestMailboxWakesEveryReader(t *testing.T) {
	var m testMailbox
	const readers = 3
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	got := make([]testUpdate, readers)
	errs := make([]error, readers)
	waiting := make(chan struct{}, readers)
	for i := range readers {
		wg.Go(func() {
			waiting <- struct{}{}
			got[i], errs[i] = m.next(ctx, 0)
		})
	}
	for range readers {
		<-waiting
	}
	m.publish(func(u *testUpdate) { u.Data = 7 })
	wg.Wait()
	for i := range readers {
		if errs[i] != nil || got[i].Data != 7 {
			t.Errorf("reader %d got %+v, %v; want N 7", i, got[i], errs[i])
		}
	}
}

func TestMailboxStoppedReturnsLastStateAndCanceled(t *testing.T) {
	var m testMailbox
	m.publish(func(u *testUpdate) { u.Data = 1 })
	m.stop()
	if u, err := m.next(context.Background(), 0); err != nil || u.Data != 1 {
		t.Errorf("next(0) after stop = %+v, %v; want the unread N 1 first", u, err)
	}
	if u, err := m.next(context.Background(), 1); !errors.Is(err, context.Canceled) || u.Data != 1 {
		t.Errorf("next(1) after stop = %+v, %v; want N 1 and context.Canceled", u, err)
	}
}

func TestMailboxStoppedIsClosedByStop(t *testing.T) {
	var m testMailbox
	asked := m.stopped()
	select {
	case <-asked:
		t.Fatal("stopped() is closed before stop")
	default:
	}
	m.stop()
	for i, ch := range []<-chan struct{}{asked, m.stopped()} {
		select {
		case <-ch:
		default:
			t.Errorf("stopped() channel %d (asked %s stop) is open after stop", i, []string{"before", "after"}[i])
		}
	}
}

// TestMailboxRunReconnectsWithBackoff drives run with a stream that fails
// twice before the first sync, then once after it: the data survives each
// loss, the state says Reconnecting with the error, and the wait doubles
// until a sync resets it.
func TestMailboxRunReconnectsWithBackoff(t *testing.T) {
	var m testMailbox
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b := backoff{min: 100 * time.Millisecond, max: 150 * time.Millisecond}
	errDown := errors.New("connection refused")
	var ends []time.Time // when each failed attempt returned
	attempt := 0
	stream := func(ctx context.Context) (bool, error) {
		attempt++
		switch attempt {
		case 1, 2:
			ends = append(ends, time.Now())
			return false, errDown
		case 3:
			m.publish(func(u *testUpdate) { *u = testUpdate{Data: 3, State: Live} })
			ends = append(ends, time.Now())
			return true, errDown
		}
		m.publish(func(u *testUpdate) { *u = testUpdate{Data: attempt, State: Live} })
		<-ctx.Done()
		return false, ctx.Err()
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	done := make(chan struct{})
	go func() { m.run(ctx, log, "test", b, stream); close(done) }()

	var states []testUpdate
	for seq := uint64(0); ; {
		u, err := m.next(ctx, seq)
		if err != nil {
			t.Fatalf("next: %v (states so far %+v)", err, states)
		}
		seq = u.Seq
		states = append(states, u)
		if u.Data == 4 {
			break
		}
	}
	cancel()
	<-done
	if _, err := m.next(context.Background(), m.current().Seq); !errors.Is(err, context.Canceled) {
		t.Errorf("next after run returned: %v; want context.Canceled", err)
	}

	// Losses: after attempts 1, 2 (nothing synced) and 3 (synced, N 3 kept).
	var lost []testUpdate
	for _, u := range states {
		if u.State == Reconnecting {
			lost = append(lost, u)
		}
	}
	if len(lost) != 3 {
		t.Fatalf("got %d Reconnecting states; want 3: %+v", len(lost), states)
	}
	for i, u := range lost {
		if !errors.Is(u.Err, errDown) || u.RetryAt.IsZero() {
			t.Errorf("loss %d = %+v; want Err %v and a RetryAt", i, u, errDown)
		}
	}
	if lost[2].Data != 3 {
		t.Errorf("after the synced attempt failed, N = %d; want the synced data (3) kept", lost[2].Data)
	}
	// Waits, as RetryAt announces them: min, then doubled but capped at
	// max, then min again because attempt 3 synced. The slack covers only
	// the few instructions between a failure and its announcement.
	wants := []time.Duration{b.min, b.max, b.min}
	for i, want := range wants {
		if got := lost[i].RetryAt.Sub(ends[i]); got < want || got >= want+50*time.Millisecond {
			t.Errorf("wait after attempt %d = %v; want %v", i+1, got, want)
		}
	}
}
