package drill

import "github.com/vtui/vtui/vsphere/gate"

// DryRun is what a dry run of a drill found, for scripts (vtui drill run
// --dry-run -o json): the plan, whether the preflight passed, its checks,
// and what would be injected. Its field names are a stable contract.
type DryRun struct {
	Plan      Plan         `json:"plan" yaml:"plan"`
	OK        bool         `json:"ok" yaml:"ok"`
	Preflight []gate.Check `json:"preflight" yaml:"preflight"`
	Targets   []string     `json:"targets" yaml:"targets"`
	Protected []string     `json:"protected" yaml:"protected"`
	// Predictions are the outcome the preflight predicts for each
	// protected VM.
	Predictions []Prediction `json:"predictions" yaml:"predictions"`
	Seed        int64        `json:"seed,omitempty" yaml:"seed,omitempty"`
	HA          HA           `json:"ha" yaml:"ha"`
	// Commands are those of method command, as they will run.
	Commands []PlannedCommand `json:"commands,omitempty" yaml:"commands,omitempty"`
}

// DryRun is the dry run of plan this preflight makes; Targets and
// Protected are the names, [] when there are none.
func (p *Preflight) DryRun(plan Plan) DryRun {
	d := DryRun{Plan: plan, OK: p.OK(), Preflight: p.Checks, Targets: []string{}, Protected: []string{}, Predictions: p.Predictions, Seed: p.Seed, HA: p.HA, Commands: p.Commands}
	for _, h := range p.Targets {
		d.Targets = append(d.Targets, h.Name)
	}
	for _, v := range p.Protected {
		d.Protected = append(d.Protected, v.Name)
	}
	if d.Predictions == nil {
		d.Predictions = []Prediction{}
	}
	return d
}
