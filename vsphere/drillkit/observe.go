package drillkit

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// Observation is one thing seen to happen to a cluster's hosts or VMs: a
// property change or an event. Observations are numbered in the order they
// arrived, none skipped: a drill's evidence, where a screen's Watch keeps
// only the latest state.
type Observation struct {
	Seq int `json:"seq"`
	// Time is when it happened: an event's own time, or when vtui received
	// a property change.
	Time time.Time   `json:"time"`
	Ref  vsphere.Ref `json:"-"`
	Name string      `json:"object"`
	// Property and Value are a property change: "runtime.connectionState"
	// became "notResponding". Value is "" for an unset property.
	Property string `json:"property,omitempty"`
	Value    string `json:"value,omitempty"`
	// Event is an event's type, e.g. "VmRestartedOnAlternateHostEvent",
	// with its key, its host, and for a restart the host it came from.
	Event      string `json:"event,omitempty"`
	EventKey   int32  `json:"event_key,omitempty"`
	Host       string `json:"host,omitempty"`
	SourceHost string `json:"source_host,omitempty"`
	Message    string `json:"message,omitempty"`
}

// The properties an Observer follows.
var (
	observedVM   = []string{"name", "runtime.host", "runtime.powerState", "runtime.connectionState", "config.instanceUuid"}
	observedHost = []string{"name", "runtime.connectionState", "runtime.inMaintenanceMode"}
)

// Observer records, from the moment it starts, every property change of
// some VMs and hosts and every event about a cluster, through property
// updates (WaitForUpdatesEx) and an event history collector read to the
// end after each update: it never polls, and loses nothing. It runs until
// its context ends.
type Observer struct {
	mu  sync.Mutex
	obs []Observation
	// published counts the observations handed out: a batch is published
	// whole, its property changes with its events.
	published int
	wake      chan struct{}
	err       error
	done      bool
	// names of the objects, for property changes that do not carry one.
	names map[vsphere.Ref]string
}

// Observe starts an observer of vms and hosts, and of the events of
// cluster (and everything in it) posted from now on. The first
// observations are the objects' current state.
func Observe(ctx context.Context, c *vsphere.Client, cluster vsphere.Ref, vms, hosts []vsphere.Ref) (*Observer, error) {
	start := time.Now()
	col, err := eventCursor(ctx, c, cluster, start)
	if err != nil {
		return nil, err
	}
	o := &Observer{wake: make(chan struct{}), names: map[vsphere.Ref]string{}}
	spec := types.PropertyFilterSpec{ObjectSet: []types.ObjectSpec{{Obj: col}}, PropSet: []types.PropertySpec{
		{Type: "VirtualMachine", PathSet: observedVM},
		{Type: "HostSystem", PathSet: observedHost},
		{Type: "EventHistoryCollector", PathSet: []string{"latestPage"}},
	}}
	for _, r := range append(append([]vsphere.Ref{}, vms...), hosts...) {
		spec.ObjectSet = append(spec.ObjectSet, types.ObjectSpec{Obj: mo.ToMoRef(r)})
	}
	go func() {
		defer conn.DestroyCollector(c.Conn(), col)
		err := conn.Follow(ctx, c.Conn(), spec, 0, func(updates []types.ObjectUpdate, _ bool) error {
			// A batch's property changes and the events posted by then are
			// handed out together, so a reader never sees one without the
			// other.
			defer o.notify()
			o.record(updates)
			return o.drain(ctx, c, col)
		})
		o.stop(err)
	}()
	return o, nil
}

// eventCursor creates an event history collector of the events about
// cluster posted since begin, positioned at the oldest.
func eventCursor(ctx context.Context, c *vsphere.Client, cluster vsphere.Ref, begin time.Time) (types.ManagedObjectReference, error) {
	res, err := methods.CreateCollectorForEvents(ctx, conn.VIM(c.Conn()), &types.CreateCollectorForEvents{
		This: *conn.VIM(c.Conn()).ServiceContent.EventManager,
		Filter: types.EventFilterSpec{
			Entity: &types.EventFilterSpecByEntity{Entity: mo.ToMoRef(cluster), Recursion: types.EventFilterSpecRecursionOptionAll},
			Time:   &types.EventFilterSpecByTime{BeginTime: types.NewTime(begin.Add(-time.Second))},
		},
	})
	if err != nil {
		return types.ManagedObjectReference{}, fmt.Errorf("create an event cursor on %s: %w", c.Host(), err)
	}
	if _, err := methods.RewindCollector(ctx, conn.VIM(c.Conn()), &types.RewindCollector{This: res.Returnval}); err != nil {
		conn.DestroyCollector(c.Conn(), res.Returnval)
		return types.ManagedObjectReference{}, fmt.Errorf("rewind the event cursor: %w", err)
	}
	return res.Returnval, nil
}

