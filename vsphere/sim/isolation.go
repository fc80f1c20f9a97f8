package sim

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// Network faults: isolation and partitions
//
// FDM tells a failed host from a cut-off one by its datastore heartbeats.
// The emulation models them, and two network faults besides a crash:
//
//   - Heartbeat datastores. A host's heartbeats reach the primary when
//     the two mount a common heartbeat datastore: any datastore they share,
//     or, when the cluster's hBDatastoreCandidatePolicy is userSelectedDs,
//     only those of its heartbeatDatastore list. A crashed host's
//     heartbeats stop; an isolated or partitioned host's go on, since only
//     its network is cut.
//   - Isolation (Server.IsolateHost, or the door): the host's management
//     network is cut. vCenter reaches it over that network, so it reads
//     notResponding (HostConnectionLostEvent) and its VMs disconnected,
//     their power state the last one vCenter saw, as for a crash; they go
//     on running. The host, hearing no other agent, declares itself
//     isolated after 30 s, or 5 s if it was the primary (both scaled like
//     the detection delay: HAOptions.isolationDelay).
//   - Partition (Server.PartitionHosts, or the door): some hosts of one
//     cluster, not all, are split from the rest; the rest keep vCenter
//     (the management network it reaches them by is the one split, as
//     FDM's heartbeats are), so the split hosts read notResponding, as an
//     isolated one does. They hear each other and their isolation address,
//     so they are not isolated; among themselves they elect a primary of
//     their own, which vCenter, not reaching them, never sees, and which
//     restarts nothing, since none of them failed.
//   - The rest's judgement. After the detection delay (and, when the
//     primary was cut off, an election: HAOptions.ElectionDelay) the rest's
//     primary looks at each cut host's datastore heartbeats. Seen: the
//     host is alive, networkIsolated once it has declared itself isolated
//     (DasHostIsolatedEvent, posted once, with host monitoring on), else
//     networkPartitionedFromMaster, and nothing restarts on that ground.
//     Not seen (no common heartbeat datastore): it is declared failed as
//     a crashed host is (hostDown, DasHostFailedEvent, restarts).
//   - Disk locks. A VM that still runs on a host whose network is cut
//     holds its disks' locks: HA's restart of it fails
//     (NotEnoughResourcesToStartVmEvent, "its disks are locked by ...")
//     and is retried as any other, so no VM ever runs twice. A crashed
//     host's locks lapse.
//   - The isolation response. With host monitoring on (else responses are
//     suspended), das.config.fdm.isolationPolicyDelaySec after the host
//     declared itself isolated (the cluster's HA advanced option, 30 s
//     when unset, scaled), the isolated host applies to each VM running on
//     it the response of its dasVmConfig override, or the cluster's
//     defaultVmSettings.isolationResponse; a VM whose restart priority is
//     disabled gets none. none (vSphere's default): it goes on running and
//     nothing restarts. powerOff: it is powered off, releasing its locks,
//     and the rest's primary restarts it elsewhere, as after a failure
//     (VmRestartedOnAlternateHostEvent, its SourceHost the isolated host).
//     shutdown: its guest is shut down, at once with VMware Tools running,
//     else, Tools being needed, it is powered off when
//     das.isolationshutdowntimeout (300 s when unset, scaled) ends; then
//     it is restarted. vCenter, not reaching the host, sees the power-off
//     only as the restart, or, for a VM not restarted, when the network
//     returns.
//   - Restoring the network (Server.RestoreHostNetwork, or the door) ends
//     a host's isolation, or its part in a partition: it is connected
//     again (HostConnectedEvent), its VMs connected, those the response
//     powered off and HA has not restarted elsewhere poweredOff, and it
//     rejoins as connectedToMaster. A VM restarted elsewhere no longer
//     belongs to it, so none runs twice. A response not yet applied never
//     is.
//
// A host whose network is cut may crash (Server.CrashHost): its
// heartbeats stop, the locks of its VMs lapse, and it fails over as any
// crashed host, only the VMs still running restarted; recovering it
// brings its network back. It cannot be cut again, nor recovered, while
// cut (409).

