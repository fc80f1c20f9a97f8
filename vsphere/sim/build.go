package sim

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/units"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// How the inventory is built
//
// vcsim's own Model.Create adds every host and VM through a SOAP call and a
// task, and waits for each task with a PropertyCollector, which costs about
// 20 ms per VM (10,000 VMs take minutes). Even calling CreateVM_Task
// in-process still costs 1-2 ms per VM, mostly in creating the .vmx, .nvram,
// log and .vmdk files of each VM, and it leaves a Task and four events per
// VM behind.
//
// The builder therefore works on the registry directly, before the server
// listens, so no client can observe a half-built object and no
// PropertyCollector needs to be told (there is none yet):
//
//   - datacenters, clusters and datastore mounts use vcsim's own synchronous
//     entry points (Folder.CreateDatacenter, CreateClusterComputeResource,
//     HostDatastoreSystem.CreateLocalDatastore), which keep folders, the
//     datacenter's datastore and network lists and Datastore.host right;
//   - hosts are what simulator.NewHostSystem makes from the esx template
//     (the first one made by it, the others deep copies of it: see
//     prototypes.go), put into the cluster with Registry.PutEntity, as
//     vcsim's AddHost_Task does, but without a task;
//   - VMs are what simulator.NewVirtualMachine makes (the first one made
//     by it, the others deep copies of it: see prototypes.go), which
//     assigns the moref, the name, the UUIDs and the default devices,
//     creates the VM's directory on its datastore and puts the VM in the
//     datacenter's vm folder. The builder then sets what CreateVM_Task
//     would (sizes, guest, runtime.host, resourcePool,
//     datastore, network, a SCSI controller, disks and NICs) and the
//     back-references a real vCenter keeps: HostSystem.vm, Datastore.vm,
//     Network.vm and ResourcePool.vm;
//   - finally the roll-ups: host and VM quickStats, cluster summaries and
//     datastore capacity are computed from what was placed.
//
// Every preset goes through this one path, so small and demo exercise
// exactly what large does.

// builder holds the state of one build.
type builder struct {
	ctx  *simulator.Context
	spec Spec
	home string    // vcsim.home; datastore directories live below it
	now  time.Time // one clock reading, so boot times are consistent

	clusters []*clusterState // all clusters, in build order
	hosts    []*hostState    // all cluster hosts, in build order: VM placement order

	dsUsage map[types.ManagedObjectReference]*dsUsage

	// The build's first host and VM as vcsim's constructors made them,
	// before the build configured them: what every later one is copied
	// from (prototypes.go).
	hostProto *mo.HostSystem
	vmProto   *mo.VirtualMachine
	copies    <-chan vmCopy // VMs copied from vmProto, in build order
}

// dcState is a datacenter being built.
type dcState struct {
	dc     *simulator.Datacenter
	name   string
	vmNet  *mo.Network // "VM Network", which every host of the datacenter has
	shared []*simulator.Datastore
	hosts  []*hostState
}

// clusterState is a cluster being built.
type clusterState struct {
	cl    *simulator.ClusterComputeResource
	pool  *simulator.ResourcePool
	model hostModel
	ha    bool
	hosts []*hostState
	ds    []*simulator.Datastore // its own datastores (Spec.DatastoresPerCluster)
}

// hostState is a host being built, with the load of the VMs placed on it.
type hostState struct {
	hs      *simulator.HostSystem
	cluster *clusterState
	dc      *dcState
	load    vmLoad // of the VMs placed on it
}

// dsUsage accumulates what VMs store on a datastore.
type dsUsage struct {
	committed, uncommitted int64
}

