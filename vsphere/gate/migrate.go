package gate

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/task"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// Migrate plans moving vm as spec says, through RelocateVM_Task: a host
// vMotion (spec.Host), a storage vMotion (spec.Datastore), a change of
// resource pool (spec.Pool), or several at once. The action carries the
// prechecks of CheckMigrate. When it runs, it first asks the server too
// (CheckRelocate_Task), where the server offers that.
func (p *Planner) Migrate(vm vsphere.Ref, spec MigrateSpec) Action {
	a := Action{Op: OpMigrate, Ref: vm, Object: vm.Value, run: refuse}
	v := p.vm(vm)
	if v == nil {
		a.Checks = p.CheckMigrate(vm, spec)
		return a
	}
	a.Object, a.From, a.Target = v.Name, v.Host, p.describeTarget(v, spec)
	if p.inPlace(v, spec) {
		a.Checks = []Check{pass("vm")}
		a.Noop = "already on " + a.Target
		return a
	}
	a.Checks = p.CheckMigrate(vm, spec)
	rs := relocateSpec(spec)
	a.verify = func(ctx context.Context, g *Gate, note func(string)) []Check {
		return checkRelocate(ctx, g.c, mo.ToMoRef(vm), rs, note)
	}
	a.run = runTask(func(ctx context.Context, vim *vim25.Client) (*object.Task, error) {
		return object.NewVirtualMachine(vim, mo.ToMoRef(vm)).Relocate(ctx, rs, types.VirtualMachineMovePriorityDefaultPriority)
	})
	return a
}

// refuse is the run function of an action that must never run: one whose
// prechecks failed before it could be built.
func refuse(context.Context, *Gate, func(int, string)) (string, error) {
	return "", fmt.Errorf("the action's prechecks failed; it cannot run")
}

// inPlace reports whether v already is where spec asks.
func (p *Planner) inPlace(v *vsphere.VM, spec MigrateSpec) bool {
	return (spec.Host.IsZero() || spec.Host == v.HostRef) &&
		(spec.Pool.IsZero() || spec.Pool == v.PoolRef) &&
		(spec.Datastore.IsZero() || slices.Equal(v.DatastoreRefs, []vsphere.Ref{spec.Datastore})) &&
		!spec.IsZero()
}

// describeTarget says where spec moves v, for people: "esx-a-02",
// "esx-b-01, pool cluster-b/Resources, datastore ds-shared-02".
func (p *Planner) describeTarget(v *vsphere.VM, spec MigrateSpec) string {
	var parts []string
	if h := p.host(spec.Host); h != nil {
		parts = append(parts, h.Name)
	} else if !spec.Host.IsZero() {
		parts = append(parts, spec.Host.Value)
	}
	if !spec.Pool.IsZero() {
		name := spec.Pool.Value
		if rp, ok := p.pools[spec.Pool]; ok {
			name = rp.Path
		}
		parts = append(parts, "pool "+name)
	}
	if !spec.Datastore.IsZero() {
		parts = append(parts, "datastore "+p.datastoreName(spec.Datastore))
	}
	if len(parts) == 0 {
		return v.Host
	}
	return strings.Join(parts, ", ")
}

func relocateSpec(spec MigrateSpec) types.VirtualMachineRelocateSpec {
	var rs types.VirtualMachineRelocateSpec
	ref := func(r vsphere.Ref) *types.ManagedObjectReference {
		if r.IsZero() {
			return nil
		}
		m := mo.ToMoRef(r)
		return &m
	}
	rs.Host, rs.Pool, rs.Datastore = ref(spec.Host), ref(spec.Pool), ref(spec.Datastore)
	return rs
}

// checkRelocate asks the server whether relocating vm as rs says would
// work (CheckRelocate_Task) and returns its verdicts as checks named
// "server". A server without the checker is told of once, through note,
// and the client's prechecks stand alone.
func checkRelocate(ctx context.Context, c *vsphere.Client, vm types.ManagedObjectReference, rs types.VirtualMachineRelocateSpec, note func(string)) []Check {
	none := fmt.Sprintf("%s offers no server-side migration check (CheckRelocate_Task); relying on vtui's own prechecks", c.Host())
	checker := conn.VIM(c.Conn()).ServiceContent.VmProvisioningChecker
	if checker == nil {
		note(none)
		return nil
	}
	res, err := methods.CheckRelocate_Task(ctx, conn.VIM(c.Conn()), &types.CheckRelocate_Task{This: *checker, Vm: vm, Spec: rs})
	var info *types.TaskInfo
	if err == nil {
		info, err = conn.WaitTask(ctx, c.Conn(), res.Returnval, func(int, string) {})
	}
	switch {
	case fault.Is(err, &types.MethodNotFound{}) || fault.Is(err, &types.NotImplemented{}) || fault.Is(err, &types.NotSupported{}):
		note(none)
		return nil
	case err != nil:
		return []Check{warn("server", "the server's migration check could not run (%s); relying on vtui's own prechecks", describe(err))}
	}
	results, _ := info.Result.(types.ArrayOfCheckResult)
	var out []Check
	for _, r := range results.CheckResult {
		for _, e := range r.Error {
			out = append(out, fail("server", "vCenter refuses: %s", describe(faultError(e))))
		}
		for _, w := range r.Warning {
			out = append(out, warn("server", "vCenter warns: %s", describe(faultError(w))))
		}
	}
	if len(out) == 0 {
		out = append(out, pass("server"))
	}
	return out
}

// faultError makes a fault from a check result an error that describe
// understands.
func faultError(f types.LocalizedMethodFault) error {
	return task.Error{LocalizedMethodFault: &f}
}
