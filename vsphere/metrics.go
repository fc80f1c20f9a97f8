package vsphere

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/performance"
	"github.com/vmware/govmomi/vim25/types"
)

// Performance charts read PerformanceManager.QueryPerf: the counters'
// IDs are resolved once per Client (govmomi's performance.Manager caches
// the perfCounter table), each query asks only for the counters a caller
// shows, for the entities' aggregate instance, and at most
// MaxMetricEntities entities go in one call, as VMware's guidance on
// QueryPerf says.

// MaxMetricEntities is the most entities one QueryPerf call asks about.
const MaxMetricEntities = 50

// ErrBadMetricsQuery is wrapped by the errors of a counter or interval
// name that does not exist: bad input, nothing was sent.
var ErrBadMetricsQuery = errors.New("bad metrics query")

// Counter is a performance counter vtui charts, in the unit it shows.
type Counter struct {
	// Name is vtui's name for it, a stable contract: "cpu.usage".
	Name string
	// Title is what a chart is headed with: "CPU usage".
	Title string
	// Unit is the unit of the values: "%", "ms", "MB" or "KB/s".
	Unit string
	// vcName is vCenter's counter, group.name.rollup.
	vcName string
	// convert turns a raw value of a sample of interval seconds into Unit.
	convert func(raw int64, interval int32) float64
}

// Counters are the counters vtui charts, in the order it shows them.
// CPU ready is the share of the interval the entity's vCPUs spent ready
// to run but waiting for a physical CPU, summed over its vCPUs (VMware
// KB 2002181: ms / (interval s × 1000) × 100); memory figures are in MB
// of their KB counters; network is received plus transmitted.
var Counters = []Counter{
	{Name: "cpu.usage", Title: "CPU usage", Unit: "%", vcName: "cpu.usage.average",
		convert: func(v int64, _ int32) float64 { return float64(v) / 100 }},
	{Name: "cpu.ready", Title: "CPU ready", Unit: "%", vcName: "cpu.ready.summation",
		convert: func(v int64, iv int32) float64 { return float64(v) / (float64(iv) * 1000) * 100 }},
	{Name: "mem.active", Title: "memory active", Unit: "MB", vcName: "mem.active.average",
		convert: func(v int64, _ int32) float64 { return float64(v) / 1024 }},
	{Name: "mem.balloon", Title: "memory ballooned", Unit: "MB", vcName: "mem.vmmemctl.average",
		convert: func(v int64, _ int32) float64 { return float64(v) / 1024 }},
	{Name: "disk.latency", Title: "disk latency", Unit: "ms", vcName: "disk.maxTotalLatency.latest",
		convert: func(v int64, _ int32) float64 { return float64(v) }},
	{Name: "net.usage", Title: "network", Unit: "KB/s", vcName: "net.usage.average",
		convert: func(v int64, _ int32) float64 { return float64(v) }},
}

// CounterNames returns the names of Counters, in order.
func CounterNames() []string {
	out := make([]string, len(Counters))
	for i, c := range Counters {
		out[i] = c.Name
	}
	return out
}

// CounterNamed returns the counter called name; the error for another
// name wraps ErrBadMetricsQuery and lists the valid ones.
func CounterNamed(name string) (Counter, error) {
	for _, c := range Counters {
		if c.Name == name {
			return c, nil
		}
	}
	return Counter{}, fmt.Errorf("counter %q: %w: valid counters are %s", name, ErrBadMetricsQuery, strings.Join(CounterNames(), ", "))
}

// Interval is a span of samples: vCenter's real-time statistics or one
// of its historical intervals.
type Interval string

// The intervals, with vCenter's sampling periods.
const (
	// Realtime is the hosts' 20-second samples of the last hour.
	Realtime Interval = "realtime"
	// Day is the past day's 5-minute samples.
	Day Interval = "day"
	// Week is the past week's 30-minute samples.
	Week Interval = "week"
)

// Intervals are the valid intervals, shortest first.
var Intervals = []Interval{Realtime, Day, Week}

// ParseInterval returns the interval called s; the error for another name
// wraps ErrBadMetricsQuery and lists the valid ones.
func ParseInterval(s string) (Interval, error) {
	if slices.Contains(Intervals, Interval(s)) {
		return Interval(s), nil
	}
	return "", fmt.Errorf("interval %q: %w: valid intervals are realtime, day, week", s, ErrBadMetricsQuery)
}

// Seconds returns the interval's sampling period, its QueryPerf intervalId.
func (i Interval) Seconds() int32 {
	switch i {
	case Day:
		return 300
	case Week:
		return 1800
	}
	return 20
}

