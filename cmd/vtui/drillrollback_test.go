package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/cmd/internal/config/configtest"
	"github.com/vtui/vtui/ha/drill"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/drillkit"
	"github.com/vtui/vtui/vsphere/gate"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// simEnv starts the small preset with fast HA and returns the variables
// that point vtui at it.
func simEnv(t *testing.T) (*sim.Server, configtest.Env) {
	t.Helper()
	srv := vspheretest.StartWith(t, "small", sim.Options{HA: sim.HAOptions{DetectDelay: 100 * time.Millisecond}})
	cfg := vspheretest.Config(srv)
	return srv, configtest.Env{"VTUI_URL": cfg.URL, "VTUI_USERNAME": cfg.Username, "VTUI_PASSWORD": cfg.Password, "VTUI_THUMBPRINT": cfg.Thumbprint}
}

// drillLock reads cluster-a's drill lock on srv.
func drillLock(t *testing.T, srv *sim.Server) drillkit.DrillLock {
	t.Helper()
	c := vspheretest.Connect(t, srv)
	inv, err := c.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	lock, err := drillkit.ReadLock(context.Background(), c, inv.FilterClusters(vsphere.Filter{Name: "cluster-a"})[0].Ref)
	if err != nil {
		t.Fatal(err)
	}
	return lock
}

// writeJournalStart writes a journal that holds only the start of a drill
// of the plan at planPath: what vtui drill rollback reads first.
func writeJournalStart(t *testing.T, path, planPath string) {
	t.Helper()
	plan, err := drill.Load(context.Background(), planPath)
	if err != nil {
		t.Fatal(err)
	}
	line, err := json.Marshal(drill.Entry{Time: time.Now(), Step: drill.StepStart, Plan: &plan})
	if err != nil {
		t.Fatal(err)
	}
	configtest.WriteFile(t, path, string(line)+"\n", 0o600)
}

