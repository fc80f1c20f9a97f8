package drill

import (
	"fmt"
	"io"
	"strings"

	"github.com/vtui/vtui/vsphere/gate"
)

// MaxTimelineRows bounds the timeline a Markdown report shows; the JSON
// report has it whole.
const MaxTimelineRows = 200

// WriteMarkdown writes the report for people: a summary, the recovery
// breakdown, the preflight, each VM's verdict, the timeline, the
// rollback, the warnings and the steps.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Drill %s on %s: %s\n\n", r.Plan.Name, r.Plan.Cluster, strings.ToUpper(string(r.Result)))
	for _, why := range r.Reasons {
		fmt.Fprintf(&b, "- %s\n", why)
	}
	if len(r.Reasons) > 0 {
		b.WriteString("\n")
	}
	rollback := "ok"
	switch {
	case r.Rollback.Skipped != "":
		rollback = "skipped: " + r.Rollback.Skipped
	case !r.Rollback.OK:
		rollback = fmt.Sprintf("%d of the drill's changes not undone", len(r.Rollback.Diffs))
	case len(r.Rollback.Outside) > 0:
		rollback = "ok; " + r.Rollback.Kept() + " (see Warnings)"
	}
	vcenter := "unknown"
	if r.VCenter != nil {
		vcenter = r.VCenter.String()
	}
	summary := [][]string{
		{"Errors", fmt.Sprint(r.ErrorCount)},
		{"Warnings", fmt.Sprint(r.WarningCount)},
		{"vCenter", vcenter},
		{"Scenario", fmt.Sprintf("%s by %s", r.Plan.Scenario, r.Plan.Inject.Method)},
		{"Targets", strings.Join(r.Targets, ", ")},
	}
	if len(r.BMCs) > 0 {
		summary = append(summary, []string{"BMCs", bmcSummary(r.BMCs)}) // beside the targets they powered
	}
	summary = append(summary, [][]string{
		{"HA", string(r.HA)},
		{"RTO", fmt.Sprintf("%s (expected at most %s)", r.RTO(), r.Plan.Expect.RTO)},
		{"Protected VMs", fmt.Sprintf("%d: %d lost (at most %d expected), %d late, %d duplicated, %d not as predicted", r.Protected(), r.Lost, r.Plan.Expect.Lost,
			len(r.Verdicts(VerdictLate)), r.Duplicated, r.Unexpected)},
		{"Rollback", rollback},
		{"Started", r.Started.Format("2006-01-02 15:04:05 MST")},
		{"Wall time", fmt.Sprintf("%.1f s", r.Seconds)},
	}...)
	table(&b, []string{"Result", string(r.Result)}, summary)
	if bd := r.Breakdown; bd != (Breakdown{}) {
		b.WriteString("\n## Recovery\n\n")
		table(&b, []string{"since the injection", "seconds"}, [][]string{
			{"a target seen failing", sec(bd.DetectedSeconds)},
			{"HA declared it failed", sec(bd.DeclaredSeconds)},
			{"first protected VM running again", sec(bd.FirstRecoverySeconds)},
			{"last protected VM running again (the RTO, unless one never was)", sec(bd.LastRecoverySeconds)},
		})
	}
	b.WriteString("\n## Preflight\n\n")
	var rows [][]string
	for _, c := range r.Preflight {
		rows = append(rows, []string{c.Name, string(c.Status), c.Reason})
	}
	table(&b, []string{"check", "status", "reason"}, rows)
	if len(r.VMs) > 0 {
		b.WriteString("\n## VMs\n\n")
		rows = rows[:0]
		for _, v := range r.VMs {
			rows = append(rows, []string{v.Name, string(v.Verdict), string(v.Expected), yesNo(v.Protected), string(v.RestartPriority), v.FromHost, instant(v.Down),
				instant(v.Back), v.ToHost, fmt.Sprint(v.PowerOns), v.Note})
		}
		table(&b, []string{"VM", "verdict", "predicted", "protected", "priority", "from", "down (s)", "back (s)", "on", "power-ons", "note"}, rows)
	}
	if len(r.Timeline) > 0 {
		b.WriteString("\n## Timeline\n\n")
		rows = rows[:0]
		for i, m := range r.Timeline {
			if i == MaxTimelineRows {
				fmt.Fprintf(&b, "The first %d of %d moments; the JSON report has them all.\n\n", MaxTimelineRows, len(r.Timeline))
				break
			}
			rows = append(rows, []string{fmt.Sprintf("%+.3f", m.At), m.Kind, m.Object, m.What})
		}
		table(&b, []string{"t (s)", "kind", "object", "what"}, rows)
	}
	b.WriteString("\n## Rollback\n\n")
	if r.Rollback.Skipped != "" {
		fmt.Fprintf(&b, "Skipped: %s\n", r.Rollback.Skipped)
	}
	if r.Rollback.Seconds > 0 {
		fmt.Fprintf(&b, "Took %.1f s.\n\n", r.Rollback.Seconds)
	}
	for _, s := range r.Rollback.Steps {
		fmt.Fprintf(&b, "- %s\n", s)
	}
	for _, d := range r.Rollback.Diffs {
		fmt.Fprintf(&b, "- **differs:** %s\n", d)
	}
	if ss := r.SteadyState; ss != nil {
		b.WriteString("\n## Steady state\n\n")
		if ss.NotAfter != "" {
			fmt.Fprintf(&b, "Not checked after the rollback: %s\n\n", ss.NotAfter)
		}
		rows = rows[:0]
		for _, when := range []struct {
			name   string
			checks []gate.Check
		}{{"before the drill", ss.Before}, {"after the rollback", ss.After}} {
			for _, c := range when.checks {
				rows = append(rows, []string{when.name, c.Name, string(c.Status), c.Reason})
			}
		}
		table(&b, []string{"when", "check", "status", "reason"}, rows)
	}
	if len(r.Warnings) > 0 {
		b.WriteString("\n## Warnings\n\n")
		for _, w := range r.Warnings {
			fmt.Fprintf(&b, "- %s\n", w)
		}
	}
	if len(r.Steps) > 0 {
		b.WriteString("\n## Steps\n\n")
		rows = rows[:0]
		for _, s := range r.Steps {
			rows = append(rows, []string{string(s.Step), yesNo(s.Ran), s.Why})
		}
		table(&b, []string{"step", "ran", "why not"}, rows)
	}
	r.writeProvenance(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeProvenance writes who ran the drill, where and with what, and
// the plan as run, fenced so that no line of it ends the block.
func (r *Report) writeProvenance(b *strings.Builder) {
	p := r.Provenance
	b.WriteString("\n## Provenance\n\n")
	rows := [][]string{{"OS user", p.OSUser}, {"vCenter user", p.VCenterUser}}
	if vc := r.VCenter; vc != nil {
		rows = append(rows, []string{"vCenter", vc.URL}, []string{"vCenter instance", vc.InstanceUUID},
			[]string{"vCenter version", strings.TrimSpace(fmt.Sprintf("%s %s build %s", vc.Product, vc.Version, vc.Build))})
	}
	vtui := p.VTUI.Version
	if p.VTUI.Revision != "" {
		vtui += fmt.Sprintf(" (commit %s, modified %t)", p.VTUI.Revision, p.VTUI.Modified)
	}
	rows = append(rows, []string{"vtui", vtui + ", " + p.VTUI.Go}, []string{"Plan SHA-256", p.PlanSHA256})
	if m := p.Simulator; m != nil {
		rows = append(rows, []string{"Simulated HA", m.HA.Describe()})
	}
	table(b, []string{"field", "value"}, rows)
	if m := p.Simulator; m != nil {
		b.WriteString("\nWhat the simulator does not model:\n\n")
		for _, u := range m.Unmodeled {
			fmt.Fprintf(b, "- %s\n", u)
		}
	}
	if p.PlanText != "" {
		fence := "```"
		for strings.Contains(p.PlanText, fence) {
			fence += "`"
		}
		fmt.Fprintf(b, "\nThe plan as run:\n\n%syaml\n%s", fence, p.PlanText)
		if !strings.HasSuffix(p.PlanText, "\n") {
			b.WriteString("\n")
		}
		b.WriteString(fence + "\n")
	}
}

// table writes a Markdown table.
func table(b *strings.Builder, head []string, rows [][]string) {
	line := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + strings.ReplaceAll(strings.ReplaceAll(c, "|", `\|`), "\n", " ") + " |")
		}
		b.WriteString("\n")
	}
	line(head)
	sep := make([]string, len(head))
	for i := range sep {
		sep[i] = "---"
	}
	line(sep)
	for _, r := range rows {
		line(r)
	}
}

func sec(s float64) string {
	if s == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f", s)
}

// instant is a cell of seconds since the injection, "-" for none.
func instant(i *Instant) string {
	if i == nil {
		return "-"
	}
	return fmt.Sprintf("%+.3f", i.Seconds)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// bmcSummary says, for the Markdown report, which BMC each target was
// powered through and the system it said it powers.
func bmcSummary(bmcs []PlannedBMC) string {
	parts := make([]string, 0, len(bmcs))
	for _, b := range bmcs {
		s := b.Host + " at " + b.Address
		if b.System != nil {
			s += fmt.Sprintf(" (system %s, UUID %s)", b.System.ID, b.System.UUID)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}
