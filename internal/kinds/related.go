package kinds

import (
	"fmt"
	"slices"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
)

// Node is one node of an object's related-objects tree.
type Node struct {
	// Kind and Key locate the node's object: the kind whose view shows
	// it, and its row's Key there. Kind is "" for a heading and for what
	// has no view of its own (a rule, a snapshot).
	Kind, Key string
	// Text is what the tree shows.
	Text     string
	Children []Node
}

// Around is what a related-objects tree is built from: the inventory and
// the recent tasks the terminal UI follows anyway, and the object's
// surroundings (vsphere.Client.Surroundings), read once.
type Around struct {
	Inv    *vsphere.Inventory
	Tasks  []vsphere.Task
	Nearby vsphere.Surroundings
	// Alarms are the object's triggered alarms, a line each, shown under
	// "alarms" when set: the place where the alarm kind, which reads
	// triggeredAlarmState, hangs them.
	Alarms []string
}

// Relates reports whether Related builds a tree for the object ref: a
// VM, a host or a cluster.
func Relates(ref vsphere.Ref) bool {
	switch ref.Type {
	case "VirtualMachine", "HostSystem", "ClusterComputeResource":
		return true
	}
	return false
}

// Related returns the related-objects tree of the object ref: for a VM its
// host, cluster, datastores, networks, rules, snapshots, alarms, tasks and
// events; for a host its cluster, VMs, datastores, networks, tasks and
// events; for a cluster its hosts, rules, datastores, tasks and events.
// ok is false when the inventory holds no such object.
func Related(a Around, ref vsphere.Ref) (root Node, ok bool) {
	inv := a.Inv
	switch ref.Type {
	case "VirtualMachine":
		v, ok := find(inv.VMs, ref, VMList().Ref)
		if !ok {
			return Node{}, false
		}
		root = Node{Kind: VMs, Key: v.Name, Text: "VM " + v.Name + " (" + v.PowerState + ")", Children: []Node{
			one("host", Hosts, v.Host), one("cluster", Clusters, v.Cluster),
			group("datastores", Datastores, v.Datastores), group("networks", Networks, v.Networks),
			rules(a.Nearby), snapshots(a.Nearby),
		}}
	case "HostSystem":
		h, ok := find(inv.Hosts, ref, HostList().Ref)
		if !ok {
			return Node{}, false
		}
		root = Node{Kind: Hosts, Key: h.Name, Text: "host " + h.Name + " (" + h.ConnectionState + ")", Children: []Node{
			one("cluster", Clusters, h.Cluster),
			group("VMs", VMs, names(inv.FilterVMs(vsphere.Filter{Host: h.Name}), func(v vsphere.VM) string { return v.Name })),
			group("datastores", Datastores, h.Datastores), group("networks", Networks, h.Networks),
		}}
	case "ClusterComputeResource":
		c, ok := find(inv.Clusters, ref, ClusterList().Ref)
		if !ok {
			return Node{}, false
		}
		f := vsphere.Filter{Cluster: c.Name}
		root = Node{Kind: Clusters, Key: c.Name, Text: "cluster " + c.Name, Children: []Node{
			group("hosts", Hosts, names(inv.FilterHosts(f), func(h vsphere.Host) string { return h.Name })),
			rules(a.Nearby),
			group("datastores", Datastores, names(inv.FilterDatastores(f), func(d vsphere.Datastore) string { return d.Name })),
		}}
	default:
		return Node{}, false
	}
	if a.Alarms != nil {
		root.Children = append(root.Children, texts("alarms", a.Alarms))
	}
	root.Children = append(root.Children, tasksOf(a.Tasks, ref), eventsOf(a.Nearby.Events))
	return root, true
}

// find returns the row of rows whose object is ref.
func find[T any](rows []T, ref vsphere.Ref, refOf func(T) vsphere.Ref) (T, bool) {
	i := slices.IndexFunc(rows, func(r T) bool { return refOf(r) == ref })
	if i < 0 {
		var zero T
		return zero, false
	}
	return rows[i], true
}

// one is a heading with the single object name of kind, if any.
func one(heading, kind, name string) Node {
	if name == "" {
		return Node{Text: heading + ": none"}
	}
	return Node{Kind: kind, Key: name, Text: heading + " " + name}
}

// group is a heading with the objects of kind named names.
func group(heading, kind string, names []string) Node {
	n := Node{Text: fmt.Sprintf("%s (%d)", heading, len(names))}
	for _, name := range names {
		n.Children = append(n.Children, Node{Kind: kind, Key: name, Text: name})
	}
	return n
}

// texts is a heading with lines that lead nowhere.
func texts(heading string, lines []string) Node {
	n := Node{Text: fmt.Sprintf("%s (%d)", heading, len(lines))}
	for _, l := range lines {
		n.Children = append(n.Children, Node{Text: l})
	}
	return n
}

func names[T any](rows []T, name func(T) string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = name(r)
	}
	return out
}

func rules(s vsphere.Surroundings) Node {
	return texts("rules", names(s.Rules, func(r clusterspec.Rule) string { return r.Name + ": " + r.String() }))
}

func snapshots(s vsphere.Surroundings) Node {
	return texts("snapshots", names(s.Snapshots, func(sn vsphere.SnapshotNode) string {
		line := fmt.Sprintf("%*s%s  %s", 2*sn.Depth, "", sn.Name, stamp(sn.Created))
		if sn.Current {
			line += "  (current)"
		}
		return line
	}))
}

// tasksOf is the recent tasks on the object ref, newest first.
func tasksOf(tasks []vsphere.Task, ref vsphere.Ref) Node {
	var mine []vsphere.Task
	for _, t := range tasks {
		if t.TargetRef == ref {
			mine = append(mine, t)
		}
	}
	n := Node{Text: fmt.Sprintf("recent tasks (%d)", len(mine))}
	for _, t := range mine {
		n.Children = append(n.Children, Node{Kind: Tasks, Key: t.ID, Text: taskLine(t)})
	}
	return n
}

// taskLine is a task in one line: when, what, how far, by whom.
func taskLine(t vsphere.Task) string {
	line := clock(t.Queued) + "  " + t.Name + "  " + progressBar(t)
	if t.User != "" {
		line += "  " + t.User
	}
	if t.Error != "" {
		line += "  " + t.Error
	}
	return line
}

func eventsOf(events []vsphere.Event) Node {
	n := Node{Text: fmt.Sprintf("events (%d)", len(events))}
	for _, e := range events {
		n.Children = append(n.Children, Node{Kind: Events, Key: itoa(e.Key), Text: clock(e.Time) + "  " + e.Message})
	}
	return n
}

// History is the newest n recent tasks and n events about the object
// ref, for its detail pane, from the task list and the events the caller
// follows.
func History(tasks []vsphere.Task, events []vsphere.Event, ref vsphere.Ref, n int) []Field {
	var out []Field
	for _, t := range firstOf(tasksOf(tasks, ref).Children, n) {
		out = append(out, Field{Label: "Task", Value: t.Text})
	}
	mine := slices.DeleteFunc(slices.Clone(events), func(e vsphere.Event) bool { return e.ObjectRef != ref })
	for _, e := range firstOf(eventsOf(mine).Children, n) {
		out = append(out, Field{Label: "Event", Value: e.Text})
	}
	return out
}

func firstOf[T any](s []T, n int) []T { return s[:min(n, len(s))] }
