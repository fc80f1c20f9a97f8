package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/vtui/vtui/cmd/internal/config/configtest"
	"github.com/vtui/vtui/ha/drill"
)

// result is what one run of vtui left behind.
type result struct {
	code           int
	stdout, stderr string
}

// runTest runs vtui with args in a fake process: env, a fresh home, and no
// terminal.
func runTest(t *testing.T, args []string, env configtest.Env) result {
	t.Helper()
	return runSys(t, args, testSys(t, env))
}

func testSys(t *testing.T, env configtest.Env) *sysEnv {
	t.Setenv("XDG_STATE_HOME", t.TempDir()) // a drill's default journal is the test's; env may name another
	env.Set(t)
	return &sysEnv{
		stdin:     strings.NewReader(""),
		stdout:    &bytes.Buffer{},
		stderr:    &bytes.Buffer{},
		lookupEnv: os.LookupEnv,
		home:      t.TempDir(),
		cacheDir:  t.TempDir(),
	}
}

func runSys(t *testing.T, args []string, sys *sysEnv) result {
	t.Helper()
	code := execute(context.Background(), args, sys)
	return result{code, sys.stdout.(*bytes.Buffer).String(), sys.stderr.(*bytes.Buffer).String()}
}

// checkErr fails unless err contains every want (or is nil when want is),
// and, when it is not nil, gives exit code 2.
func checkErr(t *testing.T, input string, err error, want []string) {
	t.Helper()
	if configtest.CheckErr(t, input, err, want) && exitCode(err) != exitUsage {
		t.Errorf("%s: error %q gives exit code %d; want %d", input, err, exitCode(err), exitUsage)
	}
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	badConfig := filepath.Join(dir, "bad.yaml")
	configtest.WriteFile(t, badConfig, "contexts:\n  lab:\n    pasword: x\n", 0o600)
	tests := []struct {
		args       []string
		env        configtest.Env
		wantCode   int
		wantStderr []string
	}{
		{[]string{"version"}, nil, exitOK, nil},
		{[]string{"-o", "xml"}, nil, exitUsage, []string{`invalid value "xml" for -o/--output (valid: table, json, yaml)`}},
		{[]string{"version", "-o", "xml"}, nil, exitUsage, []string{"valid: table, json, yaml"}},
		{[]string{"frobnicate"}, nil, exitUsage, []string{`unknown command "frobnicate" for "vtui"`}},
		{[]string{"verison"}, nil, exitUsage, []string{`did you mean "version"?`}},
		{[]string{"--simulator", "small"}, nil, exitUsage, []string{"--simulator=small"}},
		{[]string{"--no-such-flag"}, nil, exitUsage, []string{"unknown flag: --no-such-flag"}},
		{[]string{"--password=hunter2"}, nil, exitUsage, []string{"passwords never go on the command line", "VTUI_PASSWORD"}},
		{[]string{"--connect-timeout", "soon"}, nil, exitUsage, []string{`invalid argument "soon" for "--connect-timeout"`}},
		{[]string{"version", "extra"}, nil, exitUsage, []string{`unknown command "extra" for "vtui version"`}},
		{[]string{"--simulator=huge"}, nil, exitUsage, []string{"valid: small, demo, large, max"}},
		{[]string{"--config", badConfig}, nil, exitUsage, []string{badConfig + `:3:5: contexts.lab.pasword: unknown key`}},
		{nil, configtest.Env{"VTUI_CONFIG": badConfig}, exitUsage, []string{badConfig + ":3:"}},
		{[]string{"--config", filepath.Join(dir, "missing.yaml")}, nil, exitUsage, []string{"missing.yaml"}},
		{[]string{"--context", "prod"}, nil, exitUsage, []string{`context "prod" (from --context): no config file`}},
		{nil, configtest.Env{"VTUI_READONLY": "perhaps"}, exitUsage, []string{"VTUI_READONLY"}},
	}
	for _, tt := range tests {
		r := runTest(t, tt.args, tt.env)
		input := fmt.Sprintf("vtui %q env %v", tt.args, tt.env)
		if r.code != tt.wantCode {
			t.Errorf("%s: got exit %d; want %d (stderr %q)", input, r.code, tt.wantCode, r.stderr)
		}
		for _, w := range tt.wantStderr {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s:\n got stderr %q;\nwant it to contain %q", input, r.stderr, w)
			}
		}
		if tt.wantCode != exitOK {
			if !strings.HasPrefix(r.stderr, "vtui: ") || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("%s: got stderr %q; want one line starting with \"vtui: \"", input, r.stderr)
			}
			if strings.Contains(r.stderr, "Usage:") || strings.Contains(r.stdout, "Usage:") {
				t.Errorf("%s: an error printed the usage", input)
			}
		}
	}
}

func TestExitCodeMapping(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, exitOK},
		{errors.New("boom"), exitFailed},
		{usageErrorf("bad %s", "flag"), exitUsage},
		{fmt.Errorf("wrapped: %w", usageErrorf("bad")), exitUsage},
		{withExitCode(exitDrillFailed, errors.New("RTO missed")), exitDrillFailed},
		{fmt.Errorf("drill: %w", withExitCode(exitDrillFailed, errors.New("lost VM"))), exitDrillFailed},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("exitCode(%v) = %d; want %d", tt.err, got, tt.want)
		}
	}
	if withExitCode(exitDrillFailed, nil) != nil {
		t.Errorf("withExitCode(3, nil) != nil")
	}
}

