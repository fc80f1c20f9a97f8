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

	dir := t.TempDir()
	envFile := filepath.Join(dir, "sim.env")
	f, err := os.Create(envFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sys := testSys(t, nil)
	sys.stdout = f // vtui sim > sim.env
	ctx, cancel := context.WithCancel(context.Background())
	var code int
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		code = execute(ctx, []string{"sim", "--listen", "127.0.0.1:0", "--preset", "small"}, sys)
	}()
	defer func() {
		cancel()
		<-exited
		if code != exitOK {
			t.Errorf("vtui sim, interrupted: exit %d; want 0", code)
		}
	}()
	waitForServing(t, envFile, exited)

	read := exec.Command(sh, "-c", "set -a; . ./sim.env; set +a; env")
	read.Dir, read.Env = dir, []string{"PATH=" + os.Getenv("PATH")}
	out, err := read.Output()
	if err != nil {
		t.Fatalf("sh reading sim.env: %v", err)
	}
	env := fakeEnv{}
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
