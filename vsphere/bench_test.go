package vsphere

import (
	"context"
	"os"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/vsphere/sim"
)

// The large preset takes seconds to build, so the benchmarks share one,
// which TestMain closes once the package's tests end.
var large struct {
	once sync.Once
	srv  *sim.Server
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, srv := range []*sim.Server{large.srv, alarmBench.srv} {
		if srv != nil {
			srv.Close()
		}
	}
	os.Exit(code)
}

func largeClient(b *testing.B) *Client {
	b.Helper()
	large.once.Do(func() {
		spec, err := sim.Preset("large")
		if err == nil {
			large.srv, err = sim.Start(context.Background(), spec, sim.Options{Username: testUser, Password: testPassword})
		}
		large.err = err
	})
	if large.err != nil {
		b.Fatal(large.err)
	}
	c, err := Connect(context.Background(), configFor(large.srv))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// heapPeak samples the live heap until stopped and returns its peak.
func heapPeak() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); <-finished; return peak }
}

// BenchmarkInventoryLarge loads the whole large preset (10,000 VMs, 960
// hosts) through Client.Inventory. Round trips are counted at the HTTP
// layer; the first load also creates the session's views, so it is
// reported separately. Note that the simulator runs in the same process, so
// heap figures include the server's work.
func BenchmarkInventoryLarge(b *testing.B) {
	c := largeClient(b)
	ctx := context.Background()
	before := c.RoundTrips()
	if _, err := c.Inventory(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(c.RoundTrips()-before), "first-load-roundtrips")
	runtime.GC()
	stop := heapPeak()
	b.ReportAllocs()
	b.ResetTimer()
	before = c.RoundTrips()
	var inv *Inventory
	for b.Loop() {
		var err error
		if inv, err = c.Inventory(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(c.RoundTrips()-before)/float64(b.N), "roundtrips/op")
	b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MiB")
	if len(inv.VMs) != 10000 || len(inv.Hosts) != 960 {
		b.Fatalf("loaded %d VMs and %d hosts; want 10000 and 960", len(inv.VMs), len(inv.Hosts))
	}
}

// BenchmarkRetrieveFloorLarge is the floor the snapshot is measured
// against: one raw RetrievePropertiesEx of the same properties over the
// same views, decoded by govmomi and nothing more.
func BenchmarkRetrieveFloorLarge(b *testing.B) {
	c := largeClient(b)
	ctx := context.Background()
	vs, err := c.viewsFor(ctx, Everything())
	if err != nil {
		b.Fatal(err)
	}
	req := &types.RetrievePropertiesEx{This: c.vim.ServiceContent.PropertyCollector, SpecSet: []types.PropertyFilterSpec{vs.filterSpecs(Everything(), 1)[0]}}
	runtime.GC()
	stop := heapPeak()
	b.ReportAllocs()
	b.ResetTimer()
	before := c.RoundTrips()
	n := 0
	for b.Loop() {
		res, err := methods.RetrievePropertiesEx(ctx, c.vim, req)
		if err != nil {
			b.Fatal(err)
		}
		if res.Returnval.Token != "" {
			b.Fatal("the floor assumes one page")
		}
		n = len(res.Returnval.Objects)
	}
	b.ReportMetric(float64(c.RoundTrips()-before)/float64(b.N), "roundtrips/op")
	b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MiB")
	if n < 10978 { // 10,000 VMs, 960 hosts, 10 clusters, 4 datastores, a network, and the clusters' folders and datacenter
		b.Fatalf("retrieved %d objects; want all 10978", n)
	}
}

// BenchmarkResolveLarge measures building the resolved, sorted snapshot
// from decoded objects: the part of a load (and of every watch update) that
// is vtui's own work rather than the server's or the XML decoder's.
func BenchmarkResolveLarge(b *testing.B) {
	c := largeClient(b)
	s := newStore(Everything())
	if err := c.load(context.Background(), s, Everything()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = s.inventory()
	}
}

// BenchmarkFirstScreenLarge measures what a watch does before its first
// screen at 10,000 VMs: every VM's name, down the inventory's tree, the
// sort, the first screen's rows and what they refer to (previewFirst).
func BenchmarkFirstScreenLarge(b *testing.B) {
	c := largeClient(b)
	ctx := context.Background()
	b.ReportAllocs()
	before := c.RoundTrips()
	var s *store
	for b.Loop() {
		s = newStore(Everything())
		s.parts = filterParts(Everything(), followers)
		if err := c.previewFirst(ctx, s, 100); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(c.RoundTrips()-before)/float64(b.N), "roundtrips/op")
	if inv := s.inventory(); len(inv.VMs) != 100 || inv.LoadingVMs != 10000 {
		b.Fatalf("showed %d rows of %d VMs; want 100 of 10000", len(inv.VMs), inv.LoadingVMs)
	}
}
