package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vtui/vtui/cmd/internal/config"
	"github.com/vtui/vtui/ha/drill"
	"github.com/vtui/vtui/internal/drillrun"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/drillkit"
	"github.com/vtui/vtui/vsphere/gate"
)

func newDrillCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "drill",
		Short: "Run failover drills: fail a host, prove no VM is lost, roll back, report",
		Example: `  vtui drill validate nightly.yaml
  vtui drill run nightly.yaml --dry-run
  vtui drill run nightly.yaml --yes
  vtui drill history`,
		Long: `Run scripted, repeatable failover drills against a cluster.

A drill plan (YAML) names a cluster, a scenario (host-failure, isolation,
partition or evacuation), the hosts to fail, the VMs to protect, and what
must hold: the recovery time objective (rto) and how many protected VMs may
be lost (0). vtui checks every precondition first and refuses rather than
degrade, predicts each protected VM's outcome from the cluster's settings
(restarts where, keeps running), takes a lock on the cluster that other
vtui processes see, records a baseline, fails the hosts (or cuts their
network), follows vCenter's property updates and events, verifies that
every protected VM did as predicted (ran again exactly once on a surviving
host within the RTO, or kept running), rolls back to the baseline and
proves it, and writes JSON, JUnit and Markdown reports (and, with
--report-prom, metrics for Prometheus). vtui drill history summarizes past
reports: pass rate, RTO and its trend.

Each step is written to a journal before it acts. If vtui is interrupted
(Ctrl-C, SIGTERM) it stops injecting and rolls back; if it is killed, vtui
drill rollback JOURNAL finishes the rollback.

Exit codes: 0 the drill passed (with or without warnings); 3 it ran and
an expectation failed; 1 it could not run (a preflight gate failed,
vCenter unreachable, interrupted); 2 the plan or the command line is bad.`,
	}
	cmd.AddCommand(newDrillValidateCmd(a), newDrillRunCmd(a), newDrillRollbackCmd(a), newDrillUnlockCmd(a), newDrillHistoryCmd(a))
	return cmd
}

func newDrillValidateCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "validate PLAN",
		Short: "Check a drill plan without connecting",
		Long: `Check a drill plan: every key known, every value of the right type and
range, the scenario and the injection method fitting together. Errors name
the file, line, column and key. With -o json or yaml it prints the plan with
its defaults filled in. It does not connect: vtui drill run --dry-run also
runs the preflight against the cluster.`,
		Example: `  vtui drill validate nightly.yaml
  vtui drill validate nightly.yaml -o json | jq .timeout`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			plan, err := loadPlan(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if a.settings.Output != outputTable {
				return writeValue(cmd.OutOrStdout(), a.settings.Output, plan)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: ok: %s\n", args[0], plan.Describe())
			return nil
		},
	}
}

// loadPlan reads a plan; a bad plan is bad input (exit 2).
func loadPlan(ctx context.Context, path string) (drill.Plan, error) {
	plan, err := drill.Load(ctx, path)
	if err != nil {
		return plan, usageError{err}
	}
	return plan, nil
}

