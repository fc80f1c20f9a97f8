package main

// vtui get --all-contexts: one listing across every context of the config
// file, partial when some of them do not answer.

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vtui/vtui/cmd/internal/config"
	"github.com/vtui/vtui/internal/fleet"
	"github.com/vtui/vtui/internal/kinds"
	"github.com/vtui/vtui/vsphere"
)

// acrossFlags are get's flags for listing across contexts.
type acrossFlags struct {
	all bool
	fleet.Options
}

func (f *acrossFlags) register(cmd *cobra.Command) {
	cmd.Flags().BoolVarP(&f.all, "all-contexts", "A", false, "ask every context of the config file at once; rows get a CONTEXT column (a context field in JSON and YAML)")
	cmd.Flags().DurationVar(&f.Timeout, "timeout", fleet.DefaultTimeout, "with --all-contexts: how long each context may take, connecting included")
	cmd.Flags().IntVar(&f.Limit, "concurrency", fleet.DefaultLimit, "with --all-contexts: how many contexts are asked at once")
}

// checkOne rejects the flags of --all-contexts without it.
func (f *acrossFlags) checkOne(cmd *cobra.Command) error {
	for _, name := range []string{"timeout", "concurrency"} {
		if cmd.Flags().Changed(name) {
			return usageErrorf("--%s applies with --all-contexts only", name)
		}
	}
	return nil
}

// check rejects what does not go with --all-contexts: flags that pick one
// vCenter, bounds that bound nothing, and a config file without contexts.
// It returns the contexts to ask.
func (f *acrossFlags) check(cmd *cobra.Command, a *app) ([]string, error) {
	for _, name := range []string{"context", "url", "simulator"} {
		if fl := cmd.Flags().Lookup(name); fl != nil && fl.Changed {
			return nil, usageErrorf("--%s picks one vCenter; --all-contexts asks every context of the config file: give one or the other", name)
		}
	}
	if f.Timeout <= 0 {
		return nil, usageErrorf("--timeout must be positive, not %s", f.Timeout)
	}
	if f.Limit <= 0 {
		return nil, usageErrorf("--concurrency must be at least 1, not %d", f.Limit)
	}
	names := a.contextNames()
	if len(names) == 0 {
		file := a.settings.ConfigFile
		if file == "" {
			file = config.DefaultPath(a.sys.lookupEnv, a.sys.home)
		}
		return nil, usageErrorf("--all-contexts asks every context of the config file, and %s has none: add contexts to it (config.example.yaml documents them), or use --config FILE", file)
	}
	return names, nil
}

// getAcross lists q in every context at once and prints the rows of those
// that answered, grouped by context, each context's in the kind's order.
// Each context that did not answer gets a line on stderr, and vtui exits
// 1 (results are partial), with the others' rows printed all the same.
func (a *app) getAcross(cmd *cobra.Command, q kinds.Query, f acrossFlags) error {
	names, err := f.check(cmd, a)
	if err != nil {
		return err
	}
	if _, err := path.Match(q.Filter.Name, ""); err != nil {
		return usageErrorf("invalid name pattern %q: %v (use *, ? and [a-z])", q.Filter.Name, err)
	}
	ctx := cmd.Context()
	results := q.Across(ctx, names, f.Options, a.connectContext)
	rows, failed, err := kinds.Merge(results)
	if err != nil {
		return usageError{err}
	}
	if err := writeRows(cmd.OutOrStdout(), a.settings.Output, rows, fromKind(kinds.WithContext(q.Kind.Printed))); err != nil {
		return err
	}
	for _, r := range results {
		a.log.Info("context asked", "context", r.Context, "took", r.Took, "err", r.Err)
	}
	if len(failed) == 0 {
		return nil
	}
	var which []string
	for _, r := range failed {
		fmt.Fprintf(a.sys.stderr, "vtui: %s\n", oneLine(a.contextFailure(ctx, r.Context, r.Err, f.Timeout)))
		which = append(which, r.Context)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if len(failed) == len(names) {
		return withExitCode(exitFailed, fmt.Errorf("no context answered (%s)", strings.Join(which, ", ")))
	}
	return withExitCode(exitFailed, fmt.Errorf("partial result: %d of %d contexts did not answer (%s); the rows of the others are printed",
		len(failed), len(names), strings.Join(which, ", ")))
}

// contextFailure says what failed in the named context, where (its URL)
// and, for a deadline, what to try.
func (a *app) contextFailure(ctx context.Context, name string, err error, timeout time.Duration) string {
	where := "context " + name
	if s, rerr := a.resolveContext(ctx, name); rerr == nil && s.Conn.URL != "" {
		where += " (" + vsphere.RedactURL(s.Conn.URL) + ")"
	}
	msg := strings.TrimPrefix(err.Error(), "context "+name+": ")
	switch {
	case ctx.Err() != nil:
	case errors.Is(err, context.DeadlineExceeded):
		msg += fmt.Sprintf("; check that vCenter, or give it more than --timeout %s", timeout)
	case errors.As(err, new(*vsphere.UnreachableError)):
		msg += fmt.Sprintf("; check the url of context %s and that its vCenter is up", name)
	case errors.As(err, new(*vsphere.LoginError)):
		msg += fmt.Sprintf("; check the username and the password source of context %s", name)
	}
	return where + ": " + msg
}