// MetricsQuery says which samples Metrics reads.
type MetricsQuery struct {
	// Counters are vtui's counter names; none means all of Counters.
	Counters []string
	// Interval is the span; "" means Realtime.
	Interval Interval
	// Samples is how many of the newest samples to read; 0 or less means
	// DefaultSamples.
	Samples int
}

// DefaultSamples is how many samples a query reads unless told: the last
// 20 minutes of real-time statistics.
const DefaultSamples = 60

// MaxSamples is the most samples a query reads: the past week's
// 30-minute samples, the most an interval keeps (the real-time one keeps
// an hour, 180, and the past day 288).
const MaxSamples = 336

// Sample is one value at the end of its sampling period.
type Sample struct {
	Time  time.Time `json:"time" yaml:"time"`
	Value float64   `json:"value" yaml:"value"`
}

// Series is one counter's samples, oldest first.
type Series struct {
	Counter string   `json:"counter" yaml:"counter"`
	Title   string   `json:"title" yaml:"title"`
	Unit    string   `json:"unit" yaml:"unit"`
	Samples []Sample `json:"samples" yaml:"samples"`
}

// Latest returns the newest sample's value and whether there is one.
func (s Series) Latest() (float64, bool) {
	if len(s.Samples) == 0 {
		return 0, false
	}
	return s.Samples[len(s.Samples)-1].Value, true
}

// Range returns the lowest, the average and the highest value, and
// whether there is any.
func (s Series) Range() (lo, avg, hi float64, ok bool) {
	if len(s.Samples) == 0 {
		return 0, 0, 0, false
	}
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, p := range s.Samples {
		lo, hi, avg = min(lo, p.Value), max(hi, p.Value), avg+p.Value
	}
	return lo, avg / float64(len(s.Samples)), hi, true
}

// Values returns the samples' values, oldest first.
func (s Series) Values() []float64 {
	out := make([]float64, len(s.Samples))
	for i, p := range s.Samples {
		out[i] = p.Value
	}
	return out
}

// counters resolves q's counter names; it is where bad names are refused.
func (q MetricsQuery) counters() ([]Counter, error) {
	if len(q.Counters) == 0 {
		return Counters, nil
	}
	var out []Counter
	for _, name := range q.Counters {
		c, err := CounterNamed(name)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(out, func(o Counter) bool { return o.Name == c.Name }) {
			out = append(out, c)
		}
	}
	return out, nil
}

// Validate refuses a query with an unknown counter or interval, or a
// negative or too large sample count.
func (q MetricsQuery) Validate() error {
	if _, err := q.counters(); err != nil {
		return err
	}
	if q.Interval != "" {
		if _, err := ParseInterval(string(q.Interval)); err != nil {
			return err
		}
	}
	if q.Samples < 0 || q.Samples > MaxSamples {
		return fmt.Errorf("samples %d: %w: between 1 and %d", q.Samples, ErrBadMetricsQuery, MaxSamples)
	}
	return nil
}

// perfManager returns the client's performance manager, made once, so
// that its counter table is read once per session.
func (c *Client) perfManager() *performance.Manager {
	c.perfOnce.Do(func() { c.perf = performance.NewManager(c.vim) })
	return c.perf
}

// Metrics reads q's samples of each entity (hosts and VMs), and returns
// their series in the order of entities, each with one Series per counter
// of q, in the order of q.Counters (an entity vCenter has no samples of
// gets series without samples). Entities go to vCenter
// MaxMetricEntities at a time.
func (c *Client) Metrics(ctx context.Context, entities []Ref, q MetricsQuery) ([][]Series, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	counters, _ := q.counters()
	if q.Interval == "" {
		q.Interval = Realtime
	}
	if q.Samples == 0 {
		q.Samples = DefaultSamples
	}
	pm := c.perfManager()
	byName, err := pm.CounterInfoByName(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the performance counters of %s: %w", c.Host(), err)
	}
	names := make([]string, len(counters))
	keys := make([]int32, len(counters)) // keys[i] is counters[i]'s ID
	for i, ct := range counters {
		info, ok := byName[ct.vcName]
		if !ok {
			return nil, fmt.Errorf("read metrics from %s: vCenter has no counter %s (for %s)", c.Host(), ct.vcName, ct.Name)
		}
		names[i], keys[i] = ct.vcName, info.Key
	}
	spec := types.PerfQuerySpec{
		MaxSample:  int32(q.Samples),
		IntervalId: q.Interval.Seconds(),
		MetricId:   []types.PerfMetricId{{Instance: ""}}, // the entity's aggregate
		// CSV keeps zeros that the normal format loses on vcsim (sim/perf.go)
		Format: string(types.PerfFormatCsv),
	}
	out := make([][]Series, 0, len(entities))
	for batch := range slices.Chunk(entities, MaxMetricEntities) {
		refs := make([]types.ManagedObjectReference, len(batch))
		for i, r := range batch {
			refs[i] = types.ManagedObjectReference{Type: r.Type, Value: r.Value}
		}
		res, err := pm.SampleByName(ctx, spec, names, refs)
		if err != nil {
			return nil, fmt.Errorf("read %s metrics from %s: %w", q.Interval, c.Host(), err)
		}
		got := map[Ref]rawSamples{}
		for _, r := range res {
			ref, raw, err := rawOf(r)
			if err != nil {
				return nil, fmt.Errorf("read %s metrics from %s: %w", q.Interval, c.Host(), err)
			}
			got[ref] = raw
		}
		for _, r := range batch {
			out = append(out, toSeries(got[r], counters, keys, q.Samples))
		}
	}
	return out, nil
}

