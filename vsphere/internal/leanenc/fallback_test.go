package leanenc_test

import (
	"context"
	"net/url"
	"reflect"
	"testing"

	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/vsphere/internal/leanenc"
	"github.com/vtui/vtui/vsphere/sim"
)

// TestSimulatorValuesAreEncodedLeanly: every property of every object of
// the small preset, with snapshots on some VMs, and paths within them (a
// VM's layout's lists, a cluster's summary...), as the simulator answers
// them (decoded by govmomi), is written by the lean encoders, none by
// govmomi's.
func TestSimulatorValuesAreEncodedLeanly(t *testing.T) {
	spec, err := sim.Preset("small")
	if err != nil {
		t.Fatal(err)
	}
	spec.SnapshotEvery = 3
	ctx := context.Background()
	s, err := sim.Start(ctx, spec, sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	sc := soap.NewClient(s.URL, false)
	sc.SetThumbprint(s.URL.Host, s.Thumbprint)
	c, err := vim25.NewClient(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	if err := session.NewManager(c).Login(ctx, url.UserPassword(s.Username, s.Password)); err != nil {
		t.Fatal(err)
	}

	paths := map[string][]string{
		"VirtualMachine":         {"snapshot", "layoutEx", "layoutEx.file", "layoutEx.disk", "layoutEx.snapshot", "summary.quickStats", "config.hardware.device"},
		"ClusterComputeResource": {"summary", "summary.usageSummary", "configurationEx"},
		"HostSystem":             {"summary.quickStats", "summary.hardware"},
		"Datastore":              {"summary"},
	}
	kinds := []string{"ClusterComputeResource", "HostSystem", "VirtualMachine", "Datastore", "Network",
		"DistributedVirtualPortgroup", "Folder", "Datacenter", "ResourcePool"}
	seen, fell := map[reflect.Type]int{}, map[reflect.Type]int{}
	for _, kind := range kinds {
		v, err := view.NewManager(c).CreateContainerView(ctx, c.ServiceContent.RootFolder, []string{kind}, true)
		if err != nil {
			t.Fatal(err)
		}
		objects := []types.ObjectSpec{{Obj: v.Reference(), Skip: types.NewBool(true),
			SelectSet: []types.BaseSelectionSpec{&types.TraversalSpec{Type: "ContainerView", Path: "view"}}}}
		for _, props := range []types.PropertySpec{{Type: kind, All: types.NewBool(true)}, {Type: kind, PathSet: paths[kind]}} {
			if props.All == nil && len(props.PathSet) == 0 {
				continue
			}
			res, err := methods.RetrievePropertiesEx(ctx, c, &types.RetrievePropertiesEx{This: c.ServiceContent.PropertyCollector,
				SpecSet: []types.PropertyFilterSpec{{ObjectSet: objects, PropSet: []types.PropertySpec{props}}}})
			for err == nil && res.Returnval != nil {
				rr := res.Returnval
				for _, oc := range rr.Objects {
					for _, p := range oc.PropSet {
						seen[reflect.TypeOf(p.Val)]++
					}
				}
				f, err := leanenc.FallbackTypes(rr)
				if err != nil {
					t.Fatalf("%s: %v", kind, err)
				}
				for typ, n := range f {
					fell[typ] += n
				}
				if rr.Token == "" {
					break
				}
				var next *types.ContinueRetrievePropertiesExResponse
				next, err = methods.ContinueRetrievePropertiesEx(ctx, c, &types.ContinueRetrievePropertiesEx{
					This: c.ServiceContent.PropertyCollector, Token: rr.Token})
				if err == nil {
					res = &types.RetrievePropertiesExResponse{Returnval: &next.Returnval}
				}
			}
			if err != nil {
				t.Fatalf("%s: %v", kind, err)
			}
		}
	}
	for _, typ := range []reflect.Type{
		reflect.TypeFor[types.VirtualMachineSnapshotInfo](),
		reflect.TypeFor[types.VirtualMachineFileLayoutEx](),
		reflect.TypeFor[types.ArrayOfVirtualMachineFileLayoutExFileInfo](),
		reflect.TypeFor[types.ArrayOfVirtualMachineFileLayoutExDiskLayout](),
		reflect.TypeFor[types.ArrayOfVirtualMachineFileLayoutExSnapshotLayout](),
		reflect.TypeFor[types.ClusterComputeResourceSummary](),
		reflect.TypeFor[types.ArrayOfVirtualDevice](),
		reflect.TypeFor[types.HostConfigInfo](), // its certificate a types.ByteSlice
	} {
		if seen[typ] == 0 {
			t.Errorf("no value of %s in the preset's answers", typ)
		}
	}
	for typ, n := range fell {
		t.Errorf("%d values of %s left to govmomi's encoder", n, typ)
	}
	t.Logf("%d types of values seen: %v", len(seen), seen)
}
