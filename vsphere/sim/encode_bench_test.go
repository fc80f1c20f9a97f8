package sim

import (
	"bytes"
	"testing"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"

	"github.com/vtui/vtui/vsphere/internal/leanenc"
)

// BenchmarkEncodeSnapshotsLarge measures the encoding of the answers to a
// retrieval of every VM's snapshot tree and file layout on the large
// preset (10,000 VMs, 1,429 with snapshots, built once), as the
// simulator encodes them for a client (package leanenc): an op encodes
// every page. Add -cpuprofile FILE for a profile.
//
//	go test -run '^$' -bench EncodeSnapshotsLarge -benchmem ./vsphere/sim/
func BenchmarkEncodeSnapshotsLarge(b *testing.B) {
	s := startPreset(b, "large")
	c := login(b, s)
	ctx := sessionContext(b, s, c)
	content := s.Model().ServiceContent
	body, ok := s.vc.CreateContainerView(ctx, &types.CreateContainerView{This: *content.ViewManager, Container: content.RootFolder,
		Type: []string{"VirtualMachine"}, Recursive: true}).(*methods.CreateContainerViewBody)
	if !ok || body.Fault_ != nil {
		b.Fatalf("create a VM view: %v", body)
	}
	spec := types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: body.Res.Returnval, Skip: types.NewBool(true), SelectSet: []types.BaseSelectionSpec{
			&types.TraversalSpec{Type: "ContainerView", Path: "view"}}}},
		PropSet: []types.PropertySpec{{Type: "VirtualMachine", PathSet: []string{"snapshot", "layoutEx"}}},
	}
	var pages []*types.RetrievePropertiesExResponse
	rb, ok := s.vc.RetrievePropertiesEx(ctx, &types.RetrievePropertiesEx{SpecSet: []types.PropertyFilterSpec{spec}}).(*methods.RetrievePropertiesExBody)
	for ok && rb.Fault_ == nil && rb.Res.Returnval != nil {
		pages = append(pages, rb.Res)
		if rb.Res.Returnval.Token == "" {
			break
		}
		cb, cok := s.vc.ContinueRetrievePropertiesEx(ctx, &types.ContinueRetrievePropertiesEx{Token: rb.Res.Returnval.Token}).(*methods.ContinueRetrievePropertiesExBody)
		if ok = cok && cb.Fault_ == nil; ok {
			rb = &methods.RetrievePropertiesExBody{Res: &types.RetrievePropertiesExResponse{Returnval: &cb.Res.Returnval}}
		}
	}
	if !ok || rb.Fault_ != nil || len(pages) == 0 {
		b.Fatalf("retrieve: %v", rb)
	}
	start := xml.StartElement{Name: xml.Name{Space: "urn:vim25", Local: "RetrievePropertiesExResponse"}}
	var out bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, p := range pages {
			out.Reset()
			e := xml.NewEncoder(&out)
			if err := e.EncodeElement(leanenc.RetrievePropertiesEx(p), start); err != nil {
				b.Fatal(err)
			}
			if err := e.Flush(); err != nil {
				b.Fatal(err)
			}
			n += out.Len()
		}
		b.SetBytes(int64(n))
	}
}
