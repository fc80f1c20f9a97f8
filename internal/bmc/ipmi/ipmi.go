// Package ipmi reaches a host's BMC over IPMI 2.0 (RMCP+, ipmitool's
// "lanplus"), through go-ipmi's client (github.com/bougou/go-ipmi): which
// system it powers (Get System GUID, Get Chassis Status), and a hard power
// off and on (Chassis Control power down, power up).
package ipmi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/bougou/go-ipmi/pkg/client"
	"github.com/bougou/go-ipmi/pkg/command/chassis"
	"github.com/bougou/go-ipmi/pkg/types"
	"github.com/vtui/vtui/internal/bmc"
)

// DefaultPort is IPMI's RMCP port.
const DefaultPort = 623

// Bounds of each exchange with a BMC: UDP drops packets, so each request
// is sent again after exchangeTimeout, at most retries more times; an
// unreachable BMC is told in about (retries+1) × exchangeTimeout per
// request, and ctx bounds it all.
const (
	exchangeTimeout = 2 * time.Second
	retries         = 2
	// closeTimeout bounds Close's Close Session.
	closeTimeout = 5 * time.Second
)

// controller is a session with one BMC.
type controller struct {
	c    *client.Client
	addr string
}

// Dial opens an RMCP+ session with the BMC at address (host or host:port;
// 623 unless given) as cred, with the Administrator privilege a power
// control needs. Its errors are *bmc.Error wrapping bmc.ErrUnreachable or
// bmc.ErrLogin where that is what happened, name the BMC, say what to
// check, and never hold the password.
func Dial(ctx context.Context, address string, cred bmc.Credentials) (bmc.Controller, error) {
	host, port, err := ParseAddress(address)
	if err != nil {
		return nil, &bmc.Error{Op: "read the address", Address: address, Err: err}
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	fail := func(err error) error { return &bmc.Error{Op: "log in over IPMI (RMCP+)", Address: addr, Err: err} }
	if cred.Username == "" {
		return nil, fail(fmt.Errorf("%w: no user name", bmc.ErrLogin))
	}
	c, err := client.NewClient(host, port, cred.Username, cred.Password)
	if err != nil {
		return nil, fail(fmt.Errorf("%w: user name %q: %v", bmc.ErrLogin, cred.Username, scrub(err, cred)))
	}
	c.WithInterface(client.InterfaceLanplus).WithTimeout(exchangeTimeout).WithRetry(retries).
		WithMaxPrivilegeLevel(types.PrivilegeLevelAdministrator)
	if err := c.Connect(ctx); err != nil {
		// go-ipmi leaves its UDP socket open on a failed Connect; Close
		// closes it, and with a context already ended it sends no Close
		// Session to a BMC that opened no session.
		ended, end := context.WithCancel(ctx)
		end()
		_ = c.Close(ended)
		return nil, fail(classify(scrub(err, cred), port))
	}
	return &controller{c: c, addr: addr}, nil
}

// ParseAddress reads an IPMI BMC's address: host or host:port, the port
// 623 unless given.
func ParseAddress(address string) (host string, port int, err error) {
	bad := func(why string) error {
		return fmt.Errorf("%q %s: write host or host:port, such as esx-01-bmc.lab.local or 10.0.0.7:623", address, why)
	}
	if strings.TrimSpace(address) == "" {
		return "", 0, bad("is empty")
	}
	if strings.Contains(address, "://") {
		return "", 0, bad("is a URL, and IPMI takes none")
	}
	host, p, err := net.SplitHostPort(address)
	if err != nil {
		// No port: the whole address is the host ([::1] loses its brackets).
		host, p = strings.TrimSuffix(strings.TrimPrefix(address, "["), "]"), strconv.Itoa(DefaultPort)
	}
	port, err = strconv.Atoi(p)
	if err != nil || port < 1 || port > 65535 {
		return "", 0, bad(fmt.Sprintf("has port %q, not 1 to 65535", p))
	}
	if host == "" {
		return "", 0, bad("names no host")
	}
	return host, port, nil
}

// classify says why a session could not be opened: the BMC refused the
// credentials, or did not answer. go-ipmi's own text, several lines when
// it tried several cipher suites, is kept on one line, and only where it
// tells more.
func classify(err error, port int) error {
	switch {
	case refused(err):
		return fmt.Errorf("%w (RMCP+ authentication failed: a wrong user name or password, or a user without the Administrator privilege)", bmc.ErrLogin)
	case lacksPrivilege(err, codeLevelNotAvailable, codeLevelAboveLimit):
		return fmt.Errorf("%w: the user may not have the Administrator privilege a power control needs (%v)", bmc.ErrLogin, err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("%w: nothing listens on UDP port %d there (connection refused); check that IPMI over LAN is enabled on the BMC", bmc.ErrUnreachable, port)
	case silent(err):
		return fmt.Errorf("%w: no answer on UDP port %d after %d tries %s apart; check that IPMI over LAN is enabled on the BMC and that UDP port %d reaches it",
			bmc.ErrUnreachable, port, retries+1, exchangeTimeout, port)
	}
	return errors.New(strings.Join(strings.Fields(err.Error()), " "))
}

// refused reports a BMC's refusal of the credentials during RAKP: a
// wrong password, an unknown user, or a user without the privilege.
// go-ipmi (v0.9.1, Client.Connect20) joins the errors of each cipher
// suite it tried with %v, not %w, which drops their types: its
// ErrRAKPAuthentication and *types.RmcpStatusError, with its status code,
// cannot be matched by type, so the refusals are found by the texts of
// go-ipmi's own sentinels and status errors.
func refused(err error) bool {
	if errors.Is(err, client.ErrRAKPAuthentication) {
		return true
	}
	for _, r := range []string{client.ErrRAKPAuthentication.Error(),
		types.NewRmcpStatusError(types.RmcpStatusCodeUnauthorizedName).Error(),
		types.NewRmcpStatusError(types.RmcpStatusCodeUnauthorizedRoleOfPriLevel).Error(),
		types.NewRmcpStatusError(types.RmcpStatusCodeInvalidRole).Error()} {
		if strings.Contains(err.Error(), r) {
			return true
		}
	}
	return false
}

// silent reports a BMC that did not answer before the deadline. go-ipmi
// says so with an unexported sentinel (errNoDatagramMatched: "udp
// exchange: no datagram matched before deadline"), which only its text
// can match, and a timed-out read as a net.Error.
func silent(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) ||
		strings.Contains(err.Error(), "no datagram matched before deadline")
}

// Completion codes of Set Session Privilege Level (IPMI 2.0, 22.18), the
// last step of opening a session, which asks for Administrator.
const (
	codeLevelNotAvailable types.CompletionCode = 0x80 // not available for this user
	codeLevelAboveLimit   types.CompletionCode = 0x81 // above the user's or the channel's limit
)

// lacksPrivilege reports a BMC's refusal of a command for the user's
// privilege, by the completion code go-ipmi keeps in a
// *types.ResponseError: D4h for any command, and the command's own codes
// given.
func lacksPrivilege(err error, codes ...types.CompletionCode) bool {
	re, ok := types.IsResponseError(err)
	if !ok {
		return false
	}
	cc := re.CompletionCode()
	return cc == types.CodeInsufficientPrivilege || slices.Contains(codes, cc)
}

// scrub removes the password from an error's text, should a library
// ever put it there.
func scrub(err error, cred bmc.Credentials) error {
	if err == nil || cred.Password == "" || !strings.Contains(err.Error(), cred.Password) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), cred.Password, "[redacted]"))
}

