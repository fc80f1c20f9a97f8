package kinds

import "github.com/vtui/vtui/vsphere"

// AcrossContexts returns d's entry for rows tagged by context (the
// terminal UI's :vm @all). A row points into its context's rows, which
// are never changed once listed, so that merging 3 × 45,000 VMs on each
// live change copies no VM. It has a CONTEXT column first, then d's
// columns (WithContext), of which the first takes the spare width unless
// another of d's does; the first sort is d's (by name unless d says
// otherwise), so an object's rows in each context come together, in the
// order of the contexts. A row's key is its context's name, a slash and
// d's key, unique across contexts; its Ref is valid only in its own
// context. Detail names the context, and takes the inventory of the row's
// own context. d's Rows and Recent are left out: each context's rows come
// from that context, and Merge tags and groups them.
func AcrossContexts[T any](d Def[T]) Def[Tagged[*T]] {
	out := Def[Tagged[*T]]{
		Name: d.Name, Aliases: d.Aliases, Load: d.Load, Whole: d.Whole,
		SortBy: d.SortBy, SortDesc: d.SortDesc,
		Key:     func(r Tagged[*T]) string { return r.Context + "/" + d.Key(*r.Row) },
		JSON:    append([]string{"context"}, d.JSON...),
		Columns: WithContext(pointed(d.Columns)),
	}
	if d.Printed != nil {
		out.Printed = WithContext(pointed(d.Printed))
	}
	if len(d.Columns) > 0 {
		grows := false
		for _, c := range d.Columns {
			grows = grows || c.Grow
		}
		out.Columns[1].Grow = !grows // as the name grew before CONTEXT came first
		if out.SortBy == "" {
			out.SortBy = d.Columns[0].Title
		}
	}
	if d.About != nil {
		out.About = func(r Tagged[*T]) string { return d.About(*r.Row) }
	}
	if d.Ref != nil {
		out.Ref = func(r Tagged[*T]) vsphere.Ref { return d.Ref(*r.Row) }
	}
	if d.Detail != nil {
		out.Detail = func(inv *vsphere.Inventory, r Tagged[*T]) []Field {
			return append([]Field{{Label: "Context", Value: r.Context}}, d.Detail(inv, *r.Row)...)
		}
	}
	return out
}

// pointed returns cols reading rows through pointers.
func pointed[T any](cols []Column[T]) []Column[*T] {
	out := make([]Column[*T], len(cols))
	for i, c := range cols {
		out[i] = Column[*T]{Title: c.Title, Width: c.Width, Right: c.Right, Grow: c.Grow, GiveWay: c.GiveWay,
			Cell: func(r *T) string { return c.Cell(*r) }}
		if c.Compare != nil {
			out[i].Compare = func(a, b *T) int { return c.Compare(*a, *b) }
		}
	}
	return out
}
