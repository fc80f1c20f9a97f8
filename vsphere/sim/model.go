package sim

import (
	"cmp"
	"time"

	"github.com/vtui/vtui/internal/simdoor"
)

// Model is what the simulator models of vSphere HA, as the fault door
// serves it (DoorInfo.Model): the HA emulation's parameters in effect, and
// unmodeled.
type Model = simdoor.Model

// unmodeled is what of vSphere HA the emulation does not model. The
// package documentation lists the same (TestUnmodeledIsTheDocumentedList).
var unmodeled = []string{
	"heartbeat datastores",
	"host isolation and network partitions: a crash is always a failure",
	"VM and application monitoring: appHbStatusGreen is never met, so only restartPriorityTimeout moves a priority waiting for it on",
	"VMs' memory overhead, in placement as in admission control: a VM counts its reservations only",
	"a per-host limit on concurrent power-ons: a host boots its VMs one at a time",
	"a restart on the host the VM failed on",
}

// election is how long the secondaries take to elect a new primary.
func (o HAOptions) election() time.Duration { return cmp.Or(o.ElectionDelay, o.detect()) }

// retry is the delay of the first retry after a failed placement.
func (o HAOptions) retry() time.Duration { return cmp.Or(o.RetryDelay, o.scaled(2*time.Minute)) }

// model is what the door says of the HA emulation run with o.
func (o HAOptions) model() Model {
	return Model{
		HA: simdoor.HA{DetectDelay: o.detect().String(), ElectionDelay: o.election().String(), BootTime: o.bootTimes(), BootSeed: o.Seed,
			ToolsDelay: o.ToolsDelay.String(), RetryDelay: o.retry().String(), MaxRestartCount: defaultMaxRestarts,
			Scale: float64(o.detect()) / float64(DefaultHADetectDelay)},
		Unmodeled: unmodeled,
	}
}
