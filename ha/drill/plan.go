package drill

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/vtui/vtui/internal/readlimit"
	"github.com/vtui/vtui/internal/strictyaml"
)

// Plan is a drill, as its YAML file says it. Its keys, in YAML and in the
// JSON report, are a stable contract (see the README).
type Plan struct {
	// Name names the drill in reports and in the cluster's drill lock.
	Name string `json:"name" yaml:"name" strict:"required"`
	// Context, if set, is the vtui context the drill runs on; a command
	// line that names another vCenter as well, or a terminal UI on
	// another, is refused, not obeyed (CheckContext).
	Context string `json:"context,omitempty" yaml:"context,omitempty"`
	Cluster string `json:"cluster" yaml:"cluster" strict:"required"`
	// Scenario is what the drill rehearses, and Inject.Method how:
	// host-failure (sim-crash, command: a hard power-off), isolation and
	// partition (sim-network, command: a cut of the management network
	// alone), evacuation (evacuate). The preflight predicts each
	// protected VM's outcome from the cluster's settings (Predict), and
	// the drill fails when the run does otherwise.
	Scenario Scenario `json:"scenario" yaml:"scenario" strict:"required"`
	// Targets are the hosts failed, isolated (each alone), partitioned
	// (together, from the cluster's other hosts) or evacuated.
	Targets Targets `json:"targets" yaml:"targets" strict:"required"`
	// Protect are VM name globs; empty means every VM powered on on the
	// targets when the drill starts.
	Protect       []string `json:"protect,omitempty" yaml:"protect,omitempty"`
	Expect        Expect   `json:"expect" yaml:"expect" strict:"required"`
	Inject        Inject   `json:"inject" yaml:"inject"`
	DetectTimeout Duration `json:"detect-timeout" yaml:"detect-timeout"`
	Timeout       Duration `json:"timeout" yaml:"timeout"`
	Rollback      Rollback `json:"rollback" yaml:"rollback"`
	// PinDRS holds DRS at manual during the drill, so that it moves
	// nothing the drill did not, and restores it after.
	PinDRS bool `json:"pin-drs" yaml:"pin-drs"`
}

// Targets are the hosts a drill fails: named, or picked when it starts.
type Targets struct {
	Hosts []string `json:"hosts,omitempty" yaml:"hosts,omitempty"`
	// Pick chooses Count hosts of the cluster: most-vms (the hosts running
	// the most powered-on VMs) or random (reproducible with Seed).
	Pick  Pick  `json:"pick,omitempty" yaml:"pick,omitempty"`
	Count int   `json:"count,omitempty" yaml:"count,omitempty"`
	Seed  int64 `json:"seed,omitempty" yaml:"seed,omitempty"`
}

// Expect is what the drill must show to pass.
type Expect struct {
	// RTO is the longest a protected VM may take, from the injection, to
	// run again on a surviving host.
	RTO Duration `json:"rto" yaml:"rto" strict:"required"`
	// Lost is how many protected VMs may stay down: 0 unless said.
	Lost int `json:"lost" yaml:"lost"`
}

// Inject is how the drill fails its targets.
type Inject struct {
	Method Method `json:"method" yaml:"method"`
	// Command and Recover are the commands of method command, run for
	// each target: Command fails it, Recover brings it back in the
	// rollback. Each runs for at most the plan's detect-timeout, then is
	// killed with every process it started.
	Command Command `json:"command,omitzero" yaml:"command,omitempty"`
	Recover Command `json:"recover,omitzero" yaml:"recover,omitempty"`
}

// Defaults of a plan's optional fields.
const (
	// DefaultDetectTimeout bounds how long a failed host may take to be
	// seen failing: vSphere HA declares a host failed after 15 s.
	DefaultDetectTimeout = time.Minute
	// DefaultTimeout bounds the whole observation of a drill.
	DefaultTimeout = 10 * time.Minute
	// MaxTargets is the most hosts one drill fails at once.
	MaxTargets = 3
	// MaxNameLen bounds a plan's name, in bytes: the name begins its
	// journal's file name (JournalName), which file systems limit to 255.
	MaxNameLen = 200
)

