package sim

import (
	"context"
	"testing"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// triggered returns the root folder's triggeredAlarmState: every alarm
// triggered in the inventory.
func triggered(t *testing.T, c *govmomi.Client) []types.AlarmState {
	t.Helper()
	var f mo.Folder
	if err := property.DefaultCollector(c.Client).RetrieveOne(context.Background(), c.ServiceContent.RootFolder, []string{"triggeredAlarmState"}, &f); err != nil {
		t.Fatal(err)
	}
	return f.TriggeredAlarmState
}

// waitAlarm waits, at most 5 s, until alarm a's status on entity is want
// (green: not triggered) in the root folder's triggeredAlarmState.
func waitAlarm(t *testing.T, c *govmomi.Client, a simAlarm, entity types.ManagedObjectReference, want types.ManagedEntityStatus) {
	t.Helper()
	var got types.ManagedEntityStatus
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		got = types.ManagedEntityStatusGreen
		for _, s := range triggered(t, c) {
			if s.Alarm == a.ref && s.Entity == entity {
				got = s.OverallStatus
			}
		}
		if got == want {
			return
		}
	}
	t.Fatalf("%q on %s is %s after 5 s; want %s", a.name, entity.Value, got, want)
}

// TestNoAlarmAtStart: the presets start with no default alarm triggered.
func TestNoAlarmAtStart(t *testing.T) {
	_, c, _ := simEnv(t)
	if got := triggered(t, c); len(got) != 0 {
		t.Errorf("triggered at start: %+v; want none", got)
	}
}

// TestUsageAlarmsFollowTheThresholds: a VM past 75% and 90% of its CPU
// turns "Virtual machine CPU usage" yellow, then red; past 95% of its
// memory, "Virtual machine memory usage" red; back to idle, both clear.
func TestUsageAlarmsFollowTheThresholds(t *testing.T) {
	s, c, b := simEnv(t)
	vm := b.vm(t, "web-01").Self
	for _, step := range []struct {
		cpu, mem     int
		cpuAt, memAt types.ManagedEntityStatus
	}{
		{80, 10, types.ManagedEntityStatusYellow, types.ManagedEntityStatusGreen},
		{95, 96, types.ManagedEntityStatusRed, types.ManagedEntityStatusRed},
		{5, 10, types.ManagedEntityStatusGreen, types.ManagedEntityStatusGreen},
	} {
		if err := s.LoadVM("web-01", step.cpu, step.mem); err != nil {
			t.Fatal(err)
		}
		waitAlarm(t, c, alarmVMCPU, vm, step.cpuAt)
		waitAlarm(t, c, alarmVMMemory, vm, step.memAt)
	}
}

// TestInsufficientFailoverResourcesAlarm: a cluster whose reserved
// failover capacity its running VMs break raises "Insufficient vSphere HA
// failover resources" with InsufficientFailoverResourcesEvent; restored,
// it clears with FailoverLevelRestored.
func TestInsufficientFailoverResourcesAlarm(t *testing.T) {
	_, c, b := simEnv(t)
	cl := parentOfHost(t, c, b.host(t, "esx-a-01.lab.local").Self)
	percent := func(p int32) *types.ClusterConfigSpecEx {
		return &types.ClusterConfigSpecEx{DasConfig: &types.ClusterDasConfigInfo{AdmissionControlEnabled: types.NewBool(true),
			AdmissionControlPolicy: &types.ClusterFailoverResourcesAdmissionControlPolicy{CpuFailoverResourcesPercent: p, MemoryFailoverResourcesPercent: p,
				AutoComputePercentages: types.NewBool(false)}}}
	}
	reconfigureA(t, c, percent(100))
	waitAlarm(t, c, alarmFailover, cl, types.ManagedEntityStatusRed)
	waitEvents(t, c, "InsufficientFailoverResourcesEvent")
	reconfigureA(t, c, percent(1))
	waitAlarm(t, c, alarmFailover, cl, types.ManagedEntityStatusGreen)
	waitEvents(t, c, "FailoverLevelRestored")
}
