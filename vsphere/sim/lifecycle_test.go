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

// TestBackgroundWorkWaitsForTheServer: a piece started before the server
// serves (an alarm evaluation the build's roll-up asks for) runs only
// once it serves, so that it never reads the registry while vcsim's
// NewServer writes it without its lock; and a server that never serves
// still stops its pieces.
func TestBackgroundWorkWaitsForTheServer(t *testing.T) {
	l := newLifecycle()
	ran := make(chan struct{})
	l.goBackground(func(context.Context) { close(ran) })
	select {
	case <-ran:
		t.Fatal("a background piece ran before the server served")
	case <-time.After(100 * time.Millisecond):
	}
	l.serve()
	select {
	case <-ran:
	case <-time.After(10 * time.Second):
		t.Fatal("a background piece did not run once the server served")
	}
	l.stop()

	never := newLifecycle()
	var cancelled bool
	never.goBackground(func(ctx context.Context) { cancelled = ctx.Err() != nil })
	never.stop() // returns: the piece runs, with its context cancelled
	if !cancelled {
		t.Error("a piece of a server that closed before serving ran with a live context")
	}
}
