package overview

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// TestVerdictKeptWhileTheInputIsUnchanged: the verdicts of every cluster
// are read at once; a cluster's verdict is reused while its what-if's
// input is unchanged, and worked out anew once it changes.
func TestVerdictKeptWhileTheInputIsUnchanged(t *testing.T) {
	srv := vspheretest.Start(t, "small")
	c := vspheretest.Connect(t, srv)
	ctx := context.Background()
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	vc := &verdictCache{kept: map[vsphere.Ref]keptVerdict{}}
	got := vc.verdicts(ctx, c, inv)
	a, b := inv.FilterClusters(vsphere.Filter{Name: "cluster-a"})[0], inv.FilterClusters(vsphere.Filter{Name: "cluster-b"})[0]
	if !strings.HasPrefix(got[a.Ref], "tolerates ") || got[b.Ref] != "HA off" {
		t.Fatalf("verdicts %q; want cluster-a's tolerance and cluster-b's HA off", got)
	}
	// Mark the kept verdict: a reuse returns the mark.
	k := vc.kept[a.Ref]
	k.verdict = "the kept verdict"
	vc.kept[a.Ref] = k
	if v := vc.verdict(ctx, c, inv, a); v != "the kept verdict" {
		t.Errorf("an unchanged cluster: %q; want the kept verdict", v)
	}
	changed := *inv
	changed.VMs = slices.Clone(inv.VMs)
	i := slices.IndexFunc(changed.VMs, func(v vsphere.VM) bool { return v.ClusterRef == a.Ref && v.PowerState == "poweredOn" })
	changed.VMs[i].MemoryMB += 1024
	if v := vc.verdict(ctx, c, &changed, a); !strings.HasPrefix(v, "tolerates ") {
		t.Errorf("a cluster whose VM has more memory: %q; want its tolerance worked out anew", v)
	}
}
