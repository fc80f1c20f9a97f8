package sim

import (
	"errors"
	"slices"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/ha/admission"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// HA admission control
//
// vcsim has none. vtui's simulator enforces it as vCenter does, with the
// computation vtui's capacity what-if and drill preflight use
// (ha/admission, whose doc says how each policy counts), on the
// configuration the simulator keeps (clusterconfig.go):
//
//   - PowerOnVM_Task of a VM of a cluster with HA and admission control
//     enabled returns a task that fails with
//     InsufficientFailoverResourcesFault when the power-on would break the
//     reservation, or the VM's host is a dedicated failover host.
//   - RelocateVM_Task of a powered-on VM fails so when it comes into the
//     cluster from another one past the reservation, or moves onto a
//     dedicated failover host; CheckRelocate_Task reports it.
//   - DRS never places a VM on a dedicated failover host, and
//     EnterMaintenanceMode_Task fails so when the host's leaving would
//     break the reservation, whether DRS or someone else moves its VMs,
//     or it runs none.
//   - HA's restarts after a failure bypass it all: the capacity was
//     reserved for them.
//   - The cluster's summary carries currentFailoverLevel and the
//     admissionControlInfo of the policy's kind, kept current by the
//     roll-up (rollup.go).

// reservation is an allocation's reservation, 0 when unset.
func reservation(a *types.ResourceAllocationInfo) int64 {
	if a == nil || a.Reservation == nil {
		return 0
	}
	return *a.Reservation
}

// admission is the cluster as admission control sees it.
func (v *clusterView) admission() admission.Cluster {
	c := v.admissionPolicy()
	for _, h := range v.hosts {
		c.Hosts = append(c.Hosts, admission.Host{Name: h.name, CPUMHz: h.cpuMHz, MemoryMB: h.memMB, Usable: h.usable})
	}
	for _, vm := range sortedVMs(v.vms) {
		if vm.on {
			c.On = append(c.On, v.admitted(vm, v.host(vm.host)))
		}
	}
	return c
}

// names returns the names of hosts, their morefs for hosts not of the
// cluster.
func (v *clusterView) names(hosts []types.ManagedObjectReference) []string {
	out := make([]string, len(hosts))
	for i, ref := range hosts {
		out[i] = ref.Value
		if h := v.host(ref); h != nil {
			out[i] = h.name
		}
	}
	return out
}

// admitted is vm running on h, for admission control.
func (v *clusterView) admitted(vm *viewVM, h *viewHost) admission.VM {
	return admission.VM{Name: vm.name, Host: h.name, CPUMHz: vm.cpuResMHz, MemoryMB: vm.memResMB}
}

// admissionPolicy is the cluster as admission control sees it, without
// its hosts and VMs.
func (v *clusterView) admissionPolicy() admission.Cluster {
	c := admission.Cluster{Name: v.name}
	if v.cfg != nil {
		c.HA = v.cfg.DasConfig.Enabled != nil && *v.cfg.DasConfig.Enabled
		c.Policy = mo.AdmissionControl(v.cfg.DasConfig, v.names)
	}
	return c
}

// failoverHost reports whether admission control keeps h free as a
// dedicated failover host, so that nothing but HA may place a VM on it.
func (v *clusterView) failoverHost(h *viewHost) bool {
	return v.admissionPolicy().Migrate(admission.VM{Host: h.name}) != nil
}

// admissionFault is the fault vCenter gives for what admission control
// refuses, with vCenter's message and, after it, why.
func admissionFault(err error) *types.LocalizedMethodFault {
	why := err.Error()
	if r, ok := errors.AsType[*admission.Refusal](err); ok {
		why = r.Cluster + ": " + r.Reason
	}
	return failure(&types.InsufficientFailoverResourcesFault{},
		"Insufficient resources to satisfy configured failover level for vSphere HA on %s", why)
}

// clusterViewOf reads the cluster of host, or nil for a standalone host.
func clusterViewOf(ctx *simulator.Context, host types.ManagedObjectReference) *clusterView {
	if cl, ok := ctx.Map.Get(parentOf(ctx, host)).(*simulator.ClusterComputeResource); ok {
		return readCluster(ctx, cl)
	}
	return nil
}

// admitPowerOn returns the fault admission control refuses powering vm on
// with, or nil. The caller holds no lock.
func admitPowerOn(ctx *simulator.Context, vm *simulator.VirtualMachine) *types.LocalizedMethodFault {
	var host types.ManagedObjectReference
	var on bool
	ctx.WithLock(vm, func() {
		on = vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn
		if vm.Runtime.Host != nil {
			host = *vm.Runtime.Host
		}
	})
	v := clusterViewOf(ctx, host)
	if on || v == nil || v.vms[vm.Self] == nil {
		return nil // vcsim answers a VM already on; a standalone host has no HA
	}
	if err := v.admission().PowerOn(v.admitted(v.vms[vm.Self], v.host(host))); err != nil {
		return admissionFault(err)
	}
	return nil
}

// admitMove returns the fault admission control refuses moving vm from
// one placement to another with, or nil: a powered-on VM coming into a
// cluster counts against its reservation, and one moving within it may
// not go to a dedicated failover host. The caller holds no lock.
func admitMove(ctx *simulator.Context, vm *simulator.VirtualMachine, from, to placement) *types.LocalizedMethodFault {
	if from.host == to.host {
		return nil
	}
	v := clusterViewOf(ctx, to.host)
	if v == nil {
		return nil
	}
	var x *viewVM
	if x = v.vms[vm.Self]; x == nil { // from another cluster
		x = &viewVM{ref: vm.Self}
		ctx.WithLock(vm, func() {
			x.name, x.on = vm.Name, vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn
			if vm.Config != nil {
				x.cpuResMHz, x.memResMB = reservation(vm.Config.CpuAllocation), reservation(vm.Config.MemoryAllocation)
			}
		})
	}
	h := v.host(to.host)
	if !x.on || h == nil {
		return nil
	}
	a := v.admission()
	check := a.PowerOn
	if v.vms[vm.Self] != nil {
		check = a.Migrate
	}
	if err := check(v.admitted(x, h)); err != nil {
		return admissionFault(err)
	}
	return nil
}

// PowerOnVMTask powers a VM on as vcsim does, unless HA admission control
// refuses: then, as on vCenter, the task fails with
// InsufficientFailoverResourcesFault. Power-ons are admitted one at a
// time, so that two cannot both take the last capacity.
func (vc *vcenter) PowerOnVMTask(ctx *simulator.Context, req *types.PowerOnVM_Task) soap.HasFault {
	body := new(methods.PowerOnVM_TaskBody)
	vm, f := vmOf(ctx, req.This)
	if f != nil {
		body.Fault_ = f
		return body
	}
	vc.admitting.Lock()
	defer vc.admitting.Unlock()
	if lf := admitPowerOn(detach(ctx), vm); lf != nil {
		task := vc.runTask(ctx, vm, nameOf(ctx, vm.Self), "powerOn", func(*simulator.Context) (types.AnyType, *types.LocalizedMethodFault) {
			return nil, lf
		})
		body.Res = &types.PowerOnVM_TaskResponse{Returnval: task}
		return body
	}
	// vcsim's task holds the VM's lock until the VM is on, so the next
	// power-on's check sees it.
	var res soap.HasFault
	ctx.WithLock(vm, func() { res = vm.PowerOnVMTask(ctx, req) })
	return res
}

// admissionView reads cl for admissionSummary: whole only when HA and
// admission control are enabled, since otherwise there is nothing to
// report. The caller holds no lock.
func admissionView(ctx *simulator.Context, cl *simulator.ClusterComputeResource) *clusterView {
	v := &clusterView{ref: cl.Self}
	ctx.WithLock(cl, func() {
		v.name = cl.Name
		v.cfg, _ = cl.ConfigurationEx.(*types.ClusterConfigInfoEx)
	})
	if v.admissionPolicy().Enforced() {
		return readCluster(ctx, cl)
	}
	return v
}

// admissionSummary sets the summary's currentFailoverLevel and
// admissionControlInfo from what admission control reports of v, the
// cluster's view; both are empty unless HA and admission control are
// enabled.
func admissionSummary(s *types.ClusterComputeResourceSummary, v *clusterView) {
	s.CurrentFailoverLevel, s.AdmissionControlInfo = 0, nil
	st := v.admission().State()
	if !st.Enforced {
		return
	}
	s.CurrentFailoverLevel = int32(st.Level)
	switch v.cfg.DasConfig.AdmissionControlPolicy.(type) {
	case *types.ClusterFailoverLevelAdmissionControlPolicy:
		s.AdmissionControlInfo = &types.ClusterFailoverLevelAdmissionControlInfo{CurrentFailoverLevel: int32(st.Level)}
	case *types.ClusterFailoverHostAdmissionControlPolicy:
		info := &types.ClusterFailoverHostAdmissionControlInfo{}
		for _, fh := range st.FailoverHosts {
			status := types.ManagedEntityStatusRed
			switch {
			case fh.Usable && fh.VMs == 0:
				status = types.ManagedEntityStatusGreen
			case fh.Usable:
				status = types.ManagedEntityStatusYellow
			}
			if i := slices.IndexFunc(v.hosts, func(h *viewHost) bool { return h.name == fh.Name }); i >= 0 {
				info.HostStatus = append(info.HostStatus, types.ClusterFailoverHostAdmissionControlInfoHostStatus{Host: v.hosts[i].ref, Status: status})
			}
		}
		s.AdmissionControlInfo = info
	default:
		s.AdmissionControlInfo = &types.ClusterFailoverResourcesAdmissionControlInfo{
			CurrentCpuFailoverResourcesPercent:    int32(st.CPUPercent),
			CurrentMemoryFailoverResourcesPercent: int32(st.MemoryPercent),
		}
	}
}
