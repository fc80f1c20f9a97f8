package ui

import (
	"errors"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/ha/placement"
	"github.com/vtui/vtui/internal/maintenance"
	"github.com/vtui/vtui/internal/migration"
	"github.com/vtui/vtui/internal/power"
	"github.com/vtui/vtui/ui/changes"
	"github.com/vtui/vtui/ui/common"
	"github.com/vtui/vtui/ui/dialog"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
)

// The change flow: a view's key raises an intent (migrateMsg, powerMsg,
// maintenanceMsg); a dialog picks the details; a confirmation states the
// plan; the registry runs it through the gate.

// plannedMsg brings a migration to choose the target of, loaded with the
// rules of the VMs' clusters.
type plannedMsg struct {
	gen    int
	choice *migration.Choice
	names  []string // the VMs' names, for the picker's title
	err    error
}

// migrateToMsg is the target chosen in the migrate dialog: a host, or
// zero for the automatic one, in the VM's cluster or in pool's.
type migrateToMsg struct {
	choice *migration.Choice
	host   vsphere.Ref
	pool   vsphere.Ref
}

// powerOpMsg is the operation chosen in the power menu.
type powerOpMsg struct {
	op  gate.Op
	vms []vsphere.Ref
}

// plan is a change to confirm and run: its actions, details the
// confirmation shows under them (a diff, what DRS will do), and how to run
// them; a nil run runs them all at once, as Gate.Run does.
type plan struct {
	actions []gate.Action
	details []string
	run     changes.Runner
}

// confirmedMsg is a yes to a plan made on connection generation gen.
type confirmedMsg struct {
	gen  int
	plan plan
}

// maintenancePlannedMsg brings the plan for a host entering maintenance
// mode while it runs powered-on VMs.
type maintenancePlannedMsg struct {
	gen  int
	plan plan
	err  error
}

// updateChanges handles the change flow's messages; ok is false for others.
func (a *App) updateChanges(msg tea.Msg) (cmd tea.Cmd, ok bool) {
	switch msg := msg.(type) {
	case migrateMsg:
		return a.openMigrate(msg.vms, msg.names), true
	case plannedMsg:
		return a.migrateDialog(msg), true
	case powerMsg:
		return a.powerDialog(msg.vms, msg.names), true
	case maintenanceMsg:
		return a.toggleMaintenance(msg.hosts), true
	case alarmMsg:
		return a.changeAlarms(msg), true
	case dialog.ChosenMsg:
		a.dialog = nil
		return a.update(msg.Msg), true
	case dialog.CancelledMsg:
		a.dialog, a.quitting = nil, false
		return nil, true
	case quitConfirmedMsg:
		return a.quit(), true
	case maintenancePlannedMsg:
		if msg.gen != a.gen {
			return nil, true
		}
		if msg.err != nil {
			return a.note(causeChange, true, msg.err.Error()), true
		}
		return a.confirm(msg.plan), true
	case migrateToMsg:
		return a.confirm(plan{actions: msg.choice.To(msg.host, msg.pool)}), true
	case snapshotMsg, revertMsg, removeSnapshotsMsg:
		if cmd, refused := a.refuseChange(); refused {
			return cmd, true
		}
		return a.confirm(a.snapshotPlan(msg)), true
	case powerOpMsg:
		return a.confirm(plan{actions: power.Plan(a.inv, msg.vms, msg.op)}), true
	case confirmedMsg:
		a.clearMarks() // their action is done with: the next key acts on the selection
		return a.runActions(msg), true
	case changes.ProgressMsg:
		return a.changes.Progress(msg), true
	case changes.DoneMsg:
		return a.changeDone(msg), true
	}
	return nil, false
}

// changesBlocked says why no change may be planned or sent now, or "".
// Plans are made from the inventory on screen, so it must be complete
// and current.
func (a *App) changesBlocked() string {
	switch {
	case a.client == nil || !a.connected:
		return "not connected"
	case a.state == vsphere.Reconnecting:
		return "the connection is lost, so the data may be stale"
	case a.inv == nil || a.state == vsphere.Syncing:
		return "the inventory is still loading"
	}
	return ""
}

// refuseChange tells why changes are disabled, if they are.
func (a *App) refuseChange() (tea.Cmd, bool) {
	reason := a.changesBlocked()
	if reason == "" {
		return nil, false
	}
	return a.note(causeBlocked, true, "changes are disabled: "+reason+"; they are enabled again once the data is live"), true
}

// openMigrate loads the rules the prechecks need, in the background; the
// target picker opens when they arrive.
func (a *App) openMigrate(vms []vsphere.Ref, names []string) tea.Cmd {
	if cmd, refused := a.refuseChange(); refused {
		return cmd
	}
	c, inv, gen, ctx := a.client, a.inv, a.gen, a.ctx
	return func() tea.Msg {
		ch, err := migration.Choose(ctx, c, inv, vms)
		return plannedMsg{gen: gen, choice: ch, names: names, err: err}
	}
}

