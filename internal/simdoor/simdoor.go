// Package simdoor holds what vtui's simulator serves through its fault
// door and vsphere reads from it over HTTPS: the wire types both sides
// share, so that neither imports the other.
package simdoor

import "fmt"

// Model is what the simulator models of vSphere HA, as its door serves it
// (GET /vtui/sim/v1: model) and a drill's report keeps it
// (provenance.simulator): the HA emulation's parameters in effect, and
// the list of what it does not model. Its JSON field names are a stable
// contract.
type Model struct {
	HA HA `json:"ha"`
	// Unmodeled lists what of vSphere HA the emulation does not model, as
	// vsphere/sim's package documentation states it.
	Unmodeled []string `json:"unmodeled"`
}

// HA is the HA emulation's parameters, defaults filled in, durations as
// Go writes them ("15s").
type HA struct {
	DetectDelay   string `json:"detect_delay"`
	ElectionDelay string `json:"election_delay"`
	// BootTime is each restart's power-on, or its range ("300ms-800ms")
	// drawn by a generator seeded with BootSeed.
	BootTime   string `json:"boot_time"`
	BootSeed   uint64 `json:"boot_seed"`
	ToolsDelay string `json:"tools_delay"`
	// RetryDelay is the first retry's delay after a failed placement; it
	// doubles after each failure.
	RetryDelay string `json:"retry_delay"`
	// MaxRestartCount is das.maxvmrestartcount's default; a cluster's own
	// option overrides it.
	MaxRestartCount int `json:"max_restart_count"`
	// Scale is what the delays vSphere sets in seconds (postReadyDelay,
	// restartPriorityTimeout, the retry delay, the isolation delays) are
	// multiplied by:
	// DetectDelay / 15 s.
	Scale float64 `json:"scale"`
}

// Describe says the parameters in one line for people: "detection 2s,
// election 2s, boot 300ms-800ms (seed 1), tools 0s, first retry 16s, at
// most 5 restarts, seconds scaled by 0.133".
func (h HA) Describe() string {
	return fmt.Sprintf("detection %s, election %s, boot %s (seed %d), tools %s, first retry %s, at most %d restarts, seconds scaled by %.3g",
		h.DetectDelay, h.ElectionDelay, h.BootTime, h.BootSeed, h.ToolsDelay, h.RetryDelay, h.MaxRestartCount, h.Scale)
}

// Info is what the fault door answers to GET /vtui/sim/v1 (its JSON
// field names are a stable contract). B is BMCWithPassword where the
// door writes it, and BMC where a client reads it, so that what a client
// keeps marshals without the password.
type Info[B BMC | BMCWithPassword] struct {
	Simulator string `json:"simulator"` // always "vtui"
	API       int    `json:"api"`
	// HADetectDelay and HABootTime are the HA emulation's timing, as Go
	// durations ("15s"); a boot time range is "30s-1m30s".
	HADetectDelay string `json:"ha_detect_delay"`
	HABootTime    string `json:"ha_boot_time"`
	// HAIsolationDelay is how long a secondary whose network is cut takes
	// to declare itself isolated (vSphere's 30 s, scaled like the
	// detection delay: "30s" with it at 15 s).
	HAIsolationDelay string `json:"ha_isolation_delay"`
	// Faults are the door's operations ("crash", "recover", "isolate",
	// "partition", "restore-network").
	Faults []string `json:"faults"`
	// Model is the HA emulation's parameters and what it does not model;
	// zero from a simulator older than it.
	Model Model `json:"model"`
	// BMC says where the simulator's BMCs answer, and how to log in.
	BMC B `json:"bmc"`
}
