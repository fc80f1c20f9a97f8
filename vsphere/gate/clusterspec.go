package gate

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// specFor returns the smallest ClusterConfigSpecEx (to be sent with
// modify=true) that turns the configuration cc was read as into desired:
// only the HA and DRS fields that differ, and an add, edit or remove for
// each rule, group and override that differs. What vtui does not model is
// never part of it. Names are resolved among the cluster's own VMs and
// hosts; one that is unknown or ambiguous is an error and nothing is sent.
func specFor(cc *vsphere.ClusterConfig, desired clusterspec.Config) (types.ClusterConfigSpecEx, error) {
	cur := cc.Spec
	b := &specBuilder{cc: cc}
	var spec types.ClusterConfigSpecEx
	spec.DasConfig = b.das(cur.HA, desired.HA)
	spec.DrsConfig = drsSpec(cur.DRS, desired.DRS)
	spec.GroupSpec = b.groups(cur, desired)
	spec.RulesSpec = b.rules(cur, desired)
	spec.DasVmConfigSpec, spec.DrsVmConfigSpec = b.overrides(cur, desired)
	return spec, errors.Join(b.errs...)
}

// specBuilder resolves names while a spec is built and collects what
// does not resolve.
type specBuilder struct {
	cc   *vsphere.ClusterConfig
	errs []error
}

func (b *specBuilder) vm(name string) types.ManagedObjectReference {
	refs := b.cc.VMRefs[name]
	switch len(refs) {
	case 1:
		return mo.ToMoRef(refs[0])
	case 0:
		b.errs = append(b.errs, fmt.Errorf("no VM named %q in cluster %s: %w", name, b.cc.Spec.Cluster, vsphere.ErrNotFound))
	default:
		ids := make([]string, len(refs))
		for i, r := range refs {
			ids[i] = r.Value
		}
		b.errs = append(b.errs, fmt.Errorf("VM name %q is shared by %s in cluster %s: %w; rename one", name, strings.Join(ids, ", "), b.cc.Spec.Cluster, vsphere.ErrAmbiguous))
	}
	return types.ManagedObjectReference{}
}

func (b *specBuilder) vmRefs(names []string) []types.ManagedObjectReference {
	out := make([]types.ManagedObjectReference, 0, len(names))
	for _, n := range names {
		out = append(out, b.vm(n))
	}
	return out
}

func (b *specBuilder) hostRefs(names []string) []types.ManagedObjectReference {
	out := make([]types.ManagedObjectReference, 0, len(names))
	for _, n := range names {
		r, ok := b.cc.HostRefs[n]
		if !ok {
			b.errs = append(b.errs, fmt.Errorf("no host named %q in cluster %s: %w", n, b.cc.Spec.Cluster, vsphere.ErrNotFound))
		}
		out = append(out, mo.ToMoRef(r))
	}
	return out
}

// das returns a dasConfig holding only the fields that change, or nil.
func (b *specBuilder) das(cur, want clusterspec.HA) *types.ClusterDasConfigInfo {
	d := &types.ClusterDasConfigInfo{}
	changed := false
	if cur.Enabled != want.Enabled {
		d.Enabled, changed = types.NewBool(want.Enabled), true
	}
	if cur.HostMonitoring != want.HostMonitoring {
		d.HostMonitoring, changed = string(types.ClusterDasConfigInfoServiceStateDisabled), true
		if want.HostMonitoring {
			d.HostMonitoring = string(types.ClusterDasConfigInfoServiceStateEnabled)
		}
	}
	if cur.VMMonitoring != want.VMMonitoring {
		d.VmMonitoring, changed = mo.VMMonitoringAPI[want.VMMonitoring], true
	}
	if ac := want.AdmissionControl; cur.AdmissionControl.String() != ac.String() {
		changed = true
		d.AdmissionControlEnabled = types.NewBool(ac.Enabled())
		if ac.Enabled() {
			d.AdmissionControlPolicy = b.admissionPolicy(ac)
		}
	}
	if cur.RestartPriority != want.RestartPriority || cur.IsolationResponse != want.IsolationResponse {
		changed = true
		d.DefaultVmSettings = &types.ClusterDasVmSettings{}
		if cur.RestartPriority != want.RestartPriority {
			d.DefaultVmSettings.RestartPriority = string(want.RestartPriority)
		}
		if cur.IsolationResponse != want.IsolationResponse {
			d.DefaultVmSettings.IsolationResponse = string(want.IsolationResponse)
		}
	}
	if !changed {
		return nil
	}
	return d
}

