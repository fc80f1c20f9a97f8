package drill

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/ha/drill"
	"github.com/vtui/vtui/internal/strictyaml"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/drillkit"
)

// choice is a plan offered, and where it comes from.
type choice struct {
	label  string // the file's name, or "built"
	source string // the file's path, or what the plan was built from
	plan   drill.Plan
}

// builtRTO is the recovery time objective of a plan built from a
// selection: vSphere HA declares a host failed after 15 s, and restarts
// take a few seconds each.
const builtRTO = 5 * time.Minute

// planFiles returns the plans among the *.yaml files of dir, by name, and
// how many of them are not plans.
func planFiles(ctx context.Context, dir string) (plans []choice, others int) {
	paths, _ := filepath.Glob(filepath.Join(dir, "*.yaml")) // the pattern is fixed: no error
	for _, p := range paths {
		plan, err := drill.Load(ctx, p)
		if err != nil {
			others++
			continue
		}
		plans = append(plans, choice{label: filepath.Base(p), source: p, plan: plan})
	}
	return plans, others
}

// buildPlan builds the plan the view offers for a selection, asking the
// server whether it is vtui's simulator.
func buildPlan(ctx context.Context, c *vsphere.Client, sel Selection) (choice, error) {
	if c == nil {
		return choice{}, errors.New("not connected")
	}
	_, err := drillkit.SimulatorInfo(ctx, c)
	if err != nil && !errors.Is(err, drillkit.ErrNotSimulator) {
		return choice{}, fmt.Errorf("could not tell whether the server is vtui's simulator: %w", err)
	}
	return builtPlan(sel, err == nil)
}

// builtPlan is a host failure of the selected host, or of the selected
// cluster's host running the most VMs, with an RTO of five minutes,
// always rolled back. Only vtui's simulator (simulated) can fail a host
// without a command of the plan's own, so against vCenter it is an
// evacuation, which needs nothing else.
func builtPlan(sel Selection, simulated bool) (choice, error) {
	p := drill.Plan{Cluster: sel.Cluster, Scenario: drill.ScenarioHostFailure, Expect: drill.Expect{RTO: drill.Duration(builtRTO)},
		Inject: drill.Inject{Method: drill.MethodSimCrash}, Rollback: drill.RollbackAlways}
	if !simulated {
		p.Scenario, p.Inject.Method = drill.ScenarioEvacuation, drill.MethodEvacuate
	}
	from := "cluster " + sel.Cluster
	if sel.Host != "" {
		p.Targets.Hosts = []string{sel.Host}
		p.Name = string(p.Scenario) + "-" + sel.Host
		from = "host " + sel.Host
	} else {
		p.Targets = drill.Targets{Pick: drill.PickMostVMs, Count: 1}
		p.Name = string(p.Scenario) + "-" + sel.Cluster
	}
	// Through the plan file's form, so that the defaults are filled in
	// and the plan is checked as a file would be.
	var b bytes.Buffer
	if err := strictyaml.Encode(&b, p); err != nil {
		return choice{}, err
	}
	source := "built from the selected " + from
	plan, err := drill.Parse(source, b.Bytes())
	if err != nil {
		return choice{}, err
	}
	return choice{label: "built", source: source, plan: plan}, nil
}

// summary says in a line what a plan does, for the list to choose from.
func summary(p drill.Plan) string {
	targets := strings.Join(p.Targets.Hosts, ", ")
	if p.Targets.Pick != "" {
		targets = fmt.Sprintf("%d host(s) picked %s", p.Targets.Count, p.Targets.Pick)
	}
	return fmt.Sprintf("%s of %s on %s by %s, rto %s, rollback %s", p.Scenario, targets, p.Cluster, p.Inject.Method, p.Expect.RTO, p.Rollback)
}

// chooseKey moves among the plans offered and the path input; a key that
// is neither a move nor a choice types a path.
func (m *Model) chooseKey(k tea.KeyMsg) tea.Cmd {
	keys := m.common.Keys.Drill
	switch {
	case key.Matches(k, keys.Back): // q types a path
		m.phase = phaseClosed
	case key.Matches(k, keys.Up):
		m.choose(m.cursor - 1)
	case key.Matches(k, keys.Down):
		m.choose(m.cursor + 1)
	case key.Matches(k, keys.Go):
		if m.cursor < len(m.choices) {
			m.show(m.choices[m.cursor])
			return nil
		}
		return m.load(m.path.Value())
	default:
		m.choose(len(m.choices))
		var cmd tea.Cmd
		m.path, cmd = m.path.Update(k)
		return cmd
	}
	return nil
}

// choose puts the cursor on choice i, or on the path input past them.
func (m *Model) choose(i int) {
	m.cursor = max(min(i, len(m.choices)), 0)
	if m.cursor == len(m.choices) {
		m.path.Focus()
	} else {
		m.path.Blur()
	}
}

// load reads the plan file at path, in the background.
func (m *Model) load(path string) tea.Cmd {
	if strings.TrimSpace(path) == "" {
		m.say(true, "type the path of a plan file, or choose a plan above")
		return nil
	}
	m.seq++
	seq, ctx := m.seq, m.conn().Ctx
	return func() tea.Msg {
		plan, err := drill.Load(ctx, path)
		return loadedMsg{seq: seq, c: choice{label: filepath.Base(path), source: path, plan: plan}, err: err}
	}
}

// show shows a chosen plan, before its preflight.
func (m *Model) show(c choice) {
	m.chosen, m.phase, m.note, m.offset = c, phasePlan, "", 0
}
