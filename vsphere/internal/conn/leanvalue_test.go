package conn_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// snapshotPaths are a VM's snapshot tree and its file layout, which a
// watch reads for snapshot sizes.
var snapshotPaths = []string{"snapshot", "layoutEx.snapshot", "layoutEx.disk", "layoutEx.file"}

// TestLeanDecodeSnapshotsMatchGovmomi: VMs' snapshot trees (nested) and
// file layouts, from plain vcsim and from vtui's simulator, decode to the
// same Go values through the lean decoder as through govmomi's, and
// without govmomi's; and so do whole summaries, configurations, runtimes
// and layouts, polymorphic parts and all, with govmomi's decoder for no
// more than the values of types the lean one has no decoder for.
func TestLeanDecodeSnapshotsMatchGovmomi(t *testing.T) {
	for name, c := range map[string]func() *conn.Conn{
		"vcsim": func() *conn.Conn {
			c := plainVcsim(t)
			snapshotTwice(t, c)
			return c
		},
		"sim": func() *conn.Conn { return vspheretest.Connect(t, vspheretest.Start(t, "demo")).Conn() },
	} {
		t.Run(name, func(t *testing.T) {
			c := c()
			values := retrieveBoth(t, c, snapshotPaths)
			if values != 0 {
				t.Errorf("%d snapshot and layout values went through govmomi's decoder; want none", values)
			}
			retrieveBoth(t, c, []string{"summary", "config", "runtime", "guest", "layoutEx", "storage", "capability"})
		})
	}
}

// snapshotTwice takes a snapshot of a VM of c and one after it, so that
// its tree nests.
func snapshotTwice(t *testing.T, c *conn.Conn) {
	t.Helper()
	ctx := context.Background()
	vim := conn.VIM(c)
	vms, err := retrieveVMRefs(ctx, c)
	if err != nil || len(vms) == 0 {
		t.Fatalf("no VM to snapshot: %v", err)
	}
	vm := object.NewVirtualMachine(vim, vms[0])
	for _, name := range []string{"before", "after & <more>"} {
		task, err := vm.CreateSnapshot(ctx, name, "taken by "+t.Name(), false, false)
		if err == nil {
			err = task.Wait(ctx)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func retrieveVMRefs(ctx context.Context, c *conn.Conn) ([]types.ManagedObjectReference, error) {
	var refs []types.ManagedObjectReference
	err := conn.Retrieve(ctx, c, vmSpec(c, []string{"name"}), func(oc types.ObjectContent) { refs = append(refs, oc.Obj) })
	return refs, err
}

// vmSpec selects paths of every VM of c through a container view.
func vmSpec(c *conn.Conn, paths []string) types.PropertyFilterSpec {
	vim := conn.VIM(c)
	content := vim.ServiceContent
	view, err := methods.CreateContainerView(context.Background(), vim, &types.CreateContainerView{
		This: *content.ViewManager, Container: content.RootFolder, Type: []string{"VirtualMachine"}, Recursive: true})
	if err != nil {
		panic(err)
	}
	return types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: view.Returnval, Skip: types.NewBool(true),
			SelectSet: []types.BaseSelectionSpec{&types.TraversalSpec{Type: "ContainerView", Path: "view"}}}},
		PropSet: []types.PropertySpec{{Type: "VirtualMachine", PathSet: paths}},
	}
}

