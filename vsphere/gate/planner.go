package gate

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
)

// CheckStatus is a precheck's verdict.
type CheckStatus string

// The verdicts. A failed check refuses the change; a warning lets it
// through and is shown with the result.
const (
	CheckPass CheckStatus = "pass"
	CheckWarn CheckStatus = "warn"
	CheckFail CheckStatus = "fail"
)

// Check is the verdict of one precheck. Name says which check it is; the
// names are stable (JSON): vm, source-host, host, target, host-connected, host-power,
// host-maintenance, cluster, pool, datastores, networks, anti-affinity,
// affinity, vm-host-rule, capacity, template, power-state, tools,
// running-vms, server, fingerprint (a cluster configuration changed since it
// was read).
type Check struct {
	Name   string      `json:"name" yaml:"name"`
	Status CheckStatus `json:"status" yaml:"status"`
	Reason string      `json:"reason,omitempty" yaml:"reason,omitempty"`
}

// String returns "name: reason", or the name alone.
func (c Check) String() string {
	if c.Reason == "" {
		return c.Name
	}
	return c.Name + ": " + c.Reason
}

func pass(name string) Check { return Check{Name: name, Status: CheckPass} }

func warn(name, format string, args ...any) Check {
	return Check{Name: name, Status: CheckWarn, Reason: fmt.Sprintf(format, args...)}
}

func fail(name, format string, args ...any) Check {
	return Check{Name: name, Status: CheckFail, Reason: fmt.Sprintf(format, args...)}
}

// Planner plans changes against one inventory snapshot and runs the
// prechecks vSphere itself may not (vcsim checks nothing). It is pure: it
// sends no request, so placement can ask it about every host. Plan with
// Migrate, Power, EnterMaintenance, ExitMaintenance, Disconnect and
// Reconnect; carry the actions out with a Gate. Moved and
// ExpectMaintenance record planned changes so that later plans see them.
// A Planner is not safe for concurrent use.
type Planner struct {
	inv   *vsphere.Inventory                    // read, never written
	rules map[vsphere.Ref]*vsphere.ClusterRules // by cluster
	pools map[vsphere.Ref]vsphere.Pool

	idx *index // inv's objects by ref, built on the first lookup

	// What Moved changed, looked up before inv: copies of the VMs moved
	// and of the hosts whose counts and usage changed.
	movedVMs   map[vsphere.Ref]*vsphere.VM
	movedHosts map[vsphere.Ref]*vsphere.Host
	entering   map[vsphere.Ref]bool // hosts planned to enter maintenance
}

// index finds inv's objects by ref: positions in its slices.
type index struct {
	vms, hosts, clusters, datastores, networks map[vsphere.Ref]int
	vmsOn                                      map[vsphere.Ref][]vsphere.Ref // host -> VMs, in inventory order; Moved keeps it current
}

// NewPlanner returns a planner over inv, the DRS rules of the clusters
// changes may involve (Client.ClusterRules), and the resource pools a
// change may name (Client.ResourcePools; nil if none is named). It keeps
// inv and never modifies it: the moves it is told of are kept apart.
func NewPlanner(inv *vsphere.Inventory, rules []vsphere.ClusterRules, pools []vsphere.Pool) *Planner {
	p := &Planner{
		inv:        inv,
		rules:      make(map[vsphere.Ref]*vsphere.ClusterRules, len(rules)),
		pools:      make(map[vsphere.Ref]vsphere.Pool, len(pools)),
		movedVMs:   map[vsphere.Ref]*vsphere.VM{},
		movedHosts: map[vsphere.Ref]*vsphere.Host{},
		entering:   map[vsphere.Ref]bool{},
	}
	for _, r := range rules {
		p.rules[r.Cluster] = &r
	}
	for _, pool := range pools {
		p.pools[pool.Ref] = pool
	}
	return p
}

