package vspheretest

import (
	"testing"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/vsphere/sim"
)

// TriggerAlarm makes srv report vcsim's alarm "Host error" (alarm-11)
// triggered red on the host named host, in its triggeredAlarmState, as
// vCenter does when an alarm fires; the returned func clears it. It sets
// only what a reader sees: defining alarms is not the simulator's
// business here.
func TriggerAlarm(tb testing.TB, srv *sim.Server, host string) (clear func()) {
	tb.Helper()
	ctx := srv.Model().Service.Context
	for _, r := range ctx.Map.AllReference("HostSystem") {
		h, ok := ctx.Map.Get(r.Reference()).(*simulator.HostSystem)
		if !ok || h.Name != host {
			continue
		}
		set := func(states []types.AlarmState) {
			ctx.WithLock(h, func() { ctx.Update(h, []types.PropertyChange{{Name: "triggeredAlarmState", Val: states}}) })
		}
		set([]types.AlarmState{{Key: "alarm-11." + h.Self.Value, Entity: h.Self, Alarm: types.ManagedObjectReference{Type: "Alarm", Value: "alarm-11"},
			OverallStatus: types.ManagedEntityStatusRed, Time: time.Now(), Acknowledged: types.NewBool(false)}})
		return func() { set(nil) }
	}
	tb.Fatalf("the simulator has no host %s", host)
	return nil
}
