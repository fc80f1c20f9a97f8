package drill

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vtui/vtui/internal/bmc"
	"github.com/vtui/vtui/internal/tlstrust"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/drillkit"
	"github.com/vtui/vtui/vsphere/gate"
)

// BMCPassword reads the password of the plan's BMC user from where b
// names it (PasswordEnv, PasswordFile), or asks for it when it names
// neither; cmd/vtui's asks on a terminal. It is called once per drill or
// rollback, and only when a BMC is about to be contacted.
type BMCPassword func(ctx context.Context, b BMC) (string, error)

// PlannedBMC is a target's BMC, as a drill found it: where it answers
// and, once the preflight asked it, the system it powers.
type PlannedBMC struct {
	Host    string      `json:"host"`
	Address string      `json:"address"`
	System  *bmc.System `json:"system,omitempty"`
}

// bmcAccess is how a drill reaches its targets' BMCs: each one's address,
// the credentials and the trust. Its credentials are never printed or
// marshalled (bmc.Credentials).
type bmcAccess struct {
	method Method
	addr   map[string]string // by host name
	cred   bmc.Credentials
	tls    bmc.TLS
	// uuid is each target's SMBIOS UUID, as vCenter has it.
	uuid map[string]string
	// bound bounds how long a power change may take to show.
	bound time.Duration
}

// bmcAddresses finds the BMC of each host, as plan maps it; sim is what
// vtui's simulator said of itself, nil (with notSim saying why) when the
// server is not it.
func bmcAddresses(plan Plan, hosts []string, sim *drillkit.SimInfo, notSim error) (map[string]string, error) {
	b := plan.Inject.BMC
	var served map[string]string
	if p, ok := protocolOf(plan.Inject.Method); ok && sim != nil {
		served = p.simulated(sim)
	}
	out := map[string]string{}
	for _, h := range hosts {
		a, err := b.addressOf(h, plan.Cluster, served, notSim)
		if err == nil {
			err = checkBMCAddress(plan.Inject.Method, a)
		}
		if err != nil {
			return nil, fmt.Errorf("the BMC of %s: %w", h, err)
		}
		out[h] = a
	}
	return out, nil
}

// simulatorWithIPMI is sim once vtui's simulator serves the IPMI BMCs of
// hosts, for a plan with method ipmi and address simulator: the simulator
// starts a host's IPMI BMC only when asked (a socket per host of a large
// inventory would be too many); they serve until it closes, so that a
// rollback finds them in its plain answer. Any other plan gets sim as it
// is.
func simulatorWithIPMI(ctx context.Context, c *vsphere.Client, plan Plan, sim *drillkit.SimInfo, hosts []string) (*drillkit.SimInfo, error) {
	if sim == nil || plan.Inject.Method != MethodIPMI || plan.Inject.BMC.Address != SimulatorBMC {
		return sim, nil
	}
	info, err := drillkit.SimulatorInfo(ctx, c, hosts...)
	if err != nil {
		return nil, fmt.Errorf("start the IPMI BMCs of %s on the simulator: %w", strings.Join(hosts, ", "), err)
	}
	return &info, nil
}

// newBMCAccess resolves the credentials and the trust for addr: the
// simulator's own for address simulator when the plan names no password
// source or trust, else the plan's, the password read by read.
func newBMCAccess(ctx context.Context, plan Plan, addr map[string]string, sim *drillkit.SimInfo, read BMCPassword) (*bmcAccess, error) {
	b := plan.Inject.BMC
	a := &bmcAccess{method: plan.Inject.Method, addr: addr, tls: b.TLS(), uuid: map[string]string{}, bound: plan.DetectTimeout.D()}
	onSim := b.Address == SimulatorBMC && sim != nil
	if onSim && !b.trusts() {
		a.tls = bmc.TLS{Thumbprint: sim.BMC.Thumbprint}
	}
	switch {
	case onSim && !b.namesPassword():
		a.cred = sim.BMC.Credentials
		if b.Username != "" {
			a.cred.Username = b.Username
		}
	case read == nil:
		return nil, fmt.Errorf("the password of BMC user %s cannot be read or asked for here: run the drill with vtui drill run", b.Username)
	default:
		pw, err := read(ctx, *b)
		if err != nil {
			return nil, fmt.Errorf("the password of BMC user %s: %w", b.Username, err)
		}
		a.cred = bmc.Credentials{Username: b.Username, Password: pw}
	}
	return a, nil
}

// dial opens a session with host's BMC.
func (a *bmcAccess) dial(ctx context.Context, host string) (bmc.Controller, error) {
	p, ok := protocolOf(a.method)
	if !ok {
		return nil, fmt.Errorf("method %s does not go through a BMC", a.method)
	}
	return p.dial(ctx, a.addr[host], a.cred, a.tls)
}

// identify asks host's BMC which system it powers, and checks it is
// host's: its SMBIOS UUID is the one vCenter reports.
func (a *bmcAccess) identify(ctx context.Context, ctl bmc.Controller, host string) (bmc.System, error) {
	sys, err := ctl.Identify(ctx)
	if err != nil {
		return sys, err
	}
	want := a.uuid[host]
	if !bmc.SameSystem(sys.UUID, want) {
		return sys, fmt.Errorf("the BMC at %s powers another system: %s (UUID %s), and %s's SMBIOS UUID is %s in vCenter; map %s to its own BMC in inject.bmc",
			a.addr[host], describeSystem(sys), orNone(sys.UUID), host, orNone(want), host)
	}
	return sys, nil
}

