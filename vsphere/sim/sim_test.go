package sim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// startPreset starts the named preset and closes it when the test ends.
func startPreset(t testing.TB, name string) *Server {
	t.Helper()
	spec, err := Preset(name)
	if err != nil {
		t.Fatal(err)
	}
	return startSpec(t, spec, Options{})
}

func startSpec(t testing.TB, spec Spec, opts Options) *Server {
	t.Helper()
	s, err := Start(context.Background(), spec, opts)
	if err != nil {
		t.Fatalf("Start(%+v): %v", spec, err)
	}
	t.Cleanup(s.Close)
	return s
}

// connect logs in as user/pass, trusting the server by its thumbprint only
// (not insecure), so every test that connects also checks Thumbprint.
func connect(ctx context.Context, s *Server, user, pass, thumbprint string) (*govmomi.Client, error) {
	sc := soap.NewClient(s.URL, false)
	sc.SetThumbprint(s.URL.Host, thumbprint)
	vc, err := vim25.NewClient(ctx, sc)
	if err != nil {
		return nil, err
	}
	c := &govmomi.Client{Client: vc, SessionManager: session.NewManager(vc)}
	if err := c.Login(ctx, url.UserPassword(user, pass)); err != nil {
		return nil, err
	}
	return c, nil
}

func login(t testing.TB, s *Server) *govmomi.Client {
	t.Helper()
	ctx := context.Background()
	c, err := connect(ctx, s, s.Username, s.Password, s.Thumbprint)
	if err != nil {
		t.Fatalf("login to %s: %v", s.URL, err)
	}
	t.Cleanup(func() { _ = c.Logout(ctx) })
	return c
}

// inventory is what a property collector client sees, fetched one
// container view per type.
type inventory struct {
	dcs      []mo.Datacenter
	clusters []mo.ClusterComputeResource
	hosts    []mo.HostSystem
	vms      []mo.VirtualMachine
	dss      []mo.Datastore
	nets     []mo.Network
	pools    []mo.ResourcePool
}

func fetch(t testing.TB, c *govmomi.Client) inventory {
	t.Helper()
	ctx := context.Background()
	m := view.NewManager(c.Client)
	var inv inventory
	for _, q := range []struct {
		kind  string
		props []string
		dst   any
	}{
		{"Datacenter", []string{"name", "vmFolder"}, &inv.dcs},
		{"ClusterComputeResource", []string{"name", "host", "resourcePool", "network", "datastore", "summary", "configurationEx"}, &inv.clusters},
		{"HostSystem", []string{"name", "parent", "vm", "datastore", "network", "runtime.connectionState", "runtime.powerState", "runtime.inMaintenanceMode", "runtime.dasHostState", "summary.hardware", "summary.quickStats"}, &inv.hosts},
		{"VirtualMachine", []string{
			"name", "parent", "runtime.host", "runtime.powerState", "runtime.connectionState", "summary.runtime.host", "summary.runtime.powerState",
			"datastore", "network", "resourcePool", "config.hardware.numCPU", "config.hardware.memoryMB",
			"config.instanceUuid", "config.template", "guest.ipAddress", "guest.toolsRunningStatus", "summary.quickStats.overallCpuUsage", "summary.quickStats.guestHeartbeatStatus",
		}, &inv.vms},
		{"Datastore", []string{"name", "vm", "host", "summary"}, &inv.dss},
		{"Network", []string{"name", "host", "vm"}, &inv.nets},
		{"ResourcePool", []string{"name", "owner", "vm"}, &inv.pools},
	} {
		v, err := m.CreateContainerView(ctx, c.ServiceContent.RootFolder, []string{q.kind}, true)
		if err != nil {
			t.Fatalf("create %s view: %v", q.kind, err)
		}
		if err := v.Retrieve(ctx, []string{q.kind}, q.props, q.dst); err != nil {
			t.Fatalf("retrieve %s: %v", q.kind, err)
		}
		_ = v.Destroy(ctx)
	}
	return inv
}

// counts is the number of each kind of object.
type counts struct {
	DCs, Clusters, HA, DRS, Hosts, VMs, Datastores, Networks int
}

