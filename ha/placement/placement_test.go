package placement

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/gate"
)

func ref(t, v string) vsphere.Ref  { return vsphere.Ref{Type: t, Value: v} }
func hostRef(n string) vsphere.Ref { return ref("HostSystem", n) }
func vmRef(n string) vsphere.Ref   { return ref("VirtualMachine", n) }

var (
	clusterA = ref("ClusterComputeResource", "a")
	clusterB = ref("ClusterComputeResource", "b")
	shared   = ref("Datastore", "shared")
	vmNet    = ref("Network", "vm-net")
)

// hostSpec describes a fixture host: free memory in GB, free CPU in GHz,
// and its state.
type hostSpec struct {
	name           string
	cluster        vsphere.Ref
	freeGB, freeGH int64
	state          string // "" connected, or "maintenance", "disconnected"
}

// world builds an inventory of hosts and of VMs placed on them ("vm@host",
// powered on, 8 GB each); extra VMs fill VM counts ("+N@host").
func world(hosts []hostSpec, vms ...string) *vsphere.Inventory {
	inv := &vsphere.Inventory{
		Clusters:   []vsphere.Cluster{{Ref: clusterA, Name: "a"}, {Ref: clusterB, Name: "b"}},
		Datastores: []vsphere.Datastore{{Ref: shared, Name: "shared", Accessible: true}},
		Networks:   []vsphere.Network{{Ref: vmNet, Name: "vm-net"}},
	}
	byName := map[string]int{}
	for i, h := range hosts {
		cl := "a"
		if h.cluster == clusterB {
			cl = "b"
		}
		host := vsphere.Host{
			Ref: hostRef(h.name), Name: h.name, Cluster: cl, ClusterRef: h.cluster,
			ConnectionState: "connected", PowerState: "poweredOn",
			MemoryMB: 1024 * 1024, MemoryUsageMB: (1024 - h.freeGB) * 1024,
			CPUMHz: 200_000, CPUUsageMHz: 200_000 - h.freeGH*1000,
			DatastoreRefs: []vsphere.Ref{shared}, NetworkRefs: []vsphere.Ref{vmNet},
		}
		switch h.state {
		case "maintenance":
			host.MaintenanceMode = true
		case "disconnected":
			host.ConnectionState = "disconnected"
		}
		byName[h.name] = i
		inv.Hosts = append(inv.Hosts, host)
	}
	add := func(name, host string) {
		h := &inv.Hosts[byName[host]]
		h.VMCount++
		inv.VMs = append(inv.VMs, vsphere.VM{
			Ref: vmRef(name), Name: name, PowerState: "poweredOn", ToolsStatus: "toolsOk",
			Host: h.Name, HostRef: h.Ref, Cluster: h.Cluster, ClusterRef: h.ClusterRef, MemoryMB: 8192,
			DatastoreRefs: []vsphere.Ref{shared}, NetworkRefs: []vsphere.Ref{vmNet},
		})
	}
	for _, s := range vms {
		name, host, _ := strings.Cut(s, "@")
		var n int
		if _, err := fmt.Sscanf(name, "+%d", &n); err == nil {
			for i := range n {
				add(fmt.Sprintf("filler-%s-%d", host, i), host)
			}
			continue
		}
		add(name, host)
	}
	return inv
}

// order lists candidates as "name#rank" (rank 0 when not eligible).
func order(cands []Candidate) string {
	parts := make([]string, len(cands))
	for i, c := range cands {
		parts[i] = fmt.Sprintf("%s#%d", c.Host.Name, c.Rank)
	}
	return strings.Join(parts, " ")
}

