// Package drillio holds the drill primitives that vsphere/gate (which
// changes them) and vsphere/drillkit (which reads them) share: the drill
// lock, a custom attribute on a cluster (Lock, ReadLock, SetLock), and the
// fault door of vtui's simulator (Door, SimulatorInfo, ErrNotSimulator).
//
// It is internal to vsphere/ and only gate, drillkit and vspheretest
// import it, so SetLock and Door, which change vCenter, are reached from
// outside only through a gate Action.
package drillio
