package main

// The process vtui runs in: its streams, environment and terminal, and
// the questions it asks there.

import (
	"bufio"
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

// confirm asks question (e.g. "Power off 3 VMs?") before a change. With
// --yes it returns nil at once. Without a terminal it refuses with a usage
// error naming --yes. An answer other than y/yes returns errDeclined.
func (a *app) confirm(ctx context.Context, question string) error {
	if a.settings.Yes {
		return nil
	}
	if !a.sys.terminal {
		return usageErrorf("%s: refusing without a terminal to confirm on; add --yes (or --dry-run to see what would change)",
			strings.TrimSuffix(question, "?"))
	}
	fmt.Fprintf(a.sys.stderr, "%s [y/N] ", question)
	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(a.sys.stdin).ReadString('\n')
		answer <- strings.ToLower(strings.TrimSpace(line))
	}()
	select {
	case s := <-answer:
		if s == "y" || s == "yes" {
			return nil
		}
		return errDeclined
	case <-ctx.Done():
		fmt.Fprintln(a.sys.stderr)
		return ctx.Err()
	}
}
