package gate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// fixture is a small hand-made inventory for the pure planner tests:
//
//	cluster a (DRS): ha1, ha2, ha3 (maintenance), ha4 (disconnected), ha5 (powered off)
//	cluster b:       hb1, hb2 (sees only ds-b and no pg-a)
//	VMs: web (on ha1, ds-a + ds-shared, pg-a), app (on ha2), db (on ha1), big (on ha2, 600 GB),
//	     off (on hb1, powered off), tpl (template on hb1)
func fixture() *vsphere.Inventory {
	ref := func(t, v string) vsphere.Ref { return vsphere.Ref{Type: t, Value: v} }
	ca, cb := ref("ClusterComputeResource", "ca"), ref("ClusterComputeResource", "cb")
	dsA, dsB, dsS := ref("Datastore", "ds-a"), ref("Datastore", "ds-b"), ref("Datastore", "ds-shared")
	pgA, vmNet := ref("Network", "pg-a"), ref("Network", "vm-net")
	host := func(name string, cl vsphere.Ref, cluster string, dss, nets []vsphere.Ref) vsphere.Host {
		return vsphere.Host{Ref: ref("HostSystem", name), Name: name, Cluster: cluster, ClusterRef: cl,
			ConnectionState: "connected", PowerState: "poweredOn",
			MemoryMB: 512 * 1024, MemoryUsageMB: 100 * 1024, CPUMHz: 100000, CPUUsageMHz: 10000,
			DatastoreRefs: dss, NetworkRefs: nets}
	}
	aDS, aNet := []vsphere.Ref{dsA, dsS}, []vsphere.Ref{pgA, vmNet}
	inv := &vsphere.Inventory{
		Clusters: []vsphere.Cluster{{Ref: ca, Name: "a", DRSEnabled: true}, {Ref: cb, Name: "b"}},
		Hosts: []vsphere.Host{
			host("ha1", ca, "a", aDS, aNet), host("ha2", ca, "a", aDS, aNet), host("ha3", ca, "a", aDS, aNet),
			host("ha4", ca, "a", aDS, aNet), host("ha5", ca, "a", aDS, aNet),
			host("hb1", cb, "b", []vsphere.Ref{dsB, dsS}, []vsphere.Ref{vmNet}), host("hb2", cb, "b", []vsphere.Ref{dsB}, []vsphere.Ref{vmNet}),
		},
		Datastores: []vsphere.Datastore{
			{Ref: dsA, Name: "ds-a", Accessible: true}, {Ref: dsB, Name: "ds-b", Accessible: true},
			{Ref: dsS, Name: "ds-shared", Accessible: true},
		},
		Networks: []vsphere.Network{{Ref: pgA, Name: "pg-a"}, {Ref: vmNet, Name: "vm-net"}},
	}
	inv.Hosts[2].MaintenanceMode = true
	inv.Hosts[3].ConnectionState = "disconnected"
	inv.Hosts[4].PowerState = "poweredOff"
	vm := func(name, host string, mem int32, dss, nets []vsphere.Ref) vsphere.VM {
		h := inv.Hosts[slices.IndexFunc(inv.Hosts, func(h vsphere.Host) bool { return h.Name == host })]
		return vsphere.VM{Ref: ref("VirtualMachine", name), Name: name, PowerState: "poweredOn", ToolsStatus: "toolsOk",
			Host: h.Name, HostRef: h.Ref, Cluster: h.Cluster, ClusterRef: h.ClusterRef, MemoryMB: mem,
			DatastoreRefs: dss, NetworkRefs: nets}
	}
	inv.VMs = []vsphere.VM{
		vm("web", "ha1", 4096, []vsphere.Ref{dsA, dsS}, []vsphere.Ref{pgA}),
		vm("app", "ha2", 8192, []vsphere.Ref{dsS}, []vsphere.Ref{vmNet}),
		vm("db", "ha1", 8192, []vsphere.Ref{dsS}, []vsphere.Ref{vmNet}),
		vm("big", "ha2", 600*1024, []vsphere.Ref{dsS}, []vsphere.Ref{vmNet}),
		vm("off", "hb1", 2048, []vsphere.Ref{dsS}, []vsphere.Ref{vmNet}),
		vm("tpl", "hb1", 2048, []vsphere.Ref{dsS}, []vsphere.Ref{vmNet}),
	}
	inv.VMs[4].PowerState = "poweredOff"
	inv.VMs[5].PowerState, inv.VMs[5].Template = "poweredOff", true
	for _, v := range inv.VMs {
		inv.Hosts[slices.IndexFunc(inv.Hosts, func(h vsphere.Host) bool { return h.Ref == v.HostRef })].VMCount++
	}
	return inv
}

