package hapanel

import (
	"context"
	"testing"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// BenchmarkReadLargeCluster reads what the panel shows of cluster-a of the
// large preset (96 hosts, 1,000 VMs) from a simulator sharing the
// machine: the configuration, the reservations and the one-failure
// what-if, and the recommendations.
//
//	go test -run '^$' -bench ReadLargeCluster -benchtime 10x ./ui/hapanel/
func BenchmarkReadLargeCluster(b *testing.B) {
	srv := vspheretest.Start(b, "large")
	c := vspheretest.Connect(b, srv)
	ctx := context.Background()
	inv, err := c.Inventory(ctx)
	if err != nil {
		b.Fatal(err)
	}
	cl := inv.FilterClusters(vsphere.Filter{Name: "cluster-a"})[0]
	for b.Loop() {
		s, err := Read(ctx, c, inv, cl.Ref)
		if err != nil || s.CapacityErr != nil || s.RecommendationsErr != nil {
			b.Fatal(err, s.CapacityErr, s.RecommendationsErr)
		}
		b.ReportMetric(float64(s.Capacity.Hosts), "hosts")
		b.ReportMetric(float64(len(s.Session.Config.Scope.VMs)), "vms")
	}
}
