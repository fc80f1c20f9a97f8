package hapanel

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/vtui/vtui/ha/capacity"
	"github.com/vtui/vtui/internal/clusterconf"
	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/ui/common"
	"github.com/vtui/vtui/vsphere/clusterspec"
)

// snapshotLines renders what was read of a cluster, section by section,
// for a panel width wide.
func snapshotLines(s Snapshot, st *common.Styles, width int) []string {
	spec := s.Session.Config.Spec
	var out []string
	out = append(out, settingsLines(spec, st)...)
	out = append(out, "")
	out = append(out, capacityLines(s, st, width)...)
	out = append(out, "")
	out = append(out, rulesLines(spec, s.Session.Config.Compliance, st)...)
	out = append(out, "")
	out = append(out, groupLines(spec, st)...)
	out = append(out, "")
	out = append(out, overrideLines(spec, st)...)
	out = append(out, "")
	out = append(out, unmodeledLines(spec.Unmodeled, st)...)
	out = append(out, "")
	return append(out, recommendationLines(s, st)...)
}

// settingsLines sets HA's settings and DRS's side by side.
func settingsLines(c clusterspec.Config, st *common.Styles) []string {
	pairs := func(kv ...string) string {
		var b strings.Builder
		for i := 0; i+1 < len(kv); i += 2 {
			fmt.Fprintf(&b, "\n  %s %s", st.DetailKey.Render(fmt.Sprintf("%-20s", kv[i])), kv[i+1])
		}
		return b.String()
	}
	h, d := c.HA, c.DRS
	ha := st.Title.Render("HA") + pairs(
		"enabled", format.YesNo(h.Enabled), "host monitoring", format.YesNo(h.HostMonitoring), "VM monitoring", string(h.VMMonitoring),
		"admission control", h.AdmissionControl.String(), "restart priority", string(h.RestartPriority),
		"isolation response", string(h.IsolationResponse))
	drs := st.Title.Render("DRS") + pairs(
		"enabled", format.YesNo(d.Enabled), "automation", string(d.Automation),
		"migration threshold", fmt.Sprintf("%d (1 conservative … 5 aggressive)", d.Threshold))
	lines := strings.Split(lipgloss.JoinHorizontal(lipgloss.Top, lipgloss.NewStyle().Width(48).Render(ha), drs), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return lines
}

// capacityLines is the what-if of one host failure: the verdict, and the
// worst case with the VMs it leaves down and why.
func capacityLines(s Snapshot, st *common.Styles, width int) []string {
	head := st.Title.Render("Capacity") + "  "
	if s.CapacityErr != nil {
		return []string{head + st.Bad.Render(fmt.Sprintf("no what-if: %v", s.CapacityErr))}
	}
	r := s.Capacity
	verdict := st.Good.Render(r.Verdict())
	if !r.Tolerates {
		verdict = st.Bad.Render(r.Verdict())
	}
	wrap := lipgloss.NewStyle().Width(max(width-4, 20))
	out := []string{head + verdict}
	para := func(text string) {
		for _, l := range strings.Split(wrap.Render(text), "\n") {
			out = append(out, "  "+strings.TrimRight(l, " "))
		}
	}
	para(fmt.Sprintf("%d hosts (%d usable), %d protected VMs; %s", r.Hosts, r.Usable, r.Protected, r.Admission))
	if w := r.Worst; w != nil {
		para(worstCase(*w))
		const most = 5
		for i, v := range w.Stranded {
			if i == most {
				para(fmt.Sprintf("and %d more", len(w.Stranded)-most))
				break
			}
			para(fmt.Sprintf("• %s (%s) left down: %s", v.VM, v.Priority, v.Reason))
		}
	}
	return out
}

// worstCase sums the worst scenario up: "worst case: esx-a-01 down: 2
// VMs restarted elsewhere, 1 left down (1 of them protected); 12 GiB of
// memory left unreserved".
func worstCase(w capacity.Scenario) string {
	down := "none left down"
	if len(w.Stranded) > 0 {
		down = fmt.Sprintf("%d left down (%d of them protected)", len(w.Stranded), w.Lost)
	}
	restarted := fmt.Sprintf("%d VMs", len(w.Restarts))
	if len(w.Restarts) == 1 {
		restarted = "1 VM"
	}
	return fmt.Sprintf("worst case: %s down: %s restarted elsewhere, %s; %s of memory left unreserved",
		strings.Join(w.Failed, "+"), restarted, down, format.MB(w.FreeMemoryMB))
}

// rulesLines lists the rules with whether vCenter says each is kept now.
func rulesLines(c clusterspec.Config, compliance map[string]bool, st *common.Styles) []string {
	out := []string{st.Title.Render(fmt.Sprintf("Rules (%d)", len(c.Rules))) + st.Hint.Render("  kept: whether vCenter reports the rule satisfied now")}
	if len(c.Rules) == 0 {
		return append(out, st.Hint.Render("  none"))
	}
	rows := [][]string{{"KEPT", "NAME", "RULE"}}
	for _, r := range c.Rules {
		kept := "?"
		if k, ok := compliance[r.Name]; ok {
			kept = format.YesNo(k)
		}
		rows = append(rows, []string{kept, r.Name, r.String()})
	}
	return append(out, table(rows, st)...)
}

func groupLines(c clusterspec.Config, st *common.Styles) []string {
	out := []string{st.Title.Render(fmt.Sprintf("Groups (%d)", len(c.VMGroups)+len(c.HostGroups)))}
	rows := [][]string{{"NAME", "KIND", "MEMBERS"}}
	for _, g := range c.VMGroups {
		rows = append(rows, []string{g.Name, "VMs", list(g.VMs)})
	}
	for _, g := range c.HostGroups {
		rows = append(rows, []string{g.Name, "hosts", list(g.Hosts)})
	}
	if len(rows) == 1 {
		return append(out, st.Hint.Render("  none"))
	}
	return append(out, table(rows, st)...)
}

func overrideLines(c clusterspec.Config, st *common.Styles) []string {
	out := []string{st.Title.Render(fmt.Sprintf("Overrides (%d)", len(c.Overrides))) + st.Hint.Render("  per VM; the rest follows the cluster")}
	if len(c.Overrides) == 0 {
		return append(out, st.Hint.Render("  none"))
	}
	return append(out, table(format.Cells(c.Overrides, clusterconf.OverrideColumns()), st)...)
}

// unmodeledLines shows, to read, what vtui does not model and never
// changes.
func unmodeledLines(u clusterspec.Unmodeled, st *common.Styles) []string {
	out := []string{st.Title.Render("Not modelled by vtui") + st.Hint.Render("  read-only: vtui keeps it as it is")}
	if u.IsZero() {
		return append(out, st.Hint.Render("  none"))
	}
	for _, r := range u.Rules {
		line := fmt.Sprintf("  rule %s (%s)", r.Name, r.Kind)
		if r.Detail != "" {
			line += ": " + r.Detail
		}
		if !r.Enabled {
			line += " (disabled)"
		}
		out = append(out, line)
	}
	for _, o := range []struct {
		what string
		opts map[string]string
	}{{"HA option", u.HAOptions}, {"DRS option", u.DRSOptions}} {
		for _, k := range slices.Sorted(maps.Keys(o.opts)) {
			out = append(out, fmt.Sprintf("  %s %s = %s", o.what, k, o.opts[k]))
		}
	}
	return out
}

func recommendationLines(s Snapshot, st *common.Styles) []string {
	out := []string{st.Title.Render(fmt.Sprintf("DRS recommendations (%d)", len(s.Recommendations)))}
	switch {
	case s.RecommendationsErr != nil:
		return append(out, st.Bad.Render(fmt.Sprintf("  could not read them: %v", s.RecommendationsErr)))
	case len(s.Recommendations) == 0:
		return append(out, st.Hint.Render("  none"))
	}
	rows := [][]string{{"KEY", "RATING", "ACTIONS", "REASON"}}
	for _, r := range s.Recommendations {
		rows = append(rows, []string{r.Key, fmt.Sprint(r.Rating), r.String(), format.Dash(r.Reason)})
	}
	return append(out, table(rows, st)...)
}

// table lays rows out in columns as wide as their widest cell, the
// first row a header.
func table(rows [][]string, st *common.Styles) []string {
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], lipgloss.Width(c))
		}
	}
	out := make([]string, len(rows))
	for ri, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = c + strings.Repeat(" ", widths[i]-lipgloss.Width(c))
		}
		text := "  " + strings.TrimRight(strings.Join(cells, "  "), " ")
		if ri == 0 {
			text = st.Table.Header.Render(text)
		}
		out[ri] = text
	}
	return out
}

func list(s []string) string { return format.Dash(strings.Join(s, ", ")) }