// build creates the inventory of spec in the simulator model m, which must
// have been created empty and not be serving yet.
func build(ctx context.Context, m *simulator.Model, spec Spec) error {
	b, root, err := newBuilder(m, spec)
	if err != nil {
		return err
	}
	for d := range spec.datacenters() {
		dc, err := b.datacenter(root, d)
		if err != nil {
			return err
		}
		for c := range spec.Clusters {
			cs, err := b.cluster(dc, d*spec.Clusters+c, c < spec.HAClusters)
			if err != nil {
				return err
			}
			for h, hs := range b.newHostSystems(spec.HostsPerCluster) {
				b.host(dc, cs, hs, d*spec.Clusters+c, h)
			}
			for k := range spec.DatastoresPerCluster {
				ds, err := b.datastore(dc, clusterDatastoreName(d*spec.Clusters+c, k), cs.hosts)
				if err != nil {
					return err
				}
				cs.ds = append(cs.ds, ds)
			}
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("build simulator: %w", err)
			}
		}
		for i := range spec.Datastores {
			ds, err := b.datastore(dc, sharedDatastoreName(i), dc.hosts)
			if err != nil {
				return err
			}
			dc.shared = append(dc.shared, ds)
		}
	}

	var extras *firstClusterExtras
	if spec.FirstClusterExtras {
		if extras, err = b.firstClusterExtras(); err != nil {
			return err
		}
	}

	// The first VM is NewVirtualMachine's; the others are copies of it,
	// made ahead on a goroutine of their own (copyVMs), which has ended
	// when build returns: no directory is made once the caller may have
	// removed vcsim's.
	copying, stop := context.WithCancel(ctx)
	defer func() {
		stop()
		if b.copies != nil {
			for range b.copies { // until copyVMs closes it
			}
		}
	}()
	for i := range spec.VMs {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("build simulator: %d of %d VMs built: %w", i, spec.VMs, err)
			}
		}
		var extra *firstClusterExtras
		if i == 0 {
			extra = extras
		}
		if err := b.vm(i, extra); err != nil {
			return err
		}
		if i == 0 {
			b.copies = b.copyVMs(copying, 1)
		}
	}

	b.rollUp()
	return nil
}

// newBuilder returns a builder of spec in m, and m's root folder.
func newBuilder(m *simulator.Model, spec Spec) (*builder, *simulator.Folder, error) {
	b := &builder{
		ctx:     m.Service.Context,
		spec:    spec,
		now:     time.Now().Truncate(time.Second),
		dsUsage: make(map[types.ManagedObjectReference]*dsUsage),
	}
	var err error
	if b.home, err = vcsimHome(b.ctx); err != nil {
		return nil, nil, err
	}
	root, ok := b.ctx.Map.Get(m.ServiceContent.RootFolder).(*simulator.Folder)
	if !ok {
		return nil, nil, fmt.Errorf("build simulator: root folder %s not found", m.ServiceContent.RootFolder)
	}
	return b, root, nil
}

// vcsimHome returns the directory vcsim keeps its files in; Model.Create
// makes it and Model.Remove deletes it.
func vcsimHome(ctx *simulator.Context) (string, error) {
	for _, s := range ctx.Map.OptionManager().Setting {
		if o := s.GetOptionValue(); o.Key == "vcsim.home" {
			if dir, ok := o.Value.(string); ok && dir != "" {
				return dir, nil
			}
		}
	}
	return "", fmt.Errorf("build simulator: option vcsim.home not set; was the model created?")
}

// faultError turns a simulator fault into an error naming the operation.
func faultError(op string, f types.BaseMethodFault) error {
	return fmt.Errorf("%s: %w", op, soap.WrapVimFault(f))
}

// datacenter creates datacenter d with its four folders and "VM Network".
func (b *builder) datacenter(root *simulator.Folder, d int) (*dcState, error) {
	name := datacenterName(d)
	res := root.CreateDatacenter(b.ctx, &types.CreateDatacenter{This: root.Self, Name: name})
	if f := res.Fault(); f != nil {
		return nil, fmt.Errorf("create datacenter %s: %w", name, soap.WrapSoapFault(f))
	}
	ref := res.(*methods.CreateDatacenterBody).Res.Returnval
	dc, ok := b.ctx.Map.Get(ref).(*simulator.Datacenter)
	if !ok || len(dc.Network) == 0 {
		return nil, fmt.Errorf("create datacenter %s: no datacenter or default network in the registry", name)
	}
	vmNet, ok := b.ctx.Map.Get(dc.Network[0]).(*mo.Network)
	if !ok {
		return nil, fmt.Errorf("create datacenter %s: default network %s is not a standard portgroup", name, dc.Network[0])
	}
	return &dcState{dc: dc, name: name, vmNet: vmNet}, nil
}

