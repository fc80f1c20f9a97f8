// Package vsphere is vtui's face to vCenter and its read model: Connect
// logs in and returns a Client; the Client reads the inventory (load,
// store, first screen, watch), events, tasks, resource pools, DRS rules,
// recommendations and reservations, cluster configurations, hosts' and
// VMs' performance samples (metrics.go), and one object's every property
// (Describe) and surroundings (Surroundings), and hands them out as plain
// Go types. It never changes vCenter: every change
// is an Action of package vsphere/gate, carried out by its Gate.
//
// govmomi stays under vsphere/. The packages below it, bottom to top (an
// arrow means "imports"):
//
//	vsphere/clusterspec       the HA/DRS configuration model, validation, diff; imports nothing of vtui
//	vsphere/internal/mo       Ref, Event, the govmomi<->plain conversions       -> clusterspec
//	vsphere/internal/conn     the raw session: dial, TLS, re-login, read-only
//	                          transport, Policy, connect errors, collectors,
//	                          task wait, paged retrieve                         -> mo
//	vsphere                   Client (wraps *conn.Conn), Connect and the
//	                          re-exported connection names, the read model      -> conn, mo, clusterspec
//	vsphere/internal/drillio  drill primitives: the lock attribute, the
//	                          simulator's fault door                            -> conn, mo
//	vsphere/gate              THE GATE: Gate, Action, Check, Op, Planner and
//	                          every planning function, results, OpError         -> vsphere, conn, mo, drillio, clusterspec
//	vsphere/drillkit          drill-only reads: Observe, ReadLock,
//	                          SimulatorInfo, WaitHostConnected                  -> vsphere, conn, mo, drillio
//	vsphere/sim               the embedded simulator; imports nothing of vtui
//	vsphere/vspheretest       helpers for other packages' tests                 -> vsphere, sim
//
// gate and drillkit are siblings that do not import each other. The gate's
// guarantee holds by construction: only package gate builds an Action
// that can run, and only its Gate runs one; the govmomi client is reached
// only through vsphere/internal/conn, which code outside vsphere/ cannot
// import (Client.Conn hands a *conn.Conn to gate and drillkit, and to
// anyone else a value they can do nothing with).
package vsphere
