package sim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/bougou/go-ipmi/pkg/bmc"
	"github.com/bougou/go-ipmi/pkg/clock"
	"github.com/bougou/go-ipmi/pkg/hal"
	"github.com/bougou/go-ipmi/pkg/hal/mock"
	"github.com/bougou/go-ipmi/pkg/handlers"
	"github.com/bougou/go-ipmi/pkg/server"
	"github.com/bougou/go-ipmi/pkg/transport/udp"
	"github.com/bougou/go-ipmi/pkg/types"
	"github.com/google/uuid"
	vim "github.com/vmware/govmomi/vim25/types"
)

// IPMI BMCs
//
// Each host can have an IPMI BMC: go-ipmi's reference BMC server
// (github.com/bougou/go-ipmi/pkg/server), IPMI 2.0 over RMCP+ ("lanplus")
// on a UDP port of the simulator's listen address, that accepts the
// simulator's Username and Password as an administrator. A host's BMC is
// started when it is first asked for (the door's GET with ?ipmi=HOST, or
// Server.IPMIAddress), not at Start: the large preset has 960 hosts, and
// a drill needs the BMCs of its targets only. At most maxIPMIBMCs serve at
// once; Close stops them all.
//
// The BMC is the host's: Get System GUID answers the host's SMBIOS UUID
// (hardware.systemInfo.uuid) in SMBIOS byte order, as most BMCs do (the
// first three fields little-endian), and Get Chassis Status reads the
// host off while it is crashed or shut down. Chassis Control power down
// crashes the host (CrashHost), power up recovers it (RecoverHost); each
// is a no-op when the chassis is already so, as on a real BMC. go-ipmi's
// server has no Get System GUID of its own: the simulator adds it.

// maxIPMIBMCs bounds how many hosts' BMCs serve at once: a UDP socket
// and a goroutine each.
const maxIPMIBMCs = 96

// maxIPMIUser and maxIPMIPassword are IPMI 2.0's limits, in bytes.
const (
	maxIPMIUser     = 16
	maxIPMIPassword = 20
)

// errTooManyBMCs refuses a BMC beyond maxIPMIBMCs.
var errTooManyBMCs = errors.New("too many IPMI BMCs")

// ipmiBMCs are the hosts' BMCs started so far.
type ipmiBMCs struct {
	ip, user, pass string // where they listen, and whom they accept

	mu     sync.Mutex
	byHost map[string]string // address by host name
}

// IPMIAddress starts, if it is not serving yet, the IPMI BMC of the host
// named host and returns its address (127.0.0.1:PORT).
func (s *Server) IPMIAddress(host string) (string, error) {
	return s.vc.ipmiAddress(host)
}

// ipmiServing returns the addresses of the BMCs serving, by host name.
func (vc *vcenter) ipmiServing() map[string]string {
	vc.bmcs.mu.Lock()
	defer vc.bmcs.mu.Unlock()
	out := make(map[string]string, len(vc.bmcs.byHost))
	for h, a := range vc.bmcs.byHost {
		out[h] = a
	}
	return out
}

