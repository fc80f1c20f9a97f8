package drill

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// alive says whether the process pid still runs (a zombie does not).
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, rest, _ := strings.Cut(string(stat), ") ")
	return !strings.HasPrefix(rest, "Z") && !strings.HasPrefix(rest, "X")
}

// TestAHungCommandEndsWithEveryProcessItStarted runs commands that hang,
// or leave a process holding their output: each ends within its bound
// (plus the wait delay), and the processes it started are dead after.
func TestAHungCommandEndsWithEveryProcessItStarted(t *testing.T) {
	tests := []struct {
		name  string
		argv  []string
		bound time.Duration
	}{
		{"a child and a grandchild sleep", []string{"sh", "-c", "sleep 300 & echo $!; sleep 300"}, 300 * time.Millisecond},
		{"a grandchild holds the output", []string{"sh", "-c", "sleep 300 & echo $!"}, time.Minute},
		{"a grandchild in a shell of its own", []string{"sh", "-c", "sh -c 'sleep 300' & echo $!; wait"}, 300 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), tt.bound)
			defer cancel()
			start := time.Now()
			out, _ := runCommand(ctx, Invocation{Argv: tt.argv})
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("%q took %s; want it ended at its bound %s", tt.argv, took, tt.bound)
			}
			pid, err := strconv.Atoi(strings.TrimSpace(out))
			if err != nil {
				t.Fatalf("output %q: want the grandchild's pid", out)
			}
			deadline := time.Now().Add(5 * time.Second)
			for alive(pid) && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if alive(pid) {
				_ = syscall.Kill(pid, syscall.SIGKILL)
				t.Errorf("the grandchild %d outlived %q", pid, tt.argv)
			}
		})
	}
}
