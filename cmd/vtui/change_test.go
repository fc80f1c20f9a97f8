package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vtui/vtui/cmd/internal/config/configtest"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// changeResult is the JSON contract of a change's result row.
type changeResult struct {
	Op       string   `json:"op"`
	Object   string   `json:"object"`
	From     string   `json:"from"`
	Target   string   `json:"target"`
	Status   string   `json:"status"`
	Message  string   `json:"message"`
	Warnings []string `json:"warnings"`
	Task     string   `json:"task"`
	Seconds  *float64 `json:"seconds"`
}

// statuses sums JSON results up as "object=status ...".
func statuses(t *testing.T, stdout string) string {
	t.Helper()
	var rows []changeResult
	if err := json.Unmarshal([]byte(stdout), &rows); err != nil {
		t.Fatalf("stdout is not a JSON array of results: %v\n%s", err, stdout)
	}
	parts := make([]string, len(rows))
	for i, r := range rows {
		if r.Op == "" || r.Object == "" || r.Seconds == nil {
			t.Errorf("result %+v lacks op, object or seconds", r)
		}
		parts[i] = r.Object + "=" + r.Status
	}
	return strings.Join(parts, " ")
}

func TestChangeCommands(t *testing.T) {
	runChangeRows(t, []string{"--simulator=small", "-o", "json"}, []changeRow{
		{args: []string{"vm", "migrate", "app-01", "web-01", "--host", "auto", "--yes"}, code: exitOK,
			statuses: "app-01=ok web-01=ok", stderr: []string{"2 changes in", "2 ok"}},
		{args: []string{"vm", "migrate", "app-*", "--host", "esx-a-03.lab.local", "--yes"}, code: exitFailed,
			statuses: "app-01=ok app-02=ok app-03=failed", stderr: []string{"1 of 3 changes failed", "migrate app-03: refused", "cluster:"}},
		{args: []string{"vm", "migrate", "app-01", "--host", "esx-b-01.lab.local", "--pool", "Resources", "--yes"}, code: exitOK,
			statuses: "app-01=ok"},
		{args: []string{"vm", "migrate", "app-01", "--host", "esx-b-01.lab.local", "--pool", "/dc-01/host/cluster-b/Resources", "--dry-run"}, code: exitOK,
			statuses: "app-01=dry-run"},
		{args: []string{"vm", "migrate", "app-01", "--datastore", "ds-shared-02", "--yes"}, code: exitOK, statuses: "app-01=ok"},
		{args: []string{"vm", "migrate", "app-01", "--host", "auto", "--dry-run"}, code: exitOK, statuses: "app-01=dry-run"},
		{args: []string{"--readonly", "vm", "migrate", "app-01", "--host", "auto"}, code: exitFailed,
			statuses: "app-01=failed", stderr: []string{"read-only mode"}},
		{args: []string{"vm", "migrate", "app-01", "--host", "auto"}, code: exitUsage,
			stderr: []string{"Migrate app-01 from esx-a-02.lab.local to esx-", "refusing without a terminal", "--yes"}},
		{args: []string{"vm", "migrate", "app-01"}, code: exitUsage, stderr: []string{"--host HOST, --host auto, --datastore DS or --pool POOL"}},
		{args: []string{"vm", "migrate", "nosuch", "app-01", "--host", "auto"}, code: exitUsage, stderr: []string{`no VM named "nosuch"`}},
		{args: []string{"vm", "migrate", "app-01", "--host", "esx-z"}, code: exitUsage, stderr: []string{`no host named "esx-z"`}},
		{args: []string{"vm", "migrate", "app-01", "--host", "auto", "--pool", "nope"}, code: exitUsage, stderr: []string{`--pool: no resource pool "nope"`}},
		{args: []string{"vm", "migrate", "app-01", "--host", "auto", "--concurrency", "0"}, code: exitUsage, stderr: []string{"--concurrency must be at least 1"}},
		{args: []string{"vm", "power", "off", "web-01", "cache-01", "--yes"}, code: exitOK, statuses: "web-01=ok cache-01=noop"},
		{args: []string{"vm", "power", "shutdown", "app-03", "--yes"}, code: exitFailed, statuses: "app-03=failed", stderr: []string{"app-03 is suspended"}},
		{args: []string{"vm", "power", "frob", "web-01"}, code: exitUsage, stderr: []string{`unknown power operation "frob"`}},
		{args: []string{"host", "maintenance", "enter", "esx-a-02.lab.local", "--evacuate", "--yes"}, code: exitOK,
			statuses: "app-01=ok esx-a-02.lab.local=ok"},
		{args: []string{"host", "maintenance", "enter", "esx-b-01.lab.local", "--yes"}, code: exitFailed,
			statuses: "esx-b-01.lab.local=failed", stderr: []string{"running-vms", "--evacuate"}},
		{args: []string{"host", "maintenance", "enter", "esx-b-*", "--evacuate", "--yes"}, code: exitFailed,
			stderr: []string{"cannot evacuate, so nothing was changed: 4 VMs have nowhere to go"}},
		{args: []string{"host", "maintenance", "exit", "esx-a-01.lab.local", "--evacuate"}, code: exitUsage, stderr: []string{"--evacuate applies to enter"}},
		{args: []string{"host", "maintenance", "exit", "esx-a-01.lab.local", "--yes"}, code: exitOK, statuses: "esx-a-01.lab.local=noop"},
		{args: []string{"host", "maintenance", "enter", "esx-a-03.lab.local", "--evacuate", "--timeout", "10m", "--dry-run"}, code: exitOK,
			statuses: "cache-02=dry-run db-01=dry-run esx-a-03.lab.local=dry-run"},
		{args: []string{"host", "disconnect", "esx-b-03.lab.local", "--yes"}, code: exitOK, statuses: "esx-b-03.lab.local=ok"},
		{args: []string{"host", "reconnect", "esx-b-03.lab.local", "--yes"}, code: exitOK, statuses: "esx-b-03.lab.local=noop"},
		{args: []string{"vm", "snapshot", "create", "web-01", "app-01", "s1", "--description", "d", "--yes"}, code: exitOK,
			statuses: "web-01=ok app-01=ok", stderr: []string{"2 ok"}},
		{args: []string{"vm", "snapshot", "create", "web-01", "s1", "--dry-run"}, code: exitOK, statuses: "web-01=dry-run"},
		{args: []string{"--readonly", "vm", "snapshot", "create", "web-01", "s1"}, code: exitFailed, statuses: "web-01=failed",
			stderr: []string{"read-only mode"}},
		{args: []string{"vm", "snapshot", "create", "web-01", "s1"}, code: exitUsage,
			stderr: []string{`Take snapshot "s1" of web-01: refusing without a terminal`, "--yes"}},
		{args: []string{"vm", "snapshot", "create", "cache-01", "q", "--quiesce", "--yes"}, code: exitFailed, statuses: "cache-01=failed",
			stderr: []string{"quiesce: cache-01 is poweredOff"}},
		{args: []string{"vm", "snapshot", "revert", "web-01", "nope", "--yes"}, code: exitUsage,
			stderr: []string{`no snapshot named "nope"`, "web-01 has no snapshots"}},
		{args: []string{"vm", "snapshot", "rm", "nosuch", "x", "--yes"}, code: exitUsage, stderr: []string{`no VM named "nosuch"`}},
	})
}