func (vc *vcenter) ipmiAddress(name string) (string, error) {
	b := vc.bmcs
	ctx := detach(vc.sctx)
	h, err := hostNamed(ctx, name)
	if err != nil {
		return "", err
	}
	var hname, id string
	ctx.WithLock(h, func() { hname, id = h.Name, h.Hardware.SystemInfo.Uuid })
	b.mu.Lock()
	defer b.mu.Unlock()
	if addr, ok := b.byHost[hname]; ok {
		return addr, nil
	}
	switch {
	case len(b.byHost) >= maxIPMIBMCs:
		return "", fmt.Errorf("%w: %d already serve, the most one simulator starts; start a new simulator", errTooManyBMCs, maxIPMIBMCs)
	case len(b.user) > maxIPMIUser || len(b.pass) > maxIPMIPassword:
		return "", fmt.Errorf("%w: IPMI 2.0 takes a user name of at most %d bytes and a password of at most %d; start the simulator with shorter ones",
			errHostState, maxIPMIUser, maxIPMIPassword)
	}
	guid, err := smbiosGUID(id)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %v", errHostState, hname, err)
	}
	conn, err := udp.Listen(net.JoinHostPort(b.ip, "0"))
	if err != nil {
		return "", fmt.Errorf("start the IPMI BMC of %s: %w", hname, err)
	}
	bm := bmc.New(bmc.DeviceInfo{DeviceID: 0x20, DeviceRevision: 1, FirmwareMajor: 1, IPMIVersion: 0x20},
		guid, &hostHAL{HAL: mock.New(), chassis: &hostChassis{vc: vc, host: hname}}, bmc.WithClock(clock.Real))
	u, err := bm.Users.Add(2, b.user)
	if err != nil {
		conn.Close()
		return "", fmt.Errorf("start the IPMI BMC of %s: %w", hname, err)
	}
	u.SetPassword([]byte(b.pass))
	u.Enabled = true
	u.ChannelAccess[1] = bmc.UserChannelAccess{MaxPrivilege: bmc.PrivilegeLevelAdministrator, Enabled: true}

	reg := handlers.NewRegistry()
	handlers.RegisterAllHandlers(reg)
	reg.RegisterFunc(types.CommandGetSystemGUID, func(context.Context, *handlers.HandlerContext, []byte) ([]byte, types.CompletionCode, error) {
		return guid[:], types.CodeOK, nil
	})
	srv := server.NewServer(bm, conn, server.WithHandlerRegistry(reg), server.WithV15Disabled())
	vc.goBackground(func(life context.Context) {
		go func() {
			<-life.Done()
			_ = srv.Close()
		}()
		_ = srv.Serve(life)
	})
	if vc.lifecycle.ctx.Err() != nil { // closing: goBackground may not have run
		_ = srv.Close()
		return "", fmt.Errorf("%w: the simulator is closing", errHostState)
	}
	addr := conn.LocalAddr().String()
	b.byHost[hname] = addr
	return addr, nil
}

// smbiosGUID encodes a UUID as SMBIOS stores it (DSP0134 7.2.1): the
// first three fields little-endian, the rest as written.
// 00112233-4455-6677-8899-aabbccddeeff is 33 22 11 00 55 44 77 66 88 99
// aa bb cc dd ee ff.
func smbiosGUID(s string) ([16]byte, error) {
	u, err := uuid.Parse(s)
	if err != nil {
		return [16]byte{}, fmt.Errorf("its UUID %q: %w", s, err)
	}
	g := [16]byte(u)
	g[0], g[1], g[2], g[3] = u[3], u[2], u[1], u[0]
	g[4], g[5] = u[5], u[4]
	g[6], g[7] = u[7], u[6]
	return g, nil
}

// hostHAL is go-ipmi's in-memory hardware with the host's chassis.
type hostHAL struct {
	*mock.HAL
	chassis *hostChassis
}

func (h *hostHAL) Chassis() hal.ChassisHAL { return h.chassis }

// hostChassis powers a simulated host: off is a crash, on a recovery.
// Boot flags, identify and resets are go-ipmi's in-memory ones.
type hostChassis struct {
	mock.Chassis
	vc   *vcenter
	host string
}

// PowerState reads the host on unless it is crashed or shut down.
func (c *hostChassis) PowerState(context.Context) (bool, error) {
	return c.vc.hostPowered(c.host)
}

// SetPower crashes the host (off) or recovers it (on).
func (c *hostChassis) SetPower(ctx context.Context, on bool) error {
	now, err := c.PowerState(ctx)
	if err != nil || now == on {
		return err
	}
	if on {
		return c.vc.recover(c.vc.sctx, c.host)
	}
	return c.vc.crash(c.vc.sctx, c.host)
}

// hostPowered reports whether the host named name has power: it is
// neither crashed nor shut down.
func (vc *vcenter) hostPowered(name string) (bool, error) {
	ctx := detach(vc.sctx)
	h, err := hostNamed(ctx, name)
	if err != nil {
		return false, err
	}
	_, power := hostPower(ctx, h)
	vc.mu.Lock()
	_, crashed := vc.ha.crashed[h.Self]
	vc.mu.Unlock()
	return !crashed && power != vim.HostSystemPowerStatePoweredOff, nil
}

var _ hal.ChassisHAL = (*hostChassis)(nil)
