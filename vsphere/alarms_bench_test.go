package vsphere

import (
	"context"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vtui/vtui/vsphere/sim"
)

// The alarm benchmarks run on the preset VTUI_BENCH_PRESET names, the
// large one (10,000 VMs) unless set, with alarmsTriggered VMs loaded past
// the red threshold of "Virtual machine CPU usage", so that the list has
// rows to name. They share one server, which TestMain closes.
//
//	go test -run '^$' -bench 'Alarm' -benchtime 20x ./vsphere/
//	VTUI_BENCH_PRESET=small go test -run '^$' -bench 'Alarm' -benchtime 5x ./vsphere/
var alarmBench struct {
	once sync.Once
	srv  *sim.Server
	vms  []string // powered-on VMs, by name: the first loaded are loaded
	// loaded is how many VMs have an alarm: alarmsTriggered, or all but
	// one of a small preset's.
	loaded int
	err    error
}

// alarmsTriggered is how many VMs the benchmarks' server has alarms on.
const alarmsTriggered = 100

func alarmBenchClient(b *testing.B) (*sim.Server, *Client, []string) {
	b.Helper()
	alarmBench.once.Do(func() {
		preset := os.Getenv("VTUI_BENCH_PRESET")
		if preset == "" {
			preset = "large"
		}
		spec, err := sim.Preset(preset)
		if err == nil {
			alarmBench.srv, err = sim.Start(context.Background(), spec, sim.Options{Username: testUser, Password: testPassword})
		}
		if err != nil {
			alarmBench.err = err
			return
		}
		c, err := Connect(context.Background(), configFor(alarmBench.srv))
		if err != nil {
			alarmBench.err = err
			return
		}
		defer c.Close(context.Background())
		inv, err := c.InventoryFor(context.Background(), Load{VMs: Rows})
		if err != nil {
			alarmBench.err = err
			return
		}
		for _, v := range inv.VMs {
			if v.PowerState == "poweredOn" {
				alarmBench.vms = append(alarmBench.vms, v.Name)
			}
		}
		alarmBench.loaded = min(alarmsTriggered, len(alarmBench.vms)-1)
		for _, name := range alarmBench.vms[:alarmBench.loaded] {
			if err := alarmBench.srv.LoadVM(name, 95, 10); err != nil {
				alarmBench.err = err
				return
			}
		}
	})
	if alarmBench.err != nil {
		b.Fatal(alarmBench.err)
	}
	c, err := Connect(context.Background(), configFor(alarmBench.srv))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close(context.Background()) })
	return alarmBench.srv, c, alarmBench.vms
}

// firstAlarms waits for w's first list that ok accepts.
func firstAlarms(b *testing.B, w *AlarmWatch, after uint64, ok func([]Alarm) bool) AlarmUpdate {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		u, err := w.Next(ctx, after)
		if err != nil {
			b.Fatalf("alarm watch: %v", err)
		}
		if u.Data != nil && ok(u.Data) {
			return u
		}
		after = u.Seq
	}
}

// BenchmarkAlarmsFirstRowsLarge measures what :alarm waits for before its
// first rows: an alarm watch started until it publishes the triggered
// alarms, named (its collector, the root folder's triggeredAlarmState,
// the names of the entities and alarms). It reports the round trips and
// the rows.
func BenchmarkAlarmsFirstRowsLarge(b *testing.B) {
	_, c, _ := alarmBenchClient(b)
	var rows int
	before := c.RoundTrips()
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		u := firstAlarms(b, c.WatchAlarms(ctx), 0, func(as []Alarm) bool { return len(as) >= alarmBench.loaded })
		rows = len(u.Data)
		cancel()
	}
	b.ReportMetric(float64(c.RoundTrips()-before)/float64(b.N), "roundtrips/op")
	b.ReportMetric(float64(rows), "rows")
}

// BenchmarkAlarmLiveChangeLarge measures one live change: a VM's CPU use
// crosses the red threshold (the simulator's LoadVM, as a busy guest
// would), and the time until the running alarm watch publishes its alarm
// is one op; the VM is then idled again, and the alarm's clearing awaited,
// off the clock. On the simulator this includes its alarm evaluation's
// settling (a tenth of a second).
func BenchmarkAlarmLiveChangeLarge(b *testing.B) {
	srv, c, vms := alarmBenchClient(b)
	vm := vms[len(vms)-1] // not one of the loaded ones
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := c.WatchAlarms(ctx)
	seq := firstAlarms(b, w, 0, func([]Alarm) bool { return true }).Seq
	on := func(as []Alarm) bool {
		return slices.ContainsFunc(as, func(a Alarm) bool { return a.EntityName == vm && a.Alarm == "Virtual machine CPU usage" })
	}
	for b.Loop() {
		if err := srv.LoadVM(vm, 95, 10); err != nil {
			b.Fatal(err)
		}
		seq = firstAlarms(b, w, seq, on).Seq
		b.StopTimer()
		if err := srv.LoadVM(vm, 5, 10); err != nil {
			b.Fatal(err)
		}
		seq = firstAlarms(b, w, seq, func(as []Alarm) bool { return !on(as) }).Seq
		b.StartTimer()
	}
}