// Identify reads the system's GUID and its power. IPMI names the system
// by its GUID only: UUID is that GUID read in SMBIOS byte order (see
// SystemUUID), ID is "chassis" (an IPMI BMC powers one system), and Name,
// HostName and Serial stay empty.
func (x *controller) Identify(ctx context.Context) (bmc.System, error) {
	g, err := x.c.GetSystemGUID(ctx)
	if err != nil {
		return bmc.System{}, x.fail("Get System GUID", err)
	}
	id, err := SystemUUID(g.GUID)
	if err != nil {
		return bmc.System{}, x.fail("Get System GUID", err)
	}
	power, err := x.power(ctx)
	if err != nil {
		return bmc.System{}, err
	}
	return bmc.System{ID: "chassis", UUID: id, Power: power}, nil
}

// SystemUUID reads the 16 bytes of Get System GUID as SMBIOS stores a
// system's UUID (DSP0134 7.2.1: the first three fields little-endian),
// which is the order most BMCs answer in and the text ESXi reports as
// hardware.systemInfo.uuid; bmc.SameSystem also matches a BMC that
// answers the first three fields swapped. IPMI's specification reverses
// all sixteen bytes instead; a BMC that follows it to the letter reads as
// another UUID, and a drill's preflight refuses it as naming another
// system rather than guess.
func SystemUUID(guid [16]byte) (string, error) {
	if guid == ([16]byte{}) || guid == [16]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff} {
		return "", fmt.Errorf("the BMC has no system GUID (% x): set the system's UUID in its firmware", guid[:2])
	}
	u, err := types.ParseGUID(guid[:], types.GUIDModeSMBIOS)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// power reads the chassis's power.
func (x *controller) power(ctx context.Context) (bmc.PowerState, error) {
	st, err := x.c.GetChassisStatus(ctx)
	if err != nil {
		return "", x.fail("Get Chassis Status", err)
	}
	if st.PowerIsOn {
		return bmc.PowerOn, nil
	}
	return bmc.PowerOff, nil
}

// ForceOff is Chassis Control power down: the power is cut, with no
// shutdown of the operating system.
func (x *controller) ForceOff(ctx context.Context) error {
	return x.control(ctx, chassis.ChassisControlPowerDown, "power down")
}

// On is Chassis Control power up.
func (x *controller) On(ctx context.Context) error {
	return x.control(ctx, chassis.ChassisControlPowerUp, "power up")
}

func (x *controller) control(ctx context.Context, ctl chassis.ChassisControl, what string) error {
	if _, err := x.c.ChassisControl(ctx, ctl); err != nil {
		return x.fail("Chassis Control "+what, err)
	}
	return nil
}

// Close ends the session, waiting at most closeTimeout for the BMC.
func (x *controller) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	if err := x.c.Close(ctx); err != nil {
		return x.fail("close the session", err)
	}
	return nil
}

// fail is a failed operation on the BMC; one that timed out wraps
// bmc.ErrUnreachable, and one refused for the user's privilege
// bmc.ErrLogin, as Redfish's 403 does.
func (x *controller) fail(op string, err error) error {
	switch {
	case silent(err) || errors.Is(err, syscall.ECONNREFUSED):
		err = fmt.Errorf("%w: %v", bmc.ErrUnreachable, err)
	case lacksPrivilege(err):
		err = fmt.Errorf("%w: the user lacks the privilege (%v)", bmc.ErrLogin, err)
	}
	return &bmc.Error{Op: op, Address: x.addr, Err: err}
}
