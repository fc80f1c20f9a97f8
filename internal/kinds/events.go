package kinds

import (
	"cmp"
	"context"
	"time"

	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/vsphere"
)

// EventList is the events entry: a stream, which the terminal UI follows
// and vtui get reads the recent part of, of the given types if any.
func EventList() Def[vsphere.Event] {
	return Def[vsphere.Event]{
		Name: Events, Aliases: []string{"event"},
		Recent: func(ctx context.Context, c *vsphere.Client, n int, types []string) ([]vsphere.Event, error) {
			return c.Events(ctx, n, types...)
		},
		About: func(e vsphere.Event) string { return e.Object },
		Key:   func(e vsphere.Event) string { return itoa(e.Key) },
		Columns: []Column[vsphere.Event]{
			{Title: "TIME", Width: 8, Cell: func(e vsphere.Event) string { return clock(e.Time) },
				Compare: func(a, b vsphere.Event) int { return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.Key, b.Key)) }},
			{Title: "TYPE", Width: 22, Cell: func(e vsphere.Event) string { return e.Type }},
			{Title: "OBJECT", Width: 16, Cell: func(e vsphere.Event) string { return format.Dash(e.Object) }},
			{Title: "MESSAGE", Width: 30, Grow: true, Cell: func(e vsphere.Event) string { return e.Message }},
		},
		Printed: []Column[vsphere.Event]{
			{Title: "TIME", Cell: func(e vsphere.Event) string { return stamp(e.Time) }},
			{Title: "TYPE", Cell: func(e vsphere.Event) string { return e.Type }},
			{Title: "OBJECT", Cell: func(e vsphere.Event) string { return format.Dash(e.Object) }},
			{Title: "USER", Cell: func(e vsphere.Event) string { return format.Dash(e.User) }},
			{Title: "MESSAGE", Cell: func(e vsphere.Event) string { return e.Message }},
		},
		SortBy: "TIME", SortDesc: true,
		JSON: []string{"key", "time", "type", "message", "object", "user"},
		Detail: func(_ *vsphere.Inventory, e vsphere.Event) []Field {
			return fields(
				"Event", e.Type, "Key", itoa(e.Key), "Time", e.Time.Local().Format(time.RFC3339),
				"Object", format.Dash(e.Object), "User", format.Dash(e.User), "Message", e.Message,
			)
		},
	}
}
