package kinds

import (
	"cmp"
	"strings"
	"time"

	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/vsphere"
)

// SnapshotList is the snapshots entry: every VM's snapshots, read from
// the VMs' snapshot property, with their sizes from the file layouts of
// the VMs that have snapshots ("-" for a size not loaded). The name glob
// and the --cluster and --host filters select the VMs.
func SnapshotList() Def[vsphere.Snapshot] {
	created := func(s vsphere.Snapshot) string {
		if s.Created.IsZero() {
			return "-"
		}
		return s.Created.Local().Format("2006-01-02 15:04")
	}
	columns := func(when func(vsphere.Snapshot) string) []Column[vsphere.Snapshot] {
		return []Column[vsphere.Snapshot]{
			{Title: "VM", Width: 16, Cell: func(s vsphere.Snapshot) string { return s.VM }},
			{Title: "NAME", Width: 18, Cell: func(s vsphere.Snapshot) string { return snapshotName(s) }},
			{Title: "CREATED", Width: 16, Cell: when, Compare: byCreated},
			{Title: "AGE", Width: 4, Right: true, Cell: func(s vsphere.Snapshot) string { return age(s.Created) }, Compare: byCreated},
			{Title: "SIZE", Width: 9, Right: true, Cell: func(s vsphere.Snapshot) string { return size(s.SizeBytes) },
				Compare: byInt(func(s vsphere.Snapshot) int64 { return s.SizeBytes })},
			{Title: "CURRENT", Width: 7, Cell: func(s vsphere.Snapshot) string { return format.YesNo(s.Current) }},
			{Title: "DESCRIPTION", Width: 20, Grow: true, Cell: func(s vsphere.Snapshot) string { return format.Dash(oneLine(s.Description)) }},
		}
	}
	return Def[vsphere.Snapshot]{
		Name: Snapshots, Aliases: []string{"snapshot", "snap"},
		Load: func(f vsphere.Filter) vsphere.Load {
			l := vsphere.Load{VMs: vsphere.Names, Snapshots: vsphere.Rows}
			if f.Cluster != "" || f.Host != "" {
				l.VMs = vsphere.Rows // their placement
			}
			return vsphere.Listing(l, f)
		},
		Rows:    (*vsphere.Inventory).FilterSnapshots,
		Key:     func(s vsphere.Snapshot) string { return s.VMRef.Value + "/" + s.ID },
		Columns: columns(created),
		Printed: columns(func(s vsphere.Snapshot) string { return stamp(s.Created) }),
		SortBy:  "VM",
		JSON:    []string{"id", "vm", "name", "description", "created", "parent", "current", "power_state", "quiesced", "size_bytes"},
		Detail: func(_ *vsphere.Inventory, s vsphere.Snapshot) []Field {
			return fields(
				"VM", s.VM, "Snapshot", s.Name, "ID", s.ID, "Description", format.Dash(s.Description),
				"Created", stamp(s.Created), "Age", age(s.Created), "Parent", format.Dash(s.Parent),
				"Current", format.YesNo(s.Current), "Power state", format.Dash(s.PowerState),
				"Quiesced", format.YesNo(s.Quiesced), "Size", size(s.SizeBytes),
			)
		},
	}
}

// snapshotTree is a VM's snapshots as its detail pane draws them: a
// count, then a line each, oldest first, a child indented under its
// parent, with the day it was taken, the current one marked.
func snapshotTree(v vsphere.VM) []Field {
	snaps := v.Snapshots()
	if len(snaps) == 0 {
		return fields("Snapshots", "none")
	}
	out := fields("Snapshots", itoa(len(snaps)))
	for _, s := range snaps {
		line := s.Name + "  " + s.Created.Local().Format(time.DateOnly)
		if s.Depth > 0 {
			line = strings.Repeat("  ", s.Depth-1) + "└ " + line
		}
		if s.Current {
			line += "  ◀ current"
		}
		out = append(out, Field{Value: line})
	}
	return out
}

// snapshotName is a snapshot's name, "*" marking the current one.
func snapshotName(s vsphere.Snapshot) string {
	if s.Current {
		return s.Name + " *"
	}
	return s.Name
}

func byCreated(a, b vsphere.Snapshot) int {
	return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.ID, b.ID))
}

// age is how long ago t was; "-" for none.
func age(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return format.Age(time.Since(t))
}

// size renders a snapshot's size; "-" when it was not loaded.
func size(n int64) string {
	if n < 0 {
		return "-"
	}
	return format.Bytes(n)
}

// oneLine keeps the first line of a description.
func oneLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
