package drill

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/drillkit"
)

// tracker turns a drill's observations into the state of each VM and
// host, the timeline, and the evidence the verdict rests on. Before the
// injection (t0 zero) observations only set the starting state.
type tracker struct {
	t0       time.Time
	hostName map[string]string // host ID -> name
	targets  map[string]bool   // target host IDs
	vms      map[vsphere.Ref]*vmTrack
	hosts    map[vsphere.Ref]*hostTrack
	moments  []Moment
	// detected is when a target was first seen failing or cut off (not
	// connected), declared when HA declared one failed or isolated
	// (DasHostFailedEvent, DasHostIsolatedEvent). seenDown is when each
	// target (by ID) was first seen so.
	detected, declared time.Time
	seenDown           map[string]time.Time
	// cutOff says the targets' network is cut, not the hosts failed: a
	// VM of a target may keep running there, seen through a host that
	// does not answer. watch is how long after t0 the VMs predicted to
	// keep running on a target are watched (Preflight.Watch), until
	// watchEnd; undetectedEnd says the detect timeout passed, so the VMs
	// of a target not seen down are no longer waited for.
	cutOff        bool
	detects       bool // the targets go down (not an evacuation)
	watch         time.Duration
	watchEnd      time.Time
	undetectedEnd bool
	// maxRestarts is the cluster's das.maxvmrestartcount: the attempts
	// HA makes to restart a VM before it gives up.
	maxRestarts int
	onMoment    func(Moment)
}

// vmTrack is one VM as the drill sees it.
type vmTrack struct {
	name, uuid          string
	protected, onTarget bool
	from                string // its host ID when the drill started
	host, power, conn   string
	seen                bool // its state has arrived
	// expect is the outcome the preflight predicted, and why; "" for a
	// VM that is not protected.
	expect   Outcome
	why      string
	expectTo string // where it should run after: Prediction.To or Host
	// stopped says it was seen not powered on after t0.
	stopped bool
	// left says it stopped running where it was, or moved, after t0;
	// recovered is when it last started running again on a surviving host.
	left      bool
	recovered time.Time
	// powerOns counts transitions to poweredOn seen in property updates,
	// restarts and powerOnEvents the events: updates may coalesce a quick
	// off-on, so the count is the largest of the three.
	powerOns, restarts, powerOnEvents int
	// refused counts HA's failed attempts to restart it since the
	// injection (NotEnoughResourcesToStartVmEvent).
	refused int
	notes   []string
}

// starts counts the VM's power-ons since the injection, by the evidence
// that saw the most.
func (v *vmTrack) starts() int { return max(v.powerOns, v.restarts, v.powerOnEvents) }

type hostTrack struct {
	name  string
	conn  string
	maint string
	seen  bool
}

// newTracker follows the VMs and hosts of a cluster, from the preflight's
// inventory.
func newTracker(pre *Preflight, onMoment func(Moment)) *tracker {
	t := &tracker{hostName: map[string]string{}, targets: map[string]bool{}, vms: map[vsphere.Ref]*vmTrack{},
		hosts: map[vsphere.Ref]*hostTrack{}, onMoment: onMoment, maxRestarts: maxRestarts(pre.config),
		seenDown: map[string]time.Time{}, cutOff: pre.Scenario.cutsNetwork(), detects: pre.Scenario != ScenarioEvacuation, watch: pre.Watch}
	for _, h := range pre.inv.Hosts {
		t.hostName[h.Ref.Value] = h.Name
		if h.ClusterRef == pre.Cluster.Ref {
			t.hosts[h.Ref] = &hostTrack{name: h.Name}
		}
	}
	for _, h := range pre.Targets {
		t.targets[h.Ref.Value] = true
	}
	protected := map[vsphere.Ref]*Prediction{}
	for i, v := range pre.Protected {
		protected[v.Ref] = &Prediction{}
		if i < len(pre.Predictions) {
			protected[v.Ref] = &pre.Predictions[i]
		}
	}
	for _, v := range pre.inv.VMs {
		if v.ClusterRef == pre.Cluster.Ref {
			vt := &vmTrack{name: v.Name, uuid: v.InstanceUUID, protected: protected[v.Ref] != nil,
				onTarget: t.targets[v.HostRef.Value], from: v.HostRef.Value}
			if pr := protected[v.Ref]; pr != nil {
				vt.expect, vt.why, vt.expectTo = pr.Outcome, pr.String(), cmp.Or(pr.To, pr.Host)
				if pr.Outcome == OutcomeStaysDown || pr.Outcome == OutcomeMoves {
					vt.expectTo = ""
				}
			}
			t.vms[v.Ref] = vt
		}
	}
	return t
}

