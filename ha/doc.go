// Package ha is the home of vtui's HA and DRS logic. It holds no code;
// its subpackages each do one thing and see vsphere's plain types, never
// govmomi's. They read vCenter through package vsphere (and vsphere/drillkit,
// for drills) and change it only with vsphere/gate Actions carried out by a
// gate.Gate, so --readonly and --dry-run hold everywhere. The HA/DRS
// configuration model they share is vsphere/clusterspec.
//
//   - ha/admission computes HA admission control (host failures tolerated,
//     a reserved percentage, dedicated failover hosts) from plain figures:
//     the one computation the simulator enforces and the what-if predicts
//     with. It reads nothing and imports only vsphere/clusterspec.
//   - ha/placement ranks the hosts a VM could move to (vMotion) with the
//     same prechecks a migration runs, and plans migrations and host
//     evacuations for maintenance mode; DRSEvacuates is the one answer to
//     "does DRS empty this host?". It reads nothing itself: it plans over a
//     gate.Planner.
//   - ha/capacity answers the HA what-if: if these N hosts fail, which
//     powered-on VMs restart where, and which cannot, and why. An HA
//     restart is not a vMotion: powered-off placement, restart priority,
//     reservations, admission control and mandatory rules count, "should"
//     rules may be broken and there is no vMotion compatibility check, so
//     it does not reuse placement's migration prechecks. Analyze is a
//     plain function; Gather reads the VMs' reservations from vCenter.
//   - ha/drill runs failover drills against vCenter (host failures,
//     isolations, partitions, evacuations): a strict YAML plan, preflight
//     gates and a prediction of each protected VM's outcome (by the
//     capacity what-if and the cluster's isolation settings), the drill
//     lock, a baseline, injection, observation through property updates
//     and events, verification against the prediction, a journaled
//     rollback, and reports.
package ha
