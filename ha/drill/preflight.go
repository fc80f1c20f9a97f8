package drill

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/vtui/vtui/ha/admission"
	"github.com/vtui/vtui/ha/capacity"
	"github.com/vtui/vtui/ha/placement"
	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/drillkit"
	"github.com/vtui/vtui/vsphere/gate"
)

// HA says what restarts VMs in a drill: vSphere HA, or vtui's simulator's
// emulation of it.
type HA string

// The kinds of HA a drill runs against.
const (
	HAReal      HA = "real"
	HASimulated HA = "simulated"
)

// Preflight is what a drill checked before touching anything, and what it
// found: the cluster, the targets it picked and the VMs it protects. If
// any check failed, the drill injects nothing.
type Preflight struct {
	// Checks are every gate, in order; their names are stable: policy,
	// cluster, targets, protected, ha, admission-control, hosts, capacity,
	// lock, method.
	Checks []gate.Check
	// HA is real, or simulated when the server is vtui's simulator.
	HA HA
	// Scenario is the plan's.
	Scenario Scenario
	// Seed is the seed random targets were picked with.
	Seed int64

	Cluster   vsphere.Cluster
	Targets   []vsphere.Host
	Protected []vsphere.VM
	// Unprotected are the other powered-on VMs of the targets: reported,
	// never failing the drill.
	Unprotected []vsphere.VM
	// WhatIf is the capacity what-if of the targets failing (or, in an
	// isolation, of the VMs their isolation response powers off): where
	// HA should restart each VM.
	WhatIf capacity.Scenario
	// Predictions are the outcome predicted for each protected VM, in
	// the order of Protected; verify holds the run to them.
	Predictions []Prediction
	// Watch is how long after the injection the drill watches the VMs
	// predicted to keep running on a target: HA's time to act on them
	// (HATiming), twice over. Zero when no such VM is predicted.
	Watch time.Duration
	// DRSEvacuates says DRS, not vtui, empties the targets of an
	// evacuation (fully automated and not pinned).
	DRSEvacuates bool
	// Commands are the commands of method command, exactly as they will
	// run: each target's inject command, then its recover command.
	Commands []PlannedCommand
	// BMCs are the targets' BMCs, for methods that go through them: where
	// each answers, and the system it powers (once asked; a dry run asks
	// no BMC).
	BMCs []PlannedBMC
	// SteadyState are the checks of the plan's steady state, nil when it
	// states none; one that fails refuses the drill as a failed check
	// does.
	SteadyState []gate.Check

	inv    *vsphere.Inventory
	config *vsphere.ClusterConfig
	notSim error             // why the server is not vtui's simulator
	sim    *drillkit.SimInfo // what vtui's simulator says of itself; nil if it is not
	bmc    *bmcAccess        // how the injection reaches the BMCs, once checked
}

// OK reports whether every check passed, those of the steady state
// included.
func (p *Preflight) OK() bool { return p != nil && len(p.Failed()) == 0 }

// Failed returns the checks that failed: the gates, then those of the
// steady state, named "steady state NAME".
func (p *Preflight) Failed() []gate.Check {
	var out []gate.Check
	for _, c := range p.Checks {
		if c.Status == gate.CheckFail {
			out = append(out, c)
		}
	}
	for _, c := range p.SteadyState {
		if c.Status == gate.CheckFail {
			c.Name = "steady state " + c.Name
			out = append(out, c)
		}
	}
	return out
}

// Why says why the preflight refused the drill: its failed checks.
func (p *Preflight) Why() string {
	var why []string
	for _, c := range p.Failed() {
		why = append(why, c.String())
	}
	return gate.Summarize(why, "; ")
}

func passed(name, format string, args ...any) gate.Check {
	return gate.Check{Name: name, Status: gate.CheckPass, Reason: fmt.Sprintf(format, args...)}
}

func failed(name, format string, args ...any) gate.Check {
	return gate.Check{Name: name, Status: gate.CheckFail, Reason: fmt.Sprintf(format, args...)}
}

