package migration

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// env is the small simulator: cluster-a (esx-a-*) and cluster-b
// (esx-b-*); web-01 and app-02 run on esx-a-01, and web-01 uses a
// datastore and a network only cluster-a has.
type env struct {
	c     *vsphere.Client
	inv   *vsphere.Inventory
	pools []vsphere.Pool
}

func small(t *testing.T) env {
	t.Helper()
	c := vspheretest.Connect(t, vspheretest.Start(t, "small"))
	inv, err := c.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	pools, err := c.ResourcePools(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return env{c, inv, pools}
}

func (e env) vm(t *testing.T, name string) vsphere.Ref {
	return named(t, e.inv.VMs, name, func(v vsphere.VM) (string, vsphere.Ref) { return v.Name, v.Ref })
}

func (e env) host(t *testing.T, name string) vsphere.Ref {
	return named(t, e.inv.Hosts, name, func(h vsphere.Host) (string, vsphere.Ref) { return h.Name, h.Ref })
}

func (e env) pool(t *testing.T, path string) vsphere.Ref {
	return named(t, e.pools, path, func(p vsphere.Pool) (string, vsphere.Ref) { return p.Path, p.Ref })
}

// named returns the reference of the object of objs called name.
func named[T any](t *testing.T, objs []T, name string, id func(T) (string, vsphere.Ref)) vsphere.Ref {
	t.Helper()
	for _, o := range objs {
		if n, ref := id(o); n == name {
			return ref
		}
	}
	t.Fatalf("no %s", name)
	return vsphere.Ref{}
}

// verdict sums an action up: "web-01 esx-a-01.lab.local -> TARGET", with
// " refused" when a check failed.
func verdict(a gate.Action) string {
	s := a.Object + " " + a.From + " -> " + a.Target
	if len(a.Failed()) > 0 {
		s += " refused"
	}
	return s
}

func TestPlan(t *testing.T) {
	e := small(t)
	for _, tt := range []struct {
		name string
		req  func() Request
		want []string // each action's verdict; "*" matches any target
	}{
		{"to a host", func() Request {
			return Request{VMs: []vsphere.Ref{e.vm(t, "web-01")}, Host: e.host(t, "esx-a-02.lab.local")}
		}, []string{"web-01 esx-a-01.lab.local -> esx-a-02.lab.local"}},
		{"to another cluster without its pool", func() Request {
			return Request{VMs: []vsphere.Ref{e.vm(t, "app-02")}, Host: e.host(t, "esx-b-01.lab.local")}
		}, []string{"app-02 esx-a-01.lab.local -> esx-b-01.lab.local refused"}},
		{"to another cluster with its pool", func() Request {
			return Request{VMs: []vsphere.Ref{e.vm(t, "app-02")}, Host: e.host(t, "esx-b-01.lab.local"),
				Pool: e.pool(t, "cluster-b/Resources"), Pools: e.pools}
		}, []string{"app-02 esx-a-01.lab.local -> esx-b-01.lab.local, pool cluster-b/Resources"}},
		{"storage and network out of the target's reach", func() Request {
			return Request{VMs: []vsphere.Ref{e.vm(t, "web-01")}, Host: e.host(t, "esx-b-01.lab.local"),
				Pool: e.pool(t, "cluster-b/Resources"), Pools: e.pools}
		}, []string{"web-01 esx-a-01.lab.local -> esx-b-01.lab.local, pool cluster-b/Resources refused"}},
		{"auto", func() Request {
			return Request{VMs: []vsphere.Ref{e.vm(t, "web-01"), e.vm(t, "app-02")}, AutoHost: true}
		}, []string{"web-01 esx-a-01.lab.local -> *", "app-02 esx-a-01.lab.local -> *"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			actions, err := Plan(context.Background(), e.c, e.inv, tt.req())
			if err != nil {
				t.Fatal(err)
			}
			if len(actions) != len(tt.want) {
				t.Fatalf("%d actions; want %d", len(actions), len(tt.want))
			}
			for i, a := range actions {
				got, want := verdict(a), tt.want[i]
				if prefix, ok := strings.CutSuffix(want, "*"); ok {
					if !strings.HasPrefix(got, prefix) || strings.HasSuffix(got, "refused") || a.Target == a.From {
						t.Errorf("action %d: %q; want a move away, %q", i, got, want)
					}
				} else if got != want {
					t.Errorf("action %d: %q; want %q", i, got, want)
				}
			}
		})
	}
}

// TestChoice: the picker offers every other host, the eligible first,
// and the chosen host plans every VM of the choice.
func TestChoice(t *testing.T) {
	e := small(t)
	vms := []vsphere.Ref{e.vm(t, "web-01"), e.vm(t, "app-02")}
	ch, err := Choose(context.Background(), e.c, e.inv, vms)
	if err != nil {
		t.Fatal(err)
	}
	hosts := ch.Hosts()
	if len(hosts) != len(e.inv.Hosts)-1 {
		t.Fatalf("%d hosts offered; want every host but web-01's own, %d", len(hosts), len(e.inv.Hosts)-1)
	}
	if !hosts[0].Eligible || hosts[len(hosts)-1].Eligible {
		t.Errorf("first offered %s eligible %t, last %s eligible %t; want the eligible first, then cluster-b's",
			hosts[0].Host.Name, hosts[0].Eligible, hosts[len(hosts)-1].Host.Name, hosts[len(hosts)-1].Eligible)
	}
	actions := ch.To(hosts[0].Host.Ref, vsphere.Ref{})
	if len(actions) != 2 {
		t.Fatalf("%d actions; want one per VM", len(actions))
	}
	for _, a := range actions {
		if a.Target != hosts[0].Host.Name || len(a.Failed()) > 0 {
			t.Errorf("%s; want it moved to %s", verdict(a), hosts[0].Host.Name)
		}
	}

	// Across clusters: the pools offered are the other cluster's, and a
	// move into one goes to the best host of that cluster (app-01 uses
	// only shared datastores and networks; web-01 could not go).
	if ch, err = Choose(context.Background(), e.c, e.inv, []vsphere.Ref{e.vm(t, "app-01")}); err != nil {
		t.Fatal(err)
	}
	pools := ch.Pools()
	if len(pools) == 0 || !strings.HasPrefix(pools[0].Path, "cluster-b/") {
		t.Fatalf("pools offered %v; want cluster-b's", pools)
	}
	for _, a := range ch.To(vsphere.Ref{}, pools[0].Ref) {
		if len(a.Failed()) > 0 || !strings.HasPrefix(a.Target, "esx-b-") {
			t.Errorf("%s %v; want it moved to a host of cluster-b", verdict(a), a.Failed())
		}
	}
}

// TestResolveLooksForThePoolInTheTargetCluster resolves a pool named by
// its name alone in the target host's cluster, and reports a pool that
// does not resolve as a *PoolError, a VM that does not as a bad name.
func TestResolveLooksForThePoolInTheTargetCluster(t *testing.T) {
	e := small(t)
	ctx, r := context.Background(), vsphere.NewResolver(e.c, e.inv)
	req, err := Resolve(ctx, e.c, r, Names{VMs: []string{"app-01"}, Host: "esx-b-01.lab.local", Pool: "Resources"})
	if err != nil {
		t.Fatal(err)
	}
	if want := e.pool(t, "cluster-b/Resources"); req.Pool != want || req.Host != e.host(t, "esx-b-01.lab.local") || len(req.Pools) == 0 {
		t.Errorf("Resolve: pool %v, host %v; want pool %v of cluster-b, host esx-b-01", req.Pool, req.Host, want)
	}
	var pe *PoolError
	if _, err := Resolve(ctx, e.c, r, Names{VMs: []string{"app-01"}, Host: "auto", Pool: "nope"}); !errors.As(err, &pe) {
		t.Errorf("Resolve with pool nope: %v; want a *PoolError", err)
	}
	if _, err := Resolve(ctx, e.c, r, Names{VMs: []string{"nope"}, Host: "auto"}); !vsphere.IsBadName(err) {
		t.Errorf("Resolve with VM nope: %v; want a bad name", err)
	}
}