func r(t, v string) vsphere.Ref     { return vsphere.Ref{Type: t, Value: v} }
func vmR(name string) vsphere.Ref   { return r("VirtualMachine", name) }
func hostR(name string) vsphere.Ref { return r("HostSystem", name) }

// rulesFixture has one rule of each kind on cluster a, mandatory or not.
func rulesFixture(mandatory bool) []vsphere.ClusterRules {
	return []vsphere.ClusterRules{{
		Cluster: r("ClusterComputeResource", "ca"),
		Rules: []clusterspec.Rule{
			{Name: "apart", Kind: clusterspec.RuleAntiAffinity, Enabled: true, Mandatory: mandatory},
			{Name: "together", Kind: clusterspec.RuleAffinity, Enabled: true, Mandatory: mandatory},
			{Name: "web-on-ha1", Kind: clusterspec.RuleVMHost, Enabled: true, Mandatory: mandatory, VMGroup: "webs", AffineHostGroup: "first"},
			{Name: "off", Kind: clusterspec.RuleAntiAffinity, Enabled: false, Mandatory: true},
		},
		Members: map[string][]vsphere.Ref{
			"apart":    {vmR("app"), vmR("db")},
			"together": {vmR("web"), vmR("db")},
			"off":      {vmR("app"), vmR("big")},
		},
		VMGroups:   map[string][]vsphere.Ref{"webs": {vmR("web")}},
		HostGroups: map[string][]vsphere.Ref{"first": {hostR("ha1")}},
	}}
}

// verdict sums checks up as "name=status" for the ones that did not pass.
func verdict(cs []Check) string {
	var out []string
	for _, c := range cs {
		if c.Status != CheckPass {
			out = append(out, c.Name+"="+string(c.Status))
		}
	}
	return strings.Join(out, " ")
}

