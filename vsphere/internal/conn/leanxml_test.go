package conn_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"

	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// plainVcsim dials govmomi's own VPX model, served in-process.
func plainVcsim(t *testing.T) *conn.Conn { return vspheretest.PlainVcsim(t).Conn() }

// TestLeanDecodeMatchesGovmomi: every property of every kind vtui reads,
// simple and nested, plus a missing one, a page and its continuation, and
// an empty answer, decode to the same Go values through the lean decoder
// as through govmomi's, from plain vcsim and from vtui's simulator, which
// encodes them itself (package leanenc).
func TestLeanDecodeMatchesGovmomi(t *testing.T) {
	for name, c := range map[string]func() *conn.Conn{
		"vcsim": func() *conn.Conn { return plainVcsim(t) },
		"sim":   func() *conn.Conn { return vspheretest.Connect(t, vspheretest.Start(t, "small")).Conn() },
	} {
		t.Run(name, func(t *testing.T) { testLeanDecode(t, c()) })
	}
}

func testLeanDecode(t *testing.T, c *conn.Conn) {
	ctx := context.Background()
	vim, soapc := conn.VIM(c), conn.SOAP(c)
	content := vim.ServiceContent
	lean := conn.LeanRoundTripper(soapc)
	paths := map[string][]string{
		"VirtualMachine": {"name", "runtime.powerState", "runtime.host", "datastore", "network",
			"config.hardware.numCPU", "config.hardware.memoryMB", "config.instanceUuid", "config.template",
			"summary.quickStats.overallCpuUsage", "summary.quickStats.guestMemoryUsage", "guest.ipAddress", "guest.toolsStatus",
			"resourcePool", "snapshot", "summary", "config.hardware.device", "runtime.bootTime", "config.bogus"},
		"ClusterComputeResource": {"name", "host", "parent", "summary", "configurationEx"},
		"HostSystem":             {"name", "vm", "summary.hardware", "runtime", "summary.quickStats.overallMemoryUsage", "datastore", "network"},
		"Datastore":              {"name", "summary", "host", "vm", "info"},
		"Network":                {"name", "host", "vm"},
		"Folder":                 {"name", "parent", "childEntity"},
	}
	for typ, paths := range paths {
		view, err := methods.CreateContainerView(ctx, vim, &types.CreateContainerView{
			This: *content.ViewManager, Container: content.RootFolder, Type: []string{typ}, Recursive: true})
		if err != nil {
			t.Fatal(err)
		}
		spec := types.PropertyFilterSpec{
			ObjectSet: []types.ObjectSpec{{Obj: view.Returnval, Skip: types.NewBool(true),
				SelectSet: []types.BaseSelectionSpec{&types.TraversalSpec{Type: "ContainerView", Path: "view"}}}},
			PropSet: []types.PropertySpec{{Type: typ, PathSet: paths}},
		}
		for _, maxObjects := range []int32{0, 2} {
			req := types.RetrievePropertiesEx{This: content.PropertyCollector, SpecSet: []types.PropertyFilterSpec{spec},
				Options: types.RetrieveOptions{MaxObjects: maxObjects}}
			want, err := methods.RetrievePropertiesEx(ctx, soapc, &req)
			if err != nil {
				t.Fatal(err)
			}
			got, err := methods.RetrievePropertiesEx(ctx, lean, &req)
			if err != nil {
				t.Fatalf("%s: %v", typ, err)
			}
			if (got.Returnval.Token == "") != (want.Returnval.Token == "") {
				t.Errorf("%s, max %d: token %q; want one if govmomi's has one (%q)", typ, maxObjects, got.Returnval.Token, want.Returnval.Token)
			}
			gotToken, wantToken := got.Returnval.Token, want.Returnval.Token // each retrieval has its own
			got.Returnval.Token = ""
			want.Returnval.Token = ""
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s %v, max %d: lean decode\n%#v\nwant govmomi's\n%#v", typ, paths, maxObjects, *got.Returnval, *want.Returnval)
			}
			if wantToken == "" {
				continue
			}
			// Continue both from pages of their own.
			wantNext, err := methods.ContinueRetrievePropertiesEx(ctx, soapc, &types.ContinueRetrievePropertiesEx{This: content.PropertyCollector, Token: wantToken})
			if err != nil {
				t.Fatal(err)
			}
			gotNext, err := methods.ContinueRetrievePropertiesEx(ctx, lean, &types.ContinueRetrievePropertiesEx{This: content.PropertyCollector, Token: gotToken})
			if err != nil {
				t.Fatal(err)
			}
			// vtui's simulator has more than two pages: each has its own token.
			if (gotNext.Returnval.Token == "") != (wantNext.Returnval.Token == "") {
				t.Errorf("%s continued: token %q; want one if govmomi's has one (%q)", typ, gotNext.Returnval.Token, wantNext.Returnval.Token)
			}
			gotNext.Returnval.Token, wantNext.Returnval.Token = "", ""
			if len(wantNext.Returnval.Objects) == 0 || !reflect.DeepEqual(gotNext, wantNext) {
				t.Errorf("%s continued: lean decode\n%#v\nwant govmomi's\n%#v", typ, gotNext, wantNext)
			}
		}
	}
	// Nothing matches.
	req := types.RetrievePropertiesEx{This: content.PropertyCollector, SpecSet: []types.PropertyFilterSpec{{
		ObjectSet: []types.ObjectSpec{{Obj: content.RootFolder, Skip: types.NewBool(true)}},
		PropSet:   []types.PropertySpec{{Type: "Folder", PathSet: []string{"name"}}},
	}}}
	want, wantErr := methods.RetrievePropertiesEx(ctx, soapc, &req)
	got, err := methods.RetrievePropertiesEx(ctx, lean, &req)
	if err != nil || wantErr != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("an empty answer decoded to %#v, %v; want govmomi's %#v, %v", got, err, want, wantErr)
	}
}

