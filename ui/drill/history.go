package drill

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/ha/drill/history"
	"github.com/vtui/vtui/internal/drillrun"
	"github.com/vtui/vtui/ui/trend"
)

// historyTimeout bounds the read of the drills' history: at most
// history.MaxFiles reports from the local disk.
const historyTimeout = 30 * time.Second

// historyTrend is how many of the newest RTOs the view draws.
const historyTrend = 30

// historyMsg brings the history of the selected cluster's drills.
type historyMsg struct {
	seq   int
	plans []history.Summary
	err   error
}

func (historyMsg) drillMsg() {}

// readHistory reads, in the background, the history of the drills of
// cluster on the connected vCenter from the reports kept in the state
// directory (drillrun.StateDir), as vtui drill history does. No
// directory yet is no history.
func (m *Model) readHistory(cluster string) tea.Cmd {
	seq, c := m.seq, m.conn()
	if cluster == "" || c.Client == nil {
		return nil
	}
	return func() tea.Msg {
		dir, err := drillrun.StateDir()
		if err != nil {
			return historyMsg{seq: seq, err: err}
		}
		ctx, cancel := context.WithTimeout(c.Ctx, historyTimeout)
		defer cancel()
		h, err := history.Load(ctx, dir)
		if errors.Is(err, fs.ErrNotExist) {
			err = nil
		}
		return historyMsg{seq: seq, plans: h.For(cluster, c.Client.Identity()), err: err}
	}
}

// historyLines is the history of the selected cluster's drills, a line
// and its RTO trend a plan, and each plan's last failure; nothing when
// there is none.
func (m *Model) historyLines() []string {
	st := m.common.Styles
	if m.historyErr != nil {
		return []string{"", st.Bad.Render(fmt.Sprintf("drill history of %s: %v", m.sel.Cluster, m.historyErr))}
	}
	if len(m.history) == 0 {
		return nil
	}
	out := []string{"", st.Title.Render("Drill history of " + m.sel.Cluster + " on this vCenter")}
	for _, s := range m.history {
		line := "  " + s.Plan + ": " + s.Describe()
		if t := trend.Sparkline(s.RTOs(), historyTrend, 1); t != "" {
			line += "  " + t
		}
		out = append(out, line)
		if f := s.LastFailure; f != nil {
			out = append(out, st.Hint.Render(fmt.Sprintf("    last failure %s: %s", f.Started.UTC().Format("2006-01-02 15:04Z"), f.Reason())))
		}
	}
	return out
}
