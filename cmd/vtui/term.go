package main

// The process vtui runs in: its streams, environment and terminal, and
// the questions it asks there.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/vtui/vtui/cmd/internal/config"
)

// sysEnv is what vtui takes from its process. Tests replace all of it but
// the environment, which they set with t.Setenv.
type sysEnv struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// lookupEnv reads the environment: os.LookupEnv. Settings resolution
	// reads the process environment through viper, so this must agree with it.
	lookupEnv config.LookupEnvFunc
	// home is the user's home directory, "" if unknown.
	home string
	// cacheDir is the user's cache directory (os.UserCacheDir), "" if
	// unknown: sessions are kept under it.
	cacheDir string
	// terminal reports whether stdin is a terminal a person can answer on.
	terminal bool
	// promptPassword asks for a password without echo. nil if !terminal.
	promptPassword func(ctx context.Context, prompt string) (string, error)
	// abort is done on the first SIGINT or SIGTERM: running changes stop being waited for. nil
	// means never.
	abort context.Context
}

// processEnv is the sysEnv of the running process.
func processEnv(stdin io.Reader, stdout, stderr io.Writer) *sysEnv {
	home, _ := os.UserHomeDir()
	cacheDir, _ := os.UserCacheDir()
	sys := &sysEnv{stdin: stdin, stdout: stdout, stderr: stderr, lookupEnv: os.LookupEnv, home: home, cacheDir: cacheDir}
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		sys.terminal = true
		sys.promptPassword = terminalPrompt(int(f.Fd()), stderr)
	}
	return sys
}

// terminalPrompt reads a password from the terminal fd without echo. If ctx
// is cancelled (Ctrl-C is caught by signal.NotifyContext, so it does not end
// the process) it restores the terminal, which would otherwise be left
// without echo, and returns.
func terminalPrompt(fd int, out io.Writer) func(context.Context, string) (string, error) {
	return func(ctx context.Context, prompt string) (string, error) {
		state, err := term.GetState(fd)
		if err != nil {
			return "", err
		}
		fmt.Fprint(out, prompt)
		type result struct {
			pw  []byte
			err error
		}
		done := make(chan result, 1)
		go func() {
			pw, err := term.ReadPassword(fd)
			done <- result{pw, err}
		}()
		select {
		case r := <-done:
			fmt.Fprintln(out)
			return string(r.pw), r.err
		case <-ctx.Done():
			_ = term.Restore(fd, state)
			fmt.Fprintln(out)
			return "", ctx.Err()
		}
	}
}

// errDeclined is returned by confirm when the user answers anything but yes.
var errDeclined = errors.New("not confirmed; nothing was changed")

// maxAnswer bounds the line confirm reads.
const maxAnswer = 256

// confirm asks question (e.g. "Power off 3 VMs?") before a change. With
// --yes it returns nil at once. The answer is read from stdin, a terminal
// or a pipe (printf 'y\n' | vtui ...); a pipe that ends before any answer
// (no input at all, as </dev/null gives) refuses with a usage error naming
// --yes. An answer other than y/yes returns errDeclined.
func (a *app) confirm(ctx context.Context, question string) error {
	if a.settings.Yes {
		return nil
	}
	if a.sys.terminal {
		fmt.Fprintf(a.sys.stderr, "%s [y/N] ", question)
	}
	type answer struct {
		line string
		ok   bool
	}
	done := make(chan answer, 1)
	go func() {
		line, ok := readLine(a.sys.stdin, maxAnswer)
		done <- answer{strings.ToLower(strings.TrimSpace(line)), ok}
	}()
	select {
	case got := <-done:
		if !got.ok && !a.sys.terminal {
			return usageErrorf("%s: refusing without a terminal to confirm on; add --yes (or --dry-run to see what would change)",
				strings.TrimSuffix(question, "?"))
		}
		if !a.sys.terminal {
			fmt.Fprintf(a.sys.stderr, "%s [y/N] %s (from stdin)\n", question, got.line)
		}
		if got.line == "y" || got.line == "yes" {
			return nil
		}
		return errDeclined
	case <-ctx.Done():
		fmt.Fprintln(a.sys.stderr)
		return ctx.Err()
	}
}

// readLine reads one line from r, at most max bytes, a byte at a time so
// that nothing after it is consumed (a second question gets the next
// line). ok is false if r ended before any byte.
func readLine(r io.Reader, max int) (line string, ok bool) {
	var b strings.Builder
	buf := make([]byte, 1)
	for b.Len() < max {
		n, err := r.Read(buf)
		if n == 1 {
			ok = true
			if buf[0] == '\n' {
				break
			}
			b.WriteByte(buf[0])
		}
		if err != nil {
			break
		}
	}
	return b.String(), ok
}