// cluster creates the c-th cluster of the inventory, with HA and DRS on or
// both off.
func (b *builder) cluster(dc *dcState, c int, ha bool) (*clusterState, error) {
	name := clusterName(c)
	folder, ok := b.ctx.Map.Get(dc.dc.HostFolder).(*simulator.Folder)
	if !ok {
		return nil, fmt.Errorf("create cluster %s: host folder of %s not found", name, dc.name)
	}
	cl, fault := simulator.CreateClusterComputeResource(b.ctx, folder, name, types.ClusterConfigSpecEx{})
	if fault != nil {
		return nil, faultError("create cluster "+name, fault)
	}
	pool, ok := b.ctx.Map.Get(*cl.ResourcePool).(*simulator.ResourcePool)
	if !ok {
		return nil, fmt.Errorf("create cluster %s: root resource pool not found", name)
	}

	// CreateClusterComputeResource ignores its spec and turns DRS on, so
	// the configuration is set here, as a vCenter administrator would have.
	cfg := cl.ConfigurationEx.(*types.ClusterConfigInfoEx)
	cfg.DrsConfig = types.ClusterDrsConfigInfo{
		Enabled:                   types.NewBool(ha),
		EnableVmBehaviorOverrides: types.NewBool(true),
		DefaultVmBehavior:         types.DrsBehaviorFullyAutomated,
		VmotionRate:               3,
	}
	cfg.DasConfig = types.ClusterDasConfigInfo{
		Enabled:                 types.NewBool(ha),
		VmMonitoring:            string(types.ClusterDasConfigInfoVmMonitoringStateVmMonitoringDisabled),
		HostMonitoring:          string(types.ClusterDasConfigInfoServiceStateEnabled),
		VmComponentProtecting:   string(types.ClusterDasConfigInfoServiceStateDisabled),
		AdmissionControlEnabled: types.NewBool(ha),
		FailoverLevel:           1,
		DefaultVmSettings: &types.ClusterDasVmSettings{
			RestartPriority:   string(types.ClusterDasVmSettingsRestartPriorityMedium),
			IsolationResponse: string(types.ClusterDasVmSettingsIsolationResponseNone),
		},
		HBDatastoreCandidatePolicy: string(types.ClusterDasConfigInfoHBDatastoreCandidateAllFeasibleDsWithUserPreference),
	}
	if ha {
		// Reserve one host's share, as auto-computed percentages do.
		n := max(b.spec.HostsPerCluster, 1)
		pct := int32((100 + n - 1) / n)
		cfg.DasConfig.AdmissionControlPolicy = &types.ClusterFailoverResourcesAdmissionControlPolicy{
			AutoComputePercentages:         types.NewBool(true),
			FailoverLevel:                  1,
			CpuFailoverResourcesPercent:    pct,
			MemoryFailoverResourcesPercent: pct,
		}
	}

	s := &clusterState{cl: cl, pool: pool, model: hostModels[c%len(hostModels)], ha: ha}
	b.clusters = append(b.clusters, s)
	return s, nil
}

// host makes hs, fresh from NewHostSystem, host h of the c-th cluster of
// the inventory.
func (b *builder) host(dc *dcState, cs *clusterState, hs *simulator.HostSystem, c, h int) {
	// A fresh slice per host: hosts must never share a backing array.
	hs.Network = []types.ManagedObjectReference{dc.vmNet.Self}

	name := hostName(c, h, b.spec.HostsPerCluster)
	hs.Name = name
	hs.Summary.Config.Name = name
	hs.Runtime.ConnectionState = types.HostSystemConnectionStateConnected
	hs.Runtime.PowerState = types.HostSystemPowerStatePoweredOn
	boot := b.now.Add(-time.Duration(30+(c*7+h)%60) * 24 * time.Hour)
	hs.Runtime.BootTime = &boot

	// NewHostSystem gives each host its own copies of Summary.Hardware and
	// Hardware, so their value fields can be set per host.
	m := cs.model
	cores := m.sockets * m.coresPerSocket
	id := nameUUID(name)
	hw := hs.Summary.Hardware
	hw.Vendor, hw.Model, hw.CpuModel, hw.Uuid = m.vendor, m.model, m.cpuModel, id
	hw.CpuMhz = m.cpuMhz
	hw.NumCpuPkgs, hw.NumCpuCores, hw.NumCpuThreads = m.sockets, cores, 2*cores
	hw.MemorySize = m.memoryGiB * units.GB
	hs.Hardware.SystemInfo.Vendor, hs.Hardware.SystemInfo.Model, hs.Hardware.SystemInfo.Uuid = m.vendor, m.model, id
	hs.Hardware.CpuInfo = types.HostCpuInfo{
		NumCpuPackages: m.sockets,
		NumCpuCores:    cores,
		NumCpuThreads:  2 * cores,
		Hz:             int64(m.cpuMhz) * 1_000_000,
	}
	hs.Hardware.MemorySize = hw.MemorySize

	b.ctx.Map.PutEntity(cs.cl, b.ctx.Map.NewEntity(hs))
	hs.Summary.Host = &hs.Self
	hs.Config.Host = hs.Self
	cs.cl.Host = append(cs.cl.Host, hs.Self)
	dc.vmNet.Host = append(dc.vmNet.Host, hs.Self)

	s := &hostState{hs: hs, cluster: cs, dc: dc}
	cs.hosts = append(cs.hosts, s)
	dc.hosts = append(dc.hosts, s)
	b.hosts = append(b.hosts, s)
}

