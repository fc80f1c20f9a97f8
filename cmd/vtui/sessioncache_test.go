package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vtui/vtui/cmd/internal/config/configtest"
	"github.com/vtui/vtui/vsphere"
)

// TestSessionCache runs CLI calls against one simulator, as a script
// would: the second call resumes the session the first kept (one login,
// no logout), the cache file is mode 0600 and holds no password,
// --no-session-cache logs in and out, a lost session is replaced by a
// fresh login that rewrites the file, and a file others can read is
// refused.
func TestSessionCache(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a simulator")
	}
	const password = "the-session-password"
	srv := startSimulator(t, "u", password)
	env := configtest.Env{"VTUI_URL": srv.URL.String(), "VTUI_USERNAME": "u", "VTUI_PASSWORD": password, "VTUI_THUMBPRINT": srv.Thumbprint}
	cacheDir := t.TempDir()
	run := func(args ...string) result {
		t.Helper()
		sys := testSys(t, env)
		sys.cacheDir = cacheDir
		return runSys(t, append([]string{"get", "clusters", "-o", "json"}, args...), sys)
	}
	ctx := context.Background()
	observer, err := vsphere.Connect(ctx, vsphere.Config{URL: srv.URL.String(), Username: "u", Password: password, Thumbprint: srv.Thumbprint})
	if err != nil {
		t.Fatal(err)
	}
	defer observer.Close(ctx)
	// sessions counts the logins (but the observer's own) and logouts so far.
	sessions := func() (logins, logouts int) {
		t.Helper()
		events, err := observer.Events(ctx, vsphere.MaxEvents, "UserLoginSessionEvent", "UserLogoutSessionEvent")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			switch e.Type {
			case "UserLoginSessionEvent":
				logins++
			case "UserLogoutSessionEvent":
				logouts++
			}
		}
		return logins - 1, logouts
	}
	step := func(name string, args []string, wantLogins, wantLogouts int) {
		t.Helper()
		if r := run(args...); r.code != exitOK || !strings.Contains(r.stdout, "cluster-a") {
			t.Fatalf("%s: exit %d, stderr %q", name, r.code, r.stderr)
		}
		if logins, logouts := sessions(); logins != wantLogins || logouts != wantLogouts {
			t.Errorf("%s: %d logins and %d logouts so far; want %d and %d", name, logins, logouts, wantLogins, wantLogouts)
		}
	}

	step("first call", nil, 1, 0)
	step("second call resumes the session", nil, 1, 0)
	files, _ := filepath.Glob(filepath.Join(cacheDir, "vtui", "sessions", "*"))
	if len(files) != 1 {
		t.Fatalf("session files %q; want one", files)
	}
	file := files[0]
	info, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	cookie, _ := os.ReadFile(file)
	if info.Mode().Perm() != 0o600 || strings.Contains(string(cookie), password) || strings.Contains(file, srv.URL.Host) {
		t.Errorf("session file %s, mode %#o, holds %q; want mode 0600, a hashed name, the cookie only", file, info.Mode().Perm(), cookie)
	}
	step("--no-session-cache logs in and out", []string{"--no-session-cache"}, 2, 1)

	// A session the server no longer knows: log in afresh, rewrite the file.
	if err := os.WriteFile(file, []byte("a-forgotten-session"), 0o600); err != nil {
		t.Fatal(err)
	}
	step("a forgotten session", nil, 3, 1)
	if again, _ := os.ReadFile(file); string(again) == "a-forgotten-session" || len(again) == 0 {
		t.Errorf("after a forgotten session the file holds %q; want the new session's cookie", again)
	}
	step("the rewritten session resumes", nil, 3, 1)

	// A file others can read is refused, not used.
	if err := os.Chmod(file, 0o644); err != nil {
		t.Fatal(err)
	}
	r := run()
	if r.code != exitFailed || !strings.Contains(r.stderr, "has mode 0644") || !strings.Contains(r.stderr, "--no-session-cache") {
		t.Errorf("a session file of mode 0644: exit %d, stderr %q; want 1 and an error naming the mode and --no-session-cache", r.code, r.stderr)
	}
}

