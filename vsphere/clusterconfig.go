package vsphere

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// ClusterConfig is a cluster's HA and DRS configuration as read from
// vCenter: the model, a fingerprint of what was read, and the references
// a change needs. Read it with Client.ClusterConfig; change it with
// gate.ReconfigureCluster.
type ClusterConfig struct {
	Cluster Ref
	// Spec is the configuration, normalized.
	Spec clusterspec.Config
	// Fingerprint identifies what was read: it changes whenever anything
	// in the cluster's configurationEx changes, modelled or not.
	Fingerprint string
	// Compliance says, for each modelled rule, whether vCenter reports it
	// kept now; a rule it says nothing of is missing.
	Compliance map[string]bool
	// Scope is the cluster's hosts and VMs, for clusterspec.Validate.
	Scope clusterspec.Scope

	// RuleKeys, VMRefs and HostRefs are the references a change needs
	// (vsphere/gate maps a desired Spec through them): each rule's key by
	// name, the cluster's VMs by name (names need not be unique) and its
	// hosts by name.
	RuleKeys map[string]int32
	VMRefs   map[string][]Ref
	HostRefs map[string]Ref

	inv   *Inventory     // what names were read with
	names map[Ref]string // every VM and host of the inventory
}

// ReadAgain reads the configuration of cc's cluster again, with the
// names cc was read with: to see whether it changed, or what a change left.
func (cc *ClusterConfig) ReadAgain(ctx context.Context, c *Client) (*ClusterConfig, error) {
	return c.ClusterConfig(ctx, cc.inv, cc.Cluster)
}

