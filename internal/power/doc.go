// Package power is the use case of changing VMs' power state and hosts'
// connection to vCenter, shared by the TUI's power menu and `vtui vm
// power`, `vtui host disconnect` and `vtui host reconnect`: which
// operations a selection allows, the words that name them, and the
// gate's actions, each with its prechecks. It plans from the inventory
// alone; nothing is sent until the caller runs the actions through the
// gate.
package power
