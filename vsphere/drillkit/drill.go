package drillkit

import (
	"context"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/internal/drillio"
)

// DrillLock says who holds a cluster's drill lock, and until when. An
// expired lock (its holder died) is free. gate.LockCluster and
// gate.UnlockCluster change it.
type DrillLock = drillio.Lock

// ReadLock reads the cluster's drill lock; the zero DrillLock if none.
func ReadLock(ctx context.Context, c *vsphere.Client, cluster vsphere.Ref) (DrillLock, error) {
	return drillio.ReadLock(ctx, c.Conn(), cluster)
}

// SimInfo is what vtui's simulator says of its fault door.
type SimInfo = drillio.SimInfo

// SimModel is what vtui's simulator models of vSphere HA (SimInfo.Model).
type SimModel = drillio.SimModel

// ErrNotSimulator is wrapped by the errors of fault injection against a
// server that is not vtui's simulator: a real vCenter has no fault door.
var ErrNotSimulator = drillio.ErrNotSimulator

// SimulatorInfo asks the server for vtui's simulator's fault door, as the
// session. Any other server, a real vCenter above all, answers with an
// error wrapping ErrNotSimulator, and nothing is changed.
func SimulatorInfo(ctx context.Context, c *vsphere.Client) (SimInfo, error) {
	return drillio.SimulatorInfo(ctx, c.Conn())
}
