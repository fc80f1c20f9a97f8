package sim

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// HA emulation
//
// vcsim has no HA. vtui's simulator acts like vSphere HA's FDM agent, so
// that failover drills run against it end to end:
//
//   - A host crashes (Server.CrashHost, or the fault door a drill in
//     another process uses): its runtime.connectionState becomes
//     notResponding and vCenter posts HostConnectionLostEvent; its VMs keep
//     their last power state, seen through a host that does not answer,
//     and their runtime.connectionState becomes disconnected: they are
//     down.
//   - If the cluster has HA enabled with host monitoring, the host is
//     declared failed after the detection delay (HAOptions.DetectDelay;
//     vSphere declares a host failed after 15 s without heartbeats):
//     DasHostFailedEvent. Without HA or host monitoring no FDM agent
//     watches it: no HA event is posted and nothing restarts.
//   - Then the VMs that were powered on restart on surviving hosts: in restart-priority order
//     (highest first; within one, the largest memory first; disabled never
//     restarts), each after HAOptions.RestartDelay, placed on the usable
//     host that sees its datastores and networks, has the memory, and keeps
//     the mandatory VM-host rules, preferring dedicated failover hosts,
//     then hosts that keep anti-affinity and "should" rules, then the most
//     free memory, as HA puts restarts where unreserved capacity is. A
//     restarted VM keeps its moref and instance UUID; its runtime.host
//     changes, it goes poweredOff then poweredOn and connected, and
//     VmRestartedOnAlternateHostEvent (its SourceHost the failed host) is
//     posted. A VM that cannot be placed, or that a test told to fail
//     (Server.FailRestart), gets NotEnoughResourcesToStartVmEvent and stays
//     down.
//   - A host is recovered on request (Server.RecoverHost, or the door): it
//     is connected again, HostConnectedEvent is posted, and the VMs still
//     registered on it are connected, those that ran on it, which died
//     with it, powered off (a suspended VM stays suspended).
//
// Restarts are not subject to admission control (admission.go), which
// reserved the capacity for them: they are placed even where a user's
// power-on would be refused, dedicated failover hosts first.
//
// Where it differs from vSphere HA: there are no heartbeat datastores, no
// isolation or partitions (a crash is always a failure), no VM or
// application monitoring, and no restart of VMs whose priority group's
// readiness condition is unmet (the next priority starts at once);
// restarts are placed by memory only. Reports of drills run against it say "simulated HA".

// HAOptions tunes the HA emulation.
type HAOptions struct {
	// DetectDelay is how long after a crash the host is declared failed;
	// 0 means DefaultHADetectDelay.
	DetectDelay time.Duration
	// RestartDelay is how long each restart takes; 0 restarts at once.
	RestartDelay time.Duration
}

// DefaultHADetectDelay is vSphere's: a host is declared failed after 15 s
// without heartbeats.
const DefaultHADetectDelay = 15 * time.Second

// haAgent is the HA emulation's state.
type haAgent struct {
	opts        HAOptions
	crashed     map[types.ManagedObjectReference]context.CancelFunc // hosts down, and their pending failover
	failRestart map[string]bool                                     // VM names told to fail their restart
}

// Errors of the fault-injection calls.
var (
	errUnknownHost = errors.New("no such host")
	errHostState   = errors.New("the host is not in a state that allows this")
)

// CrashHost crashes the host named name, as a power loss would (see the
// HA emulation above), and returns when it is down; failover follows
// after the detection delay, in the background.
func (s *Server) CrashHost(name string) error {
	return s.vc.crash(s.model.Service.Context, name)
}

// RecoverHost brings back a crashed host.
func (s *Server) RecoverHost(name string) error {
	return s.vc.recover(s.model.Service.Context, name)
}

// FailRestart makes HA's restart of the VM named vm fail, until undo is
// called: for tests of drills that must report a lost VM.
func (s *Server) FailRestart(vm string) (undo func()) {
	s.vc.mu.Lock()
	s.vc.ha.failRestart[vm] = true
	s.vc.mu.Unlock()
	return func() {
		s.vc.mu.Lock()
		defer s.vc.mu.Unlock()
		delete(s.vc.ha.failRestart, vm)
	}
}

// hostNamed finds a host by name, or by moref value.
func hostNamed(ctx *simulator.Context, name string) (*simulator.HostSystem, error) {
	for _, obj := range ctx.Map.AllReference("HostSystem") {
		ref := obj.Reference()
		h, ok := ctx.Map.Get(ref).(*simulator.HostSystem)
		if ok && (nameOf(ctx, ref) == name || ref.Value == name) {
			return h, nil
		}
	}
	return nil, fmt.Errorf("%w: %q", errUnknownHost, name)
}

func (vc *vcenter) crash(sctx *simulator.Context, name string) error {
	ctx := detach(sctx)
	h, err := hostNamed(ctx, name)
	if err != nil {
		return err
	}
	hname, state, _, vms := readHost(ctx, h)
	vc.mu.Lock()
	_, down := vc.ha.crashed[h.Self]
	vc.mu.Unlock()
	if down || state != types.HostSystemConnectionStateConnected {
		return fmt.Errorf("%w: %s is %s", errHostState, hname, state)
	}
	var on []types.ManagedObjectReference
	for _, ref := range vms {
		if vm, ok := ctx.Map.Get(ref).(*simulator.VirtualMachine); ok {
			ctx.WithLock(vm, func() {
				if vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
					on = append(on, ref)
				}
			})
		}
	}
	setConnection(ctx, h, types.HostSystemConnectionStateNotResponding, types.VirtualMachineConnectionStateDisconnected)
	postEvent(ctx, &types.HostConnectionLostEvent{HostEvent: hostEvent(ctx, h.Self)})
	failover, cancel := context.WithCancel(vc.lifecycle.ctx)
	vc.mu.Lock()
	vc.ha.crashed[h.Self] = cancel
	detect := cmp.Or(vc.ha.opts.DetectDelay, DefaultHADetectDelay)
	vc.mu.Unlock()
	vc.goBackground(func(context.Context) {
		defer cancel()
		if !vc.sleep(failover, detect) {
			return // recovered, or the server closed, before detection
		}
		vc.failover(failover, ctx, h, on)
	})
	return nil
}

// failover declares h failed and, if its cluster's HA says so, restarts
// the VMs that were powered on on it.
func (vc *vcenter) failover(life context.Context, ctx *simulator.Context, h *simulator.HostSystem, on []types.ManagedObjectReference) {
	cl, _ := ctx.Map.Get(parentOf(ctx, h.Self)).(*simulator.ClusterComputeResource)
	if cl == nil {
		return
	}
	v := readCluster(ctx, cl)
	if !monitored(v.cfg.DasConfig) {
		return // no FDM agent watches the host: vCenter only sees it not responding
	}
	ev := &types.DasHostFailedEvent{FailedHost: *hostArg(ctx, h.Self)}
	ev.Datacenter, ev.ComputeResource = datacenterArg(ctx, h.Self), computeResourceArg(ctx, h.Self)
	postEvent(ctx, ev)
	for _, vm := range v.restartOrder(on) {
		if life.Err() != nil {
			return
		}
		vc.mu.Lock()
		fail, delay := vc.ha.failRestart[vm.name], vc.ha.opts.RestartDelay
		vc.mu.Unlock()
		to, why := v.haPlace(vm)
		if fail {
			to, why = nil, "the restart failed (injected by the simulator)"
		}
		if to == nil {
			vc.cannotRestart(ctx, vm, why)
			continue
		}
		if !vc.sleep(life, delay) {
			return
		}
		vc.restart(ctx, vm, h.Self, to.ref)
		v.move(vm, to)
	}
	vc.recommend(ctx, cl)
}

// monitored reports whether HA watches the hosts of a cluster configured
// so: HA enabled with host monitoring on (vCenter's default when unset).
// Without it FDM declares no host failed and posts none of its events.
func monitored(das types.ClusterDasConfigInfo) bool {
	return das.Enabled != nil && *das.Enabled && das.HostMonitoring != string(types.ClusterDasConfigInfoServiceStateDisabled)
}

// restartOrder returns the VMs of refs HA restarts, in its order:
// priority, highest first, then the largest memory, then the name. A VM
// whose priority is disabled is left out.
func (v *clusterView) restartOrder(refs []types.ManagedObjectReference) []*viewVM {
	rank := map[string]int{"highest": 0, "high": 1, "medium": 2, "low": 3, "lowest": 4}
	priority := func(vm *viewVM) int {
		p := "medium"
		if s := v.cfg.DasConfig.DefaultVmSettings; s != nil && s.RestartPriority != "" {
			p = s.RestartPriority
		}
		for _, o := range v.cfg.DasVmConfig {
			if o.Key == vm.ref && o.DasSettings != nil && o.DasSettings.RestartPriority != "" &&
				o.DasSettings.RestartPriority != string(types.ClusterDasVmSettingsRestartPriorityClusterRestartPriority) {
				p = o.DasSettings.RestartPriority
			}
		}
		if r, ok := rank[p]; ok {
			return r
		}
		return -1 // disabled
	}
	var out []*viewVM
	for _, ref := range refs {
		if vm := v.vms[ref]; vm != nil && priority(vm) >= 0 {
			out = append(out, vm)
		}
	}
	slices.SortFunc(out, func(a, b *viewVM) int {
		return cmp.Or(cmp.Compare(priority(a), priority(b)), cmp.Compare(b.memMB, a.memMB), strings.Compare(a.name, b.name))
	})
	return out
}

