//go:build linux

package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The alternate screen's escape sequences, as Bubble Tea writes them.
const (
	enterAltScreen = "\x1b[?1049h"
	exitAltScreen  = "\x1b[?1049l"
)

// modes matches the escape sequences that set a terminal mode, such as
// showing the cursor.
var modes = regexp.MustCompile(`\x1b\[\?[0-9;]*[hl]`)

// TestTUIEndsOnEverySignal runs the terminal UI in a pseudo-terminal many
// times, and signals it at a random moment after its first screen: each
// SIGTERM and each SIGINT must end vtui within the bound, exit 1 saying
// "vtui: interrupted" as every command does, leave the alternate screen
// last but for that line, and give the terminal its modes back. Bubble
// Tea's own signal handler and main's both catching one signal once
// deadlocked the shutdown.
func TestTUIEndsOnEverySignal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts vtui 20 times")
	}
	const runs = 10
	const bound = 10 * time.Second // the promise is 2 s; this is for a loaded machine
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			var slowest time.Duration
			for i := range runs {
				delay := time.Duration(rand.IntN(400)) * time.Millisecond
				took := endTUI(t, signalled(sig), delay, bound)
				slowest = max(slowest, took)
				t.Logf("run %d: %s after %s ended vtui in %s", i+1, sig, delay, took.Round(time.Millisecond))
			}
			t.Logf("slowest: %s", slowest.Round(time.Millisecond))
		})
	}
}

// TestTUIQuitByKeyExitsZero: q, :q and ctrl+c typed on the first screen
// quit the terminal UI with exit 0 and nothing written after it; only a
// signal is an interruption.
func TestTUIQuitByKeyExitsZero(t *testing.T) {
	if testing.Short() {
		t.Skip("starts vtui 3 times")
	}
	for _, keys := range []string{"q", ":q\r", "\x03"} {
		t.Run(fmt.Sprintf("%q", keys), func(t *testing.T) {
			endTUI(t, ending{name: fmt.Sprintf("typing %q", keys), code: 0, after: "",
				do: func(_ *os.Process, ptm *os.File) error { _, err := ptm.WriteString(keys); return err }}, 0, 10*time.Second)
		})
	}
}

// ending is how a test ends vtui, and what vtui must then exit with and
// write after leaving the alternate screen.
type ending struct {
	name  string
	do    func(p *os.Process, ptm *os.File) error
	code  int
	after string
}

// signalled ends vtui by sig: exit 1 saying it was interrupted.
func signalled(sig syscall.Signal) ending {
	return ending{name: sig.String(), code: 1, after: "vtui: interrupted\r\n",
		do: func(p *os.Process, _ *os.File) error { return p.Signal(sig) }}
}

// endTUI starts `vtui --simulator=small` in a new pseudo-terminal, waits
// for its first screen and delay, ends it as end says, and returns how
// long vtui took to exit. It fails the test if vtui outlives bound, exits
// with another code than end's, writes anything but end's text after
// leaving the alternate screen, or leaves the terminal's modes changed.
func endTUI(t *testing.T, end ending, delay, bound time.Duration) time.Duration {
	t.Helper()
	ptm, pts := openPTY(t)
	before, err := unix.IoctlGetTermios(int(pts.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "--simulator=small")
	cmd.Env = []string{runMainEnv + "=1", "TERM=xterm-256color", "HOME=" + dir, "XDG_CONFIG_HOME=" + dir, "XDG_STATE_HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	cmd.Dir = dir
	cmd.Stdin, cmd.Stdout, cmd.Stderr = pts, pts, pts
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	out := &screen{}
	read := make(chan struct{})
	go func() {
		defer close(read)
		buf := make([]byte, 4096)
		for {
			n, err := ptm.Read(buf)
			out.write(buf[:n])
			answer(ptm, buf[:n])
			if err != nil { // EIO once vtui and the test closed the terminal
				return
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	kill := func(why string) {
		_ = cmd.Process.Kill()
		<-exited
		t.Fatalf("%s; the terminal showed:\n%q", why, out.tail())
	}

	deadline := time.Now().Add(30 * time.Second)
	for !out.has("app-01") { // a VM of the small preset: the first screen is up
		if time.Now().After(deadline) {
			kill("vtui showed no VM within 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(delay)
	sent := time.Now()
	if err := end.do(cmd.Process, ptm); err != nil {
		t.Fatal(err)
	}
	var waitErr error
	select {
	case waitErr = <-exited:
	case <-time.After(bound):
		kill(fmt.Sprintf("vtui still ran %s after %s", bound, end.name))
	}
	took := time.Since(sent)
	after, err := unix.IoctlGetTermios(int(pts.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	_ = pts.Close()
	<-read
	_ = ptm.Close()

	if code := cmd.ProcessState.ExitCode(); code != end.code {
		t.Errorf("after %s vtui exited %d (%v); want %d", end.name, code, waitErr, end.code)
	}
	// Leaving the alternate screen is the last thing written, but for
	// modes (the cursor shown again) and the error line on stderr, if any.
	got := out.String()
	enter, exit := strings.LastIndex(got, enterAltScreen), strings.LastIndex(got, exitAltScreen)
	if enter < 0 || exit < enter {
		t.Errorf("after %s the output does not end by leaving the alternate screen; it ends with %q", end.name, out.tail())
	} else if after := modes.ReplaceAllString(got[exit+len(exitAltScreen):], ""); after != end.after {
		t.Errorf("after %s vtui wrote %q after leaving the alternate screen; want %q", end.name, after, end.after)
	}
	if after.Lflag != before.Lflag || after.Iflag != before.Iflag || after.Oflag != before.Oflag {
		t.Errorf("after %s the terminal's modes are lflag %#x iflag %#x oflag %#x; want them back as %#x %#x %#x",
			end.name, after.Lflag, after.Iflag, after.Oflag, before.Lflag, before.Iflag, before.Oflag)
	}
	return took
}

// answer replies as a terminal does to the queries lipgloss makes at
// start: the background colour (OSC 11) and the cursor position (DSR);
// unanswered, each waits seconds for its reply.
func answer(ptm *os.File, written []byte) {
	if bytes.Contains(written, []byte("\x1b]11;?")) {
		_, _ = ptm.WriteString("\x1b]11;rgb:0000/0000/0000\x1b\\")
	}
	if bytes.Contains(written, []byte("\x1b[6n")) {
		_, _ = ptm.WriteString("\x1b[1;1R")
	}
}

// openPTY opens a pseudo-terminal of 120x30 and returns its two ends.
func openPTY(t *testing.T) (ptm, pts *os.File) {
	t.Helper()
	ptm, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { _ = ptm.Close() })
	fd := int(ptm.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlock the pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetUint32(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("name the pseudo-terminal: %v", err)
	}
	pts, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pts.Close() })
	if err := unix.IoctlSetWinsize(int(pts.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 30, Col: 120}); err != nil {
		t.Fatal(err)
	}
	return ptm, pts
}

// screen is what vtui wrote to its terminal, shared by the reader and the test.
type screen struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *screen) write(p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf.Write(p)
}

func (s *screen) has(text string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Contains(s.buf.Bytes(), []byte(text))
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// tail is the last bytes written, for a failure's message.
func (s *screen) tail() string {
	b := s.String()
	return b[max(len(b)-300, 0):]
}
