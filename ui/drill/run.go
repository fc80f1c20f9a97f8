package drill

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/ha/drill"
	"github.com/vtui/vtui/internal/drillrun"
	"github.com/vtui/vtui/ui/common"
)

// preflightTimeout bounds the preflight: it reads the inventory, the
// cluster's configuration and the VMs' reservations.
const preflightTimeout = 2 * time.Minute

// request moves to phase p for a request about the chosen plan through
// the connection: it drops what was under way and returns the request's
// number, or says why there can be none: no connection, or one the
// plan's context refuses (drill.CheckContext).
func (m *Model) request(p phase, what string) (c Conn, seq int, ok bool) {
	if c = m.conn(); c.Client == nil {
		m.say(true, "not connected: %s needs vCenter", what)
		return c, 0, false
	}
	if err := drill.CheckContext(m.chosen.plan.Context, c.where(m.chosen.plan.Context)); err != nil {
		m.say(true, "%v", err)
		return c, 0, false
	}
	m.seq++
	m.phase, m.note, m.offset = p, "", 0
	return c, m.seq, true
}

// check runs the preflight of the chosen plan, in the background.
func (m *Model) check() tea.Cmd {
	c, seq, ok := m.request(phaseChecking, "the preflight")
	if !ok {
		return nil
	}
	m.pre = nil
	plan := m.chosen.plan
	return tea.Batch(m.startSpinner(), func() tea.Msg {
		ctx, cancel := context.WithTimeout(c.Ctx, preflightTimeout)
		defer cancel()
		pre, err := (&drill.Runner{Client: c.Client, Plan: plan, BMCPassword: c.BMCPassword}).Preflight(ctx)
		return checkedMsg{seq: seq, pre: pre, err: err}
	})
}

// checked shows what the preflight found; one that could not ask vCenter
// leaves the plan shown, saying why.
func (m *Model) checked(msg checkedMsg) {
	if msg.err != nil {
		m.phase = phasePlan
		m.say(true, "%v", msg.err)
		return
	}
	m.phase, m.pre = phasePreflight, msg.pre
}

// askGo asks before running the drill, saying what it will do.
func (m *Model) askGo() {
	if !m.pre.OK() || m.dryRun() {
		return
	}
	p := m.chosen.plan
	var body []string
	for _, text := range []string{
		fmt.Sprintf("First the drill locks %s and records its baseline. Then it follows vCenter until every protected VM runs again (within %s to pass), and rolls back (rollback: %s).",
			m.pre.Cluster.Name, p.Expect.RTO, p.Rollback),
		"Its journal, in $XDG_STATE_HOME/vtui/drills (~/.local/state/vtui/drills), lets vtui drill rollback finish if vtui dies.",
	} {
		body = append(body, wrapText(text, dialogWidth(m.common.Width), 0, 0)...)
	}
	m.confirm(m.pre.Injection(p.Inject.Method)+"?", body, "run the drill", goMsg{})
}

// dialogWidth is the width of a dialog's text in a view width wide: the
// dialog's margin and padding take eight columns.
func dialogWidth(width int) int { return max(width-8, 20) }

// askAbort asks before aborting the running drill.
func (m *Model) askAbort() {
	if m.aborting {
		m.say(false, "rolling back: the result comes when the rollback is done")
		return
	}
	m.confirm(fmt.Sprintf("abort the drill on %s and roll back?", common.Targets(targetNames(m.pre), "host")),
		wrapText("The drill stops injecting, rolls the cluster back to its baseline, and reports interrupted.", dialogWidth(m.common.Width), 0, 0),
		"abort and roll back", abortMsg{})
}

// Running returns the journal of the drill that runs, if one does.
func (m *Model) Running() (journal string, ok bool) {
	if m.run == nil {
		return "", false
	}
	return m.run.journal, true
}

// Wait cancels the running drill, if any, and waits until it has rolled
// back and closed its journal, or ctx ends. The root calls it on exit,
// after the drill's context was cancelled with the root's.
func (m *Model) Wait(ctx context.Context) {
	if m.run == nil {
		return
	}
	m.run.cancel()
	select {
	case <-m.run.done:
	case <-ctx.Done():
	}
}

// abort cancels the running drill, or the drill about to start as soon
// as it does: its runner stops injecting, rolls back and reports it
// interrupted.
func (m *Model) abort() {
	m.aborting = true
	if m.run != nil {
		m.run.cancel()
	}
	m.say(false, "aborting: the drill rolls back")
}

// start creates the journal and starts the drill, in the background.
func (m *Model) start() tea.Cmd {
	c, seq, ok := m.request(phaseRunning, "the drill")
	if !ok {
		return nil
	}
	m.timeline, m.live = nil, drill.NewLive(m.pre)
	plan, pre := m.chosen.plan, m.pre
	return tea.Batch(m.startSpinner(), func() tea.Msg {
		r, err := startRun(c, plan, pre)
		return startedMsg{seq: seq, run: r, err: err}
	})
}

