package gate

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/sim"
)

// BenchmarkBulkMigrate migrates 100 VMs, each to the next host of its
// cluster, through Gate.Run at several concurrencies, with every
// relocation taking a simulated task time (VTUI_BENCH_TASK_DELAY, default
// 200ms; the simulator's per-server delay, which holds no lock meanwhile).
// Run it once per concurrency:
//
//	go test ./vsphere -run '^$' -bench BulkMigrate -benchtime 1x
//
// With a 200ms task the ideal is 20s at concurrency 1, 5s at 4 and 1.25s
// at 16; the rest is round trips (relocate, its wait, the server check).
func BenchmarkBulkMigrate(b *testing.B) {
	delay := 200 * time.Millisecond
	if s := os.Getenv("VTUI_BENCH_TASK_DELAY"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			b.Fatalf("VTUI_BENCH_TASK_DELAY: %v", err)
		}
		delay = d
	}
	const vms = 100
	srv, err := sim.Start(context.Background(), sim.Spec{
		Datacenters: 1, Clusters: 1, HostsPerCluster: 4, VMs: vms, Datastores: 1,
	}, sim.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	srv.SetTaskDelay("RelocateVm", delay)
	c, err := vsphere.Connect(context.Background(), configFor(srv))
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = c.Close(context.Background()) }()

	for _, n := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("concurrency=%d", n), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				actions := nextHostMoves(b, c)
				b.StartTimer()
				sum := NewGate(c).Run(context.Background(), actions, RunOptions{Concurrency: n})
				if err := sum.Err(); err != nil || sum.Count(StatusOK) != vms {
					b.Fatalf("%s: %v", sum, err)
				}
			}
			b.ReportMetric(float64(vms)*float64(b.N)/b.Elapsed().Seconds(), "VMs/s")
			b.ReportMetric(float64(delay.Milliseconds()), "task-ms")
		})
	}
}

// nextHostMoves plans moving every VM to the host after its own, in name
// order, within its cluster.
func nextHostMoves(b *testing.B, c *vsphere.Client) []Action {
	b.Helper()
	inv, err := c.Inventory(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	p := NewPlanner(inv, nil, nil)
	next := map[vsphere.Ref]vsphere.Ref{}
	for i, h := range inv.Hosts {
		next[h.Ref] = inv.Hosts[(i+1)%len(inv.Hosts)].Ref
	}
	actions := make([]Action, len(inv.VMs))
	for i, v := range inv.VMs {
		actions[i] = p.Migrate(v.Ref, MigrateSpec{Host: next[v.HostRef]})
	}
	return actions
}