// index returns the planner's index of inv, building it on first use.
func (p *Planner) index() *index {
	if p.idx != nil {
		return p.idx
	}
	inv := p.inv
	x := &index{
		vms:        make(map[vsphere.Ref]int, len(inv.VMs)),
		hosts:      make(map[vsphere.Ref]int, len(inv.Hosts)),
		clusters:   make(map[vsphere.Ref]int, len(inv.Clusters)),
		datastores: make(map[vsphere.Ref]int, len(inv.Datastores)),
		networks:   make(map[vsphere.Ref]int, len(inv.Networks)),
		vmsOn:      make(map[vsphere.Ref][]vsphere.Ref, len(inv.Hosts)),
	}
	for i, v := range inv.VMs {
		x.vms[v.Ref] = i
		x.vmsOn[v.HostRef] = append(x.vmsOn[v.HostRef], v.Ref)
	}
	for i, h := range inv.Hosts {
		x.hosts[h.Ref] = i
	}
	for i, c := range inv.Clusters {
		x.clusters[c.Ref] = i
	}
	for i, d := range inv.Datastores {
		x.datastores[d.Ref] = i
	}
	for i, n := range inv.Networks {
		x.networks[n.Ref] = i
	}
	p.idx = x
	return x
}

// vm returns the VM ref as planned so far, or nil. Callers only read it:
// Moved changes a copy (movedVM).
func (p *Planner) vm(ref vsphere.Ref) *vsphere.VM {
	if v := p.movedVMs[ref]; v != nil {
		return v
	}
	if i, ok := p.index().vms[ref]; ok {
		return &p.inv.VMs[i]
	}
	return nil
}

// host returns the host ref as planned so far, or nil; read only, like vm.
func (p *Planner) host(ref vsphere.Ref) *vsphere.Host {
	if h := p.movedHosts[ref]; h != nil {
		return h
	}
	if i, ok := p.index().hosts[ref]; ok {
		return &p.inv.Hosts[i]
	}
	return nil
}

// movedVM returns the planner's own copy of the VM ref, to change, or nil.
func (p *Planner) movedVM(ref vsphere.Ref) *vsphere.VM {
	v := p.vm(ref)
	if v != nil && p.movedVMs[ref] == nil {
		c := *v
		v = &c
		p.movedVMs[ref] = v
	}
	return v
}

// movedHost returns the planner's own copy of the host ref, to change, or nil.
func (p *Planner) movedHost(ref vsphere.Ref) *vsphere.Host {
	h := p.host(ref)
	if h != nil && p.movedHosts[ref] == nil {
		c := *h
		h = &c
		p.movedHosts[ref] = h
	}
	return h
}

// cluster returns the cluster ref, or nil.
func (p *Planner) cluster(ref vsphere.Ref) *vsphere.Cluster {
	if i, ok := p.index().clusters[ref]; ok {
		return &p.inv.Clusters[i]
	}
	return nil
}

// datastore returns the datastore ref, or nil.
func (p *Planner) datastore(ref vsphere.Ref) *vsphere.Datastore {
	if i, ok := p.index().datastores[ref]; ok {
		return &p.inv.Datastores[i]
	}
	return nil
}

// network returns the network ref, or nil.
func (p *Planner) network(ref vsphere.Ref) *vsphere.Network {
	if i, ok := p.index().networks[ref]; ok {
		return &p.inv.Networks[i]
	}
	return nil
}

// VM returns the VM ref as the planner sees it, after the moves it was
// told of.
func (p *Planner) VM(ref vsphere.Ref) (vsphere.VM, bool) {
	if v := p.vm(ref); v != nil {
		return *v, true
	}
	return vsphere.VM{}, false
}

// Host returns the host ref as the planner sees it: its VMCount and usage
// include the moves it was told of.
func (p *Planner) Host(ref vsphere.Ref) (vsphere.Host, bool) {
	if h := p.host(ref); h != nil {
		return *h, true
	}
	return vsphere.Host{}, false
}