func TestRank(t *testing.T) {
	mustApart := func(mandatory bool) []vsphere.ClusterRules {
		return []vsphere.ClusterRules{{Cluster: clusterA, Rules: []clusterspec.Rule{{
			Name: "apart", Kind: clusterspec.RuleAntiAffinity, Enabled: true, Mandatory: mandatory,
		}}, Members: map[string][]vsphere.Ref{"apart": {vmRef("web"), vmRef("web2")}}}}
	}
	tests := []struct {
		name  string
		hosts []hostSpec
		vms   []string
		rules []vsphere.ClusterRules
		want  string
	}{
		{
			name: "memory, then CPU, then fewest VMs, then name",
			hosts: []hostSpec{
				{name: "h0", cluster: clusterA, freeGB: 100, freeGH: 10},
				{name: "h1", cluster: clusterA, freeGB: 300, freeGH: 50},
				{name: "h2", cluster: clusterA, freeGB: 300, freeGH: 50},
				{name: "h3", cluster: clusterA, freeGB: 300, freeGH: 80},
				{name: "h4", cluster: clusterA, freeGB: 400, freeGH: 10},
				{name: "h5", cluster: clusterA, freeGB: 300, freeGH: 50},
			},
			vms:  []string{"web@h0", "+2@h1", "+1@h2", "+5@h3", "+1@h5"},
			want: "h4#1 h3#2 h2#3 h5#4 h1#5",
		},
		{
			name: "ineligible last, by name, whatever their capacity",
			hosts: []hostSpec{
				{name: "h0", cluster: clusterA, freeGB: 100, freeGH: 10},
				{name: "hm", cluster: clusterA, freeGB: 900, freeGH: 90, state: "maintenance"},
				{name: "hd", cluster: clusterA, freeGB: 900, freeGH: 90, state: "disconnected"},
				{name: "hb", cluster: clusterB, freeGB: 900, freeGH: 90},
				{name: "h1", cluster: clusterA, freeGB: 10, freeGH: 1},
			},
			vms:  []string{"web@h0"},
			want: "h1#1 hb#0 hd#0 hm#0",
		},
		{
			name: "a kept should-rule beats capacity",
			hosts: []hostSpec{
				{name: "h0", cluster: clusterA, freeGB: 100, freeGH: 10},
				{name: "big", cluster: clusterA, freeGB: 900, freeGH: 90},
				{name: "small", cluster: clusterA, freeGB: 50, freeGH: 10},
			},
			vms:   []string{"web@h0", "web2@big"},
			rules: mustApart(false),
			want:  "small#1 big#2",
		},
		{
			name: "a must-rule makes a host ineligible",
			hosts: []hostSpec{
				{name: "h0", cluster: clusterA, freeGB: 100, freeGH: 10},
				{name: "big", cluster: clusterA, freeGB: 900, freeGH: 90},
				{name: "small", cluster: clusterA, freeGB: 50, freeGH: 10},
			},
			vms:   []string{"web@h0", "web2@big"},
			rules: mustApart(true),
			want:  "small#1 big#0",
		},
	}
	for _, tt := range tests {
		p := gate.NewPlanner(world(tt.hosts, tt.vms...), tt.rules, nil)
		got := Rank(p, vmRef("web"), gate.MigrateSpec{})
		if order(got) != tt.want {
			t.Errorf("%s: Rank(web) = %s; want %s", tt.name, order(got), tt.want)
		}
	}
}

func TestCandidateWhy(t *testing.T) {
	p := gate.NewPlanner(world([]hostSpec{
		{name: "h0", cluster: clusterA, freeGB: 100, freeGH: 10},
		{name: "hm", cluster: clusterA, freeGB: 100, freeGH: 10, state: "maintenance"},
		{name: "h1", cluster: clusterA, freeGB: 200, freeGH: 20},
	}, "web@h0"), nil, nil)
	cands := Rank(p, vmRef("web"), gate.MigrateSpec{})
	if got := cands[0].Why(); got != "200 GiB memory and 20 GHz CPU free, 0 VMs" {
		t.Errorf("eligible h1: Why() = %q", got)
	}
	if got := cands[1].Why(); !strings.Contains(got, "hm is in maintenance mode") {
		t.Errorf("hm in maintenance: Why() = %q", got)
	}
	if Rank(p, vmRef("nosuch"), gate.MigrateSpec{}) != nil {
		t.Error("Rank of an unknown VM is not nil")
	}
}

func TestPlanMigrationsAuto(t *testing.T) {
	hosts := []hostSpec{
		{name: "h0", cluster: clusterA, freeGB: 100, freeGH: 10},
		{name: "h1", cluster: clusterA, freeGB: 500, freeGH: 50},
		{name: "h2", cluster: clusterA, freeGB: 490, freeGH: 50},
	}
	rules := []vsphere.ClusterRules{{Cluster: clusterA, Rules: []clusterspec.Rule{{
		Name: "apart", Kind: clusterspec.RuleAntiAffinity, Enabled: true, Mandatory: true,
	}}, Members: map[string][]vsphere.Ref{"apart": {vmRef("a"), vmRef("b"), vmRef("c")}}}}
	p := gate.NewPlanner(world(hosts, "a@h0", "b@h0", "c@h0"), rules, nil)
	actions := PlanMigrations(p, MigrateRequest{VMs: []vsphere.Ref{vmRef("a"), vmRef("b"), vmRef("c")}, AutoHost: true})
	var got []string
	for _, a := range actions {
		got = append(got, a.Object+"->"+a.Target)
	}
	// a takes h1; b cannot join it (must-rule) and goes to h2; c has
	// nowhere left: h0 is its own host, and a and b hold the others.
	if strings.Join(got, " ") != "a->h1 b->h2 c->auto" {
		t.Fatalf("auto placement = %v; want a->h1 b->h2 c->auto", got)
	}
	failed := actions[2].Failed()
	if len(failed) != 1 || failed[0].Name != "placement" || !strings.Contains(failed[0].Reason, `anti-affinity: h1, h2 (rule "apart" keeps c apart from a`) {
		t.Errorf("c's refusal: %v; want a placement check naming the rule on h1", failed)
	}
}

