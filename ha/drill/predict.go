package drill

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/vtui/vtui/ha/capacity"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
)

// Outcome is what becomes of a protected VM in a drill: what the
// preflight predicts (Prediction) and what the drill finds (VMResult).
type Outcome string

// The outcomes.
const (
	// OutcomeRestarts: it stops, and HA powers it on again on another
	// host: after a host failure, or an isolation response that powers it
	// off or shuts it down.
	OutcomeRestarts Outcome = "restarts"
	// OutcomeKeepsRunning: it runs on, never powered off or on again: a
	// VM of an isolated host whose isolation response is none (or that
	// gets none), of a partitioned host, or of a host the drill leaves
	// alone.
	OutcomeKeepsRunning Outcome = "keeps-running"
	// OutcomeMoves: it moves to another host while running (evacuation).
	OutcomeMoves Outcome = "moves"
	// OutcomeStaysDown: it stops and does not run again: lost.
	OutcomeStaysDown Outcome = "stays-down"
)

// Prediction is what the preflight predicts for one protected VM, from
// the scenario and the cluster's settings.
type Prediction struct {
	VM string `json:"vm" yaml:"vm"`
	// Host is where it runs when the drill starts; To is where HA should
	// restart it (restarts), as the capacity what-if places it.
	Host    string  `json:"host" yaml:"host"`
	Outcome Outcome `json:"outcome" yaml:"outcome"`
	To      string  `json:"to,omitempty" yaml:"to,omitempty"`
	// Why says what decides it: "esx-a-01 fails", "isolation response
	// none, the cluster's", or why HA cannot restart it.
	Why string `json:"why" yaml:"why"`
}

// String says the prediction for people: "db-01 restarts on esx-a-02
// (esx-a-01 fails)".
func (p Prediction) String() string {
	switch p.Outcome {
	case OutcomeRestarts:
		return fmt.Sprintf("%s restarts on %s (%s)", p.VM, p.To, p.Why)
	case OutcomeKeepsRunning:
		return fmt.Sprintf("%s keeps running on %s (%s)", p.VM, p.Host, p.Why)
	case OutcomeMoves:
		return fmt.Sprintf("%s moves off %s while running (%s)", p.VM, p.Host, p.Why)
	}
	return fmt.Sprintf("%s cannot restart (%s)", p.VM, p.Why)
}

// isolationResponse is what an isolated host does with vm: why, and
// whether it powers the VM off (to be restarted elsewhere). The response
// is the VM's override, else the cluster's; host monitoring off suspends
// every response, and a VM whose restart priority is disabled gets none
// (shared/HA.md).
func isolationResponse(cfg clusterspec.Config, vm string) (stops bool, why string) {
	ha := cfg.HA
	response, whose := ha.IsolationResponse, "the cluster's"
	if o, ok := cfg.Override(vm); ok && o.IsolationResponse != "" {
		response, whose = o.IsolationResponse, "its override"
	}
	switch {
	case !ha.Enabled:
		return false, "HA is disabled: nothing responds to an isolation"
	case !ha.HostMonitoring:
		return false, "host monitoring is off, which suspends isolation responses"
	case cfg.EffectiveRestartPriority(vm) == clusterspec.RestartDisabled:
		return false, "restart priority disabled: it gets no isolation response"
	case response == clusterspec.IsolationPowerOff:
		return true, "isolation response powerOff, " + whose + ": powered off, then restarted"
	case response == clusterspec.IsolationShutdown:
		return true, "isolation response shutdown, " + whose + ": shut down, then restarted"
	}
	return false, "isolation response " + string(cmp.Or(response, clusterspec.IsolationNone)) + ", " + whose
}

// predict predicts the outcome of each protected VM of a drill of
// scenario on targets, from in (what capacity.Gather read). Where HA
// restarts VMs, the capacity what-if places them, with the ranking vtui's
// simulator restarts by (ha/admission), among the VMs HA restarts only: a
// VM that keeps running on an isolated host takes no capacity elsewhere.
// It returns the what-if too, for the capacity check.
func predict(scenario Scenario, in capacity.Input, targets []vsphere.Host, protected []vsphere.VM) ([]Prediction, capacity.Scenario, error) {
	onTarget := map[vsphere.Ref]string{}
	names := make([]string, len(targets))
	for i, h := range targets {
		onTarget[h.Ref], names[i] = h.Name, h.Name
	}
	// keeps says why a VM of a target keeps running, "" if it stops.
	keeps := func(v vsphere.VM) string {
		switch scenario {
		case ScenarioPartition:
			return "partitioned: its datastores answer, so HA restarts nothing"
		case ScenarioIsolation:
			if stops, why := isolationResponse(in.Config, v.Name); !stops {
				return why
			}
		}
		return ""
	}
	var whatIf capacity.Scenario
	if scenario != ScenarioPartition {
		if scenario == ScenarioEvacuation {
			// An evacuation needs room, not HA: ask as if HA were on.
			in.Config.HA.Enabled, in.Config.HA.HostMonitoring = true, true
		}
		in.VMs = slices.DeleteFunc(slices.Clone(in.VMs), func(v vsphere.VM) bool {
			_, ok := onTarget[v.HostRef]
			return ok && keeps(v) != ""
		})
		var err error
		if whatIf, err = capacity.Fail(in, names); err != nil {
			return nil, whatIf, err
		}
	}
	out := make([]Prediction, 0, len(protected))
	for _, v := range protected {
		p := Prediction{VM: v.Name, Host: v.Host, Outcome: OutcomeKeepsRunning, Why: "not on a target"}
		host, ok := onTarget[v.HostRef]
		switch {
		case !ok:
		case scenario == ScenarioEvacuation:
			p.Outcome, p.Why = OutcomeMoves, host+" enters maintenance mode"
		case keeps(v) != "":
			p.Why = keeps(v)
		default:
			p.Outcome, p.Why = OutcomeStaysDown, "HA would not restart it"
			why := host + " fails"
			if scenario == ScenarioIsolation {
				_, why = isolationResponse(in.Config, v.Name)
			}
			if i := slices.IndexFunc(whatIf.Restarts, func(r capacity.Restart) bool { return r.VM == v.Name }); i >= 0 {
				p.Outcome, p.To, p.Why = OutcomeRestarts, whatIf.Restarts[i].To, why
			} else if i := slices.IndexFunc(whatIf.Stranded, func(s capacity.Stranded) bool { return s.VM == v.Name }); i >= 0 {
				p.Why = whatIf.Stranded[i].Reason
			}
		}
		out = append(out, p)
	}
	return out, whatIf, nil
}

// mismatch says how a VM did otherwise than predicted: "web-01 was
// restarted on esx-a-02, predicted to keep running on esx-a-01".
func mismatch(v VMResult) string {
	did := map[Outcome]string{OutcomeRestarts: "was restarted on " + v.ToHost, OutcomeMoves: "moved to " + v.ToHost,
		OutcomeKeepsRunning: "kept running on " + v.ToHost, OutcomeStaysDown: "stayed down"}[v.Outcome]
	want := map[Outcome]string{OutcomeRestarts: "predicted to restart", OutcomeMoves: "predicted to move while running",
		OutcomeKeepsRunning: "predicted to keep running on " + v.FromHost, OutcomeStaysDown: "predicted to stay down"}[v.Expected]
	return v.Name + " " + did + ", " + want
}
