package ui

import (
	"github.com/vtui/vtui/ui/common"
	"github.com/vtui/vtui/vsphere/gate"
)

// confirmTitle is a confirmation's question: what the actions change
// (gate.BlastRadius, which names a lone object and counts several),
// and, when it counted the objects of one operation, their first names:
// "power off 3 VMs on 2 hosts: app-01, app-02, app-03?". A plan of several
// operations lists its actions under the title.
func confirmTitle(actions []gate.Action) string {
	title := gate.BlastRadius(actions)
	run := gate.Runnable(actions)
	objects := make([]string, 0, len(run))
	for _, act := range run {
		if act.Op != run[0].Op {
			return title + "?"
		}
		objects = append(objects, act.Object)
	}
	if len(objects) > 1 {
		title += ": " + common.NameList(objects)
	}
	return title + "?"
}
