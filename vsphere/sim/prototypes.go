package sim

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/google/uuid"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// Prototypes
//
// vcsim's constructors deep-copy their templates through XML for every
// object: simulator.NewHostSystem the ESX host's config, and
// simulator.NewVirtualMachine the default devices of a VM (then it
// configures them one by one). At 2,496 hosts and 45,000 VMs that was
// most of a build's CPU, counting the collection of the garbage the
// copies left. So the
// build makes its first host and its first VM with vcsim's constructor,
// keeps a deep copy of each as the constructor returned it, the
// prototype, and makes every later one as a reflective deep copy of the
// prototype (clone.go) with what the constructor sets per object set
// again. A copy shares no memory with the prototype or with another copy.

// newHostSystems returns n new hosts, each as simulator.NewHostSystem
// makes it from the ESX template, on every CPU: the build's first host is
// NewHostSystem's own, every later one a copy of it (copyHostSystem). It
// is safe to run concurrently: the copies only read the prototype, and
// registering their config managers takes the registry's own lock; the
// hosts themselves are registered later, by host, one at a time.
func (b *builder) newHostSystems(n int) []*simulator.HostSystem {
	out := make([]*simulator.HostSystem, n)
	first := 0
	if b.hostProto == nil && n > 0 {
		out[0] = simulator.NewHostSystem(b.ctx, esx.HostSystem)
		proto := clone(out[0].HostSystem).(mo.HostSystem)
		b.hostProto = &proto
		first = 1
	}
	var next atomic.Int64
	next.Store(int64(first))
	var wg sync.WaitGroup
	for range min(n-first, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				out[i] = copyHostSystem(b.ctx, b.hostProto)
			}
		})
	}
	wg.Wait()
	return out
}

// copyHostSystem returns a host equal to proto, a host fresh from
// simulator.NewHostSystem, that shares no memory with it: its own deep copy
// of every property (where NewHostSystem would share the template's
// hardware, capability and runtime details between hosts), summary.runtime
// pointing at its own runtime, and its own config managers, registered as
// NewHostSystem registers them.
func copyHostSystem(ctx *simulator.Context, proto *mo.HostSystem) *simulator.HostSystem {
	hs := &simulator.HostSystem{HostSystem: clone(*proto).(mo.HostSystem)}
	hs.Summary.Runtime = &hs.Runtime
	h, cm := &hs.HostSystem, &hs.ConfigManager
	for _, c := range []struct {
		ref **types.ManagedObjectReference
		obj mo.Reference
	}{
		{&cm.DatastoreSystem, &simulator.HostDatastoreSystem{Host: h}},
		{&cm.NetworkSystem, simulator.NewHostNetworkSystem(h)},
		{&cm.VirtualNicManager, simulator.NewHostVirtualNicManager(h)},
		{&cm.AdvancedOption, simulator.NewOptionManager(nil, nil, &hs.Config.Option)},
		{&cm.FirewallSystem, simulator.NewHostFirewallSystem(h)},
		{&cm.StorageSystem, simulator.NewHostStorageSystem(h)},
		{&cm.CertificateManager, simulator.NewHostCertificateManager(ctx, h)},
	} {
		ref := ctx.Map.Put(c.obj).Reference()
		*c.ref = &ref
	}
	return hs
}

// newVirtualMachine returns a new VM, with its home directory name on
// ds, in dc's vm folder, as simulator.NewVirtualMachine makes it from a
// spec with only the name and "[ds]", and the path of its .vmx file. Like
// NewVirtualMachine's, the VM has no name and no .vmx path yet. The
// build's first VM is NewVirtualMachine's own, every later one a copy of
// it from b.copies (copyVMs), which this registers as NewVirtualMachine
// would: its moref, summary.vm, its place in the vm folder.
func (b *builder) newVirtualMachine(dc *dcState, ds *simulator.Datastore, name string) (*simulator.VirtualMachine, string, error) {
	if b.vmProto == nil {
		spec := &types.VirtualMachineConfigSpec{
			Name:  name,
			Files: &types.VirtualMachineFileInfo{VmPathName: "[" + ds.Name + "]"},
		}
		vm, fault := simulator.NewVirtualMachine(b.ctx, dc.dc.VmFolder, spec)
		if fault != nil {
			return nil, "", faultError("create VM "+name, fault)
		}
		proto := clone(vm.VirtualMachine).(mo.VirtualMachine)
		b.vmProto = &proto
		return vm, spec.Files.VmPathName, nil
	}

	c, ok := <-b.copies
	switch {
	case !ok:
		return nil, "", fmt.Errorf("create VM %s: no copy made: the build was cancelled", name)
	case c.err != nil:
		return nil, "", fmt.Errorf("create VM %s: %w", name, c.err)
	case c.name != name:
		return nil, "", fmt.Errorf("create VM %s: the copy made is %s's", name, c.name)
	}
	vm := c.vm
	b.ctx.Map.NewEntity(vm)
	vm.Summary.Vm = &vm.Self
	folder, ok := b.ctx.Map.Get(dc.dc.VmFolder).(*simulator.Folder)
	if !ok {
		return nil, "", fmt.Errorf("create VM %s: vm folder of %s not found", name, dc.name)
	}
	folder.ChildEntity = append(folder.ChildEntity, vm.Self)
	b.ctx.Map.PutEntity(folder, vm)
	vm.AvailableField = simulator.GetCustomFieldsAvailable(b.ctx, &vm.Self)
	return vm, c.vmx, nil
}