func (inv inventory) counts() counts {
	n := counts{
		DCs: len(inv.dcs), Clusters: len(inv.clusters), Hosts: len(inv.hosts),
		VMs: len(inv.vms), Datastores: len(inv.dss), Networks: len(inv.nets),
	}
	for _, c := range inv.clusters {
		cfg := c.ConfigurationEx.(*types.ClusterConfigInfoEx)
		if isTrue(cfg.DasConfig.Enabled) {
			n.HA++
		}
		if isTrue(cfg.DrsConfig.Enabled) {
			n.DRS++
		}
	}
	return n
}

func isTrue(b *bool) bool { return b != nil && *b }

func (inv inventory) powerStates() map[types.VirtualMachinePowerState]int {
	states := map[types.VirtualMachinePowerState]int{}
	for _, vm := range inv.vms {
		states[vm.Runtime.PowerState]++
	}
	return states
}

func refSet[T any](items []T, ref func(T) types.ManagedObjectReference) map[types.ManagedObjectReference]T {
	m := make(map[types.ManagedObjectReference]T, len(items))
	for _, it := range items {
		m[ref(it)] = it
	}
	return m
}

// checkConsistency asserts the cross-references a real vCenter keeps.
func checkConsistency(t *testing.T, inv inventory) {
	t.Helper()
	hosts := refSet(inv.hosts, func(h mo.HostSystem) types.ManagedObjectReference { return h.Self })
	clusters := refSet(inv.clusters, func(c mo.ClusterComputeResource) types.ManagedObjectReference { return c.Self })
	dss := refSet(inv.dss, func(d mo.Datastore) types.ManagedObjectReference { return d.Self })
	nets := refSet(inv.nets, func(n mo.Network) types.ManagedObjectReference { return n.Self })
	pools := refSet(inv.pools, func(p mo.ResourcePool) types.ManagedObjectReference { return p.Self })
	vmFolders := map[types.ManagedObjectReference]bool{}
	for _, dc := range inv.dcs {
		vmFolders[dc.VmFolder] = true
	}

	for _, vm := range inv.vms {
		if vm.Runtime.Host == nil || vm.Summary.Runtime.Host == nil || *vm.Runtime.Host != *vm.Summary.Runtime.Host {
			t.Errorf("VM %s: runtime.host %v, summary.runtime.host %v; want equal and set", vm.Name, vm.Runtime.Host, vm.Summary.Runtime.Host)
			continue
		}
		if vm.Runtime.PowerState != vm.Summary.Runtime.PowerState {
			t.Errorf("VM %s: runtime.powerState %s, summary.runtime.powerState %s", vm.Name, vm.Runtime.PowerState, vm.Summary.Runtime.PowerState)
		}
		h, ok := hosts[*vm.Runtime.Host]
		if !ok {
			t.Errorf("VM %s: runtime.host %s is not a host", vm.Name, *vm.Runtime.Host)
			continue
		}
		cl, ok := clusters[*h.Parent]
		if !ok {
			t.Errorf("VM %s: host %s has parent %s, not a cluster", vm.Name, h.Name, *h.Parent)
			continue
		}
		if !slices.Contains(cl.Host, h.Self) {
			t.Errorf("VM %s: cluster %s does not list its host %s", vm.Name, cl.Name, h.Name)
		}
		if !slices.Contains(h.Vm, vm.Self) {
			t.Errorf("VM %s: host %s's vm list does not contain it", vm.Name, h.Name)
		}
		if vm.Parent == nil || !vmFolders[*vm.Parent] {
			t.Errorf("VM %s: parent %v is not a datacenter's vm folder", vm.Name, vm.Parent)
		}
		switch {
		case vm.Config.Template:
			// As MarkAsTemplate leaves it: off, in no resource pool.
			if vm.ResourcePool != nil || vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOff {
				t.Errorf("template %s: resourcePool %v, %s; want none, poweredOff", vm.Name, vm.ResourcePool, vm.Runtime.PowerState)
			}
			for _, p := range inv.pools {
				if slices.Contains(p.Vm, vm.Self) {
					t.Errorf("template %s: pool %s lists it; want no pool to", vm.Name, p.Name)
				}
			}
		case vm.ResourcePool == nil || *vm.ResourcePool != *cl.ResourcePool:
			t.Errorf("VM %s: resourcePool %v, want cluster %s's %v", vm.Name, vm.ResourcePool, cl.Name, cl.ResourcePool)
		case !slices.Contains(pools[*vm.ResourcePool].Vm, vm.Self):
			t.Errorf("VM %s: pool %s's vm list does not contain it", vm.Name, pools[*vm.ResourcePool].Name)
		}
		if len(vm.Datastore) == 0 || len(vm.Network) == 0 {
			t.Errorf("VM %s: datastore %v network %v; want at least one of each", vm.Name, vm.Datastore, vm.Network)
		}
		// Its home is on a shared datastore or one of its cluster's own.
		home := 0
		own := "ds-" + strings.TrimPrefix(cl.Name, "cluster-") + "-"
		for _, ref := range vm.Datastore {
			ds := dss[ref]
			if !slices.Contains(h.Datastore, ref) {
				t.Errorf("VM %s: datastore %s is not mounted on its host %s", vm.Name, ds.Name, h.Name)
			}
			if !slices.Contains(ds.Vm, vm.Self) {
				t.Errorf("VM %s: datastore %s's vm list does not contain it", vm.Name, ds.Name)
			}
			if strings.HasPrefix(ds.Name, "ds-shared-") || strings.HasPrefix(ds.Name, own) && ds.Name != FirstClusterDatastore {
				home++
			}
		}
		if home == 0 {
			t.Errorf("VM %s: on neither a shared datastore nor one of %s's own", vm.Name, cl.Name)
		}
		for _, ref := range vm.Network {
			n := nets[ref]
			if !slices.Contains(h.Network, ref) {
				t.Errorf("VM %s: network %s is not on its host %s", vm.Name, n.Name, h.Name)
			}
			if !slices.Contains(n.Vm, vm.Self) {
				t.Errorf("VM %s: network %s's vm list does not contain it", vm.Name, n.Name)
			}
		}
		if vm.Config.Hardware.NumCPU <= 0 || vm.Config.Hardware.MemoryMB <= 0 || vm.Config.InstanceUuid == "" {
			t.Errorf("VM %s: numCPU %d memoryMB %d instanceUuid %q; want all set", vm.Name,
				vm.Config.Hardware.NumCPU, vm.Config.Hardware.MemoryMB, vm.Config.InstanceUuid)
		}
		on := vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn
		if got := vm.Guest.IpAddress != "" && vm.Summary.QuickStats.OverallCpuUsage > 0; got != on {
			t.Errorf("VM %s (%s): has IP and CPU usage = %v, want %v", vm.Name, vm.Runtime.PowerState, got, on)
		}
	}

	for _, h := range inv.hosts {
		for _, ref := range h.Vm {
			if vm := findVM(inv, ref); vm == nil || *vm.Runtime.Host != h.Self {
				t.Errorf("host %s lists VM %s, which is not on it", h.Name, ref)
			}
		}
		for _, ref := range h.Datastore {
			if !slices.ContainsFunc(dss[ref].Host, func(m types.DatastoreHostMount) bool { return m.Key == h.Self }) {
				t.Errorf("host %s mounts %s, whose host list lacks it", h.Name, dss[ref].Name)
			}
		}
		for _, ref := range h.Network {
			if !slices.Contains(nets[ref].Host, h.Self) {
				t.Errorf("host %s has network %s, whose host list lacks it", h.Name, nets[ref].Name)
			}
		}
		hw := h.Summary.Hardware
		if h.Runtime.ConnectionState != types.HostSystemConnectionStateConnected || hw.CpuMhz == 0 || hw.MemorySize == 0 || hw.NumCpuCores == 0 {
			t.Errorf("host %s: state %s hardware %+v; want connected with CPU and memory", h.Name, h.Runtime.ConnectionState, hw)
		}
		if len(h.Vm) > 0 && (h.Summary.QuickStats.OverallCpuUsage == 0 || h.Summary.QuickStats.OverallMemoryUsage == 0) {
			t.Errorf("host %s with %d VMs: quickStats %+v; want usage", h.Name, len(h.Vm), h.Summary.QuickStats)
		}
	}

	for _, cl := range inv.clusters {
		s := cl.Summary.(*types.ClusterComputeResourceSummary)
		var cpu, mem int64
		for _, ref := range cl.Host {
			hw := hosts[ref].Summary.Hardware
			cpu += int64(hw.CpuMhz) * int64(hw.NumCpuCores)
			mem += hw.MemorySize
		}
		if int(s.NumHosts) != len(cl.Host) || int(s.NumEffectiveHosts) != len(cl.Host) ||
			int64(s.TotalCpu) != cpu || s.TotalMemory != mem {
			t.Errorf("cluster %s summary: numHosts %d numEffectiveHosts %d totalCpu %d totalMemory %d; want %d, %d, %d, %d",
				cl.Name, s.NumHosts, s.NumEffectiveHosts, s.TotalCpu, s.TotalMemory, len(cl.Host), len(cl.Host), cpu, mem)
		}
	}

	for _, ds := range inv.dss {
		if s := ds.Summary; s.Capacity <= 0 || s.FreeSpace <= 0 || s.FreeSpace > s.Capacity {
			t.Errorf("datastore %s: capacity %d free %d", ds.Name, s.Capacity, s.FreeSpace)
		}
	}
}

