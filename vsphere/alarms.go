package vsphere

import (
	"context"
	"fmt"
	"time"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// TriggeredAlarm is an alarm vCenter reports triggered on an entity: one
// item of its triggeredAlarmState. Its JSON field names are a stable
// contract.
type TriggeredAlarm struct {
	Entity Ref `json:"entity"`
	// Alarm is the alarm's name, or its ID when it cannot be read.
	Alarm string `json:"alarm"`
	// Status is red or yellow.
	Status       string    `json:"status"`
	Time         time.Time `json:"time"`
	Acknowledged bool      `json:"acknowledged"`
}

// TriggeredAlarms reads the alarms triggered on entities (their
// triggeredAlarmState) and the alarms' names, in two requests. It only
// reads: defining and acknowledging alarms is not its business.
func (c *Client) TriggeredAlarms(ctx context.Context, entities []Ref) ([]TriggeredAlarm, error) {
	var out []TriggeredAlarm
	if len(entities) == 0 {
		return out, nil
	}
	err := conn.Retrieve(ctx, c.conn, mo.RefsSpec(entities, "triggeredAlarmState"), func(oc types.ObjectContent) {
		for _, p := range oc.PropSet {
			states, _ := p.Val.(types.ArrayOfAlarmState)
			for _, s := range states.AlarmState {
				out = append(out, TriggeredAlarm{Entity: mo.ToRef(s.Entity), Alarm: s.Alarm.Value, Status: string(s.OverallStatus),
					Time: s.Time, Acknowledged: s.Acknowledged != nil && *s.Acknowledged})
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("read the triggered alarms of %d objects from %s: %w", len(entities), c.Host(), err)
	}
	if len(out) == 0 {
		return out, nil
	}
	var alarms []Ref
	seen := map[string]bool{}
	for _, a := range out {
		if !seen[a.Alarm] {
			seen[a.Alarm] = true
			alarms = append(alarms, Ref{Type: "Alarm", Value: a.Alarm})
		}
	}
	names := map[string]string{}
	err = conn.Retrieve(ctx, c.conn, mo.RefsSpec(alarms, "info.name"), func(oc types.ObjectContent) {
		for _, p := range oc.PropSet {
			if n, ok := p.Val.(string); ok {
				names[oc.Obj.Value] = n
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("read the names of %d alarms from %s: %w", len(alarms), c.Host(), err)
	}
	for i, a := range out {
		if n := names[a.Alarm]; n != "" {
			out[i].Alarm = n
		}
	}
	return out, nil
}
