package sim

import (
	"fmt"
	"maps"
	"slices"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// The cluster configuration as vCenter keeps it
//
// vcsim's ReconfigureComputeResource_Task keeps a few fields and silently
// drops the rest (hostMonitoring, vmMonitoring, admissionControlPolicy,
// defaultVmSettings, vmotionRate), edits only the restart priority of an
// override, accepts rules that name unknown VMs, and changes the
// configuration in place, behind its watchers' backs. vtui's simulator
// instead:
//
//   - merges the whole ClusterConfigSpecEx into a copy of the
//     configuration, field by field (modify=true; with modify=false the
//     dasConfig and drsConfig given replace the old ones whole), and
//     applies rulesSpec, groupSpec, dasVmConfigSpec, drsVmConfigSpec and
//     vmOrchestrationSpec adds, edits and removes by their keys, and
//     orchestration's defaultVmReadiness (which the HA emulation's
//     restart readiness reads, ha.go);
//   - checks every reference as vCenter does: a VM or host that does not
//     exist or is not in the cluster, a group a rule needs that is not
//     there, a duplicate rule or group name, a vmotionRate outside 1..5 or
//     a failover host outside the cluster fail the task (InvalidArgument,
//     naming the property) and change nothing;
//   - replaces configurationEx through a property update, so every
//     watcher and every client, govc included, sees the change; the
//     roll-up then brings the summary's admission control figures up to
//     date (rollup.go);
//   - posts ClusterReconfiguredEvent, carrying the user of the session
//     that asked, for every reconfiguration that succeeds, whatever it
//     changes (DRS or HA settings, rules, groups, overrides).

// reconfigureSpec is the parsed request of one reconfiguration.
type reconfigureSpec struct {
	cluster *simulator.ClusterComputeResource
	spec    *types.ClusterConfigSpecEx
	modify  bool
}

// ReconfigureComputeResourceTask keeps the whole configuration, checked,
// and tells watchers (see above). A compute resource that is not a
// cluster goes to vcsim.
func (vc *vcenter) ReconfigureComputeResourceTask(ctx *simulator.Context, req *types.ReconfigureComputeResource_Task) soap.HasFault {
	body := new(methods.ReconfigureComputeResource_TaskBody)
	cl, f := clusterOf(ctx, req.This)
	if f != nil {
		body.Fault_ = f
		return body
	}
	spec, ok := req.Spec.(*types.ClusterConfigSpecEx)
	if !ok {
		body.Fault_ = simulator.Fault("spec must be a ClusterConfigSpecEx", &types.InvalidArgument{InvalidProperty: "spec"})
		return body
	}
	r := reconfigureSpec{cluster: cl, spec: spec, modify: req.Modify}
	task := vc.runTask(ctx, cl, nameOf(ctx, cl.Self), "reconfigureCluster", func(tc *simulator.Context) (types.AnyType, *types.LocalizedMethodFault) {
		if f := r.apply(tc); f != nil {
			return nil, f
		}
		vc.assignRoles(tc, cl)
		vc.recommend(tc, cl)
		return nil, nil
	})
	body.Res = &types.ReconfigureComputeResource_TaskResponse{Returnval: task}
	return body
}

// apply merges the spec into a copy of the configuration, checks it, and
// publishes it.
func (r reconfigureSpec) apply(ctx *simulator.Context) *types.LocalizedMethodFault {
	members := clusterMembers(ctx, r.cluster)
	var f *types.LocalizedMethodFault
	ctx.WithLock(r.cluster, func() {
		cur := r.cluster.ConfigurationEx.(*types.ClusterConfigInfoEx)
		next := copyConfig(cur)
		if f = r.merge(next, nextRuleKey(cur)); f != nil {
			return
		}
		if f = checkConfig(ctx, next, members, nameOf(ctx, r.cluster.Self)); f != nil {
			return
		}
		ctx.Update(r.cluster, []types.PropertyChange{{Name: "configurationEx", Val: next}})
	})
	if f == nil {
		postEvent(ctx, &types.ClusterReconfiguredEvent{ClusterEvent: types.ClusterEvent{Event: clusterEvent(ctx, r.cluster.Self)}})
	}
	return f
}

// members is what belongs to a cluster: its hosts and the VMs on them.
type members struct {
	hosts, vms map[types.ManagedObjectReference]bool
}

// clusterMembers reads the cluster's hosts and their VMs, each under its
// own lock, before the cluster's is taken.
func clusterMembers(ctx *simulator.Context, cl *simulator.ClusterComputeResource) members {
	m := members{hosts: map[types.ManagedObjectReference]bool{}, vms: map[types.ManagedObjectReference]bool{}}
	var hosts []types.ManagedObjectReference
	ctx.WithLock(cl, func() { hosts = slices.Clone(cl.Host) })
	for _, h := range hosts {
		m.hosts[h] = true
		if hs, ok := ctx.Map.Get(h).(*simulator.HostSystem); ok {
			_, _, _, vms := readHost(ctx, hs)
			for _, v := range vms {
				m.vms[v] = true
			}
		}
	}
	return m
}

// copyConfig copies what a reconfiguration may change, so that readers of
// the old configuration never see a half-made one.
func copyConfig(c *types.ClusterConfigInfoEx) *types.ClusterConfigInfoEx {
	n := *c
	n.DasConfig.Option = slices.Clone(c.DasConfig.Option)
	if c.DasConfig.DefaultVmSettings != nil {
		s := *c.DasConfig.DefaultVmSettings
		n.DasConfig.DefaultVmSettings = &s
	}
	n.DrsConfig.Option = slices.Clone(c.DrsConfig.Option)
	n.Rule = slices.Clone(c.Rule)
	n.Group = slices.Clone(c.Group)
	n.DasVmConfig = slices.Clone(c.DasVmConfig)
	n.DrsVmConfig = slices.Clone(c.DrsVmConfig)
	n.VmOrchestration = slices.Clone(c.VmOrchestration)
	return &n
}

func nextRuleKey(c *types.ClusterConfigInfoEx) int32 {
	var k int32
	for _, r := range c.Rule {
		k = max(k, r.GetClusterRuleInfo().Key)
	}
	return k + 1
}

// invalid is the fault of a property the request got wrong.
func invalid(prop, format string, args ...any) *types.LocalizedMethodFault {
	return failure(&types.InvalidArgument{InvalidProperty: prop}, format, args...)
}

// merge applies the spec to c.
func (r reconfigureSpec) merge(c *types.ClusterConfigInfoEx, key int32) *types.LocalizedMethodFault {
	s := r.spec
	if d := s.DasConfig; d != nil {
		if !r.modify {
			c.DasConfig = types.ClusterDasConfigInfo{}
		}
		mergeDas(&c.DasConfig, d)
	}
	if d := s.DrsConfig; d != nil {
		if !r.modify {
			c.DrsConfig = types.ClusterDrsConfigInfo{}
		}
		if d.VmotionRate != 0 && (d.VmotionRate < 1 || d.VmotionRate > 5) {
			return invalid("drsConfig.vmotionRate", "vmotionRate %d is outside 1..5", d.VmotionRate)
		}
		mergeDrs(&c.DrsConfig, d)
	}
	for i, g := range s.GroupSpec {
		if f := mergeGroup(c, g, fmt.Sprintf("groupSpec[%d]", i)); f != nil {
			return f
		}
	}
	for i, rs := range s.RulesSpec {
		if f := mergeRule(c, rs, fmt.Sprintf("rulesSpec[%d]", i), &key); f != nil {
			return f
		}
	}
	for i, d := range s.DasVmConfigSpec {
		f := mergeOverride(&c.DasVmConfig, d.ArrayUpdateSpec, d.Info, func(x types.ClusterDasVmConfigInfo) types.ManagedObjectReference { return x.Key },
			func(cur *types.ClusterDasVmConfigInfo, with types.ClusterDasVmConfigInfo) {
				s := types.ClusterDasVmSettings{}
				if cur.DasSettings != nil {
					s = *cur.DasSettings
				}
				if with.DasSettings != nil {
					mergeDasSettings(&s, with.DasSettings)
				}
				cur.DasSettings = &s
			}, "HA", fmt.Sprintf("dasVmConfigSpec[%d]", i), "key")
		if f != nil {
			return f
		}
	}
	for i, d := range s.DrsVmConfigSpec {
		f := mergeOverride(&c.DrsVmConfig, d.ArrayUpdateSpec, d.Info, func(x types.ClusterDrsVmConfigInfo) types.ManagedObjectReference { return x.Key },
			func(cur *types.ClusterDrsVmConfigInfo, with types.ClusterDrsVmConfigInfo) {
				setIf(&cur.Enabled, with.Enabled)
				setIf(&cur.Behavior, with.Behavior)
			}, "DRS", fmt.Sprintf("drsVmConfigSpec[%d]", i), "key")
		if f != nil {
			return f
		}
	}
	if o := s.Orchestration; o != nil && o.DefaultVmReadiness != nil {
		r := types.ClusterVmReadiness{}
		if c.Orchestration != nil && c.Orchestration.DefaultVmReadiness != nil {
			r = *c.Orchestration.DefaultVmReadiness
		}
		mergeReadiness(&r, *o.DefaultVmReadiness)
		c.Orchestration = &types.ClusterOrchestrationInfo{DefaultVmReadiness: &r}
	}
	for i, d := range s.VmOrchestrationSpec {
		f := mergeOverride(&c.VmOrchestration, d.ArrayUpdateSpec, d.Info, func(x types.ClusterVmOrchestrationInfo) types.ManagedObjectReference { return x.Vm },
			func(cur *types.ClusterVmOrchestrationInfo, with types.ClusterVmOrchestrationInfo) {
				mergeReadiness(&cur.VmReadiness, with.VmReadiness)
			}, "readiness", fmt.Sprintf("vmOrchestrationSpec[%d]", i), "vm")
		if f != nil {
			return f
		}
	}
	return nil
}

// mergeOverride applies an add, edit (merging with edit) or remove of a
// per-VM override of list, whose VM vmOf gives: a dasVmConfigSpec,
// drsVmConfigSpec or vmOrchestrationSpec (govc's cluster.override.change
// sets all three). kind names the override in faults, prop the spec
// element and key its VM's property.
func mergeOverride[T any](list *[]T, op types.ArrayUpdateSpec, info *T, vmOf func(T) types.ManagedObjectReference,
	edit func(cur *T, with T), kind, prop, key string) *types.LocalizedMethodFault {
	var vm types.ManagedObjectReference
	if info != nil {
		vm = vmOf(*info)
	}
	if op.Operation == types.ArrayUpdateOperationRemove {
		vm, _ = op.RemoveKey.(types.ManagedObjectReference)
	}
	i := slices.IndexFunc(*list, func(x T) bool { return vmOf(x) == vm })
	article := "a"
	if kind == "HA" {
		article = "an"
	}
	switch op.Operation {
	case types.ArrayUpdateOperationAdd:
		if i >= 0 {
			return invalid(prop+".info."+key, "%s already has %s %s override", vm.Value, article, kind)
		}
		*list = append(*list, *info)
	case types.ArrayUpdateOperationEdit:
		if i < 0 {
			return invalid(prop+".info."+key, "%s has no %s override", vm.Value, kind)
		}
		edit(&(*list)[i], *info)
	case types.ArrayUpdateOperationRemove:
		if i < 0 {
			return invalid(prop+".removeKey", "%s has no %s override", vm.Value, kind)
		}
		*list = slices.Delete(*list, i, i+1)
	}
	return nil
}

// mergeReadiness sets the fields of v that are set into r.
func mergeReadiness(r *types.ClusterVmReadiness, v types.ClusterVmReadiness) {
	setIf(&r.ReadyCondition, v.ReadyCondition)
	setIf(&r.PostReadyDelay, v.PostReadyDelay)
}

// setIf sets *dst to v unless v is its type's zero value: what an unset
// property of a spec looks like.
func setIf[T comparable](dst *T, v T) {
	var zero T
	if v != zero {
		*dst = v
	}
}

func mergeDas(c *types.ClusterDasConfigInfo, d *types.ClusterDasConfigInfo) {
	setIf(&c.Enabled, d.Enabled)
	setIf(&c.VmMonitoring, d.VmMonitoring)
	setIf(&c.HostMonitoring, d.HostMonitoring)
	setIf(&c.VmComponentProtecting, d.VmComponentProtecting)
	setIf(&c.FailoverLevel, d.FailoverLevel)
	setIf(&c.AdmissionControlEnabled, d.AdmissionControlEnabled)
	setIf(&c.HBDatastoreCandidatePolicy, d.HBDatastoreCandidatePolicy)
	if d.AdmissionControlPolicy != nil {
		c.AdmissionControlPolicy = d.AdmissionControlPolicy
	}
	if d.HeartbeatDatastore != nil {
		c.HeartbeatDatastore = d.HeartbeatDatastore
	}
	if v := d.DefaultVmSettings; v != nil {
		s := types.ClusterDasVmSettings{}
		if c.DefaultVmSettings != nil {
			s = *c.DefaultVmSettings
		}
		mergeDasSettings(&s, v)
		c.DefaultVmSettings = &s
	}
	c.Option = mergeOptions(c.Option, d.Option)
}

func mergeDasSettings(s, v *types.ClusterDasVmSettings) {
	setIf(&s.RestartPriority, v.RestartPriority)
	setIf(&s.RestartPriorityTimeout, v.RestartPriorityTimeout)
	setIf(&s.IsolationResponse, v.IsolationResponse)
	if v.VmToolsMonitoringSettings != nil {
		s.VmToolsMonitoringSettings = v.VmToolsMonitoringSettings
	}
	if v.VmComponentProtectionSettings != nil {
		s.VmComponentProtectionSettings = v.VmComponentProtectionSettings
	}
}

func mergeDrs(c *types.ClusterDrsConfigInfo, d *types.ClusterDrsConfigInfo) {
	setIf(&c.Enabled, d.Enabled)
	setIf(&c.EnableVmBehaviorOverrides, d.EnableVmBehaviorOverrides)
	setIf(&c.DefaultVmBehavior, d.DefaultVmBehavior)
	setIf(&c.VmotionRate, d.VmotionRate)
	setIf(&c.ScaleDescendantsShares, d.ScaleDescendantsShares)
	c.Option = mergeOptions(c.Option, d.Option)
}

// mergeOptions sets the options of add by key; an empty value removes one.
func mergeOptions(cur, add []types.BaseOptionValue) []types.BaseOptionValue {
	if len(add) == 0 {
		return cur
	}
	byKey := map[string]types.BaseOptionValue{}
	for _, o := range cur {
		byKey[o.GetOptionValue().Key] = o
	}
	for _, o := range add {
		ov := o.GetOptionValue()
		if ov.Value == nil || ov.Value == "" {
			delete(byKey, ov.Key)
		} else {
			byKey[ov.Key] = o
		}
	}
	out := make([]types.BaseOptionValue, 0, len(byKey))
	for _, k := range slices.Sorted(maps.Keys(byKey)) {
		out = append(out, byKey[k])
	}
	return out
}

func mergeGroup(c *types.ClusterConfigInfoEx, g types.ClusterGroupSpec, prop string) *types.LocalizedMethodFault {
	name := ""
	if g.Info != nil {
		name = g.Info.GetClusterGroupInfo().Name
	}
	if g.Operation == types.ArrayUpdateOperationRemove {
		name, _ = g.RemoveKey.(string)
	}
	i := slices.IndexFunc(c.Group, func(x types.BaseClusterGroupInfo) bool { return x.GetClusterGroupInfo().Name == name })
	switch g.Operation {
	case types.ArrayUpdateOperationAdd:
		if i >= 0 {
			return invalid(prop+".info.name", "the cluster already has a group named %q", name)
		}
		c.Group = append(c.Group, g.Info)
	case types.ArrayUpdateOperationEdit:
		if i < 0 {
			return invalid(prop+".info.name", "the cluster has no group named %q", name)
		}
		c.Group[i] = g.Info
	case types.ArrayUpdateOperationRemove:
		if i < 0 {
			return invalid(prop+".removeKey", "the cluster has no group named %q", name)
		}
		c.Group = slices.Delete(c.Group, i, i+1)
	}
	return nil
}

func mergeRule(c *types.ClusterConfigInfoEx, rs types.ClusterRuleSpec, prop string, key *int32) *types.LocalizedMethodFault {
	switch rs.Operation {
	case types.ArrayUpdateOperationAdd:
		info := rs.Info.GetClusterRuleInfo()
		if slices.ContainsFunc(c.Rule, func(x types.BaseClusterRuleInfo) bool { return x.GetClusterRuleInfo().Name == info.Name }) {
			return invalid(prop+".info.name", "the cluster already has a rule named %q", info.Name)
		}
		info.Key, *key = *key, *key+1
		c.Rule = append(c.Rule, rs.Info)
	case types.ArrayUpdateOperationEdit:
		k := rs.Info.GetClusterRuleInfo().Key
		i := slices.IndexFunc(c.Rule, func(x types.BaseClusterRuleInfo) bool { return x.GetClusterRuleInfo().Key == k })
		if i < 0 {
			return invalid(prop+".info.key", "the cluster has no rule %d", k)
		}
		c.Rule[i] = rs.Info
	case types.ArrayUpdateOperationRemove:
		k, _ := rs.RemoveKey.(int32)
		i := slices.IndexFunc(c.Rule, func(x types.BaseClusterRuleInfo) bool { return x.GetClusterRuleInfo().Key == k })
		if i < 0 {
			return invalid(prop+".removeKey", "the cluster has no rule %d", k)
		}
		c.Rule = slices.Delete(c.Rule, i, i+1)
	}
	return nil
}

// checkConfig checks every reference of the merged configuration c, as
// vCenter does before it keeps one.
func checkConfig(ctx *simulator.Context, c *types.ClusterConfigInfoEx, m members, cluster string) *types.LocalizedMethodFault {
	vmIn := func(prop string, refs []types.ManagedObjectReference) *types.LocalizedMethodFault {
		for _, r := range refs {
			if _, ok := ctx.Map.Get(r).(*simulator.VirtualMachine); !ok || !m.vms[r] {
				return invalid(prop, "VM %s is not a VM of cluster %s", r.Value, cluster)
			}
		}
		return nil
	}
	hostIn := func(prop string, refs []types.ManagedObjectReference) *types.LocalizedMethodFault {
		for _, r := range refs {
			if !m.hosts[r] {
				return invalid(prop, "host %s is not a host of cluster %s", r.Value, cluster)
			}
		}
		return nil
	}
	groups := map[string]types.BaseClusterGroupInfo{}
	for _, g := range c.Group {
		switch g := g.(type) {
		case *types.ClusterVmGroup:
			if f := vmIn("group["+g.Name+"].vm", g.Vm); f != nil {
				return f
			}
		case *types.ClusterHostGroup:
			if f := hostIn("group["+g.Name+"].host", g.Host); f != nil {
				return f
			}
		}
		groups[g.GetClusterGroupInfo().Name] = g
	}
	for _, r := range c.Rule {
		name := r.GetClusterRuleInfo().Name
		switch r := r.(type) {
		case *types.ClusterAffinityRuleSpec:
			if f := vmIn("rule["+name+"].vm", r.Vm); f != nil {
				return f
			}
		case *types.ClusterAntiAffinityRuleSpec:
			if f := vmIn("rule["+name+"].vm", r.Vm); f != nil {
				return f
			}
		case *types.ClusterVmHostRuleInfo:
			if _, ok := groups[r.VmGroupName].(*types.ClusterVmGroup); !ok {
				return invalid("rule["+name+"].vmGroupName", "rule %s needs the VM group %q, which cluster %s does not have", name, r.VmGroupName, cluster)
			}
			for _, hg := range []string{r.AffineHostGroupName, r.AntiAffineHostGroupName} {
				if _, ok := groups[hg].(*types.ClusterHostGroup); hg != "" && !ok {
					return invalid("rule["+name+"].hostGroupName", "rule %s needs the host group %q, which cluster %s does not have", name, hg, cluster)
				}
			}
		}
	}
	for i, d := range c.DasVmConfig {
		if f := vmIn(fmt.Sprintf("dasVmConfig[%d].key", i), []types.ManagedObjectReference{d.Key}); f != nil {
			return f
		}
	}
	for i, d := range c.DrsVmConfig {
		if f := vmIn(fmt.Sprintf("drsVmConfig[%d].key", i), []types.ManagedObjectReference{d.Key}); f != nil {
			return f
		}
	}
	for i, d := range c.VmOrchestration {
		if f := vmIn(fmt.Sprintf("vmOrchestration[%d].vm", i), []types.ManagedObjectReference{d.Vm}); f != nil {
			return f
		}
	}
	if p, ok := c.DasConfig.AdmissionControlPolicy.(*types.ClusterFailoverHostAdmissionControlPolicy); ok {
		return hostIn("dasConfig.admissionControlPolicy.failoverHosts", p.FailoverHosts)
	}
	return nil
}
