package drill

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Scenario is what a drill rehearses.
type Scenario string

// The scenarios.
const (
	// ScenarioHostFailure fails hosts hard; vSphere HA must restart their
	// VMs elsewhere.
	ScenarioHostFailure Scenario = "host-failure"
	// ScenarioEvacuation puts hosts into maintenance mode; their VMs must
	// move off without stopping.
	ScenarioEvacuation Scenario = "evacuation"
	// ScenarioIsolation cuts each target's management network while its
	// datastores keep their heartbeats: HA declares it isolated, not
	// failed, and its VMs keep running or are powered off and restarted
	// elsewhere, as the isolation response says (see Predict).
	ScenarioIsolation Scenario = "isolation"
	// ScenarioPartition cuts the targets off from the cluster's other
	// hosts, together: a minority partition, whose VMs keep running and
	// are not restarted.
	ScenarioPartition Scenario = "partition"
)

// cutsNetwork says the scenario cuts the targets' network, rather than
// failing or emptying them: their VMs may keep running there.
func (s Scenario) cutsNetwork() bool { return s == ScenarioIsolation || s == ScenarioPartition }

// Method is how a drill fails its targets.
type Method string

// The injection methods.
const (
	// MethodSimCrash crashes a host of vtui's simulator through its fault
	// door; against anything else it is refused.
	MethodSimCrash Method = "sim-crash"
	// MethodSimNetwork cuts the management network of the targets of
	// vtui's simulator through its fault door, as the scenario says: each
	// target alone (isolation) or the targets together, apart from the
	// cluster's other hosts (partition); their datastores keep their
	// heartbeats. The rollback restores the network. Against anything
	// else it is refused, as sim-crash is.
	MethodSimNetwork Method = "sim-network"
	// MethodCommand runs the plan's command for each target: for a host
	// failure a hard power-off, such as IPMI or Redfish (a clean shutdown
	// does not trigger HA); for an isolation or a partition, whatever cuts
	// the host's management network and nothing else (a switch port, a
	// firewall rule), its storage left up.
	MethodCommand Method = "command"
	// MethodEvacuate enters maintenance mode with evacuation.
	MethodEvacuate Method = "evacuate"
	// MethodRedfish powers the targets off hard through their BMCs'
	// Redfish service (ComputerSystem.Reset ForceOff), and back on in the
	// rollback; see BMC.
	MethodRedfish Method = "redfish"
	// MethodIPMI powers the targets off hard through their BMCs over IPMI
	// 2.0 (RMCP+, ipmitool's lanplus: Chassis Control power down), and
	// back on (power up) in the rollback; see BMC.
	MethodIPMI Method = "ipmi"
)

// usesBMC says the method powers hosts off and on through their BMCs,
// mapped by the plan's inject.bmc (see protocolOf).
func (m Method) usesBMC() bool {
	_, ok := protocolOf(m)
	return ok
}

// Rollback says when a drill restores the cluster.
type Rollback string

// The rollback policies.
const (
	RollbackAlways    Rollback = "always"
	RollbackOnSuccess Rollback = "on-success"
	RollbackNever     Rollback = "never"
)

// Pick says how a drill chooses its targets when the plan names none.
type Pick string

// The ways to pick targets.
const (
	PickMostVMs Pick = "most-vms"
	PickRandom  Pick = "random"
)

// UnmarshalText accepts only a scenario vtui knows.
func (s *Scenario) UnmarshalText(b []byte) error {
	return oneOf(s, b, ScenarioHostFailure, ScenarioIsolation, ScenarioPartition, ScenarioEvacuation)
}

// methods are the injection methods vtui knows.
func methods() []Method {
	return []Method{MethodSimCrash, MethodSimNetwork, MethodCommand, MethodEvacuate, MethodRedfish, MethodIPMI}
}

// UnmarshalText accepts only a method vtui knows.
func (m *Method) UnmarshalText(b []byte) error {
	return oneOf(m, b, methods()...)
}

// UnmarshalText accepts only a rollback policy vtui knows.
func (r *Rollback) UnmarshalText(b []byte) error {
	return oneOf(r, b, RollbackAlways, RollbackOnSuccess, RollbackNever)
}

// UnmarshalText accepts only a way to pick targets vtui knows.
func (p *Pick) UnmarshalText(b []byte) error {
	return oneOf(p, b, PickMostVMs, PickRandom)
}

// oneOf sets *v to the text if it is one of valid.
func oneOf[T ~string](v *T, text []byte, valid ...T) error {
	if i := slices.Index(valid, T(text)); i >= 0 {
		*v = valid[i]
		return nil
	}
	names := make([]string, len(valid))
	for i, x := range valid {
		names[i] = string(x)
	}
	return fmt.Errorf("%q is not one of %s", text, strings.Join(names, ", "))
}

// Duration is a time.Duration written as text ("90s", "5m") in plans and
// reports.
type Duration time.Duration

// UnmarshalText parses a Go duration such as 90s or 5m.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration: write it like 90s or 5m", b)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the duration as String does.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// String is the duration as Go writes it: "1m30s".
func (d Duration) String() string { return time.Duration(d).String() }

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }
