package sim

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/ha/admission"
	"github.com/vtui/vtui/vsphere/clusterspec"
)

// HA emulation
//
// vcsim has no HA. vtui's simulator acts like vSphere HA's FDM agent, so
// that failover drills run against it end to end:
//
//   - Roles. In a cluster with HA enabled, each usable host's
//     runtime.dasHostState (ClusterDasFdmHostState) holds its FDM role:
//     the first usable host by name is the primary (master), the others
//     connectedToMaster, reported by the primary; a failed host is
//     hostDown; a host in maintenance mode, disconnected or shut down has
//     none, and a primary leaving so is replaced at once (a clean exit is
//     no failure). With HA disabled the states are unset.
//   - A host crashes (Server.CrashHost, or the fault door a drill in
//     another process uses): its runtime.connectionState becomes
//     notResponding and vCenter posts HostConnectionLostEvent; its VMs keep
//     their last power state, seen through a host that does not answer,
//     and their runtime.connectionState becomes disconnected: they are
//     down.
//   - If the cluster has HA enabled with host monitoring, the host is
//     declared failed after the detection delay (HAOptions.DetectDelay;
//     vSphere declares a host failed after 15 s without heartbeats) and
//     the primary's next heartbeat check (1 s, scaled):
//     DasHostFailedEvent. A host recovered before then (an election may
//     come between) heartbeats again: it is not declared failed, and
//     nothing restarts. Hosts whose detection delays end within that
//     check are declared together, and their VMs placed together. When a
//     failed host was the primary, the others first hold an election
//     (state election) for HAOptions.ElectionDelay, and the new primary
//     declares every host found failed by then. Without HA or host
//     monitoring no FDM agent watches it: no HA event is posted and
//     nothing restarts.
//   - Placement first. The primary places the VMs that were powered on,
//     in restart-priority order (highest first; within one, the largest
//     configured memory first; disabled never restarts:
//     ha/admission's RestartOrder), each on a usable host other than its
//     own that sees its datastores and networks, keeps the mandatory
//     VM-host rules, and has the unreserved CPU and memory for what the VM
//     reserves (its reservations and at least 32 MHz, as admission control
//     counts them: ha/admission's VM.Need; its configured memory does not
//     count, as memory can be overcommitted); preferring dedicated
//     failover hosts, then the fewest rules broken (VM-VM rules, kept
//     where they can be, and "should" rules), then the most unreserved
//     capacity (the smaller of the unreserved shares of CPU and memory),
//     until all are placed or capacity runs out: ha/admission's Place,
//     which the capacity what-if predicts by. A VM that cannot be
//     placed, or that a test told to fail (Server.FailRestart), gets
//     NotEnoughResourcesToStartVmEvent (see Retries).
//   - Then parallel power-ons. Each host powers on its share in order,
//     one after another, hosts in parallel. A restart begins by moving the
//     VM (same moref and instance UUID) to its host, poweredOff and
//     connected: its resources are allocated. Its power-on then takes the
//     boot time (HAOptions.BootTime, or a time drawn from BootTime to
//     BootTimeMax with a generator seeded by HAOptions.Seed), after which
//     it is poweredOn and VmRestartedOnAlternateHostEvent (its SourceHost
//     the failed host) is posted. VMware Tools' guest heartbeat
//     (summary.quickStats.guestHeartbeatStatus) turns green
//     HAOptions.ToolsDelay after that.
//   - Readiness. A priority's VMs are handed to their hosts only when the
//     previous priority is ready: each of its VMs has met its ready
//     condition (the cluster's orchestration.defaultVmReadiness, or the
//     VM's vmOrchestration override, as govc's cluster.override.change
//     -ha-ready-condition sets it) plus its postReadyDelay, or its
//     restartPriorityTimeout (dasConfig.defaultVmSettings, or the VM's
//     dasVmConfig override; 600 s by default, negative for none) has
//     passed since the priority started. Conditions: none (vSphere's
//     default, "resources allocated": the restart has begun), poweredOn,
//     guestHbStatusGreen; appHbStatusGreen is never met (no application
//     monitoring is modelled), so only the timeout moves on. The timeout
//     is not used with none.
//   - Retries. A VM whose placement failed has a retry pending: HA tries
//     again when capacity appears (a host of the cluster recovers,
//     reconnects or leaves maintenance mode) and on a schedule
//     (HAOptions.RetryDelay after the first failure, doubling after each
//     one), up to das.maxvmrestartcount attempts (the cluster's
//     dasConfig option, 5 by default), the first placement counting as
//     the first. Each failed attempt posts NotEnoughResourcesToStartVmEvent,
//     whose reason ends "(attempt N of M; HA retries ...)" or, the last,
//     "(attempt M of M; HA gives up)". For a drill: a VM has a retry
//     pending exactly while fewer than M such events were posted for it
//     since the failure and it has not been restarted.
//   - A host is recovered on request (Server.RecoverHost, or the door): it
//     is connected again, HostConnectedEvent is posted, and the VMs still
//     registered on it are connected, those that ran on it, which died
//     with it, powered off (a suspended VM stays suspended); it rejoins
//     as connectedToMaster.
//
// Delays that vSphere sets in seconds (postReadyDelay,
// restartPriorityTimeout, das.maxvmrestartcount's 2-minute retry) are
// scaled like the detection delay: by DetectDelay / 15 s. So with the
// simulator's default DetectDelay they are vSphere's.
//
// Restarts are not subject to admission control (admission.go), which
// reserved the capacity for them: they are placed even where a user's
// power-on would be refused, dedicated failover hosts first.
//
// Besides a crash, a host's network can be cut: isolation and partitions,
// told from failures by datastore heartbeats (isolation.go).
//
// What it does not model is listed in the package documentation, and
// served by the fault door (Model). Reports of drills run against it say
// "simulated HA".