// datastore creates datastore name in dc and mounts it on hosts, the way
// "add datastore" on each host does.
func (b *builder) datastore(dc *dcState, name string, hosts []*hostState) (*simulator.Datastore, error) {
	if len(hosts) == 0 {
		return nil, fmt.Errorf("create datastore %s in %s: no hosts to mount it on", name, dc.name)
	}
	dir := filepath.Join(b.home, dc.name, name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create datastore %s: %w", name, err)
	}
	for _, h := range hosts {
		dss, ok := b.ctx.Map.Get(*h.hs.ConfigManager.DatastoreSystem).(*simulator.HostDatastoreSystem)
		if !ok {
			return nil, fmt.Errorf("mount datastore %s on %s: no datastore system", name, h.hs.Name)
		}
		res := dss.CreateLocalDatastore(b.ctx, &types.CreateLocalDatastore{Name: name, Path: dir})
		if f := res.Fault(); f != nil {
			return nil, fmt.Errorf("mount datastore %s on %s: %w", name, h.hs.Name, soap.WrapSoapFault(f))
		}
	}
	// Only the first mount returns the datastore's moref; later ones
	// return an unset one, so look it up by name.
	ds, ok := b.ctx.Map.FindByName(name, dc.dc.Datastore).(*simulator.Datastore)
	if !ok {
		return nil, fmt.Errorf("create datastore %s: not found in %s", name, dc.name)
	}
	ds.Summary.Type = string(types.HostFileSystemVolumeFileSystemTypeVMFS)
	ds.Summary.MultipleHostAccess = types.NewBool(len(hosts) > 1)
	b.dsUsage[ds.Self] = new(dsUsage)
	return ds, nil
}

// firstClusterExtras are the datastore and portgroup only the first
// cluster's hosts have.
type firstClusterExtras struct {
	ds  *simulator.Datastore
	net *mo.Network
}

// firstClusterExtras adds FirstClusterDatastore and FirstClusterNetwork to
// the hosts of the first cluster.
func (b *builder) firstClusterExtras() (*firstClusterExtras, error) {
	cs := b.clusters[0]
	dc := cs.hosts[0].dc
	ds, err := b.datastore(dc, FirstClusterDatastore, cs.hosts)
	if err != nil {
		return nil, err
	}

	// AddPortGroup creates the Network object in the datacenter, but only
	// once per datacenter (a second host gets DuplicateName), and it does
	// not link the network and the host. So the first host creates it and
	// every host, the first included, is linked here.
	spec := types.HostPortGroupSpec{Name: FirstClusterNetwork, VlanId: 20, VswitchName: "vSwitch0"}
	for i, h := range cs.hosts {
		ns, ok := b.ctx.Map.Get(*h.hs.ConfigManager.NetworkSystem).(*simulator.HostNetworkSystem)
		if !ok {
			return nil, fmt.Errorf("add portgroup %s to %s: no network system", spec.Name, h.hs.Name)
		}
		if i == 0 {
			if f := ns.AddPortGroup(b.ctx, &types.AddPortGroup{Portgrp: spec}).Fault(); f != nil {
				return nil, fmt.Errorf("add portgroup %s to %s: %w", spec.Name, h.hs.Name, soap.WrapSoapFault(f))
			}
		} else {
			ns.NetworkInfo.Vswitch[0].Portgroup = append(ns.NetworkInfo.Vswitch[0].Portgroup, spec.Name)
			ns.NetworkInfo.Portgroup = append(ns.NetworkInfo.Portgroup, types.HostPortGroup{
				Key:  "key-vim.host.PortGroup-" + spec.Name,
				Spec: spec,
			})
		}
	}
	net, ok := b.ctx.Map.FindByName(spec.Name, dc.dc.Network).(*mo.Network)
	if !ok {
		return nil, fmt.Errorf("add portgroup %s: network not found in %s", spec.Name, dc.name)
	}
	for _, h := range cs.hosts {
		h.hs.Network = append(h.hs.Network, net.Self)
		net.Host = append(net.Host, h.hs.Self)
	}
	// The cluster's network list aliases the datacenter's, so copy it.
	cs.cl.Network = append(slices.Clip(cs.cl.Network), net.Self)
	return &firstClusterExtras{ds: ds, net: net}, nil
}

