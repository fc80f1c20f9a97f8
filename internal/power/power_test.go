package power

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
)

// inventory is two hosts, one of them in maintenance mode and one
// disconnected host, with VMs in every power state on them.
func inventory() *vsphere.Inventory {
	host := func(id, conn string, maint bool) vsphere.Host {
		return vsphere.Host{Ref: vsphere.Ref{Type: "HostSystem", Value: id}, Name: id, ConnectionState: conn, MaintenanceMode: maint}
	}
	vm := func(name, state, tools, host string) vsphere.VM {
		return vsphere.VM{Ref: vsphere.Ref{Type: "VirtualMachine", Value: name}, Name: name, PowerState: state, ToolsStatus: tools,
			Host: host, HostRef: vsphere.Ref{Type: "HostSystem", Value: host}}
	}
	tmpl := vm("template", "poweredOff", "", "esx-1")
	tmpl.Template = true
	return &vsphere.Inventory{
		Hosts: []vsphere.Host{host("esx-1", "connected", false), host("esx-maint", "connected", true), host("esx-gone", "disconnected", false)},
		VMs: []vsphere.VM{
			vm("on", "poweredOn", "toolsOk", "esx-1"),
			vm("on-no-tools", "poweredOn", "toolsNotRunning", "esx-1"),
			vm("off", "poweredOff", "", "esx-1"),
			vm("suspended", "suspended", "", "esx-1"),
			tmpl,
			vm("off-in-maint", "poweredOff", "", "esx-maint"),
			vm("on-unmanaged", "poweredOn", "toolsOk", "esx-gone"),
		},
	}
}

func refs(typ string, names ...string) []vsphere.Ref {
	out := make([]vsphere.Ref, len(names))
	for i, n := range names {
		out[i] = vsphere.Ref{Type: typ, Value: n}
	}
	return out
}

// outcome sums an action up: "ok", "noop" or "refused: CHECK".
func outcome(a gate.Action) string {
	switch f := a.Failed(); {
	case len(f) > 0:
		return "refused: " + f[0].Name
	case a.Noop != "":
		return "noop"
	}
	return "ok"
}

func outcomes(actions []gate.Action) string {
	parts := make([]string, len(actions))
	for i, a := range actions {
		parts[i] = fmt.Sprintf("%s %s %s", a.Op, a.Object, outcome(a))
	}
	return strings.Join(parts, ", ")
}

// TestValid: the menu offers what would change at least one VM of the
// selection: suspend only for a running VM, shutdown only with Tools,
// nothing on a host vCenter cannot reach, and power-on neither for a
// template nor on a host in maintenance mode.
func TestValid(t *testing.T) {
	all := []gate.Op{gate.OpPowerOn, gate.OpPowerOff, gate.OpShutdown, gate.OpSuspend, gate.OpReset}
	for _, tt := range []struct {
		vms  []string
		want []gate.Op
	}{
		{[]string{"on"}, []gate.Op{gate.OpPowerOff, gate.OpShutdown, gate.OpSuspend, gate.OpReset}},
		{[]string{"on-no-tools"}, []gate.Op{gate.OpPowerOff, gate.OpSuspend, gate.OpReset}},
		{[]string{"suspended"}, []gate.Op{gate.OpPowerOn, gate.OpPowerOff}},
		{[]string{"off"}, []gate.Op{gate.OpPowerOn}},
		{[]string{"template"}, nil},
		{[]string{"off-in-maint"}, nil},
		{[]string{"on-unmanaged"}, nil},
		{[]string{"deleted"}, nil},
		{[]string{"off", "suspended", "on"}, all},
		{[]string{"template", "suspended"}, []gate.Op{gate.OpPowerOn, gate.OpPowerOff}},
	} {
		if got := Valid(inventory(), refs("VirtualMachine", tt.vms...)); !slices.Equal(got, tt.want) {
			t.Errorf("Valid(%v) = %v; want %v", tt.vms, got, tt.want)
		}
	}
}

// TestPlan: one action per VM, in order; a VM already in the asked state
// is a no-op and a precheck refuses what cannot work.
func TestPlan(t *testing.T) {
	for _, tt := range []struct {
		op   gate.Op
		vms  []string
		want string
	}{
		{gate.OpPowerOff, []string{"on", "off", "suspended"}, "power-off on ok, power-off off noop, power-off suspended ok"},
		{gate.OpPowerOn, []string{"suspended", "on", "template", "off-in-maint"},
			"power-on suspended ok, power-on on noop, power-on template refused: template, power-on off-in-maint refused: host-maintenance"},
		{gate.OpSuspend, []string{"on", "suspended", "off"}, "suspend on ok, suspend suspended noop, suspend off refused: power-state"},
		{gate.OpShutdown, []string{"on", "on-no-tools"}, "shutdown on ok, shutdown on-no-tools refused: tools"},
		{gate.OpReset, []string{"on", "on-unmanaged", "deleted"},
			"reset on ok, reset on-unmanaged refused: host-connected, reset deleted refused: vm"},
		{gate.OpDisconnect, []string{"on"}, "disconnect on refused: op"},
	} {
		if got := outcomes(Plan(inventory(), refs("VirtualMachine", tt.vms...), tt.op)); got != tt.want {
			t.Errorf("Plan(%v, %s):\n got %s\nwant %s", tt.vms, tt.op, got, tt.want)
		}
	}
}

// TestPlanConnection: a host already in the asked state is a no-op, and
// an op other than disconnect or reconnect plans nothing.
func TestPlanConnection(t *testing.T) {
	hosts := refs("HostSystem", "esx-1", "esx-gone", "esx-deleted")
	for _, tt := range []struct {
		op   gate.Op
		want string
	}{
		{gate.OpDisconnect, "disconnect esx-1 ok, disconnect esx-gone noop, disconnect esx-deleted refused: host"},
		{gate.OpReconnect, "reconnect esx-1 noop, reconnect esx-gone ok, reconnect esx-deleted refused: host"},
	} {
		actions, err := PlanConnection(inventory(), hosts, tt.op)
		if got := outcomes(actions); err != nil || got != tt.want {
			t.Errorf("PlanConnection(%s):\n got %s, %v\nwant %s", tt.op, got, err, tt.want)
		}
	}
	if actions, err := PlanConnection(inventory(), hosts, gate.OpPowerOff); err == nil || actions != nil {
		t.Errorf("PlanConnection(power-off) = %s, %v; want an error and no actions", outcomes(actions), err)
	}
}

// TestParse: each word `vtui vm power` takes names its operation, in the
// menu's order, and an unknown word's error lists them all.
func TestParse(t *testing.T) {
	for _, o := range Ops() {
		if got, err := Parse(o.Word); err != nil || got != o.Op {
			t.Errorf("Parse(%q) = %s, %v; want %s", o.Word, got, err, o.Op)
		}
	}
	if got := strings.Join(Words(), " "); got != "on off shutdown suspend reset" {
		t.Errorf("Words() = %s; want on off shutdown suspend reset", got)
	}
	_, err := Parse("frob")
	if err == nil || err.Error() != `unknown power operation "frob" (valid: on, off, shutdown, suspend, reset)` {
		t.Errorf("Parse(frob): %v; want the valid words", err)
	}
}
