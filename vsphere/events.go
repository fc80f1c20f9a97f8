package vsphere

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

const (
	// DefaultEvents is how many events Events and WatchEvents return when
	// asked for zero or fewer.
	DefaultEvents = 100
	// MaxEvents is the most events Events and WatchEvents return: the
	// largest page an event history collector serves.
	MaxEvents = 1000
)

// Events returns the latest n events, newest first, of the given types
// (class names such as "VmPoweredOffEvent", or extension type IDs); no
// types means all. n is capped at MaxEvents; zero or less means
// DefaultEvents.
func (c *Client) Events(ctx context.Context, n int, eventTypes ...string) ([]Event, error) {
	return c.readEvents(ctx, n, types.EventFilterSpec{EventTypeId: eventTypes})
}

// EventsAbout returns the latest n events about the object ref itself
// (not its children), newest first; n is capped as Events caps it.
func (c *Client) EventsAbout(ctx context.Context, ref Ref, n int) ([]Event, error) {
	return c.readEvents(ctx, n, types.EventFilterSpec{
		Entity: &types.EventFilterSpecByEntity{Entity: mo.ToMoRef(ref), Recursion: types.EventFilterSpecRecursionOptionSelf}})
}

// readEvents reads the latest page of an event collector of filter.
func (c *Client) readEvents(ctx context.Context, n int, filter types.EventFilterSpec) ([]Event, error) {
	n = eventPageSize(n)
	col, err := c.createEventCollector(ctx, n, filter)
	if err != nil {
		return nil, fmt.Errorf("read events from %s: %w", c.Host(), err)
	}
	defer conn.DestroyCollector(c.conn, col)
	var page []types.BaseEvent
	err = conn.Retrieve(ctx, c.conn, latestPageSpec(col), func(oc types.ObjectContent) {
		for _, p := range oc.PropSet {
			page = asEvents(p.Val)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("read events from %s: %w", c.Host(), err)
	}
	return toEvents(page, n), nil
}

// EventUpdate is the state of an event watch at one moment: its Data is
// the latest events, newest first, nil until the first page arrives.
type EventUpdate = Update[[]Event]

// EventWatch keeps the latest events current; it never polls. It follows
// the latestPage of an event history collector with property updates, and
// merges each page into the events it holds. The page is short
// (eventTail): the server sends the whole page on every new event, and
// vcsim copies it for every change anywhere, so a long one costs on every
// event. The first load, and a page with nothing the watch already holds
// (events may have been missed), read the latest events in full. Like
// Watch, it keeps the last events when the connection drops, marks them
// stale and reconnects with backoff (with a new collector).
type EventWatch = Stream[[]Event]

// eventTail is the most events an EventWatch receives per update.
const eventTail = 50

// WatchEvents starts an event watch of the latest n events (capped at
// MaxEvents; zero or less means DefaultEvents) that runs until ctx is
// cancelled.
func (c *Client) WatchEvents(ctx context.Context, n int) *EventWatch {
	n = eventPageSize(n)
	return startStream(ctx, c, "event watch", defaultBackoff, func(ctx context.Context, publish func([]Event, ConnState)) (bool, error) {
		return c.streamEvents(ctx, n, publish)
	})
}

// streamEvents creates a collector and follows its latest page until an
// error, reporting whether the events were loaded.
func (c *Client) streamEvents(ctx context.Context, n int, publish func([]Event, ConnState)) (synced bool, err error) {
	tail := min(n, eventTail)
	col, err := c.createEventCollector(ctx, tail, types.EventFilterSpec{})
	if err != nil {
		return false, fmt.Errorf("watch events on %s: %w", c.Host(), err)
	}
	defer conn.DestroyCollector(c.conn, col)
	var held []Event
	err = conn.Follow(ctx, c.conn, latestPageSpec(col), 0, func(updates []types.ObjectUpdate, _ bool) error {
		var page []types.BaseEvent
		mo.ApplyUpdates(updates, func(_ Ref, _ string, v any) { page = asEvents(v) }, func(Ref) {})
		events := toEvents(page, tail)
		if tail < n && (!synced || missedEvents(held, events, tail)) {
			all, err := c.Events(ctx, n)
			if err != nil {
				return err
			}
			held = all
		}
		held = mergeEvents(held, events, n)
		synced = true
		publish(held, Live)
		return nil
	})
	if err != nil {
		err = fmt.Errorf("watch events on %s: %w", c.Host(), err)
	}
	return synced, err
}

// missedEvents reports whether events older than a full page, newest
// first, may be missing from held: the page has none of held's events.
func missedEvents(held, page []Event, tail int) bool {
	return len(page) == tail && (len(held) == 0 || page[len(page)-1].Key > held[0].Key)
}

// mergeEvents returns the union of two newest-first lists, newest first and
// at most n long, in a new slice.
func mergeEvents(a, b []Event, n int) []Event {
	out := make([]Event, 0, min(len(a)+len(b), n))
	for len(out) < n && (len(a) > 0 || len(b) > 0) {
		switch {
		case len(b) == 0 || len(a) > 0 && a[0].Key > b[0].Key:
			out, a = append(out, a[0]), a[1:]
		case len(a) == 0 || b[0].Key > a[0].Key:
			out, b = append(out, b[0]), b[1:]
		default: // the same event
			out, a, b = append(out, b[0]), a[1:], b[1:]
		}
	}
	return out
}

// eventPageSize clamps a requested number of events.
func eventPageSize(n int) int {
	if n <= 0 {
		return DefaultEvents
	}
	return min(n, MaxEvents)
}

// createEventCollector creates an event history collector of filter
// whose latest page holds n events. It lives in the session until
// destroyCollector.
func (c *Client) createEventCollector(ctx context.Context, n int, filter types.EventFilterSpec) (types.ManagedObjectReference, error) {
	res, err := methods.CreateCollectorForEvents(ctx, c.vim, &types.CreateCollectorForEvents{
		This:   *c.vim.ServiceContent.EventManager,
		Filter: filter,
	})
	if err != nil {
		return types.ManagedObjectReference{}, fmt.Errorf("create event collector: %w", err)
	}
	col := res.Returnval
	if _, err := methods.SetCollectorPageSize(ctx, c.vim, &types.SetCollectorPageSize{This: col, MaxCount: int32(n)}); err != nil {
		conn.DestroyCollector(c.conn, col)
		return types.ManagedObjectReference{}, fmt.Errorf("set event page size to %d: %w", n, err)
	}
	return col, nil
}

func latestPageSpec(col types.ManagedObjectReference) types.PropertyFilterSpec {
	return types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: col}},
		PropSet:   []types.PropertySpec{{Type: col.Type, PathSet: []string{"latestPage"}}},
	}
}

