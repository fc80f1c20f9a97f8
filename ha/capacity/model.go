package capacity

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/vtui/vtui/ha/admission"
	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
)

// model is the cluster prepared once for many scenarios: hosts and VMs by
// index, each VM's need, and the enabled rules by member.
type model struct {
	hosts []host
	vms   []vm
	rules []rule
	// baseMem and baseCPU are what the VMs that run on each host now
	// reserve there.
	baseMem, baseCPU []int64
	// on lists each host's powered-on VMs; at is each VM's host.
	on [][]int
	at []int
	// noRestarts says why HA restarts nothing at all ("" when it does):
	// it is disabled, or does not monitor hosts.
	noRestarts string
	// scratch is reused by each scenario and each placement, which run
	// one at a time: a tolerance of thousands of scenarios (96 hosts
	// failing two at a time) otherwise spends most of its time
	// allocating and collecting these.
	scratch struct {
		failed           []bool
		freeMem, freeCPU []int64
		where            []int
		down             []int
		idx              []int
		warns            [][]string
		targets          []admission.Target
	}
}

// reuse returns buf with length n, reallocated only when too small; its
// contents are left for the caller to set.
func reuse[T any](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n)
	}
	return buf[:n]
}

type host struct {
	name                 string
	usable, failover     bool
	unusableBecause      string // when not usable: "is in maintenance mode"
	memMB, cpuMHz        int64
	datastores, networks map[vsphere.Ref]bool
	groups               map[string]bool // the host groups it is in
}

type vm struct {
	name                 string
	host                 int // index into hosts; -1 if not on a host of the cluster
	on                   bool
	memMB, cpuMHz        int64 // what a restart reserves (admission.VM.Need)
	configuredMB         int64 // its configured memory, which orders restarts
	priority             clusterspec.RestartPriority
	datastores, networks []vsphere.Ref
	rules                []int // indices into model.rules naming it
	// compatible says, by host index, whether the host can run the VM at
	// all: usable, with its datastores and networks. It depends on no
	// scenario, so it is computed once.
	compatible []bool
}

type rule struct {
	clusterspec.Rule
	members []int        // VMs of the rule, or of its VM group
	hosts   map[int]bool // a VM-host rule's host group, by host index
}

func newModel(in Input) *model {
	m := &model{}
	switch ha := in.Config.HA; {
	case !ha.Enabled:
		m.noRestarts = fmt.Sprintf("HA is disabled on %s, so nothing restarts a failed host's VMs", in.Config.Cluster)
	case !ha.HostMonitoring:
		m.noRestarts = fmt.Sprintf("HA does not monitor the hosts of %s (host monitoring is off), so it restarts nothing", in.Config.Cluster)
	}
	hostIndex := map[vsphere.Ref]int{}
	failover := map[string]bool{}
	if in.Config.HA.AdmissionControl.Mode == clusterspec.AdmissionHosts {
		for _, h := range in.Config.HA.AdmissionControl.Hosts {
			failover[h] = true
		}
	}
	hosts := slices.Clone(in.Hosts)
	slices.SortFunc(hosts, func(a, b vsphere.Host) int { return strings.Compare(a.Name, b.Name) })
	for _, h := range hosts {
		hs := host{
			name: h.Name, failover: failover[h.Name],
			memMB: h.MemoryMB, cpuMHz: h.CPUMHz,
			datastores: set(h.DatastoreRefs), networks: set(h.NetworkRefs), groups: map[string]bool{},
		}
		hs.unusableBecause = unusable(h)
		hs.usable = hs.unusableBecause == ""
		hostIndex[h.Ref] = len(m.hosts)
		m.hosts = append(m.hosts, hs)
	}
	for _, g := range in.Config.HostGroups {
		for _, name := range g.Hosts {
			for i := range m.hosts {
				if m.hosts[i].name == name {
					m.hosts[i].groups[g.Name] = true
				}
			}
		}
	}
	m.baseMem, m.baseCPU = make([]int64, len(m.hosts)), make([]int64, len(m.hosts))
	byName := map[string][]int{}
	for _, v := range in.VMs {
		i, ok := hostIndex[v.HostRef]
		if !ok {
			i = -1
		}
		r := in.Reservations[v.Ref]
		cpu, mem := admission.VM{CPUMHz: r.CPUMHz, MemoryMB: r.MemoryMB}.Need()
		vs := vm{
			name: v.Name, host: i, on: v.PowerState == "poweredOn",
			memMB: mem, cpuMHz: cpu, configuredMB: int64(v.MemoryMB),
			priority:   in.Config.EffectiveRestartPriority(v.Name),
			datastores: v.DatastoreRefs, networks: v.NetworkRefs,
		}
		if vs.on && i >= 0 {
			m.baseMem[i] += vs.memMB
			m.baseCPU[i] += vs.cpuMHz
		}
		byName[v.Name] = append(byName[v.Name], len(m.vms))
		m.vms = append(m.vms, vs)
	}
	m.on, m.at = make([][]int, len(m.hosts)), make([]int, len(m.vms))
	for i := range m.vms {
		v := &m.vms[i]
		m.at[i] = v.host
		if v.on && v.host >= 0 {
			m.on[v.host] = append(m.on[v.host], i)
			v.compatible = make([]bool, len(m.hosts))
			for hi := range m.hosts {
				v.compatible[hi] = m.compatibility(*v, hi).reason == ""
			}
		}
	}
	for _, cr := range in.Config.Rules {
		if !cr.Enabled {
			continue
		}
		r := rule{Rule: cr}
		names := cr.VMs
		if cr.Kind == clusterspec.RuleVMHost {
			g, _ := in.Config.VMGroup(cr.VMGroup)
			names = g.VMs
			r.hosts = map[int]bool{}
			group := cr.AffineHostGroup + cr.AntiAffineHostGroup
			for i, h := range m.hosts {
				if h.groups[group] {
					r.hosts[i] = true
				}
			}
		}
		for _, n := range names {
			r.members = append(r.members, byName[n]...)
		}
		for _, vi := range r.members {
			m.vms[vi].rules = append(m.vms[vi].rules, len(m.rules))
		}
		m.rules = append(m.rules, r)
	}
	return m
}

