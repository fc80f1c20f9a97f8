package sim

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"testing"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"

	"github.com/vtui/vtui/vsphere/internal/leanenc"
)

// readPaths are the properties vtui reads of each kind (vsphere/load.go),
// a missing one, and every property ("*").
var readPaths = map[string][]string{
	"ClusterComputeResource": {"name", "host", "parent", "summary", "configurationEx.dasConfig.enabled", "configurationEx.drsConfig.enabled"},
	"HostSystem": {"name", "summary.quickStats.overallCpuUsage", "summary.quickStats.overallMemoryUsage", "vm",
		"runtime.connectionState", "runtime.powerState", "runtime.inMaintenanceMode",
		"summary.hardware.cpuMhz", "summary.hardware.numCpuCores", "summary.hardware.memorySize", "datastore", "network"},
	"VirtualMachine": {"name", "runtime.powerState", "runtime.host", "datastore", "network",
		"config.hardware.numCPU", "config.hardware.memoryMB", "config.instanceUuid", "config.template",
		"summary.quickStats.overallCpuUsage", "summary.quickStats.guestMemoryUsage", "guest.ipAddress", "guest.toolsStatus",
		"resourcePool", "snapshot", "layoutEx", "layoutEx.file", "layoutEx.disk", "layoutEx.snapshot", "runtime.bootTime", "config.bogus"},
	"Datastore":                   {"name", "summary.type", "summary.capacity", "summary.freeSpace", "summary.accessible", "host", "vm"},
	"Network":                     {"name", "host", "vm"},
	"DistributedVirtualPortgroup": {"name", "host", "vm"},
	"Folder":                      {"name", "parent", "childEntity"},
	"Datacenter":                  {"name", "parent"},
	"ResourcePool":                {"name", "parent", "owner"},
}

// pageToken and version are what differs between two answers to the
// same call: the token of a page, the version of an update set.
var (
	pageToken = regexp.MustCompile(`<token>[^<]*</token>`)
	version   = regexp.MustCompile(`<version>[^<]*</version>`)
)

