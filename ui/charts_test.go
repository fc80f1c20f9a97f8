package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// The performance charts against the simulator: the chart view of a host
// and the small charts of the detail pane, their figures, and how they
// follow new samples.

// timers records what the App asks its timer for, instead of waiting:
// the test sends a timer's message when it wants the time to have passed.
type timers struct {
	asked []time.Duration
	msgs  []tea.Msg
}

func (tm *timers) after(d time.Duration, msg tea.Msg) tea.Cmd {
	tm.asked, tm.msgs = append(tm.asked, d), append(tm.msgs, msg)
	return nil
}

// chartApp runs the UI on a small simulator through a recorder, its
// timers recorded.
func chartApp(t *testing.T) (*loop, *vspheretest.Recorder, *timers, *vsphere.Client) {
	t.Helper()
	srv := vspheretest.Start(t, "small")
	rec := vspheretest.Record(t, srv)
	a := New(Config{Context: "lab", Contexts: []string{"lab"}, Connect: func(ctx context.Context, _, _ string) (*vsphere.Client, error) {
		return vsphere.Connect(ctx, rec.Config())
	}})
	l := run(t, a)
	tm := &timers{}
	a.after = tm.after
	l.until("the inventory to load", func() bool { return a.state == vsphere.Live && a.inv != nil })
	return l, rec, tm, vspheretest.Connect(t, srv)
}

// queryPerfs counts the QueryPerf calls recorded.
func queryPerfs(rec *vspheretest.Recorder) int {
	n := 0
	for _, m := range rec.Methods() {
		if m == "QueryPerf" {
			n++
		}
	}
	return n
}

// shown formats v as the charts do.
func shown(v float64) string {
	if v >= 100 || v == 0 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// TestChartViewShowsAndFollowsAHost: c on a host opens its chart view,
// with a chart of each counter headed by its latest, lowest, average and
// highest value, as vCenter gives them; it reads again 20 s later (the
// timer it asked for), i switches to the past day (read again every 5
// minutes), and Esc leaves it, after which its timer reads nothing.
func TestChartViewShowsAndFollowsAHost(t *testing.T) {
	l, rec, tm, own := chartApp(t)
	l.keys(":host", "<enter>", "c")
	l.until("the charts", func() bool { return strings.Contains(l.a.View(), "CPU usage (%)") })
	host := l.a.charts.Entity()
	if host.Kind != "host" || !strings.HasPrefix(host.Name, "esx-") {
		t.Fatalf("chart view of %+v; want the selected host", host)
	}
	screen := l.a.View()
	for _, want := range []string{"host " + host.Name + " · realtime, a sample every 20s", "CPU usage (%)", "CPU ready (%)",
		"memory active (MB)", "memory ballooned (MB)", "disk latency (ms)", "network (KB/s)", "i interval"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the chart view lacks %q:\n%s", want, screen)
		}
	}
	if len(tm.asked) == 0 || tm.asked[len(tm.asked)-1] != 20*time.Second {
		t.Errorf("timers asked for %v; want 20s last, to follow real-time samples", tm.asked)
	}

	// The figures are vCenter's: read the same samples around a read
	// again (r), until no sample came between.
	q := vsphere.MetricsQuery{Samples: 180}
	for try := 0; ; try++ {
		before, err := own.Metrics(context.Background(), []vsphere.Ref{host.Ref}, q)
		if err != nil {
			t.Fatal(err)
		}
		reads := queryPerfs(rec)
		l.keys("r")
		l.until("the read again", func() bool { return queryPerfs(rec) > reads && !l.a.charts.Reading() })
		after, err := own.Metrics(context.Background(), []vsphere.Ref{host.Ref}, q)
		if err != nil {
			t.Fatal(err)
		}
		b, a := before[0][0].Samples, after[0][0].Samples
		if b[len(b)-1].Time != a[len(a)-1].Time && try < 3 {
			continue // a new sample came meanwhile
		}
		screen := l.a.View()
		for _, s := range before[0] {
			v, _ := s.Latest()
			lo, avg, hi, _ := s.Range()
			want := fmt.Sprintf("%s (%s) %s · min %s avg %s max %s", s.Title, s.Unit, shown(v), shown(lo), shown(avg), shown(hi))
			if !strings.Contains(screen, want) {
				t.Errorf("the chart view lacks %q:\n%s", want, screen)
			}
		}
		break
	}

	reads := queryPerfs(rec)
	l.send(tm.msgs[len(tm.msgs)-1]) // 20 s later
	l.until("the next read", func() bool { return queryPerfs(rec) > reads && !l.a.charts.Reading() })

	l.keys("i")
	l.until("the past day", func() bool { return strings.Contains(l.a.View(), "day, a sample every 5m0s") && !l.a.charts.Reading() })
	if got := tm.asked[len(tm.asked)-1]; got != 5*time.Minute {
		t.Errorf("timer for the past day %v; want 5m", got)
	}

	l.keys("<esc>")
	if l.a.top().kind != Hosts {
		t.Fatalf("Esc left the view for %s; want the hosts", l.a.top().kind)
	}
	if _, cmd := l.a.Update(tm.msgs[len(tm.msgs)-1]); cmd != nil || l.a.charts.Reading() {
		t.Errorf("the view's timer after it closed started a read; want none")
	}

	// Leaving by a command rather than Esc stops it too.
	l.keys("c")
	l.until("the charts again", func() bool { return len(tm.msgs) > 0 && !l.a.charts.Reading() && l.a.charts.Entity().Ref == host.Ref })
	tick := tm.msgs[len(tm.msgs)-1]
	l.keys(":vm", "<enter>")
	if _, cmd := l.a.Update(tick); cmd != nil || l.a.charts.Reading() {
		t.Errorf("the view's timer after :vm started a read; want none")
	}
}