// changeRow is a change command's run and what must come of it.
type changeRow struct {
	args     []string
	code     int
	statuses string   // with exit 0 or 1: the JSON results
	stderr   []string // in stderr
	stdout   string   // in stdout
}

// runChangeRows runs each row's command after prefix and checks it.
func runChangeRows(t *testing.T, prefix []string, rows []changeRow) {
	t.Helper()
	for _, tt := range rows {
		r := runTest(t, append(slices.Clone(prefix), tt.args...), nil)
		input := fmt.Sprintf("vtui %s", strings.Join(tt.args, " "))
		if r.code != tt.code {
			t.Errorf("%s: exit %d; want %d\nstderr: %s", input, r.code, tt.code, r.stderr)
			continue
		}
		if tt.statuses != "" {
			if got := statuses(t, r.stdout); got != tt.statuses {
				t.Errorf("%s: results %s; want %s", input, got, tt.statuses)
			}
		}
		for _, w := range tt.stderr {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: stderr lacks %q:\n%s", input, w, r.stderr)
			}
		}
		if !strings.Contains(r.stdout, tt.stdout) {
			t.Errorf("%s: stdout lacks %q:\n%s", input, tt.stdout, r.stdout)
		}
	}
}

// TestSnapshotCommandsOnTheDemoPreset reverts to and removes the demo
// preset's snapshots: web-03 has before-patching then pre-upgrade
// (current), db-04 three in a chain. The confirmation names the VM and
// the snapshot; --dry-run and --readonly change nothing.
func TestSnapshotCommandsOnTheDemoPreset(t *testing.T) {
	demo := []string{"--simulator=demo", "-o", "json"}
	runChangeRows(t, demo, []changeRow{
		{args: []string{"vm", "snapshot", "revert", "web-03", "before-patching", "--yes"}, code: exitOK, statuses: "web-03=ok"},
		{args: []string{"vm", "snapshot", "revert", "web-03", "before-patching"}, code: exitUsage,
			stderr: []string{`Revert web-03 to snapshot "before-patching": refusing without a terminal`}},
		{args: []string{"vm", "snapshot", "rm", "db-04", "pre-upgrade", "--children", "--dry-run"}, code: exitOK, statuses: "db-04=dry-run",
			stdout: `would remove snapshot \"pre-upgrade\" of db-04 and the snapshots taken after it`},
		{args: []string{"--readonly", "vm", "snapshot", "rm", "db-04", "pre-upgrade"}, code: exitFailed, statuses: "db-04=failed",
			stderr: []string{"read-only mode"}},
		{args: []string{"vm", "snapshot", "rm", "db-04", "pre-upgrade", "--yes"}, code: exitOK, statuses: "db-04=ok"},
		{args: []string{"vm", "snapshot", "rm", "db-04", "nope", "--yes"}, code: exitUsage,
			stderr: []string{`no snapshot named "nope"`, `db-04 has "before-patching", "pre-upgrade", "app-release"`}},
	})
	r := runTest(t, append(demo, "vm", "snapshot", "list", "db-04"), nil)
	var rows []vsphere.Snapshot
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || r.code != exitOK {
		t.Fatalf("vm snapshot list db-04: exit %d, %v: %s", r.code, err, r.stderr)
	}
	if len(rows) != 3 || rows[1].Parent != rows[0].Name || !rows[2].Current || rows[2].SizeBytes <= 0 {
		t.Errorf("vm snapshot list db-04: %+v; want a chain of 3, the last current, with sizes", rows)
	}
}

