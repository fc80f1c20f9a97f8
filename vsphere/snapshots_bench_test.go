package vsphere

import (
	"context"
	"testing"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/vsphere/internal/mo"
)

// BenchmarkSnapshotRowsDemo and BenchmarkSnapshotRowsLarge measure what
// :snapshot waits for before its first rows: a watch as the terminal UI
// starts it (the first screen of VMs ahead), from its start to the first
// state with a snapshot in it (first-rows-ms) and to the whole inventory,
// live (all-rows-ms); and what vtui get snapshots loads, with the sizes
// (get-ms). The large preset has 1,429 VMs with snapshots of 10,000:
//
//	go test -run '^$' -bench SnapshotRowsLarge -benchtime 5x ./vsphere/
func BenchmarkSnapshotRowsDemo(b *testing.B) {
	c, _ := connectSim(b, "demo")
	benchSnapshotRows(b, c)
}

func BenchmarkSnapshotRowsLarge(b *testing.B) { benchSnapshotRows(b, largeClient(b)) }

func benchSnapshotRows(b *testing.B, c *Client) {
	var first, all, get time.Duration
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		start := time.Now()
		w := c.Watch(ctx, WatchOptions{Screen: 50})
		var seq uint64
		for shown := false; ; {
			u, err := w.Next(ctx, seq)
			if err != nil {
				b.Fatal(err)
			}
			seq = u.Seq
			if !shown && u.Data != nil && len(u.Data.FilterSnapshots(Filter{})) > 0 {
				first += time.Since(start)
				shown = true
			}
			if u.State == Live {
				all += time.Since(start)
				break
			}
		}
		cancel()
		<-w.Done()

		start = time.Now()
		inv, err := c.InventoryFor(context.Background(), Load{VMs: Names, Snapshots: Rows})
		if err != nil {
			b.Fatal(err)
		}
		get += time.Since(start)
		if len(inv.FilterSnapshots(Filter{})) == 0 {
			b.Fatal("no snapshots listed")
		}
	}
	b.ReportMetric(float64(first.Milliseconds())/float64(b.N), "first-rows-ms")
	b.ReportMetric(float64(all.Milliseconds())/float64(b.N), "all-rows-ms")
	b.ReportMetric(float64(get.Milliseconds())/float64(b.N), "get-ms")
}

// BenchmarkSnapshotChangeDemo and BenchmarkSnapshotChangeLarge measure one
// live change in :snapshot: another client takes a snapshot of a VM, and
// the op ends when a watch of the whole inventory shows it; the snapshot
// is then removed, outside the timer.
//
//	go test -run '^$' -bench SnapshotChangeLarge -benchtime 20x ./vsphere/
func BenchmarkSnapshotChangeDemo(b *testing.B) {
	c, _ := connectSim(b, "demo")
	benchSnapshotChange(b, c, c)
}

func BenchmarkSnapshotChangeLarge(b *testing.B) {
	benchSnapshotChange(b, largeClient(b), largeClient(b))
}

func benchSnapshotChange(b *testing.B, c, other *Client) {
	ctx, cancel := context.WithCancel(context.Background())
	w := c.Watch(ctx, WatchOptions{})
	defer func() { cancel(); <-w.Done() }()
	wait := liveWaiter(ctx, b, w)
	var web VM
	wait(func(inv *Inventory) bool { web = inv.VMs[0]; return true })
	vm := object.NewVirtualMachine(other.vim, mo.ToMoRef(web.Ref))
	count := func(inv *Inventory) int { return vmNamed(inv, web.Name).SnapshotCount() }
	n := web.SnapshotCount()
	for b.Loop() {
		task, err := vm.CreateSnapshot(ctx, "bench", "", false, false)
		if err != nil {
			b.Fatal(err)
		}
		info, err := task.WaitForResult(ctx)
		if err != nil {
			b.Fatal(err)
		}
		wait(func(inv *Inventory) bool { return count(inv) == n+1 })

		b.StopTimer()
		res, err := methods.RemoveSnapshot_Task(ctx, other.vim, &types.RemoveSnapshot_Task{This: info.Result.(types.ManagedObjectReference)})
		if err == nil {
			err = object.NewTask(other.vim, res.Returnval).Wait(ctx)
		}
		if err != nil {
			b.Fatal(err)
		}
		wait(func(inv *Inventory) bool { return count(inv) == n })
		b.StartTimer()
	}
}
