package ui

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/vsphere/gate"
)

// snapshotNameLayout names the snapshots the VM view's key takes, after
// the time they are taken: the confirmation shows the name, and vtui vm
// snapshot create takes one of the user's choosing.
const snapshotNameLayout = "vtui-20060102-150405"

// snapshotPlan plans a snapshot intent (snapshotMsg, revertMsg or
// removeSnapshotsMsg) over the inventory on screen; the confirmation
// names each VM and snapshot. A snapshot removed with the key keeps the
// snapshots taken after it.
func (a *App) snapshotPlan(msg tea.Msg) plan {
	p := gate.NewPlanner(a.inv, nil, nil)
	var actions []gate.Action
	switch msg := msg.(type) {
	case snapshotMsg:
		name := a.now().Local().Format(snapshotNameLayout)
		for _, vm := range msg.vms {
			actions = append(actions, p.CreateSnapshot(vm, gate.SnapshotSpec{Name: name, Description: "taken with vtui"}))
		}
	case revertMsg:
		actions = append(actions, p.RevertSnapshot(msg.snapshot.VMRef, msg.snapshot))
	case removeSnapshotsMsg:
		for _, s := range msg.snapshots {
			actions = append(actions, p.RemoveSnapshot(s.VMRef, s, false))
		}
	}
	return plan{actions: actions}
}