// TestDrillExitCodes: a drill's result maps to the exit-code contract:
// pass and pass-with-warnings 0, fail 3, interrupted and error 1.
func TestDrillExitCodes(t *testing.T) {
	for _, tt := range []struct {
		result drill.Result
		want   int
	}{
		{drill.ResultPass, exitOK},
		{drill.ResultPassWithWarnings, exitOK},
		{drill.ResultFail, exitDrillFailed},
		{drill.ResultInterrupted, exitFailed},
		{drill.ResultError, exitFailed},
	} {
		if got := exitCode(drillExit(&drill.Report{Result: tt.result})); got != tt.want {
			t.Errorf("a drill whose result is %s exits %d; want %d", tt.result, got, tt.want)
		}
	}
}

func TestOneLine(t *testing.T) {
	in := "the certificate of vc is not trusted\n  SHA-256: AB\n\n  --thumbprint AB\n"
	if got, want := oneLine(in), "the certificate of vc is not trusted; SHA-256: AB; --thumbprint AB"; got != want {
		t.Errorf("oneLine(%q) = %q; want %q", in, got, want)
	}
}

// TestGroupCommandUnknownSubcommand checks that a command group (like a
// future `vtui vm`) rejects an unknown subcommand with exit 2 rather than
// printing its help and exiting 0.
func TestGroupCommandUnknownSubcommand(t *testing.T) {
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"vm", "bogus"}, exitUsage},
		{[]string{"vm"}, exitOK},
		{[]string{"vm", "power", "a", "b"}, exitUsage},
		{[]string{"vm", "power", "a"}, exitOK},
	}
	for _, tt := range tests {
		root := &cobra.Command{Use: "vtui", SilenceErrors: true, SilenceUsage: true}
		vm := &cobra.Command{Use: "vm"}
		vm.AddCommand(&cobra.Command{Use: "power", Args: cobra.ExactArgs(1), RunE: func(*cobra.Command, []string) error { return nil }})
		root.AddCommand(vm)
		enforceUsageErrors(root)
		root.SetArgs(tt.args)
		root.SetOut(&bytes.Buffer{})
		if got := exitCode(root.Execute()); got != tt.want {
			t.Errorf("vtui %q: got exit %d; want %d", tt.args, got, tt.want)
		}
	}
}

// TestNoSubcommandDefinesPersistentPreRun guards the root's
// PersistentPreRunE, which resolves the settings: cobra runs only the
// nearest one.
func TestNoSubcommandDefinesPersistentPreRun(t *testing.T) {
	root := newRootCmd(newApp(testSys(t, nil)))
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.PersistentPreRun != nil || sub.PersistentPreRunE != nil {
				t.Errorf("%s defines PersistentPreRun: the root's would not run, and a.settings would stay empty", sub.CommandPath())
			}
			walk(sub)
		}
	}
	walk(root)
}

func TestNotConfigured(t *testing.T) {
	r := runTest(t, nil, nil)
	for _, w := range []string{"vtui --simulator", "VTUI_URL", "VTUI_USERNAME", ".config/vtui/config.yaml", "--context NAME"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("vtui with nothing configured:\n got %q;\nwant it to contain %q", r.stdout, w)
		}
	}
	if r.code != exitOK || r.stderr != "" {
		t.Errorf("vtui with nothing configured: got exit %d, stderr %q; want 0 and nothing", r.code, r.stderr)
	}
	// Once something is configured it opens the UI, which needs a terminal.
	r = runTest(t, nil, configtest.Env{"VTUI_URL": "vc"})
	if r.code != exitUsage || !strings.Contains(r.stderr, "the terminal UI needs a terminal") || !strings.Contains(r.stderr, "vtui get vms") {
		t.Errorf("vtui with VTUI_URL and no terminal: got exit %d, stderr %q; want 2 and a pointer to the commands", r.code, r.stderr)
	}
}

// TestHelpNeverShowsPasswords: whatever the environment holds, help and
// error output never contain a password.
func TestHelpNeverShowsPasswords(t *testing.T) {
	const secret = "s3cr3t-Pa55"
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	configtest.WriteFile(t, pwFile, secret+"\n", 0o600)
	cfg := filepath.Join(dir, "config.yaml")
	configtest.WriteFile(t, cfg, fmt.Sprintf("current-context: lab\ncontexts:\n  lab: {url: vc, username: u, password-file: %s}\n", pwFile), 0o600)
	envs := []configtest.Env{
		{"VTUI_PASSWORD": secret, "GOVC_PASSWORD": secret, "VTUI_URL": "vc", "VTUI_USERNAME": "u"},
		{"GOVC_URL": "https://u:" + secret + "@vc/sdk", "VTUI_PASSWORD": secret},
		{"VTUI_CONFIG": cfg, "LAB_PASSWORD": secret},
	}
	args := [][]string{
		{"--help"}, {"-h"}, {"help"}, {"version", "--help"}, {"get", "--help"}, {},
		{"-o", "xml"}, {"--bogus"}, {"--url", "https://u:" + secret + "@vc"},
	}
	for _, env := range envs {
		for _, a := range args {
			r := runTest(t, a, env)
			if strings.Contains(r.stdout+r.stderr, secret) {
				t.Errorf("vtui %q env %v: output shows the password:\nstdout %q\nstderr %q", a, env, r.stdout, r.stderr)
			}
			if len(a) > 0 && a[0] == "--help" && (r.code != exitOK || !strings.Contains(r.stdout, "Usage:")) {
				t.Errorf("vtui %q: got exit %d, stdout %q; want 0 and the help", a, r.code, r.stdout)
			}
		}
	}
}