func asEvents(v any) []types.BaseEvent {
	switch a := v.(type) {
	case types.ArrayOfEvent:
		return a.Event
	case []types.BaseEvent:
		return a
	}
	return nil
}

// toEvents converts a page, which the API leaves unordered, into at most n
// events, newest first.
func toEvents(page []types.BaseEvent, n int) []Event {
	out := make([]Event, 0, len(page))
	for _, be := range page {
		out = append(out, mo.EventOf(be))
	}
	slices.SortFunc(out, func(a, b Event) int { return cmp.Compare(b.Key, a.Key) })
	return out[:min(len(out), n)]
}

var baseEvent = reflect.TypeFor[types.BaseEvent]()

// isEventClass reports whether name is a vSphere event class.
func isEventClass(name string) bool {
	t, ok := types.TypeFunc()(name)
	return ok && reflect.PointerTo(t).Implements(baseEvent)
}

// eventClassLike returns the event class that name lacks only the
// "Event" suffix or the capital of (VmMigrated, vmMigratedEvent), or "".
func eventClassLike(name string) string {
	if name == "" {
		return ""
	}
	capital := strings.ToUpper(name[:1]) + name[1:]
	for _, c := range []string{capital, capital + "Event"} {
		if isEventClass(c) {
			return c
		}
	}
	return ""
}

// CheckEventTypes reports an error, wrapping ErrNotFound, for a name that
// is neither a vSphere event class (VmMigratedEvent, DasHostFailedEvent)
// nor an extension event's type ID, which always holds a dot
// (com.vmware.vc.HA.ClusterFailoverActionInitiatedEvent). A name that
// lacks only a class's "Event" suffix or capital gets the class suggested.
func CheckEventTypes(names []string) error {
	var unknown []string
	for _, n := range names {
		if strings.Contains(n, ".") || isEventClass(n) {
			continue
		}
		bad := strconv.Quote(n)
		if c := eventClassLike(n); c != "" {
			bad += fmt.Sprintf(" (did you mean %s?)", c)
		}
		unknown = append(unknown, bad)
	}
	if len(unknown) > 0 {
		return fmt.Errorf("no event type named %s: %w (event types are vSphere's event classes, e.g. VmMigratedEvent, "+
			"or extension IDs with dots; see the TYPE column of vtui get events)", strings.Join(unknown, ", "), ErrNotFound)
	}
	return nil
}

// Event is one entry of vCenter's event log.
type Event = mo.Event