// started follows a drill that runs, or shows why it could not start.
func (m *Model) started(msg startedMsg) tea.Cmd {
	if msg.err != nil {
		m.phase = phasePreflight
		m.say(true, "%v", msg.err)
		return nil
	}
	m.run, m.journal = msg.run, msg.run.journal
	if m.aborting { // asked while the drill was starting
		m.run.cancel()
	}
	return m.run.next(msg.seq)
}

// run is a drill running in a goroutine of its own.
type run struct {
	journal string // its path
	cancel  context.CancelFunc
	feed    *feed
	done    chan struct{} // closed once the drill is over and its journal closed
}

// startRun creates the journal where the CLI's goes by default, with the
// reports beside it (drillrun.Paths.Resolve), and starts the drill. The
// drill runs only if its own preflight finds the targets and protected
// VMs the user was shown: the cluster may have changed meanwhile.
func startRun(c Conn, plan drill.Plan, shown *drill.Preflight) (*run, error) {
	paths, err := drillrun.Paths{Journal: drillrun.Output{Name: "the journal"}, JSON: drillrun.Output{Name: "the JSON report"},
		JUnit: drillrun.Output{Name: "the JUnit report"}, Markdown: drillrun.Output{Name: "the Markdown report"}}.Resolve(plan, time.Now(), true)
	var noDir *drillrun.JournalDirError
	switch {
	case errors.As(err, &noDir):
		return nil, fmt.Errorf("the journal cannot be created: %w; nothing was changed", err)
	case err != nil:
		return nil, err
	}
	f := newFeed()
	d, err := drillrun.Begin(c.Client, plan, paths, drillrun.Hooks{OnMoment: f.add, BMCPassword: c.BMCPassword,
		Confirm: func(_ context.Context, pre *drill.Preflight) error { return sameDrill(shown, pre) }})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(c.Ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer cancel()
		f.finish(d.Run(ctx))
	}()
	return &run{journal: paths.Journal.Path, cancel: cancel, feed: f, done: done}, nil
}

// targetNames returns the names of the hosts the drill fails.
func targetNames(p *drill.Preflight) []string {
	var out []string
	for _, h := range p.Targets {
		out = append(out, h.Name)
	}
	return out
}

// sameDrill refuses a drill whose targets or protected VMs differ from
// those the user confirmed.
func sameDrill(shown, now *drill.Preflight) error {
	vms := func(p *drill.Preflight) []string {
		var out []string
		for _, v := range p.Protected {
			out = append(out, v.Name)
		}
		slices.Sort(out)
		return out
	}
	switch {
	case !slices.Equal(targetNames(shown), targetNames(now)):
		return fmt.Errorf("the targets are %s now, not %s as confirmed: nothing was changed; run the preflight again",
			strings.Join(targetNames(now), ", "), strings.Join(targetNames(shown), ", "))
	case !slices.Equal(vms(shown), vms(now)):
		return fmt.Errorf("the protected VMs are %s now, not %s as confirmed: nothing was changed; run the preflight again",
			strings.Join(vms(now), ", "), strings.Join(vms(shown), ", "))
	}
	return nil
}

// next waits for what the drill says next.
func (r *run) next(seq int) tea.Cmd {
	return func() tea.Msg {
		moments, report := r.feed.wait()
		if report != nil {
			return finishedMsg{seq: seq, report: report}
		}
		return momentsMsg{seq: seq, moments: moments}
	}
}

// feed carries a running drill's moments to the view. The runner never
// waits on it: moments pile up while the view is busy, and the view takes
// all of them at once, so a slow screen coalesces rather than blocks.
type feed struct {
	mu      sync.Mutex
	pending []drill.Moment
	report  *drill.Report // set once the drill is over
	ready   chan struct{} // holds a token while something is pending
}

func newFeed() *feed { return &feed{ready: make(chan struct{}, 1)} }

// add takes a moment from the runner.
func (f *feed) add(m drill.Moment) {
	f.mu.Lock()
	f.pending = append(f.pending, m)
	f.mu.Unlock()
	f.signal()
}

// finish takes the report; the runner calls no more.
func (f *feed) finish(rep *drill.Report) {
	f.mu.Lock()
	f.report = rep
	f.mu.Unlock()
	f.signal()
}

func (f *feed) signal() {
	select {
	case f.ready <- struct{}{}:
	default: // a token is there already
	}
}

// wait returns the moments that came since the last call, or, once they
// are all taken and the drill is over, its report.
func (f *feed) wait() ([]drill.Moment, *drill.Report) {
	for {
		f.mu.Lock()
		moments, rep := f.pending, f.report
		f.pending = nil
		f.mu.Unlock()
		switch {
		case len(moments) > 0:
			return moments, nil
		case rep != nil:
			return nil, rep
		}
		<-f.ready
	}
}

// writeReports writes the JSON, JUnit and Markdown reports beside the
// journal, in the background.
func (m *Model) writeReports() tea.Cmd {
	rep, seq, journal := m.report, m.seq, m.journal
	return func() tea.Msg {
		written, err := drillrun.WriteReports(rep, drillrun.Paths{Journal: drillrun.Output{Path: journal}}.Beside())
		return writtenMsg{seq: seq, paths: written, err: err}
	}
}
