package vsphere

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

func TestToEvent(t *testing.T) {
	vm := types.ManagedObjectReference{Type: "VirtualMachine", Value: "vm-1"}
	host := types.ManagedObjectReference{Type: "HostSystem", Value: "host-1"}
	dc := &types.DatacenterEventArgument{Datacenter: types.ManagedObjectReference{Type: "Datacenter", Value: "dc-1"},
		EntityEventArgument: types.EntityEventArgument{Name: "dc-01"}}
	tests := []struct {
		name string
		in   types.BaseEvent
		want Event
	}{
		{
			name: "VM event names the VM, not its host",
			in: &types.VmPoweredOffEvent{VmEvent: types.VmEvent{Event: types.Event{
				Key: 7, UserName: "bob", FullFormattedMessage: "web-01 is powered off", Datacenter: dc,
				Host: &types.HostEventArgument{Host: host, EntityEventArgument: types.EntityEventArgument{Name: "esx-a-01"}},
				Vm:   &types.VmEventArgument{Vm: vm, EntityEventArgument: types.EntityEventArgument{Name: "web-01"}},
			}}},
			want: Event{Key: 7, Type: "VmPoweredOffEvent", Message: "web-01 is powered off", Object: "web-01",
				ObjectRef: mo.ToRef(vm), User: "bob"},
		},
		{
			name: "host event",
			in: &types.HostConnectionLostEvent{HostEvent: types.HostEvent{Event: types.Event{Key: 8, Datacenter: dc,
				Host: &types.HostEventArgument{Host: host, EntityEventArgument: types.EntityEventArgument{Name: "esx-a-01"}}}}},
			want: Event{Key: 8, Type: "HostConnectionLostEvent", Object: "esx-a-01", ObjectRef: mo.ToRef(host)},
		},
		{
			name: "datacenter only",
			in:   &types.GeneralUserEvent{GeneralEvent: types.GeneralEvent{Event: types.Event{Key: 9, Datacenter: dc}}},
			want: Event{Key: 9, Type: "GeneralUserEvent", Object: "dc-01", ObjectRef: Ref{Type: "Datacenter", Value: "dc-1"}},
		},
		{
			name: "EventEx by type ID and its object",
			in: &types.EventEx{Event: types.Event{Key: 10}, EventTypeId: "com.vmware.vc.HA.HostFailedEvent",
				ObjectType: "HostSystem", ObjectId: "host-1", ObjectName: "esx-a-01"},
			want: Event{Key: 10, Type: "com.vmware.vc.HA.HostFailedEvent", Object: "esx-a-01", ObjectRef: mo.ToRef(host)},
		},
		{
			name: "no object",
			in:   &types.UserLoginSessionEvent{SessionEvent: types.SessionEvent{Event: types.Event{Key: 11, UserName: "bob"}}},
			want: Event{Key: 11, Type: "UserLoginSessionEvent", User: "bob"},
		},
	}
	for _, tt := range tests {
		if got := mo.EventOf(tt.in); got != tt.want {
			t.Errorf("%s:\ngot  %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}

func TestToEventsSortsNewestFirstAndCaps(t *testing.T) {
	var page []types.BaseEvent
	for _, k := range []int32{3, 9, 1, 7} {
		page = append(page, &types.GeneralUserEvent{GeneralEvent: types.GeneralEvent{Event: types.Event{Key: k}}})
	}
	tests := []struct {
		n    int
		want []int32
	}{
		{10, []int32{9, 7, 3, 1}},
		{2, []int32{9, 7}},
	}
	for _, tt := range tests {
		var keys []int32
		for _, e := range toEvents(page, tt.n) {
			keys = append(keys, e.Key)
		}
		if !slices.Equal(keys, tt.want) {
			t.Errorf("toEvents(keys 3 9 1 7, %d) = %v; want %v", tt.n, keys, tt.want)
		}
	}
}

func TestEventPageSize(t *testing.T) {
	for _, tt := range []struct{ in, want int }{{-1, DefaultEvents}, {0, DefaultEvents}, {1, 1}, {500, 500}, {5000, MaxEvents}} {
		if got := eventPageSize(tt.in); got != tt.want {
			t.Errorf("eventPageSize(%d) = %d; want %d", tt.in, got, tt.want)
		}
	}
}

func TestMergeEvents(t *testing.T) {
	ev := func(keys ...int32) []Event {
		var out []Event
		for _, k := range keys {
			out = append(out, Event{Key: k})
		}
		return out
	}
	keys := func(es []Event) []int32 {
		var out []int32
		for _, e := range es {
			out = append(out, e.Key)
		}
		return out
	}
	tests := []struct {
		held, page []Event
		n          int
		want       []int32
	}{
		{nil, ev(3, 2), 10, []int32{3, 2}},
		{ev(5, 4, 3), nil, 10, []int32{5, 4, 3}},
		{ev(5, 4, 3), ev(7, 6, 5, 4), 10, []int32{7, 6, 5, 4, 3}},
		{ev(5, 4, 3), ev(7, 6, 5, 4), 4, []int32{7, 6, 5, 4}},
		{ev(9, 5, 1), ev(7, 5, 3), 10, []int32{9, 7, 5, 3, 1}},
	}
	for _, tt := range tests {
		if got := keys(mergeEvents(tt.held, tt.page, tt.n)); !slices.Equal(got, tt.want) {
			t.Errorf("mergeEvents(%v, %v, %d) = %v; want %v", keys(tt.held), keys(tt.page), tt.n, got, tt.want)
		}
	}
}

func TestMissedEvents(t *testing.T) {
	tests := []struct {
		held, page []Event
		tail       int
		want       bool
	}{
		{[]Event{{Key: 5}}, []Event{{Key: 7}, {Key: 6}}, 3, false},           // page not full: it holds every new event
		{[]Event{{Key: 5}}, []Event{{Key: 7}, {Key: 6}, {Key: 5}}, 3, false}, // overlaps what is held
		{[]Event{{Key: 5}}, []Event{{Key: 9}, {Key: 8}, {Key: 7}}, 3, true},  // 6 may be missing
		{nil, []Event{{Key: 9}, {Key: 8}, {Key: 7}}, 3, true},                // nothing held: older ones may exist
		{[]Event{{Key: 5}}, []Event{{Key: 9}, {Key: 8}, {Key: 6}}, 3, true},  // a gap in keys says nothing; no overlap does
	}
	for _, tt := range tests {
		if got := missedEvents(tt.held, tt.page, tt.tail); got != tt.want {
			t.Errorf("missedEvents(held %v, page %v, tail %d) = %v; want %v", tt.held, tt.page, tt.tail, got, tt.want)
		}
	}
}

func TestCheckEventTypes(t *testing.T) {
	tests := []struct {
		names []string
		want  string // "" for no error
	}{
		{[]string{"VmMigratedEvent", "DasHostFailedEvent", "EventEx", "com.vmware.vc.HA.DasHostFailedEvent"}, ""},
		{[]string{"VmMigrated"}, `no event type named "VmMigrated" (did you mean VmMigratedEvent?): not found`},
		{[]string{"vmMigratedEvent"}, `"vmMigratedEvent" (did you mean VmMigratedEvent?)`},
		{[]string{"vmPoweredOff", "Bogus"}, `no event type named "vmPoweredOff" (did you mean VmPoweredOffEvent?), "Bogus": not found`},
		{[]string{"VirtualMachine"}, `no event type named "VirtualMachine": not found`},
		{[]string{""}, `no event type named "": not found`},
	}
	for _, tt := range tests {
		err := CheckEventTypes(tt.names)
		if tt.want == "" {
			if err != nil {
				t.Errorf("CheckEventTypes(%q) = %v; want nil", tt.names, err)
			}
			continue
		}
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("CheckEventTypes(%q) = %v; want ErrNotFound saying %q", tt.names, err, tt.want)
		}
	}
}
