package ui

import (
	"github.com/vtui/vtui/ui/common"
	"github.com/vtui/vtui/vsphere/gate"
)

// confirmTitle is a confirmation's question: what the actions change
// (gate.BlastRadius, which names a lone object and counts several),
// and, when it counted the objects of the plan's last operation, their
// first names: "power off 3 VMs on 2 hosts: app-01, app-02, app-03?", or
// for hosts evacuated first "migrate 4 VMs from 2 hosts to 3 targets;
// enter maintenance mode on 2 hosts: esx-a-01, esx-b-02?". The other
// operations' objects are listed under the title.
func confirmTitle(actions []gate.Action) string {
	title := gate.BlastRadius(actions)
	run := gate.Runnable(actions)
	var objects []string
	for _, act := range run {
		if act.Op == run[len(run)-1].Op {
			objects = append(objects, act.Object)
		}
	}
	if len(objects) > 1 {
		title += ": " + common.NameList(objects)
	}
	return title + "?"
}
