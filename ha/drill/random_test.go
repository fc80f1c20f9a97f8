package drill

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

var (
	drills    = flag.Int("drills", 4, "how many randomized drills TestRandomizedDrillsLoseNothing runs")
	drillSeed = flag.Uint64("drill-seed", 1, "the seed of TestRandomizedDrillsLoseNothing")
)

// TestRandomizedDrillsLoseNothing runs seeded random drills, one after
// the other, on one simulator: a random scenario, target and protected
// set each time. Every drill must pass, lose nothing and roll back to
// the state the first one started from. The measurement in the README
// runs 50:
//
//	go test ./ha/drill -run TestRandomizedDrillsLoseNothing -drills 50 -v
func TestRandomizedDrillsLoseNothing(t *testing.T) {
	srv := vspheretest.StartWith(t, "demo", sim.Options{HA: sim.HAOptions{DetectDelay: 100 * time.Millisecond}})
	c := vspheretest.Connect(t, srv)
	inv, err := c.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	onHost := map[string][]string{} // the powered-on VMs of each host
	for _, v := range inv.FilterVMs(vsphere.Filter{Cluster: "cluster-a"}) {
		if v.PowerState == "poweredOn" {
			names = append(names, v.Name)
			onHost[v.Host] = append(onHost[v.Host], v.Name)
		}
	}
	hosts := slices.Sorted(maps.Keys(onHost))
	before := clusterState(t, c)
	rng := rand.New(rand.NewPCG(*drillSeed, 0))
	start := time.Now()
	var rtoMax float64
	for i := range *drills {
		scenario, method := "host-failure", "sim-crash"
		if rng.IntN(3) == 0 {
			scenario, method = "evacuation", "evacuate"
		}
		// A random target, and either the default protection (every VM of
		// the target) or a random set of the cluster's VMs with at least
		// one of the target's.
		target := hosts[rng.IntN(len(hosts))]
		protect := ""
		if rng.IntN(2) == 0 {
			rng.Shuffle(len(names), func(a, b int) { names[a], names[b] = names[b], names[a] })
			set := append(slices.Clone(names[:rng.IntN(len(names))]), onHost[target][rng.IntN(len(onHost[target]))])
			protect = fmt.Sprintf("protect: [%s]\n", strings.Join(set, ", "))
		}
		text := fmt.Sprintf("name: random-%d\ncluster: cluster-a\nscenario: %s\ntargets: {hosts: [%s]}\n%sexpect: {rto: 1m}\ninject: {method: %s}\ntimeout: 2m\npin-drs: %t\n",
			i, scenario, target, protect, method, rng.IntN(2) == 0)
		rep := (&Runner{Client: c, Plan: mustParse(t, text)}).Run(context.Background())
		if rep.Result != ResultPass || rep.Lost != 0 || rep.Duplicated != 0 || !rep.Rollback.OK {
			t.Fatalf("drill %d:\n%s\n%s", i, text, describe(rep))
		}
		rtoMax = max(rtoMax, rep.Breakdown.LastRecoverySeconds)
		t.Logf("drill %2d: %-12s %s, %d VMs, rto %s, %.2fs", i, scenario, strings.Join(rep.Targets, ","), len(rep.VMs), rep.RTO(), rep.Seconds)
	}
	sameMaps(t, fmt.Sprintf("after %d drills", *drills), clusterState(t, c), before)
	t.Logf("%d drills in %s, none lost a VM, all rolled back; the longest RTO %.2fs", *drills, time.Since(start).Round(time.Millisecond), rtoMax)
}
