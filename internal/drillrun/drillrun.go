package drillrun

import (
	"context"
	"fmt"

	"github.com/vtui/vtui/ha/drill"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
)

// Hooks are how a face takes part in a running drill: it sees the
// timeline grow, and confirms once the preflight passed.
type Hooks struct {
	OnMoment func(drill.Moment)
	Confirm  func(ctx context.Context, pre *drill.Preflight) error
	// BMCPassword reads the BMC password of a plan that names its
	// source, or asks for it (see drill.BMCPassword).
	BMCPassword drill.BMCPassword
}

// Drill is a drill about to run: its runner and the files it writes.
type Drill struct {
	Runner *drill.Runner
	Paths  Paths
}

// Begin prepares plan to run through c, writing to p (resolved and
// checked by Paths.Resolve). It creates the journal only when the run
// can change vCenter: a dry run or a read-only one keeps none (the
// preflight refuses a read-only drill). The error is the journal's.
func Begin(c *vsphere.Client, plan drill.Plan, p Paths, h Hooks) (*Drill, error) {
	d := &Drill{Runner: &drill.Runner{Client: c, Plan: plan, OnMoment: h.OnMoment, Confirm: h.Confirm, BMCPassword: h.BMCPassword}, Paths: p}
	if pol := c.Policy(); pol.DryRun || pol.ReadOnly {
		return d, nil
	}
	j, err := drill.CreateJournal(p.Journal.Path)
	if err != nil {
		return nil, err
	}
	d.Runner.Journal = j
	return d, nil
}

// Journaled says the drill keeps a journal: it can change vCenter.
func (d *Drill) Journaled() bool { return d.Runner.Journal != nil }

// Run runs the drill to its end, rollback included, and closes its
// journal.
func (d *Drill) Run(ctx context.Context) *drill.Report {
	defer d.Runner.Journal.Close()
	return d.Runner.Run(ctx)
}

// Rollback finishes the drill the journal at path recorded
// (drill.RollbackJournal). A rollback that left some of the drill's
// changes not undone returns its report and an error saying to run it
// again: the journal stays open.
func Rollback(ctx context.Context, c *vsphere.Client, path string, opts drill.RollbackOptions) (drill.RollbackReport, error) {
	rb, err := drill.RollbackJournal(ctx, c, path, opts)
	if err != nil {
		return rb, err
	}
	if !rb.OK && !rb.DryRun {
		return rb, &UnfinishedError{Journal: path, Report: rb}
	}
	return rb, nil
}

// UnfinishedError is a rollback that left some of the drill's changes not
// undone; running it again from the same journal goes on.
type UnfinishedError struct {
	Journal string
	Report  drill.RollbackReport
}

// Error says how many changes are left, which, and to run the rollback
// again.
func (e *UnfinishedError) Error() string {
	return fmt.Sprintf("the rollback left %d of the drill's changes not undone: %s; the journal stays open: run vtui drill rollback %s again",
		len(e.Report.Diffs), gate.Summarize(e.Report.Diffs, "; "), e.Journal)
}
