package conn

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"testing"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func envelope(returnval string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><RetrievePropertiesExResponse xmlns="urn:vim25">` +
		returnval + `</RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>`
}

func named(typ, id string, props ...string) types.ObjectContent {
	oc := types.ObjectContent{Obj: types.ManagedObjectReference{Type: typ, Value: id}}
	for i := 0; i+1 < len(props); i += 2 {
		oc.PropSet = append(oc.PropSet, types.DynamicProperty{Name: props[i], Val: props[i+1]})
	}
	return oc
}

// TestParseStringsReadsOnlyTheShapeItKnows: names as vcsim and vCenter
// write them (each with its prefix for the schema instance namespace,
// escapes, pages) are read; anything else is errNotLean, so that
// RetrieveStrings lets govmomi decode it.
func TestParseStringsReadsOnlyTheShapeItKnows(t *testing.T) {
	vcsim := `<val xmlns:_XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" _XMLSchema-instance:type="xsd:string">`
	tests := []struct {
		name, body string
		want       leanPage
		notLean    bool
	}{
		{"vcsim", envelope(`<returnval><objects><obj type="VirtualMachine">vm-1</obj><propSet><name>name</name>` + vcsim + `web-01</val></propSet></objects>` +
			`<objects><obj type="HostSystem">host-9</obj><propSet><name>name</name>` + vcsim + `esx-01</val></propSet></objects></returnval>`),
			leanPage{objects: []types.ObjectContent{named("VirtualMachine", "vm-1", "name", "web-01"), named("HostSystem", "host-9", "name", "esx-01")}}, false},
		{"vCenter, a page of more, escapes", envelope(`<returnval><token>tok-1</token>
			<objects><obj type="VirtualMachine">vm-2</obj>
				<propSet><name>name</name><val xsi:type="xsd:string">a &amp; b &lt;c&gt; %2f &#x41;</val></propSet>
				<propSet><name>config.instanceUuid</name><val xsi:type="xsd:string">5012</val></propSet>
			</objects></returnval>`),
			leanPage{token: "tok-1", objects: []types.ObjectContent{named("VirtualMachine", "vm-2", "name", "a & b <c> %2f A", "config.instanceUuid", "5012")}}, false},
		{"an object without properties", envelope(`<returnval><objects><obj type="VirtualMachine">vm-3</obj></objects></returnval>`),
			leanPage{objects: []types.ObjectContent{named("VirtualMachine", "vm-3")}}, false},
		{"cut before returnval", envelope(`<returnval><objects><obj type="VirtualMachine">vm-1</obj></objects></returnval>`)[:120], leanPage{}, true},
		{"nothing found", envelope(``), leanPage{}, true},
		{"an int", envelope(`<returnval><objects><obj type="VirtualMachine">vm-1</obj><propSet><name>config.hardware.numCPU</name><val xsi:type="xsd:int">2</val></propSet></objects></returnval>`), leanPage{}, true},
		{"an enum", envelope(`<returnval><objects><obj type="VirtualMachine">vm-1</obj><propSet><name>runtime.powerState</name><val xsi:type="VirtualMachinePowerState">poweredOn</val></propSet></objects></returnval>`), leanPage{}, true},
		{"a missing property", envelope(`<returnval><objects><obj type="VirtualMachine">vm-1</obj><missingSet><path>name</path><fault><fault xsi:type="NoPermission"></fault></fault></missingSet></objects></returnval>`), leanPage{}, true},
		{"an empty name", envelope(`<returnval><objects><obj type="VirtualMachine">vm-1</obj><propSet><name>name</name><val xsi:type="xsd:string"/></propSet></objects></returnval>`), leanPage{}, true},
		{"markup in a name", envelope(`<returnval><objects><obj type="VirtualMachine">vm-1</obj><propSet><name>name</name><val xsi:type="xsd:string"><![CDATA[x]]></val></propSet></objects></returnval>`), leanPage{}, true},
		{"a fault", `<soapenv:Envelope><soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>The session is not authenticated.</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`, leanPage{}, true},
		{"cut short", envelope(`<returnval><objects><obj type="VirtualMachine">vm-1</obj><propSet><name>name</name>`), leanPage{}, true},
	}
	for _, tt := range tests {
		got, err := parseStrings([]byte(tt.body))
		if tt.notLean {
			if !errors.Is(err, errNotLean) {
				t.Errorf("%s: parseStrings = %+v, %v; want errNotLean", tt.name, got, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: parseStrings = %s, %v;\nwant %s", tt.name, fmt.Sprintf("%+v", got), err, fmt.Sprintf("%+v", tt.want))
		}
	}
}

// TestLeanTransportReadsVcsimNames: govmomi's vcsim writes names in the
// shape the scanner reads (RetrieveStrings reads them itself), and the
// scanner's objects are the ones govmomi decodes from the same answer.
func TestLeanTransportReadsVcsimNames(t *testing.T) {
	m := simulator.VPX()
	m.Autostart = false
	if err := m.Create(); err != nil {
		t.Fatal(err)
	}
	defer m.Remove()
	m.Service.Listen = &url.URL{Host: "127.0.0.1:0", User: url.UserPassword("u", "p")}
	m.Service.TLS = new(tls.Config)
	srv := m.Service.NewServer()
	defer srv.Close()
	ctx := context.Background()
	c, err := Dial(ctx, Config{URL: srv.URL.Host, Username: "u", Password: "p", Thumbprint: soap.ThumbprintSHA256(srv.Certificate())})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	req := &methods.RetrievePropertiesExBody{Req: &types.RetrievePropertiesEx{
		This: c.vim.ServiceContent.PropertyCollector,
		SpecSet: []types.PropertyFilterSpec{{
			ObjectSet: []types.ObjectSpec{{Obj: c.vim.ServiceContent.RootFolder, SelectSet: []types.BaseSelectionSpec{
				&types.TraversalSpec{Type: "Folder", Path: "childEntity"}}}},
			PropSet: []types.PropertySpec{{Type: "Datacenter", PathSet: []string{"name"}}, {Type: "Folder", PathSet: []string{"name"}}},
		}},
	}}
	body, ok, err := post(ctx, c.soap, req)
	if err != nil || !ok {
		t.Fatalf("post: ok %v, %v", ok, err)
	}
	page, err := parseStrings(body)
	if err != nil {
		t.Fatalf("vcsim's names: %v; want them read by the scanner:\n%s", err, body)
	}
	var want methods.RetrievePropertiesExBody
	if err := decode(body, c.soap, &want); err != nil {
		t.Fatal(err)
	}
	if len(page.objects) < 2 || !reflect.DeepEqual(page.objects, want.Res.Returnval.Objects) {
		t.Errorf("scanner read %+v;\ngovmomi decoded %+v", page.objects, want.Res.Returnval.Objects)
	}
}
