package sim

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"
)

// retrievalEnv is a demo server, a logged-in client, and the simulator
// context of its session, to call vcsim's collector and vtui's side by
// side in process.
type retrievalEnv struct {
	s    *Server
	c    *govmomi.Client
	ctx  *simulator.Context
	pc   *simulator.PropertyCollector
	view types.ManagedObjectReference // a container view of every entity
}

func newRetrievalEnv(t *testing.T) retrievalEnv {
	t.Helper()
	s := startPreset(t, "demo")
	c := login(t, s)
	v, err := view.NewManager(c.Client).CreateContainerView(context.Background(), c.ServiceContent.RootFolder, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	ctx := sessionContext(t, s, c)
	pc := ctx.Session.Get(c.ServiceContent.PropertyCollector).(*simulator.PropertyCollector)
	return retrievalEnv{s: s, c: c, ctx: ctx, pc: pc, view: v.Reference()}
}

// sessionContext returns a simulator context of c's session on s, to call
// the simulator's methods in process as that session.
func sessionContext(t testing.TB, s *Server, c *govmomi.Client) *simulator.Context {
	t.Helper()
	key := sessionKey(t, s, c)
	s.vc.feed.sessions.mu.Lock()
	session := s.vc.feed.sessions.seen[key].session
	s.vc.feed.sessions.mu.Unlock()
	return &simulator.Context{Context: context.Background(), Map: s.Model().Map(), Session: &session}
}

// viewSpec selects every object of the view, with props.
func (e retrievalEnv) viewSpec(props ...types.PropertySpec) types.PropertyFilterSpec {
	return types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: e.view, Skip: types.NewBool(true), SelectSet: []types.BaseSelectionSpec{
			&types.TraversalSpec{Type: "ContainerView", Path: "view"}}}},
		PropSet: props,
	}
}

