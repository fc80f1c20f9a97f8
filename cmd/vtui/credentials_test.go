package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vtui/vtui/cmd/internal/config/configtest"
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
	srv := startSimulator(t, "u", password)
	url, pin, badPin := srv.URL.String(), srv.Thumbprint, strings.Repeat("AB:", 31)+"AB"
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	configtest.WriteFile(t, cfg, fmt.Sprintf(`contexts:
  sim: {url: %q, username: u, password-env: SIM_PW, thumbprint: %q}
  badpin: {url: %q, username: u, password-env: SIM_PW, thumbprint: %q}
`, url, pin, url, badPin), 0o600)
	govc := configtest.Env{"GOVC_URL": url, "GOVC_USERNAME": "u", "GOVC_PASSWORD": password, "VTUI_THUMBPRINT": pin}

	tests := []struct {
		name   string
		args   []string
		env    configtest.Env
		code   int
		stderr string
	}{
		{"GOVC_PASSWORD to GOVC_URL", nil, govc, exitOK, ""},
		{"GOVC_PASSWORD withheld from --url, though the same server", []string{"--url", url, "--username", "u"}, govc, exitUsage,
			"GOVC_PASSWORD is only sent to GOVC_URL"},
		{"VTUI_PASSWORD to --url", []string{"--url", url, "--username", "u", "--thumbprint", pin}, configtest.Env{"VTUI_PASSWORD": password}, exitOK, ""},
		{"a wrong VTUI_PASSWORD is refused by the server", []string{"--url", url, "--username", "u", "--thumbprint", pin}, configtest.Env{"VTUI_PASSWORD": wrong},
			exitFailed, "login to 127.0.0.1"},
		{"a context's password-env beats VTUI_PASSWORD", []string{"--config", cfg, "--context", "sim"}, configtest.Env{"SIM_PW": password, "VTUI_PASSWORD": wrong},
			exitOK, ""},
		{"a context's pin beats a stray VTUI_INSECURE", []string{"--config", cfg, "--context", "sim"}, configtest.Env{"SIM_PW": password, "VTUI_INSECURE": "true"},
			exitOK, "VTUI_INSECURE is ignored: the certificate is verified with the thumbprint from context sim"},
		{"GOVC_INSECURE does not turn off verification for --url", []string{"--url", url, "--username", "u"},
			configtest.Env{"GOVC_URL": url, "GOVC_INSECURE": "1", "VTUI_PASSWORD": password}, exitFailed, "is not trusted"},
		{"a wrong pin is refused", []string{"--config", cfg, "--context", "badpin"}, configtest.Env{"SIM_PW": password}, exitFailed,
			"does not match the pinned thumbprint"},
		{"an unset password-env is bad input, its context named once", []string{"--config", cfg, "--context", "sim"}, nil, exitUsage,
			"vtui: context \"sim\": password-env names SIM_PW, which is not set\n"},
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

// TestURLPasswordNeverShown: a password inside a URL, malformed or not,
// from --url, VTUI_URL, GOVC_URL or a context, shows nowhere: not on
// stdout, stderr or in the log. A malformed one is bad input (exit 2).
func TestURLPasswordNeverShown(t *testing.T) {
	const secret = "s3cr3t-in-url"
	malformed := []string{
		"https://u:" + secret + "@[::1",
		"https://u:" + secret + "/x@vc01",
		"https://u:1/" + secret + "@vc01",
		"https://u:" + secret + " x@vc01/sdk",
		"u:" + secret + "@vc01:port",
	}
	sources := map[string]func(url, cfg string) ([]string, configtest.Env){
		"--url": func(url, _ string) ([]string, configtest.Env) { return []string{"--url", url, "--username", "u"}, nil },
		"VTUI_URL": func(url, _ string) ([]string, configtest.Env) {
			return nil, configtest.Env{"VTUI_URL": url, "VTUI_USERNAME": "u"}
		},
		"GOVC_URL": func(url, _ string) ([]string, configtest.Env) {
			return nil, configtest.Env{"GOVC_URL": url, "GOVC_USERNAME": "u"}
		},
		"a context": func(_, cfg string) ([]string, configtest.Env) { return []string{"--config", cfg}, nil },
	}
	check := func(t *testing.T, input string, args []string, env configtest.Env, code int) {
		t.Helper()
		logFile := filepath.Join(t.TempDir(), "vtui.log")
		r := runTest(t, append([]string{"get", "clusters", "--log-file", logFile, "--connect-timeout", "2s"}, args...), env)
		log, _ := os.ReadFile(logFile)
		if r.code != code {
			t.Errorf("%s: exit %d (stderr %q); want %d", input, r.code, r.stderr, code)
		}
		if strings.Contains(r.stdout+r.stderr+string(log), secret) {
			t.Errorf("%s shows the password:\nstdout %q\nstderr %q\nlog %q", input, r.stdout, r.stderr, log)
		}
	}
	for name, source := range sources {
		for _, url := range malformed {
			cfg := filepath.Join(t.TempDir(), "config.yaml")
			configtest.WriteFile(t, cfg, fmt.Sprintf("current-context: lab\ncontexts:\n  lab: {url: %q, username: u}\n", url), 0o600)
			args, env := source(url, cfg)
			check(t, fmt.Sprintf("URL %q from %s", url, name), args, env, exitUsage)
		}
	}
	// A well-formed one, as govc takes it, to a server that is not there:
	// the connection is tried and logged, without the password.
	check(t, "GOVC_URL with a password, no server", nil, configtest.Env{"GOVC_URL": "https://u:" + secret + "@127.0.0.1:1/sdk"}, exitFailed)
}

// TestEveryURLSourceRefusesABadURL: whichever layer the URL comes from
// (--url, VTUI_URL, a context of the config file, GOVC_URL), an http URL
// is refused as clear text, with a TLS setting as a contradiction too,
// and a URL that does not parse as invalid, each naming its source, with
// exit 2 and before the missing user name is mentioned or anything is
// sent.
func TestEveryURLSourceRefusesABadURL(t *testing.T) {
	const clearText = "http would send the password in clear text; use https://vc01/sdk"
	for _, tt := range []struct {
		url, tls, want string
	}{
		{"http://vc01/sdk", "", `invalid vCenter URL "http://vc01/sdk": ` + clearText},
		{"http://vc01/sdk", "--insecure", "is an http URL and --insecure is a TLS setting: they contradict each other; invalid vCenter URL " + `"http://vc01/sdk": ` + clearText},
		{"http://vc01/sdk", "--thumbprint=" + strings.Repeat("ab", 32), "is an http URL and --thumbprint is a TLS setting: they contradict each other"},
		{"htt ps://vc01/sdk", "", `invalid vCenter URL "htt ps://vc01/sdk": invalid character " " in host name`},
		{"ftp://vc01/sdk", "", `invalid vCenter URL "ftp://vc01/sdk": scheme "ftp": use https`},
	} {
		for _, src := range []string{"--url", "VTUI_URL", "context lab", "GOVC_URL"} {
			args := []string{"get", "hosts", "--config="}
			env := configtest.Env{}
			switch src {
			case "--url":
				args = append(args, "--url", tt.url)
			case "VTUI_URL", "GOVC_URL":
				env[src] = tt.url
			case "context lab":
				cfg := filepath.Join(t.TempDir(), "config.yaml")
				configtest.WriteFile(t, cfg, "current-context: lab\ncontexts:\n  lab:\n    url: "+tt.url+"\n", 0o600)
				args[2] = "--config=" + cfg
			}
			if tt.tls != "" {
				args = append(args, tt.tls)
			}
			r := runTest(t, args, env)
			want := "vtui: " + src + ": " + tt.want
			if strings.HasPrefix(tt.want, "is an") {
				want = "vtui: " + src + " " + tt.want
			}
			if r.code != exitUsage || !strings.HasPrefix(r.stderr, want) {
				t.Errorf("URL %q from %s, %q: exit %d, stderr %q; want exit 2 and %q", tt.url, src, tt.tls, r.code, r.stderr, want)
			}
		}
	}
}

// startSimulator starts the small preset with the given user and password,
// closed when the test ends.
func startSimulator(t *testing.T, user, password string) *sim.Server {
	t.Helper()
	return startPreset(t, "small", user, password)
}

// startPreset starts the named preset with the given user and password,
// closed when the test ends.
func startPreset(t *testing.T, preset, user, password string) *sim.Server {
	t.Helper()
	spec, err := sim.Preset(preset)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sim.Start(context.Background(), spec, sim.Options{Username: user, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}
