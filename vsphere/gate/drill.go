package gate

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
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
	return hostDoorAction(h, OpCrashHost, "crash")
}

// RecoverHost plans bringing a crashed host of vtui's simulator back.
func RecoverHost(h vsphere.Host) Action {
	return hostDoorAction(h, OpRecoverHost, "recover")
}

// IsolateHost plans cutting the management network of h in vtui's
// simulator: vCenter and the other HA agents lose it, its datastore
// heartbeats go on, and its cluster's isolation response follows (see
// vsphere/sim's package documentation).
func IsolateHost(h vsphere.Host) Action {
	return hostDoorAction(h, OpIsolateHost, "isolate")
}

// RestoreHostNetwork plans giving back the network of a host of vtui's
// simulator that is isolated or partitioned: it rejoins its cluster.
func RestoreHostNetwork(h vsphere.Host) Action {
	return hostDoorAction(h, OpRestoreHostNetwork, "restore-network")
}

// PartitionHosts plans splitting hs, hosts of one cluster but not all of
// it, from the rest of their cluster in vtui's simulator (a network
// partition); RestoreHostNetwork ends it host by host.
func PartitionHosts(hs []vsphere.Host) Action {
	var names []string
	for _, h := range hs {
		names = append(names, h.Name)
	}
	var ref vsphere.Ref
	check := pass("hosts")
	switch {
	case len(hs) == 0:
		check = fail("hosts", "name the hosts to split from the rest of their cluster")
	default:
		ref = hs[0].Ref
		for _, h := range hs[1:] {
			if h.ClusterRef != hs[0].ClusterRef {
				check = fail("hosts", "%s is in cluster %s and %s in %s: a partition splits the hosts of one cluster",
					hs[0].Name, hs[0].Cluster, h.Name, h.Cluster)
				break
			}
		}
	}
	return doorAction(OpPartitionHosts, ref, strings.Join(names, ", "), check, "/partition", partitionRequest{Hosts: names})
}

// partitionRequest is the body of the door's partition call.
type partitionRequest struct {
	Hosts []string `json:"hosts"`
}

// hostDoorAction plans calling the simulator's fault door for h with verb.
func hostDoorAction(h vsphere.Host, op Op, verb string) Action {
	return doorAction(op, h.Ref, h.Name, pass("host"), "/hosts/"+url.PathEscape(h.Name)+"/"+verb, nil)
}

// doorAction plans a POST of body (nil for none) to the simulator's fault
// door at path, changing object; it is refused if check failed, and,
// verified, against any server but vtui's simulator.
func doorAction(op Op, ref vsphere.Ref, object string, check Check, path string, body any) Action {
	a := Action{Op: op, Ref: ref, Object: object, Checks: []Check{check}, run: refuse}
	a.verify = func(ctx context.Context, g *Gate, _ func(string)) []Check {
		if _, err := drillio.SimulatorInfo(ctx, g.c.Conn()); err != nil {
			return []Check{fail("simulator", "%s works only against vtui's simulator, and this server is %v", op, err)}
		}
		return []Check{pass("simulator")}
	}
	a.run = func(ctx context.Context, g *Gate, _ func(int, string)) (string, error) {
		return "", drillio.DoorWith(ctx, g.c.Conn(), http.MethodPost, path, body, nil)
	}
	return a
}
