package sim

import (
	"reflect"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// stoppedStats are the quick stats vCenter reports for a VM that is
// powered off or suspended: no CPU or memory use, and a gray guest
// heartbeat.
func stoppedStats() types.VirtualMachineQuickStats {
	return types.VirtualMachineQuickStats{GuestHeartbeatStatus: types.ManagedEntityStatusGray}
}

// zeroStatsWhenStopped gives vm stoppedStats when changes power it off or
// suspend it, whoever did (vcsim's power operations, a guest shutdown, the
// HA emulation), telling watchers; vcsim leaves the running VM's figures.
// It runs in the change's context, which holds vm's lock.
func zeroStatsWhenStopped(ctx *simulator.Context, vm *mo.VirtualMachine, changes []types.PropertyChange) {
	for _, c := range changes {
		if c.Name != "runtime.powerState" {
			continue
		}
		switch c.Val {
		case types.VirtualMachinePowerStatePoweredOff, types.VirtualMachinePowerStateSuspended:
			if !reflect.DeepEqual(vm.Summary.QuickStats, stoppedStats()) {
				ctx.Update(vm, []types.PropertyChange{{Name: "summary.quickStats", Val: stoppedStats()}})
			}
		}
		return
	}
}