// Preflight runs every gate of the plan against the cluster as it is now,
// changing nothing. It returns an error only when it could not ask
// vCenter; a gate that fails is a failed check.
func (r *Runner) Preflight(ctx context.Context) (*Preflight, error) {
	c, plan := r.Client, r.Plan
	inv, err := c.Inventory(ctx)
	if err != nil {
		return nil, fmt.Errorf("preflight: read the inventory: %w", err)
	}
	p := &Preflight{HA: HAReal, Scenario: plan.Scenario, inv: inv}
	add := func(ch gate.Check) { p.Checks = append(p.Checks, ch) }

	switch pol := c.Policy(); {
	case pol.ReadOnly && pol.DryRun:
		add(passed("policy", "dry run; read-only mode would refuse the drill itself"))
	case pol.ReadOnly:
		add(failed("policy", "read-only mode: a drill fails hosts and moves VMs; run it without --readonly, or with --dry-run to see the plan"))
	default:
		add(passed("policy", "changes allowed"))
	}
	cl, err := vsphere.NewResolver(c, inv).Cluster(ctx, plan.Cluster, "cluster")
	if err != nil {
		add(failed("cluster", "%v", err))
		return p, nil
	}
	p.Cluster = cl
	add(passed("cluster", "%s: %d hosts, %d VMs", cl.Name, cl.HostCount, cl.VMCount))
	if p.config, err = c.ClusterConfig(ctx, inv, cl.Ref); err != nil {
		return nil, fmt.Errorf("preflight: %w", err)
	}
	if info, err := drillkit.SimulatorInfo(ctx, c); err == nil {
		p.HA, p.sim = HASimulated, &info
	} else {
		p.notSim = err
	}
	if p.notSim != nil && !errors.Is(p.notSim, drillkit.ErrNotSimulator) {
		return nil, fmt.Errorf("preflight: %w", p.notSim)
	}

	hosts := inv.FilterHosts(vsphere.Filter{Cluster: cl.Name})
	hosts = slices.DeleteFunc(hosts, func(h vsphere.Host) bool { return h.ClusterRef != cl.Ref })
	vms := slices.DeleteFunc(inv.FilterVMs(vsphere.Filter{Cluster: cl.Name}), func(v vsphere.VM) bool { return v.ClusterRef != cl.Ref })
	targets, seed, check := pickTargets(plan.Targets, cl.Name, hosts, vms)
	p.Targets, p.Seed = targets, seed
	add(check)
	if check.Status == gate.CheckFail {
		return p, nil
	}
	add(p.protect(plan, vms))
	in, gathered := capacity.Gather(ctx, c, p.inv, p.config)
	predicted := p.predict(plan, in, gathered)
	add(p.checkHA(plan))
	add(p.checkAdmission(plan, in, gathered))
	add(p.checkOtherHosts(hosts))
	add(p.checkCapacity(ctx, c, plan, predicted))
	add(r.checkLock(ctx, cl))
	if plan.Inject.Method.usesBMC() {
		add(r.checkBMCs(ctx, p))
	} else {
		add(p.checkMethod(plan))
	}
	if plan.SteadyState != nil {
		p.SteadyState = steadyCheck{c: c, plan: plan, inv: inv, cluster: cl, protected: p.Protected, in: in, gathered: gathered}.run(ctx)
	}
	return p, nil
}

// usable says whether a host can be a target or take VMs: connected and
// not in maintenance mode.
func usable(h vsphere.Host) bool { return h.ConnectionState == "connected" && !h.MaintenanceMode }

// pickTargets resolves the plan's targets among the cluster's hosts.
func pickTargets(t Targets, cluster string, hosts []vsphere.Host, vms []vsphere.VM) ([]vsphere.Host, int64, gate.Check) {
	byName := map[string]vsphere.Host{}
	var names, eligible []string
	for _, h := range hosts {
		byName[h.Name] = h
		names = append(names, h.Name)
		if usable(h) {
			eligible = append(eligible, h.Name)
		}
	}
	slices.Sort(names)
	slices.Sort(eligible)
	var picked []string
	seed := t.Seed
	switch t.Pick {
	case "":
		for _, n := range t.Hosts {
			h, ok := byName[n]
			switch {
			case !ok:
				return nil, 0, failed("targets", "%s is not a host of %s (its hosts: %s)", n, cluster, strings.Join(names, ", "))
			case !usable(h):
				return nil, 0, failed("targets", "%s is %s: a drill fails a host that is up; pick another", n, hostState(h))
			}
		}
		picked = t.Hosts
	case PickMostVMs, PickRandom:
		// Only a host that runs VMs is worth failing.
		on := map[string]int{}
		for _, v := range vms {
			if v.PowerState == "poweredOn" {
				on[v.Host]++
			}
		}
		picked = slices.DeleteFunc(slices.Clone(eligible), func(h string) bool { return on[h] == 0 })
		if len(picked) < t.Count {
			return nil, seed, failed("targets", "%s has %d hosts up and running VMs, fewer than the %d to pick", cluster, len(picked), t.Count)
		}
		if t.Pick == PickMostVMs {
			slices.SortStableFunc(picked, func(a, b string) int { return cmp.Compare(on[b], on[a]) })
		} else {
			if seed == 0 {
				seed = time.Now().UnixNano()
			}
			rand.New(rand.NewPCG(uint64(seed), 0)).Shuffle(len(picked), func(i, j int) { picked[i], picked[j] = picked[j], picked[i] })
		}
		picked = picked[:t.Count]
	}
	if len(picked) >= len(eligible) {
		return nil, seed, failed("targets", "failing %s would leave no host of %s up to restart VMs on", strings.Join(picked, ", "), cluster)
	}
	out := make([]vsphere.Host, len(picked))
	for i, n := range picked {
		out[i] = byName[n]
	}
	return out, seed, passed("targets", "%s", strings.Join(picked, ", "))
}

