package vsphere

import (
	"context"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/mo"
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

// liveWaiter returns a wait for w's next live inventory that ok accepts:
// each wait goes on from the state the last one returned.
func liveWaiter(ctx context.Context, tb testing.TB, w *Watch) func(ok func(*Inventory) bool) {
	var seq uint64
	return func(ok func(*Inventory) bool) {
		tb.Helper()
		for {
			u, err := w.Next(ctx, seq)
			if err != nil {
				tb.Fatal(err)
			}
			seq = u.Seq
			if u.State == Live && u.Data != nil && ok(u.Data) {
				return
			}
		}
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

func TestWatchFollowsChanges(t *testing.T) {
	c, _ := connectSim(t, "small")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := c.Watch(ctx, WatchOptions{PageSize: 5})
	u := nextUntil(t, w, func(u WatchUpdate) bool { return u.Data != nil })
	if u.State != Live || len(u.Data.VMs) != 12 || vmNamed(u.Data, "web-02").PowerState != "poweredOn" {
		t.Fatalf("first state %v with %d VMs, web-02 %q; want, without a first screen, the whole load live: 12 VMs, web-02 poweredOn",
			u.State, len(u.Data.VMs), vmNamed(u.Data, "web-02").PowerState)
	}

	// Another client powers web-02 off; the watch shows it without a reload.
	vm := object.NewVirtualMachine(c.vim, mo.ToMoRef(vmNamed(u.Data, "web-02").Ref))
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

	// The cluster's usage follows, from its summary (the simulator's
	// roll-up), as get clusters reads it.
	before := clusterNamed(u.Data, vmNamed(u.Data, "web-02").Cluster)
	nextUntil(t, w, func(u WatchUpdate) bool {
		return u.Data != nil && clusterNamed(u.Data, before.Name).CPUUsageMHz < before.CPUUsageMHz
	})
}

// TestWatchDecodesLeanly: every answer a watch reads, its first screen's,
// its load's and its updates', and the snapshot layouts after, goes
// through the connection's lean decoder, values and all: none through
// govmomi's reflective one, which made most of the TUI's CPU at 45,000
// VMs.
func TestWatchDecodesLeanly(t *testing.T) {
	c, _ := connectSim(t, "demo")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := &countMethods{rt: c.vim.RoundTripper, counts: map[string]int64{}}
	c.vim.RoundTripper = calls
	before := c.conn.Decodes()
	w := c.Watch(ctx, WatchOptions{Screen: 10, PageSize: 5})
	// Live with the snapshot sizes read: the layouts are in.
	liveWaiter(ctx, t, w)(func(inv *Inventory) bool {
		return slices.ContainsFunc(inv.VMs, func(v VM) bool { return v.SnapshotCount() > 0 && v.Snapshots()[0].SizeBytes >= 0 })
	})
	// Calls first: each follower's last wait may be out still, its
	// answer not decoded yet.
	waits, retrieves := calls.count("WaitForUpdatesEx"), calls.count("RetrievePropertiesEx")+calls.count("ContinueRetrievePropertiesEx")
	after := c.conn.Decodes()
	lean, govmomi, values := after.Lean-before.Lean, after.Govmomi-before.Govmomi, after.GovmomiValues-before.GovmomiValues
	if waits == 0 || retrieves == 0 || govmomi != 0 || values != 0 || lean < retrieves+waits-followers {
		t.Errorf("%d waits and %d retrievals: %d answers decoded leanly, %d by govmomi, %d values in them by govmomi; "+
			"want each answer but the followers' last waits leanly, none by govmomi", waits, retrieves, lean, govmomi, values)
	}
}

// countMethods is a test transport that counts the calls of each SOAP
// method.
type countMethods struct {
	rt     soap.RoundTripper
	mu     sync.Mutex
	counts map[string]int64
}

func (c *countMethods) RoundTrip(ctx context.Context, req, res soap.HasFault) error {
	c.mu.Lock()
	c.counts[conn.MethodName(req)]++
	c.mu.Unlock()
	return c.rt.RoundTrip(ctx, req, res)
}

func (c *countMethods) count(method string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[method]
}

// clusterNamed returns the cluster named name in inv, or the zero Cluster.
func clusterNamed(inv *Inventory, name string) Cluster {
	for _, c := range inv.Clusters {
		if c.Name == name {
			return c
		}
	}
	return Cluster{}
}

// holdMethod is a test transport that holds back every call of one SOAP
// method until release is closed.
type holdMethod struct {
	rt      soap.RoundTripper
	method  string
	release chan struct{}
}

func (h *holdMethod) RoundTrip(ctx context.Context, req, res soap.HasFault) error {
	if conn.MethodName(req) == h.method {
		select {
		case <-h.release:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return h.rt.RoundTrip(ctx, req, res)
}

func TestWatchShowsTheFirstScreenBeforeTheLoadAndRowsNeverMove(t *testing.T) {
	c, srv := connectSim(t, "demo")
	other, err := Connect(context.Background(), configFor(srv))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(context.Background())
	firstScreenThenRowsBelow(t, c, other, 10, func() { settle(t, srv) })
}

// TestWatchFirstScreenOnPlainVcsim: the first screen and the rows below
// it come the same way from govmomi's own vcsim (its XML, its order),
// without anything only vtui's simulator does.
func TestWatchFirstScreenOnPlainVcsim(t *testing.T) {
	c, other := plainVcsimTwice(t)
	firstScreenThenRowsBelow(t, c, other, 2, func() {}) // plain vcsim has no roll-up to wait for
}

// firstScreenThenRowsBelow watches through c with a first screen of
// screen VMs, holding the whole load until it is out: it must be the
// first VMs of a one-shot snapshot, whole. Then other deletes the first
// VM, and the load goes on: each state's rows start with those shown
// before, and the end is a one-shot snapshot without the deleted VM.
// settle waits until the server's figures have followed the deletion.
func firstScreenThenRowsBelow(t *testing.T, c, other *Client, screen int, settle func()) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	before, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(before.VMs) < screen+2 {
		t.Fatalf("%d VMs; want more than a first screen of %d", len(before.VMs), screen)
	}
	// The whole load (WaitForUpdatesEx) waits until the first screen has
	// been seen.
	hold := &holdMethod{rt: c.vim.RoundTripper, method: "WaitForUpdatesEx", release: make(chan struct{})}
	c.vim.RoundTripper = hold
	w := c.Watch(ctx, WatchOptions{Screen: screen, PageSize: 5})
	first := nextUntil(t, w, func(u WatchUpdate) bool { return u.Data != nil })
	if first.State != Syncing {
		t.Fatalf("first state %v; want the first screen while the load is held (syncing)", first.State)
	}
	if got, want := plain(first.Data.VMs), plain(before.VMs[:screen]); !reflect.DeepEqual(got, want) {
		t.Fatalf("first screen:\n got %+v\nwant %+v (the first %d VMs of a one-shot snapshot)", got, want, screen)
	}
	if n := len(first.Data.Hosts) + len(first.Data.Clusters) + len(first.Data.Datastores) + len(first.Data.Networks); n != 0 {
		t.Errorf("first screen lists %d hosts, clusters, datastores and networks; want none before their VM counts are in", n)
	}

	// Meanwhile another client deletes a VM of the first screen: the load
	// does not bring it, and it goes.
	gone := object.NewVirtualMachine(other.vim, mo.ToMoRef(before.VMs[0].Ref))
	if task, err := gone.PowerOff(ctx); err == nil {
		_ = task.Wait(ctx) // a VM already off refuses; either way it is off now
	}
	task, err := gone.Destroy(ctx)
	if err == nil {
		err = task.Wait(ctx)
	}
	if err != nil {
		t.Fatalf("destroy %s: %v", before.VMs[0].Name, err)
	}
	// The cluster's VM count follows the deletion in the simulator's
	// roll-up, half a second later: the load starts after it, so that the
	// snapshot below, taken after the load, reads the same state.
	settle()
	close(hold.release)

	shown := first.Data.VMs
	last := nextUntil(t, w, func(u WatchUpdate) bool {
		// Each state's rows start with the rows shown before: rows only
		// appear below, never move or repeat. (The deleted VM goes with
		// the whole load.)
		if u.State == Syncing && !slices.EqualFunc(shown, u.Data.VMs[:min(len(shown), len(u.Data.VMs))], func(a, b VM) bool { return a.Ref == b.Ref }) {
			t.Errorf("rows moved while loading: %v then %v", names(shown, vmName), names(u.Data.VMs, vmName))
		}
		shown = u.Data.VMs
		return u.State == Live
	})
	after, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.VMs) != len(before.VMs)-1 || vmNamed(last.Data, before.VMs[0].Name).Name != "" {
		t.Errorf("loaded %d VMs, %s among them: %v; want %d, without the deleted one", len(last.Data.VMs), before.VMs[0].Name,
			vmNamed(last.Data, before.VMs[0].Name).Name != "", len(before.VMs)-1)
	}
	got, want := *last.Data, *after
	got.VMs, want.VMs = plain(got.VMs), plain(want.VMs)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the loaded inventory differs from a one-shot snapshot:\n got %+v\nwant %+v", got, want)
	}
}

func vmName(v VM) string { return v.Name }

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
	back := nextUntil(t, w, func(u WatchUpdate) bool {
		if u.State != Live && u.Data != live.Data {
			t.Errorf("while resyncing, a %v state showed %d VMs; want the last inventory kept until the new one is whole", u.State, len(u.Data.VMs))
		}
		return u.State == Live
	})
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
// preset (10,000 VMs, 960 hosts) watched, the power toggled by a client
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
	wait := liveWaiter(ctx, b, w)
	var web VM
	wait(func(inv *Inventory) bool { web = inv.VMs[0]; return true })
	vm := object.NewVirtualMachine(other.vim, mo.ToMoRef(web.Ref))
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
