package conn_test

import (
	"context"
	"io"
	"net/http"
	"reflect"
	"testing"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// vmListPaths are the properties of the VM list's rows.
var vmListPaths = []string{
	"name", "runtime.powerState", "runtime.host", "datastore", "network",
	"config.hardware.numCPU", "config.hardware.memoryMB", "config.instanceUuid", "config.template",
	"summary.quickStats.overallCpuUsage", "summary.quickStats.guestMemoryUsage", "guest.ipAddress", "guest.toolsStatus",
}

// answer sends req as the lean decoder would and returns the answer's
// bytes, as the server sent them.
func answer(tb testing.TB, sc *soap.Client, req soap.HasFault) []byte {
	tb.Helper()
	hr, err := conn.LeanRequest(sc, req)
	if err != nil {
		tb.Fatal(err)
	}
	var body []byte
	if err := sc.Do(context.Background(), hr, func(res *http.Response) (err error) {
		body, err = io.ReadAll(res.Body)
		return err
	}); err != nil {
		tb.Fatal(err)
	}
	return body
}

// govmomiDecode decodes a SOAP answer into res with govmomi's decoder.
func govmomiDecode(tb testing.TB, body []byte, res soap.HasFault) {
	tb.Helper()
	if err := decodeWithGovmomi(body, res); err != nil {
		tb.Fatal(err)
	}
}

// vmCollector creates a property collector with a filter on every VM's
// properties paths, through a container view.
func vmCollector(tb testing.TB, c *conn.Conn, paths []string) types.ManagedObjectReference {
	tb.Helper()
	ctx := context.Background()
	vim := conn.VIM(c)
	content := vim.ServiceContent
	view, err := methods.CreateContainerView(ctx, vim, &types.CreateContainerView{
		This: *content.ViewManager, Container: content.RootFolder, Type: []string{"VirtualMachine"}, Recursive: true})
	if err != nil {
		tb.Fatal(err)
	}
	pc, err := methods.CreatePropertyCollector(ctx, vim, &types.CreatePropertyCollector{This: content.PropertyCollector})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := methods.CreateFilter(ctx, vim, &types.CreateFilter{This: pc.Returnval, Spec: types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: view.Returnval, Skip: types.NewBool(true),
			SelectSet: []types.BaseSelectionSpec{&types.TraversalSpec{Type: "ContainerView", Path: "view"}}}},
		PropSet: []types.PropertySpec{{Type: "VirtualMachine", PathSet: paths}},
	}}); err != nil {
		tb.Fatal(err)
	}
	return pc.Returnval
}

// TestLeanDecodeUpdateSetMatchesGovmomi: the answers of WaitForUpdatesEx
// from plain vcsim and from vtui's simulator, as a watch reads them (a
// first load in truncated pieces, VMs that enter, change and leave, simple
// and nested values, a wait that ends without changes), decode to the same
// Go values through the lean decoder as through govmomi's, from the same
// bytes; and a wait through the lean round tripper gets them too.
func TestLeanDecodeUpdateSetMatchesGovmomi(t *testing.T) {
	for name, c := range map[string]func() *conn.Conn{
		"vcsim": func() *conn.Conn { return plainVcsim(t) },
		"sim":   func() *conn.Conn { return vspheretest.Connect(t, vspheretest.Start(t, "small")).Conn() },
	} {
		t.Run(name, func(t *testing.T) { testLeanDecodeUpdateSet(t, c()) })
	}
}

