package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vtui/vtui/internal/golden"
)

// managed-object IDs depend on the order the simulator creates objects in
// parallel, so goldens hold a placeholder.
var moID = regexp.MustCompile(`"id": "[a-z]+-\d+"`)

func TestGetGolden(t *testing.T) {
	tests := []struct {
		golden string
		args   []string
	}{
		{"get-vms.txt", []string{"get", "vms"}},
		{"get-vms.json", []string{"get", "vms", "-o", "json"}},
		{"get-hosts.txt", []string{"get", "hosts"}},
		{"get-hosts.json", []string{"get", "hosts", "-o", "json"}},
		{"get-clusters.txt", []string{"get", "clusters"}},
		{"get-clusters.json", []string{"get", "clusters", "-o", "json"}},
		{"get-datastores.txt", []string{"get", "datastores"}},
		{"get-datastores.json", []string{"get", "ds", "-o", "json"}},
		{"get-networks.txt", []string{"get", "networks"}},
		{"get-vms-filtered.txt", []string{"get", "vm", "web-*", "--cluster", "cluster-a"}},
		{"get-vms-on-host.yaml", []string{"get", "vms", "--host", "esx-b-02.lab.local", "-o", "yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			r := runTest(t, append([]string{"--simulator=small"}, tt.args...), nil)
			if r.code != 0 {
				t.Fatalf("vtui %s: exit %d, stderr %q", strings.Join(tt.args, " "), r.code, r.stderr)
			}
			golden.Assert(t, filepath.Join("testdata", tt.golden), moID.ReplaceAllString(r.stdout, `"id": "ID"`))
		})
	}
}

func TestGetEmptyResultIsAnEmptyArray(t *testing.T) {
	r := runTest(t, []string{"--simulator=small", "get", "vms", "no-such-*", "-o", "json"}, nil)
	if r.code != 0 || r.stdout != "[]\n" {
		t.Errorf("got exit %d, stdout %q; want 0 and []", r.code, r.stdout)
	}
}

func TestGetBadInput(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"get", "pods"}, `unknown kind "pods" (valid: clusters, hosts, vms, datastores, networks, tasks, events)`},
		{[]string{"get", "vms", "-o", "xml"}, "valid: table, json, yaml"},
		{[]string{"get", "vms", "--cluster", "nope"}, `no cluster named "nope"`},
		{[]string{"get", "vms", "--host", "nope"}, `no host named "nope"`},
		{[]string{"get", "vms", "[a-"}, `invalid name pattern "[a-"`},
		{[]string{"get", "clusters", "--cluster", "x"}, "--cluster does not apply to clusters"},
	}
	for _, tt := range tests {
		r := runTest(t, append([]string{"--simulator=small"}, tt.args...), nil)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("vtui %s: exit %d, stderr %q; want exit 2 and %q", strings.Join(tt.args, " "), r.code, r.stderr, tt.want)
		}
	}
}
