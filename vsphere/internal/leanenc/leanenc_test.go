package leanenc_test

import (
	"bytes"
	"fmt"
	"testing"

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
