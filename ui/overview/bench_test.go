package overview

import (
	"cmp"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/ui/common"
	"github.com/vtui/vtui/ui/listview"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// BenchmarkOverviewLarge measures :overview on the large preset (10,000
// VMs, 10 clusters of 96 hosts, HA on the first 5), with the inventory
// loaded as the root has it (its own benchmarks measure that load):
//
//   - first-frame: opening the screen and drawing it at 200×50, counts and
//     bars, the HA verdicts still being read;
//   - verdicts: the read the screen starts (each cluster's configuration,
//     reservations and ha/capacity's Tolerate, up to 5,000 scenarios per
//     failure count, a few clusters at once) and the frame that shows
//     them: the time to the whole first screen, past the first frame; with
//     the slowest cluster's verdict alone;
//   - verdicts-again: the same when the screen opens again, each cluster's
//     what-if kept while its input is unchanged (only the reads);
//   - live-change: a VM powered off by another client, from the request
//     until the overview draws one VM fewer powered on (the inventory
//     watch's update, the screen's rebuild and its frame); the VM is
//     powered on again off the clock.
//
// VTUI_BENCH_PRESET=small tries it on a small inventory.
//
//	go test -run '^$' -bench OverviewLarge -benchtime 5x ./ui/overview/
func BenchmarkOverviewLarge(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := vspheretest.Start(b, cmp.Or(os.Getenv("VTUI_BENCH_PRESET"), "large"))
	c := vspheretest.Connect(b, srv)
	w := c.Watch(ctx, vsphere.WatchOptions{})
	u := nextInventory(b, w, 0, func(*vsphere.Inventory) bool { return true })
	inv := u.Data
	keys, styles := common.DefaultKeyMap(), common.NewStyles(common.DefaultTheme())
	m := New(common.Common{Styles: &styles, Keys: &keys, Emit: func(tea.Msg) {}}, func() Conn {
		return Conn{Ctx: ctx, Client: c, Inv: inv}
	})
	m.SetSize(200, 50)

	b.Run("first-frame", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m.Open()
			m.Load(listview.Source{Inventory: inv})
			_ = m.View()
		}
	})
	// verdicts opens the screen as the first time; verdicts-again as
	// later, each cluster's verdict kept while its input is unchanged.
	openAll := func(b *testing.B, fresh bool) {
		for b.Loop() {
			if fresh {
				m.cache = &verdictCache{kept: map[vsphere.Ref]keptVerdict{}}
			}
			read := m.Open()
			m.Update(read())
			if v := m.View(); strings.Contains(v, "reading") || strings.Contains(v, "unknown") {
				b.Fatalf("the verdicts are not all in:\n%s", v)
			}
		}
	}
	b.Run("verdicts", func(b *testing.B) {
		openAll(b, true)
		b.StopTimer()
		var slowest time.Duration
		for _, cl := range inv.Clusters {
			start := time.Now()
			(&verdictCache{kept: map[vsphere.Ref]keptVerdict{}}).verdict(ctx, c, inv, cl)
			slowest = max(slowest, time.Since(start))
		}
		b.ReportMetric(float64(len(inv.Clusters)), "clusters")
		b.ReportMetric(float64(slowest.Microseconds())/1000, "slowest-cluster-ms")
	})
	b.Run("verdicts-again", func(b *testing.B) { openAll(b, false) })
	b.Run("live-change", func(b *testing.B) {
		var vm vsphere.VM
		for _, v := range inv.VMs {
			if v.PowerState == "poweredOn" {
				vm = v
				break
			}
		}
		g := gate.NewGate(c)
		power := func(op gate.Op, now *vsphere.Inventory) {
			b.Helper()
			p := gate.NewPlanner(now, nil, nil)
			if r := g.Do(ctx, p.Power(vm.Ref, op), nil); r.Status != gate.StatusOK {
				b.Fatalf("%s %s: %s %q", op, vm.Name, r.Status, r.Message)
			}
		}
		seq := u.Seq
		on := counted(inv, "poweredOn")
		for b.Loop() {
			power(gate.OpPowerOff, inv)
			u := nextInventory(b, w, seq, func(inv *vsphere.Inventory) bool { return counted(inv, "poweredOn") == on-1 })
			m.Load(listview.Source{Inventory: u.Data})
			if v := m.View(); !strings.Contains(v, "poweredOn") {
				b.Fatalf("the overview lacks the counts:\n%s", v)
			}
			b.StopTimer()
			seq = u.Seq
			power(gate.OpPowerOn, u.Data)
			seq = nextInventory(b, w, seq, func(inv *vsphere.Inventory) bool { return counted(inv, "poweredOn") == on }).Seq
			b.StartTimer()
		}
	})
}

// nextInventory waits for w's first whole, live inventory after the
// update after that ok accepts.
func nextInventory(b *testing.B, w *vsphere.Watch, after uint64, ok func(*vsphere.Inventory) bool) vsphere.WatchUpdate {
	b.Helper()
	return vspheretest.Next(b, w, after, func(u vsphere.WatchUpdate) bool {
		return u.State == vsphere.Live && u.Data != nil && u.Data.LoadingVMs == 0 && ok(u.Data)
	})
}

// counted is how many of inv's VMs are in power state s.
func counted(inv *vsphere.Inventory, s string) int {
	n := 0
	for _, v := range inv.VMs {
		if v.PowerState == s {
			n++
		}
	}
	return n
}