// Hosts returns every host, sorted by name.
func (p *Planner) Hosts() []vsphere.Host {
	out := make([]vsphere.Host, 0, len(p.inv.Hosts))
	for _, h := range p.inv.Hosts {
		out = append(out, *p.host(h.Ref))
	}
	return out
}

// Pool returns the resource pool ref, if the planner was given it.
func (p *Planner) Pool(ref vsphere.Ref) (vsphere.Pool, bool) {
	pool, ok := p.pools[ref]
	return pool, ok
}

// VMsOn returns the VMs on host, powered on or not.
func (p *Planner) VMsOn(host vsphere.Ref) []vsphere.VM {
	on := p.index().vmsOn[host]
	out := make([]vsphere.VM, 0, len(on))
	for _, r := range on {
		out = append(out, *p.vm(r))
	}
	return out
}

// PoweredOnVMsOn returns the powered-on VMs on host.
func (p *Planner) PoweredOnVMsOn(host vsphere.Ref) []vsphere.VM {
	return slices.DeleteFunc(p.VMsOn(host), func(v vsphere.VM) bool { return v.PowerState != "poweredOn" })
}

// ExpectMaintenance records that host will enter maintenance mode, so no
// later plan moves a VM onto it.
func (p *Planner) ExpectMaintenance(host vsphere.Ref) { p.entering[host] = true }

// MigrateSpec says where a migration moves a VM. A zero field keeps that
// part as it is: Host for a host vMotion, Datastore for a storage vMotion,
// Pool to change resource pool (needed to cross clusters).
type MigrateSpec struct {
	Host      vsphere.Ref
	Pool      vsphere.Ref
	Datastore vsphere.Ref
}

// IsZero reports whether s asks for no change.
func (s MigrateSpec) IsZero() bool { return s.Host.IsZero() && s.Pool.IsZero() && s.Datastore.IsZero() }

// Moved records that vm is (planned to be) moved as spec says: later
// checks and plans see it at its new place, and the hosts' VM counts and
// usage change with it.
func (p *Planner) Moved(vm vsphere.Ref, spec MigrateSpec) {
	v := p.movedVM(vm)
	if v == nil {
		return
	}
	on := p.index().vmsOn
	if to := p.movedHost(spec.Host); to != nil && spec.Host != v.HostRef {
		if from := p.movedHost(v.HostRef); from != nil {
			from.VMCount--
			on[from.Ref] = slices.DeleteFunc(slices.Clone(on[from.Ref]), func(r vsphere.Ref) bool { return r == vm })
			if v.PowerState == "poweredOn" {
				from.MemoryUsageMB = max(0, from.MemoryUsageMB-int64(v.MemoryMB))
				from.CPUUsageMHz = max(0, from.CPUUsageMHz-int64(v.CPUUsageMHz))
			}
		}
		to.VMCount++
		on[to.Ref] = append(on[to.Ref], vm)
		if v.PowerState == "poweredOn" {
			to.MemoryUsageMB += int64(v.MemoryMB)
			to.CPUUsageMHz += int64(v.CPUUsageMHz)
		}
		v.HostRef, v.Host, v.ClusterRef, v.Cluster = to.Ref, to.Name, to.ClusterRef, to.Cluster
	}
	if !spec.Pool.IsZero() {
		v.PoolRef = spec.Pool
	}
	if ds := p.datastore(spec.Datastore); ds != nil {
		v.DatastoreRefs, v.Datastores = []vsphere.Ref{ds.Ref}, []string{ds.Name}
	}
}

