// Package ha is the home of vtui's HA and DRS logic that does not talk to
// vCenter itself. It holds no code; its subpackages each do one thing and
// see vsphere's plain types, never govmomi's. The HA/DRS configuration
// model they share is vsphere/clusterspec, below vsphere, which reads it.
//
//   - ha/placement ranks the hosts a VM could move to (vMotion) with the
//     same prechecks a migration runs, and plans migrations and host
//     evacuations for maintenance mode.
//   - ha/capacity answers the HA what-if: if these N hosts fail, which
//     powered-on VMs restart where, and which cannot, and why. An HA
//     restart is not a vMotion: powered-off placement, restart priority,
//     reservations, admission control and mandatory rules count, "should"
//     rules may be broken and there is no vMotion compatibility check, so
//     it does not reuse placement's migration prechecks. It is a plain
//     function of an inventory and a vsphere/clusterspec.Config, so drills can call it in
//     their preflight.
//   - ha/drill runs failover drills: a strict YAML plan, preflight gates,
//     a baseline, injection, observation through property updates and
//     events, verification, a journaled rollback, and reports.
//
// Every change any of them plans is a gate.Action carried out by a
// gate.Gate, so --readonly and --dry-run hold everywhere.
package ha
