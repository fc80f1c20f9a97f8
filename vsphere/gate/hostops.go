package gate

import (
	"context"
	"strings"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25"

	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// EnterMaintenance plans putting host into maintenance mode. vSphere does
// not move powered-on VMs off by itself unless DRS is fully automated, so
// the action is refused while the planner sees powered-on VMs on a host of
// a cluster without DRS (evacuate first: see placement.EnterMaintenance), and
// warns on a DRS cluster. timeout bounds the task on the server; 0 means
// no limit.
func (p *Planner) EnterMaintenance(host vsphere.Ref, timeout time.Duration) Action {
	a, h := p.hostAction(host, OpEnterMaintenance)
	if h == nil {
		return a
	}
	if h.MaintenanceMode {
		a.Noop = "already in maintenance mode"
		return a
	}
	a.Checks = append(a.Checks, connected(h))
	if on := p.PoweredOnVMsOn(host); len(on) > 0 {
		names := make([]string, len(on))
		for i, v := range on {
			names[i] = v.Name
		}
		list := strings.Join(names, ", ")
		if c := p.cluster(h.ClusterRef); c != nil && c.DRSEnabled {
			a.Checks = append(a.Checks, warn("running-vms", "%s runs %s (%s) that DRS must move; "+
				"unless DRS is fully automated the task waits until its timeout", h.Name, format.Count(len(on), "powered-on VM"), list))
		} else {
			a.Checks = append(a.Checks, fail("running-vms", "%s runs %s (%s) and %s has no DRS to move them; "+
				"evacuate them first (--evacuate), or migrate or power them off", h.Name, format.Count(len(on), "powered-on VM"), list, orNone(h.Cluster)))
		}
	} else {
		a.Checks = append(a.Checks, pass("running-vms"))
	}
	secs := int32(timeout / time.Second)
	a.run = runTask(func(ctx context.Context, vim *vim25.Client) (*object.Task, error) {
		return object.NewHostSystem(vim, mo.ToMoRef(host)).EnterMaintenanceMode(ctx, secs, false, nil)
	})
	return a
}

// ExitMaintenance plans taking host out of maintenance mode; timeout bounds
// the task on the server, 0 means no limit.
func (p *Planner) ExitMaintenance(host vsphere.Ref, timeout time.Duration) Action {
	a, h := p.hostAction(host, OpExitMaintenance)
	if h == nil {
		return a
	}
	if !h.MaintenanceMode {
		a.Noop = "not in maintenance mode"
		return a
	}
	a.Checks = append(a.Checks, connected(h))
	secs := int32(timeout / time.Second)
	a.run = runTask(func(ctx context.Context, vim *vim25.Client) (*object.Task, error) {
		return object.NewHostSystem(vim, mo.ToMoRef(host)).ExitMaintenanceMode(ctx, secs)
	})
	return a
}

// Disconnect plans disconnecting host from vCenter. Its VMs keep running
// but cannot be managed until it is reconnected.
func (p *Planner) Disconnect(host vsphere.Ref) Action {
	return p.connection(host, OpDisconnect, "disconnected", func(ctx context.Context, h *object.HostSystem) (*object.Task, error) {
		return h.Disconnect(ctx)
	})
}

// Reconnect plans reconnecting host to vCenter with its known credentials.
func (p *Planner) Reconnect(host vsphere.Ref) Action {
	return p.connection(host, OpReconnect, "connected", func(ctx context.Context, h *object.HostSystem) (*object.Task, error) {
		return h.Reconnect(ctx, nil, nil)
	})
}

// connection plans a change of host's connection to state; a host already
// there gives a no-op.
func (p *Planner) connection(host vsphere.Ref, op Op, state string, start func(context.Context, *object.HostSystem) (*object.Task, error)) Action {
	a, h := p.hostAction(host, op)
	if h == nil {
		return a
	}
	if h.ConnectionState == state {
		a.Noop = "already " + state
		return a
	}
	a.run = runTask(func(ctx context.Context, vim *vim25.Client) (*object.Task, error) {
		return start(ctx, object.NewHostSystem(vim, mo.ToMoRef(host)))
	})
	return a
}

// hostAction starts an action on host; h is nil, and the action refused,
// if the host is unknown.
func (p *Planner) hostAction(host vsphere.Ref, op Op) (Action, *vsphere.Host) {
	a := Action{Op: op, Ref: host, Object: host.Value, run: refuse}
	h := p.host(host)
	if h == nil {
		a.Checks = []Check{fail("host", "host %s is not in the inventory (removed or renamed?); reload and check the name", host.Value)}
		return a, nil
	}
	a.Object = h.Name
	a.Checks = []Check{pass("host")}
	return a, h
}

// connected checks that h is connected.
func connected(h *vsphere.Host) Check {
	if h.ConnectionState != "connected" {
		return fail("host-connected", "%s is %s; reconnect it first (vtui host reconnect %s)", h.Name, orUnknown(h.ConnectionState), h.Name)
	}
	return pass("host-connected")
}