// unusable says why h cannot run VMs ("is in maintenance mode"), or ""
// when it is connected, powered on and not in maintenance mode.
func unusable(h vsphere.Host) string {
	switch {
	case h.ConnectionState != "connected":
		return "is " + h.ConnectionState
	case h.PowerState != "poweredOn":
		return "is " + h.PowerState
	case h.MaintenanceMode:
		return "is in maintenance mode"
	}
	return ""
}

func set(refs []vsphere.Ref) map[vsphere.Ref]bool {
	s := make(map[vsphere.Ref]bool, len(refs))
	for _, r := range refs {
		s[r] = true
	}
	return s
}

// scenario places the restarts of the VMs of the failed hosts.
func (m *model) scenario(failedIdx []int) Scenario {
	s := Scenario{Failed: make([]string, len(failedIdx)), Restarts: []Restart{}, Stranded: []Stranded{}}
	for i, h := range failedIdx {
		s.Failed[i] = m.hosts[h].name
	}
	m.restart(failedIdx, &s)
	return s
}

// restartsAll reports whether every protected VM of the failed hosts
// restarts: the verdict of scenario(failedIdx), Lost == 0, found by the
// same placement, but stopping at the first protected VM left down and
// naming nothing.
func (m *model) restartsAll(failedIdx []int) bool {
	return m.restart(failedIdx, nil)
}

// restart places the restarts of the VMs of the failed hosts, in restart
// order, and reports whether every protected VM restarts. With s it
// records each restart and stranded VM in s, with its Lost and
// FreeMemoryMB; without, it returns at the first protected VM left down.
func (m *model) restart(failedIdx []int, s *Scenario) bool {
	sc := &m.scratch
	sc.failed = reuse(sc.failed, len(m.hosts))
	failed := sc.failed
	clear(failed)
	for _, h := range failedIdx {
		failed[h] = true
	}
	sc.freeMem, sc.freeCPU = reuse(sc.freeMem, len(m.hosts)), reuse(sc.freeCPU, len(m.hosts))
	freeMem, freeCPU := sc.freeMem, sc.freeCPU
	for i, h := range m.hosts {
		freeMem[i], freeCPU[i] = h.memMB-m.baseMem[i], h.cpuMHz-m.baseCPU[i]
	}
	// where is each VM's host as the restarts go; only rules read it.
	sc.where = reuse(sc.where, len(m.at))
	where := sc.where
	copy(where, m.at)
	down := sc.down[:0]
	for _, h := range failedIdx {
		down = append(down, m.on[h]...)
	}
	sc.down = down
	for _, vi := range down {
		where[vi] = -1
	}
	slices.SortFunc(down, func(a, b int) int {
		va, vb := m.vms[a], m.vms[b]
		return admission.RestartOrder(admission.Queued{Name: va.name, Rank: va.priority.Rank(), ConfiguredMB: va.configuredMB},
			admission.Queued{Name: vb.name, Rank: vb.priority.Rank(), ConfiguredMB: vb.configuredMB})
	})
	p := placer{m: m, failed: failed, freeMem: freeMem, freeCPU: freeCPU, where: where, named: s != nil}
	all, ranks := true, len(clusterspec.RestartOrder())
	for _, vi := range down {
		v := &m.vms[vi]
		from := m.hosts[v.host].name
		if v.priority.Rank() >= ranks {
			if s != nil {
				s.Stranded = append(s.Stranded, Stranded{VM: v.name, From: from, Priority: v.priority, Reason: "restart priority is disabled"})
			}
			continue
		}
		to, warnings, reason := -1, []string(nil), m.noRestarts
		if reason == "" {
			to, warnings, reason = p.place(vi)
		}
		switch {
		case to < 0 && s == nil:
			return false
		case to < 0:
			s.Stranded = append(s.Stranded, Stranded{VM: v.name, From: from, Priority: v.priority, Protected: true, Reason: reason})
			s.Lost++
			all = false
		case s != nil:
			s.Restarts = append(s.Restarts, Restart{VM: v.name, From: from, To: m.hosts[to].name, Priority: v.priority, Warnings: warnings})
		}
	}
	if s != nil {
		for i, h := range m.hosts {
			if h.usable && !failed[i] {
				s.FreeMemoryMB += max(freeMem[i], 0)
			}
		}
	}
	return all
}