// TestSessionCacheAsksNoPassword: a call that resumes a cached session
// reads no password, so a user with one is not prompted (and a script
// needs no password source); once the session is gone the call asks on
// the terminal, and without one fails naming the ways to give a
// password. No password reaches the output or the log.
func TestSessionCacheAsksNoPassword(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a simulator")
	}
	const password = "the-lazy-password"
	srv := startSimulator(t, "u", password)
	withPassword := configtest.Env{"VTUI_URL": srv.URL.String(), "VTUI_USERNAME": "u", "VTUI_PASSWORD": password, "VTUI_THUMBPRINT": srv.Thumbprint}
	noPassword := configtest.Env{"VTUI_URL": srv.URL.String(), "VTUI_USERNAME": "u", "VTUI_THUMBPRINT": srv.Thumbprint}
	cacheDir, logFile := t.TempDir(), filepath.Join(t.TempDir(), "vtui.log")
	// run makes one call; prompt, if set, is the terminal's answer.
	run := func(env configtest.Env, prompt func() string) (result, int) {
		t.Helper()
		sys := testSys(t, env)
		sys.cacheDir = cacheDir
		asked := 0
		if prompt != nil {
			sys.promptPassword = func(context.Context, string) (string, error) { asked++; return prompt(), nil }
		}
		return runSys(t, []string{"get", "clusters", "-o", "json", "--log-file", logFile}, sys), asked
	}
	noAnswer := func() string { t.Error("asked for the password while a cached session was live"); return "" }

	if r, _ := run(withPassword, nil); r.code != exitOK {
		t.Fatalf("first call: exit %d, stderr %q", r.code, r.stderr)
	}
	if r, asked := run(noPassword, noAnswer); r.code != exitOK || asked != 0 || !strings.Contains(r.stdout, "cluster-a") {
		t.Errorf("a live cached session and no password source: exit %d, asked %d times, stderr %q; want 0, never asked", r.code, asked, r.stderr)
	}
	if r, _ := run(noPassword, nil); r.code != exitOK {
		t.Errorf("a live cached session, no terminal, no password source: exit %d, stderr %q; want 0", r.code, r.stderr)
	}

	files, _ := filepath.Glob(filepath.Join(cacheDir, "vtui", "sessions", "*"))
	if len(files) != 1 {
		t.Fatalf("session files %q; want one", files)
	}
	forget := func() {
		t.Helper()
		if err := os.WriteFile(files[0], []byte("an-expired-session"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	forget()
	if r, asked := run(noPassword, func() string { return password }); r.code != exitOK || asked != 1 {
		t.Errorf("an expired session on a terminal: exit %d, asked %d times, stderr %q; want 0, asked once", r.code, asked, r.stderr)
	}
	if r, asked := run(noPassword, noAnswer); r.code != exitOK || asked != 0 {
		t.Errorf("the session the prompt opened: exit %d, asked %d times; want 0, never asked", r.code, asked)
	}
	forget()
	r, _ := run(noPassword, nil)
	if r.code != exitUsage || !strings.Contains(r.stderr, "the cached session of u at") || !strings.Contains(r.stderr, "has expired") || !strings.Contains(r.stderr, "VTUI_PASSWORD") {
		t.Errorf("an expired session without a terminal: exit %d, stderr %q; want 2, saying the session expired and naming the ways to give a password", r.code, r.stderr)
	}
	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(log), password) || strings.Contains(r.stderr+r.stdout, password) {
		t.Error("the password is in the log or the output")
	}
	if !strings.Contains(string(log), "resumed the cached session") {
		t.Errorf("the log does not say a session was resumed:\n%s", log)
	}
}
