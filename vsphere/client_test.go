package vsphere

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi/simulator/sim25"
	"github.com/vmware/govmomi/vim25/soap"

	"github.com/vtui/vtui/vsphere/sim"
)

const (
	testUser     = "admin@vsphere.local"
	testPassword = "s3cret-Passw0rd!"
)

// testServer starts the small simulator preset on a loopback TLS port with
// enforced credentials, and returns a Config that trusts it by thumbprint.
func testServer(t testing.TB) (Config, *x509.Certificate) {
	t.Helper()
	srv := startSim(t, "small")
	return configFor(srv), srv.Certificate()
}

func startSim(t testing.TB, preset string) *sim.Server {
	t.Helper()
	return startSimWith(t, preset, sim.Options{})
}

// startSimWith starts a preset with opts, as the test user.
func startSimWith(t testing.TB, preset string, opts sim.Options) *sim.Server {
	t.Helper()
	spec, err := sim.Preset(preset)
	if err != nil {
		t.Fatal(err)
	}
	opts.Username, opts.Password = testUser, testPassword
	srv, err := sim.Start(context.Background(), spec, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

func configFor(srv *sim.Server) Config {
	return Config{
		URL:        srv.URL.Host,
		Username:   srv.Username,
		Password:   srv.Password,
		Thumbprint: srv.Thumbprint,
		Timeout:    10 * time.Second,
	}
}

// connectSim starts a preset and returns a client logged in to it.
func connectSim(t testing.TB, preset string) (*Client, *sim.Server) {
	t.Helper()
	srv := startSim(t, preset)
	c, err := Connect(context.Background(), configFor(srv))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c, srv
}

// settle waits until srv's figures have followed the changes made so far
// (sim.Server.Settle), within a bound only a broken simulator reaches.
func settle(t testing.TB, srv *sim.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Settle(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestConnectPinnedThumbprintSucceeds(t *testing.T) {
	cfg, cert := testServer(t)
	for _, tp := range []string{
		soap.ThumbprintSHA256(cert),
		strings.ToLower(strings.ReplaceAll(soap.ThumbprintSHA1(cert), ":", "")),
	} {
		cfg.Thumbprint = tp
		c, err := Connect(context.Background(), cfg)
		if err != nil {
			t.Fatalf("Connect with thumbprint %s: %v", tp, err)
		}
		if c.User() != testUser {
			t.Errorf("User() = %q; want %q", c.User(), testUser)
		}
		if err := c.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
}

func TestConnectInsecureSucceeds(t *testing.T) {
	cfg, _ := testServer(t)
	cfg.Thumbprint, cfg.Insecure = "", true
	c, err := Connect(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Connect --insecure: %v", err)
	}
	_ = c.Close(context.Background())
}

func TestConnectBadPasswordNamesHostAndUserButNotPassword(t *testing.T) {
	cfg, _ := testServer(t)
	cfg.Password = "wrong-" + testPassword
	_, err := Connect(context.Background(), cfg)
	var le *LoginError
	if !errors.As(err, &le) {
		t.Fatalf("err = %v (%T); want *LoginError", err, err)
	}
	want := "login to " + cfg.URL + " as " + testUser + " failed: incorrect user name or password"
	if err.Error() != want {
		t.Errorf("err = %q; want %q", err, want)
	}
	if strings.Contains(err.Error(), cfg.Password) || strings.Contains(err.Error(), testPassword) {
		t.Errorf("error leaks the password: %q", err)
	}
}

func TestConnectUntrustedCertificateShowsThumbprintsAndFlag(t *testing.T) {
	cfg, cert := testServer(t)
	cfg.Thumbprint = ""
	_, err := Connect(context.Background(), cfg)
	var ce *UntrustedCertError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v (%T); want *UntrustedCertError", err, err)
	}
	sha256 := soap.ThumbprintSHA256(cert)
	for _, want := range []string{sha256, soap.ThumbprintSHA1(cert), "--thumbprint " + sha256, "--insecure"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestConnectWrongPinnedThumbprintIsRefused(t *testing.T) {
	cfg, cert := testServer(t)
	cfg.Thumbprint = strings.Repeat("AB:", 31) + "AB"
	_, err := Connect(context.Background(), cfg)
	var ce *UntrustedCertError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v (%T); want *UntrustedCertError", err, err)
	}
	if ce.Pinned != cfg.Thumbprint || ce.SHA256 != soap.ThumbprintSHA256(cert) {
		t.Errorf("got pinned %q sha256 %q; want %q and the server's", ce.Pinned, ce.SHA256, cfg.Thumbprint)
	}
	if !strings.Contains(err.Error(), "does not match the pinned thumbprint") {
		t.Errorf("error %q does not say the pin mismatched", err)
	}
}

func TestConnectUnreachablePortNamesAddressAndTimeout(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	_, err = Connect(context.Background(), Config{URL: addr, Username: "u", Password: "p", Timeout: 2 * time.Second})
	var ue *UnreachableError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v (%T); want *UnreachableError", err, err)
	}
	for _, want := range []string{addr, "2s", "refused"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: "vc01", want: "https://vc01/sdk"},
		{in: "vc01.example.com:8443", want: "https://vc01.example.com:8443/sdk"},
		{in: "https://vc01/sdk", want: "https://vc01/sdk"},
		{in: "https://vc01/", want: "https://vc01/sdk"},
		{in: "", err: "no vCenter URL"},
		{in: "https://root:pw@vc01", err: "not in the URL"},
		{in: "ftp://vc01", err: `invalid vCenter URL "ftp://vc01": scheme "ftp": use https`},
		{in: "htt ps://vc01/sdk", err: `invalid vCenter URL "htt ps://vc01/sdk": invalid character " " in host name`},
		{in: "https://vc01:x/sdk", err: `invalid vCenter URL "https://vc01:x/sdk": invalid port ":x" after host`},
		// Checked here, not found out by a connection that cannot be made.
		{in: "https://:8443", err: `invalid vCenter URL "https://:8443": no host name`},
		{in: "vc01:99999", err: `invalid vCenter URL "vc01:99999": port "99999" is not a number from 1 to 65535`},
		{in: "https://[::1]:70000/sdk", err: `port "70000" is not a number from 1 to 65535`},
		{in: "vc01:0", err: `port "0" is not`},
		{in: "https://vc01:/sdk", err: `port "" is not`},
		{in: "https:", err: `invalid vCenter URL "https:": port "" is not`},
		{in: "[::1]:443", want: "https://[::1]:443/sdk"},
		// http would send the password in clear text: refused, on loopback too.
		{in: "http://vc01:80", err: `invalid vCenter URL "http://vc01:80": http would send the password in clear text; use https://vc01:80/sdk`},
		{in: "HTTP://vc01/sdk", err: "http would send the password in clear text; use https://vc01/sdk"},
		{in: "http://127.0.0.1:8989/sdk", err: "http would send the password in clear text; use https://127.0.0.1:8989/sdk"},
		{in: "http://[::1]/sdk", err: "http would send the password in clear text"},
		{in: "http://localhost", err: "http would send the password in clear text; use https://localhost/sdk"},
		// A URL that does not parse never echoes its user information.
		{in: "https://admin:s3cr%zzet@vc01:x", err: `invalid vCenter URL "https://***@vc01:x": it does not parse`},
		{in: "https://admin:s3cr/et@vc01", err: `invalid vCenter URL "https://***@vc01"`},
		{in: "admin:s3cret@vc01:99999", err: `invalid vCenter URL "***@vc01:99999"`},
	}
	for _, tt := range tests {
		u, err := ParseURL(tt.in)
		if err != nil && strings.Contains(err.Error(), "s3cr") {
			t.Errorf("ParseURL(%q) error %q shows the password", tt.in, err)
		}
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseURL(%q) err = %v; want one containing %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || u.String() != tt.want {
			t.Errorf("ParseURL(%q) = %v, %v; want %s", tt.in, u, err, tt.want)
		}
	}
}

func TestRedactURL(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"https://vc01/sdk", "https://vc01/sdk"},
		{"https://u:p@vc01/sdk", "https://***@vc01/sdk"},
		{"u:p@vc01", "***@vc01"},
		{"https://u:p@ss@vc01", "https://***@vc01"},
		{"https://u:p/a%zz@vc01:bad", "https://***@vc01:bad"},
		{"", ""},
	} {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestExpiredSessionIsRenewedTransparently(t *testing.T) {
	cfg, _ := testServer(t)
	ctx := context.Background()
	// vcsim reads the idle timeout when a session logs in, so set it first
	// from another session.
	admin, err := Connect(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim25.SetSessionTimeout(ctx, admin.vim, 200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	c, err := Connect(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	before, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond) // idle past the timeout: the session expires

	after, err := c.Inventory(ctx)
	if err != nil {
		t.Fatalf("Inventory after the session expired: %v", err)
	}
	if c.Relogins() == 0 {
		t.Errorf("Relogins() = 0; want the expired session renewed")
	}
	if len(after.VMs) != len(before.VMs) || len(after.VMs) == 0 {
		t.Errorf("VMs after re-login = %d; want %d", len(after.VMs), len(before.VMs))
	}
}
