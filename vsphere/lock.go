package vsphere

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

// DrillLock says who holds a cluster's drill lock, and until when. An
// expired lock (its holder died) is free.
type DrillLock struct {
	Holder  string    `json:"holder"`
	Expires time.Time `json:"expires"`
}

// Free reports whether the lock is free at now: nobody holds it, or its
// holder let it expire.
func (l DrillLock) Free(now time.Time) bool { return l.Holder == "" || now.After(l.Expires) }

// DrillLock reads the cluster's drill lock; the zero DrillLock if none.
func (c *Client) DrillLock(ctx context.Context, cluster Ref) (DrillLock, error) {
	key, found, err := c.lockFieldKey(ctx, false)
	if err != nil || !found {
		return DrillLock{}, err
	}
	var lock DrillLock
	spec := types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: mo.ToMoRef(cluster)}},
		PropSet:   []types.PropertySpec{{Type: "ClusterComputeResource", PathSet: []string{"customValue"}}},
	}
	err = conn.Retrieve(ctx, c.conn, spec, func(oc types.ObjectContent) {
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
		return DrillLock{}, fmt.Errorf("read the drill lock of %s: %w", cluster.Value, err)
	}
	return lock, nil
}

// lockFieldKey returns the key of the lock's custom attribute, creating
// it if create; found is false if it does not exist. (Keys start at 0.)
func (c *Client) lockFieldKey(ctx context.Context, create bool) (key int32, found bool, err error) {
	m := object.NewCustomFieldsManager(c.vim)
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

// LockCluster plans taking the cluster's drill lock for holder until ttl
// from when it runs. It is refused while another holder's lock held
// (read as cur) has not expired. Taking it writes the custom attribute and
// reads it back: if another vtui wrote in between, it fails.
func (p *Planner) LockCluster(cluster Ref, cur DrillLock, holder string, ttl time.Duration) Action {
	a := Action{Op: OpLockCluster, Ref: cluster, Object: p.clusterName(cluster), Target: holder, run: refuse}
	now := time.Now()
	if !cur.Free(now) && cur.Holder != holder {
		a.Checks = []Check{fail("lock", "another drill holds %s: %s, until %s; wait for it, or for the lock to expire",
			a.Object, cur.Holder, cur.Expires.Format(time.RFC3339))}
		return a
	}
	a.Checks = []Check{pass("lock")}
	a.run = func(ctx context.Context, g *Gate, _ func(int, string)) (string, error) {
		want := DrillLock{Holder: holder, Expires: time.Now().Add(ttl).UTC().Truncate(time.Second)}
		if err := g.c.setLock(ctx, cluster, want); err != nil {
			return "", err
		}
		got, err := g.c.DrillLock(ctx, cluster)
		if err != nil {
			return "", err
		}
		if got.Holder != holder {
			return "", fmt.Errorf("another drill took the lock of %s at the same moment: %s", a.Object, got.Holder)
		}
		return "", nil
	}
	return a
}

// UnlockCluster plans releasing the cluster's drill lock if holder holds
// it; a lock held by another is left alone (a no-op says so). An admin
// clears a stale lock by passing its holder as read (cur.Holder). When it
// runs it reads the lock again and clears it only if holder still holds
// it, so a drill that took the lock meanwhile keeps it.
func (p *Planner) UnlockCluster(cluster Ref, cur DrillLock, holder string) Action {
	a := Action{Op: OpUnlockCluster, Ref: cluster, Object: p.clusterName(cluster), Target: holder, run: refuse}
	switch {
	case cur.Holder == "":
		a.Noop = "nobody holds the lock"
		return a
	case cur.Holder != holder:
		a.Noop = "the lock is not this drill's"
		return a
	}
	a.run = func(ctx context.Context, g *Gate, _ func(int, string)) (string, error) {
		now, err := g.c.DrillLock(ctx, cluster)
		if err != nil {
			return "", err
		}
		if now.Holder != holder {
			return "", fmt.Errorf("the lock changed hands since it was read: %s holds it now, until %s; nothing was cleared",
				now.Holder, now.Expires.Format(time.RFC3339))
		}
		return "", g.c.setLock(ctx, cluster, DrillLock{})
	}
	return a
}

// setLock writes the lock's custom attribute; the zero DrillLock clears it.
func (c *Client) setLock(ctx context.Context, cluster Ref, l DrillLock) error {
	key, _, err := c.lockFieldKey(ctx, true)
	if err != nil {
		return err
	}
	value := ""
	if l.Holder != "" {
		b, _ := json.Marshal(l)
		value = string(b)
	}
	if err := object.NewCustomFieldsManager(c.vim).Set(ctx, mo.ToMoRef(cluster), key, value); err != nil {
		return fmt.Errorf("set the drill lock of %s: %w", cluster.Value, err)
	}
	return nil
}