// rawSamples is one entity's answer: its samples' times and periods, and
// the aggregate instance's raw values by counter ID (-1 for none).
type rawSamples struct {
	info   []types.PerfSampleInfo
	values map[int32][]int64
}

// rawOf reads one entity's answer, in the CSV format asked for or the
// normal one (which a server may answer with anyway).
func rawOf(b types.BasePerfEntityMetricBase) (Ref, rawSamples, error) {
	raw := rawSamples{values: map[int32][]int64{}}
	switch m := b.(type) {
	case *types.PerfEntityMetric:
		raw.info = m.SampleInfo
		for _, v := range m.Value {
			if s, ok := v.(*types.PerfMetricIntSeries); ok && s.Id.Instance == "" {
				raw.values[s.Id.CounterId] = s.Value
			}
		}
		return Ref{Type: m.Entity.Type, Value: m.Entity.Value}, raw, nil
	case *types.PerfEntityMetricCSV:
		ref := Ref{Type: m.Entity.Type, Value: m.Entity.Value}
		fields := splitCSV(m.SampleInfoCSV)
		for i := 0; i+1 < len(fields); i += 2 {
			iv, err := strconv.ParseInt(fields[i], 10, 32)
			if err != nil {
				return ref, raw, fmt.Errorf("%s: sample interval %q: %w", ref, fields[i], err)
			}
			t, err := time.Parse(time.RFC3339, fields[i+1])
			if err != nil {
				return ref, raw, fmt.Errorf("%s: sample time %q: %w", ref, fields[i+1], err)
			}
			raw.info = append(raw.info, types.PerfSampleInfo{Interval: int32(iv), Timestamp: t})
		}
		for _, s := range m.Value {
			if s.Id.Instance != "" {
				continue
			}
			var vals []int64
			for _, f := range splitCSV(s.Value) {
				v, err := strconv.ParseInt(f, 10, 64)
				if err != nil {
					v = -1 // no value
				}
				vals = append(vals, v)
			}
			raw.values[s.Id.CounterId] = vals
		}
		return ref, raw, nil
	}
	return Ref{}, raw, fmt.Errorf("unexpected answer %T", b)
}

// splitCSV splits s at commas; "" has no fields.
func splitCSV(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// toSeries converts one entity's samples (none for an entity vCenter
// left out) into a Series per counter, oldest first whatever order they
// came in (vcsim sends them newest first), at most n of the newest.
func toSeries(raw rawSamples, counters []Counter, keys []int32, n int) []Series {
	out := make([]Series, len(counters))
	for i, ct := range counters {
		out[i] = Series{Counter: ct.Name, Title: ct.Title, Unit: ct.Unit}
	}
	order := make([]int, len(raw.info))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return raw.info[a].Timestamp.Compare(raw.info[b].Timestamp)
	})
	order = order[max(len(order)-n, 0):]
	for i, ct := range counters {
		vals := raw.values[keys[i]]
		for _, j := range order {
			if j >= len(vals) || vals[j] < 0 { // vCenter's -1: no value
				continue
			}
			info := raw.info[j]
			out[i].Samples = append(out[i].Samples, Sample{Time: info.Timestamp, Value: ct.convert(vals[j], info.Interval)})
		}
	}
	return out
}

// perfState is the Client's performance manager, made on first use.
type perfState struct {
	perfOnce sync.Once
	perf     *performance.Manager
}
