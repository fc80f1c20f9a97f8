package main

import (
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/vtui/vtui/vsphere/vspheretest"
)

// runMainEnv makes the test binary run vtui's main with its arguments
// (see TestMain), so that a test can signal a real vtui process.
const runMainEnv = "VTUI_TEST_RUN_MAIN"

// signalBound is how long a command may take to end after a signal: the
// promise is 2 s; the bound leaves room for a loaded 2-core machine.
const signalBound = 5 * time.Second

// TestFirstSignalEndsEveryCommand: the first SIGINT or SIGTERM ends a
// command wherever it waits (a plan or cluster file that is a FIFO nobody
// writes to, a config file likewise, a vCenter that accepts and never
// answers, a task that runs for a minute), with a non-zero exit.
func TestFirstSignalEndsEveryCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("starts vtui processes")
	}
	srv := vspheretest.Start(t, "small")
	srv.SetTaskDelay("RelocateVm", time.Minute)
	silent := silentServer(t)
	simEnv := []string{"VTUI_URL=" + srv.URL.Host, "VTUI_USERNAME=" + srv.Username, "VTUI_PASSWORD=" + srv.Password,
		"VTUI_THUMBPRINT=" + srv.Thumbprint}
	for _, tt := range []struct {
		name string
		args func(fifo string) []string
		env  []string
		// ready is in stderr once the command waits; "" waits for a
		// reader of the FIFO, or a connection to the silent server.
		ready string
	}{
		{name: "drill validate FIFO", args: func(f string) []string { return []string{"drill", "validate", f} }},
		{name: "drill run FIFO", args: func(f string) []string { return []string{"drill", "run", f, "--simulator=small", "--yes"} }},
		{name: "cluster config apply -f FIFO", args: func(f string) []string {
			return []string{"cluster", "config", "apply", "cluster-a", "-f", f, "--dry-run", "--simulator=small"}
		}},
		{name: "config file FIFO", args: func(f string) []string { return []string{"get", "hosts", "--config", f} }},
		{name: "connect to a silent vCenter", args: func(string) []string {
			return []string{"get", "hosts", "--url", silent, "--username", "u", "--insecure", "--config="}
		}, env: []string{"VTUI_PASSWORD=p"}},
		{name: "wait on a task", args: func(string) []string {
			return []string{"vm", "migrate", "web-01", "--host", "auto", "--yes", "--config="}
		}, env: simEnv, ready: "[1/1]"},
	} {
		for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
			t.Run(tt.name+"/"+sig.String(), func(t *testing.T) {
				fifo := filepath.Join(t.TempDir(), "fifo")
				if err := syscall.Mkfifo(fifo, 0o600); err != nil {
					t.Fatal(err)
				}
				cmd := exec.Command(os.Args[0], tt.args(fifo)...)
				cmd.Env = append(os.Environ(), append([]string{runMainEnv + "=1", "XDG_CONFIG_HOME=" + t.TempDir()}, tt.env...)...)
				var stderr syncBuffer
				cmd.Stderr = &stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				connsBefore := silentConns.Load()
				done := make(chan error, 1)
				go func() { done <- cmd.Wait() }()
				t.Cleanup(func() { _ = cmd.Process.Kill() })

				deadline := time.Now().Add(30 * time.Second)
				for !waiting(t, tt.ready, &stderr, fifo, connsBefore) {
					select {
					case err := <-done:
						t.Fatalf("vtui ended before it waited: %v; stderr %q", err, stderr.String())
					case <-time.After(20 * time.Millisecond):
					}
					if time.Now().After(deadline) {
						t.Fatalf("vtui never got to wait; stderr %q", stderr.String())
					}
				}
				if err := cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
				select {
				case err := <-done:
					var ee *exec.ExitError
					if !errors.As(err, &ee) || ee.ExitCode() <= 0 {
						t.Errorf("after %s: %v; want a non-zero exit code (stderr %q)", sig, err, stderr.String())
					}
				case <-time.After(signalBound):
					t.Errorf("vtui still running %s after %s; stderr %q", signalBound, sig, stderr.String())
				}
			})
		}
	}
}

// waiting reports whether the command waits: ready is in its stderr, or
// with ready "", something reads the FIFO (then a writer is opened and
// kept, which never writes) or the silent server has accepted more than
// connsBefore connections.
func waiting(t *testing.T, ready string, stderr *syncBuffer, fifo string, connsBefore int64) bool {
	if ready != "" {
		return strings.Contains(stderr.String(), ready)
	}
	if silentConns.Load() > connsBefore {
		return true
	}
	w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return false // ENXIO: no reader yet
	}
	t.Cleanup(func() { w.Close() })
	return true
}

// silentServer accepts connections, counting them in silentConns, and
// never answers; it returns its https URL.
func silentServer(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			silentConns.Add(1)
			t.Cleanup(func() { c.Close() })
		}
	}()
	return "https://" + l.Addr().String() + "/sdk"
}

// silentConns counts the connections silent servers accepted.
var silentConns atomic.Int64

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
