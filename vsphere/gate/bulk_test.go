package gate

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestARunErrorCountsEachOutcomeAndStaysShort sums up a run of 50 changes
// of which 40 failed, 1 was cancelled and 4 ended unknown: the error
// counts each outcome as it was, and names the first three failures and
// how many more, whatever the number.
func TestARunErrorCountsEachOutcomeAndStaysShort(t *testing.T) {
	var sum Summary
	add := func(n int, st Status) {
		for range n {
			r := Result{Status: st}
			if st != StatusOK {
				r.Err = &OpError{Op: OpMigrate, Object: fmt.Sprintf("vm-%02d", len(sum.Results)), Err: errors.New(strings.Repeat("the reason why ", 5))}
			}
			sum.Results = append(sum.Results, r)
		}
	}
	add(5, StatusOK)
	add(40, StatusFailed)
	add(1, StatusCancelled)
	add(4, StatusUnknown)
	msg := sum.Err().Error()
	for _, want := range []string{"45 of 50 changes did not succeed (40 failed, 1 cancelled, 4 unknown: check vCenter's tasks): migrate vm-05: ",
		"migrate vm-07: ", "; and 42 more"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q; want it to contain %q", msg, want)
		}
	}
	if len(msg) > 600 || strings.Contains(msg, "vm-08") {
		t.Errorf("%d bytes: %q; want the first three failures and a count", len(msg), msg)
	}
}

func TestSummarize(t *testing.T) {
	for _, tt := range []struct {
		items []string
		want  string
	}{
		{nil, ""},
		{[]string{"a", "b", "c"}, "a; b; c"},
		{[]string{"a", "b", "c", "d", "e"}, "a; b; c; and 2 more"},
	} {
		if got := Summarize(tt.items, "; "); got != tt.want {
			t.Errorf("Summarize(%q) = %q; want %q", tt.items, got, tt.want)
		}
	}
}
