package vspheretest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/vtui/vtui/vsphere"
)

// State is what a change that says it restored a vCenter must have
// restored: every VM's host and power state, and every host's connection
// and maintenance mode, keyed "vm NAME" and "host NAME".
func State(tb testing.TB, c *vsphere.Client) map[string]string {
	tb.Helper()
	inv, err := c.Inventory(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]string{}
	for _, v := range inv.VMs {
		out["vm "+v.Name] = v.Host + " " + v.PowerState
	}
	for _, h := range inv.Hosts {
		out["host "+h.Name] = fmt.Sprintf("%s maintenance=%t", h.ConnectionState, h.MaintenanceMode)
	}
	return out
}

// SameState fails tb for each key of want whose value got does not have,
// saying what it is and what it was.
func SameState(tb testing.TB, what string, got, want map[string]string) {
	tb.Helper()
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if got[k] != want[k] {
			tb.Errorf("%s: %s is %q, was %q", what, k, got[k], want[k])
		}
	}
}
