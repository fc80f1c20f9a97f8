package main

import (
	"encoding/json"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestDescribeEachWay: describe reads every property of the one object a
// name, an ID or a path names, as YAML by default and JSON with -o json.
func TestDescribeEachWay(t *testing.T) {
	var first map[string]any
	for _, args := range [][]string{
		{"describe", "vm", "web-01"},
		{"describe", "vms", "/dc-01/vm/web-01", "-o", "json"},
	} {
		r := runTest(t, append([]string{"--simulator=small"}, args...), nil)
		if r.code != 0 {
			t.Fatalf("vtui %s: exit %d, stderr %q", strings.Join(args, " "), r.code, r.stderr)
		}
		var d map[string]any
		var err error
		if strings.Contains(strings.Join(args, " "), "json") {
			err = json.Unmarshal([]byte(r.stdout), &d)
		} else {
			err = yaml.Unmarshal([]byte(r.stdout), &d)
		}
		if err != nil {
			t.Fatalf("vtui %s: %v in\n%s", strings.Join(args, " "), err, r.stdout)
		}
		props, _ := d["properties"].(map[string]any)
		if d["type"] != "VirtualMachine" || props["name"] != "web-01" || props["config"] == nil {
			t.Errorf("vtui %s: type %v, name %v, config %v; want VirtualMachine web-01 with its config", strings.Join(args, " "), d["type"], props["name"], props["config"] != nil)
		}
		if first == nil {
			first = d
		}
	}
	r := runTest(t, []string{"--simulator=small", "describe", "vm", first["id"].(string), "-o", "json"}, nil)
	if r.code != 0 || !strings.Contains(r.stdout, `"name": "web-01"`) {
		t.Errorf("describe by ID %v: exit %d, stderr %q", first["id"], r.code, r.stderr)
	}
}

// TestDescribeBadInput: a kind that is not an object, a name that names
// nothing, and a pattern are refused with exit 2 and what to do.
func TestDescribeBadInput(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"describe", "events", "x"}, `describe takes one of clusters, hosts, vms, datastores, networks, not "events"`},
		{[]string{"describe", "vm", "nope"}, `no vm named "nope": not found (see: vtui get vms)`},
		{[]string{"describe", "vm", "web-*"}, "not a pattern"},
		{[]string{"describe", "vm"}, "accepts 2 arg(s)"},
	} {
		r := runTest(t, append([]string{"--simulator=small"}, tt.args...), nil)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("vtui %s: exit %d, stderr %q; want exit 2 and %q", strings.Join(tt.args, " "), r.code, r.stderr, tt.want)
		}
	}
}
