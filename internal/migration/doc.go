// Package migration is the use case of moving VMs with vMotion, shared by
// the TUI's migrate dialog and `vtui vm migrate`: from a request (VMs and
// a target host, "auto", a resource pool or a datastore; Resolve makes
// one from names) to the gate's actions, each with its prechecks. It reads the rules of the clusters
// involved and plans; nothing is sent until the caller runs the actions
// through the gate.
package migration