func newDrillRunCmd(a *app) *cobra.Command {
	var reportJSON, reportJUnit, reportMD, reportProm, journal string
	cmd := &cobra.Command{
		Use:   "run PLAN",
		Short: "Run a drill: preflight, inject, observe, verify, roll back, report",
		Long: `Run a drill plan against its cluster.

The preflight runs first; if any gate fails nothing is changed and vtui
exits 1. Then vtui asks (on a terminal; elsewhere give --yes), takes the
cluster's drill lock, records the baseline, fails the targets, follows
vCenter until every protected VM runs again or the timeout passes, rolls
back and compares with the baseline. The timeline is written to stderr as
it happens. A plan's context is used as --context would be; with
--simulator, --url, VTUI_URL or another --context or VTUI_CONTEXT as well,
vtui refuses (exit 2) and says which of the two to drop.

--dry-run runs the preflight and prints what would be injected, and changes
nothing. The journal (default: NAME-TIMESTAMP.journal in
$XDG_STATE_HOME/vtui/drills, or ~/.local/state/vtui/drills; its path is
printed) lets vtui drill rollback finish a drill whose runner died. The
JSON, JUnit and Markdown reports go where --report-json, --report-junit
and --report-md say, and each one not named goes beside the journal,
named as it is (NAME-TIMESTAMP.json, ...), where vtui drill history finds
it. --report-prom writes the result for node_exporter's textfile
collector.`,
		Example: `  vtui drill run nightly.yaml --dry-run
  vtui drill run nightly.yaml --yes --report-junit drill.xml --report-md drill.md
  vtui drill run nightly.yaml --yes --report-prom /var/lib/node_exporter/textfile/vtui-drill-nightly.prom
  vtui --simulator drill run examples/host-failure.yaml --yes`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			plan, err := loadPlan(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			paths, err := drillrun.Paths{Journal: drillrun.Output{Name: "--journal", Path: journal},
				JSON: drillrun.Output{Name: "--report-json", Path: reportJSON}, JUnit: drillrun.Output{Name: "--report-junit", Path: reportJUnit},
				Markdown: drillrun.Output{Name: "--report-md", Path: reportMD}, Prom: drillrun.Output{Name: "--report-prom", Path: reportProm}}.Resolve(plan, time.Now(), true)
			var noDir *drillrun.JournalDirError
			switch {
			case errors.As(err, &noDir):
				return usageError{fmt.Errorf("%w; nothing was changed (--journal names another file)", err)}
			case err != nil:
				return usageError{err}
			}
			c, err := a.connectForPlan(cmd, plan)
			if err != nil {
				return err
			}
			defer c.Close(context.WithoutCancel(cmd.Context()))
			stderr := cmd.ErrOrStderr()
			d, err := drillrun.Begin(c, plan, paths, drillrun.Hooks{
				OnMoment: func(m drill.Moment) { fmt.Fprintln(stderr, m.Line()) },
				Confirm: func(ctx context.Context, pre *drill.Preflight) error {
					if !a.settings.Yes && a.sys.terminal {
						pre.WriteText(stderr, plan)
					}
					return a.confirm(ctx, capitalize(pre.Injection(plan.Inject.Method))+"?")
				},
				BMCPassword: a.bmcPassword,
			})
			if err != nil {
				return usageError{err}
			}
			if !d.Journaled() {
				// The preflight refuses a read-only run: a drill that
				// can change nothing keeps no journal.
				return a.drillDryRun(cmd, d.Runner)
			}
			fmt.Fprintf(stderr, "journal: %s\n", paths.Journal.Path)
			rep := d.Run(cmd.Context())
			if _, err := drillrun.WriteReports(rep, paths); err != nil {
				return err
			}
			if a.settings.Output != outputTable {
				if err := writeValue(cmd.OutOrStdout(), a.settings.Output, rep); err != nil {
					return err
				}
			} else {
				rep.WriteText(cmd.OutOrStdout())
			}
			return drillExit(rep)
		},
	}
	cmd.Flags().StringVar(&reportJSON, "report-json", "", "write the JSON report to this file")
	cmd.Flags().StringVar(&reportJUnit, "report-junit", "", "write a JUnit XML report to this file, for CI")
	cmd.Flags().StringVar(&reportMD, "report-md", "", "write a Markdown report to this file, for people")
	cmd.Flags().StringVar(&reportProm, "report-prom", "", "write the result as OpenMetrics to this file (name it *.prom), for node_exporter's textfile collector; replaced atomically")
	cmd.Flags().StringVar(&journal, "journal", "", "the journal file to create (default NAME-TIMESTAMP.journal in $XDG_STATE_HOME/vtui/drills or ~/.local/state/vtui/drills)")
	return cmd
}

// connectForPlan connects to the vCenter a drill plan runs on
// (config.ForPlan).
func (a *app) connectForPlan(cmd *cobra.Command, plan drill.Plan) (*vsphere.Client, error) {
	s, err := config.ForPlan(cmd.Context(), a.settings, a.configInput(a.flags), plan.Context)
	if err != nil {
		return nil, err
	}
	a.printNotes(slices.DeleteFunc(slices.Clone(s.Notes), func(n string) bool { return slices.Contains(a.settings.Notes, n) }))
	return a.connectWith(cmd.Context(), s)
}

