package main

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vtui/vtui/internal/kinds"
	"github.com/vtui/vtui/vsphere"
)

// describeKinds names the kinds describe takes: those whose rows are
// inventory objects.
func describeKinds() []kinds.Kind {
	var out []kinds.Kind
	for _, k := range kinds.All() {
		if k.Ref != nil && k.Rows != nil {
			out = append(out, k)
		}
	}
	return out
}

func newDescribeCmd(a *app) *cobra.Command {
	var names []string
	for _, k := range describeKinds() {
		names = append(names, k.Name)
	}
	return &cobra.Command{
		Use:   "describe KIND NAME",
		Short: "Show every property of one object, as govc object.collect does",
		Long: `Show every property of one object, read from vCenter in one request, with
the vSphere API's field names: YAML for people (the default), -o json for
scripts. The terminal UI shows the same with y on a row.

KIND is one of: ` + strings.Join(names, ", ") + ` (singular forms work too).
NAME is the object's inventory path (/dc-01/vm/web-01), its ID (vm-101)
or its name; a name several objects share is refused with their IDs and
paths. At most 4 MiB of properties are shown; those past it are listed
under "omitted".`,
		Example: `  vtui describe vm web-01
  vtui describe host esx-a-01.lab.local -o json
  vtui describe cluster domain-c7`,
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: completeKind,
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, ok := kinds.Lookup(args[0])
			if !ok || kind.Ref == nil || kind.Rows == nil {
				return usageErrorf("describe takes one of %s, not %q", strings.Join(names, ", "), args[0])
			}
			c, err := a.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close(context.WithoutCancel(cmd.Context()))
			d, err := describeObject(cmd.Context(), c, kind, args[1])
			if err != nil {
				return err
			}
			out := a.settings.Output
			if out != outputJSON {
				out = outputYAML
			}
			return writeValue(cmd.OutOrStdout(), out, d)
		},
	}
}

// describeObject resolves name among the objects of kind, as the other
// commands resolve names, and reads all its properties.
func describeObject(ctx context.Context, c *vsphere.Client, kind kinds.Kind, name string) (*vsphere.Description, error) {
	inv, err := c.InventoryFor(ctx, kind.Load(vsphere.Filter{}))
	if err != nil {
		return nil, err
	}
	row, err := vsphere.Object(ctx, vsphere.NewResolver(c, inv), name, "describe", strings.TrimSuffix(kind.Name, "s"), kind.Name,
		kind.Rows(inv, vsphere.Filter{}), kind.Key, kind.Ref)
	if vsphere.IsBadName(err) {
		return nil, usageError{err}
	}
	if err != nil {
		return nil, err
	}
	return c.Describe(ctx, kind.Ref(row), 0)
}