// TestDrillRollbackCommand leaves a drill unrolled (rollback: never), then
// runs vtui drill rollback on its journal as an admin would: --dry-run
// shows the plan and exits 0, --readonly refuses; neither touches the
// journal. Another vCenter is refused with exit 2, naming both. Without a
// terminal the rollback needs --yes; then it restores the cluster and
// releases the lock, and a second one has nothing to do.
func TestDrillRollbackCommand(t *testing.T) {
	srv, env := simEnv(t)
	before := vspheretest.State(t, vspheretest.Connect(t, srv))
	dir := t.TempDir()
	plan, journal := filepath.Join(dir, "plan.yaml"), filepath.Join(dir, "drill.journal")
	configtest.WriteFile(t, plan, "name: left\ncluster: cluster-a\nscenario: host-failure\ntargets: {hosts: [esx-a-01.lab.local]}\n"+
		"expect: {rto: 30s}\ninject: {method: sim-crash}\nrollback: never\n", 0o600)
	if r := runTest(t, []string{"drill", "run", plan, "--yes", "--journal", journal}, env); r.code != exitOK {
		t.Fatalf("drill run: exit %d: %s", r.code, r.stderr)
	}
	written, _ := os.ReadFile(journal)
	for _, tt := range []struct {
		flag   string
		code   int
		stderr []string
	}{
		{"--dry-run", exitOK, []string{"would recover (simulated) esx-a-01.lab.local", "would release the drill lock of cluster-a"}},
		{"--readonly", exitFailed, []string{"read-only mode", "the journal is as it was"}},
	} {
		r := runTest(t, []string{"drill", "rollback", journal, tt.flag}, env)
		if r.code != tt.code || strings.Contains(r.stderr, "could not") {
			t.Errorf("rollback %s: exit %d; want %d\nstdout %s\nstderr %s", tt.flag, r.code, tt.code, r.stdout, r.stderr)
		}
		for _, want := range tt.stderr {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("rollback %s: stderr %q; want %q", tt.flag, r.stderr, want)
			}
		}
		if got, _ := os.ReadFile(journal); !bytes.Equal(got, written) {
			t.Errorf("rollback %s wrote the journal", tt.flag)
		}
	}

	_, otherEnv := simEnv(t)
	r := runTest(t, []string{"drill", "rollback", journal}, otherEnv)
	if r.code != exitUsage || !strings.Contains(r.stderr, "the drill ran on another vCenter") || !strings.Contains(r.stderr, env["VTUI_URL"]) ||
		!strings.Contains(r.stderr, otherEnv["VTUI_URL"]) || !isOneError(r.stderr) {
		t.Errorf("rollback against another vCenter: exit %d, stderr %q; want 2, naming both", r.code, r.stderr)
	}

	r = runTest(t, []string{"drill", "rollback", journal}, env)
	if r.code != exitUsage || !strings.Contains(r.stderr, "Roll back drill left on cluster-a from "+journal+": refusing without a terminal to confirm on; add --yes") {
		t.Errorf("rollback without --yes: exit %d, stderr %q; want it refused, asking for --yes", r.code, r.stderr)
	}
	if got, _ := os.ReadFile(journal); !bytes.Equal(got, written) {
		t.Error("a rollback not confirmed wrote the journal")
	}
	r = runTest(t, []string{"drill", "rollback", journal, "--yes"}, env)
	if r.code != exitOK || !strings.Contains(r.stdout, "rollback: ok, the cluster equals the baseline") {
		t.Fatalf("rollback: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	vspheretest.SameState(t, "after the rollback", vspheretest.State(t, vspheretest.Connect(t, srv)), before)
	if lock := drillLock(t, srv); !lock.Free(time.Now()) {
		t.Errorf("the lock is held after the rollback: %+v", lock)
	}
	if r := runTest(t, []string{"drill", "rollback", journal, "--yes"}, env); r.code != exitOK || !strings.Contains(r.stdout, "nothing to roll back") {
		t.Errorf("a second rollback: exit %d, stdout %q", r.code, r.stdout)
	}
}

// TestDrillUnlockCommand clears a stale drill lock: without a terminal it
// needs --yes, and its refusal names the holder; --dry-run and --readonly
// leave the lock; --yes clears it; a cluster without a lock is left alone.
func TestDrillUnlockCommand(t *testing.T) {
	srv, env := simEnv(t)
	c := vspheretest.Connect(t, srv)
	inv, err := c.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cl := inv.FilterClusters(vsphere.Filter{Name: "cluster-a"})[0]
	const holder = "nightly (vtui on ci-7, pid 42)"
	if r := gate.NewGate(c).Do(context.Background(), gate.LockCluster(cl, drillkit.DrillLock{}, holder, -time.Minute), nil); r.Status != gate.StatusOK {
		t.Fatal(r.Message)
	}
	for _, tt := range []struct {
		args   []string
		code   int
		stderr string
		held   bool
	}{
		{nil, exitUsage, "Clear the drill lock of cluster-a, held by " + holder + ", until ", true},
		{[]string{"--dry-run"}, exitOK, "would release the drill lock of cluster-a", true},
		{[]string{"--readonly"}, exitFailed, "read-only mode", true},
		{[]string{"--yes"}, exitOK, "expired", false},
		{[]string{"--yes"}, exitOK, "cluster-a has no drill lock; nothing to clear", false},
	} {
		r := runTest(t, append([]string{"drill", "unlock", "cluster-a"}, tt.args...), env)
		if r.code != tt.code || !strings.Contains(r.stdout+r.stderr, tt.stderr) {
			t.Errorf("unlock %v: exit %d, stdout %q, stderr %q; want %d and %q", tt.args, r.code, r.stdout, r.stderr, tt.code, tt.stderr)
		}
		if lock := drillLock(t, srv); (lock.Holder == holder) != tt.held {
			t.Errorf("after unlock %v the lock is %+v; want held %t", tt.args, lock, tt.held)
		}
	}
}
