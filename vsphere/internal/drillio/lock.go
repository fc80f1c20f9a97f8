package drillio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// drillLockField is the custom attribute on a cluster that says a drill
// runs on it: every vtui, on any machine, sees it in vCenter.
const drillLockField = "vtui.drill.lock"

// Lock says who holds a cluster's drill lock, and until when. An
// expired lock (its holder died) is free.
type Lock struct {
	Holder  string    `json:"holder"`
	Expires time.Time `json:"expires"`
}

// Free reports whether the lock is free at now: nobody holds it, or its
// holder let it expire.
func (l Lock) Free(now time.Time) bool { return l.Holder == "" || now.After(l.Expires) }

// Describe names the lock's holder and its expiry, as of now, for people:
// "nightly (vtui on ci-7, pid 42), until 2026-12-07T03:00:00Z (expired
// 4m0s ago)".
func (l Lock) Describe(now time.Time) string {
	when := fmt.Sprintf("expires in %s", l.Expires.Sub(now).Round(time.Second))
	if l.Free(now) {
		when = fmt.Sprintf("expired %s ago", now.Sub(l.Expires).Round(time.Second))
	}
	return fmt.Sprintf("%s, until %s (%s)", l.Holder, l.Expires.UTC().Format(time.RFC3339), when)
}

// ReadLock reads the cluster's drill lock; the zero Lock if none.
func ReadLock(ctx context.Context, c *conn.Conn, cluster mo.Ref) (Lock, error) {
	key, found, err := lockFieldKey(ctx, c, false)
	if err != nil || !found {
		return Lock{}, err
	}
	var lock Lock
	spec := types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: mo.ToMoRef(cluster)}},
		PropSet:   []types.PropertySpec{{Type: "ClusterComputeResource", PathSet: []string{"customValue"}}},
	}
	err = conn.Retrieve(ctx, c, spec, func(oc types.ObjectContent) {
		for _, p := range oc.PropSet {
			vals, _ := p.Val.(types.ArrayOfCustomFieldValue)
			for _, v := range vals.CustomFieldValue {
				if s, ok := v.(*types.CustomFieldStringValue); ok && s.Key == key && s.Value != "" {
					_ = json.Unmarshal([]byte(s.Value), &lock) // a value vtui did not write reads as free
				}
			}
		}
	})
	if err != nil {
		return Lock{}, fmt.Errorf("read the drill lock of %s: %w", cluster.Value, err)
	}
	return lock, nil
}

// lockFieldKey returns the key of the lock's custom attribute, creating
// it if create; found is false if it does not exist. (Keys start at 0.)
func lockFieldKey(ctx context.Context, c *conn.Conn, create bool) (key int32, found bool, err error) {
	m := object.NewCustomFieldsManager(conn.VIM(c))
	key, err = m.FindKey(ctx, drillLockField)
	switch {
	case err == nil:
		return key, true, nil
	case !errors.Is(err, object.ErrKeyNameNotFound):
		return 0, false, fmt.Errorf("look up the custom attribute %s: %w", drillLockField, err)
	case !create:
		return 0, false, nil
	}
	def, err := m.Add(ctx, drillLockField, "ClusterComputeResource", nil, nil)
	if fault.Is(err, &types.DuplicateName{}) {
		key, err = m.FindKey(ctx, drillLockField)
		return key, err == nil, err
	}
	if err != nil {
		return 0, false, fmt.Errorf("create the custom attribute %s: %w", drillLockField, err)
	}
	return def.Key, true, nil
}

// SetLock writes the lock's custom attribute; the zero DrillLock clears it.
func SetLock(ctx context.Context, c *conn.Conn, cluster mo.Ref, l Lock) error {
	key, _, err := lockFieldKey(ctx, c, true)
	if err != nil {
		return err
	}
	value := ""
	if l.Holder != "" {
		b, _ := json.Marshal(l)
		value = string(b)
	}
	if err := object.NewCustomFieldsManager(conn.VIM(c)).Set(ctx, mo.ToMoRef(cluster), key, value); err != nil {
		return fmt.Errorf("set the drill lock of %s: %w", cluster.Value, err)
	}
	return nil
}
