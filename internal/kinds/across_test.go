package kinds_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/vtui/vtui/internal/kinds"
	"github.com/vtui/vtui/vsphere"
)

// TestAcrossContextsPutsTheContextFirst: the entry across contexts has a
// CONTEXT column, then the kind's; its keys tell the contexts' rows
// apart; it sorts by the kind's first sort; the name column, not CONTEXT,
// takes the spare width unless a column of the kind does; the detail
// names the context; JSON has a context field first; columns keep their
// own order.
func TestAcrossContextsPutsTheContextFirst(t *testing.T) {
	vm := vsphere.VM{Name: "web-01", PowerState: "poweredOn", Ref: vsphere.Ref{Type: "VirtualMachine", Value: "vm-42"}}
	d := kinds.AcrossContexts(kinds.VMList())
	row := kinds.Tagged[*vsphere.VM]{Context: "prod", Row: &vm}
	var titles, cells []string
	for _, c := range d.Columns {
		titles = append(titles, c.Title)
		cells = append(cells, c.Cell(row))
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"titles", titles[:3], []string{"CONTEXT", "NAME", "POWER"}},
		{"cells", cells[:3], []string{"prod", "web-01", "poweredOn"}},
		{"CONTEXT grows", d.Columns[0].Grow, false},
		{"NAME grows", d.Columns[1].Grow, true},
		{"sort", d.SortBy, "NAME"},
		{"key", d.Key(row), "prod/web-01"},
		{"key in another context", d.Key(kinds.Tagged[*vsphere.VM]{Context: "lab", Row: &vm}), "lab/web-01"},
		{"ref", d.Ref(row), vm.Ref},
		{"detail", d.Detail(&vsphere.Inventory{}, row)[:2], []kinds.Field{{"Context", "prod"}, {"VM", "web-01"}}},
		{"json", d.JSON[:3], []string{"context", "id", "name"}},
		{"rows", d.Rows == nil && d.Recent == nil, true},
	}
	for _, c := range checks {
		if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
			t.Errorf("AcrossContexts(VMList()) %s = %v; want %v", c.what, c.got, c.want)
		}
	}

	// A kind with a growing column of its own keeps it growing.
	snaps := kinds.AcrossContexts(kinds.SnapshotList())
	var growing []string
	for _, c := range snaps.Columns {
		if c.Grow {
			growing = append(growing, c.Title)
		}
	}
	if !slices.Equal(growing, []string{"DESCRIPTION"}) {
		t.Errorf("AcrossContexts(SnapshotList()) growing columns = %v; want [DESCRIPTION]", growing)
	}
	// A column's own order holds across contexts.
	cpus := d.Columns[slices.IndexFunc(d.Columns, func(c kinds.Column[kinds.Tagged[*vsphere.VM]]) bool { return c.Title == "CPUS" })]
	small, big := kinds.Tagged[*vsphere.VM]{Row: &vsphere.VM{NumCPU: 2}}, kinds.Tagged[*vsphere.VM]{Row: &vsphere.VM{NumCPU: 16}}
	if cpus.Compare == nil || cpus.Compare(small, big) >= 0 {
		t.Errorf("CPUS across contexts does not order 2 before 16 by number")
	}
}
