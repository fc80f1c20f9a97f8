package drill

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/drillkit"
	"github.com/vtui/vtui/vsphere/gate"
	"github.com/vtui/vtui/vsphere/sim"
)

const redfishPlan = `name: test
cluster: cluster-a
scenario: host-failure
targets: {hosts: [esx-a-01.lab.local]}
expect: {rto: 30s}
inject:
  method: redfish
  bmc: {address: simulator}
detect-timeout: 10s
timeout: 30s
`

// withBMC replaces redfishPlan's bmc line.
func withBMC(bmc string) string {
	return strings.Replace(redfishPlan, "  bmc: {address: simulator}", "  bmc: "+bmc, 1)
}

// simBMCs is what the simulator says of its BMCs.
func simBMCs(t *testing.T, c *vsphere.Client) drillkit.SimInfo {
	t.Helper()
	info, err := drillkit.SimulatorInfo(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// noSecret fails the test if the password shows in what a drill leaves.
func noSecret(t *testing.T, password string, rep *Report, journal string) {
	t.Helper()
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), password) {
		t.Errorf("the report holds the BMC password")
	}
	if journal != "" && strings.Contains(string(readFile(t, journal)), password) {
		t.Errorf("the journal holds the BMC password")
	}
}

// TestRedfishDrillPowersTheTargetOffAndBackOn runs a drill with method
// redfish on the simulator's BMCs, as written in a plan: the preflight
// asks each target's BMC which system it powers, the injection is a
// ForceOff read back as Off, HA restarts the VMs, and the rollback powers
// the host on and waits for it to reconnect, back to the baseline. The
// journal records the BMC and its system, never the password.
func TestRedfishDrillPowersTheTargetOffAndBackOn(t *testing.T) {
	srv, c := haSim(t)
	before := clusterState(t, c)
	j := newJournal(t)
	rep := (&Runner{Client: c, Plan: mustParse(t, redfishPlan), Journal: j}).Run(context.Background())
	if rep.Result != ResultPass || !rep.Rollback.OK {
		t.Fatalf("the drill did not pass:\n%s", describe(rep))
	}
	i := slices.IndexFunc(rep.Preflight, func(ch gate.Check) bool { return ch.Name == "method" })
	if i < 0 || !strings.Contains(rep.Preflight[i].Reason, "UUID "+simUUID(t, c, "esx-a-01.lab.local")) || !strings.Contains(rep.Preflight[i].Reason, "power On") {
		t.Errorf("the method check does not name the system the BMC powers:\n%s", describe(rep))
	}
	saysPowerCycle(t, rep, MethodRedfish, "esx-a-01.lab.local")
	sameMaps(t, "after the rollback", clusterState(t, c), before)
	if e := injectEntry(t, j.Path()); len(e.BMCs) != 1 || e.BMCs[0].System == nil || e.BMCs[0].System.HostName != "esx-a-01.lab.local" {
		t.Errorf("the journal's inject entry does not record the BMC and its system: %+v", e)
	}
	uuid := simUUID(t, c, "esx-a-01.lab.local")
	if len(rep.BMCs) != 1 || rep.BMCs[0].Host != "esx-a-01.lab.local" || rep.BMCs[0].Address == "" ||
		rep.BMCs[0].System == nil || rep.BMCs[0].System.UUID != uuid {
		t.Errorf("the report does not record the target's BMC and the system it powers (UUID %s): %+v", uuid, rep.BMCs)
	}
	var md strings.Builder
	if err := rep.WriteMarkdown(&md); err != nil || !strings.Contains(md.String(), "| Targets | esx-a-01.lab.local |\n| BMCs | esx-a-01.lab.local at "+rep.BMCs[0].Address) || !strings.Contains(md.String(), "UUID "+uuid) {
		t.Errorf("the Markdown report does not name the BMC (%v):\n%s", err, md.String())
	}
	noSecret(t, srv.Password, rep, j.Path())
}

// simUUID is a host's SMBIOS UUID as vCenter reports it.
func simUUID(t *testing.T, c *vsphere.Client, host string) string {
	t.Helper()
	inv, err := c.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	h := inv.FilterHosts(vsphere.Filter{Name: host})
	uuids, err := drillkit.HostUUIDs(context.Background(), c, []vsphere.Ref{h[0].Ref})
	if err != nil || uuids[h[0].Ref] == "" {
		t.Fatalf("no UUID for %s: %v", host, err)
	}
	return uuids[h[0].Ref]
}

