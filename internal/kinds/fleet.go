package kinds

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/vtui/vtui/internal/fleet"
	"github.com/vtui/vtui/vsphere"
)

// Query is one listing vtui get asks of a vCenter: the rows of an
// inventory kind that a filter selects, or the newest rows of a stream.
type Query struct {
	Kind   Kind
	Filter vsphere.Filter
	// N is at most how many rows of a stream; inventory kinds ignore it.
	N int
	// Types are the event types to list, none for all (events only).
	Types []string
}

// FilterError is a filter that does not fit the inventory asked: an
// invalid glob, or a cluster or host it names that is not there
// (wrapping vsphere.ErrNotFound). It is bad input, not a failure.
type FilterError struct{ Err error }

func (e *FilterError) Error() string { return e.Err.Error() }
func (e *FilterError) Unwrap() error { return e.Err }

// Rows asks c for q's rows, in the kind's order (inventory by name,
// streams newest first). A filter that does not fit c's inventory is a
// *FilterError.
func (q Query) Rows(ctx context.Context, c *vsphere.Client) ([]any, error) {
	if q.Kind.Stream {
		return q.Kind.Newest(ctx, c, q.Filter.Name, q.N, q.Types)
	}
	inv, err := c.InventoryFor(ctx, q.Kind.Load(q.Filter))
	if err != nil {
		return nil, err
	}
	if err := q.Filter.Validate(inv); err != nil {
		return nil, &FilterError{err}
	}
	return q.Kind.Rows(inv, q.Filter), nil
}

// Connector logs in to the named context of the config file; the caller
// closes the client. It must not ask anyone for anything: it runs for
// many contexts at once.
type Connector func(ctx context.Context, name string) (*vsphere.Client, error)

// closeTimeout bounds the logout after a context's answer, which a
// vCenter that has stopped answering would otherwise hold up.
const closeTimeout = 5 * time.Second

// Across asks every context in names for q's rows at once, within opts:
// each logs in with connect, lists, and logs out. It returns one result
// per context, in the order of names, whether it answered, failed or ran
// past opts.Timeout (see fleet.Each); Merge puts them together.
func (q Query) Across(ctx context.Context, names []string, opts fleet.Options, connect Connector) []fleet.Result[[]any] {
	return fleet.Each(ctx, names, opts, func(ctx context.Context, name string) ([]any, error) {
		c, err := connect(ctx, name)
		if err != nil {
			return nil, err
		}
		defer func() {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), closeTimeout)
			defer cancel()
			_ = c.Close(cctx) // the rows are in hand; a failed logout only leaves a session to expire
		}()
		return q.Rows(ctx, c)
	})
}

// Tagged is a row of a listing across contexts: the row and the name of
// the context it came from. It encodes as the row's own JSON or YAML
// object with a "context" field first.
type Tagged[T any] struct {
	Context string
	Row     T
}

// MarshalJSON writes the row's object with "context" as its first field.
func (t Tagged[T]) MarshalJSON() ([]byte, error) {
	row, err := json.Marshal(t.Row)
	if err != nil {
		return nil, err
	}
	if len(row) < 2 || row[0] != '{' {
		return nil, fmt.Errorf("tag a row of context %s: it encodes as %.20s, not an object", t.Context, row)
	}
	name, err := json.Marshal(t.Context)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(`{"context":`)
	b.Write(name)
	if rest := bytes.TrimSpace(row[1:]); len(rest) > 0 && rest[0] != '}' {
		b.WriteByte(',')
	}
	b.Write(row[1:])
	return b.Bytes(), nil
}

// MarshalYAML returns the row's mapping with a "context" key first.
func (t Tagged[T]) MarshalYAML() (any, error) {
	var n yaml.Node
	if err := n.Encode(t.Row); err != nil {
		return nil, err
	}
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("tag a row of context %s: it encodes as YAML kind %d, not a mapping", t.Context, n.Kind)
	}
	key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "context"}
	val := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t.Context}
	n.Content = append([]*yaml.Node{key, val}, n.Content...)
	n.Style &^= yaml.FlowStyle // an empty row's {} now has a key
	return &n, nil
}

// ContextTitle is the title of the column that names a row's context.
const ContextTitle = "CONTEXT"

// WithContext returns cols for rows tagged by context: a CONTEXT column
// first, then cols reading the row.
func WithContext[T any](cols []Column[T]) []Column[Tagged[T]] {
	out := make([]Column[Tagged[T]], 0, len(cols)+1)
	out = append(out, Column[Tagged[T]]{Title: ContextTitle, Width: 10, Cell: func(t Tagged[T]) string { return t.Context }})
	for _, c := range cols {
		tc := Column[Tagged[T]]{Title: c.Title, Width: c.Width, Right: c.Right, Grow: c.Grow, GiveWay: c.GiveWay,
			Cell: func(t Tagged[T]) string { return c.Cell(t.Row) }}
		if c.Compare != nil {
			tc.Compare = func(a, b Tagged[T]) int { return c.Compare(a.Row, b.Row) }
		}
		out = append(out, tc)
	}
	return out
}

// Merge puts the answers of a listing across contexts together: the rows
// of each context that answered, tagged with its name, grouped by context
// in the order of results and each in the kind's order; and the results
// of the contexts that failed, apart. A context lacking the cluster or
// host the filter names answered no rows, unless every context lacks it:
// then Merge returns that *FilterError, for the filter fits no context.
func Merge[T any](results []fleet.Result[[]T]) (rows []Tagged[T], failed []fleet.Result[[]T], err error) {
	lacking, n := 0, 0
	var lack *FilterError
	for _, r := range results {
		n += len(r.Value)
	}
	rows = make([]Tagged[T], 0, n) // once: the terminal UI merges 3 × 45,000 VMs on every live change
	for _, r := range results {
		var fe *FilterError
		switch {
		case errors.As(r.Err, &fe) && errors.Is(fe, vsphere.ErrNotFound):
			lacking++
			lack = fe
		case r.Err != nil:
			failed = append(failed, r)
		default:
			for _, row := range r.Value {
				rows = append(rows, Tagged[T]{Context: r.Context, Row: row})
			}
		}
	}
	if lacking > 0 && lacking == len(results) {
		return nil, nil, &FilterError{fmt.Errorf("in none of the %d contexts: %w", lacking, lack.Err)}
	}
	return rows, failed, nil
}