// hostState describes a host that is not up: "notResponding",
// "in maintenance mode".
func hostState(h vsphere.Host) string {
	if h.MaintenanceMode {
		return "in maintenance mode"
	}
	return h.ConnectionState
}

// protect chooses the VMs the drill proves: by the plan's globs, or every
// powered-on VM of the targets.
func (p *Preflight) protect(plan Plan, vms []vsphere.VM) gate.Check {
	onTarget := map[vsphere.Ref]bool{}
	for _, h := range p.Targets {
		onTarget[h.Ref] = true
	}
	matched := make([]bool, len(plan.Protect))
	for _, v := range vms {
		if v.PowerState != "poweredOn" {
			continue
		}
		protected := len(plan.Protect) == 0 && onTarget[v.HostRef]
		for i, g := range plan.Protect {
			if ok, _ := path.Match(g, v.Name); ok {
				protected, matched[i] = true, true
			}
		}
		switch {
		case protected:
			p.Protected = append(p.Protected, v)
		case onTarget[v.HostRef]:
			p.Unprotected = append(p.Unprotected, v)
		}
	}
	for i, m := range matched {
		if !m {
			return failed("protected", "protect: %q matches no powered-on VM of %s", plan.Protect[i], p.Cluster.Name)
		}
	}
	onTargets := 0
	for _, v := range p.Protected {
		if onTarget[v.HostRef] {
			onTargets++
		}
	}
	if onTargets == 0 {
		return failed("protected", "no protected VM runs on %s: the drill would prove nothing; pick other targets, or protect other VMs", targetNames(p.Targets))
	}
	return passed("protected", "%d VMs (%d of them on the targets)", len(p.Protected), onTargets)
}

func targetNames(hosts []vsphere.Host) string {
	names := make([]string, len(hosts))
	for i, h := range hosts {
		names[i] = h.Name
	}
	return strings.Join(names, ", ")
}

// predict predicts each protected VM's outcome (Predictions) and how
// long the drill must watch those that keep running on a target (Watch).
// It returns why it could not: what Gather could not read, or the
// what-if's error.
func (p *Preflight) predict(plan Plan, in capacity.Input, gathered error) error {
	if gathered != nil {
		return fmt.Errorf("could not read the VMs' reservations: %w", gathered)
	}
	var err error
	if p.Predictions, p.WhatIf, err = predict(plan.Scenario, in, p.Targets, p.Protected); err != nil {
		return err
	}
	onTarget := map[string]bool{}
	for _, v := range p.Protected {
		onTarget[v.Name] = slices.ContainsFunc(p.Targets, func(h vsphere.Host) bool { return h.Ref == v.HostRef })
	}
	if slices.ContainsFunc(p.Predictions, func(pr Prediction) bool { return pr.Outcome == OutcomeKeepsRunning && onTarget[pr.VM] }) {
		p.Watch = 2 * p.Timing().Acts(plan.Scenario)
	}
	return nil
}

