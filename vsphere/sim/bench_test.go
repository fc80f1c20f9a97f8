package sim

import (
	"bufio"
	"cmp"
	"context"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

// BenchmarkStartLarge measures Start on the large preset (960 hosts,
// 10,000 VMs), reporting the live heap of a built server and the process's
// peak RSS. VTUI_BENCH_PRESET names another preset (max), e.g. for a
// profile: add -cpuprofile FILE.
//
//	go test -run '^$' -bench StartLarge -benchtime 1x ./vsphere/sim/
func BenchmarkStartLarge(b *testing.B) {
	spec, err := Preset(cmp.Or(os.Getenv("VTUI_BENCH_PRESET"), "large"))
	if err != nil {
		b.Fatal(err)
	}
	var heap uint64
	for b.Loop() {
		s, err := Start(context.Background(), spec, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap = max(heap, ms.HeapAlloc)
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(heap)/(1<<20), "heap-MB")
	if kb, ok := peakRSSKiB(); ok {
		b.ReportMetric(float64(kb)/1024, "peak-RSS-MB")
	}
}

// peakRSSKiB reads VmHWM, the peak resident set size, on Linux.
func peakRSSKiB() (int64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb, err == nil
		}
	}
	return 0, false
}

// BenchmarkWatchedChangeLarge measures, with every VM of the large preset
// watched (two paths), how long a power-off or power-on takes from the
// request to the watcher's update, without waiting for the task (which
// would walk a filter of its own). It reports the filter walks per change,
// which incremental updates keep at zero.
//
//	go test -run '^$' -bench WatchedChangeLarge -benchtime 20x ./vsphere/sim/
func BenchmarkWatchedChangeLarge(b *testing.B) {
	spec, err := Preset("large")
	if err != nil {
		b.Fatal(err)
	}
	s := startSpec(b, spec, Options{})
	c := login(b, s)
	w := watchVMs(b, c, c.ServiceContent.RootFolder, "runtime.powerState", "summary.quickStats.overallCpuUsage")
	var vm types.ManagedObjectReference
	for ref, u := range w.load() {
		if slices.Contains(changeSet(u), "runtime.powerState=poweredOn") {
			vm = ref
			break
		}
	}
	ctx := context.Background()
	on := true
	walks := s.vc.feed.collectors.walks.Load()
	b.ResetTimer()
	for b.Loop() {
		var err error
		want := "runtime.powerState=poweredOff"
		if on {
			_, err = methods.PowerOffVM_Task(ctx, c.Client, &types.PowerOffVM_Task{This: vm})
		} else {
			_, err = methods.PowerOnVM_Task(ctx, c.Client, &types.PowerOnVM_Task{This: vm})
			want = "runtime.powerState=poweredOn"
		}
		if err != nil {
			b.Fatal(err)
		}
		on = !on
		for seen := false; !seen; {
			for _, u := range w.next() {
				seen = seen || (u.Obj == vm && slices.Contains(changeSet(u), want))
			}
		}
	}
	b.ReportMetric(float64(s.vc.feed.collectors.walks.Load()-walks)/float64(b.N), "walks/op")
}

// BenchmarkRollUpLarge measures one usage roll-up of the large preset:
// what the simulator spends adding up 10,000 VMs and 960 hosts again,
// once changes settle after a VM starts, stops or moves.
//
//	go test -run '^$' -bench RollUpLarge -benchtime 20x ./vsphere/sim/
func BenchmarkRollUpLarge(b *testing.B) {
	s := startPreset(b, "large")
	ctx := *s.vc.sctx
	for b.Loop() {
		rollUp(&ctx)
	}
}

// BenchmarkReadVMRows reads the properties of a VM row (vsphere/load.go's,
// at Full) from every VM of the demo preset, as a retrieval or a filter's
// first wait reads them; an op is one VM.
//
//	go test -run '^$' -bench ReadVMRows -benchmem ./vsphere/sim/
func BenchmarkReadVMRows(b *testing.B) {
	s := startPreset(b, "demo")
	ctx := s.vc.sctx
	var vms []types.ManagedObjectReference
	for _, e := range s.Model().Map().All("VirtualMachine") {
		vms = append(vms, e.Reference())
	}
	sp := &specProps{specs: []types.PropertySpec{{Type: "VirtualMachine", PathSet: vtuiPaths["VirtualMachine"]}}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, ok := content(ctx, vms[i%len(vms)], sp); !ok {
			b.Fatal("not read")
		}
		i++
	}
}

