package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/mattn/go-runewidth"

	"github.com/vtui/vtui/internal/kinds"
	"github.com/vtui/vtui/ui/describe"
	"github.com/vtui/vtui/ui/listview"
	"github.com/vtui/vtui/ui/related"
	"github.com/vtui/vtui/vsphere"
)

// One object at a time: y on a row describes it (every property, as
// YAML), x opens its related-objects tree, and Enter on the tree's nodes
// goes to them. t shows the recent-tasks pane under every view.

// relatedEvents is how many events about the object its tree shows.
const relatedEvents = 20

// tasksPaneRows is how many tasks the recent-tasks pane shows, and
// paneRoom how many lines it leaves the view at least.
const (
	tasksPaneRows = 5
	paneRoom      = 4
)

// updateObjects handles the describe and related views' messages; ok is
// false for others.
func (a *App) updateObjects(msg tea.Msg) (cmd tea.Cmd, ok bool) {
	switch msg := msg.(type) {
	case listview.DescribeMsg:
		ctx, c, _, refused := a.readClient(msg.Context)
		if refused != nil {
			return refused, true
		}
		a.push(location{kind: Describe, label: msg.Name})
		ref := msg.Ref
		return a.describe.Open(ctx, fmt.Sprintf("%s %s (%s)", ref.Type, ref.Value, msg.Name),
			func(ctx context.Context) (*vsphere.Description, error) { return c.Describe(ctx, ref, 0) }), true
	case listview.RelatedMsg:
		if !kinds.Relates(msg.Ref) {
			return a.note(causeInput, true, "related objects are shown for VMs, hosts and clusters; y describes this one"), true
		}
		ctx, c, inv, refused := a.readClient(msg.Context)
		if refused != nil {
			return refused, true
		}
		ref := msg.Ref
		cmd := a.related.Open(ctx, ref, msg.Name, func(ctx context.Context) (vsphere.Surroundings, error) {
			return c.Surroundings(ctx, inv, ref, relatedEvents)
		})
		a.push(location{kind: Related, label: msg.Name, context: msg.Context})
		return cmd, true
	case describe.Msg:
		return a.describe.Update(msg), true
	case related.Msg:
		return a.related.Update(msg), true
	case related.GoMsg:
		loc, sel := location{kind: Kind(msg.Kind)}, msg.Key
		if c := a.top().context; c != "" { // a tree of a view across contexts goes on there
			if _, ok := a.across[loc.kind]; !ok {
				return a.note(causeInput, true, fmt.Sprintf("%s is in context %s, whose %s are not listed across contexts: :ctx %s to see them", msg.Key, c, msg.Kind, c)), true
			}
			loc.all, sel = true, c+"/"+msg.Key
		}
		a.push(loc)
		if l, ok := a.current().(listView); ok && !l.Select(sel) {
			return a.note(causeInput, true, fmt.Sprintf("%s is not in the %s view now", msg.Key, msg.Kind)), true
		}
		return nil, true
	}
	return nil, false
}

// readClient returns the client to read through in the named context
// ("" for the current one), with the context its reads end with and its
// inventory, or a note that there is none yet.
func (a *App) readClient(name string) (context.Context, *vsphere.Client, *vsphere.Inventory, tea.Cmd) {
	if name != "" && name != a.contextName {
		if m := a.fleet.members[name]; m != nil && m.client != nil && m.inv != nil {
			return a.fleet.ctx, m.client, m.inv, nil
		}
		return nil, nil, nil, a.note(causeInput, true, name+" is not connected now: see the status bar")
	}
	if a.client == nil || a.inv == nil {
		return nil, nil, nil, a.note(causeInput, true, "not connected yet: wait for the inventory, then try again")
	}
	return a.ctx, a.client, a.inv, nil
}

// push opens loc one level down, unfiltered, with the newest data.
func (a *App) push(loc location) {
	a.clearMarks()
	a.stack = append(a.stack, loc)
	if l, ok := a.current().(listView); ok {
		l.SetFilter("")
	}
	a.reload()
}

// activityChanged shows the new tasks or events (a stream of kind k):
// its own view, an object's related-objects tree and the overview take
// them whole;
// another list view only hands them to its detail pane, which lists the
// object's recent tasks and events, without taking its rows again.
func (a *App) activityChanged(k Kind) {
	if top := a.top().kind; top == k || top == Related || top == Overview {
		a.reload()
		return
	}
	if l, ok := a.current().(listView); ok {
		l.SetActivity(a.tasks, a.events)
	}
}

// paneHeight is the recent-tasks pane's height: its title line and
// tasksPaneRows tasks, fewer on a screen too short to leave the view
// paneRoom lines, or none while it is hidden.
func (a *App) paneHeight() int {
	if !a.showTasks {
		return 0
	}
	return max(min(1+tasksPaneRows, a.height-3-paneRoom), 0)
}

// tasksPane renders the recent-tasks pane: the newest tasks, anyone's,
// with their progress, in the task view's columns.
func (a *App) tasksPane() string {
	tasks := slices.SortedStableFunc(slices.Values(a.tasks), func(x, y vsphere.Task) int { return y.Queued.Compare(x.Queued) })
	running := 0
	for _, t := range tasks {
		if !t.Done() {
			running++
		}
	}
	title := a.styles.Title.Render("recent tasks") + a.styles.Hint.Render(fmt.Sprintf(" %d, %d running (t hides)", len(tasks), running))
	lines := []string{fit(title, a.width)}
	cols := kinds.TaskList().Columns
	for _, t := range tasks[:min(len(tasks), a.paneHeight()-1)] {
		var b strings.Builder
		for i, c := range cols {
			cell := c.Cell(t)
			if i < len(cols)-1 {
				cell = runewidth.FillRight(runewidth.Truncate(cell, c.Width, "…"), c.Width) + " "
			}
			b.WriteString(cell)
		}
		lines = append(lines, fit(b.String(), a.width))
	}
	for len(lines) < a.paneHeight() {
		lines = append(lines, "")
	}
	if len(tasks) == 0 && len(lines) > 1 {
		lines[1] = a.styles.Hint.Render("no recent tasks")
	}
	return lipgloss.JoinVertical(lipgloss.Left, lines...)
}
