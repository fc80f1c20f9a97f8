package ui

import (
	"fmt"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/vsphere"
)

// syntheticInventory has n VMs over n/10 hosts in n/1000 clusters.
func syntheticInventory(n int) *vsphere.Inventory {
	inv := &vsphere.Inventory{}
	for c := 0; c < max(n/1000, 1); c++ {
		inv.Clusters = append(inv.Clusters, vsphere.Cluster{Name: fmt.Sprintf("cluster-%02d", c)})
	}
	for h := 0; h < max(n/10, 1); h++ {
		inv.Hosts = append(inv.Hosts, vsphere.Host{Name: fmt.Sprintf("esx-%04d.lab.local", h), Cluster: inv.Clusters[h%len(inv.Clusters)].Name})
	}
	for i := 0; i < n; i++ {
		h := inv.Hosts[i%len(inv.Hosts)]
		inv.VMs = append(inv.VMs, vsphere.VM{
			ID: fmt.Sprintf("vm-%d", i), Name: fmt.Sprintf("vm-%05d", i), PowerState: "poweredOn",
			Host: h.Name, Cluster: h.Cluster, NumCPU: 4, MemoryMB: 8192, CPUUsageMHz: int32(i % 5000),
			MemoryUsageMB: int32(i % 8192), IPAddress: fmt.Sprintf("10.0.%d.%d", i/256%256, i%256),
		})
	}
	return inv
}

// BenchmarkViewVMs10k renders one frame of the VM table with 10,000 VMs
// loaded, at 200×50.
func BenchmarkViewVMs10k(b *testing.B) {
	a := New(Config{Context: "bench"})
	a.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	a.connected = true
	a.Update(watchMsg{gen: a.gen, update: vsphere.WatchUpdate{Data: syntheticInventory(10000), State: vsphere.Live, Seq: 1}})
	b.ReportAllocs()
	for b.Loop() {
		_ = a.View()
	}
}

// BenchmarkLoadVMs10k is the UI's share of a live update: taking a new
// 10,000-VM inventory into the visible table (scope, sort, keep selection).
func BenchmarkLoadVMs10k(b *testing.B) {
	a := New(Config{Context: "bench"})
	a.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	inv := syntheticInventory(10000)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		a.Update(watchMsg{gen: a.gen, update: vsphere.WatchUpdate{Data: &vsphere.Inventory{VMs: inv.VMs, Hosts: inv.Hosts}, State: vsphere.Live, Seq: uint64(i + 1)}})
	}
}

// BenchmarkLoadVMsAcross3x45k is the UI's share of a live update in
// :vm @all over three contexts of 45,000 VMs each: one context's new
// inventory, merged with the two others' into the visible table. Run it
// with `go test ./ui -run X -bench LoadVMsAcross -benchmem` and compare
// with BenchmarkLoadVMs10k.
func BenchmarkLoadVMsAcross3x45k(b *testing.B) {
	a := New(Config{Context: "c1", Contexts: []string{"c1", "c2", "c3"}})
	a.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	inv := syntheticInventory(45000)
	a.connected = true
	a.Update(watchMsg{gen: a.gen, update: vsphere.WatchUpdate{Data: inv, State: vsphere.Live, Seq: 1}})
	keys(a, ":vm @all", "<enter>")
	for _, name := range []string{"c2", "c3"} {
		a.fleet.members[name].inv, a.fleet.members[name].phase = inv, phaseLive
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		a.Update(fleetWatchMsg{gen: a.fleet.gen, name: "c2", update: vsphere.WatchUpdate{
			Data: &vsphere.Inventory{VMs: inv.VMs, Hosts: inv.Hosts}, State: vsphere.Live, Seq: uint64(i + 1)}})
	}
	if v := a.current().(listView); v.Total() != 3*45000 {
		b.Fatalf("%d rows; want %d", v.Total(), 3*45000)
	}
}

// BenchmarkLiveChangeAt45k is the UI's share of a live change at 45,000
// VMs with the VM table filtered to one VM (/vm-30000), as
// scripts/live-change has it: power is a state where that VM's row
// changed (a new array of rows, as the watch builds one); rollup is one
// where no VM's did (the watch shares the last state's rows).
func BenchmarkLiveChangeAt45k(b *testing.B) {
	a, inv, off := liveTableOfOne(45000, 30000)
	seq := uint64(1)
	for _, bm := range []struct {
		name   string
		states [2]*vsphere.Inventory
	}{
		{"power", [2]*vsphere.Inventory{off, inv}},
		{"rollup", [2]*vsphere.Inventory{{VMs: inv.VMs, Hosts: inv.Hosts}, {VMs: inv.VMs, Hosts: inv.Hosts}}},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				seq++
				a.Update(watchMsg{gen: a.gen, update: vsphere.WatchUpdate{Data: bm.states[i%2], State: vsphere.Live, Seq: seq}})
			}
			if v := a.current().(listView); v.Len() != 1 {
				b.Fatalf("%d rows shown; want 1", v.Len())
			}
		})
	}
}
