package sim

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/internal/bmc"
	"github.com/vtui/vtui/internal/bmc/ipmi"
)

// The byte order of a system GUID: DSP0134's own example.
func TestSMBIOSGUIDOrder(t *testing.T) {
	g, err := smbiosGUID("00112233-4455-6677-8899-aabbccddeeff")
	if err != nil {
		t.Fatal(err)
	}
	want := [16]byte{0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}
	if g != want {
		t.Errorf("smbiosGUID = % x; want % x", g, want)
	}
}

// A host's IPMI BMC, reached with vtui's IPMI client (go-ipmi's client
// against go-ipmi's server), names the host by its SMBIOS UUID, and its
// chassis power down and up crash and recover the host.
func TestIPMIBMCPowersItsHost(t *testing.T) {
	s, c := fastHA(t)
	const name = "esx-a-01.lab.local"
	ref := named(t, fetch(t, c).hosts, name, func(h mo.HostSystem) string { return h.Name }).Self
	var host mo.HostSystem
	if err := property.DefaultCollector(c.Client).RetrieveOne(context.Background(), ref, []string{"hardware.systemInfo.uuid"}, &host); err != nil {
		t.Fatal(err)
	}
	addr, err := s.IPMIAddress(name)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := s.IPMIAddress(name); again != addr {
		t.Errorf("the BMC asked for again answers on %s; want the same %s", again, addr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	x, err := ipmi.Dial(ctx, addr, bmc.Credentials{Username: s.Username, Password: s.Password})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()

	sys, err := x.Identify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sys.UUID != host.Hardware.SystemInfo.Uuid || sys.Power != bmc.PowerOn {
		t.Errorf("Identify = %+v; want UUID %s (the host's hardware.systemInfo.uuid), On", sys, host.Hardware.SystemInfo.Uuid)
	}

	for range 2 { // a second power down of a host off is no error, as on a BMC
		if err := x.ForceOff(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if st := connection(t, c, name); st != types.HostSystemConnectionStateNotResponding {
		t.Errorf("after power down %s is %s; want notResponding (crashed)", name, st)
	}
	if sys, err := x.Identify(ctx); err != nil || sys.Power != bmc.PowerOff {
		t.Errorf("Identify after power down = %+v, %v; want Off", sys, err)
	}
	waitEvents(t, c, "DasHostFailedEvent")

	if err := x.On(ctx); err != nil {
		t.Fatal(err)
	}
	if st := connection(t, c, name); st != types.HostSystemConnectionStateConnected {
		t.Errorf("after power up %s is %s; want connected (recovered)", name, st)
	}
	if sys, err := x.Identify(ctx); err != nil || sys.Power != bmc.PowerOn {
		t.Errorf("Identify after power up = %+v, %v; want On", sys, err)
	}
}

func connection(t *testing.T, c *govmomi.Client, name string) types.HostSystemConnectionState {
	t.Helper()
	return named(t, fetch(t, c).hosts, name, func(h mo.HostSystem) string { return h.Name }).Runtime.ConnectionState
}

// A BMC accepts the simulator's credentials only, and its refusal says
// so without the password; the door starts BMCs on demand and lists them.
func TestIPMIBMCRefusesOtherCredentials(t *testing.T) {
	s, c := fastHA(t)
	if code, body := door(t, s, c, "GET", ""); code != http.StatusOK || len(body["bmc"].(map[string]any)["ipmi"].(map[string]any)) != 0 {
		t.Errorf("GET the door before any BMC: %d %v; want no IPMI BMC serving", code, body)
	}
	code, body := door(t, s, c, "GET", "?ipmi=esx-a-02.lab.local&ipmi=esx-a-03.lab.local")
	served := body["bmc"].(map[string]any)["ipmi"].(map[string]any)
	if code != http.StatusOK || len(served) != 2 {
		t.Fatalf("GET the door with two hosts' BMCs: %d %v; want both", code, body)
	}
	if code, _ := door(t, s, c, "GET", "?ipmi=esx-z-99"); code != http.StatusNotFound {
		t.Errorf("the BMC of an unknown host: %d; want 404", code)
	}
	addr := served["esx-a-02.lab.local"].(string)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const wrong = "not-the-password-42"
	_, err := ipmi.Dial(ctx, addr, bmc.Credentials{Username: s.Username, Password: wrong})
	if !errors.Is(err, bmc.ErrLogin) || !strings.Contains(err.Error(), addr) || strings.Contains(err.Error(), wrong) {
		t.Errorf("Dial with a wrong password: %v; want a refusal that says to check them, without the password", err)
	}
	_, err = ipmi.Dial(ctx, addr, bmc.Credentials{Username: "intruder", Password: s.Password})
	if !errors.Is(err, bmc.ErrLogin) || strings.Contains(err.Error(), s.Password) {
		t.Errorf("Dial as another user: %v; want a refusal that says to check them, without the password", err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a refusal took the whole time allowed: %v", err)
	}
}

// A password IPMI 2.0 cannot carry (more than 20 bytes) starts no BMC,
// and says why; the random one a server makes by default fits.
func TestIPMIBMCNeedsAPasswordIPMICarries(t *testing.T) {
	spec, err := Preset("small")
	if err != nil {
		t.Fatal(err)
	}
	s := startSpec(t, spec, Options{Password: strings.Repeat("p", 21)})
	if _, err := s.IPMIAddress("esx-a-01.lab.local"); err == nil || !strings.Contains(err.Error(), "a password of at most 20") {
		t.Errorf("IPMIAddress with a 21-byte password: %v; want a refusal naming the limit", err)
	}
	if d := startPreset(t, "small"); len(d.Password) > maxIPMIPassword {
		t.Errorf("the default password has %d bytes; IPMI 2.0 takes at most %d", len(d.Password), maxIPMIPassword)
	}
}
