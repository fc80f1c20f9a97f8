package vsphere

import (
	"fmt"
	"testing"

	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// syntheticStore fills a store as a 10,000-VM load would: 10 clusters of
// 96 hosts, 4 datastores, 1 network.
func syntheticStore(nVMs int) *store {
	s := newStore(Everything())
	moref := func(t, v string) types.ManagedObjectReference { return types.ManagedObjectReference{Type: t, Value: v} }
	dc := Ref{Type: "Datacenter", Value: "dc-1"}
	s.set(dc, "name", "dc-01")
	var ds []types.ManagedObjectReference
	for i := 0; i < 4; i++ {
		r := moref("Datastore", fmt.Sprintf("ds-%d", i))
		ds = append(ds, r)
		s.set(mo.ToRef(r), "name", fmt.Sprintf("ds-shared-%02d", i))
	}
	net := moref("Network", "net-1")
	s.set(mo.ToRef(net), "name", "VM Network")
	var hosts []types.ManagedObjectReference
	for c := 0; c < 10; c++ {
		cl := Ref{Type: "ClusterComputeResource", Value: fmt.Sprintf("c-%d", c)}
		s.set(cl, "name", fmt.Sprintf("cluster-%02d", c))
		s.set(cl, "parent", moref("Datacenter", "dc-1"))
		for h := 0; h < 96; h++ {
			hr := moref("HostSystem", fmt.Sprintf("host-%d-%d", c, h))
			hosts = append(hosts, hr)
			s.set(mo.ToRef(hr), "name", fmt.Sprintf("esx-%02d-%02d", c, h))
			s.set(mo.ToRef(hr), "parent", moref(cl.Type, cl.Value))
			s.set(mo.ToRef(hr), "datastore", types.ArrayOfManagedObjectReference{ManagedObjectReference: ds})
			s.set(mo.ToRef(hr), "network", types.ArrayOfManagedObjectReference{ManagedObjectReference: []types.ManagedObjectReference{net}})
		}
	}
	for i := 0; i < nVMs; i++ {
		r := Ref{Type: "VirtualMachine", Value: fmt.Sprintf("vm-%d", i)}
		s.set(r, "name", fmt.Sprintf("vm-%05d", i))
		s.set(r, "runtime.powerState", types.VirtualMachinePowerStatePoweredOn)
		s.set(r, "runtime.host", hosts[i%len(hosts)])
		s.set(r, "datastore", types.ArrayOfManagedObjectReference{ManagedObjectReference: ds[i%4 : i%4+1]})
		s.set(r, "network", types.ArrayOfManagedObjectReference{ManagedObjectReference: []types.ManagedObjectReference{net}})
		s.set(r, "config.hardware.numCPU", int32(4))
		s.set(r, "config.hardware.memoryMB", int32(8192))
	}
	return s
}

// BenchmarkApply1000Changes applies 1,000 property changes (power state and
// CPU usage of 500 VMs) to a 10,000-VM store and publishes the resulting
// inventory, as the watch does for one batch of updates.
func BenchmarkApply1000Changes(b *testing.B) {
	s := syntheticStore(10000)
	_ = s.inventory()
	updates := make([]types.ObjectUpdate, 500)
	for i := range updates {
		updates[i] = types.ObjectUpdate{
			Kind: types.ObjectUpdateKindModify,
			Obj:  types.ManagedObjectReference{Type: "VirtualMachine", Value: fmt.Sprintf("vm-%d", i*20)},
			ChangeSet: []types.PropertyChange{
				{Name: "runtime.powerState", Op: types.PropertyChangeOpAssign, Val: types.VirtualMachinePowerStatePoweredOff},
				{Name: "summary.quickStats.overallCpuUsage", Op: types.PropertyChangeOpAssign, Val: int32(0)},
			},
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		s.applyFrom(0, updates)
		if inv := s.inventory(); len(inv.VMs) != 10000 {
			b.Fatal(len(inv.VMs))
		}
	}
}

// BenchmarkSortVMs45k sorts 45,000 VMs by name, as the first screen does
// once their names are in: named as the simulator names them, by role
// and number ("app-00046"), so that many share their first bytes.
func BenchmarkSortVMs45k(b *testing.B) {
	const n = 45000
	s := newStore(Load{VMs: Names})
	roles := []string{"app", "db", "web", "cache", "batch", "mq"}
	for i := range n {
		s.set(Ref{Type: "VirtualMachine", Value: fmt.Sprintf("vm-%d", i)}, "name", fmt.Sprintf("%s-%05d", roles[i%len(roles)], i/len(roles)+1))
	}
	b.ReportAllocs()
	for b.Loop() {
		s.vmOrder = nil
		s.sortedVMs()
	}
}

// BenchmarkApplyLoad45k applies a first load's VM updates to a store that
// holds, as the first screen leaves it, the names of 45,000 VMs and a
// preview: 45 pages of 1,000 enter updates of the VM rows' properties.
// It is the store's part of the terminal UI's load at the vCenter
// maximum, without decoding:
//
//	go test -run '^$' -bench ApplyLoad45k -benchmem ./vsphere/
func BenchmarkApplyLoad45k(b *testing.B) {
	const n, page = 45000, 1000
	host := types.ManagedObjectReference{Type: "HostSystem", Value: "host-1"}
	refs := types.ArrayOfManagedObjectReference{ManagedObjectReference: []types.ManagedObjectReference{{Type: "Datastore", Value: "ds-1"}}}
	var pages [][]types.ObjectUpdate
	for i := range n {
		if i%page == 0 {
			pages = append(pages, make([]types.ObjectUpdate, 0, page))
		}
		pages[len(pages)-1] = append(pages[len(pages)-1], types.ObjectUpdate{
			Kind: types.ObjectUpdateKindEnter,
			Obj:  types.ManagedObjectReference{Type: "VirtualMachine", Value: fmt.Sprintf("vm-%d", i)},
			ChangeSet: []types.PropertyChange{
				{Name: "name", Op: types.PropertyChangeOpAssign, Val: fmt.Sprintf("vm-%05d", i)},
				{Name: "runtime.powerState", Op: types.PropertyChangeOpAssign, Val: types.VirtualMachinePowerStatePoweredOn},
				{Name: "runtime.host", Op: types.PropertyChangeOpAssign, Val: host},
				{Name: "datastore", Op: types.PropertyChangeOpAssign, Val: refs},
				{Name: "config.hardware.numCPU", Op: types.PropertyChangeOpAssign, Val: int32(4)},
				{Name: "config.hardware.memoryMB", Op: types.PropertyChangeOpAssign, Val: int32(8192)},
				{Name: "guest.ipAddress", Op: types.PropertyChangeOpAssign, Val: "10.0.0.1"},
			},
		})
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		s := newStore(Everything())
		for _, p := range pages {
			for _, u := range p {
				s.set(mo.ToRef(u.Obj), "name", u.ChangeSet[0].Val)
			}
		}
		s.startPreview()
		b.StartTimer()
		for _, p := range pages {
			s.applyFrom(0, p)
		}
	}
}
