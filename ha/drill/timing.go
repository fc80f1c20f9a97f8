package drill

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// HATiming is how soon vSphere HA acts on hosts cut off from the
// others, as a drill must wait for it: a VM predicted to keep running has
// kept running only once HA had the time to do otherwise.
type HATiming struct {
	// Detect is how long HA takes, once a host's heartbeats stop, to tell
	// a failed host from a partitioned one (vSphere: 15 s).
	Detect time.Duration
	// Isolate is how long an isolated host takes to declare itself
	// isolated (vSphere: about 30 s for a secondary), and IsolationDelay
	// how long after that its isolation response applies
	// (das.config.fdm.isolationPolicyDelaySec: 30 s).
	Isolate, IsolationDelay time.Duration
	// From says where the figures come from, for people.
	From string
}

// vSphere's figures (shared/HA.md), and the most a drill reads from a
// cluster's option: an hour, beyond any drill's timeout.
const (
	vsphereDetect         = 15 * time.Second
	vsphereIsolate        = 30 * time.Second
	vsphereIsolationDelay = 30 * time.Second
	maxIsolationDelay     = time.Hour
)

// isolationDelayOption is the HA advanced option of the isolation
// response's delay, in seconds.
const isolationDelayOption = "das.config.fdm.isolationPolicyDelaySec"

// Acts is how long after the injection HA has acted on a scenario's
// targets: an isolated host declared itself isolated and applied its
// isolation response; the others found partitioned hosts alive, after the
// detection delay and, if the primary was among them, an election (which
// takes about as long).
func (t HATiming) Acts(s Scenario) time.Duration {
	if s == ScenarioIsolation {
		return t.Isolate + t.IsolationDelay
	}
	return 2 * t.Detect
}

// String says the timing for people: "isolated after 30s, the response
// 30s later, heartbeats judged after 15s: vSphere's defaults".
func (t HATiming) String() string {
	return fmt.Sprintf("isolated after %s, the response %s later, heartbeats judged after %s: %s", t.Isolate, t.IsolationDelay, t.Detect, t.From)
}

// Timing is HA's timing on the drill's cluster: vSphere's, or the one
// vtui's simulator says through its fault door, whose delays are
// vSphere's scaled by its detection delay / 15 s. The isolation
// response's delay is the cluster's HA option
// das.config.fdm.isolationPolicyDelaySec, 30 s when unset (a value that is
// not a whole number of seconds, 0 or more, is ignored, as HA ignores it;
// one above an hour is read as an hour), scaled likewise.
func (p *Preflight) Timing() HATiming {
	t := HATiming{Detect: vsphereDetect, Isolate: vsphereIsolate, From: "vSphere's defaults"}
	scale := func(d time.Duration) time.Duration { return d }
	if p.HA == HASimulated {
		detect, err1 := time.ParseDuration(p.sim.HADetectDelay)
		isolate, err2 := time.ParseDuration(p.sim.HAIsolationDelay)
		if err1 == nil && err2 == nil {
			t = HATiming{Detect: detect, Isolate: isolate, From: "the simulator's, vSphere's scaled by " + detect.String() + "/15s"}
			scale = func(d time.Duration) time.Duration {
				return time.Duration(float64(d) * float64(detect) / float64(vsphereDetect))
			}
		}
	}
	t.IsolationDelay = scale(vsphereIsolationDelay)
	if p.config == nil {
		return t
	}
	if v, ok := p.config.Spec.Unmodeled.HAOptions[isolationDelayOption]; ok {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
			t.IsolationDelay = scale(time.Duration(min(n, int(maxIsolationDelay/time.Second))) * time.Second)
			t.From += ", with " + isolationDelayOption + " " + strconv.Itoa(n)
		}
	}
	return t
}