// drillDryRun runs the preflight and says what would be injected.
func (a *app) drillDryRun(cmd *cobra.Command, r *drill.Runner) error {
	pre, err := r.Preflight(cmd.Context())
	if err != nil {
		return err
	}
	if a.settings.Output != outputTable {
		if err := writeValue(cmd.OutOrStdout(), a.settings.Output, pre.DryRun(r.Plan)); err != nil {
			return err
		}
	} else {
		pre.WriteText(cmd.OutOrStdout(), r.Plan)
	}
	if !pre.OK() {
		return fmt.Errorf("preflight refused the drill, so nothing would be injected: %s", pre.Why())
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "dry run: would %s; nothing was changed\n", pre.Injection(r.Plan.Inject.Method))
	return nil
}

// drillExit maps a report to the exit-code contract.
func drillExit(rep *drill.Report) error {
	why := strings.Join(rep.Reasons, "; ")
	switch rep.Result {
	case drill.ResultPass, drill.ResultPassWithWarnings:
		return nil
	case drill.ResultFail:
		return withExitCode(exitDrillFailed, fmt.Errorf("drill %s failed: %s", rep.Plan.Name, why))
	case drill.ResultInterrupted:
		return fmt.Errorf("drill %s interrupted; rollback %s", rep.Plan.Name, rep.Rollback.Summary())
	}
	var ue usageError
	if errors.As(rep.Err, &ue) || errors.Is(rep.Err, errDeclined) {
		return rep.Err // no terminal to confirm on, or declined: nothing was changed
	}
	return fmt.Errorf("drill %s could not run: %s", rep.Plan.Name, why)
}

func newDrillRollbackCmd(a *app) *cobra.Command {
	var unrecorded bool
	cmd := &cobra.Command{
		Use:   "rollback JOURNAL",
		Short: "Finish the rollback of a drill whose runner died, from its journal",
		Long: `Undo a drill's changes from its journal: recover the hosts the drill
failed (for method command, by the plan's recover command), take them out
of maintenance mode, move the VMs the drill moved back to their baseline
hosts and power states, restore DRS if the drill pinned it, compare with
the baseline and release the drill lock.

Only the drill's changes are undone. A change someone else made during the
drill (a VM the drill did not target powered off, say) is kept, and named
with who made it and when, from vCenter's events.

The journal names the vCenter the drill ran on; a rollback against any
other is refused (exit 2). A journal of an older vtui names none: check
that you are connected to the drill's vCenter, then add
--unrecorded-vcenter.

A rollback that leaves some of the drill's changes not undone keeps the
drill lock and leaves the journal open: run it again. A journal whose
drill ended is left alone. vtui asks first (without a terminal, give
--yes). --dry-run says what the rollback would do, and --readonly refuses
it; neither writes the journal. Exit 0 when the drill's changes are undone
(or with --dry-run), 1 otherwise.`,
		Example: `  vtui drill rollback nightly-20261128T030000Z.journal --dry-run
  vtui drill rollback nightly-20261128T030000Z.journal --yes`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			entries, err := drill.ReadJournal(cmd.Context(), args[0])
			if err != nil {
				return usageError{err}
			}
			plan := *entries[0].Plan
			c, err := a.connectForPlan(cmd, plan)
			if err != nil {
				return err
			}
			defer c.Close(context.WithoutCancel(cmd.Context()))
			stderr := cmd.ErrOrStderr()
			rb, err := drillrun.Rollback(cmd.Context(), c, args[0], drill.RollbackOptions{
				OnStep: func(s string) { fmt.Fprintln(stderr, s) },
				Confirm: func(ctx context.Context) error {
					return a.confirm(ctx, fmt.Sprintf("Roll back drill %s on %s from %s?", plan.Name, plan.Cluster, args[0]))
				},
				Unrecorded:  unrecorded,
				BMCPassword: a.bmcPassword,
			})
			if errors.Is(err, drill.ErrOtherVCenter) || errors.Is(err, drill.ErrUnrecordedVCenter) {
				return usageError{err}
			}
			var unfinished *drillrun.UnfinishedError
			if err != nil && !errors.As(err, &unfinished) {
				return err
			}
			if a.settings.Output != outputTable {
				if err := writeValue(cmd.OutOrStdout(), a.settings.Output, rb); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "drill %s on %s:\n", plan.Name, plan.Cluster)
				rb.WriteText(cmd.OutOrStdout())
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&unrecorded, "unrecorded-vcenter", false, "roll back a journal that names no vCenter (written by an older vtui) against this one")
	return cmd
}

func newDrillUnlockCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "unlock CLUSTER",
		Short: "Clear a cluster's drill lock, such as one a dead drill left",
		Long: `Clear the drill lock of a cluster (its vtui.drill.lock custom attribute),
whoever holds it. A drill takes the lock for its run and its rollback, and
releases it when its changes are undone; a drill that died, or whose
rollback did not finish, leaves it held until it expires. Roll the drill
back from its journal first when you can (vtui drill rollback JOURNAL):
that releases the lock too.

vtui names the holder and the expiry and asks first (without a terminal,
give --yes). The lock is cleared only if it is still the one shown: a
drill that took it meanwhile keeps it. --dry-run shows what would be
cleared, --readonly refuses. A cluster without a lock is left alone.`,
		Example: `  vtui drill unlock cluster-a
  vtui drill unlock cluster-a --dry-run`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.change(cmd, func(s *changeSession) error {
				ctx, stderr := cmd.Context(), cmd.ErrOrStderr()
				cl, err := s.resolve.Cluster(ctx, args[0], "CLUSTER")
				if err != nil {
					return badName(err)
				}
				cur, err := drillkit.ReadLock(ctx, s.c, cl.Ref)
				if err != nil {
					return err
				}
				if cur.Holder == "" {
					fmt.Fprintf(stderr, "%s has no drill lock; nothing to clear\n", cl.Name)
					return nil
				}
				lock := cur.Describe(time.Now())
				fmt.Fprintf(stderr, "the drill lock of %s is held by %s\n", cl.Name, lock)
				if policy := s.gate.Policy(); !policy.DryRun && !policy.ReadOnly {
					if err := a.confirm(ctx, fmt.Sprintf("Clear the drill lock of %s, held by %s?", cl.Name, lock)); err != nil {
						return err
					}
				}
				actions := []gate.Action{gate.UnlockCluster(cl, cur, cur.Holder)}
				return s.execute(gate.RunOptions{Concurrency: 1}, runAll(actions))
			})
		},
	}
}

// bmcPassword reads the password of a plan's BMC user from where the plan
// names it, or asks on the terminal.
func (a *app) bmcPassword(ctx context.Context, b drill.BMC) (string, error) {
	var ask func(string) (string, error)
	if a.sys.promptPassword != nil {
		ask = func(p string) (string, error) { return a.sys.promptPassword(ctx, p) }
	}
	return config.ReadSecret(ctx, "inject.bmc", "BMC user "+b.Username, b.PasswordEnv, b.PasswordFile, a.sys.lookupEnv, ask)
}

// viewBMCPassword is bmcPassword for the terminal UI's drill view, which
// owns the terminal and so cannot prompt: the password comes only from
// where the plan names it.
func (a *app) viewBMCPassword(ctx context.Context, b drill.BMC) (string, error) {
	if b.PasswordEnv == "" && b.PasswordFile == "" {
		return "", config.UsageError{Err: fmt.Errorf("%w for BMC user %s: the drill view cannot ask for it; name it with password-env or password-file in the plan's inject.bmc, or run the plan with vtui drill run, which asks",
			config.ErrNoPassword, b.Username)}
	}
	return config.ReadSecret(ctx, "inject.bmc", "BMC user "+b.Username, b.PasswordEnv, b.PasswordFile, a.sys.lookupEnv, nil)
}