// admissionPolicy is the API's policy for an enabled admission control.
func (b *specBuilder) admissionPolicy(ac clusterspec.AdmissionControl) types.BaseClusterDasAdmissionControlPolicy {
	switch ac.Mode {
	case clusterspec.AdmissionSlots:
		return &types.ClusterFailoverLevelAdmissionControlPolicy{FailoverLevel: int32(ac.Failures)}
	case clusterspec.AdmissionPercent:
		return &types.ClusterFailoverResourcesAdmissionControlPolicy{
			CpuFailoverResourcesPercent: int32(ac.CPUPercent), MemoryFailoverResourcesPercent: int32(ac.MemoryPercent),
			AutoComputePercentages: types.NewBool(false)}
	case clusterspec.AdmissionHosts:
		return &types.ClusterFailoverHostAdmissionControlPolicy{FailoverHosts: b.hostRefs(ac.Hosts), FailoverLevel: int32(len(ac.Hosts))}
	}
	return &types.ClusterFailoverResourcesAdmissionControlPolicy{FailoverLevel: int32(ac.Failures), AutoComputePercentages: types.NewBool(true)}
}

// drsSpec returns a drsConfig holding only the fields that change, or nil.
func drsSpec(cur, want clusterspec.DRS) *types.ClusterDrsConfigInfo {
	if cur == want {
		return nil
	}
	d := &types.ClusterDrsConfigInfo{}
	if cur.Enabled != want.Enabled {
		d.Enabled = types.NewBool(want.Enabled)
	}
	if cur.Automation != want.Automation {
		d.DefaultVmBehavior = mo.AutomationAPI[string(want.Automation)]
	}
	if cur.Threshold != want.Threshold {
		d.VmotionRate = clusterspec.VMotionRate(want.Threshold)
	}
	return d
}

// change is what happens to one named object: added, edited or removed.
type change int

const (
	unchanged change = iota
	added
	edited
	removed
)

// compareNamed pairs the objects of two lists by name and calls fn with
// what happens to each, in name order; a or b is the zero T when absent.
func compareNamed[T any](cur, want []T, name func(T) string, equal func(a, b T) bool, fn func(c change, a, b T)) {
	byName := map[string]T{}
	for _, w := range want {
		byName[name(w)] = w
	}
	seen := map[string]bool{}
	for _, c := range cur {
		seen[name(c)] = true
		w, ok := byName[name(c)]
		switch {
		case !ok:
			var zero T
			fn(removed, c, zero)
		case !equal(c, w):
			fn(edited, c, w)
		}
	}
	for _, w := range want {
		if !seen[name(w)] {
			var zero T
			fn(added, zero, w)
		}
	}
}

func operation(c change) types.ArrayUpdateOperation {
	switch c {
	case added:
		return types.ArrayUpdateOperationAdd
	case removed:
		return types.ArrayUpdateOperationRemove
	}
	return types.ArrayUpdateOperationEdit
}

func (b *specBuilder) groups(cur, want clusterspec.Config) []types.ClusterGroupSpec {
	var out []types.ClusterGroupSpec
	compareNamed(cur.VMGroups, want.VMGroups, func(g clusterspec.VMGroup) string { return g.Name },
		func(a, c clusterspec.VMGroup) bool { return sameSet(a.VMs, c.VMs) },
		func(ch change, a, w clusterspec.VMGroup) {
			if ch == removed {
				out = append(out, types.ClusterGroupSpec{ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: operation(ch), RemoveKey: a.Name}})
				return
			}
			out = append(out, types.ClusterGroupSpec{ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: operation(ch)},
				Info: &types.ClusterVmGroup{ClusterGroupInfo: types.ClusterGroupInfo{Name: w.Name}, Vm: b.vmRefs(w.VMs)}})
		})
	compareNamed(cur.HostGroups, want.HostGroups, func(g clusterspec.HostGroup) string { return g.Name },
		func(a, c clusterspec.HostGroup) bool { return sameSet(a.Hosts, c.Hosts) },
		func(ch change, a, w clusterspec.HostGroup) {
			if ch == removed {
				out = append(out, types.ClusterGroupSpec{ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: operation(ch), RemoveKey: a.Name}})
				return
			}
			out = append(out, types.ClusterGroupSpec{ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: operation(ch)},
				Info: &types.ClusterHostGroup{ClusterGroupInfo: types.ClusterGroupInfo{Name: w.Name}, Host: b.hostRefs(w.Hosts)}})
		})
	return out
}

func (b *specBuilder) rules(cur, want clusterspec.Config) []types.ClusterRuleSpec {
	var out []types.ClusterRuleSpec
	compareNamed(cur.Rules, want.Rules, func(r clusterspec.Rule) string { return r.Name }, sameRule,
		func(ch change, a, w clusterspec.Rule) {
			if ch == removed {
				out = append(out, types.ClusterRuleSpec{ArrayUpdateSpec: types.ArrayUpdateSpec{
					Operation: operation(ch), RemoveKey: b.cc.RuleKeys[a.Name]}})
				return
			}
			info := types.ClusterRuleInfo{Name: w.Name, Enabled: types.NewBool(w.Enabled), Mandatory: types.NewBool(w.Mandatory)}
			if ch == edited {
				info.Key = b.cc.RuleKeys[w.Name]
			}
			var r types.BaseClusterRuleInfo
			switch w.Kind {
			case clusterspec.RuleAffinity:
				r = &types.ClusterAffinityRuleSpec{ClusterRuleInfo: info, Vm: b.vmRefs(w.VMs)}
			case clusterspec.RuleAntiAffinity:
				r = &types.ClusterAntiAffinityRuleSpec{ClusterRuleInfo: info, Vm: b.vmRefs(w.VMs)}
			default:
				r = &types.ClusterVmHostRuleInfo{ClusterRuleInfo: info, VmGroupName: w.VMGroup,
					AffineHostGroupName: w.AffineHostGroup, AntiAffineHostGroupName: w.AntiAffineHostGroup}
			}
			out = append(out, types.ClusterRuleSpec{ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: operation(ch)}, Info: r})
		})
	return out
}

