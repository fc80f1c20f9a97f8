package perfchart

import (
	"fmt"
	"strings"
	"time"

	"github.com/NimbleMarkets/ntcharts/linechart/timeserieslinechart"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/vtui/vtui/ui/common"
	"github.com/vtui/vtui/ui/listview"
	"github.com/vtui/vtui/ui/trend"
	"github.com/vtui/vtui/vsphere"
)

// Model is the full-screen chart view: a line chart per counter of one
// host or VM, over the interval chosen (real-time, the past day, the past
// week), read again each sampling period while the view is open.
type Model struct {
	common common.Common
	help   help.Model
	f      follower
	stale  bool
	// grid is the charts as last drawn (drawing them costs milliseconds),
	// "" when the samples or the size changed since.
	grid string
}

// New returns a closed chart view; conn returns the root's connection
// when it reads, after is the root's timer.
func New(c common.Common, conn func() Conn, after After) *Model {
	return &Model{common: c, help: help.New(), f: follower{conn: conn, after: after}}
}

// samplesOf is how many samples the view shows of an interval: all that
// vCenter keeps of it (an hour of real-time samples, a day, a week).
func samplesOf(iv vsphere.Interval) int {
	switch iv {
	case vsphere.Day:
		return 288
	case vsphere.Week:
		return vsphere.MaxSamples
	}
	return 180
}

// Open shows e's charts of real-time samples and reads them.
func (m *Model) Open(e Entity) tea.Cmd {
	m.f.samples = samplesOf(vsphere.Realtime)
	return m.f.follow(e, vsphere.Realtime)
}

// Entity returns the host or VM charted; its Ref is zero when closed.
func (m *Model) Entity() Entity { return m.f.entity }

// Reading reports whether a read is under way.
func (m *Model) Reading() bool { return m.f.reading }

// Close stops following the entity; what comes back of its reads and
// timers is dropped.
func (m *Model) Close() {
	if !m.f.entity.Ref.IsZero() {
		m.f.stop()
	}
}

// Load is a view's; the charts read their own data.
func (m *Model) Load(listview.Source) {}

// SetStale marks what is shown as possibly out of date.
func (m *Model) SetStale(stale bool) { m.stale = stale }

// SetSize sets the view's size.
func (m *Model) SetSize(width, height int) { m.common.SetSize(width, height); m.grid = "" }

// Update handles the view's keys and its reads' results and timers.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if cmd, ok := m.f.update(msg); ok {
		m.grid = ""
		return cmd
	}
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	m.grid = ""
	keys := m.common.Keys.Charts
	switch {
	case key.Matches(k, m.common.Keys.Back):
		m.Close()
		m.common.Emit(listview.BackMsg{})
	case key.Matches(k, keys.Interval):
		next := vsphere.Intervals[0]
		for i, iv := range vsphere.Intervals {
			if iv == m.f.interval {
				next = vsphere.Intervals[(i+1)%len(vsphere.Intervals)]
			}
		}
		m.f.samples = samplesOf(next)
		return m.f.follow(m.f.entity, next)
	case key.Matches(k, keys.Refresh):
		return m.f.read()
	}
	return nil
}

// ShortHelp is the view's own keys.
func (m *Model) ShortHelp() []key.Binding {
	k := m.common.Keys
	return []key.Binding{k.Charts.Interval, k.Charts.Refresh, k.Back}
}

// FullHelp is ShortHelp.
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// View draws the heading and the charts, two a row.
func (m *Model) View() string {
	st := m.common.Styles
	f := &m.f
	period := time.Duration(f.interval.Seconds()) * time.Second
	head := fmt.Sprintf("%s %s · %s, a sample every %v", f.entity.Kind, f.entity.Name, f.interval, period)
	if !f.at.IsZero() {
		head += fmt.Sprintf(" · read %s UTC, again every %v", f.at.UTC().Format("15:04:05"), period)
	}
	if s := f.state(); s != "" {
		head += " · " + s
	}
	lines := []string{st.Title.Render(fit(head, m.common.Width)), m.help.ShortHelpView(m.ShortHelp())}
	body := m.common.Height - len(lines)
	if f.series == nil || body < 4 {
		return strings.Join(lines, "\n")
	}
	if m.grid == "" {
		m.grid = m.draw(body)
	}
	return strings.Join(append(lines, m.grid), "\n")
}

