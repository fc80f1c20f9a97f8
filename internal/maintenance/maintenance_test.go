package maintenance

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/vtui/vtui/ha/placement"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// small connects to a fresh small simulator and reads its inventory. In
// it DRS is fully automated in cluster-a and off in cluster-b.
func small(t *testing.T) (*vsphere.Client, *vsphere.Inventory) {
	t.Helper()
	c := vspheretest.Connect(t, vspheretest.Start(t, "small"))
	return c, inventory(t, c)
}

func inventory(t *testing.T, c *vsphere.Client) *vsphere.Inventory {
	t.Helper()
	inv, err := c.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// hostsNamed returns the hosts of inv with those names, in that order.
func hostsNamed(t *testing.T, inv *vsphere.Inventory, names ...string) []vsphere.Host {
	t.Helper()
	var out []vsphere.Host
	for _, n := range names {
		i := slices.IndexFunc(inv.Hosts, func(h vsphere.Host) bool { return h.Name == n })
		if i < 0 {
			t.Fatalf("no host %s", n)
		}
		out = append(out, inv.Hosts[i])
	}
	return out
}

// summary lists the actions as "op object", a refused one with " refused".
func summary(actions []gate.Action) string {
	parts := make([]string, len(actions))
	for i, a := range actions {
		parts[i] = string(a.Op) + " " + a.Object
		if len(a.Failed()) > 0 {
			parts[i] += " refused"
		}
	}
	return strings.Join(parts, ", ")
}

func TestExiting(t *testing.T) {
	in := vsphere.Host{Name: "in", MaintenanceMode: true}
	out := vsphere.Host{Name: "out"}
	for _, tt := range []struct {
		hosts []vsphere.Host
		want  bool
	}{
		{[]vsphere.Host{in}, true},
		{[]vsphere.Host{in, in}, true},
		{[]vsphere.Host{in, out}, false},
		{[]vsphere.Host{out}, false},
	} {
		if got := Exiting(tt.hosts); got != tt.want {
			t.Errorf("Exiting(%v) = %t; want %t", tt.hosts, got, tt.want)
		}
	}
}

// TestPlanEnter: who empties the hosts follows placement.DRSEvacuates
// only when asked to decide; --evacuate always moves the VMs, and without
// it nothing moves them, so the gate refuses a host without DRS.
func TestPlanEnter(t *testing.T) {
	c, inv := small(t)
	for _, tt := range []struct {
		name     string
		hosts    []string
		evacuate Evacuate
		want     Evacuation
		moving   string // the VMs named as moving, sorted
		actions  string // summary of the actions
		stepwise bool   // Run is set
	}{
		{"DRS full", []string{"esx-a-01.lab.local"}, EvacuateIfNeeded, ByDRS, "app-02 web-01",
			"maintenance-enter esx-a-01.lab.local", false},
		{"no DRS", []string{"esx-b-02.lab.local"}, EvacuateIfNeeded, ByVtui, "batch-01 web-03",
			"migrate batch-01, migrate web-03, maintenance-enter esx-b-02.lab.local", true},
		{"one cluster without DRS decides for all", []string{"esx-a-01.lab.local", "esx-b-02.lab.local"}, EvacuateIfNeeded, ByVtui,
			"app-02 batch-01 web-01 web-03",
			"migrate app-02, migrate web-01, maintenance-enter esx-a-01.lab.local, migrate batch-01, migrate web-03, maintenance-enter esx-b-02.lab.local", true},
		{"--evacuate under DRS", []string{"esx-a-01.lab.local"}, EvacuateAlways, ByVtui, "",
			"migrate app-02, migrate web-01, maintenance-enter esx-a-01.lab.local", true},
		{"no --evacuate, no DRS", []string{"esx-b-02.lab.local"}, EvacuateNever, Nobody, "",
			"maintenance-enter esx-b-02.lab.local refused", true},
		{"no --evacuate, DRS", []string{"esx-a-01.lab.local"}, EvacuateNever, Nobody, "",
			"maintenance-enter esx-a-01.lab.local", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := PlanEnter(context.Background(), c, inv, hostsNamed(t, inv, tt.hosts...), Options{Evacuate: tt.evacuate})
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(p.Moving)
			if p.Evacuation != tt.want || strings.Join(p.Moving, " ") != tt.moving {
				t.Errorf("evacuation %d moving %q; want %d moving %q", p.Evacuation, p.Moving, tt.want, tt.moving)
			}
			if got := summary(p.Actions); got != tt.actions {
				t.Errorf("actions %q; want %q", got, tt.actions)
			}
			if got := p.Run != nil; got != tt.stepwise {
				t.Errorf("stepwise %t; want %t", got, tt.stepwise)
			}
		})
	}
}

// TestEnterThenExit carries a plan out on the simulator: vtui empties a
// host without DRS, the host enters maintenance mode, entering again is a
// noop that reads nothing, and exiting takes it out.
func TestEnterThenExit(t *testing.T) {
	ctx := context.Background()
	c, inv := small(t)
	hosts := hostsNamed(t, inv, "esx-b-02.lab.local")
	p, err := PlanEnter(ctx, c, inv, hosts, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Run(ctx, gate.NewGate(c), gate.RunOptions{}).Err(); err != nil {
		t.Fatal(err)
	}
	inv = inventory(t, c)
	hosts = hostsNamed(t, inv, "esx-b-02.lab.local")
	if !Exiting(hosts) || Occupied(inv, hosts) {
		t.Fatalf("after the plan ran: in maintenance mode %t, occupied %t; want true, false", Exiting(hosts), Occupied(inv, hosts))
	}
	again, err := PlanEnter(ctx, nil, inv, hosts, Options{}) // no client: nothing is read
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Actions) != 1 || again.Actions[0].Noop == "" || again.Evacuation != Nobody {
		t.Errorf("entering again plans %s (evacuation %d); want one noop", summary(again.Actions), again.Evacuation)
	}
	exit := PlanExit(inv, hosts, Options{})
	if err := gate.NewGate(c).Run(ctx, exit.Actions, gate.RunOptions{}).Err(); err != nil {
		t.Fatal(err)
	}
	if h := hostsNamed(t, inventory(t, c), "esx-b-02.lab.local"); Exiting(h) {
		t.Errorf("%s is still in maintenance mode", h[0].Name)
	}
}

// TestPlanEnterStuck: a VM with nowhere to go fails the whole plan with
// a *placement.StuckError.
func TestPlanEnterStuck(t *testing.T) {
	c, inv := small(t)
	hosts := hostsNamed(t, inv, "esx-b-01.lab.local", "esx-b-02.lab.local", "esx-b-03.lab.local")
	_, err := PlanEnter(context.Background(), c, inv, hosts, Options{Evacuate: EvacuateAlways})
	var stuck *placement.StuckError
	if !errors.As(err, &stuck) {
		t.Fatalf("emptying all of cluster-b: err %v; want a *placement.StuckError", err)
	}
}