// netCut is a host whose network is cut: isolated alone, or split from
// the rest of its cluster with the other hosts of a partition.
type netCut struct {
	isolated bool
	ctx      context.Context // ends when the network is restored
	cancel   context.CancelFunc
	judged   chan struct{} // closed once the rest's primary judged the host, or its network is restored
	once     sync.Once

	// Under vcenter.mu:
	declared bool                                  // the host declared itself isolated
	seen     bool                                  // the rest's primary judged it and saw its datastore heartbeats
	reported bool                                  // DasHostIsolatedEvent was posted
	primary  types.ManagedObjectReference          // the rest's primary that judged it, which reports its state; unset before
	off      map[types.ManagedObjectReference]bool // VMs the isolation response powered off
}

// endJudgement closes c.judged once.
func (c *netCut) endJudgement() { c.once.Do(func() { close(c.judged) }) }

// errPartition is wrapped by the errors of a partition that is not one.
var errPartition = errors.New("not a partition")

// Delays of FDM's isolation detection, before scaling.
const (
	secondaryIsolationDelay = 30 * time.Second
	primaryIsolationDelay   = 5 * time.Second
)

// isolationDelay is how long a host that hears no other agent takes to
// declare itself isolated: about 30 s for a secondary, 5 s for the
// primary, scaled like the detection delay.
func (o HAOptions) isolationDelay(primary bool) time.Duration {
	if primary {
		return o.scaled(primaryIsolationDelay)
	}
	return o.scaled(secondaryIsolationDelay)
}

// IsolateHost cuts the management network of the host named name (see
// the network faults above) and returns when vCenter has lost it; FDM's
// judgement and the isolation response follow in the background.
func (s *Server) IsolateHost(name string) error {
	return s.vc.isolate(s.model.Service.Context, name)
}

// PartitionHosts splits the hosts named names, some but not all of one
// cluster's, from the rest of it (see the network faults above).
func (s *Server) PartitionHosts(names ...string) error {
	return s.vc.partition(s.model.Service.Context, names)
}

// RestoreHostNetwork gives an isolated or partitioned host its network
// back: it rejoins its cluster.
func (s *Server) RestoreHostNetwork(name string) error {
	return s.vc.restoreNetwork(s.model.Service.Context, name)
}

func (vc *vcenter) isolate(sctx *simulator.Context, name string) error {
	ctx := detach(sctx)
	h, err := hostNamed(ctx, name)
	if err != nil {
		return err
	}
	return vc.cutOff(ctx, []*simulator.HostSystem{h}, true)
}

func (vc *vcenter) partition(sctx *simulator.Context, names []string) error {
	ctx := detach(sctx)
	if len(names) == 0 {
		return fmt.Errorf("%w: name the hosts to split from the rest of their cluster", errPartition)
	}
	var hosts []*simulator.HostSystem
	for _, name := range names {
		h, err := hostNamed(ctx, name)
		if err != nil {
			return err
		}
		if slices.Contains(hosts, h) {
			return fmt.Errorf("%w: %s is named twice", errPartition, name)
		}
		hosts = append(hosts, h)
	}
	parent := parentOf(ctx, hosts[0].Self)
	cl, ok := ctx.Map.Get(parent).(*simulator.ClusterComputeResource)
	if !ok {
		return fmt.Errorf("%w: %s is in no cluster", errPartition, names[0])
	}
	for i, h := range hosts[1:] {
		if p := parentOf(ctx, h.Self); p != parent {
			return fmt.Errorf("%w: %s is in %s and %s in %s: a partition splits the hosts of one cluster",
				errPartition, names[0], nameOf(ctx, parent), names[i+1], nameOf(ctx, p))
		}
	}
	var all int
	ctx.WithLock(cl, func() { all = len(cl.Host) })
	if len(hosts) >= all {
		return fmt.Errorf("%w: these are all %d hosts of %s; a partition splits some from the rest", errPartition, all, nameOf(ctx, parent))
	}
	return vc.cutOff(ctx, hosts, false)
}

