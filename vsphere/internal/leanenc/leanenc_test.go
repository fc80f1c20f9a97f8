package leanenc_test

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"

	"github.com/vtui/vtui/vsphere/internal/leanenc"
)

// BenchmarkEncode encodes the answer to a retrieval of 1,000 VMs' rows
// (the 13 properties of vtui's VM table) with govmomi's encoder, as vcsim
// does, and leanly:
//
//	go test ./vsphere/internal/leanenc/ -run '^$' -bench Encode -benchmem
func BenchmarkEncode(b *testing.B) {
	rr := &types.RetrieveResult{}
	for i := range 1000 {
		ref := func(typ string, n int) types.ManagedObjectReference {
			return types.ManagedObjectReference{Type: typ, Value: fmt.Sprintf("%s-%d", typ, n)}
		}
		rr.Objects = append(rr.Objects, types.ObjectContent{Obj: ref("VirtualMachine", i), PropSet: []types.DynamicProperty{
			{Name: "name", Val: fmt.Sprintf("web-%04d", i)},
			{Name: "runtime.powerState", Val: types.VirtualMachinePowerStatePoweredOn},
			{Name: "runtime.host", Val: ref("HostSystem", i%50)},
			{Name: "datastore", Val: types.ArrayOfManagedObjectReference{ManagedObjectReference: []types.ManagedObjectReference{ref("Datastore", i%4)}}},
			{Name: "network", Val: types.ArrayOfManagedObjectReference{ManagedObjectReference: []types.ManagedObjectReference{ref("Network", 1)}}},
			{Name: "config.hardware.numCPU", Val: int32(2)},
			{Name: "config.hardware.memoryMB", Val: int32(4096)},
			{Name: "config.instanceUuid", Val: fmt.Sprintf("5029a5b2-0000-0000-0000-%012d", i)},
			{Name: "config.template", Val: false},
			{Name: "summary.quickStats.overallCpuUsage", Val: int32(120)},
			{Name: "summary.quickStats.guestMemoryUsage", Val: int32(800)},
			{Name: "guest.ipAddress", Val: "10.0.0.1"},
			{Name: "guest.toolsStatus", Val: types.VirtualMachineToolsStatusToolsOk},
		}})
	}
	benchmarkAnswer(b, rr)
}

// BenchmarkEncodeStructured encodes the answer to a retrieval of 1,000
// VMs' snapshot trees and file layouts, as the simulator's presets build
// them (three snapshots in a chain, their files, disks and snapshot
// layouts), the layout as a whole and as its three lists, with 20
// clusters' summaries, with govmomi's encoder and leanly:
//
//	go test ./vsphere/internal/leanenc/ -run '^$' -bench Encode -benchmem
func BenchmarkEncodeStructured(b *testing.B) {
	rr := &types.RetrieveResult{}
	for i := range 20 {
		rr.Objects = append(rr.Objects, types.ObjectContent{
			Obj:     types.ManagedObjectReference{Type: "ClusterComputeResource", Value: fmt.Sprintf("domain-c%d", i)},
			PropSet: []types.DynamicProperty{{Name: "summary", Val: clusterSummary()}},
		})
	}
	for i := range 1000 {
		vm := types.ManagedObjectReference{Type: "VirtualMachine", Value: fmt.Sprintf("vm-%d", i)}
		snapshot, layout := snapshotsOf(vm, 3)
		rr.Objects = append(rr.Objects, types.ObjectContent{Obj: vm, PropSet: []types.DynamicProperty{
			{Name: "snapshot", Val: snapshot},
			{Name: "layoutEx", Val: layout},
			{Name: "layoutEx.file", Val: types.ArrayOfVirtualMachineFileLayoutExFileInfo{VirtualMachineFileLayoutExFileInfo: layout.File}},
			{Name: "layoutEx.disk", Val: types.ArrayOfVirtualMachineFileLayoutExDiskLayout{VirtualMachineFileLayoutExDiskLayout: layout.Disk}},
			{Name: "layoutEx.snapshot", Val: types.ArrayOfVirtualMachineFileLayoutExSnapshotLayout{VirtualMachineFileLayoutExSnapshotLayout: layout.Snapshot}},
		}})
	}
	benchmarkAnswer(b, rr)
}