// checkHA requires HA: with host monitoring for a host failure, as
// without it nothing restarts the VMs; for an isolation or a partition,
// to watch the hosts at all (host monitoring off suspends the isolation
// responses, which the prediction says). It says how long the drill
// watches the VMs predicted to keep running, and refuses a plan whose
// timeout ends before.
func (p *Preflight) checkHA(plan Plan) gate.Check {
	ha := p.config.Spec.HA
	switch {
	case plan.Scenario == ScenarioEvacuation:
		return passed("ha", "not needed: an evacuation moves running VMs")
	case !ha.Enabled && plan.Scenario.cutsNetwork():
		return failed("ha", "vSphere HA is disabled on %s, so nothing watches its hosts in a network cut (%s): vtui cluster ha set %s --enabled", p.Cluster.Name, plan.Scenario, p.Cluster.Name)
	case !ha.Enabled:
		return failed("ha", "vSphere HA is disabled on %s, so nothing would restart the VMs: vtui cluster ha set %s --enabled", p.Cluster.Name, p.Cluster.Name)
	case !ha.HostMonitoring && plan.Scenario == ScenarioHostFailure:
		return failed("ha", "HA host monitoring is off on %s, so a failed host is not failed over: vtui cluster ha set %s --host-monitoring", p.Cluster.Name, p.Cluster.Name)
	case p.Watch > plan.Timeout.D():
		return failed("ha", "HA acts in this %s within %s (%s), and the drill watches the VMs predicted to keep running for twice that, %s: "+
			"make timeout at least %s", plan.Scenario, p.Watch/2, p.Timing(), p.Watch, p.Watch)
	}
	reason := "enabled, with host monitoring"
	if !ha.HostMonitoring {
		reason = "enabled; host monitoring is off, which suspends isolation responses"
	}
	if p.Watch > 0 {
		reason += fmt.Sprintf("; HA acts in this %s within %s (%s): the VMs predicted to keep running are watched for %s", plan.Scenario, p.Watch/2, p.Timing(), p.Watch)
	}
	return passed("ha", "%s", reason)
}

// checkAdmission requires admission control for a host failure: without
// it, nothing reserves the capacity the restarts need. An evacuation
// needs none, but admission control must let the targets enter
// maintenance mode (see admitsEvacuation). It reports what
// admission control holds now, computed as vCenter (and vtui's simulator,
// which enforces the same computation) does, and warns when that covers
// fewer host failures than the drill's.
func (p *Preflight) checkAdmission(plan Plan, in capacity.Input, gathered error) gate.Check {
	ac := p.config.Spec.HA.AdmissionControl
	switch {
	case plan.Scenario == ScenarioEvacuation:
		return p.admitsEvacuation(in, gathered)
	case plan.Scenario.cutsNetwork() && !slices.ContainsFunc(p.Predictions, func(pr Prediction) bool { return pr.Outcome == OutcomeRestarts }):
		return passed("admission-control", "not needed: no protected VM is predicted to restart")
	case ac.Mode == clusterspec.AdmissionDisabled:
		return failed("admission-control", "admission control is disabled on %s, so no capacity is reserved for restarts: vtui cluster ha set %s --admission-control failures:%d",
			p.Cluster.Name, p.Cluster.Name, len(p.Targets))
	case gathered != nil:
		return passed("admission-control", "%s (what it holds now is unknown: %v)", ac, gathered)
	}
	st := capacity.Admission(in).State()
	now := fmt.Sprintf("%s; %s", ac, admissionNow(st))
	if st.Level < len(p.Targets) {
		return gate.Check{Name: "admission-control", Status: gate.CheckWarn,
			Reason: fmt.Sprintf("%s, fewer than the %d this drill fails, so the capacity for its restarts is not reserved", now, len(p.Targets))}
	}
	return passed("admission-control", "%s", now)
}

// admitsEvacuation refuses an evacuation that HA admission control would
// refuse, as vCenter does: the targets entering maintenance mode, one
// after the other, would leave less failover capacity than its policy
// reserves.
func (p *Preflight) admitsEvacuation(in capacity.Input, gathered error) gate.Check {
	c := capacity.Admission(in)
	if c.Enforced() && gathered == nil {
		for _, h := range p.Targets {
			if err := c.Evacuate(h.Name); err != nil {
				return failed("admission-control", "%v: vCenter would refuse the maintenance mode; evacuate fewer hosts, or lower what admission control reserves (vtui cluster ha set %s --admission-control ...)",
					err, p.Cluster.Name)
			}
			c.Hosts = slices.Clone(c.Hosts)
			for i := range c.Hosts {
				if c.Hosts[i].Name == h.Name {
					c.Hosts[i].Usable = false
				}
			}
		}
	}
	return passed("admission-control", "not needed: an evacuation is planned")
}

