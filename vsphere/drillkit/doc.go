// Package drillkit holds the reads only a failover drill needs: Observe
// follows a cluster's VMs, hosts and events while a failure is injected,
// EventsSince reads what happened during a drill, ReadLock reads a
// cluster's drill lock, SimulatorInfo asks whether the server is vtui's
// simulator (whose fault door crashes hosts), and WaitHostConnected waits
// for a recovered host.
//
// It changes nothing: the drill's changes (taking and clearing the lock,
// crashing and recovering a host) are Actions of vsphere/gate. drillkit and
// gate do not import each other; they share the primitives of
// vsphere/internal/drillio.
package drillkit