// snapshotsOf returns the snapshot tree and file layout of vm with a
// chain of n snapshots, shaped as the simulator's presets make them.
func snapshotsOf(vm types.ManagedObjectReference, n int) (*types.VirtualMachineSnapshotInfo, *types.VirtualMachineFileLayoutEx) {
	now := time.Date(2026, 12, 7, 14, 5, 6, 0, time.UTC)
	dir := "[datastore-1] " + vm.Value + "/"
	layout := &types.VirtualMachineFileLayoutEx{Timestamp: now}
	addFile := func(name string, typ types.VirtualMachineFileLayoutExFileType, size int64) int32 {
		key := int32(len(layout.File))
		layout.File = append(layout.File, types.VirtualMachineFileLayoutExFileInfo{
			Key: key, Name: name, Type: string(typ), Size: size, UniqueSize: size, Accessible: types.NewBool(true)})
		return key
	}
	chain := []types.VirtualMachineFileLayoutExDiskUnit{{FileKey: []int32{addFile(dir+vm.Value+".vmdk", types.VirtualMachineFileLayoutExFileTypeDiskDescriptor, 8<<30)}}}
	trees := make([]types.VirtualMachineSnapshotTree, n)
	for k := range n {
		snap := types.ManagedObjectReference{Type: "VirtualMachineSnapshot", Value: fmt.Sprintf("%s-snapshot-%d", vm.Value, k)}
		trees[k] = types.VirtualMachineSnapshotTree{Snapshot: snap, Vm: vm, Name: fmt.Sprintf("snapshot %d", k),
			Description: "before <patching> " + vm.Value, Id: int32(k + 1), CreateTime: now.Add(-time.Duration(n-k) * 24 * time.Hour),
			State: types.VirtualMachinePowerStatePoweredOff, ReplaySupported: types.NewBool(false)}
		data := addFile(fmt.Sprintf("%s%s-Snapshot%d.vmsn", dir, vm.Value, k+1), types.VirtualMachineFileLayoutExFileTypeSnapshotData, 32<<10)
		layout.Snapshot = append(layout.Snapshot, types.VirtualMachineFileLayoutExSnapshotLayout{Key: snap, DataKey: data, MemoryKey: -1,
			Disk: []types.VirtualMachineFileLayoutExDiskLayout{{Key: 2000, Chain: slices.Clone(chain)}}})
		chain = append(chain, types.VirtualMachineFileLayoutExDiskUnit{FileKey: []int32{
			addFile(fmt.Sprintf("%s%s-%06d.vmdk", dir, vm.Value, k+1), types.VirtualMachineFileLayoutExFileTypeDiskDescriptor, int64(k+1)<<28)}})
	}
	layout.Disk = []types.VirtualMachineFileLayoutExDiskLayout{{Key: 2000, Chain: chain}}
	for k := n - 1; k > 0; k-- {
		trees[k-1].ChildSnapshotList = []types.VirtualMachineSnapshotTree{trees[k]}
	}
	return &types.VirtualMachineSnapshotInfo{CurrentSnapshot: &trees[n-1].Snapshot, RootSnapshotList: trees[:1]}, layout
}