// refs returns the VMs and hosts to observe.
func (t *tracker) refs() (vms, hosts []vsphere.Ref) {
	for r := range t.vms {
		vms = append(vms, r)
	}
	for r := range t.hosts {
		hosts = append(hosts, r)
	}
	return vms, hosts
}

// ready reports whether every VM's and host's state has arrived.
func (t *tracker) ready() bool {
	for _, v := range t.vms {
		if !v.seen {
			return false
		}
	}
	for _, h := range t.hosts {
		if !h.seen {
			return false
		}
	}
	return true
}

// step adds a step of the drill to the timeline.
func (t *tracker) step(format string, args ...any) {
	t.add(Moment{Time: time.Now(), Kind: "step", What: fmt.Sprintf(format, args...)})
}

func (t *tracker) add(m Moment) {
	if !t.t0.IsZero() {
		m.At = round(m.Time.Sub(t.t0).Seconds())
	}
	t.moments = append(t.moments, m)
	if t.onMoment != nil {
		t.onMoment(m)
	}
}

// inject marks the injection: from now on changes are evidence.
func (t *tracker) inject(at time.Time) {
	t.t0, t.watchEnd = at, at.Add(t.watch)
	for i := range t.moments {
		t.moments[i].At = round(t.moments[i].Time.Sub(at).Seconds())
	}
}

// applyAll takes a batch of observations in time order. A batch holds
// property changes, timed when vtui received them, then the events
// posted by then, timed by vCenter: earlier. In time order, the moments
// handed out live come in the order the report's timeline has.
func (t *tracker) applyAll(obs []drillkit.Observation) {
	obs = slices.Clone(obs)
	slices.SortStableFunc(obs, func(a, b drillkit.Observation) int { return a.Time.Compare(b.Time) })
	for _, ob := range obs {
		t.apply(ob)
	}
}

// apply takes one observation.
func (t *tracker) apply(ob drillkit.Observation) {
	switch {
	case ob.Event != "":
		t.event(ob)
	case t.vms[ob.Ref] != nil:
		t.vm(t.vms[ob.Ref], ob)
	case t.hosts[ob.Ref] != nil:
		t.host(t.hosts[ob.Ref], ob)
	}
}

func (t *tracker) event(ob drillkit.Observation) {
	if t.t0.IsZero() {
		return
	}
	switch ob.Event {
	case "DasHostFailedEvent", "DasHostIsolatedEvent":
		if t.declared.IsZero() && t.isTarget(ob.Name) {
			t.declared = ob.Time
		}
	case "NotEnoughResourcesToStartVmEvent":
		if v := t.vms[ob.Ref]; v != nil {
			v.refused++
			v.notes = append(v.notes, "HA could not restart it: "+ob.Message)
		}
	case "VmRestartedOnAlternateHostEvent":
		if v := t.vms[ob.Ref]; v != nil {
			v.restarts++
		}
	case "VmPoweredOnEvent":
		if v := t.vms[ob.Ref]; v != nil {
			v.powerOnEvents++
		}
	}
	what := ob.Event
	if ob.SourceHost != "" {
		what += " from " + ob.SourceHost
	}
	if ob.Host != "" && ob.Host != ob.Name {
		what += " on " + ob.Host
	}
	t.add(Moment{Time: ob.Time, Kind: "event", Object: ob.Name, What: what})
}

