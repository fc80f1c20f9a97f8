package history

import (
	"slices"
	"testing"
)

func TestSummarize(t *testing.T) {
	seq := func(n int) []float64 { // n, n-1, ..., 1: Summarize sorts
		var out []float64
		for i := n; i >= 1; i-- {
			out = append(out, float64(i))
		}
		return out
	}
	tests := []struct {
		in   []float64
		want Stats
	}{
		{nil, Stats{}},
		{[]float64{7}, Stats{Count: 1, Median: 7, P95: 7, Max: 7}},
		{[]float64{3, 1}, Stats{Count: 2, Median: 2, P95: 3, Max: 3}},
		{[]float64{5, 1, 3}, Stats{Count: 3, Median: 3, P95: 5, Max: 5}},
		// ⌈0.95 × 19⌉ = 19: with fewer than 20 samples p95 is the max.
		{seq(19), Stats{Count: 19, Median: 10, P95: 19, Max: 19}},
		// ⌈0.95 × 20⌉ = 19: the 19th of 20, not interpolated.
		{seq(20), Stats{Count: 20, Median: 10.5, P95: 19, Max: 20}},
		// ⌈0.95 × 21⌉ = 20.
		{seq(21), Stats{Count: 21, Median: 11, P95: 20, Max: 21}},
		{seq(100), Stats{Count: 100, Median: 50.5, P95: 95, Max: 100}},
		{[]float64{12.5, 12.5, 40, 12.5}, Stats{Count: 4, Median: 12.5, P95: 40, Max: 40}},
	}
	for _, tt := range tests {
		in := slices.Clone(tt.in)
		if got := Summarize(tt.in); got != tt.want {
			t.Errorf("Summarize(%v) = %+v; want %+v", in, got, tt.want)
		}
		if !slices.Equal(in, tt.in) {
			t.Errorf("Summarize changed its input: %v; was %v", tt.in, in)
		}
	}
}

func TestPercentile(t *testing.T) {
	s := []float64{10, 20, 30, 40, 50}
	tests := []struct {
		p    float64
		want float64
	}{{1, 10}, {20, 10}, {21, 20}, {50, 30}, {80, 40}, {81, 50}, {95, 50}, {100, 50}}
	for _, tt := range tests {
		if got := Percentile(s, tt.p); got != tt.want {
			t.Errorf("Percentile(%v, %v) = %v; want %v", s, tt.p, got, tt.want)
		}
	}
}
