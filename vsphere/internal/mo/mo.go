package mo

import (
	"cmp"
	"reflect"
	"time"

	"github.com/vmware/govmomi/vim25/types"
)

// Ref identifies one managed object, e.g. {Type: "VirtualMachine", Value: "vm-42"}.
// It is comparable, so it serves as a map key. The zero Ref means "none".
type Ref struct {
	Type  string
	Value string
}

// String returns "Type:value", the form govc prints.
func (r Ref) String() string {
	if r.IsZero() {
		return ""
	}
	return r.Type + ":" + r.Value
}

// IsZero reports whether r refers to nothing.
func (r Ref) IsZero() bool { return r.Value == "" }

// ToRef returns the plain Ref of a govmomi reference.
func ToRef(m types.ManagedObjectReference) Ref { return Ref{Type: m.Type, Value: m.Value} }

// ToMoRef returns the govmomi reference of a plain Ref.
func ToMoRef(r Ref) types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: r.Type, Value: r.Value}
}

// ToRefs returns the Refs of a property value that holds references
// (ArrayOfManagedObjectReference or a slice of them); anything else gives none.
func ToRefs(v any) []Ref {
	var in []types.ManagedObjectReference
	switch a := v.(type) {
	case types.ArrayOfManagedObjectReference:
		in = a.ManagedObjectReference
	case []types.ManagedObjectReference:
		in = a
	}
	out := make([]Ref, len(in))
	for i, m := range in {
		out[i] = ToRef(m)
	}
	return out
}

// IsTrue reports whether an optional API boolean is set and true.
func IsTrue(b *bool) bool { return b != nil && *b }

// AsRef returns the Ref a property value holds, or the zero Ref.
func AsRef(v any) Ref {
	if m, ok := v.(types.ManagedObjectReference); ok {
		return ToRef(m)
	}
	return Ref{}
}

// AsInt returns the integer a property value holds, whatever its width, or 0.
func AsInt(v any) int64 {
	switch n := v.(type) {
	case int16:
		return int64(n)
	case int32:
		return int64(n)
	case int64:
		return n
	case int:
		return int64(n)
	}
	return 0
}

// AsString returns the string a property value holds, including the
// string enums vtui reads (power, connection and tools states), or "".
func AsString(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case types.VirtualMachinePowerState:
		return string(s)
	case types.HostSystemPowerState:
		return string(s)
	case types.HostSystemConnectionState:
		return string(s)
	case types.VirtualMachineToolsStatus:
		return string(s)
	}
	return ""
}

// RefsSpec selects the properties paths of the objects refs, whatever
// their types.
func RefsSpec(refs []Ref, paths ...string) types.PropertyFilterSpec {
	spec := types.PropertyFilterSpec{}
	kinds := map[string]bool{}
	for _, r := range refs {
		spec.ObjectSet = append(spec.ObjectSet, types.ObjectSpec{Obj: ToMoRef(r)})
		if !kinds[r.Type] {
			kinds[r.Type] = true
			spec.PropSet = append(spec.PropSet, types.PropertySpec{Type: r.Type, PathSet: paths})
		}
	}
	return spec
}

// ApplyUpdates folds property updates into a store: set receives each
// assigned value (nil for a removed one), leave each object that left the
// filter.
func ApplyUpdates(updates []types.ObjectUpdate, set func(obj Ref, name string, v any), leave func(obj Ref)) {
	for _, u := range updates {
		obj := ToRef(u.Obj)
		if u.Kind == types.ObjectUpdateKindLeave {
			leave(obj)
			continue
		}
		for _, ch := range u.ChangeSet {
			switch ch.Op {
			case types.PropertyChangeOpRemove, types.PropertyChangeOpIndirectRemove:
				set(obj, ch.Name, nil)
			default:
				set(obj, ch.Name, ch.Val)
			}
		}
	}
}

// Event is one entry of vCenter's event log.
type Event struct {
	// Key increases with every event, so it orders events.
	Key  int32     `json:"key" yaml:"key"`
	Time time.Time `json:"time" yaml:"time"`
	// Type is the event's class, e.g. "VmPoweredOffEvent", or for an
	// extension event its type ID, e.g.
	// "com.vmware.vc.HA.ClusterFailoverActionInitiatedEvent".
	Type string `json:"type" yaml:"type"`
	// Message is the server's full formatted message.
	Message string `json:"message" yaml:"message"`
	// Object is the name of what the event is about, if anything: its VM,
	// else its host, cluster, datastore, network, switch or datacenter.
	Object    string `json:"object" yaml:"object"`
	ObjectRef Ref    `json:"-" yaml:"-"`
	User      string `json:"user" yaml:"user"`
}

// EventOf converts one of vCenter's events into an Event.
func EventOf(be types.BaseEvent) Event {
	e := be.GetEvent()
	ev := Event{
		Key:     e.Key,
		Time:    e.CreatedTime,
		Type:    eventType(be),
		Message: e.FullFormattedMessage,
		User:    e.UserName,
	}
	switch {
	case e.Vm != nil:
		ev.Object, ev.ObjectRef = e.Vm.Name, ToRef(e.Vm.Vm)
	case e.Host != nil:
		ev.Object, ev.ObjectRef = e.Host.Name, ToRef(e.Host.Host)
	case e.ComputeResource != nil:
		ev.Object, ev.ObjectRef = e.ComputeResource.Name, ToRef(e.ComputeResource.ComputeResource)
	case e.Ds != nil:
		ev.Object, ev.ObjectRef = e.Ds.Name, ToRef(e.Ds.Datastore)
	case e.Net != nil:
		ev.Object, ev.ObjectRef = e.Net.Name, ToRef(e.Net.Network)
	case e.Dvs != nil:
		ev.Object, ev.ObjectRef = e.Dvs.Name, ToRef(e.Dvs.Dvs)
	case e.Datacenter != nil:
		ev.Object, ev.ObjectRef = e.Datacenter.Name, ToRef(e.Datacenter.Datacenter)
	}
	if x, ok := be.(*types.EventEx); ok && ev.Object == "" && x.ObjectId != "" {
		ev.Object, ev.ObjectRef = cmp.Or(x.ObjectName, x.ObjectId), Ref{Type: x.ObjectType, Value: x.ObjectId}
	}
	return ev
}

// eventType returns an event's class name, or the type ID of the generic
// classes that extensions and newer vCenter features post.
func eventType(be types.BaseEvent) string {
	switch x := be.(type) {
	case *types.EventEx:
		return cmp.Or(x.EventTypeId, "EventEx")
	case *types.ExtendedEvent:
		return cmp.Or(x.EventTypeId, "ExtendedEvent")
	}
	t := reflect.TypeOf(be)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}