func (t *tracker) host(h *hostTrack, ob drillkit.Observation) {
	switch ob.Property {
	case "runtime.connectionState":
		h.conn, h.seen = ob.Value, true
	case "runtime.inMaintenanceMode":
		h.maint = ob.Value
	default:
		return
	}
	if t.t0.IsZero() {
		return
	}
	if ob.Property == "runtime.connectionState" && ob.Value != "connected" && t.isTarget(h.name) {
		if t.detected.IsZero() {
			t.detected = ob.Time
		}
		if id := ob.Ref.Value; t.seenDown[id].IsZero() {
			t.seenDown[id] = ob.Time
		}
	}
	t.add(Moment{Time: ob.Time, Kind: "host", Object: h.name, What: change(ob.Property, ob.Value)})
}

func (t *tracker) isTarget(hostName string) bool {
	for id := range t.targets {
		if t.hostName[id] == hostName {
			return true
		}
	}
	return false
}

func (t *tracker) vm(v *vmTrack, ob drillkit.Observation) {
	was := v.running(t.targets)
	wasOn := v.power == "poweredOn"
	switch ob.Property {
	case "runtime.host":
		v.host = ob.Value
	case "runtime.powerState":
		v.power, v.seen = ob.Value, true
	case "runtime.connectionState":
		v.conn = ob.Value
	case "config.instanceUuid":
		v.uuid = ob.Value
		return
	default:
		return
	}
	if t.t0.IsZero() {
		return
	}
	if v.power == "poweredOn" && !wasOn {
		v.powerOns++
	}
	if ob.Property == "runtime.powerState" && v.power != "poweredOn" {
		v.stopped = true
	}
	value := ob.Value
	if ob.Property == "runtime.host" {
		value = t.hostName[ob.Value]
	}
	if v.protected || v.onTarget {
		t.add(Moment{Time: ob.Time, Kind: "vm", Object: v.name, What: change(ob.Property, value)})
	}
	now := v.running(t.targets)
	switch {
	case !now:
		v.left = true
		if !v.recovered.IsZero() {
			v.notes = append(v.notes, fmt.Sprintf("stopped again at %.1fs", ob.Time.Sub(t.t0).Seconds()))
			v.recovered = time.Time{}
		}
	case !was || v.host != v.from:
		if v.host != v.from {
			v.left = true
		}
		if v.left && v.recovered.IsZero() {
			v.recovered = ob.Time
		}
	}
}

// change is how the timeline says a property changed:
// "runtime.host = esx-02". Live reads it back.
func change(property, value string) string { return property + changeSep + value }

const changeSep = " = "

// running says the VM runs on a host that was not failed: powered on,
// connected, and not on a target.
func (v *vmTrack) running(targets map[string]bool) bool {
	return v.power == "poweredOn" && (v.conn == "" || v.conn == "connected") && !targets[v.host]
}

// done reports whether every protected VM of the targets is accounted
// for at now: one predicted to keep running once the watch has ended
// (whatever it did, the verdict reads it then); another once it runs
// again or HA gave up on it. The VMs of a target not seen down by the
// detect timeout are not waited for: nothing happens to them.
func (t *tracker) done(now time.Time) bool {
	for _, v := range t.vms {
		switch {
		case !v.protected || !v.onTarget:
		case t.undetectedEnd && t.seenDown[v.from].IsZero():
		case v.expect == OutcomeKeepsRunning:
			if now.Before(t.watchEnd) {
				return false
			}
		case v.recovered.IsZero() && !t.givenUp(v):
			return false
		}
	}
	return true
}

// undetected names the targets not seen down (not connected) since t0.
func (t *tracker) undetected() []string {
	var out []string
	for id := range t.targets {
		if t.seenDown[id].IsZero() {
			out = append(out, t.hostName[id])
		}
	}
	slices.Sort(out)
	return out
}

// found is what became of v: it ran on, never stopped or powered on
// again, where it was or, off the targets, anywhere (keeps-running: on a
// target whose network is cut it is seen through a host that does not
// answer, in its last state); it moved to a surviving host running, which
// only an evacuation does (moves); it runs again on a surviving host
// (restarts: a VM cannot move off a host that is down or cut off, so it
// was restarted, whether or not the power-on's evidence arrived); else it
// stays down.
func (t *tracker) found(v *vmTrack) Outcome {
	calm := !v.stopped && v.starts() == 0 && v.power == "poweredOn"
	switch {
	case calm && (!v.onTarget || (t.cutOff && v.host == v.from)):
		return OutcomeKeepsRunning
	case !v.running(t.targets):
		return OutcomeStaysDown
	case calm && !t.detects:
		return OutcomeMoves
	}
	return OutcomeRestarts
}