func TestChangeCommandsTable(t *testing.T) {
	r := runTest(t, []string{"--simulator=small", "vm", "power", "off", "web-01", "cache-01", "--yes"}, nil)
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "OBJECT") || !strings.Contains(lines[2], "already powered off") {
		t.Errorf("table:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "[1/2] power-off web-01: ok") {
		t.Errorf("progress on stderr:\n%s", r.stderr)
	}
}

func TestChangeAsksOnATerminal(t *testing.T) {
	for _, tt := range []struct {
		answer string
		code   int
	}{{"y\n", exitOK}, {"n\n", exitFailed}} {
		sys := testSys(t, nil)
		sys.terminal, sys.stdin = true, strings.NewReader(tt.answer)
		r := runSys(t, []string{"--simulator=small", "vm", "migrate", "web-01", "app-01", "--host", "esx-a-03.lab.local"}, sys)
		if r.code != tt.code {
			t.Errorf("answer %q: exit %d; want %d (stderr %s)", tt.answer, r.code, tt.code, r.stderr)
		}
		for _, want := range []string{"Plan:", "- migrate web-01 from esx-a-01.lab.local to esx-a-03.lab.local",
			"Migrate 2 VMs from 2 hosts to esx-a-03.lab.local? [y/N]"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("answer %q: stderr lacks %q:\n%s", tt.answer, want, r.stderr)
			}
		}
		if ran := strings.Contains(r.stdout, "migrated to"); ran != (tt.code == exitOK) {
			t.Errorf("answer %q: ran = %v:\n%s", tt.answer, ran, r.stdout)
		}
	}
}

