package history

import (
	"math"
	"slices"
)

// Stats summarizes a set of RTOs, in seconds. The zero value is no
// sample.
type Stats struct {
	// Count is the number of samples.
	Count int `json:"count" yaml:"count"`
	// Median is the middle sample, or the mean of the two middle ones
	// for an even count.
	Median float64 `json:"median" yaml:"median"`
	// P95 is the 95th percentile by the nearest-rank method: the
	// smallest sample that at least 95% of the samples do not exceed.
	// It is always one of the samples (with fewer than 20, the largest).
	P95 float64 `json:"p95" yaml:"p95"`
	Max float64 `json:"max" yaml:"max"`
}

// Summarize returns the statistics of samples; it does not change them.
func Summarize(samples []float64) Stats {
	if len(samples) == 0 {
		return Stats{}
	}
	s := slices.Sorted(slices.Values(samples))
	return Stats{Count: len(s), Median: Median(s), P95: Percentile(s, 95), Max: s[len(s)-1]}
}

// Median is the median of sorted, which must be sorted and not empty: its
// middle element, or the mean of its two middle elements.
func Median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// Percentile is the p-th percentile (0 < p <= 100) of sorted, which must
// be sorted and not empty, by the nearest-rank method: the element of
// rank ⌈p/100 × n⌉ (from 1). It never interpolates, so it is a value
// that occurred.
func Percentile(sorted []float64, p float64) float64 {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}
