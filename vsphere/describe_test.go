package vsphere

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// describeFirstVM describes c's first VM by name and checks what every
// server serves: its name, its runtime host as a reference to the host
// the inventory names, whole numbers kept exact, and no ArrayOf wrapper.
func describeFirstVM(t *testing.T, c *Client) (*Description, VM) {
	t.Helper()
	ctx := context.Background()
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	vm := inv.VMs[0]
	d, err := c.Describe(ctx, vm.Ref, 0)
	if err != nil {
		t.Fatal(err)
	}
	if d.Type != "VirtualMachine" || d.ID != vm.Ref.Value || d.Properties["name"] != vm.Name {
		t.Errorf("described %s %s named %v; want VirtualMachine %s named %s", d.Type, d.ID, d.Properties["name"], vm.Ref.Value, vm.Name)
	}
	runtime, _ := d.Properties["runtime"].(map[string]any)
	host, _ := runtime["host"].(map[string]any)
	if host["type"] != "HostSystem" || host["value"] != vm.HostRef.Value {
		t.Errorf("runtime.host = %v; want HostSystem %s", runtime["host"], vm.HostRef.Value)
	}
	config, _ := d.Properties["config"].(map[string]any)
	hw, _ := config["hardware"].(map[string]any)
	if got, ok := hw["memoryMB"].(int64); !ok || got != int64(vm.MemoryMB) {
		t.Errorf("config.hardware.memoryMB = %#v; want int64 %d", hw["memoryMB"], vm.MemoryMB)
	}
	ds, ok := d.Properties["datastore"].([]any)
	if !ok || len(ds) != len(vm.DatastoreRefs) {
		t.Errorf("datastore = %#v; want a list of %d references", d.Properties["datastore"], len(vm.DatastoreRefs))
	}
	return d, vm
}

// TestDescribeReadsEveryPropertyOfOneVM: describe reads all of a VM's
// properties (not only the inventory's) as plain data, that encodes as
// JSON as it is.
func TestDescribeReadsEveryPropertyOfOneVM(t *testing.T) {
	c, _ := connectSim(t, "small")
	d, _ := describeFirstVM(t, c)
	for _, p := range []string{"config", "guest", "layoutEx", "summary", "resourcePool", "network", "storage"} {
		if _, ok := d.Properties[p]; !ok && !slices.Contains(d.Omitted, p) {
			t.Errorf("property %s missing; have %d properties", p, len(d.Properties))
		}
	}
	if _, err := json.Marshal(d); err != nil {
		t.Errorf("description does not encode as JSON: %v", err)
	}
}

// TestDescribeOnPlainVcsim: the same read works against govmomi's own
// vcsim, without vtui's simulator.
func TestDescribeOnPlainVcsim(t *testing.T) {
	describeFirstVM(t, plainVcsim(t))
}

// TestDescribeStaysWithinItsBound: past the bound, properties are named
// in Omitted instead of read out, and what is kept fits.
func TestDescribeStaysWithinItsBound(t *testing.T) {
	c, _ := connectSim(t, "small")
	inv, err := c.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	const bound = 2000
	d, err := c.Describe(context.Background(), inv.Hosts[0].Ref, bound)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(d.Properties)
	if len(d.Omitted) == 0 || len(raw) > bound+200 {
		t.Errorf("kept %d bytes in %d properties, omitted %v; want some omitted and about %d bytes kept", len(raw), len(d.Properties), d.Omitted, bound)
	}
	for _, p := range d.Omitted {
		if _, ok := d.Properties[p]; ok {
			t.Errorf("property %s both kept and omitted", p)
		}
	}
}

// TestDescribeOfAGoneObjectSaysSo names the object and what to do.
func TestDescribeOfAGoneObjectSaysSo(t *testing.T) {
	c, _ := connectSim(t, "small")
	_, err := c.Describe(context.Background(), Ref{Type: "VirtualMachine", Value: "vm-nope"}, 0)
	if err == nil || !strings.Contains(err.Error(), "vm-nope") {
		t.Errorf("err = %v; want an error naming vm-nope", err)
	}
}