func TestPlanMaintenance(t *testing.T) {
	hosts := []hostSpec{
		{name: "h1", cluster: clusterA, freeGB: 100, freeGH: 10},
		{name: "h2", cluster: clusterA, freeGB: 100, freeGH: 10},
		{name: "h3", cluster: clusterA, freeGB: 300, freeGH: 10},
		{name: "h4", cluster: clusterA, freeGB: 200, freeGH: 10},
	}
	inv := world(hosts, "a@h1", "b@h1", "c@h2", "off@h2")
	inv.VMs[3].PowerState = "poweredOff"

	plan, err := PlanMaintenance(gate.NewPlanner(inv, nil, nil), []vsphere.Ref{hostRef("h1"), hostRef("h2")}, true, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range plan.Steps {
		for _, a := range s.Evacuate {
			got = append(got, a.Object+"->"+a.Target)
		}
		got = append(got, "enter "+s.Host.Name+" "+fmt.Sprint(len(s.Enter.Failed())))
	}
	// Never onto h1 or h2, which both enter maintenance; the powered-off
	// VM stays; the most free memory first (h3 loses 8 GB per VM).
	if want := "a->h3 b->h3 enter h1 0 c->h3 enter h2 0"; strings.Join(got, " ") != want {
		t.Errorf("plan = %s; want %s", strings.Join(got, " "), want)
	}
	if plan.Moves() != 3 {
		t.Errorf("Moves() = %d; want 3", plan.Moves())
	}

	// Without anywhere to go, the whole plan is refused, naming every VM.
	_, err = PlanMaintenance(gate.NewPlanner(world(hosts[:2], "a@h1", "b@h1", "c@h2"), nil, nil),
		[]vsphere.Ref{hostRef("h1"), hostRef("h2")}, true, 0)
	var se *StuckError
	if !errors.As(err, &se) || len(se.Stuck) != 3 || !strings.Contains(err.Error(), "b on h1") ||
		!strings.Contains(err.Error(), "about to enter maintenance mode") {
		t.Errorf("evacuating every host: err = %v; want a StuckError naming a, b and c", err)
	}

	// Without evacuation, running VMs on a cluster without DRS refuse it.
	plan, err = PlanMaintenance(gate.NewPlanner(inv, nil, nil), []vsphere.Ref{hostRef("h1")}, false, 0)
	if err != nil || len(plan.Steps[0].Evacuate) != 0 || len(plan.Steps[0].Enter.Failed()) != 1 {
		t.Errorf("enter h1 without evacuation: %+v, %v; want one refused enter", plan, err)
	}
}

func TestEvacuationNamesVMsThatCannotLeaveAnUnreachableHost(t *testing.T) {
	inv := world([]hostSpec{{name: "h1", cluster: clusterA, freeGB: 100, freeGH: 50, state: "disconnected"},
		{name: "h2", cluster: clusterA, freeGB: 100, freeGH: 50}}, "web@h1")
	p := gate.NewPlanner(inv, nil, nil)
	actions := PlanMigrations(p, MigrateRequest{VMs: []vsphere.Ref{vmRef("web")}, AutoHost: true})
	f := actions[0].Failed()
	if len(f) == 0 || !strings.Contains(f[len(f)-1].Reason, "web runs on h1, which is disconnected, and vCenter cannot move a VM off a host it cannot reach") {
		t.Errorf("auto-migrate off a disconnected host: failed %v; want the source named as the reason", f)
	}
	if strings.Contains(f[len(f)-1].Reason, "h2") {
		t.Errorf("reason %q blames the target h2, which is fine", f[len(f)-1].Reason)
	}
}