// vmDisk and vmNIC describe what a VM is attached to.
type (
	vmDisk struct {
		ds         *simulator.Datastore
		capacityGB int64
	}
	vmNIC struct {
		net *mo.Network
	}
)

// vm creates VM i on its round-robin host; extra, if not nil, gives it a
// second disk and NIC on the first-cluster-only datastore and portgroup.
func (b *builder) vm(i int, extra *firstClusterExtras) error {
	h, ds := b.placement(i)
	dc := h.dc
	r := roles[i%len(roles)]
	name := vmName(i, b.spec.VMs)
	state := b.spec.vmState(i, len(b.hosts))

	vm, vmx, err := b.newVirtualMachine(dc, ds, name)
	if err != nil {
		return err
	}

	disks := []vmDisk{{ds, r.diskGB}}
	nics := []vmNIC{{dc.vmNet}}
	if extra != nil {
		disks = append(disks, vmDisk{extra.ds, 20})
		nics = append(nics, vmNIC{extra.net})
	}

	// What CreateVM_Task would apply from the spec.
	vm.Name = name
	vm.Config.Name = name
	vm.Config.GuestId = string(r.guestID)
	vm.Config.GuestFullName = r.guestName
	vm.Config.Files.VmPathName = vmx
	vm.Config.Hardware.NumCPU = r.numCPU
	vm.Config.Hardware.NumCoresPerSocket = types.NewInt32(min(r.numCPU, 4))
	vm.Config.Hardware.MemoryMB = r.memoryMB
	vm.Summary.Config.Name = name
	vm.Summary.Config.GuestId = vm.Config.GuestId
	vm.Summary.Config.GuestFullName = r.guestName
	vm.Summary.Config.VmPathName = vmx
	vm.Summary.Config.NumCpu = r.numCPU
	vm.Summary.Config.MemorySizeMB = r.memoryMB
	vm.Summary.Config.NumVirtualDisks = int32(len(disks))
	vm.Summary.Config.NumEthernetCards = int32(len(nics))

	vm.Runtime.Host = &h.hs.Self
	vm.EnvironmentBrowser = *h.cluster.cl.EnvironmentBrowser
	// A template belongs to no resource pool, as MarkAsTemplate leaves it.
	vm.Config.Template, vm.Summary.Config.Template = state.template, state.template
	if !state.template {
		vm.ResourcePool = h.cluster.cl.ResourcePool
		h.cluster.pool.Vm = append(h.cluster.pool.Vm, vm.Self)
	}

	b.attach(vm, i, state.power == types.VirtualMachinePowerStatePoweredOn, disks, nics)
	b.power(vm, i, state.power, h, r)
	b.snapshots(vm, i, disks[0])
	vm.Summary.Runtime = vm.Runtime

	// The back-references vCenter maintains and vcsim's CreateVM_Task
	// partly does (it never fills Network.vm).
	h.hs.Vm = append(h.hs.Vm, vm.Self)
	for _, ref := range vm.Datastore {
		ds := b.ctx.Map.Get(ref).(*simulator.Datastore)
		ds.Vm = append(ds.Vm, vm.Self)
	}
	for _, n := range nics {
		n.net.Vm = append(n.net.Vm, vm.Self)
	}
	return nil
}