// givenUp says HA gave up restarting v, with no retry pending: it is not
// running again, and HA was refused das.maxvmrestartcount times since the
// injection. vCenter says so only in the last event's message text, which
// a drill never reads, so the count of the typed events decides.
func (t *tracker) givenUp(v *vmTrack) bool {
	return v.recovered.IsZero() && v.refused >= t.maxRestarts
}

// defaultMaxRestarts is das.maxvmrestartcount's default.
const defaultMaxRestarts = 5

// maxRestarts is the cluster's das.maxvmrestartcount advanced option, or
// its default when the option is unset or not a positive number (as HA
// reads it).
func maxRestarts(cfg *vsphere.ClusterConfig) int {
	if cfg == nil {
		return defaultMaxRestarts
	}
	n, err := strconv.Atoi(strings.TrimSpace(cfg.Spec.Unmodeled.HAOptions["das.maxvmrestartcount"]))
	if err != nil || n <= 0 {
		return defaultMaxRestarts
	}
	return n
}

// outcome reports the protected VMs and those of the targets; inv is the
// inventory read after the observation, to find two VMs running with one
// instance UUID.
func (t *tracker) outcome(inv *vsphere.Inventory) (vms []VMResult, lost, duplicated int) {
	running := map[string][]string{}
	if inv != nil {
		for _, v := range inv.VMs {
			if v.PowerState == "poweredOn" && v.InstanceUUID != "" {
				running[v.InstanceUUID] = append(running[v.InstanceUUID], v.Name)
			}
		}
	}
	for _, v := range t.vms {
		if !v.protected && !v.onTarget {
			continue
		}
		r := VMResult{Name: v.name, InstanceUUID: v.uuid, Protected: v.protected, FromHost: t.hostName[v.from], ToHost: t.hostName[v.host], PowerOns: v.starts(),
			Expected: v.expect, ExpectedHost: v.expectTo}
		if v.protected {
			r.Outcome = t.found(v)
		}
		switch {
		case v.running(t.targets):
			r.Recovered = true
			if !v.recovered.IsZero() {
				r.RecoverySeconds = round(v.recovered.Sub(t.t0).Seconds())
			}
		case r.Outcome == OutcomeKeepsRunning && v.expect == OutcomeKeepsRunning:
			r.Recovered = true // on its cut-off host, as predicted
		}
		notes := slices.Clone(v.notes)
		if twins := running[v.uuid]; len(twins) > 1 {
			notes = append(notes, "running twice: "+strings.Join(twins, ", ")+" share its instance UUID")
		}
		if v.starts() > 1 || len(running[v.uuid]) > 1 {
			duplicated++
		}
		if v.protected && r.Outcome != v.expect {
			notes = append(notes, "predicted: "+v.why)
		}
		switch {
		case !v.protected || r.Recovered:
		case t.detects && v.onTarget && t.seenDown[v.from].IsZero():
			// Its host never went down: it was never lost.
			notes = append(notes, "not lost: its host never failed, so the injection did not take")
		default:
			lost++
			if t.givenUp(v) {
				notes = append(notes, fmt.Sprintf("HA gave up after %d attempts (das.maxvmrestartcount %d)", v.refused, t.maxRestarts))
			}
			if v.host != "" && t.targets[v.host] {
				how := "failed"
				if t.cutOff {
					how = "cut-off"
				}
				notes = append(notes, "still on the "+how+" host "+t.hostName[v.host])
			}
		}
		r.Note = strings.Join(notes, "; ")
		vms = append(vms, r)
	}
	slices.SortFunc(vms, func(a, b VMResult) int { return strings.Compare(a.Name, b.Name) })
	return vms, lost, duplicated
}

// round keeps a tenth of a millisecond: reports read better, and equal
// runs compare equal.
func round(s float64) float64 { return math.Round(s*10000) / 10000 }
