package sim

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// watcher is a property collector of its own with one filter on the VMs
// of a container view, driven by hand through WaitForUpdatesEx.
type watcher struct {
	t       testing.TB
	c       *govmomi.Client
	pc      types.ManagedObjectReference
	view    types.ManagedObjectReference
	filter  types.ManagedObjectReference
	version string
}

// watchVMs watches paths of the VMs under root (recursively).
func watchVMs(t testing.TB, c *govmomi.Client, root types.ManagedObjectReference, paths ...string) *watcher {
	t.Helper()
	return watchKind(t, c, "VirtualMachine", root, paths...)
}

// watchKind watches paths of the objects of type kind under root.
func watchKind(t testing.TB, c *govmomi.Client, kind string, root types.ManagedObjectReference, paths ...string) *watcher {
	t.Helper()
	ctx := context.Background()
	v, err := view.NewManager(c.Client).CreateContainerView(ctx, root, []string{kind}, true)
	if err != nil {
		t.Fatal(err)
	}
	pc, err := property.DefaultCollector(c.Client).Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Destroy(context.Background()) })
	w := &watcher{t: t, c: c, pc: pc.Reference(), view: v.Reference()}
	res, err := methods.CreateFilter(ctx, c.Client, &types.CreateFilter{This: w.pc, Spec: types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: w.view, Skip: types.NewBool(true),
			SelectSet: []types.BaseSelectionSpec{&types.TraversalSpec{Type: "ContainerView", Path: "view"}}}},
		PropSet: []types.PropertySpec{{Type: kind, PathSet: paths}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	w.filter = res.Returnval
	return w
}

// wait runs one WaitForUpdatesEx from w's version, and moves the version
// on when a set comes back.
func (w *watcher) wait(opts *types.WaitOptions) (*types.UpdateSet, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := methods.WaitForUpdatesEx(ctx, w.c.Client, &types.WaitForUpdatesEx{This: w.pc, Version: w.version, Options: opts})
	if err != nil {
		return nil, err
	}
	if res.Returnval != nil {
		w.version = res.Returnval.Version
	}
	return res.Returnval, nil
}

// load takes the first answers, to the end of a truncated set, and
// returns the objects that entered.
func (w *watcher) load() map[types.ManagedObjectReference]types.ObjectUpdate {
	w.t.Helper()
	in := map[types.ManagedObjectReference]types.ObjectUpdate{}
	for {
		set, err := w.wait(&types.WaitOptions{MaxObjectUpdates: 10000})
		if err != nil {
			w.t.Fatalf("load: %v", err)
		}
		for _, u := range objectUpdates(set) {
			in[u.Obj] = u
		}
		if set == nil || !boolValue(set.Truncated) {
			return in
		}
	}
}

// next waits (30 s at most) for an answer with updates, and returns them.
func (w *watcher) next() []types.ObjectUpdate {
	w.t.Helper()
	set, err := w.wait(&types.WaitOptions{MaxWaitSeconds: types.NewInt32(30)})
	if err != nil {
		w.t.Fatalf("wait: %v", err)
	}
	if set == nil {
		w.t.Fatal("no update within 30s")
	}
	return objectUpdates(set)
}

// quiet reports whether a one-pass wait finds nothing new.
func (w *watcher) quiet() bool {
	w.t.Helper()
	set, err := w.wait(&types.WaitOptions{MaxWaitSeconds: types.NewInt32(0)})
	if err != nil {
		w.t.Fatalf("wait: %v", err)
	}
	return set == nil
}

func objectUpdates(set *types.UpdateSet) []types.ObjectUpdate {
	if set == nil {
		return nil
	}
	var out []types.ObjectUpdate
	for _, fs := range set.FilterSet {
		out = append(out, fs.ObjectSet...)
	}
	return out
}

// changeSet renders an update's changes as name=value in order, with
// the type for a value that is a struct.
func changeSet(u types.ObjectUpdate) []string {
	var out []string
	for _, c := range u.ChangeSet {
		if reflect.ValueOf(c.Val).Kind() == reflect.Struct {
			out = append(out, fmt.Sprintf("%s=%T", c.Name, c.Val))
			continue
		}
		out = append(out, fmt.Sprintf("%s=%v", c.Name, c.Val))
	}
	return out
}