// vcenterRetrieveHead and vcenterRetrieveTail wrap a returnval of
// RetrievePropertiesEx as vCenter writes its answer; in
// vcenterRetrieveReturnval, {CR} stands for a carriage return.
const (
	vcenterRetrieveHead = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Header><x>1</x></soapenv:Header>
<soapenv:Body>
<RetrievePropertiesExResponse xmlns="urn:vim25">`
	vcenterRetrieveTail      = "</RetrievePropertiesExResponse>\n</soapenv:Body>\n</soapenv:Envelope>"
	vcenterRetrieveReturnval = `<returnval><token>7</token>
<objects><obj type="VirtualMachine">vm-42</obj>
  <propSet><name>name</name><val xsi:type="xsd:string">web &amp; db &lt;01&gt; &#233;t&#xe9; &quot;x&apos;</val></propSet>
  <propSet><name>datastore</name><val xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="Datastore" xsi:type="ManagedObjectReference">datastore-1</ManagedObjectReference><ManagedObjectReference type="Datastore" xsi:type="ManagedObjectReference">datastore-2</ManagedObjectReference></val></propSet>
  <propSet><name>network</name><val xsi:type="ArrayOfManagedObjectReference"/></propSet>
  <propSet><name>runtime.host</name><val type="HostSystem" serverGuid="5a1f" xsi:type="ManagedObjectReference">host-9</val></propSet>
  <propSet><name>runtime.powerState</name><val xsi:type="VirtualMachinePowerState">poweredOn</val></propSet>
  <propSet><name>config.hardware.numCPU</name><val xsi:type="xsd:int"> 4 </val></propSet>
  <propSet><name>config.hardware.memoryMB</name><val xsi:type="xsd:int">8192</val></propSet>
  <propSet><name>summary.storage.committed</name><val xsi:type="xsd:long">-123456789012</val></propSet>
  <propSet><name>config.template</name><val xsi:type="xsd:boolean">false</val></propSet>
  <propSet><name>guest.ipAddress</name><val xsi:type="xsd:string"/></propSet>
  <propSet><name>config.guestFullName</name><val xsi:type="xsd:string">a{CR}
b{CR}c&#13;d<![CDATA[e{CR}
f]]></val></propSet>
  <propSet><name>config.annotation</name><val xsi:type="xsd:string">a<!-- note --><![CDATA[<b>&amp;</b>]]>&amp;z</val></propSet>
  <propSet><name>runtime.bootTime</name><val xsi:type="xsd:dateTime">2026-12-07T12:00:00.5Z</val></propSet>
  <propSet><name>summary.quickStats</name><val xsi:type="VirtualMachineQuickStats"><overallCpuUsage>12</overallCpuUsage><guestMemoryUsage>34</guestMemoryUsage><guestHeartbeatStatus>green</guestHeartbeatStatus></val></propSet>
  <propSet><name>tag</name><val xsi:type="ArrayOfTag"><Tag xsi:type="Tag"><key>k</key></Tag></val></propSet>
  <missingSet><path>config</path><fault><fault xsi:type="NoPermission"><object type="VirtualMachine">vm-42</object><privilegeId>System.Read</privilegeId></fault><localizedMessage></localizedMessage></fault></missingSet>
