package mo

import (
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere/clusterspec"
)

// VMMonitoringAPI holds the VM monitoring levels in the API, by the model's name.
var VMMonitoringAPI = map[clusterspec.VMMonitoring]string{
	clusterspec.VMMonitoringOff: string(types.ClusterDasConfigInfoVmMonitoringStateVmMonitoringDisabled),
	clusterspec.VMMonitoringVM:  string(types.ClusterDasConfigInfoVmMonitoringStateVmMonitoringOnly),
	clusterspec.VMMonitoringApp: string(types.ClusterDasConfigInfoVmMonitoringStateVmAndAppMonitoring),
}

// AutomationAPI holds the DRS automation levels in the API, by the model's name.
var AutomationAPI = map[string]types.DrsBehavior{
	"manual":  types.DrsBehaviorManual,
	"partial": types.DrsBehaviorPartiallyAutomated,
	"full":    types.DrsBehaviorFullyAutomated,
}