// placement returns VM i's round-robin host, and the datastore of its
// home and first disk: of its cluster's own datastores if it has some,
// else of the shared ones; (i / hosts) rather than i alone, so that each
// host gets VMs on every datastore even when the counts share a factor.
// It only reads what the build set up before its VMs.
func (b *builder) placement(i int) (*hostState, *simulator.Datastore) {
	h := b.hosts[i%len(b.hosts)]
	stores := h.dc.shared
	if len(h.cluster.ds) > 0 {
		stores = h.cluster.ds
	}
	return h, stores[(i/len(b.hosts))%len(stores)]
}

// attach adds a paravirtual SCSI controller, disks and vmxnet3 NICs to VM i
// and sets what follows from them: datastore, network, storage usage and
// the guest's NICs.
func (b *builder) attach(vm *simulator.VirtualMachine, i int, on bool, disks []vmDisk, nics []vmNIC) {
	const (
		pciKey  = esx.VirtualMachineDefaultDevicePCIControllerKey
		scsiKey = int32(1000)
		diskKey = int32(2000)
		nicKey  = int32(4000)
	)
	devices := vm.Config.Hardware.Device
	var pci *types.VirtualPCIController
	for _, d := range devices {
		if c, ok := d.(*types.VirtualPCIController); ok && c.Key == pciKey {
			pci = c
		}
	}

	scsi := &types.ParaVirtualSCSIController{VirtualSCSIController: types.VirtualSCSIController{
		VirtualController: types.VirtualController{
			VirtualDevice: types.VirtualDevice{
				Key:           scsiKey,
				DeviceInfo:    &types.Description{Label: "SCSI controller 0", Summary: "VMware paravirtual SCSI"},
				ControllerKey: pciKey,
				UnitNumber:    types.NewInt32(3),
			},
		},
		SharedBus:          types.VirtualSCSISharingNoSharing,
		ScsiCtlrUnitNumber: 7,
	}}
	devices = append(devices, scsi)
	if pci != nil {
		pci.Device = append(pci.Device, scsiKey)
	}

	dir := vm.Name
	perDS := map[types.ManagedObjectReference]*types.VirtualMachineUsageOnDatastore{}
	addUsage := func(ds types.ManagedObjectReference, committed, uncommitted int64) {
		u, ok := perDS[ds]
		if !ok {
			u = &types.VirtualMachineUsageOnDatastore{Datastore: ds}
			perDS[ds] = u
			vm.Datastore = append(vm.Datastore, ds)
		}
		u.Committed += committed
		u.Uncommitted += uncommitted
		u.Unshared += committed
		b.dsUsage[ds].committed += committed
		b.dsUsage[ds].uncommitted += uncommitted
	}
	// The VM's home (.vmx, and the swap file when powered on) is on the
	// first disk's datastore.
	var swap int64
	if on {
		swap = int64(vm.Config.Hardware.MemoryMB) * units.MB
	}
	addUsage(disks[0].ds.Self, swap+2*units.MB, 0)

	for n, d := range disks {
		file := fmt.Sprintf("[%s] %s/%s.vmdk", d.ds.Name, dir, vm.Name)
		if n > 0 {
			file = fmt.Sprintf("[%s] %s/%s_%d.vmdk", d.ds.Name, dir, vm.Name, n)
		}
		capacity := d.capacityGB * units.GB
		committed := capacity * int64(percent(i, n, 25, 60)) / 100
		key := diskKey + int32(n)
		devices = append(devices, &types.VirtualDisk{
			VirtualDevice: types.VirtualDevice{
				Key: key,
				DeviceInfo: &types.Description{
					Label:   fmt.Sprintf("Hard disk %d", n+1),
					Summary: fmt.Sprintf("%d GB", d.capacityGB),
				},
				Backing: &types.VirtualDiskFlatVer2BackingInfo{
					VirtualDeviceFileBackingInfo: types.VirtualDeviceFileBackingInfo{
						FileName:  file,
						Datastore: &d.ds.Self,
					},
					DiskMode:        string(types.VirtualDiskModePersistent),
					ThinProvisioned: types.NewBool(true),
					Uuid:            nameUUID(file),
				},
				ControllerKey: scsiKey,
				UnitNumber:    types.NewInt32(int32(n)),
			},
			CapacityInKB:    capacity / units.KB,
			CapacityInBytes: capacity,
		})
		scsi.Device = append(scsi.Device, key)
		addUsage(d.ds.Self, committed, capacity-committed)
	}

	for n, c := range nics {
		key := nicKey + int32(n)
		mac := macAddress(i, n)
		devices = append(devices, &types.VirtualVmxnet3{VirtualVmxnet: types.VirtualVmxnet{
			VirtualEthernetCard: types.VirtualEthernetCard{
				VirtualDevice: types.VirtualDevice{
					Key:        key,
					DeviceInfo: &types.Description{Label: fmt.Sprintf("Network adapter %d", n+1), Summary: c.net.Name},
					Backing: &types.VirtualEthernetCardNetworkBackingInfo{
						VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: c.net.Name},
						Network:                        &c.net.Self,
					},
					Connectable: &types.VirtualDeviceConnectInfo{
						StartConnected:    true,
						AllowGuestControl: true,
						Connected:         on,
						Status:            "ok",
					},
					ControllerKey: pciKey,
					UnitNumber:    types.NewInt32(7 + int32(n)),
				},
				AddressType:      string(types.VirtualEthernetCardMacTypeAssigned),
				MacAddress:       mac,
				WakeOnLanEnabled: types.NewBool(true),
			},
		}})
		if pci != nil {
			pci.Device = append(pci.Device, key)
		}
		vm.Network = append(vm.Network, c.net.Self)
		nic := types.GuestNicInfo{Network: c.net.Name, MacAddress: mac, Connected: on, DeviceConfigId: key}
		if on && n == 0 {
			nic.IpAddress = []string{guestIP(i)}
		}
		vm.Guest.Net = append(vm.Guest.Net, nic)
	}
	vm.Config.Hardware.Device = devices

	var total types.VirtualMachineStorageSummary
	vm.Storage.PerDatastoreUsage = nil
	for _, ref := range vm.Datastore {
		u := perDS[ref]
		vm.Storage.PerDatastoreUsage = append(vm.Storage.PerDatastoreUsage, *u)
		total.Committed += u.Committed
		total.Uncommitted += u.Uncommitted
		total.Unshared += u.Unshared
	}
	total.Timestamp = b.now
	vm.Storage.Timestamp = b.now
	vm.Summary.Storage = &total
}