// draw draws the charts, two a row, in body lines.
func (m *Model) draw(body int) string {
	f := &m.f
	const cols = 2
	rows := (len(f.series) + cols - 1) / cols
	cellW, cellH := m.common.Width/cols, body/rows
	var grid []string
	for r := range rows {
		var cells []string
		for c := range cols {
			if i := r*cols + c; i < len(f.series) {
				cells = append(cells, cell(f.series[i], cellW, cellH, f.interval))
			}
		}
		grid = append(grid, lipgloss.JoinHorizontal(lipgloss.Top, cells...))
	}
	return strings.Join(grid, "\n")
}

// cell draws one counter: its title and figures, and its line chart.
func cell(s vsphere.Series, w, h int, iv vsphere.Interval) string {
	title := s.Title + " (" + s.Unit + ")"
	if v, ok := s.Latest(); ok {
		lo, avg, hi, _ := s.Range()
		title += fmt.Sprintf(" %s · min %s avg %s max %s", figure(v), figure(lo), figure(avg), figure(hi))
	} else {
		title += " · no samples"
	}
	out := fit(title, w-1)
	if h > 2 && len(s.Samples) > 1 {
		out += "\n" + lineChart(s, w-1, h-1, iv)
	}
	return lipgloss.NewStyle().Width(w).Height(h).MaxHeight(h).Render(out)
}

// lineChart draws s as an ntcharts time series line chart, w by h, its
// time axis labelled for the interval and its value axis from 0.
func lineChart(s vsphere.Series, w, h int, iv vsphere.Interval) string {
	_, _, hi, _ := s.Range()
	if hi <= 0 {
		hi = 1
	}
	layout := "15:04"
	if iv == vsphere.Week {
		layout = "01/02"
	}
	first, last := s.Samples[0].Time, s.Samples[len(s.Samples)-1].Time
	c := timeserieslinechart.New(w, h,
		timeserieslinechart.WithTimeRange(first, last),
		timeserieslinechart.WithYRange(0, hi*1.1),
		timeserieslinechart.WithXYSteps(2, 2),
		timeserieslinechart.WithXLabelFormatter(func(_ int, v float64) string {
			return time.Unix(int64(v), 0).UTC().Format(layout)
		}),
		timeserieslinechart.WithYLabelFormatter(func(_ int, v float64) string { return figure(v) }))
	for _, p := range s.Samples {
		c.Push(timeserieslinechart.TimePoint{Time: p.Time, Value: p.Value})
	}
	c.DrawBraille()
	return c.View()
}

// figure is a value as the charts show it: no decimals from 100 on.
func figure(v float64) string {
	if v >= 100 || v == 0 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// fit cuts s to at most w cells.
func fit(s string, w int) string { return lipgloss.NewStyle().MaxWidth(max(w, 0)).Render(s) }

// Pane is the detail pane's small charts of the selected host or VM: a
// line per counter with its latest value and a sparkline of the last ten
// minutes of real-time samples, read again every 20 s while the pane
// shows the entity.
type Pane struct{ f follower }

// paneSamples is how many real-time samples the pane draws: ten minutes.
const paneSamples = 30

// NewPane returns a pane that follows nothing yet.
func NewPane(conn func() Conn, after After) *Pane {
	return &Pane{f: follower{conn: conn, after: after, samples: paneSamples}}
}

// Follow makes the pane follow e while shown is true: a new entity is
// read at once; shown false stops following.
func (p *Pane) Follow(e Entity, shown bool) tea.Cmd {
	switch {
	case !shown:
		if !p.f.entity.Ref.IsZero() {
			p.f.stop()
		}
		return nil
	case e.Ref == p.f.entity.Ref:
		return nil
	}
	return p.f.follow(e, vsphere.Realtime)
}

// Reading reports whether a read is under way.
func (p *Pane) Reading() bool { return p.f.reading }

// Update takes the pane's reads' results and timers.
func (p *Pane) Update(msg tea.Msg) tea.Cmd {
	cmd, _ := p.f.update(msg)
	return cmd
}

// View draws ref's small charts in width cells, or what stands in for
// them; "" for an entity the pane does not follow.
func (p *Pane) View(ref vsphere.Ref, width int) string {
	if ref != p.f.entity.Ref {
		return ""
	}
	lines := []string{"performance, last 10 min (c: charts)"}
	if s := p.f.state(); s != "" {
		return strings.Join(append(lines, fit(s, width)), "\n")
	}
	const labelW, valueW = 12, 10
	for _, s := range p.f.series {
		v, ok := s.Latest()
		value := "-"
		if ok {
			value = figure(v) + " " + s.Unit
		}
		line := fmt.Sprintf("%-*s %*s ", labelW, s.Counter, valueW, value)
		lines = append(lines, line+trend.Sparkline(s.Values(), width-len(line), 1))
	}
	return strings.Join(lines, "\n")
}
