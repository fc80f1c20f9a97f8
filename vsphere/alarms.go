package vsphere

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// Triggered alarms
//
// vCenter keeps, in every managed entity's triggeredAlarmState, the
// alarms triggered on the entity or on any of its descendants: the
// inventory's root folder holds every triggered alarm, each naming its
// own entity. So the alarms across the inventory are one property of one
// object, whatever its size, where reading each entity's would cost a
// path over every VM (about a second at 10,000 VMs on vcsim). The names
// of the few entities and alarms they refer to take one request more,
// and a watch asks again only for those it has not seen.
//
// declaredAlarmState (the state of every alarm that applies to an
// entity, mostly green) is not read for the list: over the inventory it
// is one row per alarm definition and entity, tens of thousands at 10,000
// VMs, and its red and yellow rows are the triggered ones.

// Alarm is an alarm triggered on an entity: one item of a
// triggeredAlarmState. Its JSON field names are a stable contract.
type Alarm struct {
	// Key is vCenter's key of the alarm state: the same alarm on the same
	// entity keeps it while it stays triggered.
	Key string `json:"key" yaml:"key"`
	// Alarm is the alarm's name, or its ID when it cannot be read.
	Alarm    string `json:"alarm" yaml:"alarm"`
	AlarmRef Ref    `json:"-" yaml:"-"`
	// EntityName is the name of the entity the alarm is triggered on, and
	// EntityType its kind: vm, host, cluster, datastore, network,
	// datacenter, folder, pool or the managed-object type of another.
	EntityName string `json:"entity" yaml:"entity"`
	EntityType string `json:"entity_type" yaml:"entity_type"`
	Entity     Ref    `json:"-" yaml:"-"`
	// Status is red or yellow.
	Status string    `json:"status" yaml:"status"`
	Time   time.Time `json:"time" yaml:"time"`
	// Acknowledged says whether someone acknowledged it, who and when.
	Acknowledged     bool      `json:"acknowledged" yaml:"acknowledged"`
	AcknowledgedBy   string    `json:"acknowledged_by,omitempty" yaml:"acknowledged_by,omitempty"`
	AcknowledgedTime time.Time `json:"acknowledged_time,omitzero" yaml:"acknowledged_time,omitempty"`
}

// Alarm statuses, as Alarm.Status reports them.
const (
	AlarmRed    = "red"
	AlarmYellow = "yellow"
)

// entityTypes names the kinds of entity an alarm is triggered on.
var entityTypes = map[string]string{
	"VirtualMachine": "vm", "HostSystem": "host", "ClusterComputeResource": "cluster",
	"ComputeResource": "host", "Datastore": "datastore", "Network": "network",
	"DistributedVirtualPortgroup": "network", "OpaqueNetwork": "network", "Datacenter": "datacenter",
	"Folder": "folder", "ResourcePool": "pool", "VirtualApp": "vapp", "StoragePod": "datastore-cluster",
	"VmwareDistributedVirtualSwitch": "dvs", "DistributedVirtualSwitch": "dvs",
}

// EntityKind returns the kind Alarm.EntityType names for a managed-object
// type: vm, host, cluster...; a type it does not know, as is.
func EntityKind(moType string) string { return cmp.Or(entityTypes[moType], moType) }

// Alarms reads every alarm triggered across the inventory, in two or three
// requests whatever its size: the root folder's triggeredAlarmState, then
// the names of the entities and alarms it refers to. They come sorted as
// the alarms view shows them first: red before yellow, newest first.
func (c *Client) Alarms(ctx context.Context) ([]Alarm, error) {
	return c.TriggeredAlarms(ctx, []Ref{mo.ToRef(c.vim.ServiceContent.RootFolder)})
}

