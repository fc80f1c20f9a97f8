package gate

import (
	"context"
	"fmt"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// GuestShutdownTimeout bounds how long a shutdown action waits for the
// guest to power the VM off.
const GuestShutdownTimeout = 10 * time.Minute

// Power plans a power operation on vm: OpPowerOn, OpPowerOff, OpReset,
// OpSuspend, or OpShutdown (a guest shutdown through VMware Tools, which
// completes when the VM is powered off). A VM already in the asked state
// gives a no-op action.
func (p *Planner) Power(vm vsphere.Ref, op Op) Action {
	a := Action{Op: op, Ref: vm, Object: vm.Value, run: refuse}
	v := p.vm(vm)
	if v == nil {
		a.Checks = []Check{fail("vm", "VM %s is not in the inventory (deleted or renamed?); reload and check the name", vm.Value)}
		return a
	}
	a.Object, a.From = v.Name, v.Host
	a.Checks = []Check{pass("vm")}
	state := v.PowerState
	switch op {
	case OpPowerOn:
		a.Target = "poweredOn"
		if state == "poweredOn" {
			a.Noop = "already powered on"
			return a
		}
		if v.Template {
			a.Checks = append(a.Checks, fail("template", "%s is a template, which cannot be powered on; deploy a VM from it", v.Name))
		}
	case OpPowerOff, OpShutdown:
		a.Target = "poweredOff"
		if state == "poweredOff" {
			a.Noop = "already powered off"
			return a
		}
		if op == OpShutdown {
			a.Checks = append(a.Checks, checkShutdown(v))
		}
	case OpReset:
		a.Target = "poweredOn"
		if state != "poweredOn" {
			a.Checks = append(a.Checks, fail("power-state", "%s is %s and reset needs it running; use power on", v.Name, orUnknown(state)))
		}
	case OpSuspend:
		a.Target = "suspended"
		if state == "suspended" {
			a.Noop = "already suspended"
			return a
		}
		if state != "poweredOn" {
			a.Checks = append(a.Checks, fail("power-state", "%s is %s and only a running VM can be suspended", v.Name, orUnknown(state)))
		}
	default:
		a.Checks = append(a.Checks, fail("op", "%q is not a power operation (on, off, reset, shutdown, suspend)", op))
		return a
	}
	a.Checks = append(a.Checks, p.checkVMHost(v, op)...)
	a.run = powerRun(vm, op)
	return a
}

// checkShutdown checks that the guest of v can be asked to shut down.
func checkShutdown(v *vsphere.VM) Check {
	if v.PowerState != "poweredOn" {
		return fail("power-state", "%s is %s; only a running guest can shut down (use power off)", v.Name, orUnknown(v.PowerState))
	}
	if v.ToolsStatus != "toolsOk" && v.ToolsStatus != "toolsOld" {
		return fail("tools", "VMware Tools is not running in %s (%s), so its guest cannot be asked to shut down; use power off for a hard stop",
			v.Name, orUnknown(v.ToolsStatus))
	}
	return pass("tools")
}

// checkVMHost checks that the host of v lets op through: connected, and,
// to power on, not in maintenance mode.
func (p *Planner) checkVMHost(v *vsphere.VM, op Op) []Check {
	h := p.host(v.HostRef)
	if h == nil {
		return []Check{fail("host", "the host of %s is not in the inventory; reload", v.Name)}
	}
	out := []Check{pass("host")}
	if h.ConnectionState != "connected" {
		out = append(out, fail("host-connected", "%s runs on %s, which is %s; reconnect the host first", v.Name, h.Name, orUnknown(h.ConnectionState)))
	} else {
		out = append(out, pass("host-connected"))
	}
	if op == OpPowerOn && h.MaintenanceMode {
		out = append(out, fail("host-maintenance", "%s is on %s, which is in maintenance mode; migrate it or exit maintenance first", v.Name, h.Name))
	}
	return out
}

// powerRun returns the run function of a power action.
func powerRun(vm vsphere.Ref, op Op) func(context.Context, *Gate, func(int, string)) (string, error) {
	this := mo.ToMoRef(vm)
	if op == OpShutdown {
		return func(ctx context.Context, g *Gate, report func(int, string)) (string, error) {
			if err := object.NewVirtualMachine(conn.VIM(g.c.Conn()), this).ShutdownGuest(ctx); err != nil {
				return "", err
			}
			report(0, "waiting for the guest to power off")
			return "", waitPoweredOff(ctx, g.c, this)
		}
	}
	return runTask(func(ctx context.Context, vim *vim25.Client) (*object.Task, error) {
		vm := object.NewVirtualMachine(vim, this)
		switch op {
		case OpPowerOn:
			return vm.PowerOn(ctx)
		case OpPowerOff:
			return vm.PowerOff(ctx)
		case OpSuspend:
			return vm.Suspend(ctx)
		}
		return vm.Reset(ctx)
	})
}

// waitPoweredOff waits, through property updates, until vm is powered off
// or GuestShutdownTimeout passes.
func waitPoweredOff(ctx context.Context, c *vsphere.Client, vm types.ManagedObjectReference) error {
	ctx, cancel := context.WithTimeout(ctx, GuestShutdownTimeout)
	defer cancel()
	err := conn.WaitFor(ctx, c.Conn(), vm, "runtime.powerState", types.VirtualMachinePowerStatePoweredOff)
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("the guest was asked to shut down but the VM is not powered off after %s; check the guest, or use power off: %w",
			GuestShutdownTimeout, ctx.Err())
	}
	return err
}
