package kinds

import (
	"cmp"
	"context"

	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/vsphere"
)

// AlarmList is the alarms entry: the alarms triggered across the
// inventory, which the terminal UI follows live and vtui get reads, whole
// unless -n is given, red before yellow and newest first.
func AlarmList() Def[vsphere.Alarm] {
	return Def[vsphere.Alarm]{
		Name: Alarms, Aliases: []string{"alarm"},
		Recent: func(ctx context.Context, c *vsphere.Client, _ int, _ []string) ([]vsphere.Alarm, error) {
			return c.Alarms(ctx)
		},
		Whole: true,
		About: func(a vsphere.Alarm) string { return a.EntityName },
		Key:   func(a vsphere.Alarm) string { return a.Key },
		Columns: []Column[vsphere.Alarm]{
			{Title: "STATUS", Width: 6, Cell: func(a vsphere.Alarm) string { return a.Status },
				Compare: func(a, b vsphere.Alarm) int {
					return cmp.Or(vsphere.Severity(a.Status)-vsphere.Severity(b.Status), a.Time.Compare(b.Time))
				}},
			{Title: "ALARM", Width: 24, Grow: true, Cell: func(a vsphere.Alarm) string { return a.Alarm }},
			{Title: "TYPE", Width: 7, Cell: func(a vsphere.Alarm) string { return a.EntityType }},
			{Title: "ENTITY", Width: 18, Cell: func(a vsphere.Alarm) string { return a.EntityName }},
			{Title: "SINCE", Width: 19, Cell: func(a vsphere.Alarm) string { return stamp(a.Time) },
				Compare: func(a, b vsphere.Alarm) int { return a.Time.Compare(b.Time) }},
			{Title: "ACK", Width: 10, Cell: acknowledged},
		},
		SortBy: "STATUS", SortDesc: true,
		JSON: []string{"key", "alarm", "entity", "entity_type", "status", "time", "acknowledged", "acknowledged_by", "acknowledged_time"},
		Detail: func(_ *vsphere.Inventory, a vsphere.Alarm) []Field {
			return fields(
				"Alarm", a.Alarm, "Status", a.Status, "Entity", a.EntityType+" "+a.EntityName, "Since", stamp(a.Time),
				"Acknowledged", acknowledged(a), "Acknowledged at", stamp(a.AcknowledgedTime), "Key", a.Key,
			)
		},
	}
}

// acknowledged says whether an alarm was acknowledged, and by whom: "no"
// or the user.
func acknowledged(a vsphere.Alarm) string {
	if !a.Acknowledged {
		return "no"
	}
	return cmp.Or(a.AcknowledgedBy, format.YesNo(true))
}
