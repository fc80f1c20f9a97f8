package sim

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// DRS emulation
//
// vcsim has no DRS: entering maintenance mode only sets a flag, and
// ApplyRecommendation and RefreshRecommendation do not exist. vtui's
// simulator emulates what an admin and vtui can observe of DRS:
//
//   - With fully automated DRS, entering maintenance mode evacuates the
//     host: each powered-on VM, largest first, moves through the same
//     relocation path a client's vMotion takes (so back-references,
//     watchers and VmMigratedEvent are right) to the host of the cluster
//     that can take it (usable, sees its datastores and networks, has the
//     memory) without breaking a mandatory rule or an anti-affinity rule,
//     breaking the fewest "should" rules, with the most memory free. A VM
//     with nowhere to go fails the task, naming it and why; the VMs moved
//     by then stay moved. Without DRS, or with manual or partial
//     automation, the task fails at once (vCenter would wait for someone
//     to move them). With HA admission control, no VM goes to a dedicated
//     failover host, and when the host's leaving would break the
//     reservation the task fails at once with
//     InsufficientFailoverResourcesFault (admission.go).
//   - With manual or partially automated DRS, the cluster's recommendation
//     property holds DRS recommendations, recomputed when the cluster's
//     configuration changes, after a VM of it moves, after one is applied,
//     and on RefreshRecommendation:
//       - a rule fix for every enabled rule a VM breaks (anti-affinity,
//         affinity, VM-host), rating 5, moving the VM where the rule holds;
//       - load balancing by memory: while the most and least loaded usable
//         hosts (memory of powered-on VMs over capacity) differ by more
//         than 2 points, the smallest VM whose move narrows the gap goes
//         from the first to the second, up to 5 moves; rated by the gap:
//         4 over 20 points, 3 over 10, 2 over 5, else 1.
//     Only recommendations rated at least vmotionRate are kept (so the
//     vSphere Client's threshold 1, vmotionRate 5, keeps rule fixes only).
//     ApplyRecommendation(key) makes the moves and drops the
//     recommendation.
//   - Fully automated DRS does not balance load by itself here, and CPU
//     load is not considered: the simulator's CPU figures are static.

// evacuate moves the powered-on VMs off h as fully automated DRS would;
// without it, it refuses as vCenter's task would wait. HA admission
// control refuses first when h leaving the cluster's resources would
// break its reservation, whoever moves the VMs.
func (vc *vcenter) evacuate(ctx *simulator.Context, h *simulator.HostSystem) *types.LocalizedMethodFault {
	name, _, _, vms := readHost(ctx, h)
	on := poweredOnVMs(ctx, h.Self, vms)
	cl, ok := ctx.Map.Get(parentOf(ctx, h.Self)).(*simulator.ClusterComputeResource)
	var v *clusterView
	if ok {
		v = readCluster(ctx, cl)
		if err := v.admission().Evacuate(name); err != nil {
			return admissionFault(err)
		}
	}
	if len(on) == 0 {
		return nil
	}
	if enabled, auto := v.drsOrNone(); !enabled || auto != types.DrsBehaviorFullyAutomated {
		return failure(&types.Timedout{},
			"host %s still runs %d powered-on VMs (%s) and DRS is not fully automated to move them; migrate them or power them off first",
			name, len(on), strings.Join(on, ", "))
	}
	from := v.host(h.Self)
	var stuck []string
	for _, vm := range v.on(from) {
		to, why := v.best(vm, func(x *viewHost) bool { return x == from })
		if to == nil {
			stuck = append(stuck, vm.name+" ("+why+")")
			continue
		}
		if f := vc.move(ctx, vm, to); f != nil {
			stuck = append(stuck, vm.name+" ("+f.LocalizedMessage+")")
			continue
		}
		v.move(vm, to)
	}
	vc.recommend(ctx, cl)
	if len(stuck) > 0 {
		return failure(&types.Timedout{}, "DRS could not move %d VMs off %s: %s", len(stuck), name, strings.Join(stuck, "; "))
	}
	return nil
}

// drsOrNone is drs for a view that may be nil (a standalone host).
func (v *clusterView) drsOrNone() (bool, types.DrsBehavior) {
	if v == nil {
		return false, ""
	}
	return v.drs()
}

// move relocates the VM of the view to h through the simulator's own
// relocation.
func (vc *vcenter) move(ctx *simulator.Context, vm *viewVM, h *viewHost) *types.LocalizedMethodFault {
	svm, ok := ctx.Map.Get(vm.ref).(*simulator.VirtualMachine)
	if !ok {
		return failure(&types.ManagedObjectNotFound{Obj: vm.ref}, "VM %s no longer exists", vm.name)
	}
	return relocate(ctx, svm, types.VirtualMachineRelocateSpec{Host: &h.ref})
}