// cutOff cuts the network of hosts, together: vCenter loses them at once,
// and the rest's judgement (and, for an isolated host, its own) follows in
// the background. Each must be connected, and neither crashed nor cut.
func (vc *vcenter) cutOff(ctx *simulator.Context, hosts []*simulator.HostSystem, isolated bool) error {
	for _, h := range hosts {
		if hname, state, _, _ := readHost(ctx, h); state != types.HostSystemConnectionStateConnected {
			return fmt.Errorf("%w: %s is %s", errHostState, hname, state)
		}
	}
	cuts := map[types.ManagedObjectReference]*netCut{}
	vc.mu.Lock()
	for _, h := range hosts {
		if _, down := vc.ha.crashed[h.Self]; down || vc.ha.cut[h.Self] != nil {
			vc.mu.Unlock()
			return fmt.Errorf("%w: %s is crashed or its network is cut already", errHostState, h.Name)
		}
	}
	for _, h := range hosts {
		c := &netCut{isolated: isolated, judged: make(chan struct{}), off: map[types.ManagedObjectReference]bool{}}
		c.ctx, c.cancel = context.WithCancel(vc.lifecycle.ctx)
		vc.ha.cut[h.Self], cuts[h.Self] = c, c
	}
	vc.mu.Unlock()
	on := map[types.ManagedObjectReference][]types.ManagedObjectReference{}
	primary := map[types.ManagedObjectReference]bool{}
	for _, h := range hosts {
		_, _, _, vms := readHost(ctx, h)
		on[h.Self] = poweredOnRefs(ctx, h.Self, vms)
		primary[h.Self] = fdmState(ctx, h) == string(types.ClusterDasFdmAvailabilityStateMaster)
		setConnection(ctx, h, types.HostSystemConnectionStateNotResponding, types.VirtualMachineConnectionStateDisconnected)
		postEvent(ctx, &types.HostConnectionLostEvent{HostEvent: hostEvent(ctx, h.Self)})
	}
	cl, ok := ctx.Map.Get(parentOf(ctx, hosts[0].Self)).(*simulator.ClusterComputeResource)
	if !ok {
		return nil // a standalone host: no FDM agent
	}
	judged := detach(ctx) // the judge and the isolation run side by side
	vc.goBackground(func(life context.Context) { vc.judge(life, judged, cl, cuts, on) })
	if isolated {
		h := hosts[0]
		vc.goBackground(func(life context.Context) { vc.isolation(life, ctx, cl, h.Self, cuts[h.Self], primary[h.Self]) })
	}
	return nil
}

// current reports whether c is still the cut of host: its network was not
// restored since.
func (vc *vcenter) current(host types.ManagedObjectReference, c *netCut) bool {
	vc.mu.Lock()
	defer vc.mu.Unlock()
	return vc.ha.cut[host] == c
}

// judge is the rest of the cluster's side of a cut (see the network
// faults above): after the detection delay, and an election if the
// primary was cut off, the primary looks for each cut host's datastore
// heartbeats. on holds the VMs that were powered on on each host, which
// HA tries to restart if it declares the host failed.
func (vc *vcenter) judge(life context.Context, ctx *simulator.Context, cl *simulator.ClusterComputeResource,
	cuts map[types.ManagedObjectReference]*netCut, on map[types.ManagedObjectReference][]types.ManagedObjectReference) {
	defer func() {
		for _, c := range cuts {
			c.endJudgement()
		}
	}()
	vc.mu.Lock()
	detect := vc.ha.opts.detect()
	vc.mu.Unlock()
	if !vc.sleep(life, detect) {
		return
	}
	var lost []types.ManagedObjectReference
	for ref, c := range cuts {
		if vc.current(ref, c) {
			lost = append(lost, ref)
		}
	}
	if len(lost) == 0 {
		return
	}
	primary, ok := vc.reelect(life, ctx, cl, lost)
	if !ok || primary == nil {
		return
	}
	v := readCluster(ctx, cl)
	failed := map[types.ManagedObjectReference][]types.ManagedObjectReference{}
	for _, ref := range lost {
		c := cuts[ref]
		seen := v.heartbeats(ref, *primary)
		vc.mu.Lock()
		still := vc.ha.cut[ref] == c
		if still {
			c.seen, c.primary = seen, *primary
		}
		vc.mu.Unlock()
		switch {
		case !still:
		case seen:
			vc.reportCut(ctx, cl, ref, c)
		default:
			failed[ref] = on[ref]
		}
		c.endJudgement()
	}
	if len(failed) > 0 {
		vc.declareFailed(life, ctx, cl, failed, *primary)
	}
}