// encoded is how a retrieval's objects travel: each object's XML, sorted
// by reference (vcsim collects a spec's roots before what its traversals
// reach; vtui in the order found, which vSphere does not promise either).
func encoded(t *testing.T, objects []types.ObjectContent) []string {
	t.Helper()
	out := make([]string, 0, len(objects))
	for _, oc := range objects {
		b, err := xml.Marshal(oc)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	slices.Sort(out)
	return out
}

// TestRetrievalsMatchVcsim asks vcsim's RetrievePropertiesEx and vtui's
// the same questions on the same inventory, and checks that the answers
// encode alike: the objects, their properties and missing properties,
// and the faults.
func TestRetrievalsMatchVcsim(t *testing.T) {
	e := newRetrievalEnv(t)
	kinds := []string{"Folder", "Datacenter", "ClusterComputeResource", "HostSystem", "VirtualMachine", "Datastore", "Network", "ResourcePool"}
	type tc struct {
		name  string
		specs []types.PropertyFilterSpec
	}
	var cases []tc
	root := e.s.Model().ServiceContent.RootFolder
	for _, typ := range kinds {
		cases = append(cases, tc{typ + " all", []types.PropertyFilterSpec{e.viewSpec(types.PropertySpec{Type: typ, All: types.NewBool(true)})}})
	}
	paths := func(typ string, ps ...string) tc {
		return tc{typ + " " + strings.Join(ps, ","), []types.PropertyFilterSpec{e.viewSpec(types.PropertySpec{Type: typ, PathSet: ps})}}
	}
	cases = append(cases,
		paths("VirtualMachine", "name", "runtime.powerState", "runtime.host", "resourcePool", "datastore", "network",
			"config.hardware.numCPU", "config.hardware.memoryMB", "config.instanceUuid", "config.template",
			"summary.quickStats.overallCpuUsage", "summary.quickStats.guestMemoryUsage", "guest.ipAddress", "guest.toolsStatus"),
		paths("VirtualMachine", "summary", "runtime", "config.hardware", "guest.net", "parentVApp", "snapshot"),
		paths("VirtualMachine", "config.hardware.device[4000]", "config.hardware.device[4000].deviceInfo.label", "config.hardware.device[99999]"),
		paths("VirtualMachine", "bogus", "summary.bogus", "config.hardware.device.key", "name", "name"),
		paths("HostSystem", "name", "vm", "datastore", "network", "summary.hardware", "summary.quickStats", "runtime", "config.network.pnic"),
		paths("ClusterComputeResource", "name", "host", "summary", "configurationEx", "configurationEx.dasConfig.enabled"),
		paths("ManagedEntity", "name", "parent", "overallStatus"),
		paths("Datastore", "summary", "info", "host", "vm"),
		tc{"root objects, not skipped", []types.PropertyFilterSpec{{
			ObjectSet: []types.ObjectSpec{{Obj: e.s.Model().ServiceContent.RootFolder}, {Obj: e.view}},
			PropSet:   []types.PropertySpec{{Type: "Folder", PathSet: []string{"name", "childEntity"}}, {Type: "ContainerView", PathSet: []string{"view"}}},
		}}},
		tc{"a missing root", []types.PropertyFilterSpec{{
			ObjectSet: []types.ObjectSpec{{Obj: types.ManagedObjectReference{Type: "VirtualMachine", Value: "vm-gone"}}},
			PropSet:   []types.PropertySpec{{Type: "VirtualMachine", PathSet: []string{"name"}}},
		}}},
		tc{"a missing root, reported in results", []types.PropertyFilterSpec{{
			ObjectSet:                     []types.ObjectSpec{{Obj: types.ManagedObjectReference{Type: "VirtualMachine", Value: "vm-gone"}}, {Obj: e.view}},
			PropSet:                       []types.PropertySpec{{Type: "ContainerView", PathSet: []string{"view"}}},
			ReportMissingObjectsInResults: types.NewBool(true),
		}}},
		tc{"an undefined traversal spec", []types.PropertyFilterSpec{{
			ObjectSet: []types.ObjectSpec{{Obj: e.view, SelectSet: []types.BaseSelectionSpec{&types.SelectionSpec{Name: "nowhere"}}}},
			PropSet:   []types.PropertySpec{{Type: "VirtualMachine", PathSet: []string{"name"}}},
		}}},
		tc{"VM names by a traversal from the root folder", []types.PropertyFilterSpec{vmNamesByTraversal(root)}},
		tc{"an undefined traversal spec, reached at the VMs", []types.PropertyFilterSpec{{
			ObjectSet: []types.ObjectSpec{{Obj: root, SelectSet: []types.BaseSelectionSpec{
				&types.TraversalSpec{Path: "childEntity", SelectSet: []types.BaseSelectionSpec{&types.TraversalSpec{Path: "vmFolder", SelectSet: []types.BaseSelectionSpec{
					&types.TraversalSpec{Path: "childEntity", SelectSet: []types.BaseSelectionSpec{&types.SelectionSpec{Name: "nowhere"}}}}}}}}}},
			PropSet: []types.PropertySpec{{Type: "VirtualMachine", PathSet: []string{"name"}}},
		}}},
		tc{"two specs", []types.PropertyFilterSpec{
			e.viewSpec(types.PropertySpec{Type: "HostSystem", PathSet: []string{"name"}}),
			e.viewSpec(types.PropertySpec{Type: "VirtualMachine", PathSet: []string{"name", "runtime.host"}}),
		}},
	)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := &types.RetrievePropertiesEx{This: e.pc.Reference(), SpecSet: c.specs}
			want := e.pc.RetrievePropertiesEx(e.ctx, req).(*methods.RetrievePropertiesExBody)
			got := e.s.vc.RetrievePropertiesEx(e.ctx, req).(*methods.RetrievePropertiesExBody)
			if faultText(want.Fault_) != faultText(got.Fault_) {
				t.Fatalf("fault %s; vcsim's %s", faultText(got.Fault_), faultText(want.Fault_))
			}
			if want.Fault_ != nil {
				return
			}
			w, g := encoded(t, once(want.Res.Returnval.Objects)), encoded(t, got.Res.Returnval.Objects)
			if len(w) == 0 && !strings.Contains(c.name, "missing") {
				t.Fatal("vcsim found nothing: the case tests nothing")
			}
			if len(g) != len(w) {
				t.Fatalf("%d objects; vcsim %d", len(g), len(w))
			}
			for i := range w {
				if g[i] != w[i] {
					t.Fatalf("object %d:\n got %s\nwant %s", i, g[i], w[i])
				}
			}
		})
	}
}

// once drops the properties vcsim reports twice: with all=true, a
// Network's name, which mo.Network declares over ManagedEntity's. vCenter
// and vtui report each property once.
func once(objects []types.ObjectContent) []types.ObjectContent {
	for i, oc := range objects {
		seen := map[string]bool{}
		objects[i].PropSet = slices.DeleteFunc(slices.Clone(oc.PropSet), func(p types.DynamicProperty) bool {
			dup := seen[p.Name]
			seen[p.Name] = true
			return dup
		})
	}
	return objects
}

// faultText names a fault by its type and text, or "none".
func faultText(f *soap.Fault) string {
	if f == nil {
		return "none"
	}
	return fmt.Sprintf("%T %s", f.VimFault(), f.String)
}

