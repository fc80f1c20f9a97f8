// Package redfish is a bmc.Controller for a DMTF Redfish service, through
// gofish: it logs in with a session (X-Auth-Token), reads the
// ComputerSystem the BMC powers, and resets it with ForceOff or On.
//
// TLS is verified as vtui verifies vCenter (internal/tlstrust): by the
// system roots and a CA file, or a pinned thumbprint; insecure skips it.
// Every request is bounded in time (Timeout) and its answer in size
// (maxBody). Errors wrap bmc.ErrUnreachable, bmc.ErrLogin or
// bmc.ErrNoSystem, or are a *tlstrust.UntrustedCertError, and never hold
// the password.
package redfish

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/stmcginnis/gofish"
	"github.com/stmcginnis/gofish/schemas"
	"github.com/vtui/vtui/internal/bmc"
	"github.com/vtui/vtui/internal/tlstrust"
)

// Timeout bounds each exchange with a BMC: logging in, one read, one
// reset. BMCs are slow, but one that takes longer is not answering.
const Timeout = 30 * time.Second

// maxBody bounds a BMC's answer; a ComputerSystem is a few kilobytes.
const maxBody = 4 << 20

// controller is a session with one Redfish service, for one system.
type controller struct {
	addr   Address
	client *gofish.APIClient
	system string // the system's URI
}

// Dial logs in to the Redfish service at address (see ParseAddress) and
// finds the system it powers: the one the address names, else the
// service's only one. The session lasts until Close.
func Dial(ctx context.Context, address string, cred bmc.Credentials, trust bmc.TLS) (bmc.Controller, error) {
	addr, err := ParseAddress(address)
	if err != nil {
		return nil, &bmc.Error{Op: "read the address", Address: address, Err: err}
	}
	fail := func(op string, err error) error { return &bmc.Error{Op: op, Address: addr.String(), Err: err} }
	if cred.Username == "" {
		return nil, fail("log in", fmt.Errorf("%w: no user name", bmc.ErrLogin))
	}
	d, err := tlstrust.NewDialer(ctx, trust.CAFile, trust.Thumbprint, trust.Insecure, Timeout)
	if err != nil {
		return nil, fail("set up TLS", err)
	}
	d.Advice = advice
	transport := &http.Transport{
		DialTLSContext:        d.DialTLSContext,
		DialContext:           (&net.Dialer{Timeout: Timeout}).DialContext,
		ResponseHeaderTimeout: Timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       time.Minute,
	}
	hc := &http.Client{Transport: limitBody{transport}, Timeout: Timeout}
	cctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	client, err := gofish.ConnectContext(cctx, gofish.ClientConfig{
		Endpoint: addr.Endpoint, Username: cred.Username, Password: cred.Password,
		HTTPClient: hc, NoModifyTransport: true, ReuseConnections: true,
	})
	if err != nil {
		transport.CloseIdleConnections()
		return nil, fail("log in as "+cred.Username, classify(err))
	}
	c := &controller{addr: addr, client: client, system: addr.System}
	if c.system == "" {
		if c.system, err = c.onlySystem(ctx); err != nil {
			_ = c.Close()
			return nil, fail("find the system it powers", err)
		}
	}
	return c, nil
}

// advice says how to trust a BMC's certificate, in the words of a
// plan's inject.bmc.
func advice(sha256 string) string {
	return fmt.Sprintf("check the fingerprint with the BMC's administrator, then trust it with thumbprint: %s, "+
		"or add the issuing CA with ca-file, or skip verification with insecure: true", sha256)
}

// onlySystem is the URI of the service's one system.
func (c *controller) onlySystem(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	systems, err := c.client.WithContext(ctx).Service.Systems()
	if err != nil {
		return "", classify(err)
	}
	if len(systems) == 1 {
		return systems[0].ODataID, nil
	}
	var ids []string
	for _, s := range systems {
		ids = append(ids, s.ODataID)
	}
	return "", fmt.Errorf("%w: the service powers %d systems (%s): name one in the address, as %s%s/Systems/ID",
		bmc.ErrNoSystem, len(systems), strings.Join(ids, ", "), c.addr.Endpoint, serviceRoot)
}