func findVM(inv inventory, ref types.ManagedObjectReference) *mo.VirtualMachine {
	for i := range inv.vms {
		if inv.vms[i].Self == ref {
			return &inv.vms[i]
		}
	}
	return nil
}

func TestPreset(t *testing.T) {
	for _, tc := range []struct {
		name string
		want Spec
	}{
		{"small", Spec{Datacenters: 1, Clusters: 2, HostsPerCluster: 3, VMs: 12, Datastores: 2, HAClusters: 1, FirstClusterExtras: true}},
		{"demo", Spec{Datacenters: 1, Clusters: 2, HostsPerCluster: 4, VMs: 60, Datastores: 2, HAClusters: 1, SnapshotEvery: 7}},
		{"large", Spec{Datacenters: 1, Clusters: 10, HostsPerCluster: 96, VMs: 10000, Datastores: 4, HAClusters: 5, SnapshotEvery: 7}},
		{"max", Spec{Datacenters: 1, Clusters: 26, HostsPerCluster: 96, VMs: 45000, DatastoresPerCluster: 8, HAClusters: 13, SnapshotEvery: 7,
			Mix: VMMix{Off: 4250, Suspended: 250, Templates: 500}}},
	} {
		got, err := Preset(tc.name)
		if err != nil || got != tc.want {
			t.Errorf("Preset(%q) = %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
	if got, want := PresetNames(), []string{"small", "demo", "large", "max"}; !slices.Equal(got, want) {
		t.Errorf("PresetNames() = %v; want %v", got, want)
	}
	_, err := Preset("huge")
	if err == nil || !strings.Contains(err.Error(), "small, demo, large, max") {
		t.Errorf(`Preset("huge") error = %v; want one listing small, demo, large, max`, err)
	}
	if _, err := Preset(DefaultPreset); err != nil {
		t.Errorf("DefaultPreset %q: %v", DefaultPreset, err)
	}
}

func TestSpecValidate(t *testing.T) {
	for _, tc := range []struct {
		spec Spec
		ok   bool
	}{
		{Spec{}, true},
		{Spec{Clusters: 1, HostsPerCluster: 1, VMs: 1, Datastores: 1}, true},
		{Spec{Clusters: -1}, false},
		{Spec{Clusters: 1, HAClusters: 2}, false},
		{Spec{VMs: 1, Datastores: 1}, false},
		{Spec{Clusters: 1, HostsPerCluster: 1, VMs: 1}, false},
		{Spec{FirstClusterExtras: true}, false},
		{Spec{Clusters: 1, HostsPerCluster: MaxHostsPerCluster}, true},
		{Spec{Clusters: 1, HostsPerCluster: 1, VMs: 1, DatastoresPerCluster: 1}, true},
		{Spec{DatastoresPerCluster: 1}, false},
		{Spec{Clusters: 1, HostsPerCluster: 1, VMs: 3, Datastores: 1, Mix: VMMix{Off: 1, Suspended: 1, Templates: 1}}, true},
		{Spec{Clusters: 1, HostsPerCluster: 1, VMs: 3, Datastores: 1, Mix: VMMix{Off: 2, Suspended: 1, Templates: 1}}, false},
		{Spec{Clusters: 1, HostsPerCluster: 1, VMs: 3, Datastores: 1, Mix: VMMix{Off: -1, Templates: 1}}, false},
		{Spec{Clusters: 2, HostsPerCluster: 1, DatastoresPerCluster: MaxDatastores/2 + 1}, false},
	} {
		if err := tc.spec.Validate(); (err == nil) != tc.ok {
			t.Errorf("%+v.Validate() = %v; want ok %v", tc.spec, err, tc.ok)
		}
		if !tc.ok {
			if _, err := Start(context.Background(), tc.spec, Options{}); err == nil {
				t.Errorf("Start(%+v) succeeded; want error", tc.spec)
			}
		}
	}
}

// TestSpecRefusesClustersOverVSphereLimit: vSphere's clusters hold at most
// 96 hosts, so a Spec asking for more is refused, naming the limit.
func TestSpecRefusesClustersOverVSphereLimit(t *testing.T) {
	err := Spec{Clusters: 1, HostsPerCluster: 97}.Validate()
	if err == nil || !strings.Contains(err.Error(), "97 hosts per cluster") || !strings.Contains(err.Error(), "at most 96 hosts") {
		t.Errorf("a cluster of 97 hosts: %v; want an error naming vSphere's limit of 96", err)
	}
	for _, name := range PresetNames() {
		spec, _ := Preset(name)
		if spec.HostsPerCluster > MaxHostsPerCluster {
			t.Errorf("preset %s has %d hosts per cluster; vSphere allows %d", name, spec.HostsPerCluster, MaxHostsPerCluster)
		}
	}
	large, _ := Preset("large")
	if vms := large.VMs; vms < 9_000 || vms > 11_000 {
		t.Errorf("the large preset has %d VMs; want about 10,000", vms)
	}
}

func TestNames(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{clusterName(0), "cluster-a"},
		{clusterName(25), "cluster-z"},
		{clusterName(26), "cluster-aa"},
		{hostName(1, 0, 4), "esx-b-01.lab.local"},
		{hostName(9, 95, 96), "esx-j-96.lab.local"},
		{vmName(0, 60), "web-01"},
		{vmName(7, 60), "db-02"},
		{vmName(9999, 10000), "batch-2000"},
		{macAddress(1, 1), "00:50:56:00:00:03"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q; want %q", tc.got, tc.want)
		}
	}
}

func TestSmall(t *testing.T) {
	s := startPreset(t, "small")
	if s.URL.User != nil || s.URL.Scheme != "https" || s.URL.Path != "/sdk" || !strings.HasPrefix(s.URL.Host, "127.0.0.1:") {
		t.Errorf("URL = %s; want https://127.0.0.1:PORT/sdk without user info", s.URL.Redacted())
	}
	c := login(t, s)
	inv := fetch(t, c)

	want := counts{DCs: 1, Clusters: 2, HA: 1, DRS: 1, Hosts: 6, VMs: 12, Datastores: 3, Networks: 2}
	if got := inv.counts(); got != want {
		t.Errorf("counts = %+v; want %+v", got, want)
	}
	checkConsistency(t, inv)

	t.Run("first cluster extras", func(t *testing.T) {
		var clusterA mo.ClusterComputeResource
		for _, cl := range inv.clusters {
			if cl.Name == "cluster-a" {
				clusterA = cl
			}
		}
		inA := func(ref types.ManagedObjectReference) bool { return slices.Contains(clusterA.Host, ref) }
		var dsRef, netRef types.ManagedObjectReference
		for _, ds := range inv.dss {
			if ds.Name == FirstClusterDatastore {
				dsRef = ds.Self
				var mounts []types.ManagedObjectReference
				for _, m := range ds.Host {
					mounts = append(mounts, m.Key)
				}
				if !sameSet(mounts, clusterA.Host) {
					t.Errorf("%s mounted on %v; want cluster-a's hosts %v", ds.Name, mounts, clusterA.Host)
				}
			}
		}
		for _, n := range inv.nets {
			if n.Name == FirstClusterNetwork {
				netRef = n.Self
				if !sameSet(n.Host, clusterA.Host) {
					t.Errorf("%s on hosts %v; want cluster-a's hosts %v", n.Name, n.Host, clusterA.Host)
				}
			}
		}
		if dsRef.Value == "" || netRef.Value == "" {
			t.Fatalf("datastore %s or network %s missing", FirstClusterDatastore, FirstClusterNetwork)
		}
		for _, h := range inv.hosts {
			if got, want := slices.Contains(h.Datastore, dsRef), inA(h.Self); got != want {
				t.Errorf("host %s has %s = %v; want %v", h.Name, FirstClusterDatastore, got, want)
			}
			if got, want := slices.Contains(h.Network, netRef), inA(h.Self); got != want {
				t.Errorf("host %s has %s = %v; want %v", h.Name, FirstClusterNetwork, got, want)
			}
		}
		var pinned []string
		for _, vm := range inv.vms {
			if slices.Contains(vm.Datastore, dsRef) && slices.Contains(vm.Network, netRef) {
				pinned = append(pinned, vm.Name)
			}
		}
		if !slices.Equal(pinned, []string{"web-01"}) {
			t.Errorf("VMs on %s and %s = %v; want [web-01]", FirstClusterDatastore, FirstClusterNetwork, pinned)
		}
	})

	t.Run("watch", func(t *testing.T) { testWatch(t, c, inv) })
	t.Run("operations", func(t *testing.T) { testOperations(t, c, inv) })
}

// testOperations runs the vCenter operations vtui uses on VMs the builder
// made without tasks, to show vcsim accepts them.
func testOperations(t *testing.T, c *govmomi.Client, inv inventory) {
	ctx := context.Background()
	byState := map[types.VirtualMachinePowerState][]mo.VirtualMachine{}
	for _, vm := range inv.vms {
		byState[vm.Runtime.PowerState] = append(byState[vm.Runtime.PowerState], vm)
	}
	var otherCluster mo.ClusterComputeResource
	for _, cl := range inv.clusters {
		if cl.Name == "cluster-b" {
			otherCluster = cl
		}
	}
	on := byState[types.VirtualMachinePowerStatePoweredOn]
	off := byState[types.VirtualMachinePowerStatePoweredOff]
	vm := func(v mo.VirtualMachine) *object.VirtualMachine { return object.NewVirtualMachine(c.Client, v.Self) }
	run := func(what string, task *object.Task, err error) {
		t.Helper()
		if err == nil {
			err = task.Wait(ctx)
		}
		if err != nil {
			t.Errorf("%s: %v", what, err)
		}
	}

	task, err := vm(off[0]).PowerOn(ctx)
	run("power on "+off[0].Name, task, err)
	task, err = vm(on[1]).Suspend(ctx)
	run("suspend "+on[1].Name, task, err)
	task, err = vm(on[2]).Relocate(ctx, types.VirtualMachineRelocateSpec{
		Host: &otherCluster.Host[0],
		Pool: otherCluster.ResourcePool,
	}, types.VirtualMachineMovePriorityDefaultPriority)
	run("relocate "+on[2].Name, task, err)
	task, err = vm(on[3]).Reconfigure(ctx, types.VirtualMachineConfigSpec{MemoryMB: 2048})
	run("reconfigure "+on[3].Name, task, err)
	task, err = vm(off[1]).Destroy(ctx)
	run("destroy "+off[1].Name, task, err)

	var got []mo.VirtualMachine
	refs := []types.ManagedObjectReference{off[0].Self, on[1].Self, on[2].Self, on[3].Self}
	if err := c.PropertyCollector().Retrieve(ctx, refs, []string{"name", "runtime.powerState", "runtime.host", "config.hardware.memoryMB"}, &got); err != nil {
		t.Fatal(err)
	}
	for _, v := range got {
		switch v.Self {
		case off[0].Self:
			if v.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn {
				t.Errorf("%s is %s after power on", v.Name, v.Runtime.PowerState)
			}
		case on[1].Self:
			if v.Runtime.PowerState != types.VirtualMachinePowerStateSuspended {
				t.Errorf("%s is %s after suspend", v.Name, v.Runtime.PowerState)
			}
		case on[2].Self:
			if *v.Runtime.Host != otherCluster.Host[0] {
				t.Errorf("%s on %s after relocate; want %s", v.Name, v.Runtime.Host, otherCluster.Host[0])
			}
		case on[3].Self:
			if v.Config.Hardware.MemoryMB != 2048 {
				t.Errorf("%s has %d MB after reconfigure; want 2048", v.Name, v.Config.Hardware.MemoryMB)
			}
		}
	}
}

func sameSet(a, b []types.ManagedObjectReference) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(r types.ManagedObjectReference) bool { return !slices.Contains(b, r) })
}