// recommend recomputes and publishes the DRS recommendations of cl.
func (vc *vcenter) recommend(ctx *simulator.Context, cl *simulator.ClusterComputeResource) {
	v := readCluster(ctx, cl)
	var recs []types.ClusterRecommendation
	if enabled, auto := v.drs(); enabled && auto != types.DrsBehaviorFullyAutomated {
		rate := cmp.Or(v.cfg.DrsConfig.VmotionRate, 3)
		for _, p := range append(v.ruleFixes(), v.balance()...) {
			if p.rating >= rate {
				recs = append(recs, vc.recommendation(v, p))
			}
		}
	}
	ctx.WithLock(cl, func() {
		if len(recs) == 0 && len(cl.Recommendation) == 0 {
			return
		}
		ctx.Update(cl, []types.PropertyChange{{Name: "recommendation", Val: recs}})
	})
	v.publishCompliance(ctx, cl)
}

// publishCompliance sets each enabled rule's inCompliance, as vCenter
// reports whether the powered-on VMs keep it now, when that changed. A
// rule's members that are off keep it by not running.
func (v *clusterView) publishCompliance(ctx *simulator.Context, cl *simulator.ClusterComputeResource) {
	broken := map[string]bool{}
	for _, vm := range v.vms {
		if h := v.host(vm.host); vm.on && h != nil {
			for _, b := range v.breaks(vm, h) {
				broken[b.rule] = true
			}
		}
	}
	ctx.WithLock(cl, func() {
		cur, _ := cl.ConfigurationEx.(*types.ClusterConfigInfoEx)
		if cur == nil {
			return
		}
		var next *types.ClusterConfigInfoEx
		for i, r := range cur.Rule {
			info := r.GetClusterRuleInfo()
			kept := !broken[info.Name]
			if info.Enabled == nil || !*info.Enabled || (info.InCompliance != nil && *info.InCompliance == kept) {
				continue
			}
			if next == nil {
				next = copyConfig(cur)
			}
			next.Rule[i] = withCompliance(r, kept)
		}
		if next != nil {
			ctx.Update(cl, []types.PropertyChange{{Name: "configurationEx", Val: next}})
		}
	})
}

// withCompliance returns a copy of the rule with inCompliance set: rules
// are shared by the configurations readers hold, so they are never
// changed in place.
func withCompliance(r types.BaseClusterRuleInfo, kept bool) types.BaseClusterRuleInfo {
	c := reflect.New(reflect.TypeOf(r).Elem())
	c.Elem().Set(reflect.ValueOf(r).Elem())
	out := c.Interface().(types.BaseClusterRuleInfo)
	out.GetClusterRuleInfo().InCompliance = types.NewBool(kept)
	return out
}

// proposal is a move DRS would recommend.
type proposal struct {
	vm       *viewVM
	from, to *viewHost
	rating   int32
	reason   types.RecommendationReasonCode
	text     string
}

// ruleFixes proposes, for every enabled rule a powered-on VM breaks, a
// move to a host where it holds.
func (v *clusterView) ruleFixes() []proposal {
	var out []proposal
	for _, vm := range sortedVMs(v.vms) {
		h := v.host(vm.host)
		if !vm.on || h == nil {
			continue
		}
		broken := v.breaks(vm, h)
		if len(broken) == 0 {
			continue
		}
		to, _ := v.best(vm, func(x *viewHost) bool { return len(v.breaks(vm, x)) > 0 })
		if to == nil {
			continue
		}
		out = append(out, proposal{vm: vm, from: h, to: to, rating: 5, reason: types.RecommendationReasonCodeAntiAffin,
			text: "fix a rule: " + broken[0].why})
		v.move(vm, to)
	}
	return out
}

// balance proposes moves that even out memory load (see the package doc).
func (v *clusterView) balance() []proposal {
	var out []proposal
	for range 5 {
		var usable []*viewHost
		for _, h := range v.hosts {
			if h.usable && h.memMB > 0 {
				usable = append(usable, h)
			}
		}
		if len(usable) < 2 {
			break
		}
		load := func(h *viewHost) float64 { return float64(h.usedMB) / float64(h.memMB) }
		most := slices.MaxFunc(usable, func(a, b *viewHost) int { return cmp.Compare(load(a), load(b)) })
		least := slices.MinFunc(usable, func(a, b *viewHost) int { return cmp.Compare(load(a), load(b)) })
		gap := load(most) - load(least)
		rating := balanceRating(gap)
		if rating == 0 {
			break
		}
		var pick *viewVM
		for _, vm := range slices.Backward(v.on(most)) { // smallest first
			after := max(float64(most.usedMB-vm.memMB)/float64(most.memMB), float64(least.usedMB+vm.memMB)/float64(least.memMB)) -
				min(float64(most.usedMB-vm.memMB)/float64(most.memMB), float64(least.usedMB+vm.memMB)/float64(least.memMB))
			if after < gap && v.refusal(vm, least, false) == "" && len(v.breaks(vm, least)) == 0 {
				pick = vm
				break
			}
		}
		if pick == nil {
			break
		}
		out = append(out, proposal{vm: pick, from: most, to: least, rating: rating, reason: types.RecommendationReasonCodeFairnessMemAvg,
			text: fmt.Sprintf("balance memory load: %s at %.0f%%, %s at %.0f%%", most.name, 100*load(most), least.name, 100*load(least))})
		v.move(pick, least)
	}
	return out
}