// vmCopy is a VM copied from the prototype, not registered yet, or why it
// could not be made.
type vmCopy struct {
	name, vmx string
	vm        *simulator.VirtualMachine
	err       error
}

// copyVMs returns the copies of the prototype VM for VMs from, from+1,
// ... of the build (copyVirtualMachine), made on a goroutine of their own
// until all are made or ctx ends: a copy (a deep copy of the prototype, a
// directory on disk) needs nothing of other VMs, so making them overlaps
// the rest of the build.
func (b *builder) copyVMs(ctx context.Context, from int) <-chan vmCopy {
	out := make(chan vmCopy, 256)
	go func() {
		defer close(out)
		for i := from; i < b.spec.VMs; i++ {
			_, ds := b.placement(i)
			c := copyVirtualMachine(b.vmProto, ds, vmName(i, b.spec.VMs))
			select {
			case out <- c:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// copyVirtualMachine returns a copy of proto for a VM named name with its
// home on ds: equal to proto but for what NewVirtualMachine derives from
// the name and datastore or sets per VM: the directories, the UUIDs, the
// creation and modification times. It makes the VM's directory, as
// NewVirtualMachine does.
func copyVirtualMachine(proto *mo.VirtualMachine, ds *simulator.Datastore, name string) vmCopy {
	if err := os.Mkdir(path.Join(ds.Summary.Url, name), 0o700); err != nil {
		return vmCopy{name: name, err: err}
	}
	dir := "[" + ds.Name + "] " + name
	vmx := dir + "/" + name + ".vmx"
	uid := vcsimOID(vmx)

	vm := &simulator.VirtualMachine{VirtualMachine: clone(*proto).(mo.VirtualMachine), DataSets: map[string]*simulator.DataSet{}}
	if err := setUID(vm, uid); err != nil {
		return vmCopy{name: name, err: err}
	}
	c, s := vm.Config, &vm.Summary.Config
	c.Uuid, s.Uuid = uid.String(), uid.String()
	c.InstanceUuid = vcsimOID(strings.ToUpper(vmx)).String()
	s.InstanceUuid = c.InstanceUuid
	c.Files.SnapshotDirectory, c.Files.SuspendDirectory, c.Files.LogDirectory = dir, dir, dir
	now := time.Now()
	c.CreateDate, c.Modified, c.ChangeVersion = &now, now, strconv.FormatInt(now.UnixNano(), 10)
	vm.LayoutEx.Timestamp, vm.Storage.Timestamp, vm.Summary.Storage.Timestamp = now, now, now
	return vmCopy{name: name, vmx: vmx, vm: vm}
}

// vcsimOID is the name-based UUID vcsim derives VM UUIDs from
// (govmomi's internal.OID).
func vcsimOID(s string) uuid.UUID {
	return uuid.NewHash(sha256.New(), uuid.NameSpaceOID, []byte(s), 5)
}

// setUID sets vm's unexported uid, which NewVirtualMachine derives from
// the .vmx path and vcsim's esxcli reports (vm process list's UUID and
// WorldID): a copy would otherwise keep the prototype's. It fails if
// simulator.VirtualMachine no longer has such a field of its own (one
// promoted from an embedded struct has an offset within that struct,
// not within VirtualMachine, so writing at it would corrupt another
// field).
func setUID(vm *simulator.VirtualMachine, uid uuid.UUID) error {
	f, ok := reflect.TypeFor[simulator.VirtualMachine]().FieldByName("uid")
	if !ok || len(f.Index) != 1 || f.Type != reflect.TypeFor[uuid.UUID]() {
		return fmt.Errorf("simulator.VirtualMachine has no uid of type uuid.UUID of its own: see copyVirtualMachine")
	}
	*(*uuid.UUID)(unsafe.Add(unsafe.Pointer(vm), f.Offset)) = uid
	return nil
}
