package drill

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vtui/vtui/internal/strictyaml"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/drillkit"
	"github.com/vtui/vtui/vsphere/gate"
)

// ipmiPlan is redfishPlan through IPMI, with bmc as its inject.bmc.
func ipmiPlan(bmc string) string {
	return strings.Replace(withBMC(bmc), "method: redfish", "method: ipmi", 1)
}

// TestTheIPMIExampleDrillPassesAndRollsBack runs docs/examples/ipmi.yaml
// as written on the simulator, whose IPMI BMCs are go-ipmi's server: the
// preflight finds the target's system by its GUID, the injection is a
// chassis power down read back as off, HA restarts the VMs, and the
// rollback powers the host up, back to the baseline. The journal records
// the BMC and its system, never the password.
func TestTheIPMIExampleDrillPassesAndRollsBack(t *testing.T) {
	srv, c := haSim(t)
	plan, err := Load(context.Background(), "../../docs/examples/ipmi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	before := clusterState(t, c)
	j := newJournal(t)
	rep := (&Runner{Client: c, Plan: plan, Journal: j}).Run(context.Background())
	if rep.Result != ResultPass || !rep.Rollback.OK || len(rep.Targets) != 1 {
		t.Fatalf("the example did not pass:\n%s", describe(rep))
	}
	target := rep.Targets[0]
	i := slices.IndexFunc(rep.Preflight, func(ch gate.Check) bool { return ch.Name == "method" })
	if want := "UUID " + simUUID(t, c, target) + ", power On"; i < 0 || !strings.Contains(rep.Preflight[i].Reason, want) {
		t.Errorf("the method check does not name the system the BMC powers (%q):\n%s", want, describe(rep))
	}
	saysPowerCycle(t, rep, MethodIPMI, target)
	sameMaps(t, "after the rollback", clusterState(t, c), before)
	if e := injectEntry(t, j.Path()); len(e.BMCs) != 1 || e.BMCs[0].System == nil || !strings.HasPrefix(e.BMCs[0].Address, "127.0.0.1:") {
		t.Errorf("the journal's inject entry does not record the IPMI BMC and its system: %+v", e)
	}
	noSecret(t, srv.Password, rep, j.Path())
}

// saysPowerCycle fails the test unless the drill's timeline says host
// was powered off and on through its BMC by method, and reconnected.
func saysPowerCycle(t *testing.T, rep *Report, m Method, host string) {
	t.Helper()
	for _, want := range []string{string(m) + " ForceOff through its BMC", host + "'s BMC reports power Off",
		string(m) + " On through its BMC", host + "'s BMC reports power On", host + " is connected"} {
		if !slices.ContainsFunc(rep.Timeline, func(m Moment) bool { return strings.Contains(m.What, want) }) {
			t.Errorf("the timeline does not say %q:\n%s", want, describe(rep))
		}
	}
}

// injectEntry is the inject entry of the journal at path.
func injectEntry(t *testing.T, path string) Entry {
	t.Helper()
	entries, err := ReadJournal(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	k := slices.IndexFunc(entries, func(e Entry) bool { return e.Step == StepInject })
	if k < 0 {
		t.Fatalf("the journal has no inject entry: %+v", entries)
	}
	return entries[k]
}

// TestAnIPMIDrillIsRefusedWhenItsBMCIsNotRight: a BMC that does not
// answer, credentials it refuses, and a BMC whose system GUID is another
// host's each fail the preflight's method check, saying how to fix it,
// before anything is injected; no password shows.
func TestAnIPMIDrillIsRefusedWhenItsBMCIsNotRight(t *testing.T) {
	const bad = "not-the-password"
	for _, tt := range []struct {
		name    string
		bmc     func(t *testing.T, user string, c *vsphere.Client) string
		message string
	}{
		{"unreachable", func(*testing.T, string, *vsphere.Client) string {
			return `{address: simulator, hosts: {esx-a-01.lab.local: "127.0.0.1:1"}}`
		}, "the BMC does not answer"},
		{"wrong credentials", func(_ *testing.T, user string, _ *vsphere.Client) string {
			return fmt.Sprintf("{address: simulator, username: %s, password-env: VTUI_TEST_BMC_PASSWORD}", user)
		}, "refused the credentials"},
		{"another system", func(t *testing.T, _ string, c *vsphere.Client) string {
			info, err := drillkit.SimulatorInfo(context.Background(), c, "esx-a-02.lab.local")
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("{address: simulator, hosts: {esx-a-01.lab.local: %q}}", info.BMC.IPMI["esx-a-02.lab.local"])
		}, "powers another system: chassis (UUID " + "%s" + ")"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := haSim(t)
			t.Setenv("VTUI_TEST_BMC_PASSWORD", bad)
			message := tt.message
			if strings.Contains(message, "%s") {
				message = fmt.Sprintf(message, simUUID(t, c, "esx-a-02.lab.local"))
			}
			before := clusterState(t, c)
			j := newJournal(t)
			plan := mustParse(t, ipmiPlan(tt.bmc(t, srv.Username, c)))
			rep := (&Runner{Client: c, Plan: plan, Journal: j, BMCPassword: envPassword}).Run(context.Background())
			i := slices.IndexFunc(rep.Preflight, func(ch gate.Check) bool { return ch.Status == gate.CheckFail })
			if rep.Result != ResultError || i < 0 || rep.Preflight[i].Name != "method" || !strings.Contains(rep.Preflight[i].Reason, message) ||
				!strings.Contains(rep.Preflight[i].Reason, "nothing was injected") {
				t.Fatalf("want the method check to refuse with %q; got:\n%s", message, describe(rep))
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

// A plan with method ipmi takes IPMI addresses, and no TLS options: RMCP+
// has no certificate to trust.
func TestIPMIPlanChecks(t *testing.T) {
	for _, tt := range []struct{ bmc, key, message string }{
		{`{address: "https://{{.Host}}-bmc", username: admin}`, "address", "is a URL, and IPMI takes none"},
		{`{hosts: {esx-a-01.lab.local: "bmc:70000"}, username: admin}`, `"esx-a-01.lab.local"`, "not 1 to 65535"},
		{`{address: "bmc-{{.Host}}", username: admin, thumbprint: "AA:BB"}`, "thumbprint", "IPMI has no TLS"},
		{`{address: simulator, insecure: true}`, "insecure", "IPMI has no TLS"},
	} {
		_, err := Parse("plan.yaml", []byte(ipmiPlan(tt.bmc)))
		var se *strictyaml.Error
		if !errors.As(err, &se) || !strings.HasSuffix(se.Key, tt.key) || !strings.Contains(err.Error(), tt.message) {
			t.Errorf("bmc %s: %v; want an error at %s saying %q", tt.bmc, err, tt.key, tt.message)
		}
	}
	if _, err := Parse("plan.yaml", []byte(ipmiPlan(`{address: "bmc-{{.Host}}:6230", username: admin, password-env: IPMI_PASSWORD}`))); err != nil {
		t.Errorf("a template of host:port: %v", err)
	}
}

// TestADryRunOrReadOnlyIPMIDrillSendsNoPacket: with --dry-run or
// --readonly the preflight sends a target's IPMI BMC not one datagram and
// reads no password; the same plan run for real does.
func TestADryRunOrReadOnlyIPMIDrillSendsNoPacket(t *testing.T) {
	srv, c := haSim(t)
	bmcConn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer bmcConn.Close()
	var packets atomic.Int32
	go func() {
		buf := make([]byte, 1024)
		for {
			if _, _, err := bmcConn.ReadFrom(buf); err != nil {
				return
			}
			packets.Add(1)
		}
	}()
	var reads atomic.Int32
	read := func(context.Context, BMC) (string, error) {
		reads.Add(1)
		return "secret", nil
	}
	plan := mustParse(t, ipmiPlan(fmt.Sprintf(`{hosts: {esx-a-01.lab.local: %q}, username: admin}`, bmcConn.LocalAddr())))
	for _, policy := range []vsphere.Policy{{DryRun: true}, {ReadOnly: true}} {
		if _, err := (&Runner{Client: connectWith(t, srv, policy), Plan: plan, BMCPassword: read}).Preflight(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if packets.Load() != 0 || reads.Load() != 0 {
		t.Fatalf("dry run and read-only: %d datagrams to the BMC, %d password reads; want none", packets.Load(), reads.Load())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // the BMC never answers: its tries time out
	defer cancel()
	_, _ = (&Runner{Client: c, Plan: plan, BMCPassword: read}).Preflight(ctx)
	if packets.Load() == 0 || reads.Load() != 1 {
		t.Errorf("the real preflight: %d datagrams to the BMC, %d password reads; want some, and one", packets.Load(), reads.Load())
	}
}
