package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// hostsSpec has a few hosts per cluster and no VMs, so that hosts differ
// only in what the builder sets per host.
var hostsSpec = Spec{Clusters: 2, HostsPerCluster: 3, Datastores: 1}

// builtHosts returns the simulator's hosts in build order.
func builtHosts(t *testing.T, s *Server) []*simulator.HostSystem {
	t.Helper()
	var hosts []*simulator.HostSystem
	for _, e := range s.Model().Map().All("HostSystem") {
		hosts = append(hosts, e.(*simulator.HostSystem))
	}
	slices.SortFunc(hosts, func(a, b *simulator.HostSystem) int { return strings.Compare(a.Name, b.Name) })
	if len(hosts) != hostsSpec.Clusters*hostsSpec.HostsPerCluster {
		t.Fatalf("%d hosts built, want %d", len(hosts), hostsSpec.Clusters*hostsSpec.HostsPerCluster)
	}
	return hosts
}

// allHostProperties reads every property of each host through the
// property collector, as a client sees them.
func allHostProperties(t *testing.T, c *govmomi.Client, hosts []*simulator.HostSystem) []mo.HostSystem {
	t.Helper()
	refs := make([]types.ManagedObjectReference, len(hosts))
	for i, h := range hosts {
		refs[i] = h.Self
	}
	var got []mo.HostSystem
	if err := property.DefaultCollector(c.Client).Retrieve(context.Background(), refs, nil, &got); err != nil {
		t.Fatalf("retrieve every property of the hosts: %v", err)
	}
	slices.SortFunc(got, func(a, b mo.HostSystem) int { return strings.Compare(a.Name, b.Name) })
	return got
}

// TestBuiltHostsAreAlikeBarWhatIsTheirOwn checks that every host a client
// sees is what the build's first one, made by vcsim's NewHostSystem, is:
// the same properties but for its identity, name, UUIDs, boot time and own
// config managers.
func TestBuiltHostsAreAlikeBarWhatIsTheirOwn(t *testing.T) {
	s := startSpec(t, hostsSpec, Options{})
	hosts := allHostProperties(t, login(t, s), builtHosts(t, s))

	managers := map[types.ManagedObjectReference]string{}
	cmp := make([]string, len(hosts))
	for i, h := range hosts {
		// What is each host's own: checked, then cleared.
		if h.Summary.Hardware.Uuid != nameUUID(h.Name) || h.Hardware.SystemInfo.Uuid != h.Summary.Hardware.Uuid {
			t.Errorf("%s: hardware UUIDs %q and %q, want %q", h.Name, h.Summary.Hardware.Uuid, h.Hardware.SystemInfo.Uuid, nameUUID(h.Name))
		}
		if h.Summary.Host == nil || *h.Summary.Host != h.Self || h.Config.Host != h.Self {
			t.Errorf("%s: summary.host %v and config.host %v, want %v", h.Name, h.Summary.Host, h.Config.Host, h.Self)
		}
		if h.Runtime.BootTime == nil || h.Summary.Runtime == nil || h.Summary.Runtime.BootTime == nil || !h.Summary.Runtime.BootTime.Equal(*h.Runtime.BootTime) {
			t.Errorf("%s: summary.runtime.bootTime is not runtime.bootTime", h.Name)
		}
		for _, ref := range managerRefs(h.ConfigManager) {
			if other, dup := managers[ref]; dup {
				t.Errorf("%s and %s share config manager %v", other, h.Name, ref)
			}
			managers[ref] = h.Name
		}
		h.Self, h.Name, h.Summary.Config.Name, h.Summary.Host, h.Config.Host = types.ManagedObjectReference{}, "", "", nil, types.ManagedObjectReference{}
		h.Summary.Hardware.Uuid, h.Hardware.SystemInfo.Uuid = "", ""
		h.Runtime.BootTime, h.Summary.Runtime.BootTime, h.Summary.QuickStats.Uptime = nil, nil, 0
		h.ConfigManager = types.HostConfigManager{}
		// Clusters differ in parent, hardware model and datastores.
		h.Parent, h.Datastore = nil, nil
		h.Summary.Hardware.Vendor, h.Summary.Hardware.Model, h.Summary.Hardware.CpuModel, h.Summary.Hardware.CpuMhz = "", "", "", 0
		h.Summary.Hardware.NumCpuCores, h.Summary.Hardware.NumCpuThreads, h.Summary.Hardware.NumCpuPkgs, h.Summary.Hardware.MemorySize = 0, 0, 0, 0
		h.Hardware.SystemInfo.Vendor, h.Hardware.SystemInfo.Model, h.Hardware.CpuInfo, h.Hardware.MemorySize = "", "", types.HostCpuInfo{}, 0
		h.Summary.QuickStats = types.HostListSummaryQuickStats{}
		b, err := json.MarshalIndent(h, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		cmp[i] = string(b)
	}
	if len(managers) != len(hosts)*7 {
		t.Errorf("%d config managers for %d hosts, want 7 each", len(managers), len(hosts))
	}
	for i := 1; i < len(hosts); i++ {
		if cmp[i] != cmp[0] {
			t.Errorf("%s differs from %s, built by NewHostSystem, in more than its own: %s", hosts[i].Name, hosts[0].Name, firstDiff(cmp[0], cmp[i]))
		}
	}
}

// managerRefs lists the config managers NewHostSystem gives every host.
func managerRefs(cm types.HostConfigManager) []types.ManagedObjectReference {
	var refs []types.ManagedObjectReference
	for _, r := range []*types.ManagedObjectReference{cm.DatastoreSystem, cm.NetworkSystem, cm.VirtualNicManager, cm.AdvancedOption, cm.FirewallSystem, cm.StorageSystem, cm.CertificateManager} {
		if r != nil {
			refs = append(refs, *r)
		}
	}
	return refs
}

// firstDiff shows the first line where two texts differ, with its line
// number.
func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d: %q, want %q", i+1, lb[i], la[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(lb), len(la))
}