// retrieveBoth retrieves paths of every VM of c and decodes the answer
// with both decoders, which must agree; it returns how many values the
// lean decode left to govmomi's. When paths are snapshotPaths, some VM
// must have a nested tree and a layout of disks and files.
func retrieveBoth(t *testing.T, c *conn.Conn, paths []string) int {
	t.Helper()
	body := answer(t, conn.SOAP(c), &methods.RetrievePropertiesExBody{Req: &types.RetrievePropertiesEx{
		This: conn.VIM(c).ServiceContent.PropertyCollector, SpecSet: []types.PropertyFilterSpec{vmSpec(c, paths)}}})
	var want methods.RetrievePropertiesExBody
	govmomiDecode(t, body, &want)
	var got types.RetrieveResult
	values, err := conn.DecodeRetrieveResult(body, nil, func(bool) *types.RetrieveResult { return &got })
	if err != nil {
		t.Fatalf("%v: %v", paths, err)
	}
	if !reflect.DeepEqual(&got, want.Res.Returnval) {
		for i := range got.Objects {
			if i < len(want.Res.Returnval.Objects) && !reflect.DeepEqual(got.Objects[i], want.Res.Returnval.Objects[i]) {
				t.Fatalf("%v: lean decode of %s\n%#v\nwant govmomi's\n%#v", paths, got.Objects[i].Obj, got.Objects[i], want.Res.Returnval.Objects[i])
			}
		}
		t.Fatalf("%v: lean decode of %d objects differs from govmomi's %d", paths, len(got.Objects), len(want.Res.Returnval.Objects))
	}
	if slicesEqual(paths, snapshotPaths) {
		nested, layout := false, false
		for _, oc := range got.Objects {
			for _, p := range oc.PropSet {
				switch v := p.Val.(type) {
				case types.VirtualMachineSnapshotInfo:
					nested = nested || len(v.RootSnapshotList) > 0 && len(v.RootSnapshotList[0].ChildSnapshotList) > 0
				case types.ArrayOfVirtualMachineFileLayoutExDiskLayout:
					layout = layout || len(v.VirtualMachineFileLayoutExDiskLayout) > 0 && len(v.VirtualMachineFileLayoutExDiskLayout[0].Chain) > 0
				}
			}
		}
		if !nested || !layout {
			t.Errorf("no VM with a nested snapshot tree (%v) and disk chains (%v): the comparison proved little", nested, layout)
		}
	}
	return values
}