// HAOptions tunes the HA emulation. The zero value has vSphere's
// detection delay and instant boots.
type HAOptions struct {
	// DetectDelay is how long after a crash the host is declared failed;
	// 0 means DefaultHADetectDelay. Delays vSphere sets in seconds are
	// scaled by DetectDelay / DefaultHADetectDelay.
	DetectDelay time.Duration
	// BootTime is how long each restart's power-on takes on its host; 0
	// powers on at once. With BootTimeMax above it, each takes a time
	// drawn from [BootTime, BootTimeMax] by a generator seeded with Seed.
	BootTime, BootTimeMax time.Duration
	Seed                  uint64
	// ToolsDelay is how long after a restarted VM powers on its guest
	// heartbeat turns green; 0 at once.
	ToolsDelay time.Duration
	// ElectionDelay is how long the secondaries take to elect a new
	// primary when the primary fails; 0 means DetectDelay (vSphere's
	// election takes about 15 s).
	ElectionDelay time.Duration
	// RetryDelay is how long after a failed placement HA tries again, the
	// delay doubling after each failure; 0 means 2 minutes, scaled.
	RetryDelay time.Duration
}

// DefaultHADetectDelay is vSphere's: a host is declared failed after 15 s
// without heartbeats.
const DefaultHADetectDelay = 15 * time.Second

// defaultMaxRestarts is das.maxvmrestartcount's default.
const defaultMaxRestarts = 5

// detect is the detection delay.
func (o HAOptions) detect() time.Duration { return cmp.Or(o.DetectDelay, DefaultHADetectDelay) }

// scaled scales a delay vSphere sets by DetectDelay / 15 s. It computes
// in floating point: the product of two durations in nanoseconds
// overflows int64 (2 minutes times 15 s is 1.8e21).
func (o HAOptions) scaled(d time.Duration) time.Duration {
	return time.Duration(math.Round(float64(d) * float64(o.detect()) / float64(DefaultHADetectDelay)))
}

// Validate reports options no emulation can run with.
func (o HAOptions) Validate() error {
	switch {
	case o.DetectDelay < 0 || o.ElectionDelay < 0 || o.RetryDelay < 0 || o.ToolsDelay < 0:
		return errors.New("HA delays must not be negative")
	case o.BootTime < 0 || (o.BootTimeMax != 0 && o.BootTimeMax < o.BootTime):
		return fmt.Errorf("HA boot time %s..%s: want 0 or more, the range's end not before its start", o.BootTime, o.BootTimeMax)
	}
	return nil
}

// haAgent is the HA emulation's state.
type haAgent struct {
	opts        HAOptions
	rng         *rand.Rand                                          // boot times
	crashed     map[types.ManagedObjectReference]context.CancelFunc // hosts down, and their pending failover
	failRestart map[string]bool                                     // VM names told to fail their restart
	pending     map[types.ManagedObjectReference]int                // VMs with a retry pending, and their failed attempts
	cut         map[types.ManagedObjectReference]*netCut            // hosts isolated or partitioned (isolation.go)
	due         map[types.ManagedObjectReference][]detectedHost     // by cluster: hosts past their detection delay, not declared yet
	// placed holds the restarts placed and not powered on yet, and the
	// host each was placed on: their resources are taken there.
	placed map[types.ManagedObjectReference]types.ManagedObjectReference
}

// detectedHost is a crashed host past its detection delay, and the VMs
// that were powered on on it.
type detectedHost struct {
	host *simulator.HostSystem
	on   []types.ManagedObjectReference
}

// configure sets the options, seeding the boot times.
func (a *haAgent) configure(o HAOptions) {
	a.opts, a.rng = o, rand.New(rand.NewPCG(o.Seed, o.Seed))
}

// bootTimes says the boot time, or its range ("30s-1m30s").
func (o HAOptions) bootTimes() string {
	if o.BootTimeMax > o.BootTime {
		return o.BootTime.String() + "-" + o.BootTimeMax.String()
	}
	return o.BootTime.String()
}

// bootTime draws the next power-on's boot time.
func (a *haAgent) bootTime() time.Duration {
	o := a.opts
	if o.BootTimeMax <= o.BootTime {
		return o.BootTime
	}
	return o.BootTime + time.Duration(a.rng.Int64N(int64(o.BootTimeMax-o.BootTime)+1))
}

// Errors of the fault-injection calls.
var (
	errUnknownHost = errors.New("no such host")
	errHostState   = errors.New("the host is not in a state that allows this")
)

// CrashHost crashes the host named name, as a power loss would (see the
// HA emulation above), and returns when it is down; failover follows
// after the detection delay, in the background. A host whose network is
// cut (isolation.go) may crash too: its datastore heartbeats stop and its
// disk locks lapse, and recovering it brings its network back.
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
	cut := vc.ha.cut[h.Self]
	vc.mu.Unlock()
	if down || cut == nil && state != types.HostSystemConnectionStateConnected {
		return fmt.Errorf("%w: %s is %s", errHostState, hname, state)
	}
	on := poweredOnRefs(ctx, h.Self, vms)
	if cut != nil {
		on = vc.endCut(h.Self, cut, on) // vCenter lost it already
	} else {
		setConnection(ctx, h, types.HostSystemConnectionStateNotResponding, types.VirtualMachineConnectionStateDisconnected)
		postEvent(ctx, &types.HostConnectionLostEvent{HostEvent: hostEvent(ctx, h.Self)})
	}
	vc.evaluateAlarms(ctx) // at once, as vCenter's state alarms: before HA acts
	failover, cancel := context.WithCancel(vc.lifecycle.ctx)
	vc.mu.Lock()
	vc.ha.crashed[h.Self] = cancel
	detect := vc.ha.opts.detect()
	vc.mu.Unlock()
	vc.goBackground(func(server context.Context) {
		defer cancel()
		if !vc.sleep(failover, detect) {
			return // recovered, or the server closed, before detection
		}
		vc.detected(server, ctx, detectedHost{h, on}) // a recovery before the declaration stops it (failover)
	})
	return nil
}

// detected queues d for its cluster's primary, which declares the hosts
// queued at its next heartbeat check (1 s, scaled) in one failover.
func (vc *vcenter) detected(life context.Context, ctx *simulator.Context, d detectedHost) {
	cl, _ := ctx.Map.Get(parentOf(ctx, d.host.Self)).(*simulator.ClusterComputeResource)
	if cl == nil {
		return
	}
	vc.mu.Lock()
	first := len(vc.ha.due[cl.Self]) == 0
	vc.ha.due[cl.Self] = append(vc.ha.due[cl.Self], d)
	check := vc.ha.opts.scaled(time.Second)
	vc.mu.Unlock()
	if first && vc.sleep(life, check) {
		vc.failover(life, ctx, cl)
	}
}

// failover declares the hosts queued for cl failed and, if its HA says
// so, restarts together the VMs that were powered on on them. A failed
// primary costs an election first.
func (vc *vcenter) failover(life context.Context, ctx *simulator.Context, cl *simulator.ClusterComputeResource) {
	var lost []types.ManagedObjectReference
	vc.mu.Lock()
	for _, d := range vc.ha.due[cl.Self] {
		lost = append(lost, d.host.Self)
	}
	vc.mu.Unlock()
	primary, ok := vc.reelect(life, ctx, cl, lost)
	if !ok {
		return
	}
	failed := map[types.ManagedObjectReference][]types.ManagedObjectReference{}
	for _, d := range vc.declare(cl) {
		vc.mu.Lock()
		_, down := vc.ha.crashed[d.host.Self]
		vc.mu.Unlock()
		if down { // one recovered meanwhile heartbeats again: the primary declares it alive
			failed[d.host.Self] = append(failed[d.host.Self], d.on...)
		}
	}
	if primary != nil && len(failed) > 0 {
		vc.declareFailed(life, ctx, cl, failed, *primary)
	}
}

// reelect gives the FDM roles of cl again, with HA enabled, once the
// hosts of lost no longer answer: when the primary is among them, the
// others hold an election (state election, for HAOptions.ElectionDelay)
// first. It returns the primary, nil without HA or a usable host, and
// false if life ended during the election.
func (vc *vcenter) reelect(life context.Context, ctx *simulator.Context, cl *simulator.ClusterComputeResource,
	lost []types.ManagedObjectReference) (*types.ManagedObjectReference, bool) {
	v := readCluster(ctx, cl)
	if v.cfg == nil || !haEnabled(v.cfg.DasConfig) {
		return nil, true
	}
	if slices.ContainsFunc(lost, func(ref types.ManagedObjectReference) bool {
		h, ok := ctx.Map.Get(ref).(*simulator.HostSystem)
		return ok && fdmState(ctx, h) == string(types.ClusterDasFdmAvailabilityStateMaster)
	}) {
		for _, x := range v.hosts {
			if x.usable {
				setFdmState(ctx, x.ref, types.ClusterDasFdmAvailabilityStateElection, x.ref)
			}
		}
		vc.mu.Lock()
		election := vc.ha.opts.election()
		vc.mu.Unlock()
		if !vc.sleep(life, election) {
			return nil, false
		}
	}
	return vc.assignRoles(ctx, cl), true
}

// declareFailed has primary declare the hosts of failed failed, with host
// monitoring on (without it no FDM agent watches them: vCenter only sees
// them not responding): each is hostDown, with DasHostFailedEvent, and
// the VMs that were powered on on them, failed's values, are restarted
// together.
func (vc *vcenter) declareFailed(life context.Context, ctx *simulator.Context, cl *simulator.ClusterComputeResource,
	failed map[types.ManagedObjectReference][]types.ManagedObjectReference, primary types.ManagedObjectReference) {
	if v := readCluster(ctx, cl); v.cfg == nil || !monitored(v.cfg.DasConfig) {
		return
	}
	var on []types.ManagedObjectReference
	for _, h := range slices.SortedFunc(maps.Keys(failed), func(a, b types.ManagedObjectReference) int { return strings.Compare(a.Value, b.Value) }) {
		setFdmState(ctx, h, types.ClusterDasFdmAvailabilityStateHostDown, primary)
		ev := &types.DasHostFailedEvent{FailedHost: *hostArg(ctx, h)}
		ev.Datacenter, ev.ComputeResource = datacenterArg(ctx, h), computeResourceArg(ctx, h)
		postEvent(ctx, ev)
		on = append(on, failed[h]...)
	}
	vc.restartVMs(life, ctx, cl, on, nil)
}

// declare takes the hosts queued for cl: a host detected from now on
// starts the next failover.
func (vc *vcenter) declare(cl *simulator.ClusterComputeResource) []detectedHost {
	vc.mu.Lock()
	defer vc.mu.Unlock()
	due := vc.ha.due[cl.Self]
	delete(vc.ha.due, cl.Self)
	return due
}

// haEnabled reports whether HA is enabled: FDM agents run on the hosts.
func haEnabled(das types.ClusterDasConfigInfo) bool { return das.Enabled != nil && *das.Enabled }

// monitored reports whether HA watches the hosts of a cluster configured
// so: HA enabled with host monitoring on (vCenter's default when unset).
// Without it FDM declares no host failed and posts none of its events.
func monitored(das types.ClusterDasConfigInfo) bool {
	return haEnabled(das) && das.HostMonitoring != string(types.ClusterDasConfigInfoServiceStateDisabled)
}

// fdmState reads h's runtime.dasHostState.state.
func fdmState(ctx *simulator.Context, h *simulator.HostSystem) string {
	var state string
	ctx.WithLock(h, func() {
		if s := h.Runtime.DasHostState; s != nil {
			state = s.State
		}
	})
	return state
}

// setFdmState sets the FDM state of the host ref, as reporter reports
// it, telling watchers when it changes; an empty state unsets it.
func setFdmState(ctx *simulator.Context, ref types.ManagedObjectReference, state types.ClusterDasFdmAvailabilityState, reporter types.ManagedObjectReference) {
	h, ok := ctx.Map.Get(ref).(*simulator.HostSystem)
	if !ok {
		return
	}
	var want *types.ClusterDasFdmHostState
	if state != "" {
		want = &types.ClusterDasFdmHostState{State: string(state), StateReporter: &reporter}
	}
	ctx.WithLock(h, func() {
		cur := h.Runtime.DasHostState
		if (cur == nil) == (want == nil) && (cur == nil || cur.State == want.State && cur.StateReporter != nil && *cur.StateReporter == reporter) {
			return
		}
		var val any // untyped nil unsets it
		if want != nil {
			val = want
		}
		ctx.Update(h, []types.PropertyChange{{Name: "runtime.dasHostState", Val: val}})
	})
}

// assignRoles gives the usable hosts of cl their FDM roles when HA is
// enabled: the usable primary stays so, or, with none, the first usable
// host by name is elected; the other usable hosts are connectedToMaster;
// hosts in maintenance mode, disconnected or shut down have none (a
// crashed one, or one whose network is cut, keeps its own: it is not
// heard from). With HA disabled every state is unset. It returns the
// primary, nil if there is none.
func (vc *vcenter) assignRoles(ctx *simulator.Context, cl *simulator.ClusterComputeResource) *types.ManagedObjectReference {
	v := readCluster(ctx, cl)
	if v.cfg == nil || !haEnabled(v.cfg.DasConfig) {
		for _, h := range v.hosts {
			setFdmState(ctx, h.ref, "", h.ref)
		}
		return nil
	}
	var primary *types.ManagedObjectReference
	for _, h := range v.hosts {
		hs, ok := ctx.Map.Get(h.ref).(*simulator.HostSystem)
		if ok && h.usable && fdmState(ctx, hs) == string(types.ClusterDasFdmAvailabilityStateMaster) {
			primary = &h.ref
			break
		}
	}
	for _, h := range v.hosts {
		if !h.usable {
			vc.mu.Lock()
			_, crashed := vc.ha.crashed[h.ref]
			cut := vc.ha.cut[h.ref] != nil
			vc.mu.Unlock()
			if !crashed && !cut { // in maintenance, disconnected or shut down: no FDM agent runs
				setFdmState(ctx, h.ref, "", h.ref)
			}
			continue
		}
		if primary == nil || *primary == h.ref {
			primary = &h.ref
			setFdmState(ctx, h.ref, types.ClusterDasFdmAvailabilityStateMaster, h.ref)
			continue
		}
		setFdmState(ctx, h.ref, types.ClusterDasFdmAvailabilityStateConnectedToMaster, *primary)
	}
	return primary
}

// priority ranks vm's restart priority, 0 for highest; -1 for disabled.
func (v *clusterView) priority(vm *viewVM) int {
	rank := map[string]int{"highest": 0, "high": 1, "medium": 2, "low": 3, "lowest": 4}
	p := "medium"
	if s := v.cfg.DasConfig.DefaultVmSettings; s != nil && s.RestartPriority != "" {
		p = s.RestartPriority
	}
	if o := v.dasOverride(vm); o != nil && o.RestartPriority != "" &&
		o.RestartPriority != string(types.ClusterDasVmSettingsRestartPriorityClusterRestartPriority) {
		p = o.RestartPriority
	}
	if r, ok := rank[p]; ok {
		return r
	}
	return -1
}

// dasOverride returns vm's HA override, or nil.
func (v *clusterView) dasOverride(vm *viewVM) *types.ClusterDasVmSettings {
	for _, o := range v.cfg.DasVmConfig {
		if o.Key == vm.ref {
			return o.DasSettings
		}
	}
	return nil
}

// restartOrder returns the VMs of refs HA restarts, in its order:
// priority, highest first, then the largest memory, then the name. A VM
// whose priority is disabled is left out.
func (v *clusterView) restartOrder(refs []types.ManagedObjectReference) []*viewVM {
	var out []*viewVM
	for _, ref := range refs {
		if vm := v.vms[ref]; vm != nil && v.priority(vm) >= 0 {
			out = append(out, vm)
		}
	}
	slices.SortFunc(out, func(a, b *viewVM) int {
		return admission.RestartOrder(admission.Queued{Name: a.name, Rank: v.priority(a), ConfiguredMB: a.memMB},
			admission.Queued{Name: b.name, Rank: v.priority(b), ConfiguredMB: b.memMB})
	})
	return out
}

// readiness is when a restarted VM lets the next priority start.
type readiness struct {
	condition types.ClusterVmReadinessReadyCondition
	// postReady is the delay after the condition; timeout the most the
	// next priority waits, from its priority's start (negative: no limit).
	postReady, timeout time.Duration
}

// readiness reads vm's ready condition, postReadyDelay and
// restartPriorityTimeout, the VM's overrides over the cluster's defaults,
// with the delays scaled by o.
func (v *clusterView) readiness(vm *viewVM, o HAOptions) readiness {
	r := types.ClusterVmReadiness{ReadyCondition: string(types.ClusterVmReadinessReadyConditionNone)}
	if c := v.cfg.Orchestration; c != nil && c.DefaultVmReadiness != nil {
		mergeReadiness(&r, *c.DefaultVmReadiness)
	}
	for _, x := range v.cfg.VmOrchestration {
		if x.Vm == vm.ref {
			if x.VmReadiness.ReadyCondition != string(types.ClusterVmReadinessReadyConditionUseClusterDefault) {
				setIf(&r.ReadyCondition, x.VmReadiness.ReadyCondition)
			}
			if x.VmReadiness.PostReadyDelay >= 0 {
				setIf(&r.PostReadyDelay, x.VmReadiness.PostReadyDelay)
			}
		}
	}
	timeout := int32(600)
	if s := v.cfg.DasConfig.DefaultVmSettings; s != nil && s.RestartPriorityTimeout != 0 {
		timeout = s.RestartPriorityTimeout
	}
	if s := v.dasOverride(vm); s != nil && s.RestartPriorityTimeout != 0 && s.RestartPriorityTimeout != -1 {
		timeout = s.RestartPriorityTimeout
	}
	out := readiness{condition: types.ClusterVmReadinessReadyCondition(r.ReadyCondition),
		postReady: o.scaled(time.Duration(max(r.PostReadyDelay, 0)) * time.Second), timeout: -1}
	if timeout >= 0 {
		out.timeout = o.scaled(time.Duration(timeout) * time.Second)
	}
	return out
}

// maxRestarts is the cluster's das.maxvmrestartcount.
func (v *clusterView) maxRestarts() int {
	if n, ok := v.dasOption("das.maxvmrestartcount"); ok && n > 0 {
		return n
	}
	return defaultMaxRestarts
}

// dasOption reads the cluster's HA advanced option key (dasConfig.option)
// as a whole number of at least 0; false when it is unset or not one.
func (v *clusterView) dasOption(key string) (int, bool) {
	for _, o := range v.cfg.DasConfig.Option {
		if strings.EqualFold(o.GetOptionValue().Key, key) {
			if n, err := strconv.Atoi(strings.TrimSpace(fmt.Sprint(o.GetOptionValue().Value))); err == nil && n >= 0 {
				return n, true
			}
		}
	}
	return 0, false
}

// haPlace picks where HA restarts vm: among the usable hosts other than
// its own that see its storage and networks and keep the mandatory
// VM-host rules, the one ha/admission's Place picks by unreserved
// capacity.
func (v *clusterView) haPlace(vm *viewVM) (*viewHost, string) {
	policy := v.admissionPolicy().Policy
	want := admission.VM{Name: vm.name, CPUMHz: vm.cpuResMHz, MemoryMB: vm.memResMB}
	cpu, mem := want.Need()
	var hosts []*viewHost
	var targets []admission.Target
	var why []string
	for _, h := range v.hosts {
		if h.ref == vm.host {
			continue
		}
		if r := v.refusal(vm, h, true); r != "" {
			why = append(why, r)
			continue
		}
		t := admission.Target{
			Host:           admission.Host{Name: h.name, CPUMHz: h.cpuMHz, MemoryMB: h.memMB, Usable: true},
			Failover:       policy.Mode == clusterspec.AdmissionHosts && slices.Contains(policy.Hosts, h.name),
			ReservedCPUMHz: h.resCPU, ReservedMemoryMB: h.resMem, Breaks: rulesBroken(v.breaks(vm, h)),
		}
		if !t.Fits(want) {
			why = append(why, fmt.Sprintf("%s has %d MHz and %d MB unreserved and it reserves %d MHz and %d MB",
				h.name, max(h.cpuMHz-h.resCPU, 0), max(h.memMB-h.resMem, 0), cpu, mem))
			continue
		}
		hosts, targets = append(hosts, h), append(targets, t)
	}
	if i := admission.Place(want, targets); i >= 0 {
		return hosts[i], ""
	}
	return nil, "no surviving host can take it: " + strings.Join(why, "; ")
}

// rulesBroken counts the rules of vs.
func rulesBroken(vs []violation) int {
	rules := map[string]bool{}
	for _, b := range vs {
		rules[b.rule] = true
	}
	return len(rules)
}

// boot is one VM's restart on the host placement gave it, and the
// moments the next priority may wait for.
type boot struct {
	vm            *viewVM
	from, to      types.ManagedObjectReference
	took          time.Duration
	ready         readiness
	allocated, on chan struct{} // closed when its restart began, when it is powered on
	green         chan struct{} // closed when its guest heartbeat is green
}

// readyBy returns the channel closed when b meets its ready condition,
// nil for one never met.
func (b *boot) readyBy() chan struct{} {
	switch b.ready.condition {
	case types.ClusterVmReadinessReadyConditionPoweredOn:
		return b.on
	case types.ClusterVmReadinessReadyConditionGuestHbStatusGreen:
		return b.green
	case types.ClusterVmReadinessReadyConditionAppHbStatusGreen:
		return nil
	}
	return b.allocated
}

