package main

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vtui/vtui/cmd/internal/config/configtest"
	"github.com/vtui/vtui/internal/kinds"
	"github.com/vtui/vtui/vsphere/sim"
)

// TestGetAllContextsGivesPartialResults runs vtui get --all-contexts
// against six contexts: two simulators that answer, a third that stops
// answering once it has logged vtui in (mid-query), a vCenter that is
// down, a context with no password and one with a wrong one. The rows of
// the first two come out, tagged and grouped by context; each of the
// other four gets its own error on stderr, saying which context, where
// and what to do; vtui exits 1, and the stalled context costs --timeout,
// not the command.
func TestGetAllContextsGivesPartialResults(t *testing.T) {
	if testing.Short() {
		t.Skip("starts simulators")
	}
	a, b := startSimulator(t, "u", "pw-a"), startSimulator(t, "u", "pw-b")
	stalled := stallAfterLogin(t, startSimulator(t, "u", "pw-c"))
	down := downURL(t)
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	configtest.WriteFile(t, cfg, fmt.Sprintf(`contexts:
  a: {url: %q, username: u, password-env: PW_A, thumbprint: %q}
  b: {url: %q, username: u, password-env: PW_B, thumbprint: %q}
  c-stalls: {url: %q, username: u, password-env: PW_C, thumbprint: %q}
  d-down: {url: %q, username: u, password-env: PW_A}
  e-nopassword: {url: %q, username: nobody, thumbprint: %q}
  f-wrongpassword: {url: %q, username: u, password-env: PW_B, thumbprint: %q}
`, a.URL, a.Thumbprint, b.URL, b.Thumbprint, stalled.url, stalled.thumbprint, down, a.URL, a.Thumbprint, a.URL, a.Thumbprint), 0o600)
	env := configtest.Env{"PW_A": "pw-a", "PW_B": "pw-b", "PW_C": "pw-c"}

	start := time.Now()
	r := runTest(t, []string{"--config", cfg, "get", "vms", "--all-contexts", "--timeout", "5s", "-o", "json"}, env)
	took := time.Since(start)
	if r.code != exitFailed {
		t.Errorf("exit %d; want %d (partial)\nstderr: %s", r.code, exitFailed, r.stderr)
	}
	if took > 30*time.Second {
		t.Errorf("took %s with --timeout 5s: the stalled context held up the command", took)
	}
	if stalled.held.Load() == 0 {
		t.Error("the stalled context answered nothing after the login was let through; the test proves nothing")
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatalf("stdout is not a JSON array: %v\n%s", err, r.stdout)
	}
	// Each context's rows are what vtui get prints for it alone, with its
	// name first.
	var want []map[string]any
	for _, name := range []string{"a", "b"} {
		one := runTest(t, []string{"--config", cfg, "--context", name, "get", "vms", "-o", "json"}, env)
		var got []map[string]any
		if err := json.Unmarshal([]byte(one.stdout), &got); err != nil || one.code != exitOK || len(got) == 0 {
			t.Fatalf("--context %s: exit %d, %v\n%s", name, one.code, err, one.stderr)
		}
		for _, row := range got {
			row["context"] = name
		}
		want = append(want, got...)
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("--all-contexts rows are not a's rows then b's, tagged:\n got %v\nwant %v\nstderr: %s", rows, want, r.stderr)
	}
	var order []string
	for _, row := range rows {
		if ctx, _ := row["context"].(string); len(order) == 0 || order[len(order)-1] != ctx {
			order = append(order, ctx)
		}
	}
	if !slices.Equal(order, []string{"a", "b"}) {
		t.Errorf("contexts in the order %q; want the rows grouped: a's, then b's", order)
	}
	if !strings.HasPrefix(r.stdout, "[\n  {\n    \"context\": \"a\",\n") {
		t.Errorf("the output starts %.40q; want the first row's context first", r.stdout)
	}
	for _, want := range []string{
		"vtui: context c-stalls (" + stalled.url + "): load inventory from ",
		"no answer within 5s: context deadline exceeded; check that vCenter, or give it more than --timeout 5s",
		"vtui: context d-down (" + down + "): cannot reach ",
		"connection refused; check the url of context d-down and that its vCenter is up",
		`vtui: context e-nopassword (` + a.URL.String() + `): no password for nobody`,
		`set password-env or password-file in context "e-nopassword"`,
		"vtui: context f-wrongpassword (" + a.URL.String() + "): login to " + a.URL.Host + " as u failed: incorrect user name or password; check the username and the password source of context f-wrongpassword",
		"vtui: partial result: 4 of 6 contexts did not answer (c-stalls, d-down, e-nopassword, f-wrongpassword)",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}

	// The table: a CONTEXT column first, the kind's columns after it.
	r = runTest(t, []string{"--config", cfg, "get", "clusters", "-A", "--timeout", "5s"}, env)
	lines := strings.Split(r.stdout, "\n")
	if r.code != exitFailed || !strings.HasPrefix(lines[0], "CONTEXT") || !strings.Contains(lines[0], "NAME") || !strings.HasPrefix(lines[1], "a ") {
		t.Errorf("exit %d, table:\n%s\nwant 1 and a CONTEXT column first, a's rows first", r.code, r.stdout)
	}
}