// placer holds one scenario's state while its restarts are placed.
type placer struct {
	m                *model
	failed           []bool
	freeMem, freeCPU []int64
	where            []int
	// named says whether place names the rules a restart breaks and why
	// a VM cannot restart; without, it only counts and picks.
	named bool
}

// place picks the host for the VM vi, as HA does (admission.Place), and
// books its capacity there. It returns the host's index with the rules it
// breaks, or -1 and why no host can take the VM.
func (p *placer) place(vi int) (int, []string, string) {
	v := &p.m.vms[vi]
	sc := &p.m.scratch
	idx, warns, targets := sc.idx[:0], sc.warns[:0], sc.targets[:0]
	defer func() { sc.idx, sc.warns, sc.targets = idx, warns, targets }()
	for hi := range p.m.hosts {
		if p.failed[hi] || p.refuse(vi, hi, false).kind != "" {
			continue
		}
		h := &p.m.hosts[hi]
		breaks, warn := p.shouldBreaks(vi, hi)
		idx, warns = append(idx, hi), append(warns, warn)
		targets = append(targets, admission.Target{
			Host:     admission.Host{Name: h.name, CPUMHz: h.cpuMHz, MemoryMB: h.memMB, Usable: true},
			Failover: h.failover, Breaks: breaks,
			ReservedCPUMHz: h.cpuMHz - p.freeCPU[hi], ReservedMemoryMB: h.memMB - p.freeMem[hi],
		})
	}
	best, bestWarn := -1, []string(nil)
	if i := admission.Place(admission.VM{Name: v.name, CPUMHz: v.cpuMHz, MemoryMB: v.memMB}, targets); i >= 0 {
		best, bestWarn = idx[i], warns[i]
	}
	if best < 0 && !p.named {
		return -1, nil, ""
	}
	if best < 0 {
		// Only now say why, host by host: the words cost.
		var refusals []refusal
		for hi := range p.m.hosts {
			if !p.failed[hi] {
				refusals = append(refusals, p.refuse(vi, hi, true))
			}
		}
		return -1, nil, nowhere(refusals)
	}
	p.freeMem[best] -= v.memMB
	p.freeCPU[best] -= v.cpuMHz
	p.where[vi] = best
	return best, bestWarn, ""
}

// refusal is why one host cannot take a VM: a kind, for grouping, and the
// reason for people.
type refusal struct {
	kind, host, reason string
	freeMem            int64
}

