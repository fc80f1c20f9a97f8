package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vtui/vtui/ha/drill/history"
	"github.com/vtui/vtui/internal/drillrun"
	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/ui/trend"
)

// The size of the RTO trend drawn by drill history: the newest runs, one
// column each.
const (
	trendWidth  = 60
	trendHeight = 3
)

func newDrillHistoryCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "history [DIR]",
		Short: "Show past drills per plan and cluster: runs, pass rate, RTO statistics and trend",
		Long: `Read the JSON reports of past drills and summarize them per plan, cluster
and vCenter: how many runs, the share that passed, the RTO's median, 95th
percentile (nearest rank: the smallest RTO that at least 95% of the runs
did not exceed) and maximum, the last failure and why, and the RTO's
trend, drawn oldest first.

DIR is where the reports are: by default the directory of drill journals
($XDG_STATE_HOME/vtui/drills, or ~/.local/state/vtui/drills), where drill
run keeps each report not named by a --report-* flag; or a directory of
CI artifacts. Every *.json file in it, and in its directories to 3 levels
down (hidden ones excepted), is read, each at most 16 MiB, at most 10,000
files. A file that is not a drill report is skipped with a note on stderr.

The RTO statistics leave out runs that did not measure it: those that
could not run, were interrupted, or lost a protected VM (whose RTO is
unbounded). -o json or yaml prints the same data, with every run.

It does not connect to vCenter. Exit 0, with or without reports; 2 when
DIR cannot be read.`,
		Example: `  vtui drill history
  vtui drill history ./artifacts -o json | jq '.plans[] | {plan, pass_rate, p95: .rto_seconds.p95}'`,
		Args:        cobra.MaximumNArgs(1),
		Annotations: map[string]string{annotationNoConfig: "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, named := "", len(args) == 1
			if named {
				dir = args[0]
			} else {
				var err error
				if dir, err = drillrun.StateDir(); err != nil {
					return usageError{err}
				}
			}
			h, err := history.Load(cmd.Context(), dir)
			switch {
			case err != nil && !named && errors.Is(err, fs.ErrNotExist):
				// No drill has run here yet.
			case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
				return err
			case err != nil:
				return usageError{err}
			}
			var notes []string
			for _, s := range h.Skipped {
				notes = append(notes, fmt.Sprintf("skipped %s: %s", s.Path, s.Reason))
			}
			a.printNotes(notes)
			if a.settings.Output != outputTable {
				return writeValue(cmd.OutOrStdout(), a.settings.Output, h)
			}
			return writeHistory(cmd.OutOrStdout(), h)
		},
	}
}

// historyColumns are drill history's table.
var historyColumns = []format.Column[history.Summary]{
	{Title: "PLAN", Cell: func(s history.Summary) string { return s.Plan }},
	{Title: "CLUSTER", Cell: func(s history.Summary) string { return s.Cluster }},
	{Title: "VCENTER", Cell: func(s history.Summary) string { return format.Dash(s.VCenter.URL) }},
	{Title: "RUNS", Cell: func(s history.Summary) string { return fmt.Sprint(s.Runs) }},
	{Title: "PASSED", Cell: func(s history.Summary) string { return format.Percent(int64(s.Passed), int64(s.Runs)) }},
	{Title: "RTO MEDIAN", Cell: func(s history.Summary) string { return rtoCell(s, s.RTO.Median) }},
	{Title: "P95", Cell: func(s history.Summary) string { return rtoCell(s, s.RTO.P95) }},
	{Title: "MAX", Cell: func(s history.Summary) string { return rtoCell(s, s.RTO.Max) }},
	{Title: "LAST FAILURE", Cell: func(s history.Summary) string {
		if s.LastFailure == nil {
			return "-"
		}
		f := s.LastFailure
		return fmt.Sprintf("%s %s: %s", f.Started.UTC().Format("2006-01-02 15:04Z"), f.Result, f.Reason())
	}},
}

func rtoCell(s history.Summary, v float64) string {
	if s.RTO.Count == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fs", v)
}

// writeHistory writes h for people: a table, then each plan's RTO trend.
func writeHistory(w io.Writer, h history.History) error {
	if len(h.Plans) == 0 {
		_, err := fmt.Fprintf(w, "no drill reports in %s\n", h.Dir)
		return err
	}
	if err := format.WriteTable(w, h.Plans, historyColumns); err != nil {
		return err
	}
	for _, s := range h.Plans {
		rtos := s.RTOs()
		fmt.Fprintf(w, "\n%s on %s", s.Plan, s.Cluster)
		if s.VCenter.URL != "" {
			fmt.Fprintf(w, " (%s)", s.VCenter.URL)
		}
		if len(rtos) == 0 {
			fmt.Fprintln(w, ": no RTO measured")
			continue
		}
		shown := rtos[max(len(rtos)-trendWidth, 0):]
		fmt.Fprintf(w, ": RTO of the last %s, oldest first, from 0 to %.1fs\n", format.Count(len(shown), "measured run"), slices.Max(shown))
		for _, line := range strings.Split(trend.Sparkline(rtos, trendWidth, trendHeight), "\n") {
			fmt.Fprintln(w, "  "+line)
		}
	}
	return nil
}
