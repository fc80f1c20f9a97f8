package vsphere

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"

	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/conntest"
)

// mean returns the average of s's values.
func mean(s Series) float64 {
	sum := 0.0
	for _, v := range s.Values() {
		sum += v
	}
	return sum / float64(len(s.Samples))
}

// seriesOf returns the series of counter in ss.
func seriesOf(t *testing.T, ss []Series, counter string) Series {
	t.Helper()
	for _, s := range ss {
		if s.Counter == counter {
			return s
		}
	}
	t.Fatalf("no %s series in %v", counter, ss)
	return Series{}
}

// checkSeries fails unless every series has n samples, oldest first,
// period apart.
func checkSeries(t *testing.T, what string, ss []Series, n int, period time.Duration) {
	t.Helper()
	for _, s := range ss {
		if len(s.Samples) != n {
			t.Errorf("%s %s: %d samples; want %d", what, s.Counter, len(s.Samples), n)
			continue
		}
		for i := 1; i < len(s.Samples); i++ {
			if d := s.Samples[i].Time.Sub(s.Samples[i-1].Time); d != period {
				t.Errorf("%s %s: samples %d and %d are %v apart; want %v, oldest first", what, s.Counter, i-1, i, d, period)
				break
			}
		}
	}
}

// TestMetricsFollowQuickStats: on vtui's simulator a running VM's and a
// host's samples lie around their quick stats (CPU use, active memory),
// a powered-off VM's are all zero, they come oldest first at the
// interval's period, and the same question gets the same answer.
func TestMetricsFollowQuickStats(t *testing.T) {
	c, _ := connectSim(t, "small")
	ctx := context.Background()
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var on, off VM
	for _, v := range inv.VMs {
		switch {
		case v.PowerState == "poweredOn" && on.Name == "":
			on = v
		case v.PowerState == "poweredOff" && off.Name == "":
			off = v
		}
	}
	host, err := inv.HostNamed(on.Host)
	if err != nil {
		t.Fatal(err)
	}
	q := MetricsQuery{Samples: 30}
	got, err := c.Metrics(ctx, []Ref{on.Ref, off.Ref, host.Ref}, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d entities' series; want 3", len(got))
	}
	for i, what := range []string{on.Name, off.Name, host.Name} {
		if len(got[i]) != len(Counters) {
			t.Errorf("%s: %d series; want one per counter, %d", what, len(got[i]), len(Counters))
		}
		checkSeries(t, what, got[i], 30, 20*time.Second)
	}

	within := func(what string, s Series, want float64) {
		t.Helper()
		if m := mean(s); math.Abs(m-want) > 0.2*want || want == 0 {
			t.Errorf("%s %s: mean %.2f %s; want within 20%% of %.2f", what, s.Counter, m, s.Unit, want)
		}
	}
	within(on.Name, seriesOf(t, got[0], "mem.active"), float64(on.MemoryUsageMB))
	within(host.Name, seriesOf(t, got[2], "cpu.usage"), float64(host.CPUUsageMHz)/float64(host.CPUMHz)*100)
	for _, counter := range []string{"cpu.usage", "cpu.ready", "disk.latency", "net.usage"} {
		if s := seriesOf(t, got[0], counter); mean(s) <= 0 {
			t.Errorf("%s %s: mean %v; want above zero for a running VM", on.Name, counter, mean(s))
		}
	}
	for _, s := range got[1] {
		for _, p := range s.Samples {
			if p.Value != 0 {
				t.Errorf("%s (powered off) %s: %v at %v; want 0", off.Name, s.Counter, p.Value, p.Time)
				break
			}
		}
	}

	again, err := c.Metrics(ctx, []Ref{on.Ref}, q)
	if err != nil {
		t.Fatal(err)
	}
	// Compare the samples both answers hold (a 20 s boundary may pass between).
	a, b := seriesOf(t, got[0], "cpu.usage"), seriesOf(t, again[0], "cpu.usage")
	at := map[time.Time]float64{}
	for _, p := range a.Samples {
		at[p.Time] = p.Value
	}
	for _, p := range b.Samples {
		if v, ok := at[p.Time]; ok && v != p.Value {
			t.Errorf("%s cpu.usage at %v: %v, then %v; want the same sample", on.Name, p.Time, v, p.Value)
		}
	}
}

