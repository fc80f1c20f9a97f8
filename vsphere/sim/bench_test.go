package sim

import (
	"bufio"
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkStartLarge measures Start on the large preset (1,000 hosts,
// 10,000 VMs), reporting the live heap of a built server and the process's
// peak RSS.
//
//	go test -run '^$' -bench StartLarge -benchtime 1x ./vsphere/sim/
func BenchmarkStartLarge(b *testing.B) {
	spec, err := Preset("large")
	if err != nil {
		b.Fatal(err)
	}
	var heap uint64
	for b.Loop() {
		s, err := Start(context.Background(), spec, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap = max(heap, ms.HeapAlloc)
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(heap)/(1<<20), "heap-MB")
	if kb, ok := peakRSSKiB(); ok {
		b.ReportMetric(float64(kb)/1024, "peak-RSS-MB")
	}
}

// peakRSSKiB reads VmHWM, the peak resident set size, on Linux.
func peakRSSKiB() (int64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb, err == nil
		}
	}
	return 0, false
}
