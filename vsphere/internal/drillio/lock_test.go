package drillio

import (
	"testing"
	"time"
)

func TestLockDescribe(t *testing.T) {
	now := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		expires time.Time
		want    string
	}{
		{now.Add(90 * time.Second), "nightly (vtui on ci-7, pid 42), until 2026-12-07T03:01:30Z (expires in 1m30s)"},
		{now.Add(-4 * time.Minute), "nightly (vtui on ci-7, pid 42), until 2026-12-07T02:56:00Z (expired 4m0s ago)"},
	} {
		l := Lock{Holder: "nightly (vtui on ci-7, pid 42)", Expires: tt.expires}
		if got := l.Describe(now); got != tt.want {
			t.Errorf("Describe(%s) = %q; want %q", tt.expires, got, tt.want)
		}
	}
}
