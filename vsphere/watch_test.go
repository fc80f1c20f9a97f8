package vsphere

import (
	"context"
	"testing"
	"time"

	"github.com/vmware/govmomi/object"
)

// nextUntil reads w until ok accepts a state, or fails after a bound that
// only a broken watch reaches.
func nextUntil(t *testing.T, w *Watch, ok func(WatchUpdate) bool) WatchUpdate {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var seq uint64
	for {
		u, err := w.Next(ctx, seq)
		if err != nil {
			t.Fatalf("watch: %v (last state %v, err %v)", err, u.State, u.Err)
		}
		if ok(u) {
			return u
		}
		seq = u.Seq
	}
}

func vmNamed(inv *Inventory, name string) VM {
	for _, v := range inv.VMs {
		if v.Name == name {
			return v
		}
	}
	return VM{}
}

func TestWatchLoadsInPagesThenFollowsChanges(t *testing.T) {
	c, _ := connectSim(t, "small")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := c.Watch(ctx, WatchOptions{PageSize: 5})
	sawPartial := false
	u := nextUntil(t, w, func(u WatchUpdate) bool {
		if u.State == Syncing && u.Data != nil {
			sawPartial = true
		}
		return u.State == Live
	})
	if !sawPartial {
		t.Errorf("with 5 objects a page, the first load was never seen partly loaded")
	}
	if len(u.Data.VMs) != 12 || vmNamed(u.Data, "web-02").PowerState != "poweredOn" {
		t.Fatalf("live inventory has %d VMs, web-02 %q; want 12 and poweredOn", len(u.Data.VMs), vmNamed(u.Data, "web-02").PowerState)
	}

	// Another client powers web-02 off; the watch shows it without a reload.
	vm := object.NewVirtualMachine(c.vim, toMoRef(vmNamed(u.Data, "web-02").Ref))
	task, err := vm.PowerOff(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := task.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	nextUntil(t, w, func(u WatchUpdate) bool {
		return u.Data != nil && vmNamed(u.Data, "web-02").PowerState == "poweredOff"
	})
}

func TestWatchMarksDataStaleAndResyncsWhenTheServerReturns(t *testing.T) {
	srv, c, restart := restartable(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := c.Watch(ctx, WatchOptions{MinBackoff: 50 * time.Millisecond, MaxBackoff: 100 * time.Millisecond})
	live := nextUntil(t, w, func(u WatchUpdate) bool { return u.State == Live })
	srv.Close()
	u := nextUntil(t, w, func(u WatchUpdate) bool { return u.State == Reconnecting })
	if u.Err == nil || u.RetryAt.IsZero() {
		t.Errorf("reconnecting state has err %v, retry at %v; want both", u.Err, u.RetryAt)
	}
	if u.Data != live.Data {
		t.Errorf("the last inventory was dropped; want it kept (stale) while reconnecting")
	}

	// The server comes back at the same address: the watch logs in again
	// and loads everything afresh.
	restart()
	back := nextUntil(t, w, func(u WatchUpdate) bool { return u.State == Live })
	if back.Data == live.Data || len(back.Data.VMs) != 12 {
		t.Errorf("after the server returned: %d VMs, same snapshot %v; want a fresh load of 12", len(back.Data.VMs), back.Data == live.Data)
	}
	if c.Relogins() == 0 {
		t.Errorf("the watch resynced without logging in again to the new server")
	}
}

// BenchmarkWatchLatency measures how long a change made by another client
// takes to reach a watch: each op toggles a VM's power and waits for the
// watch to show the new state. Run with -benchtime 20x.
func BenchmarkWatchLatency(b *testing.B) {
	c, _ := connectSim(b, "demo")
	benchWatchLatency(b, c, c)
}

// BenchmarkWatchLatencyLarge is BenchmarkWatchLatency with the whole large
// preset (10,000 VMs, 1,000 hosts) watched, the power toggled by a client
// of its own, as a TUI sees another admin's change:
//
//	go test -run '^$' -bench WatchLatencyLarge -benchtime 20x ./vsphere/
func BenchmarkWatchLatencyLarge(b *testing.B) {
	benchWatchLatency(b, largeClient(b), largeClient(b))
}

// benchWatchLatency toggles a VM's power through other and waits for a
// watch on c to show each change.
func benchWatchLatency(b *testing.B, c, other *Client) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := c.Watch(ctx, WatchOptions{})
	var seq uint64
	wait := func(ok func(*Inventory) bool) {
		for {
			u, err := w.Next(ctx, seq)
			if err != nil {
				b.Fatal(err)
			}
			seq = u.Seq
			if u.State == Live && u.Data != nil && ok(u.Data) {
				return
			}
		}
	}
	var web VM
	wait(func(inv *Inventory) bool { web = inv.VMs[0]; return true })
	vm := object.NewVirtualMachine(other.vim, toMoRef(web.Ref))
	state := web.PowerState
	b.ResetTimer()
	for b.Loop() {
		var task *object.Task
		var err error
		if state == "poweredOn" {
			task, err = vm.PowerOff(ctx)
			state = "poweredOff"
		} else {
			task, err = vm.PowerOn(ctx)
			state = "poweredOn"
		}
		if err == nil {
			err = task.Wait(ctx)
		}
		if err != nil {
			b.Fatal(err)
		}
		wait(func(inv *Inventory) bool { return vmNamed(inv, web.Name).PowerState == state })
	}
}