// TestARedfishDrillIsRefusedWhenItsBMCIsNotRight: a BMC that does not
// answer, credentials it refuses, a BMC that powers another system, and a
// certificate the plan does not trust each fail the preflight's method
// check, saying how to fix it, before anything is injected; no password
// shows.
func TestARedfishDrillIsRefusedWhenItsBMCIsNotRight(t *testing.T) {
	const bad = "not-the-password"
	for _, tt := range []struct {
		name    string
		bmc     func(srv *sim.Server, info drillkit.SimInfo) string
		message string
	}{
		{"unreachable", func(*sim.Server, drillkit.SimInfo) string {
			return `{address: simulator, hosts: {esx-a-01.lab.local: "https://127.0.0.1:1"}}`
		}, "the BMC does not answer: connect: connection refused; check the address"},
		{"wrong credentials", func(srv *sim.Server, _ drillkit.SimInfo) string {
			return fmt.Sprintf("{address: simulator, username: %s, password-env: VTUI_TEST_BMC_PASSWORD}", srv.Username)
		}, "refused the credentials"},
		{"another system", func(_ *sim.Server, info drillkit.SimInfo) string {
			return fmt.Sprintf("{address: simulator, hosts: {esx-a-01.lab.local: %q}}", info.BMC.Redfish["esx-a-02.lab.local"])
		}, "powers another system"},
		{"untrusted certificate", func(srv *sim.Server, info drillkit.SimInfo) string {
			return fmt.Sprintf("{hosts: {esx-a-01.lab.local: %q}, username: %s, password-env: VTUI_TEST_BMC_PASSWORD}", info.BMC.Redfish["esx-a-01.lab.local"], srv.Username)
		}, "is not trusted"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := haSim(t)
			t.Setenv("VTUI_TEST_BMC_PASSWORD", bad)
			if tt.name == "untrusted certificate" {
				t.Setenv("VTUI_TEST_BMC_PASSWORD", srv.Password)
			}
			before := clusterState(t, c)
			j := newJournal(t)
			plan := mustParse(t, withBMC(tt.bmc(srv, simBMCs(t, c))))
			rep := (&Runner{Client: c, Plan: plan, Journal: j, BMCPassword: envPassword}).Run(context.Background())
			i := slices.IndexFunc(rep.Preflight, func(ch gate.Check) bool { return ch.Status == gate.CheckFail })
			if rep.Result != ResultError || i < 0 || rep.Preflight[i].Name != "method" || !strings.Contains(rep.Preflight[i].Reason, tt.message) ||
				!strings.Contains(rep.Preflight[i].Reason, "nothing was injected") {
				t.Fatalf("want the method check to refuse with %q; got:\n%s", tt.message, describe(rep))
			}
			sameMaps(t, "after a refused drill", clusterState(t, c), before)
			if got := journalSteps(t, j.Path()); slices.Contains(got, StepInject) || slices.Contains(got, StepLock) {
				t.Errorf("a refused drill journaled %v", got)
			}
			noSecret(t, srv.Password, rep, j.Path())
			noSecret(t, bad, rep, j.Path())
		})
	}
}

// envPassword reads the password from the variable the plan names, as
// cmd/vtui's reader does without a terminal.
func envPassword(_ context.Context, b BMC) (string, error) {
	if v, ok := os.LookupEnv(b.PasswordEnv); ok {
		return v, nil
	}
	return "", fmt.Errorf("%s is not set", b.PasswordEnv)
}

