package gate

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vtui/vtui/vsphere/internal/conntest"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/mo"
	"github.com/vtui/vtui/vsphere/sim"
)

func mutating(m string) bool { return !vsphere.ReadOnlyMethod(m) }

// opsEnv is a client of the small preset, with a log of what it did.
type opsEnv struct {
	t   *testing.T
	c   *vsphere.Client
	srv *sim.Server
	log *bytes.Buffer
}

func newOpsEnv(t *testing.T) *opsEnv {
	t.Helper()
	e := &opsEnv{t: t, srv: startSim(t, "small"), log: &bytes.Buffer{}}
	e.c = e.connect(vsphere.Policy{})
	return e
}

// connect logs in to the environment's simulator again, with policy p and
// the environment's log.
func (e *opsEnv) connect(p vsphere.Policy) *vsphere.Client {
	e.t.Helper()
	log := slog.New(slog.NewTextHandler(&syncWriter{w: e.log}, nil))
	c, err := vsphere.Connect(context.Background(), configFor(e.srv), vsphere.WithLogger(log), vsphere.WithPolicy(p))
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// planner loads the inventory, the rules of every cluster and the pools.
func (e *opsEnv) planner() (*Planner, *vsphere.Inventory) {
	e.t.Helper()
	ctx := context.Background()
	inv, err := e.c.Inventory(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	var clusters []vsphere.Ref
	for _, c := range inv.Clusters {
		clusters = append(clusters, c.Ref)
	}
	rules, err := e.c.ClusterRules(ctx, clusters...)
	if err != nil {
		e.t.Fatal(err)
	}
	pools, err := e.c.ResourcePools(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	return NewPlanner(inv, rules, pools), inv
}

func (e *opsEnv) vm(inv *vsphere.Inventory, name string) vsphere.VM {
	e.t.Helper()
	vms, err := inv.VMsNamed([]string{name})
	if err != nil {
		e.t.Fatal(err)
	}
	return vms[0]
}

func (e *opsEnv) host(inv *vsphere.Inventory, name string) vsphere.Host {
	e.t.Helper()
	h, err := inv.HostNamed(name + ".lab.local")
	if err != nil {
		e.t.Fatal(err)
	}
	return h
}

// reload returns the VM as the server has it now.
func (e *opsEnv) reload(name string) vsphere.VM {
	e.t.Helper()
	inv, err := e.c.Inventory(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return e.vm(inv, name)
}

func TestMigrateChangesHostAndDatastore(t *testing.T) {
	e := newOpsEnv(t)
	p, inv := e.planner()
	app := e.vm(inv, "app-01") // on esx-a-02
	to := e.host(inv, "esx-a-03")
	g := NewGate(e.c)
	var stages []Stage
	res := g.Do(context.Background(), p.Migrate(app.Ref, MigrateSpec{Host: to.Ref}), func(pr Progress) { stages = append(stages, pr.Stage) })
	if res.Status != StatusOK || res.Task == "" || res.From != "esx-a-02.lab.local" || res.Target != to.Name {
		t.Fatalf("migrate app-01 to esx-a-03: %+v; want ok with a task, from esx-a-02", res)
	}
	if got := e.reload("app-01"); got.Host != to.Name {
		t.Errorf("app-01 runs on %s after the migration; want %s", got.Host, to.Name)
	}
	if !slices.Contains(stages, StageStarted) || stages[len(stages)-1] != StageDone {
		t.Errorf("progress stages %v; want started ... done", stages)
	}
	if !strings.Contains(e.log.String(), "change ok") || !strings.Contains(e.log.String(), "object=app-01") {
		t.Errorf("log lacks the change:\n%s", e.log)
	}

	// Storage vMotion: to the other shared datastore, host unchanged.
	ds, err := inv.DatastoreNamed("ds-shared-01")
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(app.DatastoreRefs, []vsphere.Ref{ds.Ref}) {
		ds, _ = inv.DatastoreNamed("ds-shared-02")
	}
	p, _ = e.planner()
	res = g.Do(context.Background(), p.Migrate(app.Ref, MigrateSpec{Datastore: ds.Ref}), nil)
	if res.Status != StatusOK {
		t.Fatalf("storage vMotion of app-01 to %s: %+v", ds.Name, res)
	}
	if got := e.reload("app-01"); !slices.Equal(got.Datastores, []string{ds.Name}) || got.Host != to.Name {
		t.Errorf("app-01 after storage vMotion: datastores %v host %s; want [%s] on %s", got.Datastores, got.Host, ds.Name, to.Name)
	}
}

func TestMigrateAcrossClustersWithPool(t *testing.T) {
	e := newOpsEnv(t)
	p, inv := e.planner()
	app := e.vm(inv, "app-01")
	to := e.host(inv, "esx-b-01")
	pools, err := e.c.ResourcePools(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	pool, err := vsphere.NewResolver(e.c, inv).Pool(context.Background(), pools, "Resources", to.ClusterRef)
	if err != nil {
		t.Fatal(err)
	}
	res := NewGate(e.c).Do(context.Background(), p.Migrate(app.Ref, MigrateSpec{Host: to.Ref, Pool: pool.Ref}), nil)
	if res.Status != StatusOK {
		t.Fatalf("migrate app-01 to esx-b-01 with pool %s: %+v", pool.Path, res)
	}
	if got := e.reload("app-01"); got.Cluster != "cluster-b" || got.PoolRef != pool.Ref {
		t.Errorf("app-01 after cross-cluster migration: cluster %s pool %v; want cluster-b, %v", got.Cluster, got.PoolRef, pool.Ref)
	}
}

// TestRefusedChangesSendNothing runs one refused action per precheck
// against the simulator (which would accept most of them) and checks that
// each is refused by name and that no mutating request left the client.
func TestRefusedChangesSendNothing(t *testing.T) {
	e := newOpsEnv(t)
	g := NewGate(e.c)
	ctx := context.Background()
	// Put esx-a-03 into maintenance and disconnect esx-b-03 first.
	p, inv := e.planner()
	maint, gone := e.host(inv, "esx-a-03"), e.host(inv, "esx-b-03")
	for _, name := range []string{"db-01", "cache-02"} { // the powered-on VMs of esx-a-03
		if r := g.Do(ctx, p.Power(e.vm(inv, name).Ref, OpPowerOff), nil); r.Status != StatusOK {
			t.Fatalf("power off %s: %+v", name, r)
		}
	}
	p, _ = e.planner()
	for _, a := range []Action{p.EnterMaintenance(maint.Ref, 0), p.Disconnect(gone.Ref)} {
		if r := g.Do(ctx, a, nil); r.Status != StatusOK {
			t.Fatalf("%s: %+v", a, r)
		}
	}
	p, inv = e.planner()
	app, web := e.vm(inv, "app-01"), e.vm(inv, "web-01")
	other := e.host(inv, "esx-b-02")
	pools, _ := e.c.ResourcePools(ctx)
	poolB, _ := vsphere.NewResolver(nil, inv).Pool(ctx, pools, "Resources", other.ClusterRef)
	dsOnlyA, _ := inv.DatastoreNamed(sim.FirstClusterDatastore)

	rec := conntest.Record(e.c.Conn())
	tests := []struct {
		action Action
		check  string
	}{
		{p.Migrate(vsphere.Ref{Type: "VirtualMachine", Value: "vm-404"}, MigrateSpec{Host: other.Ref}), "vm"},
		{p.Migrate(app.Ref, MigrateSpec{Host: vsphere.Ref{Type: "HostSystem", Value: "host-404"}}), "host"},
		{p.Migrate(app.Ref, MigrateSpec{Host: maint.Ref}), "host-maintenance"},
		{p.Migrate(app.Ref, MigrateSpec{Host: gone.Ref, Pool: poolB.Ref}), "host-connected"},
		{p.Migrate(app.Ref, MigrateSpec{Host: other.Ref}), "cluster"},
		{p.Migrate(web.Ref, MigrateSpec{Host: other.Ref, Pool: poolB.Ref}), "datastores"},
		{p.Migrate(app.Ref, MigrateSpec{Host: other.Ref, Pool: poolB.Ref, Datastore: dsOnlyA.Ref}), "datastores"},
		{p.Power(e.vm(inv, "app-02").Ref, OpReset), ""}, // allowed: a control
		{p.Power(e.vm(inv, "cache-02").Ref, OpPowerOn), "host-maintenance"},
		{p.Power(e.vm(inv, "web-02").Ref, OpPowerOff), "host-connected"},
		{p.EnterMaintenance(e.host(inv, "esx-b-01").Ref, 0), "running-vms"},
	}
	for _, tt := range tests {
		before := len(rec.Sent(mutating))
		res := g.Do(ctx, tt.action, nil)
		sent := rec.Sent(mutating)[before:]
		if tt.check == "" {
			if res.Status != StatusOK {
				t.Errorf("%s: %+v; want ok", tt.action, res)
			}
			continue
		}
		var pe *PrecheckError
		var oe *OpError
		if res.Status != StatusFailed || !errors.As(res.Err, &pe) || !errors.As(res.Err, &oe) ||
			!slices.ContainsFunc(pe.Failed, func(c Check) bool { return c.Name == tt.check }) {
			t.Errorf("%s: status %s err %v; want refused by check %q", tt.action, res.Status, res.Err, tt.check)
		}
		if oe != nil && oe.Object != tt.action.Object {
			t.Errorf("%s: error names %q; want %q", tt.action, oe.Object, tt.action.Object)
		}
		if len(sent) > 0 {
			t.Errorf("%s was refused but sent %v", tt.action, sent)
		}
	}
	// The migration refusals would have reached a panicking vcsim before.
	if got := e.reload("app-01"); got.Host != app.Host {
		t.Errorf("app-01 moved to %s", got.Host)
	}
}

func TestReadOnlySendsNoMutation(t *testing.T) {
	e := newOpsEnv(t)
	p, inv := e.planner()
	app := e.vm(inv, "app-01")
	actions := []Action{
		p.Migrate(app.Ref, MigrateSpec{Host: e.host(inv, "esx-a-03").Ref}),
		p.Power(app.Ref, OpPowerOff),
		p.EnterMaintenance(e.host(inv, "esx-b-03").Ref, 0),
		p.Disconnect(e.host(inv, "esx-b-03").Ref),
	}
	ro := e.connect(vsphere.Policy{ReadOnly: true})
	if !ro.RefusesMutations() || !NewGate(ro).Policy().ReadOnly {
		t.Fatal("a client connected read-only neither refuses mutations nor makes read-only gates")
	}
	rec := conntest.Record(ro.Conn())
	sum := NewGate(ro).Run(context.Background(), actions, RunOptions{})
	for _, r := range sum.Results {
		if r.Status != StatusFailed || !errors.Is(r.Err, vsphere.ErrReadOnly) || !strings.HasPrefix(r.Message, r.Op.verb()) ||
			!strings.Contains(r.Message, "read-only mode:") {
			t.Errorf("%s %s in read-only mode: %s %v; want refused with ErrReadOnly", r.Op, r.Object, r.Status, r.Err)
		}
	}
	if !errors.Is(sum.Err(), vsphere.ErrReadOnly) {
		t.Errorf("Summary.Err() = %v; want it to wrap ErrReadOnly", sum.Err())
	}
	if m := rec.Sent(mutating); len(m) > 0 {
		t.Errorf("read-only gate sent %v", m)
	}
	if m := rec.Sent(func(string) bool { return true }); len(m) > 0 {
		t.Errorf("read-only gate sent requests at all: %v", m)
	}

	// Defence in depth: the transport itself refuses a mutation that
	// bypasses the gate, and a gate on such a client is read-only.
	rec = conntest.Record(e.c.Conn())
	e.c.RefuseMutations()
	_, err := object.NewVirtualMachine(conn.VIM(e.c.Conn()), mo.ToMoRef(app.Ref)).PowerOff(context.Background())
	if !errors.Is(err, vsphere.ErrReadOnly) || !strings.Contains(err.Error(), "PowerOffVM_Task") {
		t.Errorf("PowerOff through a read-only transport: err = %v; want ErrReadOnly naming the method", err)
	}
	if m := rec.Sent(mutating); len(m) > 0 {
		t.Errorf("read-only transport let %v through", m)
	}
	// Reading still works: the inventory, tasks and events.
	if _, err := e.c.Inventory(context.Background()); err != nil {
		t.Errorf("Inventory through a read-only transport: %v", err)
	}
	if _, err := e.c.RecentTasks(context.Background()); err != nil {
		t.Errorf("RecentTasks through a read-only transport: %v", err)
	}
	if _, err := e.c.Events(context.Background(), 10); err != nil {
		t.Errorf("Events through a read-only transport: %v", err)
	}
	if !NewGate(e.c).Policy().ReadOnly {
		t.Error("a gate on a client that refuses mutations is not read-only")
	}
}

func TestDryRunInReadOnlyModeShowsThePlan(t *testing.T) {
	e := newOpsEnv(t)
	p, inv := e.planner()
	c := e.connect(vsphere.Policy{ReadOnly: true, DryRun: true})
	rec := conntest.Record(c.Conn())
	app := e.vm(inv, "app-01")
	sum := NewGate(c).Run(context.Background(), []Action{
		p.Migrate(app.Ref, MigrateSpec{Host: e.host(inv, "esx-a-03").Ref}),
		p.Power(app.Ref, OpPowerOff),
	}, RunOptions{})
	for _, r := range sum.Results {
		if r.Status != StatusDryRun || !strings.HasSuffix(r.Message, "(read-only mode would refuse it)") {
			t.Errorf("%s %s: %s %q; want a dry-run plan that says read-only mode would refuse it", r.Op, r.Object, r.Status, r.Message)
		}
	}
	if sum.Err() != nil {
		t.Errorf("Summary.Err() = %v; want nil: a dry run fails nothing", sum.Err())
	}
	if m := rec.Sent(func(string) bool { return true }); len(m) > 0 {
		t.Errorf("a read-only dry run sent %v", m)
	}
}

func TestDryRunChangesNothing(t *testing.T) {
	e := newOpsEnv(t)
	p, inv := e.planner()
	dry := e.connect(vsphere.Policy{DryRun: true})
	rec := conntest.Record(dry.Conn())
	app := e.vm(inv, "app-01")
	sum := NewGate(dry).Run(context.Background(), []Action{
		p.Migrate(app.Ref, MigrateSpec{Host: e.host(inv, "esx-a-03").Ref}),
		p.Power(app.Ref, OpPowerOff),
		p.Power(e.vm(inv, "cache-01").Ref, OpPowerOff), // already off
	}, RunOptions{})
	want := []Status{StatusDryRun, StatusDryRun, StatusNoop}
	for i, r := range sum.Results {
		if r.Status != want[i] {
			t.Errorf("dry-run %s %s: %s (%s); want %s", r.Op, r.Object, r.Status, r.Message, want[i])
		}
	}
	if !strings.HasPrefix(sum.Results[0].Message, "would migrate app-01 from esx-a-02") || sum.Err() != nil {
		t.Errorf("dry-run message %q, err %v", sum.Results[0].Message, sum.Err())
	}
	// Only the server's own migration check may be asked; it changes nothing.
	if m := rec.Sent(func(m string) bool { return mutating(m) && m != "CheckRelocate_Task" }); len(m) > 0 {
		t.Errorf("dry run sent %v", m)
	}
	if got := e.reload("app-01"); got.Host != app.Host || got.PowerState != "poweredOn" {
		t.Errorf("app-01 after a dry run: %s %s; want unchanged", got.Host, got.PowerState)
	}
}

// clusterAMoves plans moving the powered-on VMs of cluster-a that are not
// on esx-a-02 there, and app-01, which is: one no-op.
func clusterAMoves(e *opsEnv) []Action {
	p, inv := e.planner()
	to := e.host(inv, "esx-a-02")
	var out []Action
	for _, name := range []string{"web-01", "app-01", "db-01", "app-02", "cache-02"} {
		out = append(out, p.Migrate(e.vm(inv, name).Ref, MigrateSpec{Host: to.Ref}))
	}
	return out
}

func TestBulkOneFailureDoesNotStopTheOthers(t *testing.T) {
	e := newOpsEnv(t)
	undo := e.srv.FailMethod("RelocateVM_Task", "db-01", &types.InsufficientResourcesFault{})
	defer undo()
	var done atomic.Int32
	sum := NewGate(e.c).Run(context.Background(), clusterAMoves(e), RunOptions{
		Concurrency: 2,
		Progress: func(p Progress) {
			if p.Stage == StageDone {
				done.Add(1)
			}
		},
	})
	want := map[string]Status{"web-01": StatusOK, "app-01": StatusNoop, "db-01": StatusFailed, "app-02": StatusOK, "cache-02": StatusOK}
	for _, r := range sum.Results {
		if r.Status != want[r.Object] {
			t.Errorf("%s: %s (%s); want %s", r.Object, r.Status, r.Message, want[r.Object])
		}
		if r.Status == StatusOK && e.reload(r.Object).Host != "esx-a-02.lab.local" {
			t.Errorf("%s reported ok but is not on esx-a-02", r.Object)
		}
	}
	if sum.Count(StatusOK) != 3 || sum.Count(StatusNoop) != 1 || sum.Count(StatusFailed) != 1 || done.Load() != 5 {
		t.Errorf("summary %s, %d done reports; want 3 ok, 1 noop, 1 failed, 5 reports", sum, done.Load())
	}
	var oe *OpError
	if err := sum.Err(); !errors.As(err, &oe) || oe.Object != "db-01" || oe.Fault() != "InsufficientResourcesFault" ||
		!strings.Contains(err.Error(), "1 of 5 changes failed") || !strings.Contains(err.Error(), "migrate db-01") {
		t.Errorf("Summary.Err() = %v; want 1 of 5 failed, an OpError for db-01 with the fault", err)
	}
}

func TestBulkCancelStartsNothingMoreAndWaitsForRunning(t *testing.T) {
	e := newOpsEnv(t)
	// Long enough that the runs in flight are still running when the
	// cancel arrives, even on a loaded machine.
	e.srv.SetTaskDelay("RelocateVm", 500*time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var started atomic.Int32
	actions := clusterAMoves(e)
	sum := NewGate(e.c).Run(ctx, actions, RunOptions{
		Concurrency: 2,
		Progress: func(p Progress) {
			if p.Stage == StageStarted && started.Add(1) == 2 {
				cancel() // Ctrl-C while two migrations run
			}
		},
	})
	// web-01 and app-01 (a no-op, done at once) take the first slots;
	// db-01 takes app-01's; app-02 and cache-02 never start.
	var ok, cancelled []string
	for _, r := range sum.Results {
		switch r.Status {
		case StatusOK:
			ok = append(ok, r.Object)
		case StatusCancelled:
			cancelled = append(cancelled, r.Object)
			if !errors.Is(r.Err, context.Canceled) || !strings.Contains(r.Message, "not started") {
				t.Errorf("%s cancelled with %v", r.Object, r.Err)
			}
		}
	}
	if len(ok) != 2 || len(cancelled) != 2 {
		t.Fatalf("after cancel: ok %v cancelled %v (%s); want the 2 running finished and 2 never started", ok, cancelled, sum)
	}
	for _, name := range ok {
		if e.reload(name).Host != "esx-a-02.lab.local" {
			t.Errorf("%s finished ok but did not move", name)
		}
	}
	for _, name := range cancelled {
		if e.reload(name).Host == "esx-a-02.lab.local" {
			t.Errorf("%s was cancelled but moved", name)
		}
	}
}

func TestPowerOperations(t *testing.T) {
	e := newOpsEnv(t)
	g := NewGate(e.c)
	ctx := context.Background()
	steps := []struct {
		vm     string
		op     Op
		status Status
		state  string
	}{
		{"web-02", OpPowerOff, StatusOK, "poweredOff"},
		{"web-02", OpPowerOff, StatusNoop, "poweredOff"},
		{"web-02", OpPowerOn, StatusOK, "poweredOn"},
		{"web-02", OpReset, StatusOK, "poweredOn"},
		{"web-02", OpSuspend, StatusOK, "suspended"},
		{"web-02", OpSuspend, StatusNoop, "suspended"},
		{"web-02", OpPowerOn, StatusOK, "poweredOn"}, // resumes
		{"web-02", OpShutdown, StatusOK, "poweredOff"},
		{"web-02", OpShutdown, StatusNoop, "poweredOff"},
		{"app-03", OpPowerOn, StatusOK, "poweredOn"}, // was suspended
	}
	for _, s := range steps {
		p, inv := e.planner()
		res := g.Do(ctx, p.Power(e.vm(inv, s.vm).Ref, s.op), nil)
		if res.Status != s.status {
			t.Errorf("%s %s: %s (%s); want %s", s.op, s.vm, res.Status, res.Message, s.status)
		}
		if got := e.reload(s.vm).PowerState; got != s.state {
			t.Errorf("after %s %s: %s; want %s", s.op, s.vm, got, s.state)
		}
	}
	// A guest without running tools cannot be asked to shut down; the
	// simulator, like vCenter, says ToolsUnavailable if asked anyway.
	p, inv := e.planner()
	vm := e.vm(inv, "db-01")
	undo := e.srv.FailMethod("ShutdownGuest", "db-01", &types.ToolsUnavailable{})
	defer undo()
	res := g.Do(ctx, p.Power(vm.Ref, OpShutdown), nil)
	var oe *OpError
	if !errors.As(res.Err, &oe) || oe.Fault() != "ToolsUnavailable" || !strings.Contains(res.Message, "use power off") {
		t.Errorf("shutdown with tools unavailable: %v; want ToolsUnavailable with a hint", res.Err)
	}
}

func TestHostOperations(t *testing.T) {
	e := newOpsEnv(t)
	g := NewGate(e.c)
	ctx := context.Background()
	hostState := func(name string) vsphere.Host {
		inv, err := e.c.Inventory(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return e.host(inv, name)
	}
	steps := []struct {
		plan   func(p *Planner, h vsphere.Ref) Action
		status Status
		check  func(vsphere.Host) bool
	}{
		{func(p *Planner, h vsphere.Ref) Action { return p.Disconnect(h) }, StatusOK, func(h vsphere.Host) bool { return h.ConnectionState == "disconnected" }},
		{func(p *Planner, h vsphere.Ref) Action { return p.Disconnect(h) }, StatusNoop, nil},
		{func(p *Planner, h vsphere.Ref) Action { return p.EnterMaintenance(h, time.Minute) }, StatusFailed, nil},
		{func(p *Planner, h vsphere.Ref) Action { return p.Reconnect(h) }, StatusOK, func(h vsphere.Host) bool { return h.ConnectionState == "connected" }},
		{func(p *Planner, h vsphere.Ref) Action { return p.ExitMaintenance(h, 0) }, StatusNoop, nil},
	}
	for i, s := range steps {
		p, inv := e.planner()
		a := s.plan(p, e.host(inv, "esx-b-03").Ref)
		res := g.Do(ctx, a, nil)
		if res.Status != s.status {
			t.Errorf("step %d, %s: %s (%s); want %s", i, a, res.Status, res.Message, s.status)
		}
		if s.check != nil && !s.check(hostState("esx-b-03")) {
			t.Errorf("step %d, %s: host state %+v", i, a, hostState("esx-b-03"))
		}
	}
}

func TestServerCheckCatchesWhatASnapshotMissed(t *testing.T) {
	e := newOpsEnv(t)
	g := NewGate(e.c)
	ctx := context.Background()
	p, inv := e.planner()
	app := e.vm(inv, "app-01")
	target := e.host(inv, "esx-a-01")
	stale := p.Migrate(app.Ref, MigrateSpec{Host: target.Ref}) // planned while esx-a-01 was usable
	// Meanwhile esx-a-01 is disconnected by someone else.
	p2, _ := e.planner()
	if r := g.Do(ctx, p2.Disconnect(target.Ref), nil); r.Status != StatusOK {
		t.Fatal(r.Err)
	}
	res := g.Do(ctx, stale, nil)
	var pe *PrecheckError
	if !errors.As(res.Err, &pe) || pe.Failed[0].Name != "server" || !strings.Contains(res.Message, "disconnected") {
		t.Errorf("stale migration to a host disconnected since: %v; want refused by the server's check", res.Err)
	}

	// A server without the check is told of once, and the changes go on.
	undo := e.srv.FailMethod("CheckRelocate_Task", "", &types.MethodNotFound{})
	defer undo()
	p, _ = e.planner()
	var notes []string
	sum := g.Run(ctx, []Action{
		p.Migrate(app.Ref, MigrateSpec{Host: e.host(inv, "esx-a-03").Ref}),
		p.Migrate(e.vm(inv, "db-01").Ref, MigrateSpec{Host: e.host(inv, "esx-a-02").Ref}),
	}, RunOptions{Concurrency: 1, Progress: func(pr Progress) {
		if pr.Stage == StageNote {
			notes = append(notes, pr.Message)
		}
	}})
	if sum.Err() != nil || len(notes) != 1 || !strings.Contains(notes[0], "no server-side migration check") {
		t.Errorf("without CheckRelocate: %s, err %v, notes %q; want both ok and one note", sum, sum.Err(), notes)
	}
}

func TestOpErrorDescribesFaults(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{soap.WrapVimFault(&types.InvalidPowerState{ExistingState: "poweredOff", RequestedState: "poweredOn"}),
			"power off web: the VM is poweredOff, and this needs it poweredOn (InvalidPowerState)"},
		{soap.WrapVimFault(&types.ToolsUnavailable{}), "power off web: VMware Tools is not running in the guest (ToolsUnavailable); use power off for a hard stop"},
		{errors.New("plain"), "power off web: plain"},
		{&PrecheckError{Failed: []Check{fail("tools", "no tools")}}, "power off web: refused, nothing was changed: tools: no tools"},
	}
	for _, tt := range tests {
		e := &OpError{Op: OpPowerOff, Object: "web", Err: tt.err}
		if e.Error() != tt.want {
			t.Errorf("OpError{%v}.Error() = %q; want %q", tt.err, e.Error(), tt.want)
		}
		if !errors.Is(e, tt.err) {
			t.Errorf("OpError does not unwrap to %v", tt.err)
		}
	}
}

func TestBulkLostConnectionEndsUnknownAndStartsNothingMore(t *testing.T) {
	e := newOpsEnv(t)
	e.srv.SetTaskDelay("RelocateVm", 2*time.Second)
	rec := conntest.Record(e.c.Conn())
	var started atomic.Int32
	var sentAtLoss atomic.Int32
	sentAtLoss.Store(-1)
	mutatingSent := func() int32 { return int32(len(rec.Sent(mutating))) }
	sum := NewGate(e.c).Run(context.Background(), clusterAMoves(e), RunOptions{
		Concurrency: 2,
		Progress: func(p Progress) {
			if p.Stage == StageStarted && started.Add(1) == 2 {
				go func() {
					time.Sleep(500 * time.Millisecond) // both relocations are on the server
					sentAtLoss.Store(mutatingSent())
					e.srv.Close()
				}()
			}
		},
	})
	got := map[string]Status{}
	for _, r := range sum.Results {
		got[r.Object] = r.Status
		switch r.Status {
		case StatusUnknown:
			if !strings.Contains(r.Message, "lost the connection to vCenter while it ran, so it may or may not have been made") ||
				!strings.Contains(r.Message, "check task task-") || r.Task == "" || strings.Contains(r.Message, "EOF") {
				t.Errorf("%s unknown: %q (task %q); want the lost connection named, the task to check, no raw transport error", r.Object, r.Message, r.Task)
			}
			if !errors.Is(r.Err, ErrConnectionLost) {
				t.Errorf("%s: err %v does not wrap ErrConnectionLost", r.Object, r.Err)
			}
		case StatusCancelled:
			if !strings.Contains(r.Message, "not started, nothing was changed: lost the connection to vCenter") {
				t.Errorf("%s cancelled: %q", r.Object, r.Message)
			}
		}
	}
	want := map[string]Status{"web-01": StatusUnknown, "app-01": StatusNoop, "db-01": StatusUnknown, "app-02": StatusCancelled, "cache-02": StatusCancelled}
	for name, st := range want {
		if got[name] != st {
			t.Errorf("%s: %s; want %s (summary %s)", name, got[name], st, sum)
		}
	}
	if n := mutatingSent(); sentAtLoss.Load() < 0 || n != sentAtLoss.Load() {
		t.Errorf("%d mutating requests were sent, %d of them before the server went away: nothing may start after the loss", n, sentAtLoss.Load())
	}
	var re *RunError
	if err := sum.Err(); !errors.As(err, &re) || re.Unknown != 2 || !strings.Contains(err.Error(), "2 unknown: check vCenter's tasks") {
		t.Errorf("Summary.Err() = %v; want 2 unknown counted", err)
	}
	if !strings.Contains(sum.String(), "2 unknown") {
		t.Errorf("summary %q does not count the unknown", sum)
	}
}

func TestBulkWaitIsBoundedByTimeoutAndAbort(t *testing.T) {
	e := newOpsEnv(t)
	e.srv.SetTaskDelay("RelocateVm", 3*time.Second)
	p, inv := e.planner()
	to := e.host(inv, "esx-a-02")
	move := func(name string) Action { return p.Migrate(e.vm(inv, name).Ref, MigrateSpec{Host: to.Ref}) }

	sum := NewGate(e.c).Run(context.Background(), []Action{move("web-01")}, RunOptions{Timeout: 300 * time.Millisecond})
	r := sum.Results[0]
	if r.Status != StatusUnknown || !strings.Contains(r.Message, "the wait was stopped while it ran") || r.Task == "" {
		t.Errorf("after the timeout: %s %q (task %q); want unknown, naming the task", r.Status, r.Message, r.Task)
	}

	abort, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(300 * time.Millisecond); cancel() }() // SIGTERM
	sum = NewGate(e.c).Run(context.Background(), []Action{move("db-01")}, RunOptions{Abort: abort})
	if r := sum.Results[0]; r.Status != StatusUnknown || r.Seconds > 2.5 {
		t.Errorf("after the abort: %s in %.1fs (%q); want unknown, not waiting for the 3 s task", r.Status, r.Seconds, r.Message)
	}
}