// CheckMigrate runs the migration prechecks for moving vm as spec says and
// returns every verdict, passed or not. Any failed check means vSphere
// would refuse the move, or should not be asked.
func (p *Planner) CheckMigrate(vm vsphere.Ref, spec MigrateSpec) []Check {
	v := p.vm(vm)
	if v == nil {
		return []Check{fail("vm", "VM %s is not in the inventory (deleted or renamed?); reload and check the name", vm.Value)}
	}
	if spec.IsZero() {
		return []Check{pass("vm"), fail("target", "nothing to change: give a host, a datastore or a resource pool")}
	}
	hostRef := cmp.Or(spec.Host, v.HostRef)
	h := p.host(hostRef)
	if h == nil {
		return []Check{pass("vm"), fail("host", "host %s is not in the inventory; reload and check the name", hostRef.Value)}
	}
	checks := []Check{pass("vm"), p.checkSource(v), pass("host")}
	checks = append(checks, p.hostUsable(h)...)
	checks = append(checks, p.checkCluster(v, h, spec.Pool)...)
	checks = append(checks, p.checkStorage(v, h, spec.Datastore), p.checkNetworks(v, h))
	checks = append(checks, p.checkRules(v, h)...)
	if h.Ref != v.HostRef && v.PowerState == "poweredOn" {
		checks = append(checks, p.checkFailoverHost(v, h), checkCapacity(v, h))
	}
	return checks
}

// checkFailoverHost refuses to move the running v onto a dedicated
// failover host of HA's admission control, as vCenter does
// (InsufficientFailoverResourcesFault): it runs no VMs while every host
// is up.
func (p *Planner) checkFailoverHost(v *vsphere.VM, h *vsphere.Host) Check {
	if rs := p.rules[h.ClusterRef]; rs != nil && slices.Contains(rs.FailoverHosts, h.Ref) {
		return fail("admission-control", "%s is a dedicated failover host of %s: HA admission control keeps it free of running VMs; choose another host for %s",
			h.Name, orNone(h.Cluster), v.Name)
	}
	return pass("admission-control")
}

// checkSource checks that v's own host is connected: vCenter cannot move a
// VM off a host it cannot reach.
func (p *Planner) checkSource(v *vsphere.VM) Check {
	src := p.host(v.HostRef)
	switch {
	case src == nil:
		return fail("source-host", "the host of %s is not in the inventory; reload", v.Name)
	case src.ConnectionState != "connected":
		return fail("source-host", "%s runs on %s, which is %s, and vCenter cannot move a VM off a host it cannot reach; reconnect the host first",
			v.Name, src.Name, orUnknown(src.ConnectionState))
	}
	return pass("source-host")
}

// hostUsable checks that h can take a VM: connected, powered on and not
// (about to be) in maintenance mode.
func (p *Planner) hostUsable(h *vsphere.Host) []Check {
	out := make([]Check, 0, 3)
	if h.ConnectionState != "connected" {
		out = append(out, fail("host-connected", "%s is %s; reconnect it or choose another host", h.Name, orUnknown(h.ConnectionState)))
	} else {
		out = append(out, pass("host-connected"))
	}
	if h.PowerState != "poweredOn" {
		out = append(out, fail("host-power", "%s is %s; power it on or choose another host", h.Name, orUnknown(h.PowerState)))
	} else {
		out = append(out, pass("host-power"))
	}
	switch {
	case h.MaintenanceMode:
		out = append(out, fail("host-maintenance", "%s is in maintenance mode; exit maintenance on it or choose another host", h.Name))
	case p.entering[h.Ref]:
		out = append(out, fail("host-maintenance", "%s is about to enter maintenance mode", h.Name))
	default:
		out = append(out, pass("host-maintenance"))
	}
	return out
}

func orUnknown(s string) string { return cmp.Or(s, "in an unknown state") }