// refuse returns why host hi cannot take the VM vi, or a zero refusal.
// Without explain only the refusal's kind is set.
func (p *placer) refuse(vi, hi int, explain bool) refusal {
	v, h := &p.m.vms[vi], &p.m.hosts[hi]
	no := func(kind, format string, args ...any) refusal {
		r := refusal{kind: kind, host: h.name, freeMem: p.freeMem[hi]}
		if explain {
			r.reason = fmt.Sprintf(format, args...)
		}
		return r
	}
	if !v.compatible[hi] {
		if !explain {
			return refusal{kind: "incompatible"}
		}
		r := p.m.compatibility(*v, hi)
		r.freeMem = p.freeMem[hi]
		return r
	}
	for _, ri := range v.rules {
		r := p.m.rules[ri]
		if !r.Mandatory {
			continue
		}
		switch {
		case r.Kind == clusterspec.RuleVMHost && r.AffineHostGroup != "" && !r.hosts[hi]:
			return no("rule "+r.Name, "is not in host group %s, where rule %s keeps the VM", r.AffineHostGroup, r.Name)
		case r.Kind == clusterspec.RuleVMHost && r.AntiAffineHostGroup != "" && r.hosts[hi]:
			return no("rule "+r.Name, "is in host group %s, which rule %s keeps the VM off", r.AntiAffineHostGroup, r.Name)
		}
	}
	if p.freeMem[hi] < v.memMB {
		return no("memory", "has %s of memory unreserved and the VM reserves %s", format.MB(max(p.freeMem[hi], 0)), format.MB(v.memMB))
	}
	if p.freeCPU[hi] < v.cpuMHz {
		return no("cpu", "has %s of CPU unreserved and the VM reserves %s", format.MHz(max(p.freeCPU[hi], 0)), format.MHz(v.cpuMHz))
	}
	return refusal{}
}

// compatibility returns why host hi can never run v, or a zero refusal:
// it is not usable, or lacks a datastore or network of v.
func (m *model) compatibility(v vm, hi int) refusal {
	h := m.hosts[hi]
	no := func(kind, format string, args ...any) refusal {
		return refusal{kind: kind, host: h.name, reason: fmt.Sprintf(format, args...)}
	}
	if !h.usable {
		return no("host", "%s", h.unusableBecause)
	}
	for _, ds := range v.datastores {
		if !h.datastores[ds] {
			return no("datastores", "does not see the VM's datastore %s", ds.Value)
		}
	}
	for _, n := range v.networks {
		if !h.networks[n] {
			return no("networks", "lacks the VM's network %s", n.Value)
		}
	}
	return refusal{}
}

// shouldBreaks counts the rules placing vi on hi would break: "should"
// rules, and VM-VM rules, which HA keeps where it can; when the placer
// is named, it names them too. A member of an affinity rule pins it only
// once running (restarted or never down).
func (p *placer) shouldBreaks(vi, hi int) (int, []string) {
	n := 0
	var out []string
	for _, ri := range p.m.vms[vi].rules {
		r := p.m.rules[ri]
		var broken bool
		switch {
		case r.Kind == clusterspec.RuleAffinity:
			for _, o := range r.members {
				if o != vi && p.m.vms[o].on && p.where[o] >= 0 && p.where[o] != hi && p.m.hosts[p.where[o]].usable {
					broken = true
				}
			}
		case r.Kind == clusterspec.RuleAntiAffinity:
			broken = p.memberOn(r, vi, hi) != ""
		case r.Mandatory:
			continue // kept by refuse
		case r.AffineHostGroup != "":
			broken = !r.hosts[hi]
		case r.AntiAffineHostGroup != "":
			broken = r.hosts[hi]
		}
		if !broken {
			continue
		}
		n++
		switch {
		case !p.named:
		case r.Mandatory:
			out = append(out, "breaks rule "+r.Name)
		default:
			out = append(out, "breaks should rule "+r.Name)
		}
	}
	return n, out
}

// memberOn names another member of r that runs on host hi, or "".
func (p *placer) memberOn(r rule, vi, hi int) string {
	for _, o := range r.members {
		if o != vi && p.where[o] == hi && p.m.vms[o].on {
			return p.m.vms[o].name
		}
	}
	return ""
}

// nowhere says why no host can take v, grouping the hosts by reason:
// "no surviving host can take it: memory: esx-a-02, esx-a-03 (has 1024 MB
// of memory free and the VM needs 4096 MB); ...".
func nowhere(refusals []refusal) string {
	if len(refusals) == 0 {
		return "no host survives to restart it on"
	}
	var order []string
	groups := map[string][]refusal{}
	for _, r := range refusals {
		if _, ok := groups[r.kind]; !ok {
			order = append(order, r.kind)
		}
		groups[r.kind] = append(groups[r.kind], r)
	}
	const most = 3
	parts := make([]string, 0, len(order))
	for _, kind := range order {
		g := groups[kind]
		// The host closest to taking it explains best.
		slices.SortStableFunc(g, func(a, b refusal) int { return cmp.Compare(b.freeMem, a.freeMem) })
		names := make([]string, 0, most+1)
		for i, r := range g {
			if i == most {
				names = append(names, fmt.Sprintf("and %d more", len(g)-most))
				break
			}
			names = append(names, r.host)
		}
		parts = append(parts, fmt.Sprintf("%s: %s (%s %s)", kind, strings.Join(names, ", "), g[0].host, g[0].reason))
	}
	return "no surviving host can take it: " + strings.Join(parts, "; ")
}
