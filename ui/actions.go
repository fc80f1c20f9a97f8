package ui

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/ha/placement"
	"github.com/vtui/vtui/vsphere"
)

// option is one line of a dialog.
type option struct {
	label, detail string
	enabled       bool
	pick          func() tea.Cmd // what choosing it does
}

// dialog is a modal list: the migrate target picker, the power menu, or a
// confirmation (whose options are yes and no).
type dialog struct {
	title   string
	options []option
	cursor  int
}

// plannedMsg brings a planner loaded with the rules of the VMs' clusters.
type plannedMsg struct {
	gen     int
	planner *vsphere.Planner
	vms     []vsphere.Ref
	err     error
}

// opProgressMsg is one progress report of a running change.
type opProgressMsg struct {
	gen int
	p   vsphere.Progress
}

// opDoneMsg ends a change with its summary.
type opDoneMsg struct {
	gen int
	sum vsphere.Summary
}

// targets returns the marked VMs of the VM view, or the selected one.
func (a *App) targetVMs() []vsphere.Ref {
	r, ok := a.current().(*resource[vsphere.VM])
	if !ok {
		return nil
	}
	var refs []vsphere.Ref
	for _, v := range r.t.Marked() {
		refs = append(refs, v.Ref)
	}
	if len(refs) == 0 {
		if v, ok := r.t.Selected(); ok {
			refs = append(refs, v.Ref)
		}
	}
	return refs
}

// openMigrate loads the rules the prechecks need, in the background; the
// target picker opens when they arrive.
func (a *App) openMigrate() tea.Cmd {
	vms := a.targetVMs()
	if len(vms) == 0 || a.client == nil || a.inv == nil {
		return nil
	}
	c, inv, gen, ctx := a.client, a.inv, a.gen, a.ctx
	return func() tea.Msg {
		p, err := c.Planner(ctx, inv, vms, nil)
		return plannedMsg{gen: gen, planner: p, vms: vms, err: err}
	}
}

// migrateDialog lists every host with its verdict for the first VM; a host
// eligible for it is offered, and the confirmation covers all the VMs.
func (a *App) migrateDialog(msg plannedMsg) tea.Cmd {
	if msg.err != nil {
		return a.setError(fmt.Sprintf("migrate: %v", msg.err))
	}
	var opts []option
	for _, c := range placement.Rank(msg.planner, msg.vms[0], vsphere.MigrateSpec{}) {
		host := c.Host
		verdict := "eligible"
		if !c.Eligible {
			verdict = "✗ " + c.Why()
		} else {
			verdict = fmt.Sprintf("#%d %s", c.Rank, c.Why())
		}
		opts = append(opts, option{label: host.Name, detail: verdict, enabled: c.Eligible, pick: func() tea.Cmd {
			actions := placement.PlanMigrations(msg.planner, placement.MigrateRequest{VMs: msg.vms, Spec: vsphere.MigrateSpec{Host: host.Ref}})
			return a.confirm(actions)
		}})
	}
	a.dialog = &dialog{title: fmt.Sprintf("migrate %d VM(s) to…", len(msg.vms)), options: opts}
	return nil
}

// powerDialog offers the power operations for the target VMs.
func (a *App) powerDialog() {
	vms := a.targetVMs()
	if len(vms) == 0 || a.inv == nil {
		return
	}
	var opts []option
	for _, op := range []vsphere.Op{vsphere.OpPowerOn, vsphere.OpPowerOff, vsphere.OpShutdown, vsphere.OpReset} {
		opts = append(opts, option{label: string(op), enabled: true, pick: func() tea.Cmd {
			p := vsphere.NewPlanner(a.inv, nil, nil)
			actions := make([]vsphere.Action, len(vms))
			for i, vm := range vms {
				actions[i] = p.Power(vm, op)
			}
			return a.confirm(actions)
		}})
	}
	a.dialog = &dialog{title: fmt.Sprintf("power %d VM(s)", len(vms)), options: opts}
}

// toggleMaintenance confirms entering or leaving maintenance on the
// selected host.
func (a *App) toggleMaintenance() tea.Cmd {
	r, ok := a.current().(*resource[vsphere.Host])
	if !ok || a.inv == nil {
		return nil
	}
	h, ok := r.t.Selected()
	if !ok {
		return nil
	}
	p := vsphere.NewPlanner(a.inv, nil, nil)
	if h.MaintenanceMode {
		return a.confirm([]vsphere.Action{p.ExitMaintenance(h.Ref, 0)})
	}
	return a.confirm([]vsphere.Action{p.EnterMaintenance(h.Ref, 0)})
}