func TestCheckMigrate(t *testing.T) {
	pools := []vsphere.Pool{
		{Ref: r("ResourcePool", "rp-b"), Name: "Resources", Owner: r("ClusterComputeResource", "cb"), Path: "b/Resources"},
		{Ref: r("ResourcePool", "rp-a"), Name: "Resources", Owner: r("ClusterComputeResource", "ca"), Path: "a/Resources"},
	}
	tests := []struct {
		vm        string
		spec      MigrateSpec
		mandatory bool
		want      string // the checks that did not pass
		reason    string // in the first failed or warned check's reason
	}{
		{vm: "nosuch", spec: MigrateSpec{Host: hostR("ha1")}, want: "vm=fail", reason: "not in the inventory"},
		{vm: "app", spec: MigrateSpec{}, want: "target=fail", reason: "nothing to change"},
		{vm: "app", spec: MigrateSpec{Host: hostR("nosuch")}, want: "host=fail", reason: "nosuch is not in the inventory"},
		{vm: "app", spec: MigrateSpec{Host: hostR("ha3")}, want: "host-maintenance=fail", reason: "ha3 is in maintenance mode"},
		{vm: "app", spec: MigrateSpec{Host: hostR("ha4")}, want: "host-connected=fail", reason: "ha4 is disconnected"},
		{vm: "app", spec: MigrateSpec{Host: hostR("ha5")}, want: "host-power=fail", reason: "ha5 is poweredOff"},
		{vm: "app", spec: MigrateSpec{Host: hostR("hb1")}, want: "cluster=fail", reason: "give a resource pool of b"},
		{vm: "app", spec: MigrateSpec{Host: hostR("hb1"), Pool: r("ResourcePool", "rp-b")}, want: ""},
		{vm: "app", spec: MigrateSpec{Host: hostR("hb1"), Pool: r("ResourcePool", "rp-a")}, want: "pool=fail", reason: "a/Resources belongs to a, not to b"},
		{vm: "app", spec: MigrateSpec{Host: hostR("hb1"), Pool: r("ResourcePool", "nosuch")}, want: "pool=fail", reason: "unknown"},
		{vm: "app", spec: MigrateSpec{Host: hostR("hb2"), Pool: r("ResourcePool", "rp-b")}, want: "datastores=fail", reason: "hb2 does not see ds-shared"},
		{vm: "app", spec: MigrateSpec{Host: hostR("hb2"), Pool: r("ResourcePool", "rp-b"), Datastore: r("Datastore", "ds-b")}, want: ""},
		{vm: "app", spec: MigrateSpec{Host: hostR("hb1"), Pool: r("ResourcePool", "rp-b"), Datastore: r("Datastore", "ds-a")}, want: "datastores=fail", reason: "choose a datastore mounted on it"},
		{vm: "web", spec: MigrateSpec{Host: hostR("hb1"), Pool: r("ResourcePool", "rp-b"), Datastore: r("Datastore", "ds-shared")}, want: "networks=fail", reason: "hb1 has no network pg-a"},
		{vm: "app", spec: MigrateSpec{Datastore: r("Datastore", "ds-a")}, want: ""},
		{vm: "big", spec: MigrateSpec{Host: hostR("ha1")}, want: "capacity=warn", reason: "big is configured with 600 GiB: memory would be overcommitted"},
		// Rules: app and db must (or should) stay apart; web and db together; web on ha1.
		{vm: "app", spec: MigrateSpec{Host: hostR("ha1")}, mandatory: true, want: "anti-affinity=fail", reason: `"apart" keeps app apart from db`},
		{vm: "app", spec: MigrateSpec{Host: hostR("ha1")}, mandatory: false, want: "anti-affinity=warn", reason: "should-rule"},
		{vm: "web", spec: MigrateSpec{Host: hostR("ha2")}, mandatory: true, want: "affinity=warn vm-host-rule=fail", reason: `keeps web with db on ha1`},
		{vm: "web", spec: MigrateSpec{Host: hostR("ha2")}, mandatory: false, want: "affinity=warn vm-host-rule=warn", reason: "keeps web with db"},
		{vm: "big", spec: MigrateSpec{Host: hostR("ha1")}, mandatory: true, want: "capacity=warn"}, // disabled rule ignored
	}
	for _, tt := range tests {
		p := NewPlanner(fixture(), rulesFixture(tt.mandatory), pools)
		checks := p.CheckMigrate(vmR(tt.vm), tt.spec)
		input := fmt.Sprintf("CheckMigrate(%s, %+v, mandatory=%v)", tt.vm, tt.spec, tt.mandatory)
		if got := verdict(checks); got != tt.want {
			t.Errorf("%s = %q; want %q (%v)", input, got, tt.want, checks)
			continue
		}
		if tt.reason != "" {
			i := slices.IndexFunc(checks, func(c Check) bool { return c.Status != CheckPass })
			if got := checks[i].Reason; !strings.Contains(got, tt.reason) {
				t.Errorf("%s: reason %q; want it to contain %q", input, got, tt.reason)
			}
		}
	}
}

func TestPlannerMovedUpdatesLaterChecks(t *testing.T) {
	p := NewPlanner(fixture(), rulesFixture(true), nil)
	// db moves to ha2 (affinity with web only warns); then app must not join it there.
	p.Moved(vmR("db"), MigrateSpec{Host: hostR("ha2")})
	if got := verdict(p.CheckMigrate(vmR("app"), MigrateSpec{Host: hostR("ha1")})); got != "" {
		t.Errorf("app to ha1 after db left it: %q; want no objection", got)
	}
	if got := verdict(p.CheckMigrate(vmR("web"), MigrateSpec{Host: hostR("ha1")})); got != "affinity=warn" {
		t.Errorf("web to ha1 after db left: %q; want affinity=warn", got)
	}
	h1, _ := p.Host(hostR("ha1"))
	h2, _ := p.Host(hostR("ha2"))
	if h1.VMCount != 1 || h2.VMCount != 3 || h2.MemoryUsageMB != 100*1024+8192 {
		t.Errorf("after moving db: ha1 %d VMs, ha2 %d VMs %d MB used; want 1, 3, %d", h1.VMCount, h2.VMCount, h2.MemoryUsageMB, 100*1024+8192)
	}
	p.ExpectMaintenance(hostR("ha2"))
	if got := verdict(p.CheckMigrate(vmR("web"), MigrateSpec{Host: hostR("ha2")})); !strings.Contains(got, "host-maintenance=fail") {
		t.Errorf("web to ha2, which is about to enter maintenance: %q; want host-maintenance=fail", got)
	}
}

