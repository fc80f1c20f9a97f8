package drill

import (
	"bytes"
	"cmp"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/mattn/go-runewidth"

	"github.com/vtui/vtui/ha/drill"
	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/internal/strictyaml"
	"github.com/vtui/vtui/ui/common"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
)

// View renders the view: a title, where the drill stands, the note, the
// content (scrolled; while the drill runs, its newest moments), and the
// keys. An open confirmation takes the whole view.
func (m *Model) View() string {
	if m.dialog != nil {
		return m.dialog.View()
	}
	w, h := m.common.Width, m.common.Height
	line := func(s string) string { return lipgloss.NewStyle().MaxWidth(w).Render(s) }
	content, focus := m.content()
	room := m.pageHeight()
	if focus >= 0 { // the plan chosen stays in view
		m.offset = max(min(m.offset, focus), focus+1-room)
	}
	m.offset = max(min(m.offset, len(content)-room), 0)
	content = content[m.offset:min(m.offset+room, len(content))]

	m.help.Width = w
	var out []string
	for _, l := range append(m.head(), content...) {
		out = append(out, line(l))
	}
	for len(out) < h-1 {
		out = append(out, "")
	}
	out = append(out[:max(h-1, 0)], line(m.common.Styles.Hint.Render(m.help.ShortHelpView(m.ShortHelp()))))
	return strings.Join(out, "\n")
}

// head is the lines above the content: the title, where the drill
// stands, and the note, whole, or a blank line.
func (m *Model) head() []string {
	st := m.common.Styles
	title := st.Title.Render("vtui") + " " + st.Crumb.Render("drill")
	if name := m.chosen.plan.Name; name != "" && m.phase != phaseChoose {
		title += st.Crumb.Render(" › " + name)
	}
	out := []string{title, m.status()}
	if m.note == "" {
		return append(out, "")
	}
	for _, l := range wrapText(m.note, m.common.Width, 0, 2) {
		if m.noteBad {
			l = st.Bad.Render(l)
		}
		out = append(out, l)
	}
	return out
}

// pageHeight is how many lines of content fit: the view's height less
// its head and its keys.
func (m *Model) pageHeight() int { return max(m.common.Height-1-len(m.head()), 1) }

// status says where the drill stands.
func (m *Model) status() string {
	st := m.common.Styles
	spin := m.spinner.View() + " "
	switch m.phase {
	case phaseChoose:
		if !m.offered {
			return spin + "looking for plans…"
		}
		if m.sel.Cluster != "" {
			return "Choose a plan: built from " + m.selectedKind() + ", a file here, or a path"
		}
		return "Choose a plan: a file here, or a path (select a host or a cluster first to have one built)"
	case phasePlan:
		return "The plan, " + from(m.chosen) + "; enter runs its preflight, which changes nothing"
	case phaseChecking:
		return spin + "running the preflight against " + m.chosen.plan.Cluster + "…"
	case phasePreflight:
		switch failed := m.pre.Failed(); {
		case len(failed) > 0:
			return st.Bad.Render(fmt.Sprintf("The preflight refused the drill: %d of %d checks failed, so nothing can be injected", len(failed), len(m.pre.Checks)))
		case m.dryRun():
			return st.Warn.Render(fmt.Sprintf("The preflight passed: %d checks; a dry run goes no further", len(m.pre.Checks)))
		}
		return st.Good.Render(fmt.Sprintf("The preflight passed: %d checks", len(m.pre.Checks)))
	case phaseRunning:
		if m.aborting {
			return spin + st.Warn.Render("aborting: rolling back to the baseline…")
		}
		return spin + "running: " + m.pre.Injection(m.chosen.plan.Inject.Method)
	}
	rep := m.report
	return m.resultStyle(rep.Result).Render(strings.ToUpper(string(rep.Result))) +
		fmt.Sprintf(": drill %s on %s, HA %s; %s, %s", rep.Plan.Name, rep.Plan.Cluster, rep.HA,
			format.Count(rep.ErrorCount, "error"), format.Count(rep.WarningCount, "warning"))
}

// resultStyle colours a verdict.
func (m *Model) resultStyle(r drill.Result) lipgloss.Style {
	st := m.common.Styles
	switch r {
	case drill.ResultPass:
		return st.Good.Bold(true)
	case drill.ResultPassWithWarnings, drill.ResultInterrupted:
		return st.Warn.Bold(true)
	}
	return st.Bad.Bold(true)
}

func from(c choice) string {
	if c.label == "built" {
		return c.source
	}
	return "from " + c.source
}

func (m *Model) selectedKind() string {
	if m.sel.Host != "" {
		return "host " + m.sel.Host
	}
	return "cluster " + m.sel.Cluster
}