// stalled is a vCenter behind a proxy that lets the login through, then
// holds every later request until the client gives up.
type stalled struct {
	url, thumbprint string
	held            *atomic.Int32 // requests held so far
}

// stallAfterLogin puts srv behind a TLS proxy of its own (its certificate
// pinned by thumbprint, as a user would) that stops answering once a
// Login has gone through.
func stallAfterLogin(t *testing.T, srv *sim.Server) stalled {
	t.Helper()
	var loggedIn atomic.Bool
	held := new(atomic.Int32)
	release := make(chan struct{})
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: srv.URL.Scheme, Host: srv.URL.Host})
	rp.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} // to the simulator on loopback
	proxy := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if loggedIn.Load() {
			held.Add(1)
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rp.ServeHTTP(w, r)
		if bytes.Contains(body, []byte("<Login")) {
			loggedIn.Store(true)
		}
	}))
	proxy.StartTLS()
	t.Cleanup(proxy.Close)
	t.Cleanup(func() { close(release) }) // runs first: no handler holds Close up
	sum := sha256.Sum256(proxy.Certificate().Raw)
	hexes := make([]string, len(sum))
	for i, c := range sum {
		hexes[i] = fmt.Sprintf("%02X", c)
	}
	return stalled{url: proxy.URL + "/sdk", thumbprint: strings.Join(hexes, ":"), held: held}
}

// downURL is the URL of a vCenter that is down: nothing listens on its
// loopback port.
func downURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "https://" + addr + "/sdk"
}

// TestGetAllContextsRefusesBadInput: flags that pick one vCenter, bounds
// that bound nothing, a bad pattern and a config file without contexts
// are bad input (exit 2), refused before any context is asked.
func TestGetAllContextsRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	cfg, empty := filepath.Join(dir, "config.yaml"), filepath.Join(dir, "empty.yaml")
	configtest.WriteFile(t, cfg, "contexts:\n  a: {url: 127.0.0.1:1, username: u, password-env: PW}\n", 0o600)
	configtest.WriteFile(t, empty, "contexts: {}\n", 0o600)
	tests := []struct {
		args   []string
		stderr string
	}{
		{[]string{"--config", cfg, "--context", "a", "get", "vms", "--all-contexts"}, "--context picks one vCenter; --all-contexts asks every context"},
		{[]string{"--config", cfg, "--simulator", "get", "vms", "-A"}, "--simulator picks one vCenter"},
		{[]string{"--config", cfg, "--url", "vc01", "get", "vms", "-A"}, "--url picks one vCenter"},
		{[]string{"--config", cfg, "get", "vms", "--timeout", "5s"}, "--timeout applies with --all-contexts only"},
		{[]string{"--config", cfg, "get", "vms", "--concurrency", "2"}, "--concurrency applies with --all-contexts only"},
		{[]string{"--config", cfg, "get", "vms", "-A", "--timeout", "0s"}, "--timeout must be positive"},
		{[]string{"--config", cfg, "get", "vms", "-A", "--concurrency", "0"}, "--concurrency must be at least 1"},
		{[]string{"--config", cfg, "get", "vms", "-A", "web-["}, `invalid name pattern "web-["`},
		{[]string{"--config", empty, "get", "vms", "-A"}, "--all-contexts asks every context of the config file, and " + empty + " has none"},
		{[]string{"get", "vms", "-A"}, "has none: add contexts to it"},
	}
	for _, tt := range tests {
		r := runTest(t, tt.args, configtest.Env{"PW": "x"})
		if r.code != exitUsage || !strings.Contains(r.stderr, tt.stderr) || r.stdout != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want %d and %q", tt.args, r.code, r.stdout, r.stderr, exitUsage, tt.stderr)
		}
	}
}

