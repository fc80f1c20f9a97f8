package perfchart

import (
	"cmp"
	"context"
	"os"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/ui/common"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// BenchmarkChartLarge measures one chart on the large preset (10,000
// VMs): query, a VM's hour of real-time samples of every counter (one
// QueryPerf, as the chart view reads each time it follows); query50, the
// same of 50 VMs in one call (the most one asks about); repaint, the
// chart view drawing those samples anew at 200×50 (it keeps the drawing
// until new samples come or the size changes). VTUI_BENCH_PRESET=small
// tries it on a small inventory.
func BenchmarkChartLarge(b *testing.B) {
	ctx := context.Background()
	srv := vspheretest.Start(b, cmp.Or(os.Getenv("VTUI_BENCH_PRESET"), "large"))
	c := vspheretest.Connect(b, srv)
	inv, err := c.InventoryFor(ctx, vsphere.Load{VMs: vsphere.Names})
	if err != nil {
		b.Fatal(err)
	}
	var refs []vsphere.Ref
	for _, v := range inv.VMs[:min(len(inv.VMs), vsphere.MaxMetricEntities)] {
		refs = append(refs, v.Ref)
	}
	q := vsphere.MetricsQuery{Samples: samplesOf(vsphere.Realtime)}
	first, err := c.Metrics(ctx, refs[:1], q) // what repaint draws
	if err != nil {
		b.Fatal(err)
	}
	b.Run("query", func(b *testing.B) {
		for b.Loop() {
			if _, err := c.Metrics(ctx, refs[:1], q); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("query50", func(b *testing.B) {
		for b.Loop() {
			if _, err := c.Metrics(ctx, refs, q); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("repaint", func(b *testing.B) {
		keys, styles := common.DefaultKeyMap(), common.NewStyles(common.DefaultTheme())
		m := New(common.Common{Styles: &styles, Keys: &keys, Emit: func(tea.Msg) {}}, nil, nil)
		m.SetSize(200, 50)
		m.f.entity, m.f.interval, m.f.series = Entity{Ref: refs[0], Kind: "vm", Name: inv.VMs[0].Name}, vsphere.Realtime, first[0]
		b.ReportAllocs()
		for b.Loop() {
			m.grid = "" // new samples: drawn anew
			_ = m.View()
		}
	})
}