// power sets VM i's power state, guest info and quick stats, and adds its
// load to its host.
func (b *builder) power(vm *simulator.VirtualMachine, i int, state types.VirtualMachinePowerState, h *hostState, r role) {
	mhz := h.cluster.model.cpuMhz
	vm.Runtime.PowerState = state
	vm.Runtime.MaxCpuUsage = r.numCPU * mhz
	vm.Runtime.MaxMemoryUsage = r.memoryMB

	g := vm.Guest
	g.GuestId = string(r.guestID)
	g.GuestFullName = r.guestName
	g.GuestFamily = string(types.VirtualMachineGuestOsFamilyLinuxGuest)
	if r.guestID == types.VirtualMachineGuestOsIdentifierWindows2019srv_64Guest {
		g.GuestFamily = string(types.VirtualMachineGuestOsFamilyWindowsGuest)
	}
	g.ToolsVersion = "12389"
	g.ToolsVersionStatus2 = string(types.VirtualMachineToolsVersionStatusGuestToolsCurrent)
	g.ToolsStatus = types.VirtualMachineToolsStatusToolsNotRunning
	g.ToolsRunningStatus = string(types.VirtualMachineToolsRunningStatusGuestToolsNotRunning)
	g.GuestState = string(types.VirtualMachineGuestStateNotRunning)

	qs := &vm.Summary.QuickStats
	*qs = stoppedStats() // until it turns out to run

	switch state {
	case types.VirtualMachinePowerStatePoweredOn:
		uptime := int32(3600 * percent(i, 4, 1, 24*60)) // 1 hour to 60 days
		boot := b.now.Add(-time.Duration(uptime) * time.Second)
		vm.Runtime.BootTime = &boot

		g.ToolsStatus = types.VirtualMachineToolsStatusToolsOk
		g.ToolsRunningStatus = string(types.VirtualMachineToolsRunningStatusGuestToolsRunning)
		g.GuestState = string(types.VirtualMachineGuestStateRunning)
		g.HostName = vm.Name
		g.IpAddress = guestIP(i)

		cpu := vm.Runtime.MaxCpuUsage * int32(percent(i, 1, 2, 45)) / 100
		guestMem := r.memoryMB * int32(percent(i, 2, 10, 70)) / 100
		// The host backs what the guest touched plus some of the rest.
		hostMem := guestMem + (r.memoryMB-guestMem)*int32(percent(i, 3, 20, 60))/100
		overhead := 30 + r.memoryMB/100
		*qs = types.VirtualMachineQuickStats{
			OverallCpuUsage:         cpu,
			OverallCpuDemand:        cpu + cpu/20,
			GuestMemoryUsage:        guestMem,
			HostMemoryUsage:         hostMem + overhead,
			PrivateMemory:           hostMem,
			SharedMemory:            (r.memoryMB - hostMem) / 10,
			ConsumedOverheadMemory:  overhead,
			StaticCpuEntitlement:    vm.Runtime.MaxCpuUsage,
			StaticMemoryEntitlement: r.memoryMB + overhead,
			GuestHeartbeatStatus:    types.ManagedEntityStatusGreen,
			UptimeSeconds:           uptime,
		}
	case types.VirtualMachinePowerStateSuspended:
		suspended := b.now.Add(-time.Duration(percent(i, 5, 1, 30)) * 24 * time.Hour)
		vm.Runtime.SuspendTime = &suspended
	}
	h.load.add(state, *qs)

	s := vm.Summary.Guest
	s.GuestId, s.GuestFullName = g.GuestId, g.GuestFullName
	s.ToolsStatus, s.ToolsVersionStatus2, s.ToolsRunningStatus = g.ToolsStatus, g.ToolsVersionStatus2, g.ToolsRunningStatus
	s.HostName, s.IpAddress = g.HostName, g.IpAddress
}