// Load reads and checks the plan file at path: every problem is a
// *strictyaml.Error naming its line, column and key. A file larger than
// readlimit.Document is refused (*readlimit.TooLargeError) without being
// read further; ctx ends a read that blocks.
func Load(ctx context.Context, path string) (Plan, error) {
	data, err := readlimit.File(ctx, path, readlimit.Document)
	if err != nil {
		return Plan{}, fmt.Errorf("read the drill plan: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes and checks a plan read from path, and fills in its
// defaults.
func Parse(path string, data []byte) (Plan, error) {
	var p Plan
	doc, err := strictyaml.Decode(path, data, &p)
	if err != nil {
		return Plan{}, err
	}
	if err := p.check(doc); err != nil {
		return Plan{}, err
	}
	return p, nil
}

// check validates what the types alone do not, and sets the defaults.
func (p *Plan) check(doc *strictyaml.Document) error {
	at := func(format string, args ...any) func(keys ...string) error {
		return func(keys ...string) error { return doc.Errorf(keys, format, args...) }
	}
	switch {
	case strings.TrimSpace(p.Name) == "":
		return at("give the drill a name")("name")
	case strings.IndexFunc(p.Name, unicode.IsControl) >= 0:
		return at("%q holds a control character (a newline, a tab, NUL): the name goes into the journal's file name and the timeline; use printable characters", p.Name)("name")
	case len(p.Name) > MaxNameLen:
		return at("%d bytes long: at most %d, since the name begins the journal's file name", len(p.Name), MaxNameLen)("name")
	case strings.TrimSpace(p.Cluster) == "":
		return at("name the cluster to drill")("cluster")
	}
	if err := p.Targets.check(doc); err != nil {
		return err
	}
	for i, g := range p.Protect {
		if _, err := path.Match(g, ""); err != nil || g == "" {
			return at("%q is not a VM name pattern: use names with * and ? wildcards", g)("protect", fmt.Sprintf("[%d]", i))
		}
	}
	if p.Expect.RTO <= 0 {
		return at("give the recovery time objective, such as 5m")("expect", "rto")
	}
	if p.Expect.Lost < 0 {
		return at("%d: lost counts VMs, 0 or more", p.Expect.Lost)("expect", "lost")
	}
	if err := p.checkInject(doc); err != nil {
		return err
	}
	if p.DetectTimeout < 0 {
		return at("a timeout must be positive")("detect-timeout")
	}
	if p.Timeout < 0 {
		return at("a timeout must be positive")("timeout")
	}
	if p.DetectTimeout == 0 {
		p.DetectTimeout = Duration(DefaultDetectTimeout)
	}
	if p.Timeout == 0 {
		p.Timeout = Duration(max(DefaultTimeout, 2*time.Duration(p.Expect.RTO)))
	}
	if p.Timeout < p.Expect.RTO {
		return at("%s is shorter than expect.rto (%s): the drill would give up before the VMs are due; make it longer", p.Timeout, p.Expect.RTO)("timeout")
	}
	if p.Rollback == "" {
		p.Rollback = RollbackAlways
	}
	return nil
}

func (t *Targets) check(doc *strictyaml.Document) error {
	switch {
	case len(t.Hosts) > 0 && t.Pick != "":
		return doc.Errorf([]string{"targets", "pick"}, "name the hosts or pick them, not both")
	case len(t.Hosts) == 0 && t.Pick == "":
		return doc.Errorf([]string{"targets"}, "name the hosts to fail (hosts: [esx-01]) or pick them (pick: most-vms, count: 1)")
	case len(t.Hosts) > MaxTargets:
		return doc.Errorf([]string{"targets", "hosts"}, "%d hosts: a drill fails at most %d at once", len(t.Hosts), MaxTargets)
	case t.Pick == "" && (t.Count != 0 || t.Seed != 0):
		return doc.Errorf([]string{"targets", "count"}, "count and seed go with pick")
	case t.Pick != "" && t.Count == 0:
		return doc.Errorf([]string{"targets", "count"}, "missing: pick %s needs count, how many hosts to fail (1 to %d)", t.Pick, MaxTargets)
	case t.Pick != "" && (t.Count < 1 || t.Count > MaxTargets):
		return doc.Errorf([]string{"targets", "count"}, "%d: pick 1 to %d hosts", t.Count, MaxTargets)
	case t.Pick == PickMostVMs && t.Seed != 0:
		return doc.Errorf([]string{"targets", "seed"}, "seed goes with pick: random")
	}
	for i, h := range t.Hosts {
		if slices.Contains(t.Hosts[:i], h) {
			return doc.Errorf([]string{"targets", "hosts", fmt.Sprintf("[%d]", i)}, "%s is named twice", h)
		}
		if strings.ContainsAny(h, "*?[") {
			return doc.Errorf([]string{"targets", "hosts", fmt.Sprintf("[%d]", i)}, "%q: name each host; to choose hosts, use pick", h)
		}
	}
	return nil
}

// checkInject fits the injection to the scenario: sim-crash and command
// fail hosts (host-failure), sim-network and command cut their network
// (isolation, partition), evacuate empties them (evacuation).
func (p *Plan) checkInject(doc *strictyaml.Document) error {
	in := &p.Inject
	wrong := func(format string, args ...any) error {
		return doc.Errorf([]string{"inject", "method"}, format, args...)
	}
	switch {
	case in.Method == "" && p.Scenario == ScenarioEvacuation:
		in.Method = MethodEvacuate
	case in.Method == "" && p.Scenario == ScenarioHostFailure:
		return wrong("say how to fail the host: sim-crash (vtui's simulator) or command (a hard power-off of a real host)")
	case in.Method == "":
		return wrong("say how to cut the hosts' network: sim-network (vtui's simulator) or command (one that cuts a real host's management network and leaves its storage up)")
	case p.Scenario == ScenarioHostFailure && in.Method == MethodEvacuate:
		return wrong("evacuate is a planned maintenance, not a host failure: use scenario: evacuation, or method sim-crash or command")
	case p.Scenario == ScenarioHostFailure && in.Method == MethodSimNetwork:
		return wrong("sim-network cuts a host's network, which HA does not count as a failure while its datastores answer: use scenario: isolation or partition, or method sim-crash to fail the host")
	case p.Scenario.cutsNetwork() && in.Method == MethodSimCrash:
		return wrong("sim-crash fails the host, which is scenario: host-failure; scenario %s cuts the network and leaves the host running: use method sim-network (vtui's simulator) or command", p.Scenario)
	case p.Scenario.cutsNetwork() && in.Method == MethodEvacuate:
		return wrong("evacuate is a planned maintenance; scenario %s cuts the network: use method sim-network (vtui's simulator) or command", p.Scenario)
	case p.Scenario == ScenarioEvacuation && in.Method != MethodEvacuate:
		return wrong("%s fails a host; an evacuation scenario uses method evacuate", in.Method)
	case in.Method == MethodCommand && in.Command.IsZero() && p.Scenario.cutsNetwork():
		return doc.Errorf([]string{"inject", "command"}, "method command needs the command that cuts the host's management network (and nothing else: its storage stays up), with a recover command that restores it")
	case in.Method == MethodCommand && in.Command.IsZero():
		return doc.Errorf([]string{"inject", "command"}, `method command needs the command that powers the host off hard, e.g. [ipmitool, -H, "{{.Host}}-ipmi", chassis, power, "off"]`)
	case in.Method != MethodCommand && (!in.Command.IsZero() || !in.Recover.IsZero()):
		return doc.Errorf([]string{"inject", "command"}, "command and recover go with method command")
	}
	for _, c := range []struct {
		key string
		cmd Command
	}{{"command", in.Command}, {"recover", in.Recover}} {
		if c.cmd.IsZero() {
			continue
		}
		if err := c.cmd.check(); err != nil {
			return doc.Errorf([]string{"inject", c.key}, "%v", err)
		}
	}
	return nil
}
