package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vtui/vtui/vsphere/sim"
)

// TestCredentialsEndToEnd runs vtui against a simulator that enforces its
// password, through the same settings, password routing and TLS checks a
// real vCenter gets: each password source logs in where it belongs, is
// withheld elsewhere, a wrong one is refused by the server, and a wrong
// pin is refused before any password is sent.
func TestCredentialsEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a simulator")
	}
	const password, wrong = "the-right-one", "a-wrong-one"
	spec, err := sim.Preset("small")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sim.Start(context.Background(), spec, sim.Options{Username: "u", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	url, pin, badPin := srv.URL.String(), srv.Thumbprint, strings.Repeat("AB:", 31)+"AB"
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	writeFile(t, cfg, fmt.Sprintf(`contexts:
  sim: {url: %q, username: u, password-env: SIM_PW, thumbprint: %q}
  badpin: {url: %q, username: u, password-env: SIM_PW, thumbprint: %q}
`, url, pin, url, badPin), 0o600)
	govc := fakeEnv{"GOVC_URL": url, "GOVC_USERNAME": "u", "GOVC_PASSWORD": password, "VTUI_THUMBPRINT": pin}

	tests := []struct {
		name   string
		args   []string
		env    fakeEnv
		code   int
		stderr string
	}{
		{"GOVC_PASSWORD to GOVC_URL", nil, govc, exitOK, ""},
		{"GOVC_PASSWORD withheld from --url, though the same server", []string{"--url", url, "--username", "u"}, govc, exitUsage,
			"GOVC_PASSWORD is only sent to GOVC_URL"},
		{"VTUI_PASSWORD to --url", []string{"--url", url, "--username", "u", "--thumbprint", pin}, fakeEnv{"VTUI_PASSWORD": password}, exitOK, ""},
		{"a wrong VTUI_PASSWORD is refused by the server", []string{"--url", url, "--username", "u", "--thumbprint", pin}, fakeEnv{"VTUI_PASSWORD": wrong},
			exitFailed, "login to 127.0.0.1"},
		{"a context's password-env beats VTUI_PASSWORD", []string{"--config", cfg, "--context", "sim"}, fakeEnv{"SIM_PW": password, "VTUI_PASSWORD": wrong},
			exitOK, ""},
		{"a context's pin beats a stray VTUI_INSECURE", []string{"--config", cfg, "--context", "sim"}, fakeEnv{"SIM_PW": password, "VTUI_INSECURE": "true"},
			exitOK, "VTUI_INSECURE is ignored: the certificate is verified with the thumbprint from context sim"},
		{"a wrong pin is refused", []string{"--config", cfg, "--context", "badpin"}, fakeEnv{"SIM_PW": password}, exitFailed,
			"does not match the pinned thumbprint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runTest(t, append([]string{"get", "clusters", "-o", "json"}, tt.args...), tt.env)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("args %q env %v: exit %d, stderr %q; want %d and %q", tt.args, tt.env, r.code, r.stderr, tt.code, tt.stderr)
			}
			if loggedIn := strings.Contains(r.stdout, `"name": "cluster-a"`); loggedIn != (tt.code == exitOK) {
				t.Errorf("args %q env %v: stdout %q; want the clusters only on exit 0", tt.args, tt.env, r.stdout)
			}
			if strings.Contains(r.stdout+r.stderr, password) || strings.Contains(r.stdout+r.stderr, wrong) {
				t.Errorf("args %q env %v: output shows a password:\nstdout %q\nstderr %q", tt.args, tt.env, r.stdout, r.stderr)
			}
		})
	}
}
