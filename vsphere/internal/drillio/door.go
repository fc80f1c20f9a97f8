package drillio

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vtui/vtui/internal/simdoor"
	"github.com/vtui/vtui/vsphere/internal/conn"
)

// ErrNotSimulator is wrapped by the errors of fault injection against a
// server that is not vtui's simulator: a real vCenter has no fault door.
var ErrNotSimulator = errors.New("not vtui's simulator")

// doorPath is where vtui's simulator opens its fault door (see
// vsphere/sim's package documentation). vsphere reaches it over HTTPS,
// like any client, never through a Go import of the simulator.
const doorPath = "/vtui/sim/v1"

// SimInfo is what vtui's simulator says of its fault door.
type SimInfo = simdoor.Info[simdoor.BMC]

// SimModel is what vtui's simulator models of vSphere HA, as its door
// serves it.
type SimModel = simdoor.Model

// SimulatorInfo asks the server for vtui's simulator's fault door, as the
// session. Any other server, a real vCenter above all, answers with an
// error wrapping ErrNotSimulator, and nothing is changed. The simulator
// starts the IPMI BMCs of ipmiHosts first (it starts none unasked), so
// that SimInfo.BMC.IPMI names them.
func SimulatorInfo(ctx context.Context, c *conn.Conn, ipmiHosts ...string) (SimInfo, error) {
	var info SimInfo
	query := ""
	if len(ipmiHosts) > 0 {
		query = "?" + url.Values{"ipmi": ipmiHosts}.Encode()
	}
	err := Door(ctx, c, http.MethodGet, query, &info)
	if err == nil && info.Simulator != "vtui" {
		err = fmt.Errorf("%w: %s answers on %s but not as vtui's simulator", ErrNotSimulator, c.Host(), doorPath)
	}
	return info, err
}

// Door calls the fault door of vtui's simulator with the session's cookie;
// path is below doorPath, with its query if any.
func Door(ctx context.Context, c *conn.Conn, method, path string, out any) error {
	return DoorWith(ctx, c, method, path, nil, out)
}

// DoorWith calls the fault door as Door does, sending in as its JSON body
// unless in is nil.
func DoorWith(ctx context.Context, c *conn.Conn, method, path string, in, out any) error {
	base := conn.SOAP(c).URL()
	u := url.URL{Scheme: base.Scheme, Host: base.Host}
	u.Path, u.RawQuery, _ = strings.Cut(doorPath+path, "?")
	var send io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode the fault door's request: %w", err)
		}
		send = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), send)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, ck := range conn.SOAP(c).Client.Jar.Cookies(base) {
		if ck.Name == soap.SessionCookieName {
			req.AddCookie(ck)
		}
	}
	res, err := conn.SOAP(c).Client.Do(req)
	if err != nil {
		return fmt.Errorf("reach the simulator's fault door on %s: %w", c.Host(), err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	var answer struct {
		Error string `json:"error"`
	}
	jsonErr := json.Unmarshal(body, &answer)
	switch {
	case res.StatusCode == http.StatusNotFound && (jsonErr != nil || answer.Error == ""):
		return fmt.Errorf("%w: %s has no fault door (%s %s answers %d)", ErrNotSimulator, c.Host(), method, doorPath, res.StatusCode)
	case res.StatusCode != http.StatusOK:
		if answer.Error != "" {
			return fmt.Errorf("the simulator refused: %s", answer.Error)
		}
		return fmt.Errorf("%w: %s %s on %s answered %d", ErrNotSimulator, method, doorPath+path, c.Host(), res.StatusCode)
	case jsonErr != nil:
		return fmt.Errorf("%w: %s on %s did not answer in JSON", ErrNotSimulator, doorPath, c.Host())
	}
	if out != nil {
		return json.Unmarshal(body, out)
	}
	return nil
}
