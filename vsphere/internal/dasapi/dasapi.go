// Package dasapi reads vSphere HA's API into vtui's model where both
// vtui's client (package vsphere) and its simulator (vsphere/sim) need
// it, so that the simulator enforces the configuration the client reads.
package dasapi

import (
	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/ha/clusterspec"
)

// AdmissionControl maps dasConfig's admission control; names gives the
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