func TestPlanActions(t *testing.T) {
	p := NewPlanner(fixture(), nil, nil)
	tests := []struct {
		name   string
		action Action
		noop   string
		want   string // checks that did not pass
	}{
		{"migrate in place", p.Migrate(vmR("app"), MigrateSpec{Host: hostR("ha2")}), "already on ha2", ""},
		{"power on running", p.Power(vmR("app"), OpPowerOn), "already powered on", ""},
		{"power off off", p.Power(vmR("off"), OpPowerOff), "already powered off", ""},
		{"shutdown off", p.Power(vmR("off"), OpShutdown), "already powered off", ""},
		{"power on off", p.Power(vmR("off"), OpPowerOn), "", ""},
		{"power on template", p.Power(vmR("tpl"), OpPowerOn), "", "template=fail"},
		{"reset off", p.Power(vmR("off"), OpReset), "", "power-state=fail"},
		{"bad op", p.Power(vmR("app"), Op("frobnicate")), "", "op=fail"},
		{"power unknown", p.Power(vmR("nosuch"), OpPowerOff), "", "vm=fail"},
		{"enter with VMs, DRS", p.EnterMaintenance(hostR("ha1"), 0), "", "running-vms=warn"},
		{"enter with VMs, no DRS", p.EnterMaintenance(hostR("hb2"), 0), "", ""},
		{"enter in maintenance", p.EnterMaintenance(hostR("ha3"), 0), "already in maintenance mode", ""},
		{"enter disconnected", p.EnterMaintenance(hostR("ha4"), 0), "", "host-connected=fail"},
		{"exit not in maintenance", p.ExitMaintenance(hostR("ha1"), 0), "not in maintenance mode", ""},
		{"exit", p.ExitMaintenance(hostR("ha3"), 0), "", ""},
		{"disconnect disconnected", p.Disconnect(hostR("ha4")), "already disconnected", ""},
		{"reconnect connected", p.Reconnect(hostR("ha1")), "already connected", ""},
		{"reconnect", p.Reconnect(hostR("ha4")), "", ""},
		{"unknown host", p.Disconnect(hostR("nosuch")), "", "host=fail"},
	}
	for _, tt := range tests {
		if tt.action.Noop != tt.noop || verdict(tt.action.Checks) != tt.want {
			t.Errorf("%s: noop %q checks %q; want %q and %q", tt.name, tt.action.Noop, verdict(tt.action.Checks), tt.noop, tt.want)
		}
	}
	// A host without DRS and with powered-on VMs must be evacuated first.
	inv := fixture()
	inv.VMs = append(inv.VMs, vsphere.VM{Ref: vmR("b1"), Name: "b1", PowerState: "poweredOn", HostRef: hostR("hb2"), Host: "hb2"})
	a := NewPlanner(inv, nil, nil).EnterMaintenance(hostR("hb2"), 0)
	if got := verdict(a.Checks); got != "running-vms=fail" || !strings.Contains(a.Checks[len(a.Checks)-1].Reason, "--evacuate") {
		t.Errorf("enter maintenance on hb2 running b1: %q %v; want running-vms=fail naming --evacuate", got, a.Checks)
	}
	if s := p.Migrate(vmR("web"), MigrateSpec{Host: hostR("ha2"), Datastore: r("Datastore", "ds-shared")}).String(); s != "migrate web from ha1 to ha2, datastore ds-shared" {
		t.Errorf("String() = %q", s)
	}
}

