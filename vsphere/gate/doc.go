// Package gate is the one way vtui changes vSphere. Planning turns a
// request into an Action with its prechecks run: a Planner (NewPlanner,
// PlannerFor) plans what needs the inventory (Migrate, Power,
// EnterMaintenance, ApplyRecommendation, ...); plain functions plan what
// does not (ReconfigureCluster, and the drill steps LockCluster,
// UnlockCluster, and, through vtui's simulator's fault door, CrashHost,
// RecoverHost, IsolateHost, PartitionHosts and RestoreHostNetwork). A
// Gate (NewGate) carries
// actions out, one (Do) or many (Run): it enforces the connection's
// Policy (read-only, dry run), logs every action, waits on the vSphere
// task while reporting Progress, and turns failures into *OpError values
// naming the operation and the object.
//
// Its contract holds by construction. An Action's run and verify are
// unexported, so only this package can build an Action that does
// something, and Gate's do is their only caller: an Action built or
// changed elsewhere either is refused or does nothing. The govmomi client
// comes from vsphere/internal/conn, which only packages under vsphere/
// can import. A new kind of change is a new planning function here; Do and
// Run need no change.
//
// It reads through package vsphere and never imports vsphere/drillkit, its
// sibling; both reach the drill primitives through vsphere/internal/drillio.
package gate
