package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/internal/golden"
	"github.com/vtui/vtui/internal/kinds"
	"github.com/vtui/vtui/vsphere"
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
		{[]string{"get", "pods"}, `unknown kind "pods" (valid: clusters, hosts, vms, datastores, networks, tasks, events, alarms, snapshots)`},
		{[]string{"get", "snapshots", "--older-than", "30x"}, `--older-than: invalid age "30x": want a whole number of days, hours or minutes, such as 30d, 12h or 90m`},
		{[]string{"get", "snapshots", "--older-than", "-3d"}, `invalid age "-3d"`},
		{[]string{"get", "vms", "--older-than", "30d"}, "--older-than applies to snapshots only"},
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

// TestGetEveryKind walks the registry: every kind, by its name and by
// each alias, lists on the small simulator, as JSON objects with exactly
// the registry's field names (a stream's unset times are left out).
func TestGetEveryKind(t *testing.T) {
	for _, k := range kinds.All() {
		for _, name := range append([]string{k.Name}, k.Aliases...) {
			t.Run(name, func(t *testing.T) {
				preset := "small"
				if k.Name == kinds.Snapshots {
					preset = "demo" // the small preset has none
				}
				r := runTest(t, []string{"--simulator=" + preset, "get", name, "-o", "json"}, nil)
				if r.code != 0 {
					t.Fatalf("vtui get %s -o json: exit %d, stderr %q", name, r.code, r.stderr)
				}
				var rows []map[string]any
				if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
					t.Fatalf("vtui get %s -o json: %v in %q", name, err, r.stdout)
				}
				if len(rows) == 0 && !k.Stream {
					t.Errorf("vtui get %s -o json listed nothing", name)
				}
				for _, row := range rows {
					for _, f := range k.JSON {
						if _, ok := row[f]; !ok && !(k.Stream && (f == "started" || f == "completed")) {
							t.Errorf("vtui get %s -o json: a row without %q: %v", name, f, row)
						}
					}
					if len(row) > len(k.JSON) {
						t.Errorf("vtui get %s -o json: a row with fields beyond %q: %v", name, k.JSON, row)
					}
				}
			})
		}
	}
}

// TestGetCompletesKinds: shell completion offers the kinds' names for
// get's first argument, and nothing (no file names) after it.
func TestGetCompletesKinds(t *testing.T) {
	var all []string
	for _, k := range kinds.All() {
		all = append(all, k.Name)
	}
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "get", ""}, all},
		{[]string{"__complete", "get", "d"}, []string{kinds.Datastores}},
		{[]string{"__complete", "get", "vms", ""}, nil},
	}
	for _, tt := range tests {
		r := runTest(t, tt.args, nil)
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		if got, want := lines[:len(lines)-1], tt.want; !slices.Equal(got, want) {
			t.Errorf("vtui %s: completions %q; want %q", strings.Join(tt.args, " "), got, want)
		}
		if dir := lines[len(lines)-1]; dir != ":4" {
			t.Errorf("vtui %s: directive %q; want :4 (no file names)", strings.Join(tt.args, " "), dir)
		}
	}
}

// TestGetSnapshotsOlderThan lists the demo preset's snapshots, then only
// those taken more than 30 days ago: some, not all, each older than that.
func TestGetSnapshotsOlderThan(t *testing.T) {
	list := func(args ...string) []vsphere.Snapshot {
		t.Helper()
		r := runTest(t, append([]string{"--simulator=demo", "get", "snapshots", "-o", "json"}, args...), nil)
		if r.code != 0 {
			t.Fatalf("vtui get snapshots %s: exit %d, stderr %q", strings.Join(args, " "), r.code, r.stderr)
		}
		var rows []vsphere.Snapshot
		if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
			t.Fatal(err)
		}
		return rows
	}
	all, old := list(), list("--older-than", "30d")
	if len(old) == 0 || len(old) >= len(all) {
		t.Fatalf("%d of %d snapshots older than 30 days; want some, not all", len(old), len(all))
	}
	for _, s := range old {
		if time.Since(s.Created) < 30*24*time.Hour || s.SizeBytes <= 0 || s.VM == "" {
			t.Errorf("%+v: want a VM's snapshot older than 30 days, with its size", s)
		}
	}
}
