package ui

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/ui/drill"
	"github.com/vtui/vtui/vsphere"
)

// The drill view: :drill opens it over the others, offering a plan built
// from the host or cluster selected below; it runs the drill through the
// current connection, refusing a plan whose context is another, and keeps
// every key until it is closed.

// openDrill opens the drill view for the selection of the view below.
func (a *App) openDrill() tea.Cmd {
	if cmd, refused := a.refuseChange(); refused {
		return cmd
	}
	var sel drill.Selection
	if v, ok := a.current().(interface{ Selected() (string, bool) }); ok {
		name, _ := v.Selected()
		switch a.top().kind {
		case Clusters:
			sel.Cluster = name
		case Hosts:
			if hosts := a.inv.FilterHosts(vsphere.Filter{Host: name}); len(hosts) == 1 && hosts[0].Cluster != "" {
				sel = drill.Selection{Cluster: hosts[0].Cluster, Host: name}
			}
		}
	}
	return a.drill.Open(sel)
}

// drillConn is the connection the drill view runs through.
func (a *App) drillConn() drill.Conn {
	c := drill.Conn{Ctx: a.ctx, Client: a.client, Context: a.contextName, BMCPassword: a.cfg.BMCPassword}
	if a.contextName == a.cfg.Context {
		c.Origin = a.cfg.Origin
	}
	return c
}