// record adds the property changes of updates.
func (o *Observer) record(updates []types.ObjectUpdate) {
	now := time.Now()
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, u := range updates {
		ref := mo.ToRef(u.Obj)
		if ref.Type == "EventHistoryCollector" {
			continue
		}
		for _, ch := range u.ChangeSet {
			if ch.Name == "name" {
				o.names[ref] = mo.AsString(ch.Val)
			}
		}
		for _, ch := range u.ChangeSet {
			if ch.Name == "name" {
				continue
			}
			v := mo.AsString(ch.Val)
			switch val := ch.Val.(type) {
			case types.ManagedObjectReference:
				v = val.Value
			case bool:
				v = fmt.Sprint(val)
			case types.VirtualMachineConnectionState:
				v = string(val)
			}
			if ch.Op == types.PropertyChangeOpRemove {
				v = ""
			}
			o.add(Observation{Time: now, Ref: ref, Name: o.names[ref], Property: ch.Name, Value: v})
		}
	}
}

// drain reads every event the cursor has not handed out yet.
func (o *Observer) drain(ctx context.Context, c *vsphere.Client, col types.ManagedObjectReference) error {
	return readNext(ctx, c, col, func(page []types.BaseEvent) {
		o.mu.Lock()
		defer o.mu.Unlock()
		for _, be := range page {
			o.add(observationOf(be))
		}
	})
}

// readNext hands each page of the events the cursor col has not handed
// out yet to each, oldest first, until none is left.
func readNext(ctx context.Context, c *vsphere.Client, col types.ManagedObjectReference, each func([]types.BaseEvent)) error {
	for {
		res, err := methods.ReadNextEvents(ctx, conn.VIM(c.Conn()), &types.ReadNextEvents{This: col, MaxCount: vsphere.MaxEvents})
		if err != nil {
			return fmt.Errorf("read events: %w", err)
		}
		if len(res.Returnval) == 0 {
			return nil
		}
		each(res.Returnval)
	}
}

// EventsSince returns every event about cluster and everything in it
// posted since begin, oldest first: who changed what during a drill.
func EventsSince(ctx context.Context, c *vsphere.Client, cluster vsphere.Ref, begin time.Time) ([]vsphere.Event, error) {
	col, err := eventCursor(ctx, c, cluster, begin)
	if err != nil {
		return nil, err
	}
	defer conn.DestroyCollector(c.Conn(), col)
	var out []vsphere.Event
	err = readNext(ctx, c, col, func(page []types.BaseEvent) {
		for _, be := range page {
			out = append(out, mo.EventOf(be))
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// observationOf turns an event into an observation.
func observationOf(be types.BaseEvent) Observation {
	ev := mo.EventOf(be)
	e := be.GetEvent()
	ob := Observation{Time: ev.Time, Ref: ev.ObjectRef, Name: ev.Object, Event: ev.Type, EventKey: ev.Key, Message: ev.Message}
	if e.Host != nil {
		ob.Host = e.Host.Name
	}
	switch x := be.(type) {
	case *types.VmRestartedOnAlternateHostEvent:
		ob.SourceHost = x.SourceHost.Name
	case *types.DasHostFailedEvent:
		ob.Ref, ob.Name, ob.Host = mo.ToRef(x.FailedHost.Host), x.FailedHost.Name, x.FailedHost.Name
	case *types.DasHostIsolatedEvent:
		ob.Ref, ob.Name, ob.Host = mo.ToRef(x.IsolatedHost.Host), x.IsolatedHost.Name, x.IsolatedHost.Name
	case *types.VmMigratedEvent:
		ob.SourceHost = x.SourceHost.Name
	}
	return ob
}

// add numbers and appends ob; the caller holds mu.
func (o *Observer) add(ob Observation) {
	ob.Seq = len(o.obs) + 1
	o.obs = append(o.obs, ob)
}

// notify wakes the readers waiting in Next.
func (o *Observer) notify() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.published = len(o.obs)
	close(o.wake)
	o.wake = make(chan struct{})
}

func (o *Observer) stop(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.done, o.err = true, err
	close(o.wake)
	o.wake = make(chan struct{})
}

// Next blocks until there are observations after the first after ones,
// and returns them. It returns ctx's error, or the observer's own once it
// stopped (the connection was lost).
func (o *Observer) Next(ctx context.Context, after int) ([]Observation, error) {
	for {
		o.mu.Lock()
		n, done, err, wake := o.published, o.done, o.err, o.wake
		var out []Observation
		if n > after {
			out = append(out, o.obs[after:n]...)
		}
		o.mu.Unlock()
		switch {
		case len(out) > 0:
			return out, nil
		case done:
			if err == nil {
				err = context.Canceled
			}
			return nil, fmt.Errorf("the observer stopped: %w", err)
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