// TestDetailPaneChartsFollowTheSelection: the detail pane of a VM shows
// a line per counter with its latest value; moving to another VM reads
// that one's, and closing the pane stops the reads.
func TestDetailPaneChartsFollowTheSelection(t *testing.T) {
	l, rec, tm, own := chartApp(t)
	l.keys("/", "web-01", "<enter>", "d")
	l.until("the small charts", func() bool {
		v := l.a.View()
		return strings.Contains(v, "performance, last 10 min") && strings.Contains(v, "net.usage")
	})
	screen := l.a.View()
	for _, c := range vsphere.CounterNames() {
		if !strings.Contains(screen, c) {
			t.Errorf("the detail pane lacks %s:\n%s", c, screen)
		}
	}
	vm := l.a.inv.FilterVMs(vsphere.Filter{Name: "web-01"})[0]
	got, err := own.Metrics(context.Background(), []vsphere.Ref{vm.Ref}, vsphere.MetricsQuery{Samples: 30, Counters: []string{"mem.active"}})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := got[0][0].Latest(); !strings.Contains(screen, shown(v)+" MB") {
		t.Errorf("the detail pane lacks web-01's active memory, %s MB:\n%s", shown(v), screen)
	}

	reads := queryPerfs(rec)
	l.keys("<esc>", "<esc>", "/", "db-01", "<enter>", "d")
	l.until("db-01's charts", func() bool { return queryPerfs(rec) > reads && !l.a.pane.Reading() })
	if !slices.Contains(tm.asked, 20*time.Second) {
		t.Errorf("timers asked for %v; want 20s, to follow real-time samples", tm.asked)
	}
	l.keys("d")
	if _, cmd := l.a.Update(tm.msgs[len(tm.msgs)-1]); cmd != nil || l.a.pane.Reading() {
		t.Errorf("the pane's timer after it closed started a read; want none")
	}
}

// TestChartViewOnPlainVcsim: on govmomi's plain vcsim (its random
// samples, newest first, zeros lost) the chart view of a VM draws every
// counter.
func TestChartViewOnPlainVcsim(t *testing.T) {
	c := vspheretest.PlainVcsim(t)
	a := New(Config{Context: "vcsim", Contexts: []string{"vcsim"}, Connect: func(context.Context, string, string) (*vsphere.Client, error) {
		return c, nil
	}})
	l := run(t, a)
	l.until("the inventory to load", func() bool { return a.state == vsphere.Live && a.inv != nil })
	l.keys(":vm", "<enter>", "c")
	l.until("the charts", func() bool { return strings.Contains(a.View(), "CPU usage (%)") })
	screen := a.View()
	for _, want := range []string{"vm DC0_", "CPU ready (%)", "memory active (MB)", "memory ballooned (MB)", "disk latency (ms)", "network (KB/s)", "└"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the chart view lacks %q:\n%s", want, screen)
		}
	}
	if strings.Contains(screen, "cannot read") {
		t.Errorf("the chart view failed to read:\n%s", screen)
	}
}