func TestResolveNames(t *testing.T) {
	inv := fixture()
	vms, err := inv.VMsNamed([]string{"a*", "web", "app"})
	if err != nil || len(vms) != 2 || vms[0].Name != "app" || vms[1].Name != "web" {
		t.Errorf("VMsNamed(a*, web, app) = %v, %v; want app, web", vms, err)
	}
	if _, err := inv.VMsNamed([]string{"web", "nope", "x*"}); err == nil || !strings.Contains(err.Error(), `"nope", "x*"`) {
		t.Errorf("VMsNamed with two unknown names: err = %v; want both listed", err)
	}
	if _, err := inv.HostNamed("ha9"); err == nil || !strings.Contains(err.Error(), "vtui get hosts") {
		t.Errorf("HostNamed(ha9): err = %v", err)
	}
	pools := []vsphere.Pool{
		{Ref: r("ResourcePool", "1"), Name: "Resources", Owner: r("ClusterComputeResource", "ca"), Path: "a/Resources"},
		{Ref: r("ResourcePool", "2"), Name: "Resources", Owner: r("ClusterComputeResource", "cb"), Path: "b/Resources"},
	}
	for _, tt := range []struct {
		name    string
		cluster vsphere.Ref
		want    string // the pool's ID, or
		wantErr string
	}{
		{"Resources", vsphere.Ref{}, "", `resource pool "Resources" is ambiguous: give its path, one of a/Resources, b/Resources`},
		{"Resources", r("ClusterComputeResource", "cb"), "2", ""},
		{"a/Resources", vsphere.Ref{}, "1", ""},
		{"b/Resources", r("ClusterComputeResource", "ca"), "",
			`"b/Resources" is not found in the target cluster: it belongs to b/Resources; give a pool of the cluster the VMs go to (pools: a/Resources (1))`},
		{"2", vsphere.Ref{}, "2", ""},
		{"2", r("ClusterComputeResource", "cb"), "2", ""},
		{"2", r("ClusterComputeResource", "ca"), "", `"2" is not found in the target cluster: it belongs to b/Resources`},
		{"3", vsphere.Ref{}, "", `no resource pool "3": not found (pools: a/Resources (1), b/Resources (2))`},
	} {
		p, err := vsphere.NewResolver(nil, inv).Pool(context.Background(), pools, tt.name, tt.cluster)
		if tt.wantErr != "" {
			if !vsphere.IsBadName(err) || !strings.Contains(fmt.Sprint(err), tt.wantErr) {
				t.Errorf("Pool(%q, cluster %q) = %v, %v; want an error containing %q", tt.name, tt.cluster.Value, p, err, tt.wantErr)
			}
			continue
		}
		if err != nil || p.Ref.Value != tt.want {
			t.Errorf("Pool(%q, cluster %q) = %v, %v; want the pool with ID %s", tt.name, tt.cluster.Value, p, err, tt.want)
		}
	}
	if _, err := inv.HostNamed("ha*"); !errors.Is(err, vsphere.ErrInvalidPattern) || !strings.Contains(err.Error(), "takes one host, by name, ID or path, not a pattern") {
		t.Errorf("HostNamed(ha*): %v; want globs refused, saying why", err)
	}
}

func TestMigrateOffADisconnectedHostIsRefused(t *testing.T) {
	inv := fixture()
	for i := range inv.Hosts {
		if inv.Hosts[i].Name == "ha1" {
			inv.Hosts[i].ConnectionState = "disconnected"
		}
	}
	a := NewPlanner(inv, nil, nil).Migrate(vmR("web"), MigrateSpec{Host: hostR("ha2")})
	f := a.Failed()
	if len(f) == 0 || f[0].Name != "source-host" || !strings.Contains(f[0].Reason, "web runs on ha1, which is disconnected") {
		t.Errorf("migrate off a disconnected host: failed %v; want source-host refusing it", f)
	}
}

