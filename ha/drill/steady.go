package drill

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/vtui/vtui/ha/capacity"
	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/internal/strictyaml"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
)

// SteadyState is a plan's steady-state hypothesis: what must hold of the
// cluster before the drill, or its preflight refuses it (nothing is
// injected), and again after its rollback, or the drill fails. Each check
// is off unless the plan sets it; the report names each by its key.
type SteadyState struct {
	// ProtectedPoweredOn: every protected VM is powered on (with protect
	// globs, every VM of the cluster they match, powered on or not).
	ProtectedPoweredOn bool `json:"protected-powered-on,omitempty" yaml:"protected-powered-on,omitempty"`
	// NoMaintenance: no host of the cluster is in maintenance mode.
	NoMaintenance bool `json:"no-maintenance,omitempty" yaml:"no-maintenance,omitempty"`
	// ToleratesHostFailures: the HA what-if (vtui cluster capacity
	// --failures N) restarts every protected VM whichever N hosts fail.
	ToleratesHostFailures int `json:"tolerates-host-failures,omitempty" yaml:"tolerates-host-failures,omitempty"`
	// NoTriggeredAlarms: neither the cluster nor any of its hosts reports
	// a triggered alarm (their triggeredAlarmState).
	NoTriggeredAlarms bool `json:"no-triggered-alarms,omitempty" yaml:"no-triggered-alarms,omitempty"`
}

// The checks of a steady state, by their keys.
const (
	SteadyProtectedPoweredOn    = "protected-powered-on"
	SteadyNoMaintenance         = "no-maintenance"
	SteadyToleratesHostFailures = "tolerates-host-failures"
	SteadyNoTriggeredAlarms     = "no-triggered-alarms"
)

// SteadyStateReport is the plan's steady state as the drill checked it:
// Before in the preflight, After once the rollback was done. NotAfter
// says why After is empty: the drill was refused, or not rolled back.
type SteadyStateReport struct {
	Before   []gate.Check `json:"before"`
	After    []gate.Check `json:"after"`
	NotAfter string       `json:"not_checked_after,omitempty"`
}

// check validates a plan's steady state: at least one check, each one
// meaningful.
func (s *SteadyState) check(doc *strictyaml.Document) error {
	at := func(key, format string, args ...any) error {
		return doc.Errorf([]string{"steady-state", key}, format, args...)
	}
	switch {
	case *s == SteadyState{}:
		return doc.Errorf([]string{"steady-state"}, "states no check: set one or more of %s: true, %s: true, %s: N, %s: true; or remove steady-state",
			SteadyProtectedPoweredOn, SteadyNoMaintenance, SteadyToleratesHostFailures, SteadyNoTriggeredAlarms)
	case s.ToleratesHostFailures < 0 || s.ToleratesHostFailures > capacity.MaxFailures:
		return at(SteadyToleratesHostFailures, "%d: the what-if tolerates 1 to %d host failures; leave it out to check none", s.ToleratesHostFailures, capacity.MaxFailures)
	}
	return nil
}

// steadyCheck checks a steady state against a cluster as it is now.
type steadyCheck struct {
	c       *vsphere.Client
	plan    Plan
	inv     *vsphere.Inventory
	cluster vsphere.Cluster
	// protected are the VMs the preflight protected.
	protected []vsphere.VM
	// in is what the what-if needs, or gathered why it could not be read.
	in       capacity.Input
	gathered error
}

// run checks each check the plan sets, in the order of SteadyState's
// fields; never nil.
func (s steadyCheck) run(ctx context.Context) []gate.Check {
	ss := s.plan.SteadyState
	out := []gate.Check{}
	if ss.ProtectedPoweredOn {
		out = append(out, s.protectedOn())
	}
	if ss.NoMaintenance {
		out = append(out, s.noMaintenance())
	}
	if ss.ToleratesHostFailures > 0 {
		out = append(out, s.tolerates(ss.ToleratesHostFailures))
	}
	if ss.NoTriggeredAlarms {
		out = append(out, s.noAlarms(ctx))
	}
	return out
}

// hosts are the cluster's hosts.
func (s steadyCheck) hosts() []vsphere.Host {
	return slices.DeleteFunc(s.inv.FilterHosts(vsphere.Filter{Cluster: s.cluster.Name}), func(h vsphere.Host) bool { return h.ClusterRef != s.cluster.Ref })
}

func (s steadyCheck) protectedOn() gate.Check {
	var want, off []string
	if len(s.plan.Protect) == 0 {
		now := map[vsphere.Ref]vsphere.VM{}
		for _, v := range s.inv.VMs {
			now[v.Ref] = v
		}
		for _, p := range s.protected {
			v, ok := now[p.Ref]
			switch {
			case !ok || v.ClusterRef != s.cluster.Ref:
				off = append(off, p.Name+" is no longer in "+s.cluster.Name)
			case v.PowerState != "poweredOn":
				off = append(off, v.Name+" is "+v.PowerState)
			}
			want = append(want, p.Name)
		}
	} else {
		for _, v := range s.inv.VMs {
			if v.ClusterRef != s.cluster.Ref || !slices.ContainsFunc(s.plan.Protect, func(g string) bool { ok, _ := path.Match(g, v.Name); return ok }) {
				continue
			}
			if v.PowerState != "poweredOn" {
				off = append(off, v.Name+" is "+v.PowerState)
			}
			want = append(want, v.Name)
		}
	}
	if len(off) > 0 {
		return failed(SteadyProtectedPoweredOn, "%s", gate.Summarize(off, "; "))
	}
	return passed(SteadyProtectedPoweredOn, "the %s powered on", format.Count(len(want), "protected VM"))
}