// migrateDialog offers the automatic target first, then lists every host
// with its verdict for the first VM (a host eligible for it is offered),
// then the resource pools of the other clusters, for a move across
// clusters to the best host there. The confirmation covers all the VMs.
func (a *App) migrateDialog(msg plannedMsg) tea.Cmd {
	if msg.gen != a.gen {
		return nil
	}
	if msg.err != nil {
		return a.note(causeChange, true, fmt.Sprintf("migrate: %v", msg.err))
	}
	if cmd, refused := a.refuseChange(); refused {
		return cmd
	}
	opts := []dialog.Option{{Label: "auto", Detail: "the best eligible host for each VM, in its cluster", Msg: migrateToMsg{choice: msg.choice}}}
	for _, c := range msg.choice.Hosts() {
		o := dialog.Option{Label: c.Host.Name, Msg: migrateToMsg{choice: msg.choice, host: c.Host.Ref}}
		if c.Eligible {
			o.Detail = candidateText(c)
		} else {
			o.Disabled = c.Why()
		}
		opts = append(opts, o)
	}
	for _, rp := range msg.choice.Pools() {
		opts = append(opts, dialog.Option{Label: "pool " + rp.Path, Detail: "another cluster: its best eligible host",
			Msg: migrateToMsg{choice: msg.choice, pool: rp.Ref}})
	}
	a.openDialog(dialog.New(a.common, fmt.Sprintf("migrate %s to…", common.Targets(msg.names, "VM")), opts))
	return nil
}

// candidateText says why an eligible host ranks where it does: "#1 509
// GiB memory and 91.9 GHz CPU free, 3 VMs".
func candidateText(c placement.Candidate) string { return fmt.Sprintf("#%d %s", c.Rank, c.Why()) }

// powerDialog offers the power operations that would change at least one
// of the VMs (power.Valid).
func (a *App) powerDialog(vms []vsphere.Ref, names []string) tea.Cmd {
	if cmd, refused := a.refuseChange(); refused {
		return cmd
	}
	var opts []dialog.Option
	for _, op := range power.Valid(a.inv, vms) {
		opts = append(opts, dialog.Option{Label: string(op), Msg: powerOpMsg{op: op, vms: vms}})
	}
	if len(opts) == 0 {
		return a.note(causeInput, true, "no power operation applies to "+common.Targets(names, "VM"))
	}
	a.openDialog(dialog.New(a.common, "power "+common.Targets(names, "VM"), opts))
	return nil
}

// toggleMaintenance confirms taking hosts out of maintenance mode when
// every one of them is in it, and else putting them into it (one already
// in it is skipped, and the confirmation says so). Hosts that run
// powered-on VMs must be emptied first, by DRS or by vtui as
// maintenance.PlanEnter decides: that is planned in the background, and
// the confirmation opens when the plan comes.
func (a *App) toggleMaintenance(hosts []vsphere.Host) tea.Cmd {
	if cmd, refused := a.refuseChange(); refused {
		return cmd
	}
	if maintenance.Exiting(hosts) {
		return a.confirm(maintenancePlan(maintenance.PlanExit(a.inv, hosts, maintenance.Options{})))
	}
	c, inv, gen, ctx := a.client, a.inv, a.gen, a.ctx
	if !maintenance.Occupied(inv, hosts) { // nothing to read: plan now
		mp, err := maintenance.PlanEnter(ctx, c, inv, hosts, maintenance.Options{})
		if err != nil {
			return a.note(causeChange, true, err.Error())
		}
		return a.confirm(maintenancePlan(mp))
	}
	return func() tea.Msg {
		mp, err := maintenance.PlanEnter(ctx, c, inv, hosts, maintenance.Options{})
		var stuck *placement.StuckError
		if err != nil && !errors.As(err, &stuck) {
			err = fmt.Errorf("plan maintenance mode on %s: %w", common.Targets(hostNames(hosts), "host"), err)
		}
		return maintenancePlannedMsg{gen: gen, plan: maintenancePlan(mp), err: err}
	}
}

// changeAlarms confirms acknowledging alarms or resetting them to green.
func (a *App) changeAlarms(msg alarmMsg) tea.Cmd {
	if cmd, refused := a.refuseChange(); refused {
		return cmd
	}
	planOne := gate.AcknowledgeAlarm
	if msg.op == gate.OpResetAlarm {
		planOne = gate.ResetAlarm
	}
	actions := make([]gate.Action, len(msg.alarms))
	for i, al := range msg.alarms {
		actions[i] = planOne(al)
	}
	return a.confirm(plan{actions: actions})
}

