package vsphere

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// MaxDescription is the most bytes of properties, counted as JSON, that
// Describe hands out for one object; the properties past it (in name
// order) are named in Description.Omitted instead.
const MaxDescription = 4 << 20

// Description is every property of one managed object, as govc
// object.collect shows it, in plain data: each value is a
// map[string]any, []any, string, int64, float64, bool or nil, with the
// field names of the vSphere API (the JSON names of its Web Services
// binding), so that it encodes as JSON or YAML as it is.
type Description struct {
	// Type and ID name the object, e.g. "VirtualMachine" and "vm-42".
	Type string `json:"type" yaml:"type"`
	ID   string `json:"id" yaml:"id"`
	// Properties are the object's properties by name.
	Properties map[string]any `json:"properties" yaml:"properties"`
	// Omitted are the properties left out to keep the description within
	// MaxDescription, in name order.
	Omitted []string `json:"omitted,omitempty" yaml:"omitted,omitempty"`
	// Unreadable are the properties the server could not read, with why.
	Unreadable map[string]string `json:"unreadable,omitempty" yaml:"unreadable,omitempty"`
}

// Describe reads every property of the object ref in one retrieval, the
// way govc object.collect does, and converts them to plain data of at
// most max bytes (MaxDescription when max is zero or less).
func (c *Client) Describe(ctx context.Context, ref Ref, max int) (*Description, error) {
	if max <= 0 {
		max = MaxDescription
	}
	spec := types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: mo.ToMoRef(ref)}},
		PropSet:   []types.PropertySpec{{Type: ref.Type, All: types.NewBool(true)}},
	}
	var props []types.DynamicProperty
	d := &Description{Type: ref.Type, ID: ref.Value, Properties: map[string]any{}}
	err := conn.Retrieve(ctx, c.conn, spec, func(oc types.ObjectContent) {
		props = append(props, oc.PropSet...)
		for _, m := range oc.MissingSet {
			if d.Unreadable == nil {
				d.Unreadable = map[string]string{}
			}
			d.Unreadable[m.Path] = faultMessage(&m.Fault)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("describe %s %s on %s: %w", ref.Type, ref.Value, c.Host(), err)
	}
	if len(props) == 0 && d.Unreadable == nil {
		return nil, fmt.Errorf("describe %s %s on %s: no such object (it may have been removed); list the kind again", ref.Type, ref.Value, c.Host())
	}
	slices.SortFunc(props, func(a, b types.DynamicProperty) int { return strings.Compare(a.Name, b.Name) })
	size := 0
	for _, p := range props {
		raw, err := json.Marshal(p.Val)
		if err != nil {
			return nil, fmt.Errorf("describe %s %s: property %s: %w", ref.Type, ref.Value, p.Name, err)
		}
		if size+len(raw) > max {
			d.Omitted = append(d.Omitted, p.Name)
			continue
		}
		size += len(raw)
		if d.Properties[p.Name], err = plainData(raw); err != nil {
			return nil, fmt.Errorf("describe %s %s: property %s: %w", ref.Type, ref.Value, p.Name, err)
		}
	}
	return d, nil
}

// plainData decodes JSON into plain data: whole numbers as int64, so that
// sizes in bytes stay exact, and govmomi's ArrayOf wrappers ({"_value":
// [...]}) as their lists.
func plainData(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return unwrap(v), nil
}

func unwrap(v any) any {
	switch v := v.(type) {
	case map[string]any:
		if inner, ok := v["_value"]; ok && len(v) == 1 {
			return unwrap(inner)
		}
		for k, x := range v {
			v[k] = unwrap(x)
		}
		return v
	case []any:
		for i, x := range v {
			v[i] = unwrap(x)
		}
		return v
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n
		}
		f, _ := v.Float64()
		return f
	}
	return v
}
