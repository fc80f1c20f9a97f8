package ipmi

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	gobmc "github.com/bougou/go-ipmi/pkg/bmc"
	"github.com/bougou/go-ipmi/pkg/clock"
	"github.com/bougou/go-ipmi/pkg/hal/mock"
	"github.com/bougou/go-ipmi/pkg/handlers"
	"github.com/bougou/go-ipmi/pkg/server"
	"github.com/bougou/go-ipmi/pkg/transport/udp"
	"github.com/bougou/go-ipmi/pkg/types"

	"github.com/vtui/vtui/internal/bmc"
)

// Get System GUID's bytes read as SMBIOS orders them: DSP0134's example.
func TestSystemUUIDReadsSMBIOSOrder(t *testing.T) {
	got, err := SystemUUID([16]byte{0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff})
	if want := "00112233-4455-6677-8899-aabbccddeeff"; err != nil || got != want {
		t.Errorf("SystemUUID = %q, %v; want %s", got, err, want)
	}
	for _, none := range [][16]byte{{}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}} {
		if got, err := SystemUUID(none); err == nil || !strings.Contains(err.Error(), "no system GUID") {
			t.Errorf("SystemUUID(% x) = %q, %v; want an error: the GUID is not set", none[:2], got, err)
		}
	}
}

func TestParseAddress(t *testing.T) {
	for _, tt := range []struct {
		in, host string
		port     int
		err      string
	}{
		{"esx-01-bmc.lab.local", "esx-01-bmc.lab.local", 623, ""},
		{"10.0.0.7:6230", "10.0.0.7", 6230, ""},
		{"[::1]:623", "::1", 623, ""},
		{"[::1]", "::1", 623, ""},
		{"", "", 0, "empty"},
		{"https://bmc", "", 0, "is a URL"},
		{"bmc:0", "", 0, "not 1 to 65535"},
		{"bmc:http", "", 0, "not 1 to 65535"},
		{":623", "", 0, "no host"},
	} {
		host, port, err := ParseAddress(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), "host:port") {
				t.Errorf("ParseAddress(%q) = %v; want an error with %q that shows the form", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || host != tt.host || port != tt.port {
			t.Errorf("ParseAddress(%q) = %q, %d, %v; want %q, %d", tt.in, host, port, err, tt.host, tt.port)
		}
	}
}

// A BMC that does not answer is told as such, with what to check, and
// without the password.
func TestDialNoBMC(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close() // nothing listens there now
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const secret = "s3cret-Pa55word"
	_, err = Dial(ctx, addr, bmc.Credentials{Username: "admin", Password: secret})
	if !errors.Is(err, bmc.ErrUnreachable) || !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), "UDP port") ||
		strings.Contains(err.Error(), secret) {
		t.Errorf("Dial of no BMC: %v; want %s does not answer, what to check, no password", err, addr)
	}
}

func TestScrubRemovesThePassword(t *testing.T) {
	err := scrub(errors.New("login pw=hunter22 failed"), bmc.Credentials{Username: "u", Password: "hunter22"})
	if err.Error() != "login pw=[redacted] failed" {
		t.Errorf("scrub = %q", err)
	}
}

// A BMC that takes the packets and never answers is told as such once
// every try has timed out, long before the caller's own deadline.
func TestDialSilentBMC(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = Dial(ctx, pc.LocalAddr().String(), bmc.Credentials{Username: "admin", Password: "pw"})
	if !errors.Is(err, bmc.ErrUnreachable) || !strings.Contains(err.Error(), "no answer on UDP port") || ctx.Err() != nil {
		t.Errorf("Dial of a silent BMC: %v (context: %v); want no answer, before the context's end", err, ctx.Err())
	}
}

// A Dial that fails closes its socket: a drill refused many times, or
// a long-running process, does not leak one per try.
func TestAFailedDialLeavesNoSocket(t *testing.T) {
	fds := func() int {
		e, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skip("no /proc/self/fd to count open files")
		}
		return len(e)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	before := fds()
	for range 10 {
		if _, err := Dial(context.Background(), addr, bmc.Credentials{Username: "admin", Password: "pw"}); err == nil {
			t.Fatal("Dial of no BMC succeeded")
		}
	}
	if after := fds(); after > before {
		t.Errorf("%d files open after 10 failed Dials, %d before; want none left open", after, before)
	}
}

// serveBMC serves go-ipmi's own BMC on loopback until t ends, with the
// user admin (password pw) allowed at most priv on the LAN channel, and
// each command of refuse answering with its completion code; it returns
// its address.
func serveBMC(t *testing.T, priv gobmc.PrivilegeLevel, refuse map[types.Command]types.CompletionCode) string {
	t.Helper()
	conn, err := udp.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	bm := gobmc.New(gobmc.DeviceInfo{DeviceID: 0x20, DeviceRevision: 1, FirmwareMajor: 1, IPMIVersion: 0x20},
		[16]byte{1, 2, 3}, mock.New(), gobmc.WithClock(clock.Real))
	u, err := bm.Users.Add(2, "admin")
	if err != nil {
		t.Fatal(err)
	}
	u.SetPassword([]byte("pw"))
	u.Enabled = true
	u.ChannelAccess[1] = gobmc.UserChannelAccess{MaxPrivilege: priv, Enabled: true}
	reg := handlers.NewRegistry()
	handlers.RegisterAllHandlers(reg)
	for cmd, cc := range refuse {
		reg.RegisterFunc(cmd, func(context.Context, *handlers.HandlerContext, []byte) ([]byte, types.CompletionCode, error) {
			return nil, cc, nil
		})
	}
	srv := server.NewServer(bm, conn, server.WithHandlerRegistry(reg), server.WithV15Disabled())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = srv.Serve(ctx); close(done) }()
	t.Cleanup(func() { cancel(); _ = srv.Close(); <-done })
	return conn.LocalAddr().String()
}

// TestPrivilegeRefusalsAreLoginErrors: a BMC that refuses the privilege
// a power control needs is told as a refusal of the credentials
// (bmc.ErrLogin, as Redfish's 403), whether it refuses it in RAKP (by an
// RMCP+ status, matched by text), when the session asks for
// Administrator (Set Session Privilege Level's 81h) or at Chassis Control
// (D4h), both by completion code.
func TestPrivilegeRefusalsAreLoginErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin := bmc.Credentials{Username: "admin", Password: "pw"}
	for _, tt := range []struct {
		name   string
		priv   gobmc.PrivilegeLevel
		refuse map[types.Command]types.CompletionCode
	}{
		{"an operator, in RAKP", gobmc.PrivilegeLevelOperator, nil},
		{"Administrator above the limit", gobmc.PrivilegeLevelAdministrator,
			map[types.Command]types.CompletionCode{types.CommandSetSessionPrivilegeLevel: codeLevelAboveLimit}},
	} {
		_, err := Dial(ctx, serveBMC(t, tt.priv, tt.refuse), admin)
		if !errors.Is(err, bmc.ErrLogin) || !strings.Contains(err.Error(), "Administrator") {
			t.Errorf("Dial as %s: %v; want bmc.ErrLogin naming the privilege", tt.name, err)
		}
	}
	x, err := Dial(ctx, serveBMC(t, gobmc.PrivilegeLevelAdministrator,
		map[types.Command]types.CompletionCode{types.CommandChassisControl: types.CodeInsufficientPrivilege}), admin)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if err := x.ForceOff(ctx); !errors.Is(err, bmc.ErrLogin) || errors.Is(err, bmc.ErrUnreachable) {
		t.Errorf("power down refused with D4h: %v; want bmc.ErrLogin", err)
	}
}