// maintenancePlan is the confirmation's plan for mp, with a line saying
// who moves the VMs off first; the zero plan for a nil mp.
func maintenancePlan(mp *maintenance.Plan) plan {
	if mp == nil {
		return plan{}
	}
	p := plan{actions: mp.Actions, run: mp.Run}
	switch mp.Evacuation {
	case maintenance.ByDRS:
		p.details = []string{fmt.Sprintf("DRS (fully automated) moves %s off first.", common.NameList(mp.Moving))}
	case maintenance.ByVtui:
		p.details = []string{"DRS does not move them: vtui does, first; maintenance mode once all moved."}
	}
	return p
}

// hostNames returns the hosts' names.
func hostNames(hosts []vsphere.Host) []string {
	names := make([]string, len(hosts))
	for i, h := range hosts {
		names[i] = h.Name
	}
	return names
}

func (a *App) openDialog(d *dialog.Model) {
	a.dialog = d
	d.SetSize(a.width, a.bodyHeight())
}

// confirm states the blast radius and the plan, with its details, what
// the prechecks refused and what the client's policy will do with it, and
// asks before anything is sent.
func (a *App) confirm(p plan) tea.Cmd {
	actions := p.actions
	radius := gate.BlastRadius(actions)
	if radius == "" {
		var why []string
		for _, act := range actions {
			if f := act.Failed(); len(f) > 0 {
				why = append(why, fmt.Sprintf("%s: %s", act.Object, f[0].Reason))
			} else if act.Noop != "" {
				why = append(why, act.Object+": "+act.Noop)
			}
		}
		return a.note(causeChange, true, "nothing to do: "+strings.Join(why, "; "))
	}
	title := confirmTitle(actions)
	if len(a.cfg.Contexts) > 1 { // a row opened from a view across contexts acts here: say where
		title = strings.TrimSuffix(title, "?") + " in " + a.contextName + "?"
	}
	yes := "send the changes"
	switch policy := a.client.Policy(); {
	case policy.DryRun:
		title += " (dry run: nothing will change)"
		yes = "show what would be done"
	case policy.ReadOnly:
		title += " (read-only mode: it will be refused)"
		yes = "try, and be refused"
	}
	body := append(planLines(actions), p.details...)
	a.openDialog(dialog.Confirm(a.common, title, body, yes, confirmedMsg{gen: a.gen, plan: p}))
	return nil
}

// planLines lists what each action would do, its warnings, and the
// actions that will be skipped.
func planLines(actions []gate.Action) []string {
	var lines, skipped []string
	for _, act := range actions {
		switch f := act.Failed(); {
		case len(f) > 0:
			skipped = append(skipped, fmt.Sprintf("skipped, refused by prechecks: %s: %s", act.Object, f[0].Reason))
		case act.Noop != "":
			skipped = append(skipped, fmt.Sprintf("skipped, nothing to do: %s: %s", act.Object, act.Noop))
		default:
			line := "• " + act.String()
			for _, w := range act.Warnings() {
				line += "; warning: " + w.Reason
			}
			lines = append(lines, line)
		}
	}
	return append(lines, skipped...)
}

// runActions carries a confirmed plan out through the gate in the
// background; its progress and outcome come back as messages.
func (a *App) runActions(msg confirmedMsg) tea.Cmd {
	if msg.gen != a.gen {
		return nil
	}
	if cmd, refused := a.refuseChange(); refused {
		return cmd
	}
	if run := msg.plan.run; run != nil {
		return a.changes.Run(a.ctx, a.client, a.gen, a.contextName, gate.BlastRadius(msg.plan.actions), run)
	}
	return a.changes.Start(a.ctx, a.client, a.gen, a.contextName, gate.Runnable(msg.plan.actions))
}

// changeDone shows how a change ended. One started on an earlier
// connection is shown too, named by its context; the client it kept open
// is closed after its last change.
func (a *App) changeDone(msg changes.DoneMsg) tea.Cmd {
	f, ok := a.changes.Done(msg)
	if !ok {
		return nil
	}
	a.log.Info("change finished", "context", f.Context, "summary", f.Summary.String())
	text, bad := f.Outcome()
	if f.Gen != a.gen {
		text = f.Context + " (previous context): " + text
	}
	cmds := []tea.Cmd{a.changeNote(int(f.ID), bad, text)}
	if f.Gen == a.gen && a.top().kind == HA {
		cmds = append(cmds, a.ha.ChangeDone(f))
	}
	if s, ok := a.retiring[f.Gen]; ok && !a.changes.RunningOn(f.Gen) {
		delete(a.retiring, f.Gen)
		a.closeSession(s)
	}
	return tea.Batch(cmds...)
}