func slicesEqual(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

// vcenterValuesAnswer is an answer of RetrievePropertiesEx as vCenter
// writes it, with values of vim25 data types.
const (
	vcenterValuesHead = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body>
<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval>
<objects><obj type="VirtualMachine">vm-42</obj>`
	vcenterValuesTail   = "</objects>\n</returnval></RetrievePropertiesExResponse>\n</soapenv:Body>\n</soapenv:Envelope>"
	vcenterValuesAnswer = vcenterValuesHead + `
  <propSet><name>snapshot</name><val xsi:type="VirtualMachineSnapshotInfo">
    <currentSnapshot type="VirtualMachineSnapshot">snapshot-7</currentSnapshot>
    <rootSnapshotList>
      <snapshot type="VirtualMachineSnapshot">snapshot-5</snapshot>
      <vm type="VirtualMachine">vm-42</vm>
      <name>before &amp; &lt;after&gt;</name>
      <description/>
      <id> 1 </id>
      <createTime>2026-12-07T12:00:00.123456+02:00</createTime>
      <state>poweredOn</state>
      <quiesced>false</quiesced>
      <futureField><nested>x</nested></futureField>
      <childSnapshotList xsi:type="VirtualMachineSnapshotTree">
        <snapshot type="VirtualMachineSnapshot">snapshot-7</snapshot>
        <vm type="VirtualMachine">vm-42</vm>
        <name>after</name>
        <description>a<![CDATA[<b>]]></description>
        <id>2</id>
        <createTime>2026-12-07T13:00:00Z</createTime>
        <state>poweredOff</state>
        <quiesced> true </quiesced>
        <replaySupported>false</replaySupported>
      </childSnapshotList>
    </rootSnapshotList>
  </val></propSet>
  <propSet><name>layoutEx.file</name><val xsi:type="ArrayOfVirtualMachineFileLayoutExFileInfo">
    <VirtualMachineFileLayoutExFileInfo xsi:type="VirtualMachineFileLayoutExFileInfo"><key>0</key><name>[ds1] web/web.vmx</name><type>config</type><size>4096</size><uniqueSize>4096</uniqueSize><accessible>true</accessible></VirtualMachineFileLayoutExFileInfo>
    <VirtualMachineFileLayoutExFileInfo><key>3</key><name>[ds1] web/web-000001.vmdk</name><type>diskDescriptor</type><size>-1</size></VirtualMachineFileLayoutExFileInfo>
  </val></propSet>
  <propSet><name>layoutEx.disk</name><val xsi:type="ArrayOfVirtualMachineFileLayoutExDiskLayout"><VirtualMachineFileLayoutExDiskLayout><key>2000</key><chain><fileKey>1</fileKey><fileKey>2</fileKey></chain><chain><fileKey>3</fileKey></chain></VirtualMachineFileLayoutExDiskLayout></val></propSet>
  <propSet><name>layoutEx.snapshot</name><val xsi:type="ArrayOfVirtualMachineFileLayoutExSnapshotLayout"><VirtualMachineFileLayoutExSnapshotLayout><key type="VirtualMachineSnapshot">snapshot-5</key><dataKey>+4</dataKey><memoryKey>-1</memoryKey><disk><key>2000</key><chain><fileKey>1</fileKey></chain></disk></VirtualMachineFileLayoutExSnapshotLayout></val></propSet>
  <propSet><name>config.extraConfig</name><val xsi:type="ArrayOfOptionValue">
    <OptionValue xsi:type="OptionValue"><key>a</key><value xsi:type="xsd:string">1</value></OptionValue>
    <OptionValue xsi:type="OptionValue"><key>b</key><value xsi:type="xsd:base64Binary">aGk=</value></OptionValue>
    <OptionValue xsi:type="OptionValue"><key>c</key><value xsi:type="FutureType"><x>1</x></value></OptionValue>
    <OptionValue xsi:type="OptionValue"><key>d</key><value xsi:type="xsd:double"> 2.5 </value></OptionValue>
    <OptionValue xsi:type="OptionValue"><key>e</key><value xsi:type="xsd:unsignedInt">7</value></OptionValue>
  </val></propSet>
  <propSet><name>runtime.bootTime</name><val xsi:type="xsd:dateTime">2026-12-07T12:00:00.5Z</val></propSet>
  <propSet><name>config.hardware.device</name><val xsi:type="ArrayOfVirtualDevice"><VirtualDevice xsi:type="VirtualDisk"><key>2000</key><deviceInfo><label>Hard disk 1</label><summary>8 GB</summary></deviceInfo><backing xsi:type="VirtualDiskFlatVer2BackingInfo"><fileName>[ds1] web/web.vmdk</fileName><diskMode>persistent</diskMode><thinProvisioned>true</thinProvisioned></backing><controllerKey>1000</controllerKey><unitNumber>0</unitNumber><capacityInKB>8388608</capacityInKB></VirtualDevice></val></propSet>
` + vcenterValuesTail
)

// TestLeanDecodeValuesOfVCenterXML: structured values in vCenter's
// spelling (white space between elements, an xsi:type on nested ones, a
// time with an offset, escapes, an element a later vSphere adds, an
// empty element, a polymorphic list with a type the lean decoder reads,
// one it leaves to govmomi and one unknown) decode as govmomi decodes
// them.
func TestLeanDecodeValuesOfVCenterXML(t *testing.T) {
	const body = vcenterValuesAnswer
	var want methods.RetrievePropertiesExBody
	govmomiDecode(t, []byte(body), &want)
	var got types.RetrieveResult
	values, err := conn.DecodeRetrieveResult([]byte(body), nil, func(bool) *types.RetrieveResult { return &got })
	if err != nil {
		t.Fatal(err)
	}
	if want.Res == nil || want.Res.Returnval == nil || len(want.Res.Returnval.Objects) != 1 || len(want.Res.Returnval.Objects[0].PropSet) != 7 {
		t.Fatalf("govmomi decoded %#v; want one object with 7 properties", want.Res)
	}
	if len(got.Objects) != 1 || got.Objects[0].Obj != want.Res.Returnval.Objects[0].Obj || len(got.Objects[0].PropSet) != 7 || got.Token != "" {
		t.Fatalf("lean decode %#v; want govmomi's one object with 7 properties", got)
	}
	for i, p := range want.Res.Returnval.Objects[0].PropSet {
		if g := got.Objects[0].PropSet[i]; !reflect.DeepEqual(g, p) {
			t.Errorf("%s: lean decode\n%#v\nwant govmomi's\n%#v", p.Name, g.Val, p.Val)
		}
	}
	// The base64 and the unsigned value have no lean decoder.
	if values != 2 {
		t.Errorf("%d values went through govmomi's decoder; want 2", values)
	}
}

// BenchmarkDecodeRetrieveResultSnapshots decodes the snapshot trees and
// layouts of 2,000 VMs on vtui's simulator, one in seven with snapshots
// (as the large and max presets), with govmomi's decoder and with the
// lean one:
//
//	go test ./vsphere/internal/conn/ -run '^$' -bench DecodeRetrieveResultSnapshots
func BenchmarkDecodeRetrieveResultSnapshots(b *testing.B) {
	srv, err := sim.Start(context.Background(), sim.Spec{Datacenters: 1, Clusters: 2, HostsPerCluster: 8, VMs: 2000, Datastores: 2, SnapshotEvery: 7}, sim.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Close)
	c := vspheretest.Connect(b, srv).Conn()
	body := answer(b, conn.SOAP(c), &methods.RetrievePropertiesExBody{Req: &types.RetrievePropertiesEx{
		This: conn.VIM(c).ServiceContent.PropertyCollector, SpecSet: []types.PropertyFilterSpec{vmSpec(c, snapshotPaths)}}})
	b.Run("govmomi", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var res methods.RetrievePropertiesExBody
			govmomiDecode(b, body, &res)
		}
	})
	b.Run("lean", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var rr types.RetrieveResult
			if _, err := conn.DecodeRetrieveResult(body, nil, func(bool) *types.RetrieveResult { return &rr }); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestLeanDecodeOfEnumerations: values of enumeration types decode as
// govmomi decodes them, whether a property's own (read, and boxed once per
// distinct value, by the scanner's shortcut) or inside a data object (read
// by the decoder of its interface field): repeated, different, the same
// text in two types, empty, with white space and a reference, and of a
// type no enumeration has.
func TestLeanDecodeOfEnumerations(t *testing.T) {
	const returnval = `<returnval>
<objects><obj type="VirtualMachine">vm-1</obj>
  <propSet><name>runtime.powerState</name><val xsi:type="VirtualMachinePowerState">poweredOn</val></propSet>
  <propSet><name>guest.toolsStatus</name><val xsi:type="VirtualMachineToolsStatus"/></propSet>
  <propSet><name>config.extraConfig</name><val xsi:type="ArrayOfOptionValue">
    <OptionValue xsi:type="OptionValue"><key>a</key><value xsi:type="VirtualMachinePowerState">poweredOff</value></OptionValue>
    <OptionValue xsi:type="OptionValue"><key>b</key><value xsi:type="VirtualMachinePowerState">poweredOn</value></OptionValue>
  </val></propSet>
</objects>
<objects><obj type="VirtualMachine">vm-2</obj>
  <propSet><name>runtime.powerState</name><val xsi:type="VirtualMachinePowerState">poweredOff</val></propSet>
  <propSet><name>guest.toolsStatus</name><val xsi:type="VirtualMachineToolsStatus"></val></propSet>
  <propSet><name>overallStatus</name><val xsi:type="ManagedEntityStatus"> green </val></propSet>
  <propSet><name>runtime.host.runtime.powerState</name><val xsi:type="HostSystemPowerState">poweredOff</val></propSet>
</objects>
<objects><obj type="VirtualMachine">vm-3</obj>
  <propSet><name>runtime.powerState</name><val xsi:type="VirtualMachinePowerState">powered&#79;n</val></propSet>
  <propSet><name>guest.toolsStatus</name><val xsi:type="VirtualMachineToolsStatus">toolsOk</val></propSet>
  <propSet><name>future</name><val xsi:type="FutureEnumeration">x</val></propSet>
</objects>
</returnval>`
	body := []byte(vcenterRetrieveHead + returnval + vcenterRetrieveTail)
	var want methods.RetrievePropertiesExBody
	govmomiDecode(t, body, &want)
	var got types.RetrieveResult
	if _, err := conn.DecodeRetrieveResult(body, nil, func(bool) *types.RetrieveResult { return &got }); err != nil {
		t.Fatal(err)
	}
	if len(want.Res.Returnval.Objects) != 3 || len(got.Objects) != 3 {
		t.Fatalf("decoded %d objects, govmomi %d; want 3", len(got.Objects), len(want.Res.Returnval.Objects))
	}
	for i, oc := range want.Res.Returnval.Objects {
		if len(got.Objects[i].PropSet) != len(oc.PropSet) {
			t.Fatalf("%s: lean decode %#v; want govmomi's %#v", oc.Obj.Value, got.Objects[i], oc)
		}
		for j, p := range oc.PropSet {
			if g := got.Objects[i].PropSet[j]; !reflect.DeepEqual(g, p) {
				t.Errorf("%s %s: lean decode %T %#v; want govmomi's %T %#v", oc.Obj.Value, p.Name, g.Val, g.Val, p.Val, p.Val)
			}
		}
	}
}