// serverUpdate changes obj on the simulator's side, as its own code does.
func serverUpdate(s *Server, ref types.ManagedObjectReference, changes ...types.PropertyChange) {
	c := *s.Model().Service.Context
	ctx := &c
	obj := ctx.Map.Get(ref)
	ctx.WithLock(obj, func() { ctx.Update(obj, changes) })
}

func powerOp(t testing.TB, c *govmomi.Client, ref types.ManagedObjectReference, op string) {
	t.Helper()
	ctx := context.Background()
	vm := object.NewVirtualMachine(c.Client, ref)
	var task *object.Task
	var err error
	switch op {
	case "off":
		task, err = vm.PowerOff(ctx)
	case "on":
		task, err = vm.PowerOn(ctx)
	case "suspend":
		task, err = vm.Suspend(ctx)
	case "destroy":
		task, err = vm.Destroy(ctx)
	}
	if err == nil {
		err = task.Wait(ctx)
	}
	if err != nil {
		t.Fatalf("%s %s: %v", op, ref.Value, err)
	}
}

func TestWaitForUpdatesVersionsAndTruncation(t *testing.T) {
	s, c, inv := simEnv(t)
	root := c.ServiceContent.RootFolder
	w := watchVMs(t, c, root, "name", "runtime.powerState")

	// The first wait hands out every VM as entered, 5 at a time as asked,
	// each truncated set's version continuing it.
	var pages []int
	entered := map[types.ManagedObjectReference]bool{}
	for {
		set, err := w.wait(&types.WaitOptions{MaxObjectUpdates: 5})
		if err != nil {
			t.Fatal(err)
		}
		us := objectUpdates(set)
		pages = append(pages, len(us))
		for _, u := range us {
			if u.Kind != types.ObjectUpdateKindEnter || len(u.ChangeSet) != 2 {
				t.Errorf("first load: %s %s %v; want enter with name and power state", u.Kind, u.Obj.Value, changeSet(u))
			}
			entered[u.Obj] = true
		}
		if !boolValue(set.Truncated) {
			break
		}
	}
	if !slices.Equal(pages, []int{5, 5, 2}) || len(entered) != len(inv.inv.vms) {
		t.Errorf("first load came in pages of %v with %d VMs; want [5 5 2] with %d", pages, len(entered), len(inv.inv.vms))
	}

	// maxWaitSeconds 0 is one pass: nothing new, no set.
	if !w.quiet() {
		t.Errorf("a one-pass wait with nothing changed returned updates")
	}
	// maxWaitSeconds 1: the time runs out with no set.
	if set, err := w.wait(&types.WaitOptions{MaxWaitSeconds: types.NewInt32(1)}); err != nil || set != nil {
		t.Errorf("a 1s wait with nothing changed = %v, %v; want no set, no error", set, err)
	}

	// A version that is not the collector's is refused.
	bad := &watcher{t: t, c: c, pc: w.pc, version: "999"}
	if _, err := bad.wait(nil); !fault.Is(err, &types.InvalidCollectorVersion{}) {
		t.Errorf("wait from version 999: %v; want InvalidCollectorVersion", err)
	}

	// CancelWaitForUpdates ends a wait with no time limit: RequestCanceled.
	done := make(chan error, 1)
	go func() { _, err := w.wait(nil); done <- err }()
	deadline := time.Now().Add(10 * time.Second)
	for !s.vc.feed.collectors.waiting(sessionKey(t, s, c)) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := methods.CancelWaitForUpdates(context.Background(), c.Client, &types.CancelWaitForUpdates{This: w.pc}); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !fault.Is(err, &types.RequestCanceled{}) {
		t.Errorf("cancelled wait: %v; want RequestCanceled", err)
	}

	// An empty version starts over: everything enters again.
	w.version = ""
	if n := len(w.load()); n != len(inv.inv.vms) {
		t.Errorf("after a restart from an empty version %d VMs entered; want %d", n, len(inv.inv.vms))
	}
}

// TestFirstWaitPagesAreReadWhenHandedOut: a truncated first load reads
// each page's objects as it hands the page out. A VM renamed after the
// first page enters with its new name, and one destroyed then does not
// enter (its leave follows the load); every other VM enters once.
func TestFirstWaitPagesAreReadWhenHandedOut(t *testing.T) {
	_, c, inv := simEnv(t)
	w := watchVMs(t, c, c.ServiceContent.RootFolder, "name")
	page := &types.WaitOptions{MaxObjectUpdates: 5}
	set, err := w.wait(page)
	if err != nil || !boolValue(set.Truncated) {
		t.Fatalf("first page: truncated %v, %v; want more to come", set != nil && boolValue(set.Truncated), err)
	}
	entered := map[types.ManagedObjectReference]string{}
	for _, u := range objectUpdates(set) {
		entered[u.Obj] = u.ChangeSet[0].Val.(string)
	}
	var later []mo.VirtualMachine
	for _, vm := range inv.inv.vms {
		if _, ok := entered[vm.Self]; !ok {
			later = append(later, vm)
		}
	}
	renamed, gone := later[0].Self, later[1].Self
	if task, err := object.NewVirtualMachine(c.Client, renamed).Rename(context.Background(), "renamed-meanwhile"); err != nil || task.Wait(context.Background()) != nil {
		t.Fatalf("rename %s: %v", renamed.Value, err)
	}
	if later[1].Runtime.PowerState != types.VirtualMachinePowerStatePoweredOff {
		powerOp(t, c, gone, "off")
	}
	powerOp(t, c, gone, "destroy")

	var leaves []types.ManagedObjectReference
	for {
		if set, err = w.wait(page); err != nil {
			t.Fatal(err)
		}
		for _, u := range objectUpdates(set) {
			switch u.Kind {
			case types.ObjectUpdateKindEnter:
				if _, twice := entered[u.Obj]; twice {
					t.Errorf("%s entered twice", u.Obj.Value)
				}
				entered[u.Obj] = u.ChangeSet[0].Val.(string)
			case types.ObjectUpdateKindLeave:
				leaves = append(leaves, u.Obj)
			}
		}
		if !boolValue(set.Truncated) {
			break
		}
	}
	if got := entered[renamed]; got != "renamed-meanwhile" {
		t.Errorf("%s, renamed after the first page, entered as %q; want its new name", renamed.Value, got)
	}
	if _, ok := entered[gone]; ok {
		t.Errorf("%s, destroyed after the first page, entered all the same", gone.Value)
	}
	if len(entered) != len(inv.inv.vms)-1 {
		t.Errorf("%d VMs entered; want all %d but the destroyed one", len(entered), len(inv.inv.vms)-1)
	}
	for len(leaves) == 0 {
		for _, u := range w.next() {
			if u.Kind == types.ObjectUpdateKindLeave {
				leaves = append(leaves, u.Obj)
			}
		}
	}
	if !slices.Equal(leaves, []types.ManagedObjectReference{gone}) {
		t.Errorf("left after the load: %v; want only %s", leaves, gone.Value)
	}
}

// TestLoadEndedAtTheEndOfALargeFirstLoad: Options.LoadEnded is called
// once the last page of a large first load is handed out and no other
// collector of the session has pages left; not at the end of a small
// load, nor while another collector is still loading.
func TestLoadEndedAtTheEndOfALargeFirstLoad(t *testing.T) {
	spec, err := Preset("small")
	if err != nil {
		t.Fatal(err)
	}
	ended := make(chan struct{}, 10)
	s := startSpec(t, spec, Options{LoadEnded: func() { ended <- struct{}{} }})
	s.vc.feed.collectors.largeLoad = 8 // the small preset has 12 VMs
	c := login(t, s)
	page := &types.WaitOptions{MaxObjectUpdates: 5}
	drain := func(w *watcher) {
		for {
			set, err := w.wait(page)
			if err != nil {
				t.Fatal(err)
			}
			if !boolValue(set.Truncated) {
				return
			}
		}
	}
	quiet := func(what string) {
		t.Helper()
		select {
		case <-ended:
			t.Errorf("LoadEnded was called %s", what)
		case <-time.After(100 * time.Millisecond):
		}
	}

	hosts := watchKind(t, c, "HostSystem", c.ServiceContent.RootFolder, "name")
	drain(hosts)
	quiet("after a load of fewer objects than a large one")

	vms, others := watchVMs(t, c, c.ServiceContent.RootFolder, "name"), watchVMs(t, c, c.ServiceContent.RootFolder, "name")
	if _, err := others.wait(page); err != nil { // its first page: it has more to hand out
		t.Fatal(err)
	}
	drain(vms)
	quiet("while another collector of the session had pages left")
	drain(others)
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("LoadEnded was not called after the last page of the session's large loads")
	}
	quiet("twice")
}

// sessionKey returns the key of c's session on s.
func sessionKey(t testing.TB, s *Server, c *govmomi.Client) string {
	t.Helper()
	us, err := c.SessionManager.UserSession(context.Background())
	if err != nil || us == nil {
		t.Fatalf("current session: %v", err)
	}
	return us.Key
}

func TestUpdatesEnterModifyLeave(t *testing.T) {
	s, c, inv := simEnv(t)
	w := watchVMs(t, c, c.ServiceContent.RootFolder, "runtime.powerState")
	w.load()
	vm := inv.vm(t, "web-02")

	powerOp(t, c, vm.Self, "off")
	us := w.next()
	if len(us) != 1 || us[0].Obj != vm.Self || us[0].Kind != types.ObjectUpdateKindModify ||
		!slices.Equal(changeSet(us[0]), []string{"runtime.powerState=poweredOff"}) {
		t.Errorf("power-off of web-02 gave %v; want one modify of its power state", describe(us))
	}

	created, err := s.CreateVM(context.Background(), "new", "new-01")
	if err != nil {
		t.Fatal(err)
	}
	ref := types.ManagedObjectReference{Type: "VirtualMachine", Value: created}
	if u := findUpdate(w, ref); u.Kind != types.ObjectUpdateKindEnter || !slices.Equal(changeSet(u), []string{"runtime.powerState=poweredOff"}) {
		t.Errorf("created VM: %s %v; want enter with its power state", u.Kind, changeSet(u))
	}

	powerOp(t, c, ref, "destroy")
	if u := findUpdate(w, ref); u.Kind != types.ObjectUpdateKindLeave {
		t.Errorf("destroyed VM: %s; want leave", u.Kind)
	}
}

// findUpdate waits until an update of ref arrives, and returns it.
func findUpdate(w *watcher, ref types.ManagedObjectReference) types.ObjectUpdate {
	w.t.Helper()
	for range 20 {
		for _, u := range w.next() {
			if u.Obj == ref {
				return u
			}
		}
	}
	w.t.Fatalf("no update of %s", ref.Value)
	return types.ObjectUpdate{}
}

func describe(us []types.ObjectUpdate) []string {
	var out []string
	for _, u := range us {
		out = append(out, fmt.Sprintf("%s %s %v", u.Kind, u.Obj.Value, changeSet(u)))
	}
	return out
}

func TestNestedPathsReachFiltersAboveAndBelow(t *testing.T) {
	s, c, inv := simEnv(t)
	w := watchVMs(t, c, c.ServiceContent.RootFolder,
		"summary.quickStats.overallCpuUsage", "summary.runtime", "config.hardware.numCPU")
	w.load()
	vm := inv.vm(t, "web-01")
	stats := func(cpu int32) types.VirtualMachineQuickStats {
		return types.VirtualMachineQuickStats{OverallCpuUsage: cpu, GuestHeartbeatStatus: types.ManagedEntityStatusGreen}
	}
	var summary mo.VirtualMachine
	if err := c.RetrieveOne(context.Background(), vm.Self, []string{"summary"}, &summary); err != nil {
		t.Fatal(err)
	}
	withStats := summary.Summary
	withStats.QuickStats = stats(900)
	tests := []struct {
		change types.PropertyChange
		want   []string
	}{
		{types.PropertyChange{Name: "summary.quickStats.overallCpuUsage", Val: int32(700)}, // a path itself
			[]string{"summary.quickStats.overallCpuUsage=700"}},
		{types.PropertyChange{Name: "summary.quickStats", Val: stats(800)}, // above it
			[]string{"summary.quickStats.overallCpuUsage=800"}},
		{types.PropertyChange{Name: "summary", Val: withStats}, // above two paths
			[]string{"summary.quickStats.overallCpuUsage=900", "summary.runtime=types.VirtualMachineRuntimeInfo"}},
		{types.PropertyChange{Name: "summary.runtime.maxCpuUsage", Val: int32(4000)}, // below a path
			[]string{"summary.runtime=types.VirtualMachineRuntimeInfo"}},
		{types.PropertyChange{Name: "config.hardware", Val: types.VirtualHardware{NumCPU: 3}}, // above, two levels
			[]string{"config.hardware.numCPU=3"}},
		{types.PropertyChange{Name: "summary.quickStats.guestMemoryUsage", Val: int32(1)}, nil}, // beside them
	}
	for _, tt := range tests {
		serverUpdate(s, vm.Self, tt.change)
		set, err := w.wait(&types.WaitOptions{MaxWaitSeconds: types.NewInt32(0)})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range objectUpdates(set) {
			got = append(got, changeSet(u)...)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("change %s=%v reported %q; want %q", tt.change.Name, tt.change.Val, got, tt.want)
		}
	}
}