// confirm states the blast radius and what the prechecks refused, and
// asks before anything is sent.
func (a *App) confirm(actions []vsphere.Action) tea.Cmd {
	radius := vsphere.BlastRadius(actions)
	var refused []string
	for _, act := range actions {
		if f := act.Failed(); len(f) > 0 {
			refused = append(refused, fmt.Sprintf("%s: %s", act.Object, f[0].Reason))
		}
	}
	if radius == "" {
		a.dialog = nil
		return a.setError("nothing to do: " + strings.Join(append(refused, noops(actions)...), "; "))
	}
	title := radius + "?"
	if a.cfg.ReadOnly {
		title += " (read-only mode: it will be refused)"
	}
	opts := []option{
		{label: "yes", detail: "", enabled: true, pick: func() tea.Cmd { return a.runActions(actions) }},
		{label: "no", detail: "change nothing", enabled: true, pick: func() tea.Cmd { return nil }},
	}
	if len(refused) > 0 {
		opts[0].detail = "refused by prechecks, skipped: " + strings.Join(refused, "; ")
	}
	a.dialog = &dialog{title: title, options: opts, cursor: 1}
	return nil
}

func noops(actions []vsphere.Action) []string {
	var out []string
	for _, act := range actions {
		if act.Noop != "" {
			out = append(out, act.Object+": "+act.Noop)
		}
	}
	return out
}

// runActions carries the actions out through the gate in the background;
// progress and the summary come back as messages.
func (a *App) runActions(actions []vsphere.Action) tea.Cmd {
	if a.client == nil {
		return nil
	}
	ch := make(chan tea.Msg, 64)
	g, ctx, gen := vsphere.NewGate(a.client), a.ctx, a.gen
	go func() {
		sum := g.Run(ctx, vsphere.Runnable(actions), vsphere.RunOptions{Progress: func(p vsphere.Progress) {
			select {
			case ch <- opProgressMsg{gen: gen, p: p}:
			default: // a slow screen skips reports, never the work
			}
		}})
		ch <- opDoneMsg{gen: gen, sum: sum}
		close(ch)
	}()
	a.opCh = ch
	a.opStatus = "starting: " + vsphere.BlastRadius(actions)
	return waitOp(ch)
}

func waitOp(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return msg
	}
}

// handleDialogKey moves in and chooses from the open dialog.
func (a *App) handleDialogKey(msg tea.KeyMsg) tea.Cmd {
	d := a.dialog
	switch msg.String() {
	case "esc", "n", "q":
		a.dialog = nil
	case "up", "k":
		d.cursor = max(d.cursor-1, 0)
	case "down", "j":
		d.cursor = min(d.cursor+1, len(d.options)-1)
	case "y":
		if len(d.options) == 2 && d.options[0].label == "yes" {
			a.dialog = nil
			return d.options[0].pick()
		}
	case "enter":
		o := d.options[d.cursor]
		if !o.enabled {
			return a.setError(o.label + " is not eligible: " + o.detail)
		}
		a.dialog = nil
		return o.pick()
	}
	return nil
}

// dialogView renders the open dialog over the table area.
func (a *App) dialogView() string {
	d := a.dialog
	var b strings.Builder
	b.WriteString(a.styles.Title.Render(d.title))
	b.WriteString("\n\n")
	for i, o := range d.options {
		cursor := "  "
		if i == d.cursor {
			cursor = "› "
		}
		line := cursor + o.label
		if o.detail != "" {
			line += "  " + o.detail
		}
		if !o.enabled {
			line = a.styles.Hint.Render(line)
		}
		b.WriteString(fit(line, a.width-4))
		b.WriteByte('\n')
	}
	b.WriteString(a.styles.Hint.Render("\n↑/↓ choose • enter select • y yes • esc cancel"))
	return a.styles.Help.Render(b.String())
}

// opProgressText renders a progress report for the status line.
func opProgressText(p vsphere.Progress) string {
	s := fmt.Sprintf("[%d/%d] %s %s", p.Index+1, p.Total, p.Op, p.Object)
	if p.Target != "" {
		s += " → " + p.Target
	}
	if p.Percent > 0 {
		s += fmt.Sprintf(" %d%%", p.Percent)
	}
	if p.Message != "" {
		s += ": " + p.Message
	}
	return s
}
