package drill

import (
	"fmt"
	"io"
	"strings"

	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
)

// The plain-text renderers of a drill, for people at a terminal: the
// command line prints them, a script reads the JSON of the same values.

// Describe says in one line what a plan does: its cluster, scenario,
// targets, method, expectations and rollback.
func (p Plan) Describe() string {
	targets := strings.Join(p.Targets.Hosts, ", ")
	switch p.Targets.Pick {
	case PickMostVMs:
		targets = fmt.Sprintf("the %d hosts running the most VMs", p.Targets.Count)
	case PickRandom:
		targets = fmt.Sprintf("%d hosts picked at random", p.Targets.Count)
	}
	if p.Targets.Count == 1 {
		targets = strings.Replace(strings.Replace(targets, "the 1 hosts", "the host", 1), "1 hosts", "1 host", 1)
	}
	return fmt.Sprintf("drill %q on %s: %s of %s by %s; expects every protected VM back within %s, at most %d lost; rollback %s",
		p.Name, p.Cluster, p.Scenario, targets, p.Inject.Method, p.Expect.RTO, p.Expect.Lost, p.Rollback)
}

// WriteText writes the preflight of plan for people: the plan's
// description, a line per check, the protected VMs and where HA should
// restart each.
func (p *Preflight) WriteText(w io.Writer, plan Plan) {
	fmt.Fprintf(w, "%s\n", plan.Describe())
	writeChecks(w, p.Checks)
	if p.SteadyState != nil {
		fmt.Fprintf(w, "steady state:\n")
		writeChecks(w, p.SteadyState)
	}
	if len(p.Protected) > 0 {
		var names []string
		for _, v := range p.Protected {
			names = append(names, v.Name)
		}
		fmt.Fprintf(w, "protected: %s\n", strings.Join(names, ", "))
	}
	for _, r := range p.WhatIf.Restarts {
		fmt.Fprintf(w, "  expected: %s restarts on %s\n", r.VM, r.To)
	}
}

// writeChecks writes a line per check: its status, name and reason, the
// reasons aligned (names take at least 17 columns, the preflight's
// longest).
func writeChecks(w io.Writer, checks []gate.Check) {
	width := 17
	for _, c := range checks {
		width = max(width, len(c.Name))
	}
	for _, c := range checks {
		fmt.Fprintf(w, "  %-4s %-*s %s\n", c.Status, width, c.Name, c.Reason)
	}
}

// Line is the moment as a line of the timeline a drill writes as it
// runs, without the newline: the seconds since the injection, the kind,
// the object and what happened.
func (m Moment) Line() string {
	obj := m.Object
	if obj != "" {
		obj += " "
	}
	return fmt.Sprintf("%+9.3fs %-5s %s%s", m.At, m.Kind, obj, m.What)
}

// WriteText writes the verdict for people: the result and its reasons,
// the recovery numbers when the drill injected, and the rollback.
func (r *Report) WriteText(w io.Writer) {
	protected := 0
	for _, v := range r.VMs {
		if v.Protected {
			protected++
		}
	}
	fmt.Fprintf(w, "drill %s on %s: %s\n", r.Plan.Name, r.Plan.Cluster, strings.ToUpper(string(r.Result)))
	for _, why := range r.Reasons {
		fmt.Fprintf(w, "  %s\n", why)
	}
	if !r.Injected.IsZero() {
		fmt.Fprintf(w, "rto %s (expected at most %s); %d protected VMs, %d lost, %d duplicated; HA %s\n",
			r.RTO(), r.Plan.Expect.RTO, protected, r.Lost, r.Duplicated, r.HA)
	}
	r.Rollback.WriteText(w)
	if ss := r.SteadyState; ss != nil {
		fmt.Fprintf(w, "steady state before the drill:\n")
		writeChecks(w, ss.Before)
		if ss.NotAfter != "" {
			fmt.Fprintf(w, "steady state after the rollback: not checked: %s\n", ss.NotAfter)
		} else {
			fmt.Fprintf(w, "steady state after the rollback:\n")
			writeChecks(w, ss.After)
		}
	}
	for _, line := range r.Provenance.lines(r.VCenter) {
		fmt.Fprintf(w, "%s\n", line)
	}
}

// lines says the provenance for people, a line each: who ran the drill
// on which vCenter, with which vtui and plan, and against vtui's
// simulator, its HA model and what it does not model.
func (p Provenance) lines(vc *vsphere.Identity) []string {
	where := "an unknown vCenter"
	if vc != nil {
		where = vc.String()
		if vc.Version != "" {
			where += fmt.Sprintf(", %s %s build %s", vc.Product, vc.Version, vc.Build)
		}
	}
	plan := "a plan not read from a file"
	if p.PlanSHA256 != "" {
		plan = "plan sha256 " + p.PlanSHA256
	}
	out := []string{
		fmt.Sprintf("run by %s as %s on %s", p.OSUser, p.VCenterUser, where),
		fmt.Sprintf("with vtui %s (%s), %s", p.VTUI.Version, p.VTUI.Go, plan),
	}
	if m := p.Simulator; m != nil {
		out = append(out, "simulated HA: "+m.HA.Describe(), "not modelled: "+strings.Join(m.Unmodeled, "; "))
	}
	return out
}

// WriteText says for people how a rollback went: its Summary, then every
// difference and outside change on a line of its own.
func (rb RollbackReport) WriteText(w io.Writer) {
	fmt.Fprintf(w, "rollback: %s\n", rb.Summary())
	for _, d := range rb.Diffs {
		fmt.Fprintf(w, "  %s\n", d)
	}
	if len(rb.Outside) > 0 {
		fmt.Fprintf(w, "warning: %s:\n", rb.Kept())
		for _, o := range rb.Outside {
			fmt.Fprintf(w, "  %s\n", o)
		}
	}
}

// Summary sums a rollback up in one bounded line, fit to end an error
// message: it names the first differences and counts the rest, and never
// claims the cluster equals the baseline while others' changes were kept.
func (rb RollbackReport) Summary() string {
	kept := ""
	if len(rb.Outside) > 0 {
		kept = "; " + rb.Kept()
	}
	switch {
	case rb.Skipped != "":
		return "skipped: " + rb.Skipped
	case rb.DryRun:
		return fmt.Sprintf("dry run: %s planned, nothing was changed%s", format.Count(len(rb.Steps), "step"), kept)
	case rb.OK && kept == "":
		return "ok, the cluster equals the baseline"
	case rb.OK:
		return "ok, the drill's changes were undone" + kept
	}
	return fmt.Sprintf("left %d of the drill's changes not undone: %s%s", len(rb.Diffs), gate.Summarize(rb.Diffs, "; "), kept)
}
