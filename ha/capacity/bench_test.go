package capacity

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// BenchmarkAnalyzeLargeCluster runs the what-if on cluster-a of the large
// preset (96 hosts, 1,000 VMs), as loaded from the simulator, for 1 and 2
// failures, and the overview's Tolerate (which, the cluster tolerating
// both, runs every scenario of 1 and 2 failures):
//
//	go test -run '^$' -bench AnalyzeLargeCluster -benchmem ./ha/capacity/
func BenchmarkAnalyzeLargeCluster(b *testing.B) {
	srv := vspheretest.Start(b, "large")
	inv, err := vspheretest.Connect(b, srv).Inventory(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	in := Input{Config: clusterspec.Config{Cluster: "cluster-a", HA: clusterspec.HA{Enabled: true, HostMonitoring: true,
		AdmissionControl: clusterspec.AdmissionControl{Mode: clusterspec.AdmissionFailures, Failures: 1},
		RestartPriority:  clusterspec.RestartMedium}}}
	in.Hosts = inv.FilterHosts(vsphere.Filter{Cluster: "cluster-a"})
	in.VMs = inv.FilterVMs(vsphere.Filter{Cluster: "cluster-a"})
	b.Logf("cluster-a: %d hosts, %d VMs", len(in.Hosts), len(in.VMs))
	// Measure the analysis alone: the simulator's 10,000 VMs would
	// otherwise stay on the heap and tax every garbage collection.
	srv.Close()
	inv = nil
	runtime.GC()
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("failures=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r, err := Analyze(in, n)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(len(r.Scenarios)), "scenarios")
			}
		})
	}
	b.Run("tolerate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			t := Tolerate(in)
			b.ReportMetric(float64(t.Tolerated), "tolerated")
		}
	})
}
