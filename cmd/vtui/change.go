package main

import (
	"context"
	"fmt"
	"time"
	"unicode"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
)

// changeSession is what a command that changes vSphere works with: a
// client (read-only at the transport with --readonly), its inventory, and
// a gate with the --readonly and --dry-run policy.
type changeSession struct {
	a    *app
	cmd  *cobra.Command
	c    *vsphere.Client
	inv  *vsphere.Inventory
	gate *gate.Gate
	// resolve turns names, IDs, paths and globs into objects.
	resolve *vsphere.Resolver
}

// change runs fn with a session for cmd, and closes it.
func (a *app) change(cmd *cobra.Command, fn func(s *changeSession) error) error {
	s, err := a.startChange(cmd)
	if err != nil {
		return err
	}
	defer s.close()
	return fn(s)
}

// startChange connects and loads the inventory. The caller closes the
// session.
func (a *app) startChange(cmd *cobra.Command) (*changeSession, error) {
	ctx := cmd.Context()
	c, err := a.connect(ctx)
	if err != nil {
		return nil, err
	}
	inv, err := c.Inventory(ctx)
	if err != nil {
		_ = c.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	gate := gate.NewGate(c)
	return &changeSession{a: a, cmd: cmd, c: c, inv: inv, gate: gate, resolve: vsphere.NewResolver(c, inv)}, nil
}

func (s *changeSession) close() {
	_ = s.c.Close(context.WithoutCancel(s.cmd.Context()))
}

// runner carries out planned actions and reports on them.
type runner func(ctx context.Context, g *gate.Gate, opts gate.RunOptions) gate.Summary

// apply asks for confirmation of actions (on a terminal: showing the plan
// and its blast radius; without one it needs --yes), then executes them.
// No confirmation is asked with --dry-run or --readonly, which change
// nothing, or when nothing would run.
func (s *changeSession) apply(actions []gate.Action, opts gate.RunOptions, run runner) error {
	ctx := s.cmd.Context()
	stderr := s.cmd.ErrOrStderr()
	policy := s.gate.Policy()
	if radius := gate.BlastRadius(actions); radius != "" && !policy.ReadOnly && !policy.DryRun {
		if !s.a.settings.Yes && s.a.sys.terminal {
			gate.WritePlan(stderr, actions)
		}
		if err := s.a.confirm(ctx, capitalize(radius)+"?"); err != nil {
			return err
		}
	}
	return s.execute(opts, run)
}

// execute runs confirmed actions with run, printing progress to stderr,
// writes the results in the -o format and sums them up on stderr. It
// fails if any action failed.
func (s *changeSession) execute(opts gate.RunOptions, run runner) error {
	ctx := s.cmd.Context()
	stderr := s.cmd.ErrOrStderr()
	opts.Progress, opts.Abort = func(p gate.Progress) { p.WriteText(stderr) }, s.a.sys.abort
	sum := run(ctx, s.gate, opts)
	if err := writeRows(s.cmd.OutOrStdout(), s.a.settings.Output, sum.Results, gate.ResultColumns()); err != nil {
		return err
	}
	fmt.Fprintln(stderr, sum)
	return sum.Err()
}

// runAll is the runner of independent actions.
func runAll(actions []gate.Action) runner {
	return func(ctx context.Context, g *gate.Gate, opts gate.RunOptions) gate.Summary {
		return g.Run(ctx, actions, opts)
	}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// runFlags are how a command that changes things runs them.
type runFlags struct {
	concurrency int
	wait        time.Duration
}

// addRunFlags adds --concurrency and, with waitFlag, a flag of that name
// bounding the wait for each change.
func addRunFlags(fs *pflag.FlagSet, f *runFlags, waitFlag string) {
	fs.IntVar(&f.concurrency, "concurrency", gate.DefaultConcurrency, "how many changes run at once")
	if waitFlag != "" {
		fs.DurationVar(&f.wait, waitFlag, 0, "how long to wait for each change before reporting it unknown (default: no limit)")
	}
}

// options checks the flags and returns the run's options.
func (f runFlags) options() (gate.RunOptions, error) {
	if f.concurrency < 1 {
		return gate.RunOptions{}, usageErrorf("--concurrency must be at least 1, got %d", f.concurrency)
	}
	if f.wait < 0 {
		return gate.RunOptions{}, usageErrorf("invalid --timeout %s: want a positive duration, e.g. 10m", f.wait)
	}
	return gate.RunOptions{Concurrency: f.concurrency, Timeout: f.wait}, nil
}

// badName turns a name that did not resolve (matched nothing, matched
// several objects, or is an invalid pattern) into a usage error (exit 2).
func badName(err error) error {
	if vsphere.IsBadName(err) {
		return usageError{err}
	}
	return err
}