// TestMetricsHistoricalIntervals: day and week read their 5- and
// 30-minute samples, as many as asked.
func TestMetricsHistoricalIntervals(t *testing.T) {
	c, _ := connectSim(t, "small")
	ctx := context.Background()
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, iv := range []struct {
		interval Interval
		period   time.Duration
	}{{Day, 5 * time.Minute}, {Week, 30 * time.Minute}} {
		got, err := c.Metrics(ctx, []Ref{inv.Hosts[0].Ref}, MetricsQuery{Interval: iv.interval, Samples: 12, Counters: []string{"cpu.usage", "net.usage"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(got[0]) != 2 || got[0][0].Counter != "cpu.usage" || got[0][1].Counter != "net.usage" {
			t.Fatalf("%s: series %v; want cpu.usage and net.usage, in that order", iv.interval, got[0])
		}
		checkSeries(t, string(iv.interval), got[0], 12, iv.period)
	}
}

// TestMetricsBatchesAndCachesCounters: 120 entities take three QueryPerf
// calls of at most 50 entities, the counter table is read once per
// client, and a query asks only for the counters it shows.
func TestMetricsBatchesAndCachesCounters(t *testing.T) {
	c, _ := connectSim(t, "demo")
	ctx := context.Background()
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var refs []Ref
	for _, v := range inv.VMs {
		refs = append(refs, v.Ref)
	}
	for _, h := range inv.Hosts {
		refs = append(refs, h.Ref)
	}
	for len(refs) < 120 { // the same entities again count as others
		refs = append(refs, refs[:min(len(refs), 120-len(refs))]...)
	}
	rec := conntest.Record(c.conn)
	spy := &perfSpy{rt: conn.VIM(c.conn).RoundTripper}
	conn.VIM(c.conn).RoundTripper = spy
	got, err := c.Metrics(ctx, refs, MetricsQuery{Counters: []string{"cpu.usage"}, Samples: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 120 {
		t.Fatalf("%d entities' series; want 120", len(got))
	}
	if _, err := c.Metrics(ctx, refs[:2], MetricsQuery{Counters: []string{"mem.active", "cpu.ready"}, Samples: 3}); err != nil {
		t.Fatal(err)
	}
	perf := rec.Sent(func(m string) bool { return strings.HasPrefix(m, "QueryPerf") || m == "RetrievePropertiesEx" })
	want := []string{"RetrievePropertiesEx", "QueryPerf", "QueryPerf", "QueryPerf", "QueryPerf"}
	if !reflect.DeepEqual(perf, want) {
		t.Errorf("sent %v; want %v (the counter table once, then 3 batches and 1)", perf, want)
	}
	if want := [][]int32{{50, 2}, {50, 2}, {20, 2}, {2, 33, 12}}; !reflect.DeepEqual(spy.asked, want) {
		t.Errorf("QueryPerf calls (entities, counter IDs...) = %v; want %v", spy.asked, want)
	}
}

// perfSpy records, for each QueryPerf, how many entities it asks about
// and the counter IDs of its first spec.
type perfSpy struct {
	rt    soap.RoundTripper
	asked [][]int32
}

func (s *perfSpy) RoundTrip(ctx context.Context, req, res soap.HasFault) error {
	if b, ok := req.(*methods.QueryPerfBody); ok {
		call := []int32{int32(len(b.Req.QuerySpec))}
		for _, id := range b.Req.QuerySpec[0].MetricId {
			call = append(call, id.CounterId)
		}
		s.asked = append(s.asked, call)
	}
	return s.rt.RoundTrip(ctx, req, res)
}

// TestMetricsOnPlainVcsim: plain vcsim's samples (newest first, random)
// come out oldest first, as many as asked, for hosts and VMs.
func TestMetricsOnPlainVcsim(t *testing.T) {
	c := plainVcsim(t)
	ctx := context.Background()
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Metrics(ctx, []Ref{inv.VMs[0].Ref, inv.Hosts[0].Ref}, MetricsQuery{Samples: 10})
	if err != nil {
		t.Fatal(err)
	}
	for i, ss := range got {
		checkSeries(t, fmt.Sprint("entity ", i), ss, 10, 20*time.Second)
		if mean(seriesOf(t, ss, "cpu.usage")) <= 0 {
			t.Errorf("entity %d: cpu.usage all zero; want vcsim's samples", i)
		}
	}
}

// TestMetricsQueryRefusesBadNames: an unknown counter or interval, or a
// sample count out of range, is bad input that lists what is valid, and
// nothing is sent.
func TestMetricsQueryRefusesBadNames(t *testing.T) {
	for _, tc := range []struct {
		q    MetricsQuery
		want string
	}{
		{MetricsQuery{Counters: []string{"cpu.usage", "cpu.nope"}}, `counter "cpu.nope": bad metrics query: valid counters are cpu.usage, cpu.ready, mem.active, mem.balloon, disk.latency, net.usage`},
		{MetricsQuery{Interval: "month"}, `interval "month": bad metrics query: valid intervals are realtime, day, week`},
		{MetricsQuery{Samples: 337}, `samples 337: bad metrics query: between 1 and 336`},
	} {
		err := tc.q.Validate()
		if err == nil || err.Error() != tc.want || !errors.Is(err, ErrBadMetricsQuery) {
			t.Errorf("Validate(%+v) = %v; want %s", tc.q, err, tc.want)
		}
		var nilClient *Client // nothing may be sent: a nil client would panic
		if _, err := nilClient.Metrics(context.Background(), nil, tc.q); !errors.Is(err, ErrBadMetricsQuery) {
			t.Errorf("Metrics(%+v) = %v; want the same refusal", tc.q, err)
		}
	}
}

// TestMetricsOfACrashedHostAreZero: once a host crashes (cluster-b has
// no HA, so its VMs stay on it), the newest samples of the host and of
// a VM that ran on it are zero: nothing reports for them.
func TestMetricsOfACrashedHostAreZero(t *testing.T) {
	c, srv := connectSim(t, "small")
	ctx := context.Background()
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var vm VM
	for _, v := range inv.VMs {
		if v.Cluster == "cluster-b" && v.PowerState == "poweredOn" {
			vm = v
			break
		}
	}
	host, err := inv.HostNamed(vm.Host)
	if err != nil {
		t.Fatal(err)
	}
	q := MetricsQuery{Samples: 1, Counters: []string{"cpu.usage", "mem.active"}}
	latest := func() []float64 {
		got, err := c.Metrics(ctx, []Ref{vm.Ref, host.Ref}, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []float64
		for _, ss := range got {
			for _, s := range ss {
				v, _ := s.Latest()
				out = append(out, v)
			}
		}
		return out
	}
	for i, v := range latest() {
		if v == 0 {
			t.Errorf("before the crash, value %d of %s and %s is 0; want above 0", i, vm.Name, host.Name)
		}
	}
	if err := srv.CrashHost(host.Name); err != nil {
		t.Fatal(err)
	}
	if got := latest(); !slices.Equal(got, []float64{0, 0, 0, 0}) {
		t.Errorf("after the crash, %s's and %s's cpu.usage and mem.active = %v; want all 0", vm.Name, host.Name, got)
	}
}