// balanceRating rates a move that narrows a memory load gap (a fraction):
// the wider the gap, the more DRS wants it; 0 for a gap not worth a move.
func balanceRating(gap float64) int32 {
	switch {
	case gap > 0.20:
		return 4
	case gap > 0.10:
		return 3
	case gap > 0.05:
		return 2
	case gap > 0.02:
		return 1
	}
	return 0
}

func sortedVMs(m map[types.ManagedObjectReference]*viewVM) []*viewVM {
	out := make([]*viewVM, 0, len(m))
	for _, vm := range m {
		out = append(out, vm)
	}
	slices.SortFunc(out, func(a, b *viewVM) int { return strings.Compare(a.name, b.name) })
	return out
}

// recommendation turns a proposal into vCenter's form, with a key unique
// on the server.
func (vc *vcenter) recommendation(v *clusterView, p proposal) types.ClusterRecommendation {
	key := strconv.FormatInt(vc.recKey.Add(1), 10)
	now := time.Now()
	return types.ClusterRecommendation{
		Key: key, Type: "migration", Time: now, Rating: p.rating,
		Reason: string(p.reason), ReasonText: p.text, Target: &v.ref,
		Action: []types.BaseClusterAction{&types.ClusterMigrationAction{
			ClusterAction: types.ClusterAction{Type: "migration", Target: &p.vm.ref},
			DrsMigration:  &types.ClusterDrsMigration{Key: key, Time: now, Vm: p.vm.ref, Source: p.from.ref, Destination: p.to.ref},
		}},
	}
}

// ApplyRecommendation carries out a DRS recommendation of the cluster:
// its migrations, then the recommendations are computed again.
func (vc *vcenter) ApplyRecommendation(ctx *simulator.Context, req *types.ApplyRecommendation) soap.HasFault {
	body := new(methods.ApplyRecommendationBody)
	cl, f := clusterOf(ctx, req.This)
	if f != nil {
		body.Fault_ = f
		return body
	}
	var rec *types.ClusterRecommendation
	ctx.WithLock(cl, func() {
		if i := slices.IndexFunc(cl.Recommendation, func(r types.ClusterRecommendation) bool { return r.Key == req.Key }); i >= 0 {
			r := cl.Recommendation[i]
			rec = &r
		}
	})
	if rec == nil {
		body.Fault_ = simulator.Fault(fmt.Sprintf("cluster %s has no recommendation %q", cl.Name, req.Key), &types.InvalidArgument{InvalidProperty: "key"})
		return body
	}
	tc := detach(ctx)
	for _, a := range rec.Action {
		m, ok := a.(*types.ClusterMigrationAction)
		if !ok || m.DrsMigration == nil {
			continue
		}
		vm, ok := tc.Map.Get(m.DrsMigration.Vm).(*simulator.VirtualMachine)
		if !ok {
			continue
		}
		if lf := relocate(tc, vm, types.VirtualMachineRelocateSpec{Host: &m.DrsMigration.Destination}); lf != nil {
			body.Fault_ = simulator.Fault(lf.LocalizedMessage, lf.Fault)
			return body
		}
	}
	vc.recommend(tc, cl)
	body.Res = &types.ApplyRecommendationResponse{}
	return body
}

// RefreshRecommendation computes the cluster's DRS recommendations again.
func (vc *vcenter) RefreshRecommendation(ctx *simulator.Context, req *types.RefreshRecommendation) soap.HasFault {
	body := new(methods.RefreshRecommendationBody)
	cl, f := clusterOf(ctx, req.This)
	if f != nil {
		body.Fault_ = f
		return body
	}
	vc.recommend(detach(ctx), cl)
	body.Res = &types.RefreshRecommendationResponse{}
	return body
}

// clusterOf returns the cluster a rerouted call is for, or the fault for a
// missing one.
func clusterOf(ctx *simulator.Context, ref types.ManagedObjectReference) (*simulator.ClusterComputeResource, *soap.Fault) {
	if cl, ok := ctx.Map.Get(ref).(*simulator.ClusterComputeResource); ok {
		return cl, nil
	}
	return nil, simulator.Fault(fmt.Sprintf("cluster %s not found", ref), &types.ManagedObjectNotFound{Obj: ref})
}

// recommendAfterMove recomputes the recommendations of the clusters a VM
// left and joined.
func (vc *vcenter) recommendAfterMove(ctx *simulator.Context, hosts ...types.ManagedObjectReference) {
	var done []types.ManagedObjectReference
	for _, h := range hosts {
		p := parentOf(ctx, h)
		if cl, ok := ctx.Map.Get(p).(*simulator.ClusterComputeResource); ok && !slices.Contains(done, p) {
			done = append(done, p)
			vc.recommend(ctx, cl)
		}
	}
}