// admissionNow says what admission control holds now, in the vSphere
// Client's terms: "failover capacity 99% CPU, 66% memory (configured 34%,
// 34%); tolerates 2 host failures". The current failover capacity is the
// share of the cluster that running VMs leave unreserved; the configured
// one is what the policy keeps for restarts.
func admissionNow(st admission.State) string {
	var parts []string
	if st.ReservedCPUPercent > 0 || st.ReservedMemoryPercent > 0 {
		parts = append(parts, fmt.Sprintf("failover capacity %d%% CPU, %d%% memory (configured %d%%, %d%%)",
			st.CPUPercent, st.MemoryPercent, st.ReservedCPUPercent, st.ReservedMemoryPercent))
	}
	for _, h := range st.FailoverHosts {
		switch {
		case !h.Usable:
			parts = append(parts, "failover host "+h.Name+" cannot run VMs")
		case h.VMs > 0:
			parts = append(parts, fmt.Sprintf("failover host %s runs %d VMs", h.Name, h.VMs))
		}
	}
	tolerated := "tolerates 1 host failure"
	if st.Level != 1 {
		tolerated = fmt.Sprintf("tolerates %d host failures", st.Level)
	}
	return strings.Join(append(parts, tolerated), "; ")
}

// checkOtherHosts requires every other host up, so that the drill fails
// only what it means to.
func (p *Preflight) checkOtherHosts(hosts []vsphere.Host) gate.Check {
	var down []string
	for _, h := range hosts {
		if !usable(h) && !slices.ContainsFunc(p.Targets, func(t vsphere.Host) bool { return t.Ref == h.Ref }) {
			down = append(down, h.Name+" is "+hostState(h))
		}
	}
	if len(down) > 0 {
		return failed("hosts", "every other host must be up before a drill: %s", strings.Join(down, "; "))
	}
	return passed("hosts", "the %d other hosts are connected and out of maintenance mode", len(hosts)-len(p.Targets))
}

// checkCapacity requires that the protected VMs predicted to restart can
// (predicted, the prediction's error), and for an evacuation vtui carries
// out, that each VM has a host to go to.
func (p *Preflight) checkCapacity(ctx context.Context, c *vsphere.Client, plan Plan, predicted error) gate.Check {
	if predicted != nil {
		return failed("capacity", "%v", predicted)
	}
	var stuck []string
	protected := map[string]bool{}
	for _, v := range p.Protected {
		protected[v.Name] = true
	}
	switch plan.Scenario {
	case ScenarioEvacuation:
		for _, s := range p.WhatIf.Stranded {
			if protected[s.VM] && s.Protected {
				stuck = append(stuck, s.VM+": "+s.Reason)
			}
		}
	default:
		for _, pr := range p.Predictions {
			if pr.Outcome == OutcomeStaysDown {
				stuck = append(stuck, pr.VM+": "+pr.Why)
			}
		}
	}
	if len(stuck) > 0 {
		verb := "failed"
		if plan.Scenario == ScenarioIsolation {
			verb = "were isolated"
		}
		return failed("capacity", "%d protected VMs would not restart if %s %s: %s", len(stuck), targetNames(p.Targets), verb, strings.Join(stuck, "; "))
	}
	if plan.Scenario == ScenarioEvacuation {
		p.DRSEvacuates = placement.DRSEvacuates(p.config.Spec.DRS, plan.PinDRS)
		if !p.DRSEvacuates {
			planner, err := gate.PlannerFor(ctx, c, p.inv, []vsphere.Ref{p.Cluster.Ref}, nil)
			if err != nil {
				return failed("capacity", "could not read the cluster's rules: %v", err)
			}
			refs := make([]vsphere.Ref, len(p.Targets))
			for i, h := range p.Targets {
				refs[i] = h.Ref
			}
			if _, err := placement.PlanMaintenance(planner, refs, true, 0); err != nil {
				return failed("capacity", "%v", err)
			}
		}
	}
	if plan.Scenario == ScenarioPartition {
		return passed("capacity", "not needed: HA restarts nothing in a partition")
	}
	return passed("capacity", "%d VMs would restart elsewhere, %s of memory left unreserved", len(p.WhatIf.Restarts), format.MB(p.WhatIf.FreeMemoryMB))
}

// checkLock refuses when another drill holds the cluster.
func (r *Runner) checkLock(ctx context.Context, cl vsphere.Cluster) gate.Check {
	lock, err := drillkit.ReadLock(ctx, r.Client, cl.Ref)
	switch {
	case err != nil:
		return failed("lock", "%v", err)
	case !lock.Free(time.Now()) && lock.Holder != r.Holder:
		return failed("lock", "another drill runs on %s: %s, until %s; wait for it, or for its lock to expire",
			cl.Name, lock.Holder, lock.Expires.Format(time.RFC3339))
	}
	return passed("lock", "no other drill runs on %s", cl.Name)
}

