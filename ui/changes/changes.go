// Package changes runs the changes the UI starts, through vsphere's gate,
// and keeps every running one in a registry keyed by id, as gh-dash does
// with its tasks: each reports its progress and its outcome, whatever else
// runs, and a change's goroutine never waits for the screen.
package changes

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
)

// ID identifies a change in the registry.
type ID int

// Change is a running change.
type Change struct {
	ID ID
	// Gen is the connection generation it was started on, and Context
	// that connection's context name: a change outlives a context switch.
	Gen     int
	Context string
	// Radius says what it changes (gate.BlastRadius).
	Radius string
	// Latest is its newest progress report, if it has one yet.
	Latest    gate.Progress
	HasLatest bool

	progress chan gate.Progress // holds the newest report only
	done     chan gate.Summary
}

// ProgressMsg brings a change's newest progress report.
type ProgressMsg struct {
	ID       ID
	Progress gate.Progress
}

// DoneMsg ends a change with its summary.
type DoneMsg struct {
	ID      ID
	Summary gate.Summary
}

// Finished is a change that ended, as the registry saw it last.
type Finished struct {
	Change
	Summary gate.Summary
}

// Registry tracks the running changes. The zero value is empty and ready.
type Registry struct {
	next    ID
	running map[ID]*Change
}

// Runner carries out a change's actions through g, reporting through
// opts.Progress, as gate.Gate.Run does; a runner may order them
// (placement.EnterMaintenance evacuates a host before it enters
// maintenance mode).
type Runner func(ctx context.Context, g *gate.Gate, opts gate.RunOptions) gate.Summary

// Start runs actions through a gate on c in the background, as a change
// of connection generation gen to the context called name, and returns
// the command that brings its reports. Cancelling ctx starts no more of
// its actions; those already sent are seen through (gate.Gate.Run).
func (r *Registry) Start(ctx context.Context, c *vsphere.Client, gen int, name string, actions []gate.Action) tea.Cmd {
	return r.Run(ctx, c, gen, name, gate.BlastRadius(actions), func(ctx context.Context, g *gate.Gate, opts gate.RunOptions) gate.Summary {
		return g.Run(ctx, actions, opts)
	})
}

// Run is Start for a change that run carries out, described by radius
// (gate.BlastRadius of its actions).
func (r *Registry) Run(ctx context.Context, c *vsphere.Client, gen int, name, radius string, run Runner) tea.Cmd {
	if r.running == nil {
		r.running = map[ID]*Change{}
	}
	r.next++
	ch := &Change{
		ID: r.next, Gen: gen, Context: name, Radius: radius,
		progress: make(chan gate.Progress, 1),
		done:     make(chan gate.Summary, 1),
	}
	r.running[ch.ID] = ch
	g := gate.NewGate(c)
	go func() {
		ch.done <- run(ctx, g, gate.RunOptions{Progress: ch.report})
	}()
	return ch.wait()
}

// report keeps p as the newest report, replacing one not yet read: the
// gate's goroutine never blocks on a slow screen. Gate.Run serializes the
// calls, so there is one writer.
func (ch *Change) report(p gate.Progress) {
	for {
		select {
		case ch.progress <- p:
			return
		default:
			select {
			case <-ch.progress:
			default:
			}
		}
	}
}

// wait brings the change's next report: its outcome, or else its newest
// progress.
func (ch *Change) wait() tea.Cmd {
	id, progress, done := ch.ID, ch.progress, ch.done
	return func() tea.Msg {
		select {
		case sum := <-done:
			return DoneMsg{ID: id, Summary: sum}
		default:
		}
		select {
		case sum := <-done:
			return DoneMsg{ID: id, Summary: sum}
		case p := <-progress:
			return ProgressMsg{ID: id, Progress: p}
		}
	}
}

// Progress records a progress report and waits for the next one. A report
// of a change that already ended is dropped.
func (r *Registry) Progress(msg ProgressMsg) tea.Cmd {
	ch, ok := r.running[msg.ID]
	if !ok {
		return nil
	}
	ch.Latest, ch.HasLatest = msg.Progress, true
	return ch.wait()
}

// Done removes the change that ended and returns it with its summary; ok
// is false if it was not running.
func (r *Registry) Done(msg DoneMsg) (f Finished, ok bool) {
	ch, ok := r.running[msg.ID]
	if !ok {
		return Finished{}, false
	}
	delete(r.running, msg.ID)
	return Finished{Change: *ch, Summary: msg.Summary}, true
}

// Running returns the running changes, oldest first.
func (r *Registry) Running() []Change {
	var out []Change
	for _, id := range slices.Sorted(maps.Keys(r.running)) {
		out = append(out, *r.running[id])
	}
	return out
}

// RunningOn reports whether a change started on generation gen still runs.
func (r *Registry) RunningOn(gen int) bool {
	for _, ch := range r.running {
		if ch.Gen == gen {
			return true
		}
	}
	return false
}

// Status is the status line's word on the running changes: how many run,
// or, unless brief, the newest report of a lone change; "" when none
// does.
func (r *Registry) Status(brief bool) string {
	running := r.Running()
	switch {
	case len(running) == 0:
		return ""
	case len(running) > 1:
		return fmt.Sprintf("%d changes running", len(running))
	case brief:
		return "1 change running"
	}
	ch := running[0]
	if !ch.HasLatest || ch.Latest.Stage == gate.StageNote {
		return "starting: " + ch.Radius
	}
	return ProgressText(ch.Latest)
}

// ProgressText renders a progress report for the status line:
// "[1/2] migrate app-01 → esx-a-02 40%: relocating".
func ProgressText(p gate.Progress) string {
	s := fmt.Sprintf("[%d/%d] %s %s", p.Index+1, p.Total, p.Op, p.Object)
	if p.Target != "" {
		s += " → " + p.Target
	}
	if p.Percent > 0 {
		s += fmt.Sprintf(" %d%%", p.Percent)
	}
	if p.Message != "" {
		s += ": " + p.Message
	}
	return s
}

// Outcome says how a change ended, for the status line, and whether it
// went wrong: the failures when some failed (their errors name the
// operation and the object), what a dry run would have done, what a lone
// change did ("web-01: powered off"), or else what the change was and
// the summary's count.
func (f Finished) Outcome() (text string, bad bool) {
	sum := f.Summary
	if err := sum.Err(); err != nil {
		return err.Error(), true
	}
	var would []string
	for _, r := range sum.Results {
		if r.Status == gate.StatusDryRun {
			would = append(would, r.Message)
		}
	}
	switch {
	case len(would) > 0:
		return strings.Join(would, "; ") + " (dry run: nothing changed)", false
	case len(sum.Results) == 1:
		r := sum.Results[0]
		return r.Object + ": " + r.Message, false
	}
	return f.Radius + ": " + sum.String(), false
}
