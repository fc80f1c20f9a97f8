package kinds

import (
	"cmp"
	"context"
	"os"
	"testing"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// BenchmarkRelatedTreeLarge builds the related-objects trees of a VM, a
// host and a cluster of the large preset (10,000 VMs) from its inventory,
// as the related view does on every live update; VTUI_BENCH_PRESET=small
// tries it quickly.
func BenchmarkRelatedTreeLarge(b *testing.B) {
	srv := vspheretest.Start(b, cmp.Or(os.Getenv("VTUI_BENCH_PRESET"), "large"))
	c := vspheretest.Connect(b, srv)
	inv, err := c.Inventory(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	vm := inv.VMs[len(inv.VMs)/2]
	near, err := c.Surroundings(context.Background(), inv, vm.Ref, 20)
	if err != nil {
		b.Fatal(err)
	}
	refs := []vsphere.Ref{vm.Ref, vm.HostRef, vm.ClusterRef}
	b.ReportAllocs()
	for b.Loop() {
		for _, ref := range refs {
			if _, ok := Related(Around{Inv: inv, Nearby: near}, ref); !ok {
				b.Fatalf("no tree for %s", ref)
			}
		}
	}
}