// ClusterConfig reads the whole configurationEx of the cluster, in one
// request, and maps it with the names of inv (which it does not change).
// What vtui does not model, such as VM dependency rules and advanced
// options, is kept in Spec.Unmodeled.
func (c *Client) ClusterConfig(ctx context.Context, inv *Inventory, cluster Ref) (*ClusterConfig, error) {
	var info *types.ClusterConfigInfoEx
	var name string
	spec := types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: mo.ToMoRef(cluster)}},
		PropSet:   []types.PropertySpec{{Type: "ClusterComputeResource", PathSet: []string{"name", "configurationEx"}}},
	}
	err := conn.Retrieve(ctx, c.conn, spec, func(oc types.ObjectContent) {
		for _, p := range oc.PropSet {
			switch v := p.Val.(type) {
			case types.ClusterConfigInfoEx:
				info = &v
			case string:
				name = v
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("read the HA/DRS configuration of %s from %s: %w", cluster.Value, c.Host(), err)
	}
	if info == nil {
		return nil, fmt.Errorf("read the HA/DRS configuration of %s from %s: the server returned none (is it a cluster?)", cluster.Value, c.Host())
	}
	return clusterConfigOf(cluster, name, *info, inv)
}

// withoutStatus is info without what vCenter reports rather than keeps:
// whether each rule is kept now changes as VMs move, and a fingerprint
// that followed it would call every read stale.
func withoutStatus(info types.ClusterConfigInfoEx) types.ClusterConfigInfoEx {
	info.Rule = slices.Clone(info.Rule)
	for i, r := range info.Rule {
		c := reflect.New(reflect.TypeOf(r).Elem())
		c.Elem().Set(reflect.ValueOf(r).Elem())
		rule := c.Interface().(types.BaseClusterRuleInfo)
		rule.GetClusterRuleInfo().InCompliance = nil
		info.Rule[i] = rule
	}
	return info
}

// clusterConfigOf maps what vCenter returned for the cluster into the model.
func clusterConfigOf(cluster Ref, name string, info types.ClusterConfigInfoEx, inv *Inventory) (*ClusterConfig, error) {
	raw, err := json.Marshal(withoutStatus(info))
	if err != nil {
		return nil, fmt.Errorf("fingerprint the configuration of %s: %w", name, err)
	}
	sum := sha256.Sum256(raw)
	cc := &ClusterConfig{
		Cluster:     cluster,
		Fingerprint: hex.EncodeToString(sum[:8]),
		Compliance:  map[string]bool{},
		inv:         inv,
		RuleKeys:    map[string]int32{},
		VMRefs:      map[string][]Ref{},
		HostRefs:    map[string]Ref{},
		names:       map[Ref]string{},
	}
	for _, v := range inv.VMs {
		cc.names[v.Ref] = v.Name
		if v.ClusterRef == cluster {
			cc.VMRefs[v.Name] = append(cc.VMRefs[v.Name], v.Ref)
			cc.Scope.VMs = append(cc.Scope.VMs, v.Name)
		}
	}
	for _, h := range inv.Hosts {
		cc.names[h.Ref] = h.Name
		if h.ClusterRef == cluster {
			cc.HostRefs[h.Name] = h.Ref
			cc.Scope.Hosts = append(cc.Scope.Hosts, clusterspec.ScopeHost{
				Name: h.Name, Connected: h.ConnectionState == "connected", Maintenance: h.MaintenanceMode})
		}
	}
	s := clusterspec.Config{Cluster: name}
	s.HA = cc.haOf(info.DasConfig)
	s.DRS = drsOf(info.DrsConfig)
	s.Unmodeled.HAOptions = optionsOf(info.DasConfig.Option)
	s.Unmodeled.DRSOptions = optionsOf(info.DrsConfig.Option)
	for _, g := range info.Group {
		switch g := g.(type) {
		case *types.ClusterVmGroup:
			s.VMGroups = append(s.VMGroups, clusterspec.VMGroup{Name: g.Name, VMs: cc.namesOf(mo.ToRefs(g.Vm))})
		case *types.ClusterHostGroup:
			s.HostGroups = append(s.HostGroups, clusterspec.HostGroup{Name: g.Name, Hosts: cc.namesOf(mo.ToRefs(g.Host))})
		}
	}
	for _, r := range info.Rule {
		ri := r.GetClusterRuleInfo()
		cc.RuleKeys[ri.Name] = ri.Key
		rule, vms, ok := ruleOf(r)
		if !ok {
			s.Unmodeled.Rules = append(s.Unmodeled.Rules, otherRuleOf(r))
			continue
		}
		if rule.Kind != clusterspec.RuleVMHost {
			rule.VMs = cc.namesOf(vms)
		}
		s.Rules = append(s.Rules, rule)
		if ri.InCompliance != nil {
			cc.Compliance[ri.Name] = *ri.InCompliance
		}
	}
	s.Overrides = cc.overridesOf(info.DasVmConfig, info.DrsVmConfig)
	s.Normalize()
	cc.Spec = s
	return cc, nil
}

// namesOf names refs; an object missing from the inventory keeps its ID.
func (cc *ClusterConfig) namesOf(refs []Ref) []string {
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		if n, ok := cc.names[r]; ok {
			out = append(out, n)
		} else {
			out = append(out, r.Value)
		}
	}
	return out
}

// haOf maps dasConfig; an unset value reads as vSphere's default.
func (cc *ClusterConfig) haOf(d types.ClusterDasConfigInfo) clusterspec.HA {
	ha := clusterspec.HA{
		Enabled:           mo.IsTrue(d.Enabled),
		HostMonitoring:    d.HostMonitoring != string(types.ClusterDasConfigInfoServiceStateDisabled),
		VMMonitoring:      vmMonitoringOf(d.VmMonitoring),
		AdmissionControl:  mo.AdmissionControl(d, func(hosts []types.ManagedObjectReference) []string { return cc.namesOf(mo.ToRefs(hosts)) }),
		RestartPriority:   clusterspec.RestartMedium,
		IsolationResponse: clusterspec.IsolationNone,
	}
	if s := d.DefaultVmSettings; s != nil {
		if s.RestartPriority != "" {
			ha.RestartPriority = clusterspec.RestartPriority(s.RestartPriority)
		}
		if s.IsolationResponse != "" {
			ha.IsolationResponse = clusterspec.IsolationResponse(s.IsolationResponse)
		}
	}
	return ha
}

func vmMonitoringOf(s string) clusterspec.VMMonitoring {
	for m, api := range mo.VMMonitoringAPI {
		if api == s {
			return m
		}
	}
	return clusterspec.VMMonitoringOff
}

func automationOf(b types.DrsBehavior) string {
	for m, api := range mo.AutomationAPI {
		if api == b {
			return m
		}
	}
	return "full" // vSphere's default
}

func drsOf(d types.ClusterDrsConfigInfo) clusterspec.DRS {
	drs := clusterspec.DRS{
		Enabled:    mo.IsTrue(d.Enabled),
		Automation: clusterspec.Automation(automationOf(d.DefaultVmBehavior)),
		Threshold:  3,
	}
	if d.VmotionRate >= 1 && d.VmotionRate <= 5 {
		drs.Threshold = clusterspec.ThresholdOf(d.VmotionRate)
	}
	return drs
}

func optionsOf(opts []types.BaseOptionValue) map[string]string {
	if len(opts) == 0 {
		return nil
	}
	out := make(map[string]string, len(opts))
	for _, o := range opts {
		ov := o.GetOptionValue()
		out[ov.Key] = fmt.Sprint(ov.Value)
	}
	return out
}

// ruleOf maps a rule of a kind vtui models; ok is false for the others. The
// rule's VMs are left to the caller, which gets them as refs: ClusterConfig
// names them, ClusterRules keeps the refs, as VM names are not unique.
func ruleOf(r types.BaseClusterRuleInfo) (rule clusterspec.Rule, vms []Ref, ok bool) {
	info := r.GetClusterRuleInfo()
	rule = clusterspec.Rule{Name: info.Name, Enabled: mo.IsTrue(info.Enabled), Mandatory: mo.IsTrue(info.Mandatory)}
	switch r := r.(type) {
	case *types.ClusterAffinityRuleSpec:
		rule.Kind, vms = clusterspec.RuleAffinity, mo.ToRefs(r.Vm)
	case *types.ClusterAntiAffinityRuleSpec:
		rule.Kind, vms = clusterspec.RuleAntiAffinity, mo.ToRefs(r.Vm)
	case *types.ClusterVmHostRuleInfo:
		rule.Kind, rule.VMGroup = clusterspec.RuleVMHost, r.VmGroupName
		rule.AffineHostGroup, rule.AntiAffineHostGroup = r.AffineHostGroupName, r.AntiAffineHostGroupName
	default:
		return clusterspec.Rule{}, nil, false
	}
	return rule, vms, true
}

// otherRuleOf describes a rule vtui does not model.
func otherRuleOf(r types.BaseClusterRuleInfo) clusterspec.OtherRule {
	info := r.GetClusterRuleInfo()
	o := clusterspec.OtherRule{Name: info.Name, Enabled: mo.IsTrue(info.Enabled), Kind: strings.TrimPrefix(fmt.Sprintf("%T", r), "*types.")}
	if d, ok := r.(*types.ClusterDependencyRuleInfo); ok {
		o.Kind, o.Detail = "vm-dependency", fmt.Sprintf("group %s depends on group %s", d.VmGroup, d.DependsOnVmGroup)
	}
	return o
}

// overridesOf merges the HA and DRS per-VM settings into one override per
// VM. A value that defers to the cluster reads as empty.
func (cc *ClusterConfig) overridesOf(das []types.ClusterDasVmConfigInfo, drs []types.ClusterDrsVmConfigInfo) []clusterspec.Override {
	by := map[string]*clusterspec.Override{}
	get := func(ref types.ManagedObjectReference) *clusterspec.Override {
		name := cc.namesOf([]Ref{mo.ToRef(ref)})[0]
		if by[name] == nil {
			by[name] = &clusterspec.Override{VM: name}
		}
		return by[name]
	}
	for _, d := range das {
		o := get(d.Key)
		if s := d.DasSettings; s != nil {
			if s.RestartPriority != string(types.ClusterDasVmSettingsRestartPriorityClusterRestartPriority) {
				o.RestartPriority = clusterspec.RestartPriority(s.RestartPriority)
			}
			if s.IsolationResponse != string(types.ClusterDasVmSettingsIsolationResponseClusterIsolationResponse) {
				o.IsolationResponse = clusterspec.IsolationResponse(s.IsolationResponse)
			}
			if t := s.VmToolsMonitoringSettings; t != nil && !mo.IsTrue(t.ClusterSettings) && t.VmMonitoring != "" {
				o.VMMonitoring = vmMonitoringOf(t.VmMonitoring)
			}
		} else if d.RestartPriority != "" && d.RestartPriority != types.DasVmPriority("clusterRestartPriority") {
			o.RestartPriority = restartOfLegacy(d.RestartPriority)
		}
	}
	for _, d := range drs {
		o := get(d.Key)
		switch {
		case d.Enabled != nil && !*d.Enabled:
			o.DRSAutomation = clusterspec.DRSDisabled
		case d.Behavior != "":
			o.DRSAutomation = clusterspec.DRSOverride(automationOf(d.Behavior))
		}
	}
	out := make([]clusterspec.Override, 0, len(by))
	for _, name := range slices.Sorted(maps.Keys(by)) {
		out = append(out, *by[name])
	}
	return out
}

// restartOfLegacy maps the pre-2.5 restart priority vcsim still fills in.
func restartOfLegacy(p types.DasVmPriority) clusterspec.RestartPriority {
	if p == types.DasVmPriorityDisabled {
		return clusterspec.RestartDisabled
	}
	return clusterspec.RestartPriority(p)
}