func testLeanDecodeUpdateSet(t *testing.T, c *conn.Conn) {
	ctx := context.Background()
	vim, sc := conn.VIM(c), conn.SOAP(c)
	pc := vmCollector(t, c, append(vmListPaths, "summary"))
	seen := map[string]bool{} // kinds, ops, "truncated", "nil", "nested"
	// wait waits for updates since version, at most maxWait seconds.
	wait := func(version string, maxObjects, maxWait int32) *types.UpdateSet {
		t.Helper()
		req := &types.WaitForUpdatesEx{This: pc, Version: version,
			Options: &types.WaitOptions{MaxObjectUpdates: maxObjects, MaxWaitSeconds: &maxWait}}
		body := answer(t, sc, &methods.WaitForUpdatesExBody{Req: req})
		var want, got methods.WaitForUpdatesExBody
		govmomiDecode(t, body, &want)
		if _, err := conn.DecodeUpdateSet(body, &got); err != nil {
			t.Fatalf("since %q: %v", version, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("since %q: lean decode\n%#v\nwant govmomi's\n%#v", version, got.Res, want.Res)
		}
		set := want.Res.Returnval
		if set == nil {
			seen["nil"] = true
			return nil
		}
		if set.Truncated != nil && *set.Truncated {
			seen["truncated"] = true
		}
		for _, fs := range set.FilterSet {
			for _, ou := range fs.ObjectSet {
				seen[string(ou.Kind)] = true
				for _, ch := range ou.ChangeSet {
					seen[string(ch.Op)] = true
					if _, ok := ch.Val.(types.VirtualMachineSummary); ok {
						seen["nested"] = true
					}
				}
			}
		}
		return set
	}
	// The first load, a few VMs at a time.
	var version string
	var vm types.ManagedObjectReference
	for {
		set := wait(version, 3, 10)
		if set == nil {
			t.Fatal("the first load ended without updates")
		}
		version = set.Version
		if vm.Value == "" && len(set.FilterSet) > 0 {
			vm = set.FilterSet[0].ObjectSet[0].Obj
		}
		if set.Truncated == nil || !*set.Truncated {
			break
		}
	}
	// Nothing changed since.
	if set := wait(version, 0, 0); set != nil {
		t.Fatalf("a wait without changes: %#v; want no update set", set)
	}
	// A VM changes and leaves.
	v := object.NewVirtualMachine(vim, vm)
	for _, step := range []func(context.Context) (*object.Task, error){
		func(ctx context.Context) (*object.Task, error) { return v.Rename(ctx, "renamed & <escaped>") },
		v.PowerOff,
		v.Destroy,
	} {
		task, err := step(ctx)
		if err == nil {
			err = task.Wait(ctx)
		}
		if err != nil && !fault.Is(err, &types.InvalidPowerState{}) { // off already
			t.Fatal(err)
		}
	}
	for i := 0; i < 10 && !seen["leave"]; i++ {
		if set := wait(version, 0, 5); set != nil {
			version = set.Version
		}
	}
	for _, what := range []string{"enter", "modify", "leave", "assign", "truncated", "nil", "nested"} {
		if !seen[what] {
			t.Errorf("no answer had %s; the comparison covered %v", what, seen)
		}
	}
	// The lean round tripper waits and decodes too.
	zero := int32(0)
	res, err := methods.WaitForUpdatesEx(ctx, conn.LeanRoundTripper(sc), &types.WaitForUpdatesEx{This: pc, Version: version,
		Options: &types.WaitOptions{MaxWaitSeconds: &zero}})
	if err != nil || res.Returnval != nil {
		t.Errorf("a wait through the lean round tripper: %#v, %v; want no update set", res, err)
	}
}

// TestLeanDecodeUpdateSetFault: a wait on a collector that is gone fails
// as through soap.Client, with a fault that callers tell apart.
func TestLeanDecodeUpdateSetFault(t *testing.T) {
	c := plainVcsim(t)
	sc := conn.SOAP(c)
	req := types.WaitForUpdatesEx{This: types.ManagedObjectReference{Type: "PropertyCollector", Value: "gone"}}
	_, want := methods.WaitForUpdatesEx(context.Background(), sc, &req)
	_, err := methods.WaitForUpdatesEx(context.Background(), conn.LeanRoundTripper(sc), &req)
	if !fault.Is(err, &types.ManagedObjectNotFound{}) || err.Error() != want.Error() {
		t.Errorf("a wait on a collector that is gone: %v; want ManagedObjectNotFound, as govmomi's %v", err, want)
	}
}

// vcenterUpdateSetAnswer is an answer of WaitForUpdatesEx as vCenter
// writes it.
const vcenterUpdateSetAnswer = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body>
<WaitForUpdatesExResponse xmlns="urn:vim25"><returnval>
 <version>1_2</version>
 <filterSet>
  <filter type="PropertyFilter">session[52a]52b</filter>
  <objectSet><kind>modify</kind><obj type="VirtualMachine">vm-42</obj>
   <changeSet><name>name</name><op>assign</op><val xsi:type="xsd:string">web &amp; db</val></changeSet>
   <changeSet><name>runtime.powerState</name><op>assign</op><val xsi:type="VirtualMachinePowerState">poweredOff</val></changeSet>
   <changeSet><name>datastore</name><op>assign</op><val xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="Datastore" xsi:type="ManagedObjectReference">datastore-1</ManagedObjectReference></val></changeSet>
   <changeSet><name>guest.ipAddress</name><op>remove</op></changeSet>
   <changeSet><name>summary.quickStats</name><op>assign</op><val xsi:type="VirtualMachineQuickStats"><overallCpuUsage>12</overallCpuUsage></val></changeSet>
   <missingSet><path>config</path><fault><fault xsi:type="NoPermission"><object type="VirtualMachine">vm-42</object><privilegeId>System.Read</privilegeId></fault><localizedMessage></localizedMessage></fault></missingSet>
  </objectSet>
  <objectSet><kind>leave</kind><obj type="VirtualMachine">vm-43</obj></objectSet>
  <missingSet><obj type="VirtualMachine">vm-44</obj><fault><fault xsi:type="ManagedObjectNotFound"><obj type="VirtualMachine">vm-44</obj></fault><localizedMessage>gone</localizedMessage></fault></missingSet>
 </filterSet>
 <truncated>false</truncated>
</returnval></WaitForUpdatesExResponse>
</soapenv:Body>
</soapenv:Envelope>`

// TestLeanDecodeUpdateSetOfVCenterXML: an update set in vCenter's
// spelling, with what the simulators do not send (a property and an
// object missing, a removal without a val, truncated false), decodes as
// govmomi decodes it.
func TestLeanDecodeUpdateSetOfVCenterXML(t *testing.T) {
	const body = vcenterUpdateSetAnswer
	var want, got methods.WaitForUpdatesExBody
	govmomiDecode(t, []byte(body), &want)
	if _, err := conn.DecodeUpdateSet([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("lean decode\n%#v\nwant govmomi's\n%#v", got.Res.Returnval, want.Res.Returnval)
	}
	if fs := want.Res.Returnval.FilterSet; len(fs) != 1 || len(fs[0].MissingSet) != 1 || len(fs[0].ObjectSet) != 2 || len(fs[0].ObjectSet[0].MissingSet) != 1 {
		t.Errorf("govmomi decoded %#v; want one filter with two objects and each missing set", fs)
	}
}

// BenchmarkDecodeUpdateSet decodes the first answer of a watch of the VM
// list's properties on vtui's simulator with 2,000 VMs, with govmomi's
// decoder and with the lean one (all 2,000 in one answer):
//
//	go test ./vsphere/internal/conn/ -run '^$' -bench DecodeUpdateSet
func BenchmarkDecodeUpdateSet(b *testing.B) {
	srv, err := sim.Start(context.Background(), sim.Spec{Datacenters: 1, Clusters: 2, HostsPerCluster: 8, VMs: 2000, Datastores: 2}, sim.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Close)
	c := vspheretest.Connect(b, srv).Conn()
	maxWait := int32(10)
	body := answer(b, conn.SOAP(c), &methods.WaitForUpdatesExBody{Req: &types.WaitForUpdatesEx{
		This: vmCollector(b, c, vmListPaths), Options: &types.WaitOptions{MaxWaitSeconds: &maxWait, MaxObjectUpdates: 2000}}})
	b.Run("govmomi", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var res methods.WaitForUpdatesExBody
			govmomiDecode(b, body, &res)
			if res.Res == nil || res.Res.Returnval == nil {
				b.Fatal("no update set")
			}
		}
	})
	b.Run("lean", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var res methods.WaitForUpdatesExBody
			if _, err := conn.DecodeUpdateSet(body, &res); err != nil || res.Res.Returnval == nil {
				b.Fatal(err)
			}
		}
	})
}