// checkCluster checks that v stays in its cluster, or that the pool given
// belongs to the target host's cluster.
func (p *Planner) checkCluster(v *vsphere.VM, h *vsphere.Host, pool vsphere.Ref) []Check {
	if pool.IsZero() {
		switch {
		case h.ClusterRef == v.ClusterRef:
			return []Check{pass("cluster")}
		case h.ClusterRef.IsZero():
			return []Check{fail("cluster", "%s is a standalone host and %s is in %s; to move it there give the host's own resource pool (--pool %s/Resources)",
				h.Name, v.Name, orNone(v.Cluster), h.Name)}
		}
		return []Check{fail("cluster", "%s is in %s and %s in %s; to move it across clusters give a resource pool of %s",
			h.Name, orNone(h.Cluster), v.Name, orNone(v.Cluster), h.Cluster)}
	}
	rp, ok := p.pools[pool]
	if !ok {
		return []Check{pass("cluster"), fail("pool", "resource pool %s is unknown; list pools and check the name", pool.Value)}
	}
	if rp.Owner != h.ClusterRef {
		return []Check{pass("cluster"), fail("pool", "resource pool %s belongs to %s, not to %s of %s; give a pool of that cluster",
			rp.Path, p.clusterName(rp.Owner), orNone(h.Cluster), h.Name)}
	}
	return []Check{pass("cluster"), pass("pool")}
}

func orNone(cluster string) string { return cmp.Or(cluster, "no cluster") }

func (p *Planner) clusterName(r vsphere.Ref) string {
	if c := p.cluster(r); c != nil {
		return c.Name
	}
	return r.Value
}

// checkStorage checks that h sees the datastores v will use: ds if given,
// else the VM's own.
func (p *Planner) checkStorage(v *vsphere.VM, h *vsphere.Host, ds vsphere.Ref) Check {
	want := v.DatastoreRefs
	if !ds.IsZero() {
		d := p.datastore(ds)
		if d == nil {
			return fail("datastores", "datastore %s is not in the inventory; reload and check the name", ds.Value)
		}
		if !d.Accessible {
			return fail("datastores", "datastore %s is not accessible; choose another", d.Name)
		}
		want = []vsphere.Ref{ds}
	}
	var missing []string
	for _, r := range want {
		if !slices.Contains(h.DatastoreRefs, r) {
			missing = append(missing, p.datastoreName(r))
		}
	}
	if len(missing) > 0 {
		hint := "give a datastore it sees, or choose another host"
		if !ds.IsZero() {
			hint = "choose a datastore mounted on it"
		}
		return fail("datastores", "%s does not see %s, which %s would use; %s", h.Name, strings.Join(missing, ", "), v.Name, hint)
	}
	return pass("datastores")
}

func (p *Planner) datastoreName(r vsphere.Ref) string {
	if d := p.datastore(r); d != nil {
		return d.Name
	}
	return r.Value
}

