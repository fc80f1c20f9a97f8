package conn

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

// Retrieve runs one RetrievePropertiesEx and follows its continuation
// tokens, handing each object to fn as it is decoded.
func Retrieve(ctx context.Context, c *Conn, spec types.PropertyFilterSpec, fn func(types.ObjectContent)) error {
	pc := c.vim.ServiceContent.PropertyCollector
	res, err := methods.RetrievePropertiesEx(ctx, c.vim, &types.RetrievePropertiesEx{
		This:    pc,
		SpecSet: []types.PropertyFilterSpec{spec},
	})
	if err != nil {
		return err
	}
	for r := res.Returnval; r != nil; {
		for _, oc := range r.Objects {
			fn(oc)
		}
		if r.Token == "" {
			return nil
		}
		next, err := methods.ContinueRetrievePropertiesEx(ctx, c.vim, &types.ContinueRetrievePropertiesEx{This: pc, Token: r.Token})
		if err != nil {
			return err
		}
		r = &next.Returnval
	}
	return nil
}

// Follow streams what spec selects through a property collector of its
// own (WaitForUpdatesEx), handing each update set to fn, until fn or the
// server fails or ctx ends. maxObjects bounds one update set, zero leaves
// it to the server; truncated says more of the same load follows at once.
// The collector is destroyed on return.
func Follow(ctx context.Context, c *Conn, spec types.PropertyFilterSpec, maxObjects int32,
	fn func(updates []types.ObjectUpdate, truncated bool) error) error {
	return WithCollector(ctx, c, func(pc *property.Collector) error {
		if _, err := pc.CreateFilter(ctx, types.CreateFilter{Spec: spec}); err != nil {
			return fmt.Errorf("create property filter: %w", err)
		}
		wo := &property.WaitOptions{}
		if maxObjects > 0 {
			wo.Options = &types.WaitOptions{MaxObjectUpdates: maxObjects}
		}
		var fnErr error
		err := pc.WaitForUpdatesEx(ctx, wo, func(updates []types.ObjectUpdate) bool {
			fnErr = fn(updates, wo.Truncated)
			return fnErr != nil
		})
		switch {
		case fnErr != nil:
			return fnErr
		case err != nil:
			return fmt.Errorf("wait for updates: %w", err)
		}
		return nil
	})
}

// DestroyCollector destroys a history collector on a context of its own,
// since the caller's is often cancelled by then; servers allow only a few
// collectors per session. A failure is logged: the session's end removes
// the collector anyway.
func DestroyCollector(c *Conn, col types.ManagedObjectReference) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := methods.DestroyCollector(ctx, c.vim, &types.DestroyCollector{This: col}); err != nil {
		c.log.Debug("could not destroy history collector", "collector", col.Value, "err", err)
	}
}

// WaitFor waits, through property updates, until obj's property path has
// the value want; it fails when ctx ends first.
func WaitFor(ctx context.Context, c *Conn, obj types.ManagedObjectReference, path string, want any) error {
	reached := false
	err := WithCollector(ctx, c, func(pc *property.Collector) error {
		return property.Wait(ctx, pc, obj, []string{path}, func(changes []types.PropertyChange) bool {
			for _, ch := range changes {
				if ch.Val == want {
					reached = true
				}
			}
			return reached
		})
	})
	if err == nil && !reached {
		// A cancelled wait returns CancelWaitForUpdates's nil error.
		err = cmp.Or(ctx.Err(), fmt.Errorf("the wait ended before %s became %v", path, want))
	}
	return err
}
