package kinds

import (
	"context"
	"path"
	"slices"
	"strings"

	"github.com/vtui/vtui/vsphere"
)

// Kind names, as vtui get takes them and as JSON and the views name them;
// they are stable.
const (
	Clusters   = "clusters"
	Hosts      = "hosts"
	VMs        = "vms"
	Datastores = "datastores"
	Networks   = "networks"
	Tasks      = "tasks"
	Events     = "events"
	Alarms     = "alarms"
	Snapshots  = "snapshots"
)

// Column is one column of rows of type T: the same in the terminal UI and
// in vtui get's table.
type Column[T any] struct {
	// Title is the header text; it is also what the sort key names.
	Title string
	// Width is the column's minimum width in the terminal UI.
	Width int
	// Right aligns numbers.
	Right bool
	// Grow makes this column, rather than the first, take the spare width.
	Grow bool
	// GiveWay orders which columns a narrow terminal hides first: the
	// highest, and among equals the rightmost.
	GiveWay int
	// Cell renders a row's value for this column.
	Cell func(T) string
	// Compare orders two rows by this column; nil compares the cells as text.
	Compare func(a, b T) int
}

// Field is one line of a row's detail: a label and its value.
type Field struct{ Label, Value string }

// Def is a kind's entry, typed by its row. The terminal UI builds its
// views from it; Kind is the same entry for callers that walk every kind.
type Def[T any] struct {
	// Name is the canonical plural, stable: vtui get's argument.
	Name string
	// Aliases are the other names ":" and vtui get accept; the first is
	// what the terminal UI's completion offers.
	Aliases []string
	// Load is what listing the kind with a filter loads; nil for streams.
	Load func(f vsphere.Filter) vsphere.Load
	// Rows picks the kind's rows from an inventory; nil for streams.
	Rows func(inv *vsphere.Inventory, f vsphere.Filter) []T
	// Recent reads the newest n rows of a stream (tasks, events), with
	// only the given event types if any; nil for inventory kinds.
	Recent func(ctx context.Context, c *vsphere.Client, n int, types []string) ([]T, error)
	// Whole says a stream is current state rather than history (the
	// triggered alarms): vtui get lists all of it unless -n is given.
	Whole bool
	// About is the name of the object a stream's row is about, which vtui
	// get's NAME-GLOB matches; nil for inventory kinds.
	About func(T) string
	// Key identifies a row; it keeps the selection across updates.
	Key func(T) string
	// Ref is the managed object a row shows, which describe reads and
	// the related-objects tree starts from; nil for rows that are none.
	Ref func(T) vsphere.Ref
	// Columns are how a row reads in the terminal UI and in vtui get.
	Columns []Column[T]
	// Printed are vtui get's columns where they differ from the view's
	// (full timestamps rather than clocks); nil means Columns.
	Printed []Column[T]
	// SortBy and SortDesc set the view's first sort; "" sorts by the
	// first column.
	SortBy   string
	SortDesc bool
	// JSON are the field names of a row in vtui get -o json and -o yaml,
	// in order: a stable contract, which the row type's tags spell.
	JSON []string
	// Detail is the detail pane of a row; nil means none.
	Detail func(inv *vsphere.Inventory, row T) []Field
}

// Kind is one kind of object vtui lists, with its rows erased to any:
// each row is a pointer to the Def's row type.
type Kind struct {
	// Name is the canonical plural, stable: vtui get's argument.
	Name string
	// Aliases are the other names ":" and vtui get accept; the first is
	// what the terminal UI's completion offers.
	Aliases []string
	// Stream is set for tasks, events and alarms: the terminal UI follows
	// them live, vtui get reads the recent ones.
	Stream bool
	// Load is what listing the kind with a filter loads; nil for streams.
	Load func(f vsphere.Filter) vsphere.Load
	// Rows picks the kind's rows from an inventory; nil for streams.
	Rows func(inv *vsphere.Inventory, f vsphere.Filter) []any
	// Recent reads the newest n rows of a stream; nil for inventory kinds.
	Recent func(ctx context.Context, c *vsphere.Client, n int, types []string) ([]any, error)
	// Whole is Def.Whole.
	Whole bool
	// About is the object a stream's row is about; nil for inventory kinds.
	About func(row any) string
	// Key identifies a row: its object's name, or a stream row's ID.
	Key func(row any) string
	// Ref is the managed object a row shows; nil for rows that are none.
	Ref func(row any) vsphere.Ref
	// Printed are vtui get's columns.
	Printed []Column[any]
	// JSON are a row's field names in vtui get -o json and -o yaml.
	JSON []string
}

// Kind erases d's row type.
func (d Def[T]) Kind() Kind {
	k := Kind{Name: d.Name, Aliases: d.Aliases, Stream: d.Recent != nil, Whole: d.Whole, Load: d.Load, JSON: d.JSON}
	if d.Rows != nil {
		k.Rows = func(inv *vsphere.Inventory, f vsphere.Filter) []any { return erase(d.Rows(inv, f)) }
	}
	if d.Recent != nil {
		k.Recent = func(ctx context.Context, c *vsphere.Client, n int, types []string) ([]any, error) {
			rows, err := d.Recent(ctx, c, n, types)
			return erase(rows), err
		}
	}
	if d.About != nil {
		k.About = func(row any) string { return d.About(*row.(*T)) }
	}
	k.Key = func(row any) string { return d.Key(*row.(*T)) }
	if d.Ref != nil {
		k.Ref = func(row any) vsphere.Ref { return d.Ref(*row.(*T)) }
	}
	printed := d.Printed
	if printed == nil {
		printed = d.Columns
	}
	for _, c := range printed {
		k.Printed = append(k.Printed, Column[any]{Title: c.Title, Width: c.Width, Right: c.Right, Grow: c.Grow,
			Cell: func(row any) string { return c.Cell(*row.(*T)) }})
	}
	return k
}

// Newest reads the newest n rows of a stream whose object (About)
// matches the glob name, newest first; every row matches an empty name.
// With a name it reads the most the server serves (vsphere.MaxEvents) and
// filters those, so that n counts matching rows. An invalid pattern
// matches nothing.
func (k Kind) Newest(ctx context.Context, c *vsphere.Client, name string, n int, types []string) ([]any, error) {
	read := n
	if name != "" {
		read = vsphere.MaxEvents
	}
	rows, err := k.Recent(ctx, c, read, types)
	if err != nil {
		return nil, err
	}
	rows = slices.DeleteFunc(rows, func(row any) bool {
		ok, _ := path.Match(name, k.About(row))
		return name != "" && !ok
	})
	return rows[:min(len(rows), n)], nil
}

// erase returns pointers to rows, boxed: boxing a pointer allocates
// nothing.
func erase[T any](rows []T) []any {
	out := make([]any, len(rows))
	for i := range rows {
		out[i] = &rows[i]
	}
	return out
}

// All returns every kind, in the order help lists them.
func All() []Kind {
	return []Kind{
		ClusterList().Kind(), HostList().Kind(), VMList().Kind(), DatastoreList().Kind(),
		NetworkList().Kind(), TaskList().Kind(), EventList().Kind(), AlarmList().Kind(), SnapshotList().Kind(),
	}
}

// Lookup returns the kind that name names, by its canonical name or an
// alias, in any case.
func Lookup(name string) (Kind, bool) {
	name = strings.ToLower(name)
	for _, k := range All() {
		if k.Name == name {
			return k, true
		}
		for _, a := range k.Aliases {
			if a == name {
				return k, true
			}
		}
	}
	return Kind{}, false
}
