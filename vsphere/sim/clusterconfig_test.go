package sim

import (
	"context"
	"testing"
	"time"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/types"
)

// TestClusterConfigReachesWatchersAndOtherClients: a reconfiguration by one
// client (as govc would send it) is seen by another's watch, and by a
// plain read, with the fields vcsim alone drops.
func TestClusterConfigReachesWatchersAndOtherClients(t *testing.T) {
	s := startPreset(t, "small")
	admin, watcher := login(t, s), login(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cl, err := find.NewFinder(admin.Client, false).ClusterComputeResource(ctx, "/dc-01/host/cluster-a")
	if err != nil {
		t.Fatal(err)
	}
	seen := make(chan string, 1)
	go func() {
		pc := property.DefaultCollector(watcher.Client)
		_ = property.Wait(ctx, pc, cl.Reference(), []string{"configurationEx"}, func(ch []types.PropertyChange) bool {
			for _, c := range ch {
				if cfg, ok := c.Val.(types.ClusterConfigInfoEx); ok && cfg.DrsConfig.VmotionRate == 1 {
					seen <- string(cfg.DasConfig.HostMonitoring)
					return true
				}
			}
			return false
		})
	}()
	task, err := cl.Reconfigure(ctx, &types.ClusterConfigSpecEx{
		DasConfig: &types.ClusterDasConfigInfo{HostMonitoring: "disabled", DefaultVmSettings: &types.ClusterDasVmSettings{IsolationResponse: "powerOff"}},
		DrsConfig: &types.ClusterDrsConfigInfo{VmotionRate: 1},
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := task.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case hm := <-seen:
		if hm != "disabled" {
			t.Errorf("the watcher saw hostMonitoring %q; want disabled", hm)
		}
	case <-ctx.Done():
		t.Fatal("the watcher never saw the new configuration")
	}
	cfg, err := cl.Configuration(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DrsConfig.VmotionRate != 1 || cfg.DasConfig.DefaultVmSettings == nil || cfg.DasConfig.DefaultVmSettings.IsolationResponse != "powerOff" ||
		cfg.DasConfig.Enabled == nil || !*cfg.DasConfig.Enabled {
		t.Errorf("read back %+v; want vmotionRate 1, isolation powerOff, HA still enabled (merged, not replaced)", cfg.DasConfig)
	}
	// An out-of-range rate fails the task and changes nothing.
	task, _ = cl.Reconfigure(ctx, &types.ClusterConfigSpecEx{DrsConfig: &types.ClusterDrsConfigInfo{VmotionRate: 9}}, true)
	if err := task.Wait(ctx); err == nil {
		t.Error("vmotionRate 9 was accepted")
	}
}