// TestBuiltObjectsShareNoMemory checks that no two hosts, and no two
// VMs, hold a reference to the same memory (a pointer, a slice's array or
// a map), so that a change to one's state cannot show on another's, and
// that each host's config managers are its own and manage it.
func TestBuiltObjectsShareNoMemory(t *testing.T) {
	spec := hostsSpec
	spec.VMs = 12
	s := startSpec(t, spec, Options{})
	owner := map[uintptr]string{} // address -> object and path that hold it
	var shared []string
	walk := func(name string, obj any) {
		walkReferences(reflect.ValueOf(obj).Elem(), name, func(addr uintptr, path string) {
			if o, ok := owner[addr]; ok && !strings.HasPrefix(o, name+".") {
				shared = append(shared, o+" and "+path)
			}
			owner[addr] = path
		})
	}
	for _, h := range builtHosts(t, s) {
		if h.Summary.Runtime != &h.Runtime {
			t.Errorf("%s: summary.runtime is not the host's runtime", h.Name)
		}
		walk(h.Name, &h.HostSystem)
		for _, ref := range managerRefs(h.ConfigManager) {
			m := s.Model().Map().Get(ref)
			if m == nil {
				t.Errorf("%s: config manager %v not registered", h.Name, ref)
				continue
			}
			if f := reflect.ValueOf(m).Elem().FieldByName("Host"); f.IsValid() && f.Interface() != &h.HostSystem {
				t.Errorf("%s: config manager %v manages another host", h.Name, ref)
			}
		}
	}
	vms := s.Model().Map().All("VirtualMachine")
	if len(vms) != spec.VMs {
		t.Fatalf("%d VMs built, want %d", len(vms), spec.VMs)
	}
	for _, e := range vms {
		vm := e.(*simulator.VirtualMachine)
		if vm.Summary.Vm == nil || *vm.Summary.Vm != vm.Self {
			t.Errorf("%s: summary.vm is %v, not itself", vm.Name, vm.Summary.Vm)
		}
		walk(vm.Name, vm)
	}
	if len(shared) > 0 {
		t.Errorf("objects share memory in %d places, such as:\n%s", len(shared), strings.Join(shared[:min(len(shared), 5)], "\n"))
	}
}

// walkReferences calls visit with the address of every pointer target,
// slice array and map that v reaches through exported fields, and the
// path that reaches it. It skips pointers to a ManagedObjectReference,
// which name an object (a host's parent, a VM's runtime.host) and are
// replaced, never written through.
func walkReferences(v reflect.Value, path string, visit func(addr uintptr, path string)) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || v.Type().Elem() == reflect.TypeFor[types.ManagedObjectReference]() {
			return
		}
		if v.Type().Elem().Size() > 0 {
			visit(v.Pointer(), path)
		}
		walkReferences(v.Elem(), path, visit)
	case reflect.Interface:
		if !v.IsNil() {
			walkReferences(v.Elem(), path, visit)
		}
	case reflect.Slice:
		if v.Cap() > 0 && v.Type().Elem().Size() > 0 {
			visit(v.Pointer(), path)
		}
		for i := range v.Len() {
			walkReferences(v.Index(i), fmt.Sprintf("%s[%d]", path, i), visit)
		}
	case reflect.Array:
		for i := range v.Len() {
			walkReferences(v.Index(i), fmt.Sprintf("%s[%d]", path, i), visit)
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		visit(v.Pointer(), path)
		for it := v.MapRange(); it.Next(); {
			walkReferences(it.Value(), fmt.Sprintf("%s[%v]", path, it.Key()), visit)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if f.IsExported() {
				walkReferences(v.Field(i), path+"."+f.Name, visit)
			}
		}
	}
}