// TestTwinNamesAreRefused: two VMs share a name (in different folders, as
// vCenter allows). The name alone is refused, listing both, and changes
// nothing; the ID or the path picks one.
func TestTwinNamesAreRefused(t *testing.T) {
	srv := vspheretest.Start(t, "small")
	twin, err := srv.CreateVM(context.Background(), "prod", "web-01")
	if err != nil {
		t.Fatal(err)
	}
	env := configtest.Env{"VTUI_URL": srv.URL.Host, "VTUI_USERNAME": srv.Username, "VTUI_PASSWORD": srv.Password, "VTUI_THUMBPRINT": srv.Thumbprint}
	power := func() map[string]string {
		inv, err := vspheretest.Connect(t, srv).Inventory(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, v := range inv.VMs {
			if v.Name == "web-01" {
				out[v.ID] = v.PowerState
			}
		}
		return out
	}
	before := power()
	r := runTest(t, []string{"vm", "power", "off", "web-01", "--yes"}, env)
	if r.code != exitUsage || !strings.Contains(r.stderr, `VM name "web-01" is ambiguous`) || !strings.Contains(r.stderr, twin+" (/dc-01/vm/prod/web-01)") {
		t.Errorf("power off by a shared name: exit %d, stderr %q; want exit 2 listing both", r.code, r.stderr)
	}
	if after := power(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("a refused command changed power states: %v -> %v", before, after)
	}
	r = runTest(t, []string{"vm", "power", "on", "/dc-01/vm/prod/web-01", "--yes", "-o", "json"}, env)
	if r.code != exitOK || statuses(t, r.stdout) != "web-01=ok" {
		t.Fatalf("power on by path: exit %d, stdout %s, stderr %s", r.code, r.stdout, r.stderr)
	}
	after := power()
	for id, state := range after {
		want := before[id]
		if id == twin {
			want = "poweredOn"
		}
		if state != want {
			t.Errorf("%s is %s; want %s: only the VM at the path may change", id, state, want)
		}
	}
}

// TestChangeTakesAPipedAnswer: printf 'y\n' | vtui vm power off web-01
// powers it off; a piped n changes nothing, and no input at all refuses
// with a usage error naming --yes.
func TestChangeTakesAPipedAnswer(t *testing.T) {
	for _, tt := range []struct {
		stdin string
		code  int
	}{{"y\n", exitOK}, {"n\n", exitFailed}, {"", exitUsage}} {
		sys := testSys(t, nil)
		sys.stdin = strings.NewReader(tt.stdin)
		r := runSys(t, []string{"--simulator=small", "vm", "power", "off", "web-01"}, sys)
		if r.code != tt.code {
			t.Errorf("stdin %q: exit %d; want %d (stderr %s)", tt.stdin, r.code, tt.code, r.stderr)
		}
		if ran := strings.Contains(r.stderr, "power-off web-01: ok"); ran != (tt.code == exitOK) {
			t.Errorf("stdin %q: powered off = %v; stderr:\n%s", tt.stdin, ran, r.stderr)
		}
	}
}
