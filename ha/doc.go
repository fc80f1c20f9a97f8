// Package ha holds vtui's HA and DRS logic that does not talk to vCenter
// itself: the cluster configuration model, capacity what-if analysis, VM
// placement and failover drills. It sees vsphere's plain types, never
// govmomi's.
package ha
