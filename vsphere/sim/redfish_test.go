package sim

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/internal/bmc"
	"github.com/vtui/vtui/internal/bmc/redfish"
	"github.com/vtui/vtui/internal/tlstrust"
)

// TestRedfishPowersHostsOffAndOnThroughGofish drives the simulator's
// Redfish service with vtui's gofish controller, as a drill does: the door
// names each host's system, which reports the host's SMBIOS UUID and
// power; ForceOff crashes the host and On recovers it; the session is
// deleted on Close.
func TestRedfishPowersHostsOffAndOnThroughGofish(t *testing.T) {
	s, c := fastHA(t)
	ctx := context.Background()
	const name = "esx-a-01.lab.local"
	code, body := door(t, s, c, "GET", "")
	bmcs, _ := body["bmc"].(map[string]any)
	redfishes, _ := bmcs["redfish"].(map[string]any)
	addr, _ := redfishes[name].(string)
	if code != http.StatusOK || addr == "" || bmcs["thumbprint"] != s.Thumbprint || bmcs["username"] != s.Username || bmcs["password"] != s.Password {
		t.Fatalf("the door's bmc: %d %v; want the Redfish system of %s, the server's thumbprint and credentials", code, bmcs, name)
	}
	cred, trust := bmc.Credentials{Username: s.Username, Password: s.Password}, bmc.TLS{Thumbprint: s.Thumbprint}

	ctl, err := redfish.Dial(ctx, addr, cred, trust)
	if err != nil {
		t.Fatal(err)
	}
	sys, err := ctl.Identify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sys.HostName != name || sys.UUID != nameUUID(name) || sys.Power != bmc.PowerOn || sys.ID == "" {
		t.Errorf("Identify = %+v; want %s, UUID %s, power On", sys, name, nameUUID(name))
	}
	if n := redfishSessions(s); n != 1 {
		t.Errorf("%d sessions while dialled; want 1", n)
	}
	hostState := func() types.HostSystemConnectionState {
		return named(t, fetch(t, c).hosts, name, func(h mo.HostSystem) string { return h.Name }).Runtime.ConnectionState
	}
	if err := ctl.ForceOff(ctx); err != nil {
		t.Fatal(err)
	}
	if sys, _ = ctl.Identify(ctx); sys.Power != bmc.PowerOff || hostState() != types.HostSystemConnectionStateNotResponding {
		t.Errorf("after ForceOff: power %s, host %s; want Off, notResponding", sys.Power, hostState())
	}
	if err := ctl.ForceOff(ctx); err == nil || !strings.Contains(err.Error(), "already powered off") {
		t.Errorf("ForceOff of a system that is off: %v; want 409 already powered off", err)
	}
	if err := ctl.On(ctx); err != nil {
		t.Fatal(err)
	}
	if sys, _ = ctl.Identify(ctx); sys.Power != bmc.PowerOn || hostState() != types.HostSystemConnectionStateConnected {
		t.Errorf("after On: power %s, host %s; want On, connected", sys.Power, hostState())
	}
	if err := ctl.Close(); err != nil {
		t.Fatal(err)
	}
	if n := redfishSessions(s); n != 0 {
		t.Errorf("%d sessions after Close; want 0 (the session is deleted)", n)
	}
}

// TestRedfishRefusesWhatADrillMustNotTrust: wrong credentials, an
// untrusted certificate, a service root that powers several systems, and
// a system that is not there each fail Dial or Identify with the error a
// drill explains, and the password is in none of them.
func TestRedfishRefusesWhatADrillMustNotTrust(t *testing.T) {
	s := startPreset(t, "small")
	ctx := context.Background()
	info := s.vc.redfish.bmcInfo(s.URL.Host)
	addr := info.Redfish["esx-a-01.lab.local"]
	good, trust := bmc.Credentials{Username: s.Username, Password: s.Password}, bmc.TLS{Thumbprint: s.Thumbprint}
	wrong := bmc.Credentials{Username: s.Username, Password: "not-" + s.Password}
	var cert *tlstrust.UntrustedCertError
	for _, tt := range []struct {
		name  string
		addr  string
		cred  bmc.Credentials
		trust bmc.TLS
		is    func(error) bool
	}{
		{"wrong password", addr, wrong, trust, func(err error) bool { return errors.Is(err, bmc.ErrLogin) }},
		{"no trust", addr, good, bmc.TLS{}, func(err error) bool { return errors.As(err, &cert) && cert.SHA256 == s.Thumbprint }},
		{"several systems", "https://" + s.URL.Host, good, trust, func(err error) bool { return errors.Is(err, bmc.ErrNoSystem) }},
		{"no such system", "https://" + s.URL.Host + "/redfish/v1/Systems/host-0", good, trust, func(err error) bool { return errors.Is(err, bmc.ErrNoSystem) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctl, err := redfish.Dial(ctx, tt.addr, tt.cred, tt.trust)
			if err == nil {
				_, err = ctl.Identify(ctx)
				ctl.Close()
			}
			if err == nil || !tt.is(err) {
				t.Fatalf("err = %v; want the %s error", err, tt.name)
			}
			if strings.Contains(err.Error(), s.Password) {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
	if n := redfishSessions(s); n != 0 {
		t.Errorf("%d sessions left; want 0", n)
	}
}

func redfishSessions(s *Server) int {
	s.vc.redfish.mu.Lock()
	defer s.vc.redfish.mu.Unlock()
	return len(s.vc.redfish.sessions)
}

// TestEveryHostHasItsOwnSMBIOSUUID: a drill tells hosts apart by the
// SMBIOS UUID their BMCs report, so every host of a preset has its own,
// the same in every build of it, and its BMC reports the one vCenter
// does.
func TestEveryHostHasItsOwnSMBIOSUUID(t *testing.T) {
	first, second := startPreset(t, "small"), startPreset(t, "small")
	uuids := func(s *Server) map[string]string {
		out := map[string]string{}
		for _, h := range simHosts(detach(s.vc.sctx)) {
			out[h.name] = h.uuid
		}
		return out
	}
	a, b := uuids(first), uuids(second)
	seen := map[string]string{}
	for name, u := range a {
		if other, dup := seen[u]; dup || u == "" {
			t.Errorf("%s has UUID %q, as %s does", name, u, other)
		}
		seen[u] = name
		if b[name] != u {
			t.Errorf("%s has UUID %s in one build and %s in another", name, u, b[name])
		}
	}
	if len(a) != 6 {
		t.Errorf("%d hosts; want the small preset's 6", len(a))
	}
	c := login(t, first)
	hosts := fetchSystemInfo(t, c)
	if len(hosts) != len(a) {
		t.Errorf("vCenter has %d hosts, the BMCs %d", len(hosts), len(a))
	}
	for _, h := range hosts {
		if h.Hardware == nil || a[h.Name] != h.Hardware.SystemInfo.Uuid {
			t.Errorf("%s: vCenter's hardware.systemInfo.uuid differs from its BMC's %s", h.Name, a[h.Name])
		}
	}
}

// fetchSystemInfo reads every host's name and hardware.systemInfo.
func fetchSystemInfo(t *testing.T, c *govmomi.Client) []mo.HostSystem {
	t.Helper()
	ctx := context.Background()
	v, err := view.NewManager(c.Client).CreateContainerView(ctx, c.ServiceContent.RootFolder, []string{"HostSystem"}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Destroy(ctx)
	var hosts []mo.HostSystem
	if err := v.Retrieve(ctx, []string{"HostSystem"}, []string{"name", "hardware.systemInfo"}, &hosts); err != nil {
		t.Fatal(err)
	}
	return hosts
}
