package mo

import (
	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/vsphere/clusterspec"
)

// AdmissionControl maps dasConfig's admission control, for vsphere's
// reader and vsphere/sim's enforcement alike; names gives the
// failover hosts' names. An enabled control without a policy reads as
// vSphere's default, one host failure by cluster resource percentage.
func AdmissionControl(d types.ClusterDasConfigInfo, names func([]types.ManagedObjectReference) []string) clusterspec.AdmissionControl {
	if d.AdmissionControlEnabled != nil && !*d.AdmissionControlEnabled {
		return clusterspec.AdmissionControl{Mode: clusterspec.AdmissionDisabled}
	}
	switch p := d.AdmissionControlPolicy.(type) {
	case *types.ClusterFailoverLevelAdmissionControlPolicy:
		return clusterspec.AdmissionControl{Mode: clusterspec.AdmissionSlots, Failures: int(p.FailoverLevel)}
	case *types.ClusterFailoverResourcesAdmissionControlPolicy:
		if p.AutoComputePercentages != nil && *p.AutoComputePercentages {
			return clusterspec.AdmissionControl{Mode: clusterspec.AdmissionFailures, Failures: int(max(p.FailoverLevel, 1))}
		}
		return clusterspec.AdmissionControl{Mode: clusterspec.AdmissionPercent,
			CPUPercent: int(p.CpuFailoverResourcesPercent), MemoryPercent: int(p.MemoryFailoverResourcesPercent)}
	case *types.ClusterFailoverHostAdmissionControlPolicy:
		return clusterspec.AdmissionControl{Mode: clusterspec.AdmissionHosts, Hosts: names(p.FailoverHosts)}
	}
	return clusterspec.AdmissionControl{Mode: clusterspec.AdmissionFailures, Failures: 1}
}