// reportCut has the rest's primary report the state of the cut host,
// alive by its datastore heartbeats: networkIsolated once it declared
// itself isolated, with DasHostIsolatedEvent the first time (with host
// monitoring on); else networkPartitionedFromMaster.
func (vc *vcenter) reportCut(ctx *simulator.Context, cl *simulator.ClusterComputeResource, host types.ManagedObjectReference, c *netCut) {
	vc.mu.Lock()
	still, isolated, primary := vc.ha.cut[host] == c, c.declared, c.primary
	post := isolated && !c.reported
	if post {
		c.reported = true
	}
	vc.mu.Unlock()
	switch {
	case !still:
	case !isolated:
		setFdmState(ctx, host, types.ClusterDasFdmAvailabilityStateNetworkPartitionedFromMaster, primary)
	default:
		setFdmState(ctx, host, types.ClusterDasFdmAvailabilityStateNetworkIsolated, primary)
		if v := readCluster(ctx, cl); post && v.cfg != nil && monitored(v.cfg.DasConfig) {
			ev := &types.DasHostIsolatedEvent{IsolatedHost: *hostArg(ctx, host)}
			ev.Event = clusterEvent(ctx, cl.Self)
			postEvent(ctx, ev)
		}
	}
}

// isolation is the isolated host's own side (see the network faults
// above): it declares itself isolated, then applies the isolation
// response, and the VMs it powers off are restarted by the rest's
// primary. primary says whether the host was the primary.
func (vc *vcenter) isolation(life context.Context, ctx *simulator.Context, cl *simulator.ClusterComputeResource,
	host types.ManagedObjectReference, c *netCut, primary bool) {
	vc.mu.Lock()
	opts := vc.ha.opts
	vc.mu.Unlock()
	if v := readCluster(ctx, cl); v.cfg == nil || !haEnabled(v.cfg.DasConfig) || !vc.sleep(c.ctx, opts.isolationDelay(primary)) {
		return
	}
	vc.mu.Lock()
	c.declared = true
	seen := c.seen
	vc.mu.Unlock()
	if seen {
		vc.reportCut(ctx, cl, host, c)
	}
	v := readCluster(ctx, cl)
	if !monitored(v.cfg.DasConfig) || !vc.sleep(c.ctx, v.dasSeconds("das.config.fdm.isolationPolicyDelaySec", 30, opts)) {
		return // with host monitoring off, isolation responses are suspended
	}
	v = readCluster(ctx, cl)
	var now, later []types.ManagedObjectReference // powered off at once, at the shutdown timeout
	for _, ref := range slices.SortedFunc(maps.Keys(v.vms), func(a, b types.ManagedObjectReference) int { return strings.Compare(a.Value, b.Value) }) {
		vm := v.vms[ref]
		if vm.host != host || !vm.on || v.priority(vm) < 0 {
			continue
		}
		switch v.isolationResponse(vm) {
		case string(types.ClusterDasVmSettingsIsolationResponsePowerOff):
			now = append(now, ref)
		case string(types.ClusterDasVmSettingsIsolationResponseShutdown):
			if vm.tools {
				now = append(now, ref)
			} else {
				later = append(later, ref)
			}
		}
	}
	off := detach(ctx) // beside this goroutine's shutdowns
	vc.goBackground(func(life context.Context) { vc.poweredOffByResponse(life, off, cl, host, c, now) })
	if len(later) > 0 && vc.sleep(c.ctx, v.dasSeconds("das.isolationshutdowntimeout", 300, opts)) {
		vc.poweredOffByResponse(life, ctx, cl, host, c, later)
	}
}

// poweredOffByResponse records that the isolation response powered off
// the VMs of refs, releasing their disks' locks, and has them restarted
// by the rest's primary once it has judged the host, if it saw the host's
// heartbeats (it reads the VMs it powered off from them), or at once if
// the network came back first. Without heartbeats HA declared the host
// failed and its retries restart them.
func (vc *vcenter) poweredOffByResponse(life context.Context, ctx *simulator.Context, cl *simulator.ClusterComputeResource,
	host types.ManagedObjectReference, c *netCut, refs []types.ManagedObjectReference) {
	vc.mu.Lock()
	if vc.ha.cut[host] != c {
		vc.mu.Unlock()
		return // the network came back before the response
	}
	for _, ref := range refs {
		c.off[ref] = true
	}
	vc.mu.Unlock()
	if len(refs) == 0 {
		return
	}
	select {
	case <-c.judged:
	case <-life.Done():
		return
	}
	vc.mu.Lock()
	restart := c.seen || vc.ha.cut[host] != c && c.primary.Value == ""
	vc.mu.Unlock()
	if restart {
		vc.restartVMs(life, ctx, cl, refs, nil)
	}
}

