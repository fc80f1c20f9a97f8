package vspheretest

import (
	"context"
	"testing"
	"time"

	"github.com/vtui/vtui/vsphere"
)

// Next waits for the first state of s after the one numbered after that
// ok accepts, for at most two minutes (a large preset's first load
// included); it fails tb if the stream ends or the time runs out.
func Next[T any](tb testing.TB, s *vsphere.Stream[T], after uint64, ok func(vsphere.Update[T]) bool) vsphere.Update[T] {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for {
		u, err := s.Next(ctx, after)
		if err != nil {
			tb.Fatalf("waiting for the stream: %v", err)
		}
		if ok(u) {
			return u
		}
		after = u.Seq
	}
}