// haPlace picks where HA restarts vm: a usable host that sees its storage
// and networks, has the memory and keeps mandatory VM-host rules;
// dedicated failover hosts first, then the fewest other rules broken,
// then the most memory free.
func (v *clusterView) haPlace(vm *viewVM) (*viewHost, string) {
	failover := map[types.ManagedObjectReference]bool{}
	if p, ok := v.cfg.DasConfig.AdmissionControlPolicy.(*types.ClusterFailoverHostAdmissionControlPolicy); ok {
		for _, h := range p.FailoverHosts {
			failover[h] = true
		}
	}
	var best *viewHost
	bestKey := [3]int64{}
	var why []string
	for _, h := range v.hosts {
		if r := v.refusal(vm, h, true); r != "" {
			why = append(why, r)
			continue
		}
		fo := int64(0)
		if failover[h.ref] {
			fo = 1
		}
		key := [3]int64{fo, -int64(len(v.breaks(vm, h))), h.memMB - h.usedMB}
		if best == nil || slices.Compare(key[:], bestKey[:]) > 0 {
			best, bestKey = h, key
		}
	}
	if best == nil {
		return nil, "no surviving host can take it: " + strings.Join(why, "; ")
	}
	return best, ""
}

// restart moves vm from the failed host to host to and powers it on,
// telling watchers, as HA's restart looks from vCenter.
func (vc *vcenter) restart(ctx *simulator.Context, vm *viewVM, from, to types.ManagedObjectReference) {
	svm, ok := ctx.Map.Get(vm.ref).(*simulator.VirtualMachine)
	if !ok {
		return
	}
	ctx.WithLock(svm, func() {
		ctx.Update(svm, []types.PropertyChange{
			{Name: "runtime.host", Val: &to}, {Name: "summary.runtime.host", Val: &to},
			{Name: "runtime.powerState", Val: types.VirtualMachinePowerStatePoweredOff},
			{Name: "summary.runtime.powerState", Val: types.VirtualMachinePowerStatePoweredOff},
			{Name: "runtime.connectionState", Val: types.VirtualMachineConnectionStateConnected},
			{Name: "summary.runtime.connectionState", Val: types.VirtualMachineConnectionStateConnected},
		})
	})
	relink(ctx, vm.ref, []types.ManagedObjectReference{from}, []types.ManagedObjectReference{to})
	ctx.WithLock(svm, func() {
		ctx.Update(svm, []types.PropertyChange{
			{Name: "runtime.powerState", Val: types.VirtualMachinePowerStatePoweredOn},
			{Name: "summary.runtime.powerState", Val: types.VirtualMachinePowerStatePoweredOn},
		})
	})
	ev := &types.VmRestartedOnAlternateHostEvent{SourceHost: *hostArg(ctx, from)}
	ev.Vm = &types.VmEventArgument{EntityEventArgument: types.EntityEventArgument{Name: vm.name}, Vm: vm.ref}
	ev.Host, ev.ComputeResource, ev.Datacenter = hostArg(ctx, to), computeResourceArg(ctx, to), datacenterArg(ctx, to)
	postEvent(ctx, ev)
}

// cannotRestart posts why HA could not restart vm, which stays down.
func (vc *vcenter) cannotRestart(ctx *simulator.Context, vm *viewVM, why string) {
	ev := &types.NotEnoughResourcesToStartVmEvent{Reason: why}
	ev.Vm = &types.VmEventArgument{EntityEventArgument: types.EntityEventArgument{Name: vm.name}, Vm: vm.ref}
	ev.Host, ev.ComputeResource, ev.Datacenter = hostArg(ctx, vm.host), computeResourceArg(ctx, vm.host), datacenterArg(ctx, vm.host)
	postEvent(ctx, ev)
}

func (vc *vcenter) recover(sctx *simulator.Context, name string) error {
	ctx := detach(sctx)
	h, err := hostNamed(ctx, name)
	if err != nil {
		return err
	}
	vc.mu.Lock()
	cancel, down := vc.ha.crashed[h.Self]
	delete(vc.ha.crashed, h.Self)
	vc.mu.Unlock()
	if !down {
		hname, state, _, _ := readHost(ctx, h)
		return fmt.Errorf("%w: %s is %s, not crashed", errHostState, hname, state)
	}
	cancel() // a failover not yet started never will
	_, _, _, vms := readHost(ctx, h)
	powerOffRunning(ctx, h.Self, vms)
	setConnection(ctx, h, types.HostSystemConnectionStateConnected, types.VirtualMachineConnectionStateConnected)
	postEvent(ctx, &types.HostConnectedEvent{HostEvent: hostEvent(ctx, h.Self)})
	return nil
}
