package ui

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/ui/listview"
	"github.com/vtui/vtui/ui/perfchart"
	"github.com/vtui/vtui/vsphere"
)

// The performance charts: c on a VM or a host opens its chart view; the
// detail pane of VMs and hosts shows small charts of the selection. Both
// read in commands and follow new samples through the root's timer.

// updateCharts handles the charts' messages; ok is false for others.
func (a *App) updateCharts(msg tea.Msg) (cmd tea.Cmd, ok bool) {
	switch msg := msg.(type) {
	case chartMsg:
		a.clearMarks()
		a.stack = append(a.stack, location{kind: Charts, label: msg.entity.Name})
		return a.charts.Open(msg.entity), true
	case perfchart.Msg:
		// Whatever took the view or the pane away (Esc, a context
		// switch, another view) ends their following here.
		if a.top().kind != Charts {
			a.charts.Close()
		}
		follow := a.followDetail()
		return tea.Batch(follow, a.charts.Update(msg), a.pane.Update(msg)), true
	}
	return nil, false
}

// followDetail makes the detail pane's charts follow the selected VM or
// host while the pane shows it, and nothing otherwise.
func (a *App) followDetail() tea.Cmd {
	var e perfchart.Entity
	shown := false
	if a.modal() == nil && a.mode == modeNormal {
		switch v := a.current().(type) {
		case *listview.Model[vsphere.VM]:
			row, ok := v.SelectedRow()
			e, shown = vmEntity(row), ok && v.DetailShown()
		case *listview.Model[vsphere.Host]:
			row, ok := v.SelectedRow()
			e, shown = hostEntity(row), ok && v.DetailShown()
		}
	}
	return a.pane.Follow(e, shown)
}

// chartConn is the connection the charts read through.
func (a *App) chartConn() perfchart.Conn {
	return perfchart.Conn{Ctx: a.ctx, Client: a.client}
}

func vmEntity(v vsphere.VM) perfchart.Entity {
	return perfchart.Entity{Ref: v.Ref, Kind: "vm", Name: v.Name}
}

func hostEntity(h vsphere.Host) perfchart.Entity {
	return perfchart.Entity{Ref: h.Ref, Kind: "host", Name: h.Name}
}
