package ui

import (
	"cmp"
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// BenchmarkTasksPaneLarge measures the recent-tasks pane (t) on the large
// preset (10,000 VMs), drawn at 200×50 over the VM list:
//
//   - first-rows: a task watch started until its first list (vCenter's
//     recent tasks, here the ten an extension ran before) is drawn in the
//     pane;
//   - live-change: an extension starts a task on a VM and sets its
//     progress, until the pane draws it running at 40% (three changes:
//     queued, running, progress); it ends off the clock.
//
// VTUI_BENCH_PRESET=small tries it on a small inventory.
//
//	go test -run '^$' -bench TasksPaneLarge -benchtime 5x ./ui/
func BenchmarkTasksPaneLarge(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := vspheretest.Start(b, cmp.Or(os.Getenv("VTUI_BENCH_PRESET"), "large"))
	c := vspheretest.Connect(b, srv)
	inv, err := c.InventoryFor(ctx, vsphere.Load{VMs: vsphere.Names})
	if err != nil {
		b.Fatal(err)
	}
	vm := inv.VMs[len(inv.VMs)-1]
	const kind = "com.example.bench.run"
	for range 10 {
		finish, err := vspheretest.StartExtensionTask(ctx, c, vm.Ref, kind, 100)
		if err == nil {
			err = finish(ctx)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	a := New(Config{Context: "bench"})
	a.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	a.connected = true
	a.Update(watchMsg{gen: a.gen, update: vsphere.WatchUpdate{Data: inv, State: vsphere.Live, Seq: 1}})
	keys(a, "t")
	show := func(u vsphere.TaskUpdate) string {
		a.Update(tasksMsg{gen: a.gen, update: u}) // its command, the next wait, is left unrun
		return a.View()
	}
	running := func(ts []vsphere.Task) bool {
		return slices.ContainsFunc(ts, func(t vsphere.Task) bool { return t.Name == kind && t.State == vsphere.TaskRunning && t.Progress == 40 })
	}

	b.Run("first-rows", func(b *testing.B) {
		rows := 0
		for b.Loop() {
			ctx, cancel := context.WithCancel(ctx)
			u := nextTasks(b, c.WatchTasks(ctx), 0, func(ts []vsphere.Task) bool { return len(ts) >= 10 })
			if v := show(u); !strings.Contains(v, "recent tasks 10") || !strings.Contains(v, "com.example.bench") {
				b.Fatalf("the pane does not show the tasks:\n%s", v)
			}
			rows = len(u.Data)
			cancel()
		}
		b.ReportMetric(float64(rows), "rows")
	})
	b.Run("live-change", func(b *testing.B) {
		w := c.WatchTasks(ctx)
		seq := nextTasks(b, w, 0, func([]vsphere.Task) bool { return true }).Seq
		for b.Loop() {
			finish, err := vspheretest.StartExtensionTask(ctx, c, vm.Ref, kind, 40)
			if err != nil {
				b.Fatal(err)
			}
			u := nextTasks(b, w, seq, running)
			if v := show(u); !strings.Contains(v, "40%") {
				b.Fatalf("the pane does not show the running task:\n%s", v)
			}
			b.StopTimer()
			if err := finish(ctx); err != nil {
				b.Fatal(err)
			}
			seq = nextTasks(b, w, u.Seq, func(ts []vsphere.Task) bool {
				return !slices.ContainsFunc(ts, func(t vsphere.Task) bool { return !t.Done() })
			}).Seq
			b.StartTimer()
		}
	})
}

// nextTasks waits for w's first list after the update after that ok
// accepts.
func nextTasks(b *testing.B, w *vsphere.TaskWatch, after uint64, ok func([]vsphere.Task) bool) vsphere.TaskUpdate {
	b.Helper()
	return vspheretest.Next(b, w, after, func(u vsphere.TaskUpdate) bool { return u.Data != nil && ok(u.Data) })
}