// rollUp derives host quick stats, cluster summaries and datastore
// capacity from the VMs placed, as the simulator's roll-up keeps them
// afterwards (rollup.go).
func (b *builder) rollUp() {
	for _, h := range b.hosts {
		h.hs.Summary.QuickStats = hostQuickStats(types.HostListSummaryQuickStats{
			DistributedCpuFairness:    1000,
			DistributedMemoryFairness: 1000,
			Uptime:                    int32(b.now.Sub(*h.hs.Runtime.BootTime).Seconds()),
		}, h.hs.Summary.Hardware, h.load, hostConnected(&h.hs.HostSystem))
	}

	for _, cs := range b.clusters {
		sum := types.ClusterComputeResourceSummary{UsageSummary: &types.ClusterUsageSummary{StatsGenNumber: 1}}
		sum.OverallStatus = types.ManagedEntityStatusGreen
		if cs.ha {
			sum.CurrentFailoverLevel = 1
			// What is not used by powered-on VMs is available for failover.
			sum.AdmissionControlInfo = &types.ClusterFailoverResourcesAdmissionControlInfo{}
		}
		hosts := make([]clusterHost, 0, len(cs.hosts))
		for _, h := range cs.hosts {
			hosts = append(hosts, hostInCluster(&h.hs.HostSystem, h.load))
		}
		sum = summarize(sum, hosts)
		cs.cl.Summary = &sum
	}

	for ref, u := range b.dsUsage {
		ds := b.ctx.Map.Get(ref).(*simulator.Datastore)
		// At most half used: twice what is committed, rounded up to
		// whole TiB, and never under 2 TiB.
		capacity := max(2*units.TB, (2*u.committed+units.TB-1)/units.TB*units.TB)
		ds.Summary.Capacity = capacity
		ds.Summary.FreeSpace = capacity - u.committed
		ds.Summary.Uncommitted = u.uncommitted
		info := ds.Info.GetDatastoreInfo()
		info.FreeSpace = ds.Summary.FreeSpace
		info.MaxFileSize = 62 * units.TB
		info.MaxVirtualDiskCapacity = 62 * units.TB
		info.Timestamp = &b.now
	}
}
