package sim

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/vmware/govmomi/vim25/types"
)

// TestNothingOutlivesClose: a task still in its delay when the server
// closes is stopped and waited for, and the simulator's home directory is
// gone afterwards.
func TestNothingOutlivesClose(t *testing.T) {
	s, c, inv := simEnv(t)
	home, err := vcsimHome(s.Model().Service.Context)
	if err != nil {
		t.Fatal(err)
	}
	s.SetTaskDelay("RelocateVm", time.Minute)
	agents := s.vc.running.Load() // the loops that run as long as the server (sessions.go)
	ctx := context.Background()
	vm, to := inv.vm(t, "web-01"), inv.host(t, "esx-a-03.lab.local")
	go func() { _ = relocateVM(ctx, c, vm.Self, types.VirtualMachineRelocateSpec{Host: &to.Self}) }()
	deadline := time.Now().Add(10 * time.Second)
	for s.vc.running.Load() == agents && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if s.vc.running.Load() == agents {
		t.Fatal("the delayed relocation never started")
	}
	start := time.Now()
	s.Close()
	if n := s.vc.running.Load(); n != 0 {
		t.Errorf("%d background pieces outlived Close", n)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("Close waited %s for a task delayed by a minute; the delay must end with the server", d)
	}
	if _, err := os.Stat(home); !os.IsNotExist(err) {
		t.Errorf("the simulator's home %s is still there after Close (%v)", home, err)
	}
}
