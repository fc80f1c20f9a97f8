package power

import (
	"fmt"
	"strings"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
)

// An Op is a power operation and the word `vtui vm power` takes for it.
type Op struct {
	Word string
	Op   gate.Op
}

// Ops returns the power operations in the order the power menu offers
// them: the usual ones first, reset last.
func Ops() []Op {
	return []Op{
		{"on", gate.OpPowerOn},
		{"off", gate.OpPowerOff},
		{"shutdown", gate.OpShutdown},
		{"suspend", gate.OpSuspend},
		{"reset", gate.OpReset},
	}
}

// Words returns the words of Ops, in their order.
func Words() []string {
	ops := Ops()
	words := make([]string, len(ops))
	for i, o := range ops {
		words[i] = o.Word
	}
	return words
}

// Parse returns the power operation word names; an unknown word is an
// error that lists the valid ones.
func Parse(word string) (gate.Op, error) {
	for _, o := range Ops() {
		if o.Word == word {
			return o.Op, nil
		}
	}
	return "", fmt.Errorf("unknown power operation %q (valid: %s)", word, strings.Join(Words(), ", "))
}

// Valid returns the power operations, in the order of Ops, that would
// change at least one of vms in inv: planned, neither a no-op nor refused
// by a check. A running VM with VMware Tools can be powered off, shut
// down, suspended and reset; a suspended one powered on or off; a
// powered-off one only powered on. The power menu offers only these.
func Valid(inv *vsphere.Inventory, vms []vsphere.Ref) []gate.Op {
	p := gate.NewPlanner(inv, nil, nil)
	var ops []gate.Op
	for _, o := range Ops() {
		for _, vm := range vms {
			if len(gate.Runnable([]gate.Action{p.Power(vm, o.Op)})) > 0 {
				ops = append(ops, o.Op)
				break
			}
		}
	}
	return ops
}

// Plan plans op on each of vms, in their order: a VM already in the
// asked state gives a no-op, one a precheck refuses (a template to power
// on, a guest without Tools to shut down, a host disconnected or in
// maintenance mode) a refused action, and an op that is not a power
// operation refuses them all.
func Plan(inv *vsphere.Inventory, vms []vsphere.Ref, op gate.Op) []gate.Action {
	p := gate.NewPlanner(inv, nil, nil)
	actions := make([]gate.Action, len(vms))
	for i, vm := range vms {
		actions[i] = p.Power(vm, op)
	}
	return actions
}

// PlanConnection plans op, gate.OpDisconnect or gate.OpReconnect, on
// each of hosts, in their order: a host already in the asked state gives
// a no-op. A disconnected host's VMs keep running, unmanaged and
// unprotected by HA until it is reconnected. Any other op is an error,
// and nothing is planned.
func PlanConnection(inv *vsphere.Inventory, hosts []vsphere.Ref, op gate.Op) ([]gate.Action, error) {
	p := gate.NewPlanner(inv, nil, nil)
	plan := p.Reconnect
	switch op {
	case gate.OpReconnect:
	case gate.OpDisconnect:
		plan = p.Disconnect
	default:
		return nil, fmt.Errorf("%q is not a host connection operation (%s, %s)", op, gate.OpDisconnect, gate.OpReconnect)
	}
	actions := make([]gate.Action, len(hosts))
	for i, h := range hosts {
		actions[i] = plan(h)
	}
	return actions, nil
}
