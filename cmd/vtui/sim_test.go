package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/cmd/internal/config/configtest"
)

// TestSimRecipeConnects follows the recipe `vtui sim --help` gives: the
// simulator's output goes to a file, a shell reads the file with set -a,
// and vtui reaches the simulator with those variables alone, its
// certificate pinned rather than unchecked.
func TestSimRecipeConnects(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a simulator")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to read the file with")
	}
	help := runTest(t, []string{"sim", "--help"}, nil).stdout
	for _, step := range []string{"vtui sim > sim.env &", "set -a; . ./sim.env; set +a"} {
		if !strings.Contains(help, step) {
			t.Errorf("vtui sim --help does not give the step %q:\n%s", step, help)
		}
	}

	envFile := serveSim(t, "--listen", "127.0.0.1:0", "--preset", "small")
	dir := filepath.Dir(envFile)

	read := exec.Command(sh, "-c", "set -a; . ./sim.env; set +a; env")
	read.Dir, read.Env = dir, []string{"PATH=" + os.Getenv("PATH")}
	out, err := read.Output()
	if err != nil {
		t.Fatalf("sh reading sim.env: %v", err)
	}
	env := configtest.Env{}
	lines := bufio.NewScanner(bytes.NewReader(out))
	for lines.Scan() {
		if name, value, _ := strings.Cut(lines.Text(), "="); strings.HasPrefix(name, "VTUI_") {
			env[name] = value
		}
	}
	var names []string
	for name := range env {
		names = append(names, name)
	}
	slices.Sort(names)
	if want := []string{"VTUI_PASSWORD", "VTUI_THUMBPRINT", "VTUI_URL", "VTUI_USERNAME"}; !slices.Equal(names, want) {
		t.Errorf("sim.env sets %q; want %q", names, want)
	}
	r := runTest(t, []string{"get", "clusters", "-o", "json"}, env)
	if r.code != exitOK || !strings.Contains(r.stdout, `"name": "cluster-a"`) {
		t.Errorf("vtui get clusters with sim.env: exit %d, stdout %q, stderr %q; want 0 and the clusters", r.code, r.stdout, r.stderr)
	}
}

// serveSim runs `vtui sim ARGS > sim.env &` in-process, in a fresh
// directory, until t ends, and returns the path of sim.env once the
// simulator serves. t fails if vtui sim, interrupted, exits other than 0.
func serveSim(t *testing.T, args ...string) string {
	t.Helper()
	envFile := filepath.Join(t.TempDir(), "sim.env")
	f, err := os.Create(envFile)
	if err != nil {
		t.Fatal(err)
	}
	sys := testSys(t, nil)
	sys.stdout = f // vtui sim > sim.env
	ctx, cancel := context.WithCancel(context.Background())
	var code int
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		code = execute(ctx, append([]string{"sim"}, args...), sys)
	}()
	t.Cleanup(func() {
		cancel()
		<-exited
		f.Close()
		if code != exitOK {
			t.Errorf("vtui sim, interrupted: exit %d; want 0", code)
		}
	})
	waitForServing(t, envFile, exited)
	return envFile
}

// waitForServing waits until vtui sim has written its "# serving" line to
// path, failing if vtui sim exits first.
func waitForServing(t *testing.T, path string, exited <-chan struct{}) {
	t.Helper()
	for {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte("\n# serving")) {
			return
		}
		select {
		case <-exited:
			t.Fatalf("vtui sim exited before serving; it wrote %q", data)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TestSimHABootTimeFlag: --ha-boot-time takes a duration or a range, and
// anything else is bad input (exit 2) before a simulator starts.
func TestSimHABootTimeFlag(t *testing.T) {
	for _, tc := range []struct {
		arg    string
		lo, hi time.Duration
		ok     bool
	}{
		{"0s", 0, 0, true},
		{"45s", 45 * time.Second, 0, true},
		{"30s-90s", 30 * time.Second, 90 * time.Second, true},
		{"90s-30s", 0, 0, false},
		{"soon", 0, 0, false},
		{"30s-", 0, 0, false},
	} {
		lo, hi, err := parseBootTime(tc.arg)
		if (err == nil) != tc.ok || lo != tc.lo || hi != tc.hi {
			t.Errorf("parseBootTime(%q) = %s, %s, %v; want %s, %s, ok %v", tc.arg, lo, hi, err, tc.lo, tc.hi, tc.ok)
		}
		if !tc.ok {
			if r := runTest(t, []string{"sim", "--listen", "127.0.0.1:0", "--ha-boot-time", tc.arg}, nil); r.code != exitUsage || !strings.Contains(r.stderr, "--ha-boot-time") {
				t.Errorf("vtui sim --ha-boot-time %s: exit %d, stderr %q; want 2 naming the flag", tc.arg, r.code, r.stderr)
			}
		}
	}
}
