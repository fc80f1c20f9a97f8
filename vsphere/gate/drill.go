package gate

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/internal/drillio"
)

// LockCluster plans taking the cluster's drill lock for holder until ttl
// from when it runs. It is refused while another holder's lock held
// (read as cur) has not expired. Taking it writes the custom attribute and
// reads it back: if another vtui wrote in between, it fails.
func LockCluster(cl vsphere.Cluster, cur drillio.Lock, holder string, ttl time.Duration) Action {
	cluster := cl.Ref
	a := Action{Op: OpLockCluster, Ref: cluster, Object: cl.Name, Target: holder, run: refuse}
	now := time.Now()
	if !cur.Free(now) && cur.Holder != holder {
		a.Checks = []Check{fail("lock", "another drill holds %s: %s, until %s; wait for it, or for the lock to expire",
			a.Object, cur.Holder, cur.Expires.Format(time.RFC3339))}
		return a
	}
	a.Checks = []Check{pass("lock")}
	a.run = func(ctx context.Context, g *Gate, _ func(int, string)) (string, error) {
		want := drillio.Lock{Holder: holder, Expires: time.Now().Add(ttl).UTC().Truncate(time.Second)}
		if err := drillio.SetLock(ctx, g.c.Conn(), cluster, want); err != nil {
			return "", err
		}
		got, err := drillio.ReadLock(ctx, g.c.Conn(), cluster)
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
func UnlockCluster(cl vsphere.Cluster, cur drillio.Lock, holder string) Action {
	cluster := cl.Ref
	a := Action{Op: OpUnlockCluster, Ref: cluster, Object: cl.Name, Target: holder, run: refuse}
	switch {
	case cur.Holder == "":
		a.Noop = "nobody holds the lock"
		return a
	case cur.Holder != holder:
		a.Noop = "the lock is not this drill's"
		return a
	}
	a.run = func(ctx context.Context, g *Gate, _ func(int, string)) (string, error) {
		now, err := drillio.ReadLock(ctx, g.c.Conn(), cluster)
		if err != nil {
			return "", err
		}
		if now.Holder != holder {
			return "", fmt.Errorf("the lock changed hands since it was read: %s holds it now, until %s; nothing was cleared",
				now.Holder, now.Expires.Format(time.RFC3339))
		}
		return "", drillio.SetLock(ctx, g.c.Conn(), cluster, drillio.Lock{})
	}
	return a
}

// CrashHost plans crashing h in vtui's simulator, as a power loss
// would (its HA emulation then fails it over). Against any other server
// it fails, having changed nothing: the simulator is asked first.
func CrashHost(h vsphere.Host) Action {
	return doorAction(h, OpCrashHost, "crash")
}

// RecoverHost plans bringing a crashed host of vtui's simulator back.
func RecoverHost(h vsphere.Host) Action {
	return doorAction(h, OpRecoverHost, "recover")
}

// doorAction plans calling the simulator's fault door for h with verb.
func doorAction(h vsphere.Host, op Op, verb string) Action {
	a := Action{Op: op, Ref: h.Ref, Object: h.Name, Checks: []Check{pass("host")}, run: refuse}
	a.verify = func(ctx context.Context, g *Gate, _ func(string)) []Check {
		if _, err := drillio.SimulatorInfo(ctx, g.c.Conn()); err != nil {
			return []Check{fail("simulator", "%v", err)}
		}
		return []Check{pass("simulator")}
	}
	name := h.Name
	a.run = func(ctx context.Context, g *Gate, _ func(int, string)) (string, error) {
		return "", drillio.Door(ctx, g.c.Conn(), http.MethodPost, "/hosts/"+url.PathEscape(name)+"/"+verb, nil)
	}
	return a
}
