package vsphere

import (
	"context"
	"testing"

	"github.com/vmware/govmomi/view"
	vimmo "github.com/vmware/govmomi/vim25/mo"
)

func TestInventoryCountsOnSmallPreset(t *testing.T) {
	c, _ := connectSim(t, "small")
	inv, err := c.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{
		"datacenters": len(inv.Datacenters), "clusters": len(inv.Clusters), "hosts": len(inv.Hosts),
		"vms": len(inv.VMs), "datastores": len(inv.Datastores),
	}
	want := map[string]int{"datacenters": 1, "clusters": 2, "hosts": 6, "vms": 12, "datastores": 3}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %d; want %d", k, got[k], w)
		}
	}
	for _, cl := range inv.Clusters {
		if cl.HostCount != 3 || cl.Datacenter != "dc-01" {
			t.Errorf("cluster %s: hosts %d, datacenter %q; want 3 and dc-01", cl.Name, cl.HostCount, cl.Datacenter)
		}
		if cl.CPUMHz == 0 || cl.MemoryMB == 0 {
			t.Errorf("cluster %s: capacity %d MHz, %d MB; want both non-zero", cl.Name, cl.CPUMHz, cl.MemoryMB)
		}
	}
	if a, b := inv.Clusters[0], inv.Clusters[1]; !a.HAEnabled || !a.DRSEnabled || b.HAEnabled {
		t.Errorf("HA/DRS: %s ha=%v drs=%v, %s ha=%v; want HA and DRS on cluster-a only", a.Name, a.HAEnabled, a.DRSEnabled, b.Name, b.HAEnabled)
	}
	vmsOnHosts := 0
	for _, h := range inv.Hosts {
		vmsOnHosts += h.VMCount
		if h.ConnectionState != "connected" || h.PowerState != "poweredOn" || h.CPUMHz == 0 || h.MemoryMB == 0 {
			t.Errorf("host %s = %+v; want connected, powered on, with capacity", h.Name, h)
		}
	}
	if vmsOnHosts != len(inv.VMs) {
		t.Errorf("sum of host VM counts = %d; want %d", vmsOnHosts, len(inv.VMs))
	}
}

// TestInventoryPlacementMatchesServer checks every VM's host and cluster
// against govmomi's own decoding of the same server.
func TestInventoryPlacementMatchesServer(t *testing.T) {
	ctx := context.Background()
	c, _ := connectSim(t, "demo")
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m := view.NewManager(c.vim)
	v, err := m.CreateContainerView(ctx, c.vim.ServiceContent.RootFolder, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	var vms []vimmo.VirtualMachine
	var hosts []vimmo.HostSystem
	var clusters []vimmo.ClusterComputeResource
	if err := v.Retrieve(ctx, []string{"VirtualMachine"}, []string{"name", "runtime.host", "runtime.powerState"}, &vms); err != nil {
		t.Fatal(err)
	}
	if err := v.Retrieve(ctx, []string{"HostSystem"}, []string{"name", "parent"}, &hosts); err != nil {
		t.Fatal(err)
	}
	if err := v.Retrieve(ctx, []string{"ClusterComputeResource"}, []string{"name"}, &clusters); err != nil {
		t.Fatal(err)
	}
	hostName, hostCluster, clusterName := map[string]string{}, map[string]string{}, map[string]string{}
	for _, cl := range clusters {
		clusterName[cl.Self.Value] = cl.Name
	}
	for _, h := range hosts {
		hostName[h.Self.Value] = h.Name
		hostCluster[h.Self.Value] = clusterName[h.Parent.Value]
	}
	want := map[string]VM{}
	for _, vm := range vms {
		want[vm.Name] = VM{Host: hostName[vm.Runtime.Host.Value], Cluster: hostCluster[vm.Runtime.Host.Value], PowerState: string(vm.Runtime.PowerState)}
	}
	if len(inv.VMs) != len(want) || len(want) != 60 {
		t.Fatalf("VMs = %d; server has %d; want 60", len(inv.VMs), len(want))
	}
	for _, vm := range inv.VMs {
		w := want[vm.Name]
		if vm.Host != w.Host || vm.Cluster != w.Cluster || vm.PowerState != w.PowerState || vm.Host == "" || vm.Cluster == "" {
			t.Errorf("VM %s: host %q cluster %q power %q; want %q %q %q", vm.Name, vm.Host, vm.Cluster, vm.PowerState, w.Host, w.Cluster, w.PowerState)
		}
	}
}

func TestInventoryVMFields(t *testing.T) {
	c, _ := connectSim(t, "small")
	inv, err := c.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var web *VM
	for i := range inv.VMs {
		if inv.VMs[i].Name == "web-01" {
			web = &inv.VMs[i]
		}
	}
	if web == nil {
		t.Fatal("web-01 not in the inventory")
	}
	if web.PowerState != "poweredOn" || web.NumCPU == 0 || web.MemoryMB == 0 || web.InstanceUUID == "" ||
		web.IPAddress == "" || web.ToolsStatus == "" || web.Host != "esx-a-01.lab.local" || web.Cluster != "cluster-a" {
		t.Errorf("web-01 = %+v; want powered on on esx-a-01.lab.local in cluster-a with CPU, memory, UUID, IP, tools", *web)
	}
	if len(web.Datastores) != 2 || len(web.Networks) != 2 {
		t.Errorf("web-01 datastores %v networks %v; want 2 of each (shared + cluster-a only)", web.Datastores, web.Networks)
	}
}

// TestInventoryRoundTrips pins the cost model: the first load creates one
// view per kind and sends its requests at once; later loads reuse the
// views.
func TestInventoryRoundTrips(t *testing.T) {
	c, _ := connectSim(t, "small")
	ctx := context.Background()
	requests := int64(len(requests(Everything())))
	if requests > int64(len(kinds))+2 {
		t.Errorf("a whole load takes %d requests; want one per kind and one more for each of VMs and hosts", requests)
	}
	for i, want := range []int64{int64(len(kinds)) + requests, requests} {
		before := c.RoundTrips()
		if _, err := c.Inventory(ctx); err != nil {
			t.Fatal(err)
		}
		if got := c.RoundTrips() - before; got != want {
			t.Errorf("load %d: %d round trips; want %d", i+1, got, want)
		}
	}
}