// checkNetworks checks that every network of v exists on h.
func (p *Planner) checkNetworks(v *vsphere.VM, h *vsphere.Host) Check {
	var missing []string
	for _, r := range v.NetworkRefs {
		if !slices.Contains(h.NetworkRefs, r) {
			name := r.Value
			if n := p.network(r); n != nil {
				name = n.Name
			}
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fail("networks", "%s has no network %s, which %s is connected to; choose a host that has it",
			h.Name, strings.Join(missing, ", "), v.Name)
	}
	return pass("networks")
}

// checkRules checks the enabled DRS rules of h's cluster that name v. A
// mandatory anti-affinity or VM-host rule refuses the move; a "should"
// rule, and an affinity rule, only warn.
func (p *Planner) checkRules(v *vsphere.VM, h *vsphere.Host) []Check {
	rs := p.rules[h.ClusterRef]
	if rs == nil {
		return nil
	}
	var out []Check
	for _, r := range rs.Rules {
		if !r.Enabled {
			continue
		}
		members := rs.Members[r.Name] // nil for a VM-host rule
		switch r.Kind {
		case clusterspec.RuleAntiAffinity:
			if !slices.Contains(members, v.Ref) {
				continue
			}
			var with []string
			for _, o := range members {
				if ov := p.vm(o); ov != nil && o != v.Ref && ov.HostRef == h.Ref {
					with = append(with, ov.Name)
				}
			}
			out = append(out, ruleCheck("anti-affinity", r, len(with) == 0,
				"rule %q keeps %s apart from %s, which runs on %s", r.Name, v.Name, strings.Join(with, ", "), h.Name))
		case clusterspec.RuleAffinity:
			if !slices.Contains(members, v.Ref) {
				continue
			}
			var apart []string
			for _, o := range members {
				if ov := p.vm(o); ov != nil && o != v.Ref && ov.HostRef != h.Ref {
					apart = append(apart, ov.Name+" on "+ov.Host)
				}
			}
			c := ruleCheck("affinity", r, len(apart) == 0,
				"rule %q keeps %s with %s", r.Name, v.Name, strings.Join(apart, ", "))
			if c.Status == CheckFail {
				c.Status = CheckWarn // the others can follow; DRS reunites them
			}
			out = append(out, c)
		case clusterspec.RuleVMHost:
			if !slices.Contains(rs.VMGroups[r.VMGroup], v.Ref) {
				continue
			}
			switch {
			case r.AffineHostGroup != "":
				out = append(out, ruleCheck("vm-host-rule", r, slices.Contains(rs.HostGroups[r.AffineHostGroup], h.Ref),
					"rule %q keeps %s (group %s) on hosts of group %s, and %s is not one", r.Name, v.Name, r.VMGroup, r.AffineHostGroup, h.Name))
			case r.AntiAffineHostGroup != "":
				out = append(out, ruleCheck("vm-host-rule", r, !slices.Contains(rs.HostGroups[r.AntiAffineHostGroup], h.Ref),
					"rule %q keeps %s (group %s) off the hosts of group %s, and %s is one", r.Name, v.Name, r.VMGroup, r.AntiAffineHostGroup, h.Name))
			}
		}
	}
	return out
}

// ruleCheck passes if ok; otherwise it fails for a mandatory rule and warns
// for a "should" rule.
func ruleCheck(name string, r clusterspec.Rule, ok bool, format string, args ...any) Check {
	switch {
	case ok:
		return pass(name)
	case r.Mandatory:
		return fail(name, format, args...)
	}
	return warn(name, "should-rule: "+format, args...)
}

// checkCapacity warns when h has less free memory than v is configured
// with. vSphere allows overcommitment, so it never refuses.
func checkCapacity(v *vsphere.VM, h *vsphere.Host) Check {
	free := h.MemoryMB - h.MemoryUsageMB
	if int64(v.MemoryMB) > free {
		return warn("capacity", "%s has %s of memory free and %s is configured with %s: memory would be overcommitted",
			h.Name, format.MB(max(free, 0)), v.Name, format.MB(int64(v.MemoryMB)))
	}
	return pass("capacity")
}

// PlannerFor returns a planner over inv for changes involving the given
// objects (VMs, hosts or clusters), with the DRS rules of their clusters,
// loaded in one request, and pools, the resource pools a change may name
// (nil if none is named).
func PlannerFor(ctx context.Context, c *vsphere.Client, inv *vsphere.Inventory, involved []vsphere.Ref, pools []vsphere.Pool) (*Planner, error) {
	rules, err := c.ClusterRules(ctx, clustersOf(inv, involved)...)
	if err != nil {
		return nil, err
	}
	return NewPlanner(inv, rules, pools), nil
}

// clustersOf returns the clusters of refs, each once: a VM's or a host's
// cluster, or the cluster itself.
func clustersOf(inv *vsphere.Inventory, refs []vsphere.Ref) []vsphere.Ref {
	want := map[vsphere.Ref]bool{}
	for _, r := range refs {
		want[r] = true
	}
	seen := map[vsphere.Ref]bool{}
	var out []vsphere.Ref
	add := func(cl vsphere.Ref) {
		if !cl.IsZero() && !seen[cl] {
			seen[cl] = true
			out = append(out, cl)
		}
	}
	for _, c := range inv.Clusters {
		if want[c.Ref] {
			add(c.Ref)
		}
	}
	for _, h := range inv.Hosts {
		if want[h.Ref] {
			add(h.ClusterRef)
		}
	}
	for _, v := range inv.VMs {
		if want[v.Ref] {
			add(v.ClusterRef)
		}
	}
	return out
}