func sameRule(a, b clusterspec.Rule) bool {
	return a.Kind == b.Kind && a.Enabled == b.Enabled && a.Mandatory == b.Mandatory && sameSet(a.VMs, b.VMs) &&
		a.VMGroup == b.VMGroup && a.AffineHostGroup == b.AffineHostGroup && a.AntiAffineHostGroup == b.AntiAffineHostGroup
}

// overrides returns the HA and the DRS per-VM changes. An override's HA
// part and DRS part live apart in vSphere, so each is added, edited or
// removed on its own.
func (b *specBuilder) overrides(cur, want clusterspec.Config) ([]types.ClusterDasVmConfigSpec, []types.ClusterDrsVmConfigSpec) {
	var das []types.ClusterDasVmConfigSpec
	var drs []types.ClusterDrsVmConfigSpec
	vmName := func(o clusterspec.Override) string { return o.VM }
	haPart := func(o clusterspec.Override) clusterspec.Override {
		return clusterspec.Override{VM: o.VM, RestartPriority: o.RestartPriority, IsolationResponse: o.IsolationResponse, VMMonitoring: o.VMMonitoring}
	}
	withHA := func(os []clusterspec.Override) []clusterspec.Override {
		var out []clusterspec.Override
		for _, o := range os {
			if o.HasHA() {
				out = append(out, haPart(o))
			}
		}
		return out
	}
	withDRS := func(os []clusterspec.Override) []clusterspec.Override {
		var out []clusterspec.Override
		for _, o := range os {
			if o.DRSAutomation != "" {
				out = append(out, clusterspec.Override{VM: o.VM, DRSAutomation: o.DRSAutomation})
			}
		}
		return out
	}
	eq := func(a, c clusterspec.Override) bool { return a == c }
	compareNamed(withHA(cur.Overrides), withHA(want.Overrides), vmName, eq, func(ch change, a, w clusterspec.Override) {
		if ch == removed {
			das = append(das, types.ClusterDasVmConfigSpec{ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: operation(ch), RemoveKey: b.vm(a.VM)}})
			return
		}
		das = append(das, types.ClusterDasVmConfigSpec{ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: operation(ch)},
			Info: &types.ClusterDasVmConfigInfo{Key: b.vm(w.VM), DasSettings: dasSettings(w)}})
	})
	compareNamed(withDRS(cur.Overrides), withDRS(want.Overrides), vmName, eq, func(ch change, a, w clusterspec.Override) {
		if ch == removed {
			drs = append(drs, types.ClusterDrsVmConfigSpec{ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: operation(ch), RemoveKey: b.vm(a.VM)}})
			return
		}
		info := &types.ClusterDrsVmConfigInfo{Key: b.vm(w.VM), Enabled: types.NewBool(w.DRSAutomation != clusterspec.DRSDisabled)}
		if w.DRSAutomation != clusterspec.DRSDisabled {
			info.Behavior = mo.AutomationAPI[string(w.DRSAutomation)]
		}
		drs = append(drs, types.ClusterDrsVmConfigSpec{ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: operation(ch)}, Info: info})
	})
	return das, drs
}

// dasSettings is an override's HA part; what it leaves empty defers to
// the cluster.
func dasSettings(o clusterspec.Override) *types.ClusterDasVmSettings {
	s := &types.ClusterDasVmSettings{
		RestartPriority:           string(types.ClusterDasVmSettingsRestartPriorityClusterRestartPriority),
		IsolationResponse:         string(types.ClusterDasVmSettingsIsolationResponseClusterIsolationResponse),
		VmToolsMonitoringSettings: &types.ClusterVmToolsMonitoringSettings{ClusterSettings: types.NewBool(true)},
	}
	if o.RestartPriority != "" {
		s.RestartPriority = string(o.RestartPriority)
	}
	if o.IsolationResponse != "" {
		s.IsolationResponse = string(o.IsolationResponse)
	}
	if o.VMMonitoring != "" {
		s.VmToolsMonitoringSettings = &types.ClusterVmToolsMonitoringSettings{
			ClusterSettings: types.NewBool(false), VmMonitoring: mo.VMMonitoringAPI[o.VMMonitoring]}
	}
	return s
}

// sameSet reports whether a and b hold the same names, in any order.
func sameSet(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}