// read reads the system.
func (c *controller) read(ctx context.Context) (*schemas.ComputerSystem, error) {
	s, err := schemas.GetComputerSystem(c.client.WithContext(ctx), c.system)
	if err != nil {
		var re *schemas.Error
		if errors.As(err, &re) && re.HTTPReturnedStatusCode == http.StatusNotFound {
			return nil, fmt.Errorf("%w: %s answers 404 for %s", bmc.ErrNoSystem, c.addr.Endpoint, c.system)
		}
		return nil, classify(err)
	}
	return s, nil
}

// Identify reads the system and its power state.
func (c *controller) Identify(ctx context.Context) (bmc.System, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	s, err := c.read(ctx)
	if err != nil {
		return bmc.System{}, c.fail("read the system", err)
	}
	return bmc.System{ID: s.ID, Name: s.Name, HostName: s.HostName, UUID: s.UUID, Serial: s.SerialNumber, Power: bmc.PowerState(s.PowerState)}, nil
}

// ForceOff resets the system with ForceOff.
func (c *controller) ForceOff(ctx context.Context) error {
	return c.reset(ctx, schemas.ForceOffResetType, "power off")
}

// On resets the system with On.
func (c *controller) On(ctx context.Context) error {
	return c.reset(ctx, schemas.OnResetType, "power on")
}

func (c *controller) reset(ctx context.Context, t schemas.ResetType, op string) error {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	s, err := c.read(ctx)
	if err != nil {
		return c.fail(op, err)
	}
	if _, err := s.Reset(t); err != nil {
		return c.fail(op+" (ComputerSystem.Reset "+string(t)+")", classify(err))
	}
	return nil
}

// Close deletes the session and drops the connections.
func (c *controller) Close() error {
	c.client.Logout()
	c.client.HTTPClient.CloseIdleConnections()
	return nil
}

func (c *controller) fail(op string, err error) error {
	return &bmc.Error{Op: op, Address: c.addr.String(), Err: err}
}

// classify says what a failed exchange means: the certificate, the
// network, the credentials, or the BMC's own error message.
func classify(err error) error {
	if ce, ok := tlstrust.AsUntrustedCert(err); ok {
		return ce
	}
	var re *schemas.Error
	if errors.As(err, &re) {
		msg := re.Message
		if msg == "" && len(re.ExtendedInfos) > 0 {
			msg = re.ExtendedInfos[0].Message
		}
		if msg == "" {
			msg = http.StatusText(re.HTTPReturnedStatusCode)
		}
		switch re.HTTPReturnedStatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			return fmt.Errorf("%w (%d: %s)", bmc.ErrLogin, re.HTTPReturnedStatusCode, msg)
		case 0:
			return errors.New(msg)
		}
		return fmt.Errorf("the BMC answered %d: %s", re.HTTPReturnedStatusCode, msg)
	}
	var ue *url.Error
	var ne net.Error
	if errors.As(err, &ue) || errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %v", bmc.ErrUnreachable, rootCause(err))
	}
	return err
}

// rootCause strips the url.Error and net.OpError wrappers, whose text
// repeats the address.
func rootCause(err error) error {
	for {
		var ue *url.Error
		var oe *net.OpError
		switch {
		case errors.As(err, &oe) && oe.Err != nil && oe.Err != err:
			err = oe.Err
		case errors.As(err, &ue) && ue.Err != nil && ue.Err != err:
			err = ue.Err
		default:
			if errors.Is(err, context.DeadlineExceeded) {
				return fmt.Errorf("no answer within %s", Timeout)
			}
			return err
		}
	}
}

// limitBody bounds every answer's body to maxBody bytes.
type limitBody struct{ rt http.RoundTripper }

func (l limitBody) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := l.rt.RoundTrip(req)
	if err == nil {
		res.Body = struct {
			io.Reader
			io.Closer
		}{io.LimitReader(res.Body, maxBody), res.Body}
	}
	return res, err
}