// testWatch checks that a container view watcher sees every VM enter and
// then sees a power-off done through the API.
func testWatch(t *testing.T, c *govmomi.Client, inv inventory) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v, err := view.NewManager(c.Client).CreateContainerView(ctx, c.ServiceContent.RootFolder, []string{"VirtualMachine"}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = v.Destroy(context.Background()) }()
	pc, err := property.DefaultCollector(c.Client).Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = pc.Destroy(context.Background()) }()

	var target types.ManagedObjectReference
	for _, vm := range inv.vms {
		if vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
			target = vm.Self
			break
		}
	}
	filter := new(property.WaitFilter).Add(v.Reference(), "VirtualMachine", []string{"runtime.powerState"},
		&types.TraversalSpec{Type: "ContainerView", Path: "view"})
	filter.Spec.ObjectSet[0].Skip = types.NewBool(true)

	entered := map[types.ManagedObjectReference]bool{}
	poweredOff := false
	err = property.WaitForUpdatesEx(ctx, pc, filter, func(updates []types.ObjectUpdate) bool {
		for _, u := range updates {
			switch u.Kind {
			case types.ObjectUpdateKindEnter:
				entered[u.Obj] = true
			case types.ObjectUpdateKindModify:
				for _, ch := range u.ChangeSet {
					if u.Obj == target && ch.Name == "runtime.powerState" && ch.Val == types.VirtualMachinePowerStatePoweredOff {
						return true
					}
				}
			}
		}
		if len(entered) == len(inv.vms) && !poweredOff {
			poweredOff = true
			task, err := object.NewVirtualMachine(c.Client, target).PowerOff(ctx)
			if err == nil {
				err = task.Wait(ctx)
			}
			if err != nil {
				t.Errorf("power off %s: %v", target, err)
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("wait for updates (entered %d of %d, powered off %v): %v", len(entered), len(inv.vms), poweredOff, err)
	}
}

func TestDemo(t *testing.T) {
	s := startPreset(t, "demo")
	inv := fetch(t, login(t, s))

	want := counts{DCs: 1, Clusters: 2, HA: 1, DRS: 1, Hosts: 8, VMs: 60, Datastores: 2, Networks: 1}
	if got := inv.counts(); got != want {
		t.Errorf("counts = %+v; want %+v", got, want)
	}
	wantStates := map[types.VirtualMachinePowerState]int{
		types.VirtualMachinePowerStatePoweredOn:  45,
		types.VirtualMachinePowerStatePoweredOff: 10,
		types.VirtualMachinePowerStateSuspended:  5,
	}
	if got := inv.powerStates(); !mapsEqual(got, wantStates) {
		t.Errorf("power states = %v; want %v", got, wantStates)
	}
	var names []string
	for _, h := range inv.hosts {
		names = append(names, h.Name)
	}
	for _, vm := range inv.vms {
		names = append(names, vm.Name)
	}
	for _, n := range []string{"esx-a-01.lab.local", "esx-b-04.lab.local", "web-01", "db-12", "batch-12"} {
		if !slices.Contains(names, n) {
			t.Errorf("no object named %s", n)
		}
	}
	checkConsistency(t, inv)

	// VMs spread evenly: 60 VMs over 8 hosts is 7 or 8 each.
	for _, h := range inv.hosts {
		if n := len(h.Vm); n < 7 || n > 8 {
			t.Errorf("host %s has %d VMs; want 7 or 8", h.Name, n)
		}
	}
}

func mapsEqual[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestDeterministic builds small twice and expects the same placement.
func TestDeterministic(t *testing.T) {
	layout := func() []string {
		inv := fetch(t, login(t, startPreset(t, "small")))
		hosts := refSet(inv.hosts, func(h mo.HostSystem) types.ManagedObjectReference { return h.Self })
		var rows []string
		for _, vm := range inv.vms {
			rows = append(rows, fmt.Sprintf("%s %s %s %s %d", vm.Name, hosts[*vm.Runtime.Host].Name,
				vm.Runtime.PowerState, vm.Config.InstanceUuid, vm.Config.Hardware.MemoryMB))
		}
		slices.Sort(rows)
		return rows
	}
	if a, b := layout(), layout(); !slices.Equal(a, b) {
		t.Errorf("two builds differ:\n%s\n---\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
}

func TestCredentials(t *testing.T) {
	ctx := context.Background()
	s := startSpec(t, Spec{}, Options{Username: "alice", Password: "s3cret"})
	if s.Username != "alice" || s.Password != "s3cret" {
		t.Errorf("credentials = %q/%q; want alice/s3cret", s.Username, s.Password)
	}
	for _, tc := range []struct {
		user, pass string
		ok         bool
	}{
		{"alice", "s3cret", true},
		{"alice", "wrong", false},
		{"bob", "s3cret", false},
		{"alice", "", false},
	} {
		c, err := connect(ctx, s, tc.user, tc.pass, s.Thumbprint)
		if (err == nil) != tc.ok {
			t.Errorf("login %s/%q: error %v; want ok %v", tc.user, tc.pass, err, tc.ok)
		}
		if err != nil && tc.pass != "" && !fault.Is(err, &types.InvalidLogin{}) {
			t.Errorf("login %s/%q: error %v; want InvalidLogin", tc.user, tc.pass, err)
		}
		if c != nil {
			_ = c.Logout(ctx)
		}
	}

	// Defaults: user vtui and a random password that differs per server.
	a, b := startSpec(t, Spec{}, Options{}), startSpec(t, Spec{}, Options{})
	if a.Username != DefaultUsername || len(a.Password) < 16 || a.Password == b.Password {
		t.Errorf("default credentials %q/%q and %q; want %s and distinct random passwords", a.Username, a.Password, b.Password, DefaultUsername)
	}
	if _, err := govmomi.NewClient(ctx, withUser(a.URL, a.Username, b.Password), true); err == nil {
		t.Error("login with another server's password succeeded")
	}
}

func withUser(u *url.URL, user, pass string) *url.URL {
	c := *u
	c.User = url.UserPassword(user, pass)
	return &c
}

func TestThumbprint(t *testing.T) {
	ctx := context.Background()
	a, b := startSpec(t, Spec{}, Options{}), startSpec(t, Spec{}, Options{})
	if a.Thumbprint == b.Thumbprint {
		t.Error("two servers share a certificate")
	}
	if got := soap.ThumbprintSHA256(a.Certificate()); got != a.Thumbprint || len(got) != 32*3-1 {
		t.Errorf("Thumbprint = %s; certificate's SHA-256 is %s", a.Thumbprint, got)
	}
	if _, err := connect(ctx, a, a.Username, a.Password, b.Thumbprint); err == nil {
		t.Error("login trusting another server's thumbprint succeeded")
	}
	if _, err := connect(ctx, a, a.Username, a.Password, ""); err == nil {
		t.Error("login trusting nothing succeeded; want a certificate error")
	}
}

func TestStartListen(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, listen := range []string{"nonsense", busy.Addr().String()} {
		if s, err := Start(context.Background(), Spec{}, Options{Listen: listen}); err == nil {
			s.Close()
			t.Errorf("Start on %q succeeded; want error", listen)
		}
	}
}

func TestStartCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	spec, _ := Preset("small")
	if s, err := Start(ctx, spec, Options{}); !errors.Is(err, context.Canceled) {
		if s != nil {
			s.Close()
		}
		t.Errorf("Start with a cancelled context: %v; want context.Canceled", err)
	}
}

// TestClose checks Close is idempotent and does not hang on a client that
// left a WaitForUpdatesEx pending.
func TestClose(t *testing.T) {
	spec, _ := Preset("small")
	s, err := Start(context.Background(), spec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := login(t, s)
	pc, err := property.DefaultCollector(c.Client).Create(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	filter := new(property.WaitFilter).Add(c.ServiceContent.RootFolder, "Folder", []string{"name"})
	waiting := make(chan struct{})
	go func() {
		_ = property.WaitForUpdatesEx(context.Background(), pc, filter, func([]types.ObjectUpdate) bool {
			close(waiting)
			return false
		})
	}()
	<-waiting
	time.Sleep(50 * time.Millisecond) // let the next WaitForUpdatesEx reach the server

	done := make(chan struct{})
	go func() {
		s.Close()
		s.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close hung")
	}
	if _, err := net.DialTimeout("tcp", s.URL.Host, time.Second); err == nil {
		t.Errorf("%s still accepts connections after Close", s.URL.Host)
	}
}

// TestLarge builds the large preset and counts what a client sees.
func TestLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 10,000 VMs")
	}
	start := time.Now()
	s := startPreset(t, "large")
	t.Logf("large built and serving in %v", time.Since(start))
	c := login(t, s)
	ctx := context.Background()
	m := view.NewManager(c.Client)
	for _, tc := range []struct {
		kind string
		want int
	}{
		{"ClusterComputeResource", 10},
		{"HostSystem", 960},
		{"VirtualMachine", 10000},
		{"Datastore", 4},
	} {
		v, err := m.CreateContainerView(ctx, c.ServiceContent.RootFolder, []string{tc.kind}, true)
		if err != nil {
			t.Fatal(err)
		}
		refs, err := v.Find(ctx, []string{tc.kind}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(refs) != tc.want {
			t.Errorf("%s count = %d; want %d", tc.kind, len(refs), tc.want)
		}
	}
}