// TestADryRunOrReadOnlyDrillContactsNoBMC: with --dry-run the preflight
// says where each BMC is and what it would do, and with --readonly it
// refuses, and neither sends a BMC a single request or reads a password;
// the same plan run for real does contact it.
func TestADryRunOrReadOnlyDrillContactsNoBMC(t *testing.T) {
	srv, c := haSim(t)
	var hits atomic.Int32
	tripwire := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.NotFound(w, r)
	}))
	defer tripwire.Close()
	plan := mustParse(t, withBMC(fmt.Sprintf(`{hosts: {esx-a-01.lab.local: %q}, username: root, insecure: true}`, tripwire.URL)))
	read := func(context.Context, BMC) (string, error) {
		hits.Add(100)
		return "secret", nil
	}
	for _, tt := range []struct {
		policy  vsphere.Policy
		ok      bool
		message string
	}{
		{vsphere.Policy{DryRun: true}, true, "no BMC was contacted: would power off esx-a-01.lab.local at " + tripwire.URL},
		{vsphere.Policy{ReadOnly: true}, false, "read-only mode, so no BMC was contacted"},
	} {
		p, err := (&Runner{Client: connectWith(t, srv, tt.policy), Plan: plan, BMCPassword: read}).Preflight(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(p.Checks, func(ch gate.Check) bool { return ch.Name == "method" })
		if i < 0 || (p.Checks[i].Status == gate.CheckPass) != tt.ok || !strings.Contains(p.Checks[i].Reason, tt.message) {
			t.Errorf("%+v: method check %+v; want %q", tt.policy, p.Checks, tt.message)
		}
		if n := hits.Load(); n != 0 {
			t.Fatalf("%+v: %d BMC requests or password reads (hundreds); want none", tt.policy, n)
		}
	}
	if d := (&Preflight{BMCs: []PlannedBMC{{Host: "h", Address: "a"}}}).DryRun(plan); len(d.BMCs) != 1 {
		t.Errorf("the dry run's BMCs: %+v", d.BMCs)
	}
	if _, err := (&Runner{Client: c, Plan: plan, BMCPassword: read}).Preflight(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := hits.Load(); n < 101 {
		t.Errorf("the real preflight made %d BMC requests and password reads; want the password read and the BMC asked", n)
	}
}

// TestABMCDrillRollsBackFromItsJournal: a drill whose runner died
// after the ForceOff leaves a journal from which RollbackJournal powers
// the host on through the BMC, as vtui drill rollback does, and restores
// the baseline; a dry run of it says so and leaves the host off.
func TestABMCDrillRollsBackFromItsJournal(t *testing.T) {
	for _, tt := range []struct{ method, plan, at string }{
		{"redfish", redfishPlan, "redfish at https://"},
		{"ipmi", ipmiPlan("{address: simulator}"), "ipmi at 127.0.0.1:"},
	} {
		t.Run(tt.method, func(t *testing.T) {
			srv, c := haSim(t)
			before := clusterState(t, c)
			journal := killedDrill(t, c, tt.plan, StepVerify)
			waitForRestarts(t, c, "esx-a-01.lab.local")
			dry, err := RollbackJournal(context.Background(), connectWith(t, srv, vsphere.Policy{DryRun: true}), journal, RollbackOptions{})
			want := "would power on esx-a-01.lab.local through its BMC (" + tt.at
			if err != nil || !slices.ContainsFunc(dry.Steps, func(s string) bool { return strings.Contains(s, want) }) {
				t.Errorf("dry run: %v, steps %q; want %q", err, dry.Steps, want)
			}
			if got := clusterState(t, c)["host esx-a-01.lab.local"]; got != "notResponding maintenance=false" {
				t.Errorf("after a dry run the host is %q; want it still off (notResponding)", got)
			}
			var steps []string
			rb, err := RollbackJournal(context.Background(), c, journal, RollbackOptions{OnStep: func(s string) { steps = append(steps, s) }})
			if err != nil || !rb.OK {
				t.Fatalf("rollback from the journal: %v, %+v\nsteps: %q", err, rb, steps)
			}
			if !slices.ContainsFunc(steps, func(s string) bool { return strings.Contains(s, "esx-a-01.lab.local's BMC reports power On") }) {
				t.Errorf("the rollback's steps %q do not power the host on through its BMC", steps)
			}
			sameMaps(t, "after the journal rollback", clusterState(t, c), before)
			if strings.Contains(string(readFile(t, journal)), srv.Password) {
				t.Error("the journal holds the BMC password")
			}
		})
	}
}

// TestBMCAddressesRenderHostNamesAsData: a host's name fills the
// template as data, and a name that would change the address's structure
// (a path, user information, a port) is refused rather than rendered; the
// table wins over the template; address simulator is the simulator's,
// refused elsewhere.
func TestBMCAddressesRenderHostNamesAsData(t *testing.T) {
	notSim := fmt.Errorf("%w: no door", drillkit.ErrNotSimulator)
	tmpl := &BMC{Address: "https://{{.Host}}-bmc.{{.Cluster}}.example.com", Hosts: map[string]string{"esx-09": "https://bmc-17.example.com"}}
	sim := &BMC{Address: SimulatorBMC}
	served := map[string]string{"esx-01": "https://127.0.0.1:8989/redfish/v1/Systems/host-1"}
	for _, tt := range []struct {
		bmc    *BMC
		host   string
		served map[string]string
		want   string // "" when refused, with err containing wantErr
		err    string
	}{
		{tmpl, "esx-01", nil, "https://esx-01-bmc.c1.example.com", ""},
		{tmpl, "esx-09", nil, "https://bmc-17.example.com", ""},
		{tmpl, "evil.example.net/x", nil, "", "cannot go into a BMC address as it is"},
		{tmpl, "root:pw@evil", nil, "", "cannot go into a BMC address as it is"},
		{tmpl, "esx-01:8443", nil, "", "cannot go into a BMC address as it is"},
		{sim, "esx-01", served, served["esx-01"], ""},
		{sim, "esx-02", served, "", "serves no BMC for esx-02"},
		{sim, "esx-01", nil, "", "address simulator names the BMCs of vtui's simulator, and this is not it"},
		{&BMC{Hosts: map[string]string{"esx-09": "bmc-17"}}, "esx-01", nil, "", "inject.bmc.hosts does not name esx-01"},
	} {
		got, err := tt.bmc.addressOf(tt.host, "c1", tt.served, notSim)
		if got != tt.want || (tt.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("addressOf(%q) with %+v = %q, %v; want %q, %q", tt.host, tt.bmc, got, err, tt.want, tt.err)
		}
	}
}