// TestRetrievalPages hands out a retrieval in pages of maxObjects, under
// tokens the session alone can continue, and cancels one.
func TestRetrievalPages(t *testing.T) {
	e := newRetrievalEnv(t)
	spec := e.viewSpec(types.PropertySpec{Type: "VirtualMachine", PathSet: []string{"name"}})
	all := e.s.vc.RetrievePropertiesEx(e.ctx, &types.RetrievePropertiesEx{SpecSet: []types.PropertyFilterSpec{spec}}).(*methods.RetrievePropertiesExBody).Res.Returnval
	if all.Token != "" || len(all.Objects) < 25 {
		t.Fatalf("without maxObjects: %d objects, token %q; want all of the demo's VMs at once", len(all.Objects), all.Token)
	}
	res := e.s.vc.RetrievePropertiesEx(e.ctx, &types.RetrievePropertiesEx{SpecSet: []types.PropertyFilterSpec{spec}, Options: types.RetrieveOptions{MaxObjects: 10}}).(*methods.RetrievePropertiesExBody).Res.Returnval
	got := res.Objects
	var sizes []int
	for sizes = append(sizes, len(res.Objects)); res.Token != ""; sizes = append(sizes, len(res.Objects)) {
		other := *e.ctx
		other.Session = &simulator.Session{UserSession: types.UserSession{Key: "someone-else"}, Registry: e.ctx.Session.Registry}
		if f := e.s.vc.ContinueRetrievePropertiesEx(&other, &types.ContinueRetrievePropertiesEx{Token: res.Token}).Fault(); f == nil {
			t.Fatal("another session continued the retrieval; want InvalidPropertyFault")
		}
		next := e.s.vc.ContinueRetrievePropertiesEx(e.ctx, &types.ContinueRetrievePropertiesEx{Token: res.Token}).(*methods.ContinueRetrievePropertiesExBody).Res.Returnval
		res = &next
		got = append(got, res.Objects...)
	}
	if !slices.Equal(encoded(t, got), encoded(t, all.Objects)) || slices.ContainsFunc(sizes[:len(sizes)-1], func(n int) bool { return n != 10 }) {
		t.Errorf("pages of %v objects; want pages of 10 that add up to the %d of one answer", sizes, len(all.Objects))
	}
	if f := e.s.vc.ContinueRetrievePropertiesEx(e.ctx, &types.ContinueRetrievePropertiesEx{Token: "vtui-page-0"}).Fault(); faultText(f) == "none" || !strings.Contains(faultText(f), "InvalidPropertyFault") {
		t.Errorf("continuing an unknown token: %s; want InvalidPropertyFault", faultText(f))
	}
	res = e.s.vc.RetrievePropertiesEx(e.ctx, &types.RetrievePropertiesEx{SpecSet: []types.PropertyFilterSpec{spec}, Options: types.RetrieveOptions{MaxObjects: 10}}).(*methods.RetrievePropertiesExBody).Res.Returnval
	if f := e.s.vc.CancelRetrievePropertiesEx(e.ctx, &types.CancelRetrievePropertiesEx{Token: res.Token}).Fault(); f != nil {
		t.Fatalf("cancel: %s", faultText(f))
	}
	if f := e.s.vc.ContinueRetrievePropertiesEx(e.ctx, &types.ContinueRetrievePropertiesEx{Token: res.Token}).Fault(); f == nil {
		t.Error("a cancelled retrieval continued; want InvalidPropertyFault")
	}
}