// TestLeanAnswersAreVcsims: over HTTP, the simulator's answers to
// RetrievePropertiesEx, ContinueRetrievePropertiesEx and WaitForUpdatesEx,
// for the properties vtui reads of each kind and for all of them, are the
// bytes vcsim's own SDK handler writes for the same call in the same
// session (but the page token and the version, which each call makes
// anew, and values' types in the envelope's xsi prefix), and decode to
// the same values; on the small preset, with snapshots on some VMs.
func TestLeanAnswersAreVcsims(t *testing.T) {
	spec, err := Preset("small")
	if err != nil {
		t.Fatal(err)
	}
	spec.SnapshotEvery = 3 // snapshot trees and file layouts to compare
	s := startSpec(t, spec, Options{})
	c := login(t, s)
	ctx := context.Background()
	sc := c.Client.Client
	var cookie *http.Cookie
	for _, k := range sc.Jar.Cookies(s.URL) {
		if k.Name == soap.SessionCookieName {
			cookie = k
		}
	}
	if cookie == nil {
		t.Fatal("no session cookie after the login")
	}
	// call sends reqs[0] over HTTP, and hands reqs[1] (the same call, but
	// for a page token each retrieval has its own) to vcsim's SDK handler,
	// and checks that both answer alike; it returns both answers.
	call := func(what string, reqs [2]soap.HasFault, res soap.HasFault) (got, want []byte) {
		t.Helper()
		var body [2][]byte
		for i, req := range reqs {
			b, err := xml.Marshal(soap.Envelope{Body: req})
			if err != nil {
				t.Fatal(err)
			}
			body[i] = append([]byte(xml.Header), b...)
		}
		hr, err := http.NewRequest(http.MethodPost, s.URL.String(), bytes.NewReader(body[0]))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := sc.Client.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		got, err = io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %s %v\n%s", what, resp.Status, err, got)
		}
		vr := httptest.NewRequest(http.MethodPost, s.URL.Path, bytes.NewReader(body[1]))
		vr.AddCookie(cookie)
		rec := httptest.NewRecorder()
		s.vc.svc.ServeSDK(rec, vr)
		want = leanenc.ShortenXSITypes(rec.Body.Bytes())

		normal := func(b []byte) []byte {
			return version.ReplaceAll(pageToken.ReplaceAll(b, []byte("<token>T</token>")), []byte("<version>V</version>"))
		}
		if !bytes.Equal(normal(got), normal(want)) {
			t.Errorf("%s: answer\n%s\nwant vcsim's\n%s", what, got, want)
		}
		wantRes := reflect.New(reflect.TypeOf(res).Elem()).Interface().(soap.HasFault)
		for b, into := range map[*[]byte]soap.HasFault{&got: res, &want: wantRes} {
			dec := xml.NewDecoder(bytes.NewReader(normal(*b)))
			dec.TypeFunc = types.TypeFunc()
			if err := dec.Decode(&soap.Envelope{Body: into}); err != nil {
				t.Fatalf("%s: decode: %v", what, err)
			}
		}
		if !reflect.DeepEqual(res, wantRes) {
			t.Errorf("%s: decodes to\n%#v\nwant, as vcsim's,\n%#v", what, res, wantRes)
		}
		return got, want
	}
	same := func(req soap.HasFault) [2]soap.HasFault { return [2]soap.HasFault{req, req} }

	content := c.ServiceContent
	for typ, paths := range readPaths {
		view, err := methods.CreateContainerView(ctx, c, &types.CreateContainerView{
			This: *content.ViewManager, Container: content.RootFolder, Type: []string{typ}, Recursive: true})
		if err != nil {
			t.Fatal(err)
		}
		objects := []types.ObjectSpec{{Obj: view.Returnval, Skip: types.NewBool(true),
			SelectSet: []types.BaseSelectionSpec{&types.TraversalSpec{Type: "ContainerView", Path: "view"}}}}
		for _, props := range []types.PropertySpec{{Type: typ, PathSet: paths}, {Type: typ, All: types.NewBool(true)}} {
			what := typ + " " + fmtProps(props)
			spec := types.PropertyFilterSpec{ObjectSet: objects, PropSet: []types.PropertySpec{props}}

			got, want := call(what, same(&methods.RetrievePropertiesExBody{Req: &types.RetrievePropertiesEx{This: content.PropertyCollector,
				SpecSet: []types.PropertyFilterSpec{spec}, Options: types.RetrieveOptions{MaxObjects: 2}}}), &methods.RetrievePropertiesExBody{})
			if tokens := [2][]byte{pageToken.Find(got), pageToken.Find(want)}; tokens[0] != nil {
				var reqs [2]soap.HasFault
				for i, tok := range tokens {
					reqs[i] = &methods.ContinueRetrievePropertiesExBody{Req: &types.ContinueRetrievePropertiesEx{
						This: content.PropertyCollector, Token: string(tok[len("<token>") : len(tok)-len("</token>")])}}
				}
				call(what+" continued", reqs, &methods.ContinueRetrievePropertiesExBody{})
			}

			pc, err := methods.CreatePropertyCollector(ctx, c, &types.CreatePropertyCollector{This: content.PropertyCollector})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := methods.CreateFilter(ctx, c, &types.CreateFilter{This: pc.Returnval, Spec: spec}); err != nil {
				t.Fatal(err)
			}
			for _, max := range []int32{0, 2} {
				wait := int32(0)
				call(what+" updates", same(&methods.WaitForUpdatesExBody{Req: &types.WaitForUpdatesEx{This: pc.Returnval,
					Options: &types.WaitOptions{MaxWaitSeconds: &wait, MaxObjectUpdates: max}}}), &methods.WaitForUpdatesExBody{})
			}
		}
	}
}

func fmtProps(p types.PropertySpec) string {
	if p.All != nil && *p.All {
		return "*"
	}
	return "paths"
}
