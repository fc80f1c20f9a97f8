package drill

import (
	"fmt"
	"io"
	"strings"

	"github.com/vtui/vtui/internal/format"
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
	expects := "every protected VM back within " + p.Expect.RTO.String()
	if p.Scenario.cutsNetwork() {
		expects = "every protected VM to do as predicted, any restarted within " + p.Expect.RTO.String()
	}
	return fmt.Sprintf("drill %q on %s: %s of %s by %s; expects %s, at most %d lost; rollback %s",
		p.Name, p.Cluster, p.Scenario, targets, p.Inject.Method, expects, p.Expect.Lost, p.Rollback)
}

// WriteText writes the preflight of plan for people: the plan's
// description, a line per check, the protected VMs and the outcome
// predicted for each.
func (p *Preflight) WriteText(w io.Writer, plan Plan) {
	fmt.Fprintf(w, "%s\n", plan.Describe())
	for _, c := range p.Checks {
		fmt.Fprintf(w, "  %-4s %-17s %s\n", c.Status, c.Name, c.Reason)
	}
	if len(p.Protected) > 0 {
		var names []string
		for _, v := range p.Protected {
			names = append(names, v.Name)
		}
		fmt.Fprintf(w, "protected: %s\n", strings.Join(names, ", "))
	}
	for _, pr := range p.Predictions {
		fmt.Fprintf(w, "  expected: %s\n", pr)
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
		fmt.Fprintf(w, "rto %s (expected at most %s); %d protected VMs, %d lost, %d duplicated, %d not as predicted; HA %s\n",
			r.RTO(), r.Plan.Expect.RTO, protected, r.Lost, r.Duplicated, r.Unexpected, r.HA)
	}
	r.Rollback.WriteText(w)
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