// content is the lines of what the view shows now, before scrolling,
// and the line that must stay in view (the cursor's), or -1.
func (m *Model) content() (lines []string, focus int) {
	switch m.phase {
	case phaseChoose:
		return m.choiceLines()
	case phasePlan, phaseChecking:
		return planLines(m.chosen.plan), -1
	case phasePreflight:
		return m.preflightLines(), -1
	case phaseRunning:
		return m.runningLines(), -1
	}
	return m.resultLines(), -1
}

// choiceLines is the plans offered, then the path input, and the
// cursor's line.
func (m *Model) choiceLines() (lines []string, focus int) {
	if !m.offered {
		return nil, -1
	}
	cursor := func(i int) string {
		if i == m.cursor {
			return "› "
		}
		return "  "
	}
	rows := make([][]string, len(m.choices))
	for i, c := range m.choices {
		rows[i] = []string{cursor(i) + c.label, summary(c.plan)}
	}
	for i, row := range alignRows(rows, m.common.Width) {
		if i == m.cursor {
			focus = len(lines)
		}
		lines = append(lines, row...)
	}
	if m.cursor == len(m.choices) {
		focus = len(lines)
	}
	m.path.Width = max(m.common.Width-2-len(m.path.Prompt)-1, 1)
	lines = append(lines, strings.TrimRight(cursor(len(m.choices))+m.path.View(), " "))
	if m.others > 0 {
		lines = append(lines, "", m.common.Styles.Hint.Render(fmt.Sprintf("%d other .yaml file(s) here: not drill plans", m.others)))
	}
	return append(lines, m.historyLines()...), focus
}

// planLines is the plan as its YAML file says it, defaults filled in.
func planLines(p drill.Plan) []string {
	var b bytes.Buffer
	if err := strictyaml.Encode(&b, p); err != nil {
		return []string{fmt.Sprintf("could not show the plan: %v", err)}
	}
	return strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
}

func (m *Model) preflightLines() []string {
	st, w := m.common.Styles, m.common.Width
	pre := m.pre
	var out []string
	if pre.OK() && m.dryRun() {
		for _, l := range wrapText("dry run: would "+pre.Injection(m.chosen.plan.Inject.Method)+"; nothing was changed", w, 0, 2) {
			out = append(out, st.Warn.Render(l))
		}
		out = append(out, "")
	}
	out = append(out, "Checks")
	rows := make([][]string, len(pre.Checks))
	for i, c := range pre.Checks {
		status := string(c.Status)
		if c.Status == gate.CheckFail {
			status = "FAIL"
		}
		rows[i] = []string{"", status, c.Name, c.Reason}
	}
	for i, lines := range alignRows(rows, w) {
		for _, l := range lines {
			if pre.Checks[i].Status == gate.CheckFail {
				l = st.Bad.Render(l)
			}
			out = append(out, l)
		}
	}
	if len(pre.Targets) == 0 {
		return out
	}
	var targets []string
	for _, h := range pre.Targets {
		targets = append(targets, h.Name)
	}
	out = append(out, "", fmt.Sprintf("Targets: %s (HA %s)", strings.Join(targets, ", "), pre.HA))
	expected := map[string]string{}
	for _, r := range pre.WhatIf.Restarts {
		expected[r.VM] = r.To
	}
	onTarget := map[vsphere.Ref]bool{}
	for _, h := range pre.Targets {
		onTarget[h.Ref] = true
	}
	rows = [][]string{{"", "VM", "NOW ON", "EXPECTED ON"}}
	for _, v := range pre.Protected {
		to := expected[v.Name]
		switch {
		case !onTarget[v.HostRef]:
			to = "stays: not on a target"
		case to == "":
			to = "-"
		}
		rows = append(rows, []string{"", v.Name, v.Host, to})
	}
	out = append(out, wrapText(fmt.Sprintf("Protected VMs (%d), and where the what-if expects each to run after the failure:", len(pre.Protected)), w, 0, 2)...)
	out = append(out, m.table(rows)...)
	if len(pre.Unprotected) > 0 {
		var names []string
		for _, v := range pre.Unprotected {
			names = append(names, v.Name)
		}
		out = append(out, wrapText("Not protected (reported, never failing the drill): "+strings.Join(names, ", "), w, 0, 2)...)
	}
	return out
}

// table aligns rows whose first is the header, styled as one.
func (m *Model) table(rows [][]string) []string {
	out := align(rows, m.common.Width)
	out[0] = m.common.Styles.DetailKey.Render(out[0])
	return out
}