// TestHostAdvancedOptionChangesOnlyThatHost checks, through a client,
// that changing an advanced option of one host leaves the others' alone.
func TestHostAdvancedOptionChangesOnlyThatHost(t *testing.T) {
	s := startSpec(t, hostsSpec, Options{})
	c := login(t, s)
	ctx := context.Background()
	hosts := builtHosts(t, s)
	const key = "Config.HostAgent.log.level"
	changed := hosts[1]
	m, err := object.NewHostSystem(c.Client, changed.Self).ConfigManager().OptionManager(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Update(ctx, []types.BaseOptionValue{&types.OptionValue{Key: key, Value: "verbose"}}); err != nil {
		t.Fatalf("update %s of %s: %v", key, changed.Name, err)
	}
	for _, h := range allHostProperties(t, c, hosts) {
		var level any
		for _, o := range h.Config.Option {
			if o.GetOptionValue().Key == key {
				level = o.GetOptionValue().Value
			}
		}
		if want := map[bool]string{true: "verbose", false: "info"}[h.Name == changed.Name]; level != want {
			t.Errorf("%s: config.option %s = %v, want %q", h.Name, key, level, want)
		}
	}
}

// TestCopiedVMsAreWhatNewVirtualMachineMakes checks that the VMs the build
// makes, the first with vcsim's NewVirtualMachine and the others as copies
// of it, are what NewVirtualMachine makes of the same names and datastore,
// to the last field, but for their creation and modification times.
func TestCopiedVMsAreWhatNewVirtualMachineMakes(t *testing.T) {
	const n = 3
	got := vmsMadeBy(t, n, func(b *builder, dc *dcState, ds *simulator.Datastore, i int) (*simulator.VirtualMachine, error) {
		vm, _, err := b.newVirtualMachine(dc, ds, vmName(i, n))
		if i == 0 {
			b.copies = b.copyVMs(t.Context(), 1) // as build starts them
		}
		return vm, err
	})
	want := vmsMadeBy(t, n, func(b *builder, dc *dcState, ds *simulator.Datastore, i int) (*simulator.VirtualMachine, error) {
		spec := &types.VirtualMachineConfigSpec{Name: vmName(i, n), Files: &types.VirtualMachineFileInfo{VmPathName: "[" + ds.Name + "]"}}
		vm, fault := simulator.NewVirtualMachine(b.ctx, dc.dc.VmFolder, spec)
		if fault != nil {
			return nil, faultError("NewVirtualMachine", fault)
		}
		return vm, nil
	})
	for i := range n {
		g, w := vmFields(t, got[i]), vmFields(t, want[i])
		if g != w {
			t.Errorf("%s differs from NewVirtualMachine's: %s", vmName(i, n), firstDiff(w, g))
		}
		if gu, wu := vmUID(got[i]), vmUID(want[i]); gu != wu {
			t.Errorf("%s: uid %v, want NewVirtualMachine's %v", vmName(i, n), gu, wu)
		}
	}
}

// vmsMadeBy makes n VMs with make, in a fresh model with a datacenter, a
// cluster of one host and a shared datastore, in that order, so that two
// such models give the same morefs.
func vmsMadeBy(t *testing.T, n int, make func(b *builder, dc *dcState, ds *simulator.Datastore, i int) (*simulator.VirtualMachine, error)) []*simulator.VirtualMachine {
	t.Helper()
	m, err := emptyModel()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Remove)
	b, root, err := newBuilder(m, Spec{VMs: n})
	if err != nil {
		t.Fatal(err)
	}
	dc, err := b.datacenter(root, 0)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := b.cluster(dc, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	b.host(dc, cs, b.newHostSystems(1)[0], 0, 0)
	ds, err := b.datastore(dc, sharedDatastoreName(0), dc.hosts)
	if err != nil {
		t.Fatal(err)
	}
	dc.shared = append(dc.shared, ds)
	var vms []*simulator.VirtualMachine
	for i := range n {
		vm, err := make(b, dc, ds, i)
		if err != nil {
			t.Fatalf("make VM %d: %v", i, err)
		}
		vms = append(vms, vm)
	}
	return vms
}

// vmFields is every exported field of vm, as indented JSON, with its
// creation and modification times cleared.
func vmFields(t *testing.T, vm *simulator.VirtualMachine) string {
	t.Helper()
	c := clone(vm.VirtualMachine).(mo.VirtualMachine)
	c.Config.CreateDate, c.Config.Modified, c.Config.ChangeVersion = nil, time.Time{}, ""
	c.LayoutEx.Timestamp, c.Storage.Timestamp, c.Summary.Storage.Timestamp = time.Time{}, time.Time{}, time.Time{}
	b, err := json.MarshalIndent(struct {
		mo.VirtualMachine
		DataSets map[string]*simulator.DataSet
	}{c, vm.DataSets}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// vmUID reads vm's unexported uid, which setUID sets.
func vmUID(vm *simulator.VirtualMachine) [16]byte {
	var id [16]byte
	f := reflect.ValueOf(vm).Elem().FieldByName("uid")
	for i := range id {
		id[i] = byte(f.Index(i).Uint())
	}
	return id
}