func (s steadyCheck) noMaintenance() gate.Check {
	hosts := s.hosts()
	var in []string
	for _, h := range hosts {
		if h.MaintenanceMode {
			in = append(in, h.Name)
		}
	}
	if len(in) > 0 {
		return failed(SteadyNoMaintenance, "in maintenance mode: %s", gate.Summarize(in, ", "))
	}
	return passed(SteadyNoMaintenance, "none of the %d hosts of %s is in maintenance mode", len(hosts), s.cluster.Name)
}

func (s steadyCheck) tolerates(n int) gate.Check {
	if s.gathered != nil {
		return failed(SteadyToleratesHostFailures, "could not read the VMs' reservations: %v", s.gathered)
	}
	rep, err := capacity.Analyze(s.in, n)
	switch {
	case err != nil:
		return failed(SteadyToleratesHostFailures, "%v", err)
	case !rep.Tolerates:
		var down []string
		for _, st := range rep.Worst.Stranded {
			if st.Protected {
				down = append(down, st.VM+": "+st.Reason)
			}
		}
		return failed(SteadyToleratesHostFailures, "the what-if does not tolerate %s: if %s failed, %s would stay down (%s)",
			format.Count(n, "host failure"), strings.Join(rep.Worst.Failed, ", "), format.Count(rep.Worst.Lost, "VM"), gate.Summarize(down, "; "))
	}
	return passed(SteadyToleratesHostFailures, "the what-if tolerates %s: every protected VM restarts in each of its %s",
		format.Count(n, "host failure"), format.Count(len(rep.Scenarios), "scenario"))
}

func (s steadyCheck) noAlarms(ctx context.Context) gate.Check {
	hosts := s.hosts()
	refs := []vsphere.Ref{s.cluster.Ref}
	names := map[vsphere.Ref]string{s.cluster.Ref: s.cluster.Name}
	for _, h := range hosts {
		refs = append(refs, h.Ref)
		names[h.Ref] = h.Name
	}
	alarms, err := s.c.TriggeredAlarms(ctx, refs)
	if err != nil {
		return failed(SteadyNoTriggeredAlarms, "%v", err)
	}
	var on []string
	for _, a := range alarms {
		on = append(on, fmt.Sprintf("%s: %s (%s since %s)", names[a.Entity], a.Alarm, a.Status, a.Time.UTC().Format(time.RFC3339)))
	}
	if len(on) > 0 {
		return failed(SteadyNoTriggeredAlarms, "%s: %s", format.Count(len(on), "triggered alarm"), gate.Summarize(on, "; "))
	}
	return passed(SteadyNoTriggeredAlarms, "no triggered alarm on %s or its %d hosts", s.cluster.Name, len(hosts))
}

// steadyAfter checks the plan's steady state once the rollback is done,
// failing a drill that passed when it does not hold (or cannot be read).
// It runs after ctx ends, as the rollback does, for at most the plan's
// detect-timeout.
func (d *drill) steadyAfter(ctx context.Context) {
	ss := d.rep.SteadyState
	switch {
	case ss == nil:
		return
	case d.pre == nil || len(ss.Before) == 0:
		ss.NotAfter = "the preflight did not check it"
		return
	case d.rep.Rollback.Skipped != "":
		ss.NotAfter = "there was no rollback: " + d.rep.Rollback.Skipped
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.Plan.DetectTimeout.D())
	defer cancel()
	s := steadyCheck{c: d.Client, plan: d.Plan, cluster: d.pre.Cluster, protected: d.pre.Protected}
	var err error
	if s.inv, err = d.Client.Inventory(ctx); err == nil {
		var cfg *vsphere.ClusterConfig
		if cfg, err = d.Client.ClusterConfig(ctx, s.inv, s.cluster.Ref); err == nil {
			s.in, s.gathered = capacity.Gather(ctx, d.Client, s.inv, cfg)
		}
	}
	if err != nil {
		ss.NotAfter = fmt.Sprintf("could not read %s after the rollback: %v", s.cluster.Name, err)
		d.fail("the steady state could not be checked after the rollback: %v", err)
	} else {
		ss.After = s.run(ctx)
	}
	holds := err == nil
	for _, c := range ss.After {
		if c.Status == gate.CheckFail {
			holds = false
			d.fail("the steady state does not hold after the rollback: %s", c)
		}
	}
	if !holds && d.rep.Result == ResultPass {
		d.rep.Result = ResultFail
	}
}