// TestGetAllContextsResumesACachedSession: a context with no password
// source fails in --all-contexts, saying how to give it one, rather than
// prompting; once a run on its own has logged in (the password typed on a
// terminal, here VTUI_PASSWORD), --all-contexts resumes that session.
func TestGetAllContextsResumesACachedSession(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a simulator")
	}
	srv := startSimulator(t, "u", "typed-once")
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	configtest.WriteFile(t, cfg, fmt.Sprintf("contexts:\n  lab: {url: %q, username: u, thumbprint: %q}\n", srv.URL, srv.Thumbprint), 0o600)
	cacheDir := t.TempDir()
	run := func(env configtest.Env, args ...string) result {
		t.Helper()
		sys := testSys(t, env)
		sys.cacheDir = cacheDir
		return runSys(t, append([]string{"--config", cfg, "get", "clusters", "-o", "json"}, args...), sys)
	}
	if r := run(nil, "-A"); r.code != exitFailed || !strings.Contains(r.stderr, `vtui: context lab (`+srv.URL.String()+`): no password for u`) || r.stdout != "[]\n" {
		t.Fatalf("before any login: exit %d, stdout %q, stderr %q; want 1, [] and lab's error", r.code, r.stdout, r.stderr)
	}
	if r := run(configtest.Env{"VTUI_PASSWORD": "typed-once"}, "--context", "lab"); r.code != exitOK {
		t.Fatalf("the login on its own: exit %d, stderr %q", r.code, r.stderr)
	}
	r := run(nil, "--all-contexts")
	if r.code != exitOK || !strings.Contains(r.stdout, `"context": "lab"`) || r.stderr != "" {
		t.Errorf("after it: exit %d, stdout %q, stderr %q; want 0 and lab's rows", r.code, r.stdout, r.stderr)
	}
}

// TestGetAllContextsEveryKind walks the registry across two simulators:
// every kind lists with --all-contexts, each row a JSON object with
// "context" first and then exactly the kind's fields, or a YAML item
// whose first key is context; inventory kinds have rows of both contexts.
func TestGetAllContextsEveryKind(t *testing.T) {
	if testing.Short() {
		t.Skip("starts simulators")
	}
	var lines []string
	for _, name := range []string{"a", "b"} {
		srv := startPreset(t, "demo", "u", "pw-"+name) // the small preset has no snapshots
		lines = append(lines, fmt.Sprintf("  %s: {url: %q, username: u, password-env: PW_%s, thumbprint: %q}", name, srv.URL, strings.ToUpper(name), srv.Thumbprint))
	}
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	configtest.WriteFile(t, cfg, "contexts:\n"+strings.Join(lines, "\n")+"\n", 0o600)
	env := configtest.Env{"PW_A": "pw-a", "PW_B": "pw-b"}
	for _, k := range kinds.All() {
		t.Run(k.Name, func(t *testing.T) {
			r := runTest(t, []string{"--config", cfg, "get", k.Name, "-A", "-o", "json"}, env)
			var rows []map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || r.code != exitOK {
				t.Fatalf("exit %d, %v, stderr %q", r.code, err, r.stderr)
			}
			if n := strings.Count(r.stdout, "{\n    \"context\": "); n != len(rows) {
				t.Errorf("%d of %d rows start with their context", n, len(rows))
			}
			seen := map[string]bool{}
			for _, row := range rows {
				ctx, _ := row["context"].(string)
				seen[ctx] = true
				for _, f := range k.JSON {
					if _, ok := row[f]; !ok && !(k.Stream && (f == "started" || f == "completed")) {
						t.Errorf("a row without %q: %v", f, row)
					}
				}
				if len(row) > len(k.JSON)+1 {
					t.Errorf("a row with fields beyond context and %q: %v", k.JSON, row)
				}
			}
			if want := map[string]bool{"a": true, "b": true}; !k.Stream && !reflect.DeepEqual(seen, want) {
				t.Errorf("rows of the contexts %v; want a and b", seen)
			}
		})
	}
	r := runTest(t, []string{"--config", cfg, "get", "clusters", "-A", "-o", "yaml"}, env)
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "- context: a\n  id: ") || !strings.Contains(r.stdout, "\n- context: b\n") {
		t.Errorf("YAML: exit %d:\n%s\nwant items whose first key is context", r.code, r.stdout)
	}
}
