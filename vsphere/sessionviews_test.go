package vsphere

import (
	"context"
	"testing"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

// TestCachedSessionKeepsNoViews: one-shot loads on a session kept in the
// session cache, as `vtui get` makes them one process after another,
// leave none of the container views they created alive in the session
// (a cancelled one neither), so that they do not pile up there until it
// expires; the session itself stays logged in.
func TestCachedSessionKeepsNoViews(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a simulator")
	}
	srv := startSim(t, "small")
	cfg, dir := configFor(srv), t.TempDir()
	ctx := context.Background()
	var created []types.ManagedObjectReference
	for i := range 3 {
		c, err := Connect(ctx, cfg, WithSessionCache(dir))
		if err != nil {
			t.Fatal(err)
		}
		lctx, cancel := context.WithCancel(ctx)
		if i == 2 {
			cancel() // the last load is interrupted after its views exist
		}
		vs, err := c.viewsFor(ctx, Everything())
		if err != nil {
			t.Fatal(err)
		}
		_, _ = c.InventoryFor(lctx, Listing(Load{VMs: Rows, Hosts: Rows}, Filter{}))
		cancel()
		for _, v := range vs.views {
			if v.Value != "" {
				created = append(created, v)
			}
		}
		if err := c.Close(lctx); err != nil {
			t.Fatal(err)
		}
	}
	if len(created) < 3*2 {
		t.Fatalf("the loads created %d views; want at least 2 each", len(created))
	}
	// Resume the session and ask it for each view.
	c, err := Connect(ctx, cfg, WithSessionCache(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if c.Relogins() != 0 {
		t.Fatal("the cached session was not resumed")
	}
	alive := 0
	for _, v := range created {
		res, err := methods.RetrievePropertiesEx(ctx, c.vim, &types.RetrievePropertiesEx{
			This: c.vim.ServiceContent.PropertyCollector,
			SpecSet: []types.PropertyFilterSpec{{
				ObjectSet: []types.ObjectSpec{{Obj: v}},
				PropSet:   []types.PropertySpec{{Type: "ContainerView", PathSet: []string{"type"}}},
			}},
		})
		if err == nil && res.Returnval != nil && len(res.Returnval.Objects) > 0 {
			alive++
		}
	}
	if alive > 0 {
		t.Errorf("%d of the %d views the loads created are alive in the cached session; want none", alive, len(created))
	}
}
