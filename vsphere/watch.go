package vsphere

import (
	"context"
	"time"

	"github.com/vmware/govmomi/vim25/types"
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
	// PageSize bounds the objects in one update of the first load, so the
	// first page shows early while the rest streams in. Zero means 1000.
	PageSize int32
	// MinBackoff and MaxBackoff bound the wait between reconnect attempts.
	// Zero means 500ms and 30s.
	MinBackoff, MaxBackoff time.Duration
}

// Watch keeps an inventory current from property updates
// (WaitForUpdatesEx on the session's container views); it never polls.
// When the connection drops it keeps the last inventory, marks it stale
// and reconnects with backoff, then resyncs from a fresh load.
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
	return startStream(ctx, c, "watch", b, func(ctx context.Context, publish func(*Inventory, ConnState)) (bool, error) {
		return c.streamInventory(ctx, opts, publish)
	})
}

// streamInventory loads everything into a fresh store through a new
// property collector and then applies changes until an error. It reports
// whether the first load completed, so the caller can reset its backoff.
func (c *Client) streamInventory(ctx context.Context, opts WatchOptions, publish func(*Inventory, ConnState)) (synced bool, err error) {
	vs, err := c.viewsFor(ctx, Everything())
	if err != nil {
		return false, err
	}
	s := newStore(Everything())
	err = c.follow(ctx, vs.filterSpec(Everything()), opts.PageSize, func(updates []types.ObjectUpdate, truncated bool) error {
		s.apply(updates)
		state := Live
		if truncated {
			state = Syncing
		} else {
			synced = true
		}
		publish(s.inventory(), state)
		return nil
	})
	if err != nil {
		c.staleViews(vs, err)
	}
	return synced, err
}

// apply folds property updates into the store.
func (s *store) apply(updates []types.ObjectUpdate) {
	applyUpdates(updates, s.set, s.remove)
}