// checkMethod fits the injection to the server: sim-crash and
// sim-network only against vtui's simulator, sim-network only against one
// that emulates isolation.
func (p *Preflight) checkMethod(plan Plan) gate.Check {
	switch plan.Inject.Method {
	case MethodSimCrash, MethodSimNetwork:
		switch {
		case p.HA != HASimulated && plan.Inject.Method == MethodSimNetwork:
			return failed("method", "sim-network works only against vtui's simulator, and this server is not (it has no fault door); "+
				"for a real vCenter use inject.method command, with a command that cuts the host's management network and leaves its storage up")
		case p.HA != HASimulated:
			return failed("method", "sim-crash works only against vtui's simulator, and this server is %v; for a real vCenter use "+
				"inject.method redfish or ipmi (a hard power-off through each host's BMC) or command (your own command, such as ipmitool), "+
				"or rehearse planned maintenance with scenario evacuation and method evacuate", p.notSim)
		case plan.Inject.Method == MethodSimNetwork:
			if fault, ok := p.simCuts(plan.Scenario); !ok {
				return failed("method", "this simulator's fault door cannot %s a host and restore its network (it offers %s): run a vtui sim of this vtui's version",
					fault, strings.Join(p.sim.Faults, ", "))
			}
		}
		return passed("method", "%s through the simulator's fault door", plan.Inject.Method)
	case MethodCommand:
		var runs []string
		for _, h := range p.Targets {
			for _, c := range []struct {
				what string
				cmd  Command
			}{{"inject", plan.Inject.Command}, {"recover", plan.Inject.Recover}} {
				if c.cmd.IsZero() {
					continue
				}
				inv, err := c.cmd.render(h.Name, p.Cluster.Name)
				if err != nil {
					return failed("method", "the %s command for %s: %v", c.what, h.Name, err)
				}
				p.Commands = append(p.Commands, PlannedCommand{What: c.what, Host: h.Name, Invocation: inv, Text: inv.String()})
				runs = append(runs, fmt.Sprintf("%s %s: %s", c.what, h.Name, inv))
			}
		}
		return passed("method", "command, run as: %s", strings.Join(runs, "; "))
	}
	if p.DRSEvacuates {
		return passed("method", "maintenance mode; DRS (fully automated) moves the VMs")
	}
	return passed("method", "maintenance mode, after vtui moves the VMs by placement")
}

// simCuts names the simulator's fault that cuts the network as scenario
// does, and says whether its fault door offers it and its restoration.
func (p *Preflight) simCuts(s Scenario) (string, bool) {
	fault := "isolate"
	if s == ScenarioPartition {
		fault = "partition"
	}
	return fault, slices.Contains(p.sim.Faults, fault) && slices.Contains(p.sim.Faults, "restore-network")
}

// PlannedCommand is a command of method command that a drill will run.
type PlannedCommand struct {
	// What is inject or recover.
	What       string     `json:"what"`
	Host       string     `json:"host"`
	Invocation Invocation `json:"invocation"`
	// Text is the invocation as a shell would run it, for people.
	Text string `json:"text"`
}

// Injection says what a drill with method m is about to do, for a
// confirmation: "crash esx-a-01 of cluster-a, with 8 protected VMs".
func (p *Preflight) Injection(m Method) string {
	verb := map[Method]string{MethodSimCrash: "crash", MethodCommand: "power off (by the plan's command)",
		MethodEvacuate: "put into maintenance mode", MethodRedfish: "power off hard (Redfish ForceOff through the BMC)",
		MethodIPMI: "power off hard (IPMI chassis power down through the BMC)"}[m]
	switch {
	case p.Scenario == ScenarioIsolation && m == MethodSimNetwork:
		verb = "isolate (cut the management network of)"
	case p.Scenario == ScenarioPartition && m == MethodSimNetwork:
		verb = "partition (cut off from the other hosts, together)"
	case p.Scenario.cutsNetwork():
		verb = "cut the network (by the plan's command) of"
	}
	return fmt.Sprintf("%s %s of %s, with %d protected VMs", verb, targetNames(p.Targets), p.Cluster.Name, len(p.Protected))
}