func TestViewMembershipFollowsMoves(t *testing.T) {
	_, c, inv := simEnv(t)
	clusterA := named(t, inv.inv.clusters, "cluster-a", func(cl mo.ClusterComputeResource) string { return cl.Name })
	clusterB := named(t, inv.inv.clusters, "cluster-b", func(cl mo.ClusterComputeResource) string { return cl.Name })
	inA := watchVMs(t, c, clusterA.Self, "name")
	inB := watchVMs(t, c, clusterB.Self, "name")
	a, b := inA.load(), inB.load()

	// A VM of cluster-a (not the one on its own datastore) moves to a host
	// of cluster-b, with cluster-b's pool.
	var vm mo.VirtualMachine
	for _, v := range inv.inv.vms {
		if _, ok := a[v.Self]; ok && v.Name != "web-01" {
			vm = v
			break
		}
	}
	to := inv.host(t, "esx-b-01.lab.local")
	if err := relocateVM(context.Background(), c, vm.Self, types.VirtualMachineRelocateSpec{Host: &to.Self, Pool: clusterB.ResourcePool}); err != nil {
		t.Fatal(err)
	}
	if u := findUpdate(inA, vm.Self); u.Kind != types.ObjectUpdateKindLeave {
		t.Errorf("%s moved out of cluster-a: %s in cluster-a's view; want leave", vm.Name, u.Kind)
	}
	if u := findUpdate(inB, vm.Self); u.Kind != types.ObjectUpdateKindEnter {
		t.Errorf("%s moved into cluster-b: %s in cluster-b's view; want enter", vm.Name, u.Kind)
	}
	var views []mo.ContainerView
	if err := c.Retrieve(context.Background(), []types.ManagedObjectReference{inA.view, inB.view}, []string{"view"}, &views); err != nil {
		t.Fatal(err)
	}
	for _, v := range views {
		want := v.Self == inB.view
		if slices.Contains(v.View, vm.Self) != want {
			t.Errorf("view %s lists %s: %v; want %v", v.Self.Value, vm.Name, !want, want)
		}
	}
	if len(b) == 0 {
		t.Errorf("cluster-b's view was empty at first")
	}
}

