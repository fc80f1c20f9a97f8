package gate

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/vsphere/internal/conntest"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/drillkit"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// haEnv is the small preset with HA declaring failures after 100 ms.
func haEnv(t *testing.T) *opsEnv {
	t.Helper()
	e := &opsEnv{t: t, srv: vspheretest.StartWith(t, "small", sim.Options{HA: sim.HAOptions{DetectDelay: 100 * time.Millisecond}}), log: &bytes.Buffer{}}
	e.c = e.connect(vsphere.Policy{})
	return e
}

func TestCrashThroughTheDoorIsObservedWithoutLoss(t *testing.T) {
	e := haEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	inv, err := e.c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	info, err := drillkit.SimulatorInfo(ctx, e.c)
	if err != nil || info.Simulator != "vtui" || info.HADetectDelay != "100ms" {
		t.Fatalf("SimulatorInfo = %+v, %v", info, err)
	}
	cl := inv.FilterClusters(vsphere.Filter{Name: "cluster-a"})[0]
	h := e.host(inv, "esx-a-01")
	var vms, hosts []vsphere.Ref
	var on []string
	for _, v := range inv.FilterVMs(vsphere.Filter{Cluster: "cluster-a"}) {
		vms = append(vms, v.Ref)
		if v.HostRef == h.Ref && v.PowerState == "poweredOn" {
			on = append(on, v.Name)
		}
	}
	for _, x := range inv.FilterHosts(vsphere.Filter{Cluster: "cluster-a"}) {
		hosts = append(hosts, x.Ref)
	}
	obs, err := drillkit.Observe(ctx, e.c, cl.Ref, vms, hosts)
	if err != nil {
		t.Fatal(err)
	}
	seen, _ := obs.Next(ctx, 0) // the current state comes first
	r := NewGate(e.c).Do(ctx, CrashHost(h), nil)
	if r.Status != StatusOK {
		t.Fatalf("crash: %s %q", r.Status, r.Message)
	}
	restarted := map[string]string{}
	var failed bool
	for len(restarted) < len(on) || !failed {
		next, err := obs.Next(ctx, len(seen))
		if err != nil {
			t.Fatalf("waiting for the failover: %v (restarted %v, failed %v)", err, restarted, failed)
		}
		seen = append(seen, next...)
		for _, o := range next {
			switch o.Event {
			case "DasHostFailedEvent":
				failed = o.Host == h.Name
			case "VmRestartedOnAlternateHostEvent":
				restarted[o.Name] = o.Host
				if o.SourceHost != h.Name {
					t.Errorf("%s restarted from %q; want %s", o.Name, o.SourceHost, h.Name)
				}
			}
		}
	}
	for i, o := range seen {
		if o.Seq != i+1 {
			t.Fatalf("observation %d numbered %d: the sequence has a gap", i, o.Seq)
		}
	}
	var downAt, failedAt int
	for _, o := range seen {
		if o.Name == h.Name && o.Property == "runtime.connectionState" && o.Value == "notResponding" && downAt == 0 {
			downAt = o.Seq
		}
		if o.Event == "DasHostFailedEvent" {
			failedAt = o.Seq
		}
	}
	if downAt == 0 || failedAt < downAt {
		t.Errorf("not responding at %d, failed at %d: want the host seen down, then declared failed", downAt, failedAt)
	}
	if r := NewGate(e.c).Do(ctx, RecoverHost(h), nil); r.Status != StatusOK {
		t.Errorf("recover: %s %q", r.Status, r.Message)
	}
}

func TestCrashIsRefusedAgainstAnythingButTheSimulator(t *testing.T) {
	c := vspheretest.PlainVcsim(t)
	ctx := context.Background()
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := drillkit.SimulatorInfo(ctx, c); !errors.Is(err, drillkit.ErrNotSimulator) || !strings.Contains(err.Error(), "has no fault door (GET /vtui/sim/v1 answers 404)") {
		t.Errorf("SimulatorInfo on plain vcsim: %v; want drillkit.ErrNotSimulator saying why", err)
	}
	rec := conntest.Record(c.Conn())
	r := NewGate(c).Do(ctx, CrashHost(inv.Hosts[0]), nil)
	if r.Status != StatusFailed || !strings.Contains(r.Message, "only against vtui's simulator") {
		t.Errorf("crash on plain vcsim: %s %q; want refused", r.Status, r.Message)
	}
	if m := rec.Sent(mutating); len(m) > 0 {
		t.Errorf("a refused crash sent %v", m)
	}
}

func TestDrillLockIsSeenByOtherSessions(t *testing.T) {
	e := newOpsEnv(t)
	ctx := context.Background()
	inv, _ := e.c.Inventory(ctx)
	cl := inv.FilterClusters(vsphere.Filter{Name: "cluster-a"})[0]
	free, err := drillkit.ReadLock(ctx, e.c, cl.Ref)
	if err != nil || !free.Free(time.Now()) {
		t.Fatalf("a fresh cluster's lock: %+v, %v; want free", free, err)
	}
	if r := NewGate(e.c).Do(ctx, LockCluster(cl, free, "drill A", time.Hour), nil); r.Status != StatusOK {
		t.Fatalf("lock: %s %q", r.Status, r.Message)
	}
	other := e.connect(vsphere.Policy{})
	held, err := drillkit.ReadLock(ctx, other, cl.Ref)
	if err != nil || held.Holder != "drill A" || held.Free(time.Now()) {
		t.Fatalf("another session reads %+v, %v; want drill A's", held, err)
	}
	a := LockCluster(cl, held, "drill B", time.Hour)
	if f := a.Failed(); len(f) == 0 || !strings.Contains(f[0].Reason, "another drill holds cluster-a: drill A") {
		t.Errorf("a second drill's lock: failed %v; want refused naming the holder", f)
	}
	if !held.Free(time.Now().Add(2 * time.Hour)) {
		t.Error("an expired lock is not free")
	}
	if r := NewGate(e.c).Do(ctx, UnlockCluster(cl, held, "drill A"), nil); r.Status != StatusOK {
		t.Fatalf("unlock: %s %q", r.Status, r.Message)
	}
	if after, _ := drillkit.ReadLock(ctx, other, cl.Ref); !after.Free(time.Now()) {
		t.Errorf("after unlock: %+v", after)
	}
}

