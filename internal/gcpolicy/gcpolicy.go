// Package gcpolicy tunes the garbage collector of vtui's processes where
// its default costs what users wait for: it is held off through the
// terminal UI's first screen (Pause), and the simulator collects against
// a memory budget, and between its bursts of work (Budget). Where the
// environment sets GOGC or GOMEMLIMIT, the user's choice stands and
// nothing is changed.
package gcpolicy

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// Pause turns the collector off until the returned resume is called or
// for at most within, bounded by limit: a heap that reaches limit bytes
// is collected as the runtime's memory limit has it. (Without the time
// bound, a process whose first screen never came, and whose heap grew
// past limit, would collect without end.) resume restores what was set
// before; it may be called more than once, from any goroutine. It is for a burst
// of allocation that leaves little garbage: at 45,000 VMs, the
// collections of a heap growing from nothing to 50 MB cost the terminal
// UI's first screen a fifth of its time (0.8 s against 0.6 s, on 2 busy
// cores). lookupEnv reads the environment (see the package doc).
func Pause(limit int64, within time.Duration, lookupEnv func(string) (string, bool)) (resume func()) {
	if userSet(lookupEnv) {
		return func() {}
	}
	percent := debug.SetGCPercent(-1)
	memLimit := debug.SetMemoryLimit(limit)
	var once sync.Once
	resume = func() {
		once.Do(func() {
			debug.SetMemoryLimit(memLimit)
			debug.SetGCPercent(percent)
		})
	}
	time.AfterFunc(within, resume)
	return resume
}

// Budget has the collector run only when the heap reaches budget bytes,
// or twice the heap in use now if that is more, rather than each time the
// heap doubles: for a process that holds a large, long-lived heap and
// allocates in bursts, such as the simulator, whose every collection
// marks its whole inventory (at 45,000 VMs, 0.6 to 0.8 GB and 2.4 s of
// CPU). Call it once the long-lived heap is built and collected.
// lookupEnv reads the environment (see the package doc).
//
// It returns tidy, for the process to call when a burst ends: tidy
// collects at once if the burst's garbage has used more than half the
// heap's room below the budget, so that the collection the next burst would
// otherwise meet midway (one client's load in two or three, at 45,000
// VMs) comes between them. tidy returns at once; the collection runs in
// the background, one at a time. With the user's settings, or before
// Budget, it does nothing.
func Budget(budget int64, lookupEnv func(string) (string, bool)) (tidy func()) {
	if userSet(lookupEnv) {
		return func() {}
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	debug.SetMemoryLimit(max(budget, 2*int64(m.HeapAlloc)))
	debug.SetGCPercent(-1)
	var collecting atomic.Bool
	return func() {
		if !pastHalfTheRoom() || !collecting.CompareAndSwap(false, true) {
			return
		}
		go func() {
			defer collecting.Store(false)
			runtime.GC()
		}()
	}
}

// pastHalfTheRoom reports whether the garbage on the heap (what the last
// collection did not find live) is more than half the room between the
// live heap and the heap's goal, where the memory limit has the runtime
// collect (below the limit by what is not heap).
func pastHalfTheRoom() bool {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/goal:bytes"}}
	metrics.Read(sample)
	live, objects, goal := sample[0].Value.Uint64(), sample[1].Value.Uint64(), sample[2].Value.Uint64()
	return objects > live && goal > live && objects-live > (goal-live)/2
}

// userSet reports whether the environment sets the collector's knobs.
func userSet(lookupEnv func(string) (string, bool)) bool {
	for _, v := range []string{"GOGC", "GOMEMLIMIT"} {
		if _, set := lookupEnv(v); set {
			return true
		}
	}
	return false
}
