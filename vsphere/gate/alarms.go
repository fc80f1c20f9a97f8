package gate

import (
	"context"
	"fmt"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// alarmObject names an alarm triggered on an entity, as confirmations and
// results say it: "Host connection and power state on host esx-a-01".
func alarmObject(a vsphere.Alarm) string {
	return fmt.Sprintf("%s on %s %s", a.Alarm, a.EntityType, a.EntityName)
}

// AcknowledgeAlarm plans acknowledging a, an alarm triggered on an entity
// (as Client.Alarms read it), as the vSphere Client's Acknowledge does:
// the alarm stays triggered, marked as seen, with who and when. One
// already acknowledged is a no-op.
func AcknowledgeAlarm(a vsphere.Alarm) Action {
	act := Action{Op: OpAcknowledgeAlarm, Ref: a.Entity, Object: alarmObject(a), Target: "acknowledged",
		Checks: []Check{pass("alarm")}, run: refuse}
	if a.Acknowledged {
		act.Noop = "already acknowledged by " + orUnknown(a.AcknowledgedBy)
		return act
	}
	req := &types.AcknowledgeAlarm{Alarm: mo.ToMoRef(a.AlarmRef), Entity: mo.ToMoRef(a.Entity)}
	act.run = func(ctx context.Context, g *Gate, _ func(int, string)) (string, error) {
		vim := conn.VIM(g.c.Conn())
		req.This = *vim.ServiceContent.AlarmManager
		_, err := methods.AcknowledgeAlarm(ctx, vim, req)
		return "", err
	}
	return act
}

// ResetAlarm plans resetting a, an alarm triggered on an entity, to
// green, as the vSphere Client's "Reset to Green" does
// (AlarmManager.SetAlarmStatus): it leaves the triggered alarms. vCenter
// triggers it again when its condition is met again.
func ResetAlarm(a vsphere.Alarm) Action {
	act := Action{Op: OpResetAlarm, Ref: a.Entity, Object: alarmObject(a), From: a.Status, Target: "green",
		Checks: []Check{pass("alarm")}, run: refuse}
	req := &mo.SetAlarmStatus{Alarm: mo.ToMoRef(a.AlarmRef), Entity: mo.ToMoRef(a.Entity), Status: types.ManagedEntityStatusGreen}
	act.run = func(ctx context.Context, g *Gate, _ func(int, string)) (string, error) {
		vim := conn.VIM(g.c.Conn())
		req.This = *vim.ServiceContent.AlarmManager
		err := vim.RoundTrip(ctx, &mo.SetAlarmStatusBody{Req: req}, &mo.SetAlarmStatusBody{})
		if fault.Is(err, &types.MethodNotFound{}) {
			// not wrapped: the fault's own words would replace these
			return "", fmt.Errorf("%s does not implement AlarmManager.SetAlarmStatus (Reset to Green; MethodNotFound): acknowledge the alarm instead, or reset it in the vSphere Client",
				g.c.Host())
		}
		return "", err
	}
	return act
}
