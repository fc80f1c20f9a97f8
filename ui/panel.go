package ui

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/ui/dialog"
	"github.com/vtui/vtui/ui/hapanel"
	"github.com/vtui/vtui/ui/overview"
	"github.com/vtui/vtui/vsphere"
)

// The HA/DRS panel: h on a cluster opens it; its reads come back to it;
// the changes it asks for are confirmed and run like every other, and
// their outcome is handed back to it (changeDone).

// updatePanel handles the panel's messages; ok is false for others.
func (a *App) updatePanel(msg tea.Msg) (cmd tea.Cmd, ok bool) {
	switch msg := msg.(type) {
	case haMsg:
		a.clearMarks()
		a.stack = append(a.stack, location{kind: HA, scope: vsphere.Filter{Cluster: msg.cluster.Name}, label: msg.cluster.Name})
		return a.ha.Open(msg.cluster), true
	case hapanel.Msg:
		return a.ha.Update(msg), true
	case hapanel.ChooseMsg:
		if cmd, refused := a.refuseChange(); refused {
			return cmd, true
		}
		a.openDialog(dialog.New(a.common, msg.Title, msg.Options))
		return nil, true
	case hapanel.ChangeMsg:
		if cmd, refused := a.refuseChange(); refused {
			return cmd, true
		}
		return a.confirm(plan{actions: msg.Actions, details: msg.Details}), true
	}
	return nil, false
}

// overviewConn is the connection the overview reads through.
func (a *App) overviewConn() overview.Conn {
	return overview.Conn{Ctx: a.ctx, Client: a.client, Inv: a.inv}
}

// panelConn is the connection the panel reads through.
func (a *App) panelConn() hapanel.Conn {
	return hapanel.Conn{Ctx: a.ctx, Client: a.client, Inv: a.inv}
}