// restartVMs places the VMs of refs, in restart order, then has each
// host power on its share in parallel, priority by priority, as the
// package doc says. attempts holds the failed attempts of VMs retried.
func (vc *vcenter) restartVMs(life context.Context, ctx *simulator.Context, cl *simulator.ClusterComputeResource,
	refs []types.ManagedObjectReference, attempts map[types.ManagedObjectReference]int) {
	v := readCluster(ctx, cl)
	vc.mu.Lock()
	opts := vc.ha.opts
	vc.inFlight(v)
	vc.mu.Unlock()
	var groups [][]*boot
	last := -1
	for _, vm := range v.restartOrder(refs) {
		vc.mu.Lock()
		fail := vc.ha.failRestart[vm.name]
		vc.mu.Unlock()
		to, why := v.haPlace(vm)
		if holder := vc.lockHolder(v, vm); holder != "" {
			to, why = nil, fmt.Sprintf("its disks are locked by %s, where it still runs: the host's network is cut, not its storage", holder)
		}
		if fail {
			to, why = nil, "the restart failed (injected by the simulator)"
		}
		if to == nil {
			vc.cannotRestart(ctx, cl, v, vm, why, attempts[vm.ref]+1)
			continue
		}
		vc.mu.Lock()
		took := vc.ha.bootTime()
		vc.ha.placed[vm.ref] = to.ref
		vc.mu.Unlock()
		b := &boot{vm: vm, from: vm.host, to: to.ref, took: took, ready: v.readiness(vm, opts),
			allocated: make(chan struct{}), on: make(chan struct{}), green: make(chan struct{})}
		if p := v.priority(vm); p != last {
			groups, last = append(groups, nil), p
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], b)
		v.move(vm, to)
	}
	queues := map[types.ManagedObjectReference]chan *boot{}
	var done sync.WaitGroup
	for i, g := range groups {
		for _, b := range g {
			q := queues[b.to]
			if q == nil {
				q = make(chan *boot, len(refs))
				queues[b.to] = q
				done.Add(1)
				// Each host boots its share apart, so each goroutine locks
				// as its own owner: vcsim's locks are re-entrant for one
				// *simulator.Context, and a shared one would let two hosts'
				// boots edit the same datastore's VM list at once.
				ctx := detach(ctx)
				vc.goBackground(func(context.Context) {
					defer done.Done()
					for b := range q {
						if !vc.powerOn(life, ctx, b, opts.ToolsDelay) {
							return
						}
					}
				})
			}
			q <- b
		}
		if i < len(groups)-1 && !vc.waitReady(life, g) {
			break
		}
	}
	for _, q := range queues {
		close(q)
	}
	done.Wait()
	if life.Err() == nil {
		vc.recommend(ctx, cl)
	}
}

// inFlight counts in v the restarts placed and not powered on yet on
// the hosts they were placed on, so that a placement made meanwhile (a
// retry) does not take their resources. The caller holds vc.mu.
func (vc *vcenter) inFlight(v *clusterView) {
	for ref, to := range vc.ha.placed {
		vm, h := v.vms[ref], v.host(to)
		switch {
		case vm == nil || h == nil:
		case vm.on: // still on its failed host
			v.move(vm, h)
		default: // booting there, powered off
			vm.host, vm.on = to, true
			h.add(vm, 1)
		}
	}
}

// waitReady waits until every VM of a priority group is ready, plus its
// postReadyDelay, or its restartPriorityTimeout has passed since the
// group started. It reports false if life ended first.
func (vc *vcenter) waitReady(life context.Context, g []*boot) bool {
	start := time.Now()
	until := start
	for _, b := range g {
		deadline := time.Time{}
		var timeout <-chan time.Time
		if b.ready.timeout >= 0 && b.ready.condition != types.ClusterVmReadinessReadyConditionNone {
			deadline = start.Add(b.ready.timeout)
			t := time.NewTimer(time.Until(deadline))
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-b.readyBy():
			until = later(until, time.Now().Add(b.ready.postReady))
		case <-timeout:
			until = later(until, deadline)
		case <-life.Done():
			return false
		}
	}
	return vc.sleep(life, time.Until(until))
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// powerOn restarts b's VM on its host: its resources are allocated (it
// moves there, poweredOff and connected), it boots, it is powered on and
// VmRestartedOnAlternateHostEvent is posted, and its guest heartbeat
// turns green tools after. It reports false if life ended first.
func (vc *vcenter) powerOn(life context.Context, ctx *simulator.Context, b *boot, tools time.Duration) bool {
	svm, ok := ctx.Map.Get(b.vm.ref).(*simulator.VirtualMachine)
	if !ok {
		vc.mu.Lock()
		delete(vc.ha.placed, b.vm.ref)
		vc.mu.Unlock()
		close(b.allocated)
		close(b.on)
		close(b.green)
		return true
	}
	ctx.WithLock(svm, func() {
		ctx.Update(svm, []types.PropertyChange{
			{Name: "runtime.host", Val: &b.to}, {Name: "summary.runtime.host", Val: &b.to},
			{Name: "runtime.powerState", Val: types.VirtualMachinePowerStatePoweredOff},
			{Name: "summary.runtime.powerState", Val: types.VirtualMachinePowerStatePoweredOff},
			{Name: "runtime.connectionState", Val: types.VirtualMachineConnectionStateConnected},
			{Name: "summary.runtime.connectionState", Val: types.VirtualMachineConnectionStateConnected},
		})
	})
	relink(ctx, b.vm.ref, []types.ManagedObjectReference{b.from}, []types.ManagedObjectReference{b.to})
	close(b.allocated)
	if !vc.sleep(life, b.took) {
		return false
	}
	ctx.WithLock(svm, func() {
		ctx.Update(svm, []types.PropertyChange{
			{Name: "runtime.powerState", Val: types.VirtualMachinePowerStatePoweredOn},
			{Name: "summary.runtime.powerState", Val: types.VirtualMachinePowerStatePoweredOn},
		})
	})
	vc.mu.Lock()
	delete(vc.ha.placed, b.vm.ref)
	vc.mu.Unlock()
	ev := &types.VmRestartedOnAlternateHostEvent{SourceHost: *hostArg(ctx, b.from)}
	ev.Vm = &types.VmEventArgument{EntityEventArgument: types.EntityEventArgument{Name: b.vm.name}, Vm: b.vm.ref}
	ev.Host, ev.ComputeResource, ev.Datacenter = hostArg(ctx, b.to), computeResourceArg(ctx, b.to), datacenterArg(ctx, b.to)
	postEvent(ctx, ev)
	close(b.on)
	ctx = detach(ctx) // runs beside the boots that follow (see restartVMs)
	vc.goBackground(func(context.Context) {
		if !vc.sleep(life, tools) {
			return
		}
		ctx.WithLock(svm, func() {
			if svm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
				ctx.Update(svm, []types.PropertyChange{{Name: "summary.quickStats.guestHeartbeatStatus", Val: types.ManagedEntityStatusGreen}})
			}
		})
		close(b.green)
	})
	return true
}