func describeSystem(s bmc.System) string {
	name := s.ID
	if s.HostName != "" && s.HostName != s.ID {
		name += " " + s.HostName
	} else if s.Name != "" && s.Name != s.ID {
		name += " " + s.Name
	}
	return name
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// bmcHint says how to fix a BMC's error, in the plan's terms.
func bmcHint(err error, b *BMC) string {
	_, cert := tlstrust.AsUntrustedCert(err)
	switch {
	case cert:
		return "" // its message says how to trust it
	case errors.Is(err, bmc.ErrUnreachable):
		return "; check the address (inject.bmc) and that this machine reaches the BMC"
	case errors.Is(err, bmc.ErrLogin):
		from := "the password typed"
		switch {
		case b.PasswordEnv != "":
			from = "the password in $" + b.PasswordEnv
		case b.PasswordFile != "":
			from = "the password in " + b.PasswordFile
		case b.Address == SimulatorBMC:
			from = "the simulator's password"
		}
		return fmt.Sprintf("; check inject.bmc.username (%s) and %s", orNone(b.Username), from)
	}
	return ""
}

// setPower powers host on or off through its BMC, unless it already is,
// then reads the power back until the BMC reports want, for at most
// a.bound. note tells what it does.
func (a *bmcAccess) setPower(ctx context.Context, host string, want bmc.PowerState, note func(string, ...any)) error {
	ctl, err := a.dial(ctx, host)
	if err != nil {
		return err
	}
	defer ctl.Close()
	sys, err := a.identify(ctx, ctl, host)
	if err != nil {
		return err
	}
	verb := map[bmc.PowerState]string{bmc.PowerOff: "ForceOff", bmc.PowerOn: "On"}[want]
	if sys.Power == want {
		note("%s's BMC reports power %s already", host, sys.Power)
		return nil
	}
	note("%s: %s %s through its BMC (%s, system %s, power %s)", host, a.method, verb, a.addr[host], sys.ID, sys.Power)
	if want == bmc.PowerOff {
		err = ctl.ForceOff(ctx)
	} else {
		err = ctl.On(ctx)
	}
	if err != nil {
		return err
	}
	deadline := time.Now().Add(a.bound)
	for {
		if sys, err = ctl.Identify(ctx); err != nil {
			return err
		}
		if sys.Power == want {
			note("%s's BMC reports power %s", host, sys.Power)
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s's BMC still reports power %s %s after %s", host, sys.Power, a.bound, verb)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// checkBMCs is the method check of a BMC method: every target's BMC
// answers, powers the target's own system, and reports it on, before
// anything is injected. A dry run and read-only mode contact no BMC.
func (r *Runner) checkBMCs(ctx context.Context, p *Preflight) gate.Check {
	plan := r.Plan
	names := make([]string, len(p.Targets))
	for i, h := range p.Targets {
		names[i] = h.Name
	}
	sim, err := simulatorWithIPMI(ctx, r.Client, plan, p.sim, names)
	if err != nil {
		return failed("method", "%v", err)
	}
	addr, err := bmcAddresses(plan, names, sim, p.notSim)
	if err != nil {
		return failed("method", "%v", err)
	}
	var where []string
	for _, h := range names {
		p.BMCs = append(p.BMCs, PlannedBMC{Host: h, Address: addr[h]})
		where = append(where, h+" at "+addr[h])
	}
	switch pol := r.Client.Policy(); {
	case pol.DryRun:
		return passed("method", "%s; dry run, so no BMC was contacted: would power off %s", plan.Inject.Method, strings.Join(where, ", "))
	case pol.ReadOnly:
		return failed("method", "read-only mode, so no BMC was contacted")
	}
	refs := make([]vsphere.Ref, len(p.Targets))
	for i, h := range p.Targets {
		refs[i] = h.Ref
	}
	uuids, err := drillkit.HostUUIDs(ctx, r.Client, refs)
	if err != nil {
		return failed("method", "%v", err)
	}
	a, err := newBMCAccess(ctx, plan, addr, sim, r.BMCPassword)
	if err != nil {
		return failed("method", "%v", err)
	}
	for _, h := range p.Targets {
		a.uuid[h.Name] = uuids[h.Ref]
	}
	var found []string
	for i, h := range names {
		sys, err := a.check(ctx, h)
		if err != nil {
			return failed("method", "%s's BMC: %v%s; nothing was injected", h, err, bmcHint(err, plan.Inject.BMC))
		}
		p.BMCs[i].System = &sys
		found = append(found, fmt.Sprintf("%s at %s (system %s, UUID %s, power %s)", h, addr[h], sys.ID, sys.UUID, sys.Power))
	}
	p.bmc = a
	return passed("method", "%s: each target's BMC answers and powers it: %s", plan.Inject.Method, strings.Join(found, "; "))
}

// check asks host's BMC for the system it powers, which must be host's
// and on.
func (a *bmcAccess) check(ctx context.Context, host string) (bmc.System, error) {
	ctl, err := a.dial(ctx, host)
	if err != nil {
		return bmc.System{}, err
	}
	defer ctl.Close()
	sys, err := a.identify(ctx, ctl, host)
	if err != nil {
		return sys, err
	}
	if sys.Power != bmc.PowerOn {
		return sys, fmt.Errorf("it reports %s's power %s: a drill fails a host that is on", host, sys.Power)
	}
	return sys, nil
}