// TestAnUnlockClearsOnlyTheHolderItWasAskedTo plans clearing a stale lock
// of drill A, then drill B takes the lock before it runs: the unlock
// fails, saying so, and B keeps its lock.
func TestAnUnlockClearsOnlyTheHolderItWasAskedTo(t *testing.T) {
	e := newOpsEnv(t)
	ctx := context.Background()
	inv, _ := e.c.Inventory(ctx)
	cl := inv.FilterClusters(vsphere.Filter{Name: "cluster-a"})[0]
	g := NewGate(e.c)
	if r := g.Do(ctx, LockCluster(cl, drillkit.DrillLock{}, "drill A", -time.Minute), nil); r.Status != StatusOK {
		t.Fatalf("lock: %s %q", r.Status, r.Message)
	}
	stale, _ := drillkit.ReadLock(ctx, e.c, cl.Ref)
	unlock := UnlockCluster(cl, stale, stale.Holder)
	if r := g.Do(ctx, LockCluster(cl, stale, "drill B", time.Hour), nil); r.Status != StatusOK {
		t.Fatalf("drill B takes the expired lock: %s %q", r.Status, r.Message)
	}
	if r := g.Do(ctx, unlock, nil); r.Status != StatusFailed || !strings.Contains(r.Message, "changed hands since it was read: drill B holds it now") {
		t.Errorf("the stale unlock: %s %q; want it refused, naming drill B", r.Status, r.Message)
	}
	if now, _ := drillkit.ReadLock(ctx, e.c, cl.Ref); now.Holder != "drill B" {
		t.Errorf("after the stale unlock the lock is %+v; want drill B's", now)
	}
	if a := UnlockCluster(cl, drillkit.DrillLock{}, ""); a.Noop == "" {
		t.Error("unlocking a free lock is not a no-op")
	}
}

// TestNetworkFaultsGoThroughTheDoor: isolation, a partition and their end
// reach the simulator through the gate, as a crash does; dry-run and
// read-only send nothing, and a partition across clusters is refused at
// planning.
func TestNetworkFaultsGoThroughTheDoor(t *testing.T) {
	e := haEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	inv, err := e.c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a1, a2, a3 := e.host(inv, "esx-a-01"), e.host(inv, "esx-a-02"), e.host(inv, "esx-a-03")
	state := func(name string) string {
		t.Helper()
		inv, err := e.c.Inventory(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return e.host(inv, name).ConnectionState
	}
	for _, p := range []vsphere.Policy{{DryRun: true}, {ReadOnly: true}} {
		c := e.connect(p)
		rec := conntest.Record(c.Conn())
		for _, a := range []Action{IsolateHost(a1), PartitionHosts([]vsphere.Host{a2, a3}), RestoreHostNetwork(a1)} {
			if r := NewGate(c).Do(ctx, a, nil); r.Status == StatusOK {
				t.Errorf("%+v: %s ran", p, a)
			}
		}
		if m := rec.Sent(mutating); len(m) > 0 {
			t.Errorf("%+v sent %v", p, m)
		}
	}
	if st := state("esx-a-01"); st != "connected" {
		t.Fatalf("after dry-run and read-only, esx-a-01 is %s", st)
	}
	g := NewGate(e.c)
	if r := g.Do(ctx, IsolateHost(a1), nil); r.Status != StatusOK || state("esx-a-01") != "notResponding" {
		t.Fatalf("isolate: %s %q; esx-a-01 %s", r.Status, r.Message, state("esx-a-01"))
	}
	if r := g.Do(ctx, RestoreHostNetwork(a1), nil); r.Status != StatusOK || state("esx-a-01") != "connected" {
		t.Fatalf("restore: %s %q; esx-a-01 %s", r.Status, r.Message, state("esx-a-01"))
	}
	p := PartitionHosts([]vsphere.Host{a2, a3})
	if p.String() != "split esx-a-02.lab.local, esx-a-03.lab.local from the rest of their cluster (simulated)" {
		t.Errorf("the partition reads %q", p.String())
	}
	if r := g.Do(ctx, p, nil); r.Status != StatusOK || state("esx-a-02") != "notResponding" || state("esx-a-03") != "notResponding" {
		t.Fatalf("partition: %s %q", r.Status, r.Message)
	}
	if r := g.Do(ctx, PartitionHosts([]vsphere.Host{a1, a2, a3}), nil); r.Status != StatusFailed || !strings.Contains(r.Message, "simulator refused") {
		t.Errorf("partitioning hosts already partitioned: %s %q; want the simulator's refusal", r.Status, r.Message)
	}
	if a := PartitionHosts([]vsphere.Host{a1, e.host(inv, "esx-b-01")}); len(a.Failed()) == 0 {
		t.Error("a partition across clusters passed its checks")
	}
	if a := PartitionHosts(nil); len(a.Failed()) == 0 {
		t.Error("a partition of no host passed its checks")
	}
}