// TriggeredAlarms reads the alarms triggered on entities or their
// descendants (their triggeredAlarmState), named, each once however many
// of the entities report it (a host's alarm is also its cluster's). It
// only reads: see gate for acknowledging and resetting.
func (c *Client) TriggeredAlarms(ctx context.Context, entities []Ref) ([]Alarm, error) {
	if len(entities) == 0 {
		return []Alarm{}, nil
	}
	var states []types.AlarmState
	err := conn.Retrieve(ctx, c.conn, mo.RefsSpec(entities, "triggeredAlarmState"), func(oc types.ObjectContent) {
		for _, p := range oc.PropSet {
			states = append(states, asAlarmStates(p.Val)...)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("read the triggered alarms of %d objects from %s: %w", len(entities), c.Host(), err)
	}
	n := alarmNames{}
	if err := n.learn(ctx, c, states); err != nil {
		return nil, err
	}
	return n.alarms(states), nil
}

// asAlarmStates returns a triggeredAlarmState's value as decoded.
func asAlarmStates(v any) []types.AlarmState {
	switch s := v.(type) {
	case types.ArrayOfAlarmState:
		return s.AlarmState
	case []types.AlarmState:
		return s
	}
	return nil
}

// alarmNames are the names of the entities and alarms that alarm states
// refer to, as far as read.
type alarmNames map[Ref]string

// learn reads, in one request, the names of the entities and alarms of
// states it does not know yet. An object gone meanwhile keeps no name.
func (n alarmNames) learn(ctx context.Context, c *Client, states []types.AlarmState) error {
	var unknown []Ref
	for _, s := range states {
		for _, r := range []Ref{mo.ToRef(s.Entity), mo.ToRef(s.Alarm)} {
			if _, ok := n[r]; !ok {
				n[r] = "" // asked once
				unknown = append(unknown, r)
			}
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	spec := mo.RefsSpec(unknown, "name")
	for i := range spec.PropSet {
		if spec.PropSet[i].Type == "Alarm" {
			spec.PropSet[i].PathSet = []string{"info.name"}
		}
	}
	err := conn.Retrieve(ctx, c.conn, spec, func(oc types.ObjectContent) {
		for _, p := range oc.PropSet {
			n[mo.ToRef(oc.Obj)] = mo.AsString(p.Val)
		}
	})
	if err != nil {
		for _, r := range unknown {
			delete(n, r) // asked again next time
		}
		return fmt.Errorf("read the names of %d alarms and their objects from %s: %w", len(unknown), c.Host(), err)
	}
	return nil
}

// alarms returns states as Alarms, each key once, named, in the order
// Alarms documents.
func (n alarmNames) alarms(states []types.AlarmState) []Alarm {
	out := []Alarm{}
	seen := map[string]bool{}
	for _, s := range states {
		if seen[s.Key] {
			continue
		}
		seen[s.Key] = true
		entity, alarm := mo.ToRef(s.Entity), mo.ToRef(s.Alarm)
		a := Alarm{
			Key: s.Key, Alarm: cmp.Or(n[alarm], alarm.Value), AlarmRef: alarm,
			EntityName: cmp.Or(n[entity], entity.Value), EntityType: EntityKind(entity.Type), Entity: entity,
			Status: string(s.OverallStatus), Time: s.Time, Acknowledged: mo.IsTrue(s.Acknowledged),
			AcknowledgedBy: s.AcknowledgedByUser,
		}
		if s.AcknowledgedTime != nil {
			a.AcknowledgedTime = *s.AcknowledgedTime
		}
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b Alarm) int {
		return cmp.Or(Severity(b.Status)-Severity(a.Status), b.Time.Compare(a.Time), cmp.Compare(a.Key, b.Key))
	})
	return out
}

// Severity orders alarm statuses: red (2) above yellow (1) above the
// rest (0).
func Severity(status string) int {
	switch status {
	case AlarmRed:
		return 2
	case AlarmYellow:
		return 1
	}
	return 0
}

// AlarmUpdate is the state of an alarm watch at one moment: its Data is
// the triggered alarms (ordered as Alarms orders them), nil until the
// first load arrives.
type AlarmUpdate = Update[[]Alarm]

// AlarmWatch keeps the triggered alarms current from property updates of
// the root folder's triggeredAlarmState; it never polls. Like Watch, it
// keeps the last list when the connection drops, marks it stale and
// reconnects with backoff.
type AlarmWatch = Stream[[]Alarm]

// WatchAlarms starts an alarm watch that runs until ctx is cancelled.
func (c *Client) WatchAlarms(ctx context.Context) *AlarmWatch {
	return startStream(ctx, c, "alarm watch", defaultBackoff, c.streamAlarms)
}

// streamAlarms follows the root folder's triggeredAlarmState until an
// error, naming what it refers to as it comes.
func (c *Client) streamAlarms(ctx context.Context, publish func([]Alarm, ConnState)) (synced bool, err error) {
	root := c.vim.ServiceContent.RootFolder
	spec := types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: root}},
		PropSet:   []types.PropertySpec{{Type: root.Type, PathSet: []string{"triggeredAlarmState"}}},
	}
	n := alarmNames{}
	var states []types.AlarmState
	err = conn.Follow(ctx, c.conn, spec, 0, func(updates []types.ObjectUpdate, truncated bool) error {
		mo.ApplyUpdates(updates, func(_ Ref, _ string, v any) { states = asAlarmStates(v) }, func(Ref) { states = nil })
		if truncated {
			return nil
		}
		if err := n.learn(ctx, c, states); err != nil {
			return err
		}
		synced = true
		publish(n.alarms(states), Live)
		return nil
	})
	if err != nil {
		err = fmt.Errorf("watch alarms on %s: %w", c.Host(), err)
	}
	return synced, err
}
