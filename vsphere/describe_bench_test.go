package vsphere

import (
	"context"
	"encoding/json"
	"os"
	"testing"
)

// benchVM returns a client of the large preset, or of the preset
// VTUI_BENCH_PRESET names (small, to try a benchmark quickly), its
// inventory and a VM of it.
func benchVM(b *testing.B) (*Client, *Inventory, VM) {
	b.Helper()
	var c *Client
	if p := os.Getenv("VTUI_BENCH_PRESET"); p != "" && p != "large" {
		c, _ = connectSim(b, p)
	} else {
		c = largeClient(b)
	}
	inv, err := c.Inventory(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return c, inv, inv.VMs[len(inv.VMs)/2]
}

// BenchmarkDescribeVMLarge reads every property of one VM of the large
// preset (10,000 VMs) and converts them to plain data, as y does: the
// cost must not grow with the inventory, one round trip a read.
func BenchmarkDescribeVMLarge(b *testing.B) {
	c, _, vm := benchVM(b)
	ctx := context.Background()
	var d *Description
	var err error
	b.ReportAllocs()
	before := c.RoundTrips()
	for b.Loop() {
		if d, err = c.Describe(ctx, vm.Ref, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(c.RoundTrips()-before)/float64(b.N), "roundtrips/op")
	raw, _ := json.Marshal(d.Properties)
	b.ReportMetric(float64(len(raw))/1024, "KiB")
	b.ReportMetric(float64(len(d.Properties)), "properties")
}

// BenchmarkSurroundingsVMLarge is the related tree's one read for a VM of
// the large preset: its cluster's rules, its snapshot tree and its latest
// 20 events.
func BenchmarkSurroundingsVMLarge(b *testing.B) {
	c, inv, vm := benchVM(b)
	ctx := context.Background()
	b.ReportAllocs()
	before := c.RoundTrips()
	for b.Loop() {
		if _, err := c.Surroundings(ctx, inv, vm.Ref, 20); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(c.RoundTrips()-before)/float64(b.N), "roundtrips/op")
}