// clusterSummary returns a cluster's summary as the simulator's presets
// fill it, with its usage summary.
func clusterSummary() *types.ClusterComputeResourceSummary {
	return &types.ClusterComputeResourceSummary{
		ComputeResourceSummary: types.ComputeResourceSummary{TotalCpu: 480000, TotalMemory: 4 << 40, NumCpuCores: 192, NumCpuThreads: 384,
			EffectiveCpu: 450000, EffectiveMemory: 3 << 20, NumHosts: 8, NumEffectiveHosts: 8, OverallStatus: types.ManagedEntityStatusGreen},
		CurrentFailoverLevel: 1, NumVmotions: 12, CurrentBalance: 40, TargetBalance: 200,
		UsageSummary: &types.ClusterUsageSummary{TotalCpuCapacityMhz: 480000, TotalMemCapacityMB: 4 << 20, CpuReservationMhz: 1000,
			MemReservationMB: 2048, CpuDemandMhz: 120000, MemDemandMB: 1 << 20, StatsGenNumber: 7, CpuEntitledMhz: 130000, MemEntitledMB: 1 << 20},
		AdmissionControlInfo: &types.ClusterFailoverHostAdmissionControlInfo{HostStatus: []types.ClusterFailoverHostAdmissionControlInfoHostStatus{
			{Host: types.ManagedObjectReference{Type: "HostSystem", Value: "host-1"}, Status: types.ManagedEntityStatusGreen}}},
	}
}

// benchmarkAnswer encodes the answer rr to a retrieval with govmomi's
// encoder, as vcsim does, and leanly.
func benchmarkAnswer(b *testing.B, rr *types.RetrieveResult) {
	res := &types.RetrievePropertiesExResponse{Returnval: rr}
	start := xml.StartElement{Name: xml.Name{Space: "urn:vim25", Local: "RetrievePropertiesExResponse"}}
	for name, v := range map[string]any{"govmomi": res, "lean": leanenc.RetrievePropertiesEx(res)} {
		b.Run(name, func(b *testing.B) {
			var out bytes.Buffer
			for b.Loop() {
				out.Reset()
				e := xml.NewEncoder(&out)
				if err := e.EncodeElement(v, start); err != nil {
					b.Fatal(err)
				}
				if err := e.Flush(); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(out.Len()))
		})
	}
}

// TestShortenXSITypes: govmomi's declarations of its own prefix go, its
// type attributes take the envelope's xsi prefix, and text that holds the
// prefix's name (its quotes escaped, as govmomi escapes text) stays.
func TestShortenXSITypes(t *testing.T) {
	const decl = ` xmlns:_XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance"`
	for _, c := range []struct{ name, in, want string }{
		{"a simple value", `<val` + decl + ` _XMLSchema-instance:type="xsd:int">2</val>`, `<val xsi:type="xsd:int">2</val>`},
		{"a reference, its own attribute first", `<val type="HostSystem"` + decl + ` _XMLSchema-instance:type="ManagedObjectReference">host-1</val>`,
			`<val type="HostSystem" xsi:type="ManagedObjectReference">host-1</val>`},
		{"elements relying on the value's declaration", `<val` + decl + ` _XMLSchema-instance:type="ArrayOfAnyType"><anyType _XMLSchema-instance:type="xsd:string">a</anyType></val>`,
			`<val xsi:type="ArrayOfAnyType"><anyType xsi:type="xsd:string">a</anyType></val>`},
		{"text naming the attribute", `<name> _XMLSchema-instance:type=&#34;x&#34;</name>`, `<name> _XMLSchema-instance:type=&#34;x&#34;</name>`},
		{"text naming the declaration", `<name>xmlns:_XMLSchema-instance=&#34;http://www.w3.org/2001/XMLSchema-instance&#34;</name>`,
			`<name>xmlns:_XMLSchema-instance=&#34;http://www.w3.org/2001/XMLSchema-instance&#34;</name>`},
		{"the prefix's name first", `_XMLSchema-instance`, `_XMLSchema-instance`},
		{"nothing to shorten", `<val xsi:type="xsd:int">2</val>`, `<val xsi:type="xsd:int">2</val>`},
	} {
		if got := string(leanenc.ShortenXSITypes([]byte(c.in))); got != c.want {
			t.Errorf("%s: %s\nwant %s", c.name, got, c.want)
		}
	}
}
