package gcpause

import (
	"runtime/debug"
	"testing"
)

// gcSettings reads the collector's percent and memory limit without
// changing them.
func gcSettings() (percent int, limit int64) {
	percent = debug.SetGCPercent(-1)
	debug.SetGCPercent(percent)
	return percent, debug.SetMemoryLimit(-1) // a negative limit reads it
}

// TestStartHoldsTheCollectorOffUntilResumed: between Start and resume the
// collector is off, bounded by the limit; resume restores what was set,
// and a second resume changes nothing.
func TestStartHoldsTheCollectorOffUntilResumed(t *testing.T) {
	percent, limit := gcSettings()
	resume := Start(256<<20, func(string) (string, bool) { return "", false })
	if p, l := gcSettings(); p != -1 || l != 256<<20 {
		t.Errorf("after Start: GC percent %d, memory limit %d; want off (-1), bounded by %d", p, l, 256<<20)
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

// TestStartLeavesTheUsersSettings: with GOGC or GOMEMLIMIT in the
// environment, Start changes nothing.
func TestStartLeavesTheUsersSettings(t *testing.T) {
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(env, func(t *testing.T) {
			percent, limit := gcSettings()
			resume := Start(256<<20, func(k string) (string, bool) { return "200", k == env })
			if p, l := gcSettings(); p != percent || l != limit {
				t.Errorf("with %s set: GC percent %d, memory limit %d; want %d and %d untouched", env, p, l, percent, limit)
			}
			resume()
		})
	}
}
