package vsphere

import (
	"context"
	"sync"
	"time"

	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere/internal/conn"
)

// ConnState says how current a watch's inventory is.
type ConnState int

const (
	// Syncing means the first full load is still arriving.
	Syncing ConnState = iota
	// Live means changes arrive as they happen.
	Live
	// Reconnecting means the connection dropped: the inventory is stale and
	// the watch retries with backoff.
	Reconnecting
)

func (s ConnState) String() string {
	switch s {
	case Syncing:
		return "syncing"
	case Live:
		return "connected"
	case Reconnecting:
		return "reconnecting"
	}
	return "unknown"
}

// WatchUpdate is the state of an inventory watch at one moment: its Data
// is the latest inventory, nil until the first page arrives.
type WatchUpdate = Update[*Inventory]

// WatchOptions tunes a watch.
type WatchOptions struct {
	// Screen is how many VMs, first by name, load ahead of the rest, so
	// that the first screen of the VM list shows at once (see
	// previewFirst). Zero publishes nothing until the whole inventory is
	// in.
	Screen int
	// PageSize bounds the objects in one update of the first load. Zero
	// means 1000.
	PageSize int32
	// MinBackoff and MaxBackoff bound the wait between reconnect attempts.
	// Zero means 500ms and 30s.
	MinBackoff, MaxBackoff time.Duration
}

// previewEvery spaces the states published while the first load streams
// in behind its first screen. Each cost a resolved, sorted snapshot, 25 ms
// at 10,000 VMs, and vcsim sends pages of 100 objects: publishing each
// page made the TUI's load 7.6 s where the load alone takes 3.9 s. (A
// state now costs the rows new since the last, see previewInventory, but
// the terminal UI still sorts and draws each.)
const previewEvery = 250 * time.Millisecond

// Watch keeps an inventory current from property updates
// (WaitForUpdatesEx on the session's container views); it never polls.
// It first publishes the first screen of VMs (WatchOptions.Screen), then
// more VMs as they arrive, then the whole inventory, live. When the
// connection drops it keeps the last inventory, marks it stale and
// reconnects with backoff, then resyncs from a fresh load, publishing
// nothing until that is complete.
type Watch = Stream[*Inventory]

// Watch starts a watch that runs until ctx is cancelled.
func (c *Client) Watch(ctx context.Context, opts WatchOptions) *Watch {
	if opts.PageSize <= 0 {
		opts.PageSize = 1000
	}
	b := defaultBackoff
	if opts.MinBackoff > 0 {
		b.min = opts.MinBackoff
	}
	if opts.MaxBackoff > 0 {
		b.max = opts.MaxBackoff
	}
	published := false
	return startStream(ctx, c, "watch", b, func(ctx context.Context, publish func(*Inventory, ConnState)) (bool, error) {
		first := !published
		return c.streamInventory(ctx, opts, first, func(inv *Inventory, state ConnState) {
			published = true
			publish(inv, state)
		})
	})
}

// followers is how many property collectors a watch follows at once,
// with what it loads split over them (see viewSet.filterSpecs): the VM
// row's and the host row's paths in two halves, the other kinds with the
// second. Decoding
// the first load is the client's biggest cost (90% of its CPU at 10,000
// VMs), and split in two it runs on two cores: the load takes 1.3 to
// 1.8 s instead of 2.0 to 2.5 s on vtui's simulator. vCenter serves
// collectors on threads of its own. At most 8: split.go keeps a bit per
// filter.
const followers = 2

// streamInventory loads everything into a fresh store through property
// collectors of its own (followers) and then applies changes until an
// error. On the stream's first load (first) it shows the first screen
// ahead and the rest as it comes; a resync publishes only once complete,
// so the last inventory stays on screen meanwhile. It reports whether the
// load completed, so the caller can reset its backoff.
//
// The first screen is asked for before the load, not beside it: on vcsim
// the two compete for the same two cores, which made the first screen
// come later (0.6 to 1.6 s instead of 0.6 to 0.9 s at 10,000 VMs) and the
// whole no sooner. For the same reason the views the load needs besides
// the VMs' are made after the first screen (on vcsim each walks the whole
// inventory: at 45,000 VMs the five took 0.6 s of the server's CPU).
func (c *Client) streamInventory(ctx context.Context, opts WatchOptions, first bool, publish func(*Inventory, ConnState)) (synced bool, err error) {
	s := newStore(Everything())
	s.parts = filterParts(Everything(), followers)
	var last time.Time // of the last state published while loading
	if first && opts.Screen > 0 {
		if err := c.previewFirst(ctx, s, opts.Screen); err != nil {
			return false, err
		}
		publish(s.inventory(), Syncing)
		last = time.Now()
	}
	vs, err := c.viewsFor(ctx, Everything())
	if err != nil {
		return false, err
	}
	specs := vs.filterSpecs(Everything(), followers)
	var mu sync.Mutex // the store, loading and publishing
	loading := len(specs)
	err = c.followAll(ctx, specs, opts.PageSize, func(from int, updates []types.ObjectUpdate, truncated, loaded bool) {
		mu.Lock()
		defer mu.Unlock()
		s.applyFrom(from, updates)
		if loaded {
			loading--
		}
		switch {
		case loading == 0:
			s.endPreview()
			synced = true
			publish(s.inventory(), Live)
			// The changed snapshot trees go out first, their sizes after:
			// at 10,000 VMs reading 1,400 layouts would hold the first
			// whole inventory back.
			switch n, err := c.followLayouts(ctx, s); {
			case err != nil:
				conn.Log(c.conn).Warn("snapshot sizes not read; they lag until the next snapshot change", "err", err)
			case n > 0:
				publish(s.inventory(), Live)
			}
		case s.preview != nil && time.Since(last) >= previewEvery:
			publish(s.inventory(), Syncing)
			last = time.Now()
		}
	})
	if err != nil {
		c.staleViews(vs, err)
	}
	return synced, err
}

// followAll follows each of specs through a collector of its own, at
// once, handing fn each update set with the index of its spec; loaded is
// true once, with the last set of that spec's first load. The first error
// ends them all, and is returned.
func (c *Client) followAll(ctx context.Context, specs []types.PropertyFilterSpec, maxObjects int32,
	fn func(from int, updates []types.ObjectUpdate, truncated, loaded bool)) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	for i, spec := range specs {
		wg.Go(func() {
			loading := true
			err := conn.Follow(ctx, c.conn, spec, maxObjects, func(updates []types.ObjectUpdate, truncated bool) error {
				fn(i, updates, truncated, loading && !truncated)
				loading = loading && truncated
				return nil
			})
			cancel(err) // the first cause stays
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}
