package gcpolicy

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// gcSettings reads the collector's percent and memory limit without
// changing them.
func gcSettings() (percent int, limit int64) {
	percent = debug.SetGCPercent(-1)
	debug.SetGCPercent(percent)
	return percent, debug.SetMemoryLimit(-1) // a negative limit reads it
}

// TestPauseHoldsTheCollectorOffUntilResumed: between Start and resume the
// collector is off, bounded by the limit; resume restores what was set,
// and a second resume changes nothing.
func TestPauseHoldsTheCollectorOffUntilResumed(t *testing.T) {
	percent, limit := gcSettings()
	resume := Pause(256<<20, time.Hour, func(string) (string, bool) { return "", false })
	if p, l := gcSettings(); p != -1 || l != 256<<20 {
		t.Errorf("after Pause: GC percent %d, memory limit %d; want off (-1), bounded by %d", p, l, 256<<20)
	}
	resume()
	if p, l := gcSettings(); p != percent || l != limit {
		t.Errorf("after resume: GC percent %d, memory limit %d; want %d and %d as before", p, l, percent, limit)
	}
	debug.SetGCPercent(percent + 1)
	defer debug.SetGCPercent(percent)
	resume()
	if p, _ := gcSettings(); p != percent+1 {
		t.Errorf("a second resume set the GC percent to %d; want it left at %d", p, percent+1)
	}
}

// TestPauseAndBudgetLeaveTheUsersSettings: with GOGC or GOMEMLIMIT in the
// environment, Pause and Budget change nothing.
func TestPauseAndBudgetLeaveTheUsersSettings(t *testing.T) {
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(env, func(t *testing.T) {
			percent, limit := gcSettings()
			lookup := func(k string) (string, bool) { return "200", k == env }
			resume := Pause(256<<20, time.Hour, lookup)
			if p, l := gcSettings(); p != percent || l != limit {
				t.Errorf("with %s set, after Pause: GC percent %d, memory limit %d; want %d and %d untouched", env, p, l, percent, limit)
			}
			resume()
			Budget(2<<30, lookup)
			if p, l := gcSettings(); p != percent || l != limit {
				t.Errorf("with %s set, after Budget: GC percent %d, memory limit %d; want %d and %d untouched", env, p, l, percent, limit)
			}
		})
	}
}

// TestBudgetCollectsAtTheBudgetOrTwiceTheHeap: the collector runs only
// at the memory limit, which is the budget, or twice the heap in use if
// that is more, so that a heap larger than the budget is not collected
// without end.
func TestBudgetCollectsAtTheBudgetOrTwiceTheHeap(t *testing.T) {
	percent, limit := gcSettings()
	defer func() { debug.SetGCPercent(percent); debug.SetMemoryLimit(limit) }()
	none := func(string) (string, bool) { return "", false }
	Budget(4<<30, none)
	if p, l := gcSettings(); p != -1 || l != 4<<30 {
		t.Errorf("Budget(4 GiB): GC percent %d, memory limit %d; want off (-1), collected at 4 GiB", p, l)
	}
	Budget(1, none)
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	if _, l := gcSettings(); l < int64(m.HeapAlloc) {
		t.Errorf("Budget(1 byte) with %d bytes of heap: memory limit %d; want twice the heap, not below it", m.HeapAlloc, l)
	}
}

// TestPauseEndsWithinItsBound: a pause whose resume is never called ends
// by itself once its time is up.
func TestPauseEndsWithinItsBound(t *testing.T) {
	percent, limit := gcSettings()
	Pause(256<<20, time.Millisecond, func(string) (string, bool) { return "", false })
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if p, l := gcSettings(); p == percent && l == limit {
			return
		}
	}
	p, l := gcSettings()
	t.Errorf("10 s after a pause bounded to 1 ms: GC percent %d, memory limit %d; want %d and %d as before", p, l, percent, limit)
}

// sink keeps the last allocation of garbage reachable until the next.
var sink []byte

// garbage allocates about n bytes and drops them.
func garbage(n int) {
	for ; n > 0; n -= 1 << 20 {
		sink = make([]byte, 1<<20)
	}
	sink = nil
}

// TestTidyCollectsPastHalfTheRoom: after Budget, tidy collects only once
// the garbage is past half the room between the live heap and the
// budget; with the user's settings it never does.
func TestTidyCollectsPastHalfTheRoom(t *testing.T) {
	percent, limit := gcSettings()
	defer func() { debug.SetGCPercent(percent); debug.SetMemoryLimit(limit) }()
	runtime.GC()
	none := func(string) (string, bool) { return "", false }
	tidy := Budget(512<<20, none)
	collections := func() uint32 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.NumGC
	}

	before := collections()
	garbage(64 << 20)
	tidy()
	time.Sleep(100 * time.Millisecond) // a collection it started would be under way
	if n := collections(); n != before {
		t.Errorf("tidy with 64 MiB of garbage under a 512 MiB budget: %d collections; want none", n-before)
	}

	garbage(256 << 20)
	tidy()
	for deadline := time.Now().Add(30 * time.Second); collections() == before; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("tidy with 320 MiB of garbage under a 512 MiB budget did not collect")
		}
	}

	userTidy := Budget(512<<20, func(k string) (string, bool) { return "100", k == "GOGC" })
	debug.SetGCPercent(-1)
	before = collections()
	garbage(320 << 20)
	userTidy()
	time.Sleep(100 * time.Millisecond)
	if n := collections(); n != before {
		t.Errorf("with GOGC set, tidy collected %d times; want never", n-before)
	}
}
