package sim

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// vtuiPaths are the property paths vtui reads (vsphere/load.go, the
// climb, the first screen's), by object type.
var vtuiPaths = map[string][]string{
	"ClusterComputeResource": {"name", "host", "parent", "summary", "configurationEx.dasConfig.enabled", "configurationEx.drsConfig.enabled",
		"configurationEx", "recommendation", "triggeredAlarmState"},
	"HostSystem": {"name", "parent", "vm", "summary.quickStats.overallCpuUsage", "summary.quickStats.overallMemoryUsage",
		"runtime.connectionState", "runtime.powerState", "runtime.inMaintenanceMode",
		"summary.hardware.cpuMhz", "summary.hardware.numCpuCores", "summary.hardware.memorySize", "datastore", "network"},
	"VirtualMachine": {"name", "parent", "resourcePool", "snapshot", "layoutEx", "runtime.powerState", "runtime.host", "datastore", "network",
		"config.hardware.numCPU", "config.hardware.memoryMB", "config.instanceUuid", "config.template",
		"summary.quickStats.overallCpuUsage", "summary.quickStats.guestMemoryUsage", "guest.ipAddress", "guest.toolsStatus",
		"config.cpuAllocation.reservation", "config.memoryAllocation.reservation"},
	"Datastore":                   {"name", "summary.type", "summary.capacity", "summary.freeSpace", "summary.accessible", "host", "vm"},
	"Network":                     {"name", "host", "vm"},
	"DistributedVirtualPortgroup": {"name", "host", "vm"},
	"Folder":                      {"name", "parent", "childEntity"},
	"Datacenter":                  {"name", "parent", "vmFolder", "hostFolder"},
	"ResourcePool":                {"name", "parent", "vm", "resourcePool"},
}

// oddPaths are paths that reach the other branches of a read: unknown
// names at every depth, names under unset pointers and interfaces (which
// read as unset, not as unknown), keys into arrays, and paths that do not
// parse.
var oddPaths = []string{
	"bogus", "Name", "summary.bogus", "summary.quickStats.bogus.deeper", "name.length", "datastore.value",
	"config.bogus", "snapshot.currentSnapshot", "snapshot.rootSnapshotList", "parentVApp.value",
	"configurationEx.vmSwapPlacement", "configurationEx.dasConfig.bogus", "configurationEx.bogus",
	"config.hardware.device[4000]", "config.hardware.device[4000].deviceInfo.label", "config.hardware.device[99999].key",
	"config.hardware.device[4000].bogus", `config.extraConfig["guestinfo.ip"].value`, "name[0]",
	"", ".", "name.", ".name", "summary..quickStats", "config.hardware.device[", "config.hardware.device[x]", "config.hardware.device[4000]x",
}

// TestCompiledPathsReadAsReflection reads every path vtui reads, and odd
// ones, from every object of the demo inventory through the compiled
// paths (each compiled once per type and reused over all objects), and
// checks that each answer (the value, or that the path names no
// property) is the one of a plain walk by field name, as the collector
// read before it compiled paths; and that a path the compiled form calls
// absent for the type (which traversals pass by unread) names no
// property of the object.
func TestCompiledPathsReadAsReflection(t *testing.T) {
	s := startPreset(t, "demo")
	ctx := s.vc.sctx
	counted := map[string]int{}
	absent := 0
	for kind, ps := range vtuiPaths {
		for _, e := range s.Model().Map().All(kind) {
			var v reflect.Value
			ctx.WithLock(e, func() {
				v = moStruct(e)
				for _, p := range append(ps, oddPaths...) {
					c := pathFor(v.Type(), p)
					got, gotOK := c.value(v)
					want, wantOK := reflectionValue(v, p)
					if gotOK != wantOK || !reflect.DeepEqual(got, want) {
						t.Errorf("%s %s: %#v (ok %v); a walk by name reads %#v (ok %v)", e.Reference(), p, got, gotOK, want, wantOK)
					}
					if copied, ok := c.copy(v); ok != gotOK || !reflect.DeepEqual(copied, clone(got)) {
						t.Errorf("%s %s: copied %#v (ok %v); the read, cloned, is %#v (ok %v)", e.Reference(), p, copied, ok, clone(got), gotOK)
					}
					if c.absent() {
						absent++
						if wantOK {
							t.Errorf("%s %s: absent for %s, but a walk by name reads %#v", e.Reference(), p, v.Type(), want)
						}
					}
				}
			})
			counted[kind]++
		}
	}
	if absent == 0 {
		t.Error("no path was absent: the odd paths test nothing of absent")
	}
	for kind := range vtuiPaths {
		if counted[kind] == 0 && kind != "DistributedVirtualPortgroup" {
			t.Errorf("the demo has no %s: its paths were not read", kind)
		}
	}
}

