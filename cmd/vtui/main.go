// Command vtui is a terminal UI and CLI for VMware vSphere.
//
// Run without a command it opens the terminal UI; its subcommands do the same
// work from scripts and CI. See `vtui --help`.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/vtui/vtui/cmd/internal/config"
)

// Exit codes are a contract that scripts rely on.
const (
	exitOK          = 0 // success
	exitFailed      = 1 // the operation failed
	exitUsage       = 2 // bad usage or input: flag, argument, value, config file
	exitDrillFailed = 3 // a drill ran but its expectations failed
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// The first signal cancels ctx so that work stops cleanly (a drill
		// rolls back, a prompt restores the terminal); a second one, after
		// stop, kills the process the default way.
		<-ctx.Done()
		stop()
	}()
	sys := processEnv(os.Stdin, os.Stdout, os.Stderr)
	// Every command ends within 2 s of the first signal: changes already
	// running stop being waited for and end unknown, naming their tasks.
	sys.abort = ctx
	code := execute(ctx, os.Args[1:], sys)
	stop()
	os.Exit(code)
}

// execute is run with everything taken from the process injected.
func execute(ctx context.Context, args []string, sys *sysEnv) int {
	a := newApp(sys)
	// vcsim and net/http write to the standard logger; vtui's output is
	// its own, so their lines go to the log file.
	log.SetOutput(stdlogWriter{a})
	defer log.SetOutput(os.Stderr)
	root := newRootCmd(a)
	if args == nil {
		args = []string{} // cobra reads os.Args for nil: under go test, the test binary's flags (-update)
	}
	root.SetArgs(args)
	root.SetIn(sys.stdin)
	root.SetOut(sys.stdout)
	root.SetErr(sys.stderr)
	err := root.ExecuteContext(ctx)
	if cerr := a.close(); cerr != nil && err == nil {
		err = cerr
	}
	if err == nil {
		return exitOK
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		err = errors.New("interrupted")
	}
	fmt.Fprintf(sys.stderr, "vtui: %s\n", oneLine(err.Error()))
	return exitCode(err)
}

// oneLine folds a multi-line message into one line, so that every error is
// exactly one line on stderr.
func oneLine(msg string) string {
	lines := strings.Split(strings.TrimSpace(msg), "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "; ")
}

// exitCode maps an error to the exit-code contract.
func exitCode(err error) int {
	var ee *exitError
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue), errors.As(err, new(config.UsageError)):
		return exitUsage
	}
	return exitFailed
}

// usageError marks an error as bad usage or input (a flag, an argument or a
// value): vtui exits 2, as on a config.UsageError (the config file, the
// environment, a password source). Commands return it through
// usageErrorf, or wrap an error with usageError{err}.
type usageError struct {
	err error
}

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usageErrorf formats a usage error; %w wraps as in fmt.Errorf.
func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// exitError makes vtui exit with a specific code, e.g. exitDrillFailed when
// a drill ran but its expectations failed.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// withExitCode returns err so that vtui exits with code; nil stays nil.
func withExitCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: code, err: err}
}

// stdlogWriter turns standard-library log lines into debug records of the
// app's log, which is set up only once the flags are parsed.
type stdlogWriter struct{ a *app }

func (w stdlogWriter) Write(p []byte) (int, error) {
	w.a.log.Debug(strings.TrimSpace(string(p)), "source", "stdlog")
	return len(p), nil
}