// TestRetrievalPagesAreReadWhenAskedFor: a page is read when it is asked
// for, not with the first: a VM of a later page renamed meanwhile comes
// with its new name, and one destroyed meanwhile is passed by, the page
// still full.
func TestRetrievalPagesAreReadWhenAskedFor(t *testing.T) {
	e := newRetrievalEnv(t)
	spec := e.viewSpec(types.PropertySpec{Type: "VirtualMachine", PathSet: []string{"name"}})
	first := e.s.vc.RetrievePropertiesEx(e.ctx, &types.RetrievePropertiesEx{SpecSet: []types.PropertyFilterSpec{spec}, Options: types.RetrieveOptions{MaxObjects: 10}}).(*methods.RetrievePropertiesExBody).Res.Returnval
	if first.Token == "" {
		t.Fatal("one page: the demo has too few VMs for the test")
	}
	inFirst := map[types.ManagedObjectReference]bool{}
	for _, oc := range first.Objects {
		inFirst[oc.Obj] = true
	}
	var later []*simulator.VirtualMachine
	for _, obj := range e.s.Model().Map().All("VirtualMachine") {
		if vm := obj.(*simulator.VirtualMachine); !inFirst[vm.Self] {
			later = append(later, vm)
		}
	}
	renamed, gone := later[0], later[1]
	ctx := context.Background()
	steps := []func() (*object.Task, error){
		func() (*object.Task, error) {
			return object.NewVirtualMachine(e.c.Client, renamed.Self).Rename(ctx, "renamed-meanwhile")
		},
		func() (*object.Task, error) { return object.NewVirtualMachine(e.c.Client, gone.Self).Destroy(ctx) },
	}
	var state types.VirtualMachinePowerState
	e.ctx.WithLock(gone.Self, func() { state = gone.Runtime.PowerState })
	if state != types.VirtualMachinePowerStatePoweredOff {
		powerOff := func() (*object.Task, error) { return object.NewVirtualMachine(e.c.Client, gone.Self).PowerOff(ctx) }
		steps = slices.Insert(steps, 1, powerOff)
	}
	for _, step := range steps {
		task, err := step()
		if err == nil {
			err = task.Wait(ctx)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	names := map[types.ManagedObjectReference]string{}
	var sizes []int
	for res := first; res.Token != ""; {
		next := e.s.vc.ContinueRetrievePropertiesEx(e.ctx, &types.ContinueRetrievePropertiesEx{Token: res.Token}).(*methods.ContinueRetrievePropertiesExBody).Res.Returnval
		res = &next
		sizes = append(sizes, len(res.Objects))
		for _, oc := range res.Objects {
			names[oc.Obj] = oc.PropSet[0].Val.(string)
		}
	}
	if names[renamed.Self] != "renamed-meanwhile" {
		t.Errorf("%s, renamed after the first page, came as %q; want its new name", renamed.Self.Value, names[renamed.Self])
	}
	if _, ok := names[gone.Self]; ok {
		t.Errorf("%s, destroyed after the first page, came all the same", gone.Self.Value)
	}
	if slices.ContainsFunc(sizes[:len(sizes)-1], func(n int) bool { return n != 10 }) {
		t.Errorf("pages after the first of %v objects; want full pages of 10 but the last", sizes)
	}
}

// TestRetrievedValuesDoNotAlias reads a VM's runtime, changes the VM, and
// checks that what was read is as it was: the encoding after the lock is
// released sees the value read, not the object.
func TestRetrievedValuesDoNotAlias(t *testing.T) {
	e := newRetrievalEnv(t)
	vm := e.s.Model().Map().Any("VirtualMachine").(*simulator.VirtualMachine)
	oc, ok := content(e.ctx, vm.Self, &specProps{specs: []types.PropertySpec{{Type: "VirtualMachine", PathSet: []string{"runtime", "config.hardware.device", "datastore"}}}})
	if !ok || len(oc.PropSet) != 3 {
		t.Fatalf("read %v (ok %v); want runtime, the devices and the datastores", oc.PropSet, ok)
	}
	before := encoded(t, []types.ObjectContent{oc})
	e.ctx.WithLock(vm.Self, func() {
		*vm.Runtime.Host = types.ManagedObjectReference{Type: "HostSystem", Value: "host-elsewhere"}
		vm.Config.Hardware.Device[0].GetVirtualDevice().Key = 123456
		vm.Config.Hardware.Device[0].GetVirtualDevice().DeviceInfo.GetDescription().Label = "changed"
		vm.Datastore[0].Value = "datastore-elsewhere"
	})
	if after := encoded(t, []types.ObjectContent{oc}); !slices.Equal(after, before) {
		t.Errorf("what was read changed with the VM:\nbefore %s\n after %s", before, after)
	}
}

// TestCloneSharesNothing copies values of the shapes vim25 types have
// (pointers, slices, interfaces, maps, arrays of pointers, time) and
// checks that changing the original leaves the copy as it was.
func TestCloneSharesNothing(t *testing.T) {
	type shape struct {
		P   *types.ManagedObjectReference
		S   []types.BaseVirtualDevice
		M   map[string]*int
		A   [2]*string
		T   time.Time
		Any any
	}
	one, word := 1, "a"
	orig := &shape{
		P:   &types.ManagedObjectReference{Type: "HostSystem", Value: "host-1"},
		S:   []types.BaseVirtualDevice{&types.VirtualDisk{CapacityInKB: 1}},
		M:   map[string]*int{"k": &one},
		A:   [2]*string{&word, nil},
		T:   time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC),
		Any: &types.ManagedObjectReference{Value: "x"},
	}
	c := clone(orig).(*shape)
	orig.P.Value = "host-2"
	orig.S[0].(*types.VirtualDisk).CapacityInKB = 2
	*orig.M["k"] = 2
	*orig.A[0] = "b"
	orig.Any.(*types.ManagedObjectReference).Value = "y"
	if c.P.Value != "host-1" || c.S[0].(*types.VirtualDisk).CapacityInKB != 1 || *c.M["k"] != 1 || *c.A[0] != "a" ||
		c.Any.(*types.ManagedObjectReference).Value != "x" || !c.T.Equal(orig.T) {
		t.Errorf("the copy changed with the original: %+v", c)
	}
}

// TestRetrievalsWithoutASessionStayVcsims: a retrieval before login is
// answered as vcsim (and vCenter) answer it, every property missing with
// NotAuthenticated: such calls are vcsim's, since the simulator's
// rerouting works through the calling session (route.go).
func TestRetrievalsWithoutASessionStayVcsims(t *testing.T) {
	s := startPreset(t, "small")
	ctx := context.Background()
	sc := soap.NewClient(s.URL, false)
	sc.SetThumbprint(s.URL.Host, s.Thumbprint)
	vc, err := vim25.NewClient(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	res, err := methods.RetrievePropertiesEx(ctx, vc, &types.RetrievePropertiesEx{
		This: vc.ServiceContent.PropertyCollector,
		SpecSet: []types.PropertyFilterSpec{{
			ObjectSet: []types.ObjectSpec{{Obj: vc.ServiceContent.RootFolder}},
			PropSet:   []types.PropertySpec{{Type: "Folder", PathSet: []string{"name"}}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	objs := res.Returnval.Objects
	if len(objs) != 1 || len(objs[0].PropSet) != 0 || len(objs[0].MissingSet) != 1 {
		t.Fatalf("the root folder's name before login: %+v; want it missing", objs)
	}
	if _, ok := objs[0].MissingSet[0].Fault.Fault.(*types.NotAuthenticated); !ok {
		t.Errorf("missing for %T; want NotAuthenticated", objs[0].MissingSet[0].Fault.Fault)
	}
}

// TestTraversalSpecsFollowOnlyFromTheirType: vCenter follows a traversal
// spec only from objects of its type or a type derived from it; vcsim
// from any object with a field of the spec's path. From the VM folders, a
// ResourcePool spec's resourcePool must not be followed from the VMs
// (which have one): it finds no pool. From the host folders, a
// ComputeResource spec is followed from clusters, a type derived from it,
// and finds their root pools.
func TestTraversalSpecsFollowOnlyFromTheirType(t *testing.T) {
	e := newRetrievalEnv(t)
	trav := func(name, typ, path string, next ...string) types.BaseSelectionSpec {
		ts := &types.TraversalSpec{SelectionSpec: types.SelectionSpec{Name: name}, Type: typ, Path: path}
		for _, n := range next {
			ts.SelectSet = append(ts.SelectSet, &types.SelectionSpec{Name: n})
		}
		return ts
	}
	walk := func(folder string) map[string]int {
		spec := types.PropertyFilterSpec{
			ObjectSet: []types.ObjectSpec{{Obj: e.s.Model().ServiceContent.RootFolder, SelectSet: []types.BaseSelectionSpec{
				trav("folder", "Folder", "childEntity", "folder", "dc", "compute", "pool"),
				trav("dc", "Datacenter", folder, "folder"),
				trav("compute", "ComputeResource", "resourcePool"),
				trav("pool", "ResourcePool", "resourcePool", "pool"),
			}}},
			PropSet: []types.PropertySpec{
				{Type: "VirtualMachine", PathSet: []string{"name"}},
				{Type: "ResourcePool", PathSet: []string{"name"}},
			},
		}
		res := e.s.vc.RetrievePropertiesEx(e.ctx, &types.RetrievePropertiesEx{SpecSet: []types.PropertyFilterSpec{spec}}).(*methods.RetrievePropertiesExBody)
		if res.Fault_ != nil {
			t.Fatal(faultText(res.Fault_))
		}
		found := map[string]int{}
		for _, oc := range res.Res.Returnval.Objects {
			found[oc.Obj.Type]++
		}
		return found
	}
	if found := walk("vmFolder"); found["ResourcePool"] != 0 || found["VirtualMachine"] == 0 {
		t.Errorf("down the VM folders: %v; want VMs and no resource pool (a VM's resourcePool is not a ResourcePool's)", found)
	}
	clusters := len(e.s.Model().Map().All("ClusterComputeResource"))
	if found := walk("hostFolder"); found["ResourcePool"] < clusters || found["VirtualMachine"] != 0 {
		t.Errorf("down the host folders: %v; want the root pools of the %d clusters (a cluster is a ComputeResource) and no VM", found, clusters)
	}
}