// cannotRestart posts why HA could not restart vm in its attempt-th
// attempt and, unless that was the last, leaves a retry pending,
// scheduled after the retry delay.
func (vc *vcenter) cannotRestart(ctx *simulator.Context, cl *simulator.ClusterComputeResource, v *clusterView, vm *viewVM, why string, attempt int) {
	most := v.maxRestarts()
	vc.mu.Lock()
	delay := vc.ha.opts.retry() << (attempt - 1)
	if attempt < most {
		vc.ha.pending[vm.ref] = attempt
	}
	vc.mu.Unlock()
	if attempt < most {
		why += fmt.Sprintf(" (attempt %d of %d; HA retries when capacity appears, or in %s)", attempt, most, delay)
		ctx := detach(ctx)
		vc.goBackground(func(server context.Context) {
			if vc.sleep(server, delay) {
				vc.retry(server, ctx, cl, attempt)
			}
		})
	} else {
		why += fmt.Sprintf(" (attempt %d of %d; HA gives up)", attempt, most)
	}
	ev := &types.NotEnoughResourcesToStartVmEvent{Reason: why}
	ev.Vm = &types.VmEventArgument{EntityEventArgument: types.EntityEventArgument{Name: vm.name}, Vm: vm.ref}
	ev.Host, ev.ComputeResource, ev.Datacenter = hostArg(ctx, vm.host), computeResourceArg(ctx, vm.host), datacenterArg(ctx, vm.host)
	postEvent(ctx, ev)
}

// retry tries again the restarts pending in cl: those after attempt
// failed ones, or every one for attempt 0 (capacity appeared). A VM
// running again meanwhile is dropped.
func (vc *vcenter) retry(life context.Context, ctx *simulator.Context, cl *simulator.ClusterComputeResource, attempt int) {
	v := readCluster(ctx, cl)
	attempts := map[types.ManagedObjectReference]int{}
	var refs []types.ManagedObjectReference
	vc.mu.Lock()
	for ref, n := range vc.ha.pending {
		if vm := v.vms[ref]; vm != nil && (attempt == 0 || n == attempt) {
			delete(vc.ha.pending, ref)
			if h := v.host(vm.host); !vm.on || h == nil || !h.usable {
				refs, attempts[ref] = append(refs, ref), n
			}
		}
	}
	vc.mu.Unlock()
	if len(refs) > 0 {
		vc.restartVMs(life, ctx, cl, refs, attempts)
	}
}

// hostChanged follows a change of host's state in HA: the FDM roles of
// its cluster are given again (a primary that went away is replaced at
// once: leaving cleanly is no failure) and, when capacity appeared (the
// host recovered, reconnected or left maintenance mode), the pending
// restarts are retried in the background.
func (vc *vcenter) hostChanged(ctx *simulator.Context, host types.ManagedObjectReference, capacity bool) {
	cl, ok := ctx.Map.Get(parentOf(ctx, host)).(*simulator.ClusterComputeResource)
	if !ok {
		return
	}
	vc.assignRoles(ctx, cl)
	if capacity {
		ctx := detach(ctx)
		vc.goBackground(func(life context.Context) { vc.retry(life, ctx, cl, 0) })
	}
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
	vc.evaluateAlarms(ctx)
	vc.hostChanged(ctx, h.Self, true)
	return nil
}
