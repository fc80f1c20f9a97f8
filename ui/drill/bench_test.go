package drill

import (
	"fmt"
	"testing"
	"time"

	"github.com/vtui/vtui/ha/drill"
	"github.com/vtui/vtui/vsphere"
)

// BenchmarkRunningView renders the running drill of a host with 300
// protected VMs, 10,000 moments into its timeline: what each moment that
// arrives costs the screen.
func BenchmarkRunningView(b *testing.B) {
	m := testModel(b)
	m.SetSize(120, 29)
	pre := &drill.Preflight{Cluster: vsphere.Cluster{Name: "cluster-a"}, Targets: []vsphere.Host{{Name: "esx-01"}}}
	for i := range 300 {
		pre.Protected = append(pre.Protected, vsphere.VM{Name: fmt.Sprintf("vm-%03d", i), Host: "esx-01", PowerState: "poweredOn"})
	}
	m.phase, m.pre, m.live, m.journal = phaseRunning, pre, drill.NewLive(pre), "/tmp/drill.journal"
	t0 := time.Now()
	for i := range 10000 {
		mo := drill.Moment{At: float64(i) / 100, Time: t0.Add(time.Duration(i) * 10 * time.Millisecond), Kind: "vm",
			Object: fmt.Sprintf("vm-%03d", i%300), What: "runtime.connectionState = disconnected"}
		m.live.Add(mo)
		m.timeline = append(m.timeline, mo)
	}
	b.ResetTimer()
	for b.Loop() {
		_ = m.View()
	}
}