</objects>
<objects><obj type="ClusterComputeResource">domain-c7</obj><propSet><name>configurationEx.dasConfig.enabled</name><val xsi:type="xsd:boolean">true</val></propSet></objects>
</returnval>`
)

// TestLeanDecodeOfVCenterXML: vCenter's own spelling (xsi declared once,
// an xsi:type on each reference of a list, white space between elements,
// a header), and XML's escapes, CDATA and comments, decode as govmomi
// decodes them.
func TestLeanDecodeOfVCenterXML(t *testing.T) {
	const head, tail = vcenterRetrieveHead, vcenterRetrieveTail
	for name, body := range map[string]string{
		"vcenter": vcenterRetrieveReturnval,
		"empty":   ``,
	} {
		body := head + strings.ReplaceAll(body, "{CR}", "\r") + tail // line ends to normalize
		var want methods.RetrievePropertiesExBody
		dec := xml.NewDecoder(strings.NewReader(body))
		dec.TypeFunc = types.TypeFunc()
		if err := dec.Decode(&soap.Envelope{Body: &want}); err != nil {
			t.Fatal(err)
		}
		var got methods.RetrievePropertiesExBody
		_, err := conn.DecodeRetrieveResult([]byte(body), nil, func(returnval bool) *types.RetrieveResult {
			got.Res = new(types.RetrievePropertiesExResponse)
			if returnval {
				got.Res.Returnval = new(types.RetrieveResult)
			}
			return got.Res.Returnval
		})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got.Res, want.Res) {
			t.Errorf("%s: lean decode\n%#v\nwant govmomi's\n%#v", name, got.Res, want.Res)
		}
		if name == "vcenter" && len(want.Res.Returnval.Objects) != 2 {
			t.Errorf("govmomi decoded %d objects; want 2", len(want.Res.Returnval.Objects))
		}
	}
}

// TestLeanDecodeFault: a fault comes back as soap.Client returns it, so
// that callers tell faults apart (fault.Is), as the re-login does.
func TestLeanDecodeFault(t *testing.T) {
	c := plainVcsim(t)
	ctx := context.Background()
	sc := conn.SOAP(c)
	req := types.RetrievePropertiesEx{This: types.ManagedObjectReference{Type: "PropertyCollector", Value: "gone"},
		SpecSet: []types.PropertyFilterSpec{{
			ObjectSet: []types.ObjectSpec{{Obj: conn.VIM(c).ServiceContent.RootFolder}},
			PropSet:   []types.PropertySpec{{Type: "Folder", PathSet: []string{"name"}}},
		}}}
	_, want := methods.RetrievePropertiesEx(ctx, sc, &req)
	_, err := methods.RetrievePropertiesEx(ctx, conn.LeanRoundTripper(sc), &req)
	if !fault.Is(err, &types.ManagedObjectNotFound{}) || err.Error() != want.Error() {
		t.Errorf("a retrieval from a collector that is gone: %v; want ManagedObjectNotFound, as govmomi's %v", err, want)
	}
}

// BenchmarkDecodeRetrieveResult decodes the answer to a retrieval of the
// 13 properties of vtui get vms' rows, from plain vcsim, with govmomi's
// decoder and with the lean one:
//
//	go test ./vsphere/internal/conn/ -run '^$' -bench DecodeRetrieveResult
func BenchmarkDecodeRetrieveResult(b *testing.B) {
	c := vspheretest.PlainVcsim(b).Conn()
	ctx := context.Background()
	vim, sc := conn.VIM(c), conn.SOAP(c)
	content := vim.ServiceContent
	view, err := methods.CreateContainerView(ctx, vim, &types.CreateContainerView{
		This: *content.ViewManager, Container: content.RootFolder, Type: []string{"VirtualMachine"}, Recursive: true})
	if err != nil {
		b.Fatal(err)
	}
	body := answer(b, sc, &methods.RetrievePropertiesExBody{Req: &types.RetrievePropertiesEx{
		This: content.PropertyCollector,
		SpecSet: []types.PropertyFilterSpec{{
			ObjectSet: []types.ObjectSpec{{Obj: view.Returnval, Skip: types.NewBool(true),
				SelectSet: []types.BaseSelectionSpec{&types.TraversalSpec{Type: "ContainerView", Path: "view"}}}},
			PropSet: []types.PropertySpec{{Type: "VirtualMachine", PathSet: vmListPaths}},
		}},
	}})
	b.Run("govmomi", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var res methods.RetrievePropertiesExBody
			dec := xml.NewDecoder(bytes.NewReader(body))
			dec.TypeFunc = types.TypeFunc()
			if err := dec.Decode(&soap.Envelope{Body: &res}); err != nil || res.Res == nil {
				b.Fatal(err)
			}
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

// TestLeanDecodeLeavesUnknownShapesToGovmomi: an answer with an element
// the scanner does not know (one a later vSphere might add) decodes as
// govmomi decodes it, which ignores it, rather than failing the call.
func TestLeanDecodeLeavesUnknownShapesToGovmomi(t *testing.T) {
	const answer = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body><RetrievePropertiesExResponse xmlns="urn:vim25"><returnval>
<objects><obj type="VirtualMachine">vm-42</obj><futureField>x</futureField>
<propSet><name>name</name><val xsi:type="xsd:string">web-01</val></propSet></objects>
</returnval></RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL + "/sdk")
	if err != nil {
		t.Fatal(err)
	}
	sc := soap.NewClient(u, false)
	var got methods.RetrievePropertiesExBody
	got.Req = &types.RetrievePropertiesEx{This: types.ManagedObjectReference{Type: "PropertyCollector", Value: "propertyCollector"}}
	if err := conn.LeanRoundTripper(sc).RoundTrip(context.Background(), &got, &got); err != nil {
		t.Fatalf("an answer with an unknown element failed: %v", err)
	}
	if got.Res == nil || got.Res.Returnval == nil || len(got.Res.Returnval.Objects) != 1 {
		t.Fatalf("decoded %#v; want one object", got.Res)
	}
	oc := got.Res.Returnval.Objects[0]
	if oc.Obj.Value != "vm-42" || len(oc.PropSet) != 1 || oc.PropSet[0].Val != "web-01" {
		t.Errorf("decoded %#v; want vm-42 named web-01, once", oc)
	}
}
