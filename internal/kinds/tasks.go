package kinds

import (
	"context"
	"strings"

	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/vsphere"
)

// TaskList is the tasks entry: a stream, which the terminal UI follows
// and vtui get reads the recent part of.
func TaskList() Def[vsphere.Task] {
	return Def[vsphere.Task]{
		Name: Tasks, Aliases: []string{"task"},
		Recent: func(ctx context.Context, c *vsphere.Client, _ int, _ []string) ([]vsphere.Task, error) {
			return c.RecentTasks(ctx)
		},
		About: func(t vsphere.Task) string { return t.Target },
		Key:   func(t vsphere.Task) string { return t.ID },
		Ref:   func(t vsphere.Task) vsphere.Ref { return vsphere.Ref{Type: "Task", Value: t.ID} },
		Columns: []Column[vsphere.Task]{
			{Title: "STARTED", Width: 8, Cell: func(t vsphere.Task) string { return clock(t.Queued) },
				Compare: func(a, b vsphere.Task) int { return a.Queued.Compare(b.Queued) }},
			{Title: "TASK", Width: 18, Cell: func(t vsphere.Task) string { return t.Name }},
			{Title: "TARGET", Width: 18, Cell: func(t vsphere.Task) string { return format.Dash(t.Target) }},
			{Title: "PROGRESS", Width: 16, Cell: progressBar},
			{Title: "USER", Width: 10, Cell: func(t vsphere.Task) string { return format.Dash(t.User) }},
			{Title: "RESULT", Width: 20, Grow: true, Cell: func(t vsphere.Task) string { return format.Dash(t.Error) }},
		},
		Printed: []Column[vsphere.Task]{
			{Title: "QUEUED", Cell: func(t vsphere.Task) string { return stamp(t.Queued) }},
			{Title: "NAME", Cell: func(t vsphere.Task) string { return t.Name }},
			{Title: "TARGET", Cell: func(t vsphere.Task) string { return format.Dash(t.Target) }},
			{Title: "STATE", Cell: func(t vsphere.Task) string { return t.State }},
			{Title: "PROGRESS", Cell: func(t vsphere.Task) string { return itoa(t.Progress) + "%" }},
			{Title: "USER", Cell: func(t vsphere.Task) string { return format.Dash(t.User) }},
			{Title: "COMPLETED", Cell: func(t vsphere.Task) string { return stamp(t.Completed) }},
			{Title: "ERROR", Cell: func(t vsphere.Task) string { return format.Dash(t.Error) }},
		},
		SortBy: "STARTED", SortDesc: true,
		JSON: []string{"id", "name", "target", "state", "progress", "error", "user", "queued", "started", "completed"},
		Detail: func(_ *vsphere.Inventory, t vsphere.Task) []Field {
			return fields(
				"Task", t.Name, "ID", t.ID, "Target", format.Dash(t.Target), "State", t.State,
				"Progress", progressBar(t), "User", format.Dash(t.User), "Queued", clock(t.Queued),
				"Started", clock(t.Started), "Completed", clock(t.Completed), "Error", format.Dash(t.Error),
			)
		},
	}
}

// progressBar draws a task's progress in ten cells: [#####     ] 50%.
func progressBar(t vsphere.Task) string {
	switch t.State {
	case vsphere.TaskSuccess:
		return "done"
	case vsphere.TaskError:
		return "failed"
	case vsphere.TaskQueued:
		return "queued"
	}
	n := max(min(t.Progress/10, 10), 0)
	return "[" + strings.Repeat("#", n) + strings.Repeat(" ", 10-n) + "] " + itoa(t.Progress) + "%"
}
