package sim

import (
	"testing"

	"github.com/vmware/govmomi/vim25/types"
)

// HA places a restart by reservations, as ha/admission's Place does: not
// by configured memory, which HA overcommits (DRS still needs it free),
// and a mandatory VM-VM affinity rule whose other member is still down
// on the failed host neither refuses a host nor pins the VM.
func TestHAPlacesByReservationsAndKeepsVMRulesWhereItCan(t *testing.T) {
	ref := func(typ, v string) types.ManagedObjectReference {
		return types.ManagedObjectReference{Type: typ, Value: v}
	}
	yes := true
	failed := &viewHost{ref: ref("HostSystem", "h0"), name: "h0", memMB: 65536, cpuMHz: 40000}
	full := &viewHost{ref: ref("HostSystem", "h1"), name: "h1", usable: true, memMB: 65536, usedMB: 65536, cpuMHz: 40000, resCPU: 32, resMem: 0}
	reserved := &viewHost{ref: ref("HostSystem", "h2"), name: "h2", usable: true, memMB: 65536, cpuMHz: 40000, resCPU: 32, resMem: 32768}
	vm := &viewVM{ref: ref("VirtualMachine", "vm-1"), name: "app", host: failed.ref, on: true, memMB: 16384, memResMB: 1024}
	peer := &viewVM{ref: ref("VirtualMachine", "vm-2"), name: "peer", host: failed.ref, on: true, memMB: 1024}
	v := &clusterView{name: "c", hosts: []*viewHost{failed, full, reserved},
		vms: map[types.ManagedObjectReference]*viewVM{vm.ref: vm, peer.ref: peer},
		cfg: &types.ClusterConfigInfoEx{Rule: []types.BaseClusterRuleInfo{&types.ClusterAffinityRuleSpec{
			ClusterRuleInfo: types.ClusterRuleInfo{Name: "together", Enabled: &yes, Mandatory: &yes}, Vm: []types.ManagedObjectReference{vm.ref, peer.ref}}}}}
	if r := v.refusal(vm, full, false); r == "" {
		t.Errorf("DRS would place %s on %s, whose memory is all in use", vm.name, full.name)
	}
	to, why := v.haPlace(vm)
	if to != full {
		t.Errorf("HA restarts %s on %v (%s); want %s, with the most unreserved capacity, its configured memory overcommitted", vm.name, to, why, full.name)
	}
}