func TestBlastRadius(t *testing.T) {
	p := NewPlanner(fixture(), nil, nil)
	tests := []struct {
		actions []Action
		want    string
	}{
		{[]Action{p.Migrate(vmR("web"), MigrateSpec{Host: hostR("ha2")}), p.Migrate(vmR("db"), MigrateSpec{Host: hostR("ha2")}),
			p.Migrate(vmR("app"), MigrateSpec{Host: hostR("ha2")})}, "migrate 2 VMs from ha1 to ha2"},
		{[]Action{p.Migrate(vmR("web"), MigrateSpec{Host: hostR("ha2")}), p.Migrate(vmR("big"), MigrateSpec{Host: hostR("ha1")})},
			"migrate 2 VMs from 2 hosts to 2 targets"},
		{[]Action{p.Power(vmR("web"), OpShutdown), p.Power(vmR("app"), OpShutdown), p.EnterMaintenance(hostR("ha1"), 0)},
			"shut down the guests of 2 VMs on 2 hosts; enter maintenance mode on ha1"},
		{[]Action{p.Power(vmR("off"), OpPowerOff), p.Power(vmR("tpl"), OpPowerOn)}, ""},
		{[]Action{p.Power(vmR("web"), OpPowerOff)}, "power off web on ha1"},
	}
	for _, tt := range tests {
		if got := BlastRadius(tt.actions); got != tt.want {
			t.Errorf("BlastRadius(%v) = %q; want %q", tt.actions, got, tt.want)
		}
	}
}

// TestMigrateOntoADedicatedFailoverHostIsRefused: with HA admission
// control keeping esx-a-03 as a dedicated failover host (read from the
// cluster's dasConfig with its rules), moving a running VM there fails
// the admission-control check, as vCenter (the simulator) refuses it;
// another host passes it.
func TestMigrateOntoADedicatedFailoverHostIsRefused(t *testing.T) {
	ctx := context.Background()
	srv := startSim(t, "small")
	c := vspheretest.Connect(t, srv)
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cl := inv.Clusters[slices.IndexFunc(inv.Clusters, func(c vsphere.Cluster) bool { return c.Name == "cluster-a" })]
	cfg, err := c.ClusterConfig(ctx, inv, cl.Ref)
	if err != nil {
		t.Fatal(err)
	}
	want := cfg.Spec
	want.HA.AdmissionControl = clusterspec.AdmissionControl{Mode: clusterspec.AdmissionHosts, Hosts: []string{"esx-a-03.lab.local"}}
	for _, v := range inv.VMs { // a failover host runs no VMs
		if v.Host == "esx-a-03.lab.local" && v.PowerState == "poweredOn" {
			if r := NewGate(c).Do(ctx, NewPlanner(inv, nil, nil).Power(v.Ref, OpPowerOff), nil); r.Status != StatusOK {
				t.Fatal(r.Message)
			}
		}
	}
	if r := NewGate(c).Do(ctx, ReconfigureCluster(cfg, want, false), nil); r.Status != StatusOK {
		t.Fatalf("set the failover host: %s %v", r.Message, r.Err)
	}
	if inv, err = c.Inventory(ctx); err != nil {
		t.Fatal(err)
	}
	p, err := PlannerFor(ctx, c, inv, []vsphere.Ref{cl.Ref}, nil)
	if err != nil {
		t.Fatal(err)
	}
	vm := p.PoweredOnVMsOn(hostRefNamed(t, inv, "esx-a-01.lab.local"))[0]
	onto := p.Migrate(vm.Ref, MigrateSpec{Host: hostRefNamed(t, inv, "esx-a-03.lab.local")})
	if f := onto.Failed(); len(f) != 1 || f[0].Name != "admission-control" || !strings.Contains(f[0].Reason, "esx-a-03.lab.local is a dedicated failover host of cluster-a") {
		t.Errorf("move %s onto the failover host: failed %v; want the admission-control check alone", vm.Name, f)
	}
	if r := NewGate(c).Do(ctx, onto, nil); r.Status == StatusOK {
		t.Errorf("the simulator let %s onto the failover host; the check would refuse what vCenter allows", vm.Name)
	}
	if f := p.Migrate(vm.Ref, MigrateSpec{Host: hostRefNamed(t, inv, "esx-a-02.lab.local")}).Failed(); len(f) > 0 {
		t.Errorf("move %s onto another host: failed %v", vm.Name, f)
	}
}

func hostRefNamed(t *testing.T, inv *vsphere.Inventory, name string) vsphere.Ref {
	t.Helper()
	for _, h := range inv.Hosts {
		if h.Name == name {
			return h.Ref
		}
	}
	t.Fatalf("no host %s", name)
	return vsphere.Ref{}
}