func TestOneChangeIsOneUpdateWithoutWalking(t *testing.T) {
	// 2,000 VMs build in a few seconds and make a walk or a re-collection
	// of everything stand out; BenchmarkWatchLatencyLarge (package vsphere)
	// measures 10,000.
	s := startSpec(t, Spec{Datacenters: 1, Clusters: 2, HostsPerCluster: 20, VMs: 2000, Datastores: 2}, Options{})
	c := login(t, s)
	w := watchVMs(t, c, c.ServiceContent.RootFolder, "runtime.powerState", "summary.quickStats.overallCpuUsage")
	in := w.load()
	if len(in) != 2000 {
		t.Fatalf("%d VMs entered; want 2000", len(in))
	}
	var target types.ObjectUpdate
	for _, u := range in {
		if slices.Contains(changeSet(u), "runtime.powerState=poweredOn") {
			target = u
			break
		}
	}
	walks := s.vc.feed.collectors.walks.Load()
	// Not waiting for the task: that would walk a filter of its own.
	if _, err := methods.PowerOffVM_Task(context.Background(), c.Client, &types.PowerOffVM_Task{This: target.Obj}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for len(got) < 2 {
		for _, u := range w.next() {
			if u.Obj != target.Obj || u.Kind != types.ObjectUpdateKindModify {
				t.Errorf("unexpected update %s %s %v", u.Kind, u.Obj.Value, changeSet(u))
			}
			got = append(got, changeSet(u)...)
		}
	}
	want := []string{"runtime.powerState=poweredOff", "summary.quickStats.overallCpuUsage=0"}
	if !slices.Equal(got, want) {
		t.Errorf("power-off reported %q; want %q", got, want)
	}
	if n := s.vc.feed.collectors.walks.Load() - walks; n != 0 {
		t.Errorf("a power-off walked filters %d times; want none", n)
	}
	if !w.quiet() {
		t.Errorf("more updates came after the power-off's")
	}
}

// TestFirstWaitReadsWithoutWalkingAgain: the first wait after
// CreateFilter (which walks the traversal) hands out every VM without
// walking it again, as does a later wait that starts over (no version)
// when nothing moved; a creation makes the next one walk.
func TestFirstWaitReadsWithoutWalkingAgain(t *testing.T) {
	s, c, inv := simEnv(t)
	w := watchVMs(t, c, c.ServiceContent.RootFolder, "name")
	walks := s.vc.feed.collectors.walks.Load()
	if n := len(w.load()); n != len(inv.inv.vms) {
		t.Fatalf("the first wait handed out %d VMs; want %d", n, len(inv.inv.vms))
	}
	if n := s.vc.feed.collectors.walks.Load() - walks; n != 0 {
		t.Errorf("the first wait walked the filter %d times; CreateFilter had", n)
	}
	w.version = ""
	if n := len(w.load()); n != len(inv.inv.vms) {
		t.Fatalf("starting over handed out %d VMs; want %d", n, len(inv.inv.vms))
	}
	if n := s.vc.feed.collectors.walks.Load() - walks; n != 0 {
		t.Errorf("starting over with nothing moved walked the filter %d times", n)
	}
	dc := s.Model().Map().Any("Datacenter").(*simulator.Datacenter)
	pool := s.Model().Map().Any("ResourcePool").Reference()
	spec := types.VirtualMachineConfigSpec{Name: "made-here", GuestId: "otherGuest", Files: &types.VirtualMachineFileInfo{VmPathName: "[ds-shared-01]"}}
	task, err := object.NewFolder(c.Client, dc.VmFolder).CreateVM(context.Background(), spec, object.NewResourcePool(c.Client, pool), nil)
	if err == nil {
		err = task.Wait(context.Background())
	}
	if err != nil {
		t.Fatal(err)
	}
	w.version = ""
	if n := len(w.load()); n != len(inv.inv.vms)+1 {
		t.Errorf("starting over after a creation handed out %d VMs; want %d", n, len(inv.inv.vms)+1)
	}
}

func TestStoppedVMsReportNoUsage(t *testing.T) {
	_, c, inv := simEnv(t)
	for _, vm := range inv.inv.vms {
		var got mo.VirtualMachine
		if err := c.RetrieveOne(context.Background(), vm.Self, []string{"summary.quickStats"}, &got); err != nil {
			t.Fatal(err)
		}
		qs := got.Summary.QuickStats
		if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn && (qs.OverallCpuUsage != 0 || qs.GuestMemoryUsage != 0 || qs.HostMemoryUsage != 0) {
			t.Errorf("%s, %s as built, uses %d MHz, %d MB guest, %d MB host; want none", vm.Name, vm.Runtime.PowerState, qs.OverallCpuUsage, qs.GuestMemoryUsage, qs.HostMemoryUsage)
		}
	}
	for _, tt := range []struct{ vm, op string }{{"web-01", "off"}, {"app-01", "suspend"}} {
		ref := inv.vm(t, tt.vm).Self
		powerOp(t, c, ref, tt.op)
		var got mo.VirtualMachine
		if err := c.RetrieveOne(context.Background(), ref, []string{"summary.quickStats"}, &got); err != nil {
			t.Fatal(err)
		}
		if qs := got.Summary.QuickStats; qs.OverallCpuUsage != 0 || qs.GuestMemoryUsage != 0 || qs.HostMemoryUsage != 0 || qs.GuestHeartbeatStatus != types.ManagedEntityStatusGray {
			t.Errorf("%s after %s: %d MHz, %d MB guest, %d MB host, heartbeat %s; want none, gray", tt.vm, tt.op,
				qs.OverallCpuUsage, qs.GuestMemoryUsage, qs.HostMemoryUsage, qs.GuestHeartbeatStatus)
		}
	}
}

func TestAKilledClientsWaitEnds(t *testing.T) {
	s, c, _ := simEnv(t)
	w := watchVMs(t, c, c.ServiceContent.RootFolder, "name")
	w.load()
	key := sessionKey(t, s, c)
	ctx, kill := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = methods.WaitForUpdatesEx(ctx, c.Client, &types.WaitForUpdatesEx{This: w.pc, Version: w.version})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !s.vc.feed.collectors.waiting(key) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if !s.vc.feed.collectors.waiting(key) {
		t.Fatal("the wait never started")
	}
	kill() // the client drops the connection, as a killed process does; it sends no CancelWaitForUpdates
	<-done
	for s.vc.feed.collectors.waiting(key) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if s.vc.feed.collectors.waiting(key) {
		t.Errorf("the wait goes on after its client's connection closed")
	}
}

func TestIdleSessionsExpire(t *testing.T) {
	spec, _ := Preset("small")
	s := startSpec(t, spec, Options{SessionTimeout: 300 * time.Millisecond})
	ctx := context.Background()
	idle := login(t, s)
	busy := login(t, s)
	idleKey, busyKey := sessionKey(t, s, idle), sessionKey(t, s, busy)
	watchVMs(t, idle, idle.ServiceContent.RootFolder, "name")
	cluster := s.Model().Map().Any("ClusterComputeResource").Reference()
	if _, err := view.NewManager(idle.Client).CreateContainerView(ctx, cluster, []string{"VirtualMachine"}, true); err != nil {
		t.Fatal(err)
	}
	events, err := methods.CreateCollectorForEvents(ctx, idle.Client, &types.CreateCollectorForEvents{
		This: *idle.ServiceContent.EventManager, Filter: types.EventFilterSpec{}})
	if err != nil {
		t.Fatal(err)
	}
	s.vc.feed.sessions.mu.Lock()
	idleSession := s.vc.feed.sessions.seen[idleKey].session
	s.vc.feed.sessions.mu.Unlock()
	// busy waits all along (no time limit), which counts as activity.
	bw := watchVMs(t, busy, busy.ServiceContent.RootFolder, "name")
	bw.load()
	waitDone := make(chan error, 1)
	go func() { _, err := bw.wait(nil); waitDone <- err }()

	deadline := time.Now().Add(10 * time.Second)
	for hasSession(s, idleKey) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if hasSession(s, idleKey) {
		t.Fatalf("a session idle for 300ms still exists after 10s")
	}
	if _, err := methods.GetCurrentTime(ctx, idle.Client); !fault.Is(err, &types.NotAuthenticated{}) {
		t.Errorf("a call of the expired session: %v; want NotAuthenticated", err)
	}
	cs := s.vc.feed.collectors
	cs.each(func(k collectorKey, _ *collector) {
		if k.session == idleKey {
			t.Errorf("the expired session's collector %s remains", k.ref.Value)
		}
	})
	s.vc.feed.views.mu.Lock()
	for ref, kv := range s.vc.feed.views.views {
		if kv.session == idleKey {
			t.Errorf("the expired session's view %s is still kept", ref.Value)
		}
	}
	s.vc.feed.views.mu.Unlock()
	if idleSession.Registry.Get(events.Returnval) != nil {
		t.Errorf("the expired session's event collector remains")
	}
	if !hasSession(s, busyKey) {
		t.Errorf("the session with a wait in progress expired")
	}
	select {
	case err := <-waitDone:
		t.Errorf("the busy session's wait ended: %v", err)
	default:
	}
}

// hasSession reports whether the session key is logged in.
func hasSession(s *Server, key string) bool {
	sm := s.Model().Map().SessionManager()
	return sm.SessionIsActive(&simulator.Context{Map: s.Model().Map()}, &types.SessionIsActive{SessionID: key, UserName: s.Username}).(*methods.SessionIsActiveBody).Res.Returnval
}
