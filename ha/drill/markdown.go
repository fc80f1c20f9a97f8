package drill

import (
	"fmt"
	"io"
	"strings"
)

// MaxTimelineRows bounds the timeline a Markdown report shows; the JSON
// report has it whole.
const MaxTimelineRows = 200

// WriteMarkdown writes the report for people: a summary, the recovery
// breakdown, the preflight, each VM's recovery, the timeline and the
// rollback.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Drill %s on %s: %s\n\n", r.Plan.Name, r.Plan.Cluster, strings.ToUpper(string(r.Result)))
	for _, why := range r.Reasons {
		fmt.Fprintf(&b, "- %s\n", why)
	}
	if len(r.Reasons) > 0 {
		b.WriteString("\n")
	}
	protected := 0
	for _, v := range r.VMs {
		if v.Protected {
			protected++
		}
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
	table(&b, []string{"Result", string(r.Result)}, [][]string{
		{"vCenter", vcenter},
		{"Scenario", fmt.Sprintf("%s by %s", r.Plan.Scenario, r.Plan.Inject.Method)},
		{"Targets", strings.Join(r.Targets, ", ")},
		{"HA", string(r.HA)},
		{"RTO", fmt.Sprintf("%s (expected at most %s)", r.RTO(), r.Plan.Expect.RTO)},
		{"Protected VMs", fmt.Sprintf("%d: %d lost (at most %d expected), %d duplicated, %d not as predicted", protected, r.Lost, r.Plan.Expect.Lost, r.Duplicated, r.Unexpected)},
		{"Rollback", rollback},
		{"Started", r.Started.Format("2006-01-02 15:04:05 MST")},
		{"Wall time", fmt.Sprintf("%.1f s", r.Seconds)},
	})
	if bd := r.Breakdown; bd != (Breakdown{}) {
		b.WriteString("\n## Recovery\n\n")
		table(&b, []string{"since the injection", "seconds"}, [][]string{
			{"a target seen failing", sec(bd.DetectedSeconds)},
			{"HA declared it failed", sec(bd.DeclaredSeconds)},
			{"first protected VM running again", sec(bd.FirstRecoverySeconds)},
			{"last protected VM running again (RTO)", sec(bd.LastRecoverySeconds)},
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
			rows = append(rows, []string{v.Name, yesNo(v.Protected), v.FromHost, v.ToHost, yesNo(v.Recovered), sec(v.RecoverySeconds), fmt.Sprint(v.PowerOns), v.Note})
		}
		table(&b, []string{"VM", "protected", "from", "to", "recovered", "seconds", "power-ons", "note"}, rows)
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
	for _, s := range r.Rollback.Steps {
		fmt.Fprintf(&b, "- %s\n", s)
	}
	for _, d := range r.Rollback.Diffs {
		fmt.Fprintf(&b, "- **differs:** %s\n", d)
	}
	if len(r.Warnings) > 0 {
		b.WriteString("\n## Warnings\n\n")
		for _, w := range r.Warnings {
			fmt.Fprintf(&b, "- %s\n", w)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
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

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
