package clusterspec

import (
	"fmt"
	"slices"
	"strings"
)

// VMMonitoring is what HA watches inside VMs: off, vm (VMware Tools
// heartbeats) or app (application heartbeats too).
type VMMonitoring string

// The VM monitoring levels.
const (
	VMMonitoringOff VMMonitoring = "off"
	VMMonitoringVM  VMMonitoring = "vm"
	VMMonitoringApp VMMonitoring = "app"
)

// RestartPriority is the order in which HA restarts VMs after a host
// failure; disabled never restarts them.
type RestartPriority string

// The restart priorities, lowest first.
const (
	RestartDisabled RestartPriority = "disabled"
	RestartLowest   RestartPriority = "lowest"
	RestartLow      RestartPriority = "low"
	RestartMedium   RestartPriority = "medium"
	RestartHigh     RestartPriority = "high"
	RestartHighest  RestartPriority = "highest"
)

// restartOrder lists the priorities that restart, highest first: the
// order HA restarts them in.
var restartOrder = []RestartPriority{RestartHighest, RestartHigh, RestartMedium, RestartLow, RestartLowest}

// RestartOrder returns the priorities that restart, highest first, the
// order in which HA restarts VMs.
func RestartOrder() []RestartPriority { return slices.Clone(restartOrder) }

// Rank orders priorities: 0 for highest, 4 for lowest, and 5 for
// disabled (and anything unknown), which never restarts.
func (p RestartPriority) Rank() int {
	if i := slices.Index(restartOrder, p); i >= 0 {
		return i
	}
	return len(restartOrder)
}

// IsolationResponse is what a host that finds itself isolated does with
// its VMs: none (leave them on), powerOff or shutdown (so HA can restart
// them elsewhere).
type IsolationResponse string

// The isolation responses.
const (
	IsolationNone     IsolationResponse = "none"
	IsolationPowerOff IsolationResponse = "powerOff"
	IsolationShutdown IsolationResponse = "shutdown"
)

// Automation is DRS's automation level: manual (recommendations only),
// partial (initial placement automatic, migrations recommended) or full
// (both automatic).
type Automation string

// The DRS automation levels.
const (
	AutomationManual  Automation = "manual"
	AutomationPartial Automation = "partial"
	AutomationFull    Automation = "full"
)

// DRSOverride is a VM's own DRS automation level: one of the Automation
// levels, or disabled (DRS leaves the VM alone).
type DRSOverride string

// DRSDisabled takes a VM out of DRS.
const DRSDisabled DRSOverride = "disabled"

// enum describes one enumerated setting for parsing and messages.
type enum struct {
	what   string // "VM monitoring"
	values []string
}

var (
	vmMonitoringEnum      = enum{"VM monitoring", []string{"off", "vm", "app"}}
	restartPriorityEnum   = enum{"restart priority", []string{"disabled", "lowest", "low", "medium", "high", "highest"}}
	isolationResponseEnum = enum{"isolation response", []string{"none", "powerOff", "shutdown"}}
	automationEnum        = enum{"DRS automation", []string{"manual", "partial", "full"}}
	drsOverrideEnum       = enum{"DRS automation override", []string{"manual", "partial", "full", "disabled"}}
)

// check returns an error naming the valid values if s is not one.
func (e enum) check(s string) error {
	if slices.Contains(e.values, s) {
		return nil
	}
	return fmt.Errorf("invalid %s %q: want one of %s", e.what, s, strings.Join(e.values, ", "))
}

// The enumerations parse strictly as text, from YAML, JSON and flags, so
// a typo is an error where it was typed rather than a silent default.

// Valid reports an error if m is not a known level.
func (m VMMonitoring) Valid() error { return vmMonitoringEnum.check(string(m)) }

// UnmarshalText accepts off, vm or app.
func (m *VMMonitoring) UnmarshalText(b []byte) error { return parse(b, m, vmMonitoringEnum) }

// Valid reports an error if p is not a known priority.
func (p RestartPriority) Valid() error { return restartPriorityEnum.check(string(p)) }

// UnmarshalText accepts disabled, lowest, low, medium, high or highest.
func (p *RestartPriority) UnmarshalText(b []byte) error { return parse(b, p, restartPriorityEnum) }

// Valid reports an error if r is not a known response.
func (r IsolationResponse) Valid() error { return isolationResponseEnum.check(string(r)) }

// UnmarshalText accepts none, powerOff or shutdown.
func (r *IsolationResponse) UnmarshalText(b []byte) error {
	return parse(b, r, isolationResponseEnum)
}

// Valid reports an error if a is not a known level.
func (a Automation) Valid() error { return automationEnum.check(string(a)) }

// UnmarshalText accepts manual, partial or full.
func (a *Automation) UnmarshalText(b []byte) error { return parse(b, a, automationEnum) }

// Valid reports an error if d is not a known level.
func (d DRSOverride) Valid() error { return drsOverrideEnum.check(string(d)) }

// UnmarshalText accepts manual, partial, full or disabled.
func (d *DRSOverride) UnmarshalText(b []byte) error { return parse(b, d, drsOverrideEnum) }

// The values of each enumerated setting, in the order the vSphere Client
// lists them, for a form that offers them.

// Values lists the VM monitoring levels.
func (VMMonitoring) Values() []string { return slices.Clone(vmMonitoringEnum.values) }

// Values lists the restart priorities, lowest first.
func (RestartPriority) Values() []string { return slices.Clone(restartPriorityEnum.values) }

// Values lists the isolation responses.
func (IsolationResponse) Values() []string { return slices.Clone(isolationResponseEnum.values) }

// Values lists the DRS automation levels.
func (Automation) Values() []string { return slices.Clone(automationEnum.values) }

// ParseVMMonitoring parses a VM monitoring level as a flag gives it.
func ParseVMMonitoring(s string) (VMMonitoring, error) {
	return VMMonitoring(s), VMMonitoring(s).Valid()
}

// ParseRestartPriority parses a restart priority as a flag gives it.
func ParseRestartPriority(s string) (RestartPriority, error) {
	return RestartPriority(s), RestartPriority(s).Valid()
}

// ParseIsolationResponse parses an isolation response as a flag gives it.
func ParseIsolationResponse(s string) (IsolationResponse, error) {
	return IsolationResponse(s), IsolationResponse(s).Valid()
}

// ParseAutomation parses a DRS automation level as a flag gives it.
func ParseAutomation(s string) (Automation, error) {
	return Automation(s), Automation(s).Valid()
}

// ParseDRSOverride parses a VM's DRS automation override.
func ParseDRSOverride(s string) (DRSOverride, error) {
	return DRSOverride(s), DRSOverride(s).Valid()
}

// parse sets *v to the text b if e allows it. An empty value is allowed:
// for an override it means "as the cluster"; a cluster-wide setting left
// empty is caught by Validate, with the field's name.
func parse[T ~string](b []byte, v *T, e enum) error {
	s := string(b)
	if s != "" {
		if err := e.check(s); err != nil {
			return err
		}
	}
	*v = T(s)
	return nil
}