// runningLines is the journal, the protected VMs' states, then the
// newest moments of the timeline that fit, the newest at the bottom.
func (m *Model) runningLines() []string {
	room := m.pageHeight()
	rows := [][]string{{"VM", "FROM", "STATE"}}
	for _, v := range m.live.VMs() {
		rows = append(rows, []string{v.Name, v.From, liveState(v)})
	}
	vms := m.table(rows)
	if most := max(room/3, 2); len(vms) > most {
		vms = append(vms[:most-1], m.common.Styles.Hint.Render(fmt.Sprintf("… and %d more VMs", len(vms)-most+1)))
	}
	out := append([]string{"Journal: " + cmp.Or(m.journal, "…")}, vms...)
	out = append(out, "", fmt.Sprintf("Timeline: %d moments, seconds since the injection", len(m.timeline)))
	return append(out, momentLines(m.timeline[max(len(m.timeline)-(room-len(out)), 0):], m.live.Since)...)
}

// liveState says where a protected VM stands: down, or running again and
// where.
func liveState(v drill.LiveVM) string {
	switch {
	case v.Back && v.Down:
		return fmt.Sprintf("running again on %s after %.2fs", v.Host, v.BackAt)
	case v.Back:
		return fmt.Sprintf("moved to %s after %.2fs", v.Host, v.BackAt)
	case v.Down:
		return fmt.Sprintf("down since %.2fs", v.DownAt)
	}
	return "running on " + v.Host
}

// momentLines writes a timeline, a line a moment (cut, not wrapped, to
// the width); since gives a moment's seconds since the injection, if
// known.
func momentLines(moments []drill.Moment, since func(drill.Moment) (float64, bool)) []string {
	out := make([]string, len(moments))
	for i, mo := range moments {
		at := "·"
		if s, ok := since(mo); ok {
			at = fmt.Sprintf("%+.2fs", s)
		}
		what := mo.What
		if mo.Object != "" {
			what = mo.Object + " " + what
		}
		out[i] = fmt.Sprintf("  %9s %-5s %s", at, mo.Kind, what)
	}
	return out
}

// resultLines is the drill's outcome: its errors, the RTO, a verdict
// per VM, the warnings, the rollback, the steps not run, the journal and
// reports, and the timeline.
func (m *Model) resultLines() []string {
	st, w := m.common.Styles, m.common.Width
	rep := m.report
	var out []string
	for _, why := range rep.Reasons {
		out = append(out, wrapText(why, w, 2, 4)...)
	}
	if !rep.Injected.IsZero() {
		b := rep.Breakdown
		out = append(out, wrapText(fmt.Sprintf("RTO %s (at most %s): failing seen at %s, declared failed at %s, VMs back from %s to %s",
			rep.RTO(), rep.Plan.Expect.RTO, seconds(b.DetectedSeconds), seconds(b.DeclaredSeconds),
			seconds(b.FirstRecoverySeconds), seconds(b.LastRecoverySeconds)), w, 0, 2)...)
		out = append(out, fmt.Sprintf("%d protected VMs: %d lost (at most %d), %d late, %d duplicated, %d not as predicted", rep.Protected(), rep.Lost,
			rep.Plan.Expect.Lost, len(rep.Verdicts(drill.VerdictLate)), rep.Duplicated, rep.Unexpected))
	}
	out = append(out, m.verdictLines(rep.VMs)...)
	if len(rep.Warnings) > 0 {
		out = append(out, "", st.Warn.Render(fmt.Sprintf("Warnings (%d):", len(rep.Warnings))))
		for _, warning := range rep.Warnings {
			for _, l := range wrapText(warning, w, 2, 4) {
				out = append(out, st.Warn.Render(l))
			}
		}
	}
	out = append(append(out, ""), rollbackLines(st, w, rep.Rollback)...)
	for _, s := range rep.Steps {
		if !s.Ran {
			for _, l := range wrapText(fmt.Sprintf("Not run: %s: %s", s.Step, s.Why), w, 0, 2) {
				out = append(out, st.Hint.Render(l))
			}
		}
	}
	if m.journal != "" {
		out = append(out, wrapText("Journal: "+m.journal, w, 0, 2)...)
		if len(m.written) > 0 {
			var names []string
			for _, p := range m.written {
				names = append(names, filepath.Base(p))
			}
			out = append(out, wrapText("Reports: "+strings.Join(names, ", ")+", next to the journal", w, 0, 2)...)
		} else {
			out = append(out, "Reports: w writes them next to the journal, as .json, .junit.xml and .md")
		}
	}
	out = append(out, "", fmt.Sprintf("Timeline: %d moments, seconds since the injection", len(rep.Timeline)))
	// Before the injection every moment is at 0: there is no since.
	injected := !rep.Injected.IsZero()
	return append(out, momentLines(rep.Timeline, func(mo drill.Moment) (float64, bool) { return mo.At, injected })...)
}

// verdictLines is a table of the VMs' verdicts: each VM's restart
// priority, when it went down and was back (seconds since the
// injection), where it runs, its verdict and its notes; a VM that failed
// its test (late, lost, duplicated) stands out.
func (m *Model) verdictLines(vms []drill.VMResult) []string {
	if len(vms) == 0 {
		return nil
	}
	rows := [][]string{{"VM", "PRIORITY", "DOWN", "BACK", "ON", "VERDICT", "NOTE"}}
	for _, v := range vms {
		rows = append(rows, []string{v.Name, format.Dash(string(v.RestartPriority)), instant(v.Down), instant(v.Back), v.ToHost, string(v.Verdict), v.Note})
	}
	out := []string{""}
	for i, lines := range alignRows(rows, m.common.Width) {
		for _, l := range lines {
			switch {
			case i == 0:
				l = m.common.Styles.DetailKey.Render(l)
			case vms[i-1].Verdict.Failed():
				l = m.common.Styles.Bad.Render(l)
			}
			out = append(out, l)
		}
	}
	return out
}

// instant is seconds since the injection, "-" for none.
func instant(i *drill.Instant) string {
	if i == nil {
		return "-"
	}
	return fmt.Sprintf("%+.2fs", i.Seconds)
}

// rollbackLines says how the rollback went, wrapped to width: it claims
// the cluster equals the baseline only when no change of others was kept,
// and counts those changes (the warnings name them).
func rollbackLines(st *common.Styles, width int, rb drill.RollbackReport) []string {
	var out []string
	bad := func(text string, first, rest int) {
		for _, l := range wrapText(text, width, first, rest) {
			out = append(out, st.Bad.Render(l))
		}
	}
	switch {
	case rb.Skipped != "":
		out = append(out, wrapText("Rollback: skipped: "+rb.Skipped, width, 0, 2)...)
	case rb.OK && len(rb.Outside) == 0:
		out = append(out, st.Good.Render("Rollback: ok, the cluster equals the baseline"))
	case rb.OK:
		out = append(out, st.Good.Render("Rollback: ok, the drill's changes were undone; "+rb.Kept()+" (see the warnings)"))
	default:
		bad(fmt.Sprintf("Rollback: %d of the drill's changes not undone; the lock stays held:", len(rb.Diffs)), 0, 2)
		for _, d := range rb.Diffs {
			bad(d, 2, 4)
		}
	}
	return out
}

// seconds writes a figure of the breakdown; zero means it did not
// happen.
func seconds(s float64) string {
	if s == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fs", s)
}

// wrapText breaks text into lines of at most width cells at spaces, the
// first indented by first, the others by rest.
func wrapText(text string, width, first, rest int) []string {
	var out []string
	line := strings.Repeat(" ", first)
	fresh := true // the line holds no word yet
	for _, word := range strings.Fields(text) {
		if !fresh && runewidth.StringWidth(line)+1+runewidth.StringWidth(word) > width {
			out = append(out, line)
			line, fresh = strings.Repeat(" ", rest), true
		}
		if !fresh {
			line += " "
		}
		line += word
		fresh = false
	}
	return append(out, line)
}

// align lines up rows of cells in columns two spaces apart; a last cell
// too long for width wraps, its lines starting where it starts.
func align(rows [][]string, width int) []string {
	var out []string
	for _, lines := range alignRows(rows, width) {
		out = append(out, lines...)
	}
	return out
}

// alignRows is align's lines, row by row.
func alignRows(rows [][]string, width int) [][]string {
	if len(rows) == 0 {
		return nil
	}
	last := len(rows[0]) - 1
	widths := make([]int, last)
	for _, r := range rows {
		for i := range last {
			widths[i] = max(widths[i], runewidth.StringWidth(r[i]))
		}
	}
	out := make([][]string, len(rows))
	for n, r := range rows {
		var b strings.Builder
		for i := range last {
			b.WriteString(r[i] + strings.Repeat(" ", widths[i]-runewidth.StringWidth(r[i])) + "  ")
		}
		lead := b.String()
		cell := wrapText(r[last], max(width-runewidth.StringWidth(lead), 20), 0, 0)
		out[n] = []string{strings.TrimRight(lead+cell[0], " ")}
		for _, l := range cell[1:] {
			out[n] = append(out[n], strings.Repeat(" ", runewidth.StringWidth(lead))+l)
		}
	}
	return out
}
