package drill

import (
	"fmt"
	"time"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
)

// OutsideChange is a difference from the baseline that the drill did not
// make: someone else changed the object while the drill ran. The rollback
// keeps it. User, Time and Event come from the latest event a person
// posted about the object since the baseline, empty if there is none.
// Its JSON field names are a stable contract.
type OutsideChange struct {
	Object string    `json:"object"` // "vm web-03"
	What   string    `json:"what"`   // "poweredOff, was poweredOn"
	User   string    `json:"user,omitempty"`
	Time   time.Time `json:"time,omitzero"`
	Event  string    `json:"event,omitempty"` // "VmPoweredOffEvent"
}

// String is the change as one line: "vm web-03: poweredOff, was
// poweredOn, by admin at 2026-12-07T03:01:02Z (VmPoweredOffEvent); kept".
func (o OutsideChange) String() string {
	by := "by whom is unknown: no event of a user names it"
	if o.User != "" {
		by = fmt.Sprintf("by %s at %s (%s)", o.User, o.Time.UTC().Format(time.RFC3339), o.Event)
	}
	return fmt.Sprintf("%s: %s, %s; kept", o.Object, o.What, by)
}

// outsideLines is each change's String.
func outsideLines(cs []OutsideChange) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.String()
	}
	return out
}

// attribute sorts the differences from the baseline into the drill's,
// which the rollback undoes, and outside changes, which it keeps.
//
// The rule: the drill acts on its targets only. It fails them (crashes
// them, or puts them into maintenance mode) and may pin DRS at manual;
// HA, DRS or vtui then restart or move the VMs that ran on them. So a
// difference is the drill's when it is about
//   - a host the drill injected,
//   - a VM that ran on one in the baseline (whatever happened to it since),
//   - a VM or host a rollback of this drill acted on, as its journal
//     says (those changes post events under the drill's user, so a
//     rollback run again after one that partly failed finishes them),
//   - DRS automation the drill pinned, while it is still manual, or
//   - any other VM or host that only vCenter itself (HA or DRS, events
//     without a user) acted on since the baseline: a consequence of the
//     drill.
//
// Any other difference is an outside change: an event with a user name
// says a person or a script made it (even under the drill's own user
// name, from another session: the drill never acts on such an object
// but through its rollback, which journals it first),
// and a difference no event explains has an unknown cause, so it is left
// as found too. The latest event with a user names who and when.
func attribute(u *undo, diffs []Diff, events []vsphere.Event) (ours []Diff, outside []OutsideChange) {
	affected := u.affected()
	about := map[string][]vsphere.Event{} // by object ID, oldest first
	for _, e := range events {
		about[e.ObjectRef.Value] = append(about[e.ObjectRef.Value], e)
	}
	for _, d := range diffs {
		id := d.ID
		if d.Kind == "cluster" {
			id = u.cluster.ID
		}
		var theirs *vsphere.Event
		for i := range about[id] {
			// The drill's own lock and pin post events about the cluster:
			// only a reconfiguration names who changed its configuration.
			if e := &about[id][i]; e.User != "" && (d.Kind != "cluster" || e.Type == "ClusterReconfiguredEvent") {
				theirs = e
			}
		}
		switch {
		case d.Kind == "cluster" && u.drs != nil && d.Change.Path == "drs.automation" && d.Change.To == string(clusterspec.AutomationManual),
			d.Kind != "cluster" && affected[id],
			d.Kind != "cluster" && theirs == nil && len(about[id]) > 0:
			ours = append(ours, d)
			continue
		}
		o := OutsideChange{Object: d.Kind + " " + d.Name, What: d.What}
		if theirs != nil {
			o.User, o.Time, o.Event = theirs.User, theirs.Time, theirs.Type
		}
		outside = append(outside, o)
	}
	return ours, outside
}

// affected returns the IDs of the hosts the drill injected and of the
// VMs that ran on them in the baseline, and of the VMs and hosts a
// rollback of the drill acted on: whatever happens to them is the
// drill's doing.
func (u *undo) affected() map[string]bool {
	ids := map[string]bool{}
	for _, h := range u.injected {
		ids[h.ID] = true
	}
	for _, v := range u.baseline.VMs {
		if ids[v.Host.ID] {
			ids[v.ID] = true
		}
	}
	for _, o := range u.acted {
		ids[o.ID] = true
	}
	return ids
}