// endCut ends the cut c of host: what is pending of it stops, and it
// returns the VMs of on, powered on as vCenter last saw them, that still
// run, those the isolation response powered off left out.
func (vc *vcenter) endCut(host types.ManagedObjectReference, c *netCut, on []types.ManagedObjectReference) []types.ManagedObjectReference {
	vc.mu.Lock()
	if vc.ha.cut[host] == c {
		delete(vc.ha.cut, host)
	}
	running := slices.DeleteFunc(slices.Clone(on), func(ref types.ManagedObjectReference) bool { return c.off[ref] })
	vc.mu.Unlock()
	c.cancel()
	c.endJudgement()
	return running
}

// lockHolder names the host that holds the disk locks of vm, which still
// runs on it behind a cut network; "" when none does.
func (vc *vcenter) lockHolder(v *clusterView, vm *viewVM) string {
	vc.mu.Lock()
	c := vc.ha.cut[vm.host]
	locked := vm.on && c != nil && !c.off[vm.ref]
	vc.mu.Unlock()
	if h := v.host(vm.host); locked && h != nil {
		return h.name
	}
	return ""
}

func (vc *vcenter) restoreNetwork(sctx *simulator.Context, name string) error {
	ctx := detach(sctx)
	h, err := hostNamed(ctx, name)
	if err != nil {
		return err
	}
	vc.mu.Lock()
	c := vc.ha.cut[h.Self]
	vc.mu.Unlock()
	if c == nil {
		hname, state, _, _ := readHost(ctx, h)
		return fmt.Errorf("%w: %s is %s, its network not cut", errHostState, hname, state)
	}
	_, _, _, vms := readHost(ctx, h)
	on := poweredOnRefs(ctx, h.Self, vms)
	running := vc.endCut(h.Self, c, on)
	// What the isolation response powered off, vCenter now sees so.
	powerOffRunning(ctx, h.Self, slices.DeleteFunc(on, func(ref types.ManagedObjectReference) bool { return slices.Contains(running, ref) }))
	setConnection(ctx, h, types.HostSystemConnectionStateConnected, types.VirtualMachineConnectionStateConnected)
	postEvent(ctx, &types.HostConnectedEvent{HostEvent: hostEvent(ctx, h.Self)})
	vc.hostChanged(ctx, h.Self, true)
	return nil
}

// heartbeats reports whether the datastore heartbeats of host reach
// primary: they mount a common heartbeat datastore (see the network
// faults above).
func (v *clusterView) heartbeats(host, primary types.ManagedObjectReference) bool {
	h, p := v.host(host), v.host(primary)
	if h == nil || p == nil {
		return false
	}
	das := v.cfg.DasConfig
	only := das.HBDatastoreCandidatePolicy == string(types.ClusterDasConfigInfoHBDatastoreCandidateUserSelectedDs)
	return slices.ContainsFunc(h.datastores, func(ds types.ManagedObjectReference) bool {
		return slices.Contains(p.datastores, ds) && (!only || slices.Contains(das.HeartbeatDatastore, ds))
	})
}

// isolationResponse is vm's isolation response: its override's, else the
// cluster's, else none.
func (v *clusterView) isolationResponse(vm *viewVM) string {
	r := string(types.ClusterDasVmSettingsIsolationResponseNone)
	if s := v.cfg.DasConfig.DefaultVmSettings; s != nil && s.IsolationResponse != "" {
		r = s.IsolationResponse
	}
	if o := v.dasOverride(vm); o != nil && o.IsolationResponse != "" &&
		o.IsolationResponse != string(types.ClusterDasVmSettingsIsolationResponseClusterIsolationResponse) {
		r = o.IsolationResponse
	}
	return r
}

// dasSeconds reads the cluster's HA advanced option key as seconds, def
// when unset, scaled by o.
func (v *clusterView) dasSeconds(key string, def int, o HAOptions) time.Duration {
	n, ok := v.dasOption(key)
	if !ok {
		n = def
	}
	return o.scaled(time.Duration(n) * time.Second)
}