// BenchmarkLoadMax measures, on the max preset (45,000 VMs, built once),
// what a client's first load asks of the simulator: creating a recursive
// container view of every VM (and destroying it), reading every VM's name
// through such a view, and reading them by a traversal from the root
// folder through Folder.childEntity, Datacenter.vmFolder and VirtualApp.vm
// (vmNamesByTraversal), and watching them through such a view: a filter
// created and its first wait. An op is one call (or the filter and its
// wait), for every VM. Add -cpuprofile FILE for a profile.
//
//	go test -run '^$' -bench LoadMax -benchmem -benchtime 10x ./vsphere/sim/
func BenchmarkLoadMax(b *testing.B) {
	s := startPreset(b, "max")
	c := login(b, s)
	ctx := sessionContext(b, s, c)
	content := s.Model().ServiceContent
	vmView := &types.CreateContainerView{This: *content.ViewManager, Container: content.RootFolder, Type: []string{"VirtualMachine"}, Recursive: true}
	create := func(b *testing.B) types.ManagedObjectReference {
		body, ok := s.vc.CreateContainerView(ctx, vmView).(*methods.CreateContainerViewBody)
		if !ok || body.Fault_ != nil {
			b.Fatalf("create a VM view: %v", body)
		}
		return body.Res.Returnval
	}
	names := types.PropertySpec{Type: "VirtualMachine", PathSet: []string{"name"}}
	retrieve := func(b *testing.B, spec types.PropertyFilterSpec) {
		b.ReportAllocs()
		for b.Loop() {
			body, ok := s.vc.RetrievePropertiesEx(ctx, &types.RetrievePropertiesEx{SpecSet: []types.PropertyFilterSpec{spec}}).(*methods.RetrievePropertiesExBody)
			if !ok || body.Fault_ != nil {
				b.Fatalf("retrieve: %v", body)
			}
			if n := len(body.Res.Returnval.Objects); n != 45000 {
				b.Fatalf("retrieved %d VMs, want 45,000", n)
			}
		}
	}
	b.Run("CreateVMView", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s.vc.DestroyView(ctx, &types.DestroyView{This: create(b)})
		}
	})
	b.Run("NamesByView", func(b *testing.B) {
		v := create(b)
		defer s.vc.DestroyView(ctx, &types.DestroyView{This: v})
		retrieve(b, types.PropertyFilterSpec{
			ObjectSet: []types.ObjectSpec{{Obj: v, Skip: types.NewBool(true), SelectSet: []types.BaseSelectionSpec{
				&types.TraversalSpec{Type: "ContainerView", Path: "view"}}}},
			PropSet: []types.PropertySpec{names},
		})
	})
	b.Run("NamesByTraversal", func(b *testing.B) {
		retrieve(b, vmNamesByTraversal(content.RootFolder))
	})
	b.Run("WatchNamesByView", func(b *testing.B) {
		v := create(b)
		defer s.vc.DestroyView(ctx, &types.DestroyView{This: v})
		pc := content.PropertyCollector
		spec := types.PropertyFilterSpec{
			ObjectSet: []types.ObjectSpec{{Obj: v, Skip: types.NewBool(true), SelectSet: []types.BaseSelectionSpec{
				&types.TraversalSpec{Type: "ContainerView", Path: "view"}}}},
			PropSet: []types.PropertySpec{names},
		}
		b.ReportAllocs()
		for b.Loop() {
			fb, ok := s.vc.CreateFilter(ctx, &types.CreateFilter{This: pc, Spec: spec}).(*methods.CreateFilterBody)
			if !ok || fb.Fault_ != nil {
				b.Fatalf("create a filter: %v", fb)
			}
			n, version := 0, ""
			for {
				wb, ok := s.vc.WaitForUpdatesEx(ctx, &types.WaitForUpdatesEx{This: pc, Version: version, Options: &types.WaitOptions{MaxObjectUpdates: 50000}}).(*methods.WaitForUpdatesExBody)
				if !ok || wb.Fault_ != nil || wb.Res.Returnval == nil {
					b.Fatalf("wait: %v", wb)
				}
				set := wb.Res.Returnval
				for _, fs := range set.FilterSet {
					n += len(fs.ObjectSet)
				}
				if version = set.Version; !boolValue(set.Truncated) {
					break
				}
			}
			if n != 45000 {
				b.Fatalf("the first wait handed out %d VMs, want 45,000", n)
			}
			s.vc.DestroyPropertyFilter(ctx, &types.DestroyPropertyFilter{This: fb.Res.Returnval})
		}
	})
}

// vmNamesByTraversal selects every VM's name by a traversal from root
// through Folder.childEntity, Datacenter.vmFolder and VirtualApp.vm, as
// vtui's first screen reads them.
func vmNamesByTraversal(root types.ManagedObjectReference) types.PropertyFilterSpec {
	sel := func(names ...string) []types.BaseSelectionSpec {
		var out []types.BaseSelectionSpec
		for _, n := range names {
			out = append(out, &types.SelectionSpec{Name: n})
		}
		return out
	}
	return types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: root, Skip: types.NewBool(true), SelectSet: []types.BaseSelectionSpec{
			&types.TraversalSpec{SelectionSpec: types.SelectionSpec{Name: "folder"}, Type: "Folder", Path: "childEntity", SelectSet: sel("folder", "dc", "vapp")},
			&types.TraversalSpec{SelectionSpec: types.SelectionSpec{Name: "dc"}, Type: "Datacenter", Path: "vmFolder", SelectSet: sel("folder")},
			&types.TraversalSpec{SelectionSpec: types.SelectionSpec{Name: "vapp"}, Type: "VirtualApp", Path: "vm"},
		}}},
		PropSet: []types.PropertySpec{{Type: "VirtualMachine", PathSet: []string{"name"}}},
	}
}