// TestCompiledPathsFollowTheValuesType reads paths through an interface
// whose value changes type between objects: a path compiled for the
// first object must read the second by its own type's fields (the same
// name can sit at another index, promoted from an embedded struct, or be
// missing).
func TestCompiledPathsFollowTheValuesType(t *testing.T) {
	objects := []mo.ClusterComputeResource{
		{ComputeResource: mo.ComputeResource{ConfigurationEx: &types.ClusterConfigInfoEx{
			ComputeResourceConfigInfo: types.ComputeResourceConfigInfo{VmSwapPlacement: "hostLocal"},
			DasConfig:                 types.ClusterDasConfigInfo{Enabled: types.NewBool(true)},
		}}},
		{ComputeResource: mo.ComputeResource{ConfigurationEx: &types.ComputeResourceConfigInfo{VmSwapPlacement: "vmDirectory"}}},
		{ComputeResource: mo.ComputeResource{ConfigurationEx: &types.ClusterConfigInfoEx{DasConfig: types.ClusterDasConfigInfo{Enabled: types.NewBool(false)}}}},
		{},
	}
	want := map[string][]any{
		"configurationEx.vmSwapPlacement":   {"hostLocal", "vmDirectory", nil, nil},
		"configurationEx.dasConfig.enabled": {true, "unknown", false, nil},
	}
	for p, values := range want {
		for _, first := range []int{0, 1} { // compile against either type first
			paths.clear()
			fieldIndexes.clear()
			for i := range objects {
				i := (i + first) % len(objects)
				got, ok := propertyValue(reflect.ValueOf(&objects[i]).Elem(), p)
				if values[i] == "unknown" {
					if ok {
						t.Errorf("object %d, %s: %v; want InvalidProperty (its type has no such field)", i, p, got)
					}
					continue
				}
				if !ok || got != values[i] {
					t.Errorf("object %d, %s: %v (ok %v); want %v", i, p, got, ok, values[i])
				}
			}
		}
	}
}

// TestContentMatchesAcrossKinds reads, through content, one spec per
// type that names vtui's paths and odd ones, with ManagedEntity's name
// and parent besides, from every object of the demo inventory, and
// checks each object's properties and missing set against the same read
// through a plain walk by field name.
func TestContentMatchesAcrossKinds(t *testing.T) {
	s := startPreset(t, "demo")
	ctx := s.vc.sctx
	specs := []types.PropertySpec{{Type: "ManagedEntity", PathSet: []string{"name", "parent", "bogus"}}}
	for kind, ps := range vtuiPaths {
		specs = append(specs, types.PropertySpec{Type: kind, PathSet: append(ps, oddPaths...)})
	}
	sp := &specProps{specs: specs}
	n := 0
	for _, e := range s.Model().Map().All("") {
		ref := e.Reference()
		got, ok := content(ctx, ref, sp)
		if !ok {
			t.Errorf("%s: not covered; every entity is, by ManagedEntity", ref)
			continue
		}
		var want types.ObjectContent
		ctx.WithLock(e, func() { want = reflectionContent(moStruct(e), ref, specs) })
		if !reflect.DeepEqual(got.PropSet, want.PropSet) || !reflect.DeepEqual(got.MissingSet, want.MissingSet) {
			t.Errorf("%s:\n got %v\n missing %v\nwant %v\n missing %v", ref, got.PropSet, got.MissingSet, want.PropSet, want.MissingSet)
		}
		n++
	}
	if n < 60 {
		t.Errorf("read %d entities; the demo has more than its 60 VMs", n)
	}
}

// reflectionContent reads specs' paths from v, an object of type kind,
// by plain reflection: the specs that cover the type in order, each path
// once, unset values left out.
func reflectionContent(v reflect.Value, ref types.ManagedObjectReference, specs []types.PropertySpec) types.ObjectContent {
	oc := types.ObjectContent{Obj: ref}
	seen := map[string]bool{}
	for _, ps := range specs {
		if f, ok := v.Type().FieldByName(ps.Type); ps.Type != ref.Type && (!ok || !f.Anonymous) {
			continue
		}
		for _, p := range ps.PathSet {
			if seen[p] {
				continue
			}
			seen[p] = true
			switch val, ok := reflectionValue(v, p); {
			case !ok:
				oc.MissingSet = append(oc.MissingSet, types.MissingProperty{Path: p, Fault: types.LocalizedMethodFault{Fault: &types.InvalidProperty{Name: p}}})
			case val != nil:
				oc.PropSet = append(oc.PropSet, types.DynamicProperty{Name: p, Val: val})
			}
		}
	}
	return oc
}

// reflectionValue is propertyValue as it was before paths were compiled:
// each name looked up on each value with FieldByName.
func reflectionValue(obj reflect.Value, p string) (any, bool) {
	var f mo.Field
	if !f.FromString(p) {
		return nil, false
	}
	at := func(v reflect.Value, p string) (reflect.Value, bool) {
		for name := range strings.SplitSeq(p, ".") {
			for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
				if v.IsNil() {
					return reflect.Value{}, true
				}
				v = v.Elem()
			}
			if !v.IsValid() {
				return v, true
			}
			if v.Kind() != reflect.Struct || name == "" {
				return reflect.Value{}, false
			}
			if v = v.FieldByName(strings.ToUpper(name[:1]) + name[1:]); !v.IsValid() {
				return reflect.Value{}, false
			}
		}
		return v, true
	}
	v, ok := at(obj, f.Path)
	if ok && f.Key != nil {
		if v, ok = keyed(v, f.Key); ok && f.Item != "" {
			v, ok = at(v, f.Item)
		}
	}
	if !ok || !v.IsValid() {
		return nil, ok
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, true
		}
		if v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
	case reflect.String:
		if v.Len() == 0 {
			return nil, true
		}
	case reflect.Slice:
		if v.IsNil() {
			return nil, true
		}
		et := v.Type().Elem()
		name := strings.TrimPrefix(et.Name(), "Base")
		if et.PkgPath() == "" {
			name = arrayElem[et.Kind()]
		}
		if at, ok := types.TypeFunc()("ArrayOf" + name); ok {
			a := reflect.New(at)
			if f := a.Elem().FieldByName(name); f.IsValid() && v.Type().ConvertibleTo(f.Type()) {
				f.Set(v.Convert(f.Type()))
				return a.Interface(), true
			}
		}
	}
	return v.Interface(), true
}

// TestPathCachesStayBounded: the compiled paths are keyed by what clients
// send, so a client asking for ever new paths (valid or not) does not grow
// the caches past maxCached; paths past it still read right.
func TestPathCachesStayBounded(t *testing.T) {
	paths.clear()
	fieldIndexes.clear()
	t.Cleanup(func() { paths.clear(); fieldIndexes.clear() })
	cl := reflect.ValueOf(&mo.ClusterComputeResource{ComputeResource: mo.ComputeResource{
		ConfigurationEx: &types.ClusterConfigInfoEx{DasConfig: types.ClusterDasConfigInfo{Enabled: types.NewBool(true)}}}}).Elem()
	for i := range maxCached + 100 {
		if _, ok := propertyValue(cl, fmt.Sprintf("configurationEx.noSuchField%d", i)); ok {
			t.Fatalf("path %d: an unknown field read as a property", i)
		}
	}
	if paths.len() > maxCached || fieldIndexes.len() > maxCached {
		t.Errorf("caches hold %d paths and %d field indexes; want at most %d each", paths.len(), fieldIndexes.len(), maxCached)
	}
	if v, ok := propertyValue(cl, "configurationEx.dasConfig.enabled"); !ok || v != true {
		t.Errorf("with the caches full, configurationEx.dasConfig.enabled reads %v, %t; want true", v, ok)
	}
}
