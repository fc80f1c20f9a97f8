// Package bmc is what a drill needs of a host's baseboard management
// controller (its BMC: iDRAC, iLO, XClarity, OpenBMC...): which system it
// powers, and a hard power-off and power-on, the way field teams fail a
// real host. A clean shutdown would tell vSphere HA, which then restarts
// nothing.
//
// Each protocol is a package below this one that dials a Controller:
// bmc/redfish (DMTF Redfish, through gofish) and bmc/ipmi (IPMI v2.0 over
// LAN, through go-ipmi). ha/drill maps each target host to its BMC and
// checks, before anything is injected, that the BMC answers and powers the
// host's own system: the SMBIOS UUID it reports is the one vCenter reports
// for the host (SameSystem).
package bmc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// PowerState is a system's power as its BMC reports it, in Redfish's words.
type PowerState string

// The power states a drill acts on. A BMC may report others on the way
// ("PoweringOn", "PoweringOff"); they are passed through as they are.
const (
	PowerOn  PowerState = "On"
	PowerOff PowerState = "Off"
)

// System is the computer a BMC powers, as the BMC describes it.
type System struct {
	// ID is the BMC's own name for it: Redfish's ComputerSystem Id, or
	// IPMI's "chassis" (an IPMI BMC powers one system).
	ID       string `json:"id"`
	Name     string `json:"name,omitempty"`
	HostName string `json:"host_name,omitempty"`
	// UUID is the system's SMBIOS UUID, which vCenter reports as the
	// host's hardware.systemInfo.uuid: see SameSystem.
	UUID   string     `json:"uuid"`
	Serial string     `json:"serial,omitempty"`
	Power  PowerState `json:"power"`
}

// Controller is a session with one BMC, for the one system it powers.
// Every call is bounded in time by its implementation as well as by ctx.
type Controller interface {
	// Identify reads the system the BMC powers and its power state now.
	Identify(ctx context.Context) (System, error)
	// ForceOff powers the system off at once, without asking its OS
	// (Redfish ResetType ForceOff; IPMI chassis power off).
	ForceOff(ctx context.Context) error
	// On powers the system on (Redfish ResetType On; IPMI chassis power
	// on).
	On(ctx context.Context) error
	// Close ends the session with the BMC (a Redfish session is deleted).
	Close() error
}

// Credentials log in to a BMC. They come from the environment, a file or
// a prompt, never from a plan; String, GoString and MarshalJSON show the
// user name only, so that no log, report or journal can hold the
// password.
type Credentials struct {
	Username string
	Password string
}

// String names the user, never the password.
func (c Credentials) String() string {
	if c.Password == "" {
		return c.Username + " (no password)"
	}
	return c.Username + " (password redacted)"
}

// GoString is String, for %#v.
func (c Credentials) GoString() string { return "bmc.Credentials{" + c.String() + "}" }

// MarshalJSON writes the user name only.
func (c Credentials) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Username string `json:"username"`
	}{c.Username})
}

// TLS says how a BMC's certificate is trusted, as vCenter's is: by the
// system roots and CAFile (a PEM bundle), or by a pinned SHA-1 or SHA-256
// Thumbprint; Insecure skips the check. The zero value verifies against
// the system roots.
type TLS struct {
	CAFile     string `json:"ca_file,omitempty" yaml:"ca-file,omitempty"`
	Thumbprint string `json:"thumbprint,omitempty" yaml:"thumbprint,omitempty"`
	Insecure   bool   `json:"insecure,omitempty" yaml:"insecure,omitempty"`
}

// Errors a Controller's errors wrap, so that a caller can say how to fix
// them.
var (
	// ErrUnreachable: no answer from the BMC's address (refused, timed
	// out, no route).
	ErrUnreachable = errors.New("the BMC does not answer")
	// ErrLogin: the BMC refused the credentials.
	ErrLogin = errors.New("the BMC refused the credentials")
	// ErrNoSystem: the BMC answers, but the address names no system it
	// powers, or several where one was meant.
	ErrNoSystem = errors.New("no single system at that address")
)

// Error is a failed BMC operation: what (Op: "log in", "power off"), at
// which address, and why.
type Error struct {
	Op      string
	Address string
	Err     error
}

func (e *Error) Error() string { return fmt.Sprintf("%s at BMC %s: %v", e.Op, e.Address, e.Err) }

func (e *Error) Unwrap() error { return e.Err }

// SameSystem reports whether two SMBIOS UUIDs, one from a BMC and one
// from vCenter, name the same system. Case does not matter, nor braces.
// SMBIOS 2.6 and later store the first three fields little-endian, and
// some firmware reports them as stored while others swap them, so a UUID
// whose first three fields are byte-swapped is the same system too.
func SameSystem(a, b string) bool {
	a, b = normUUID(a), normUUID(b)
	if len(a) != 32 || len(b) != 32 {
		return false
	}
	return a == b || a == swapFields(b)
}

// normUUID is the UUID's 32 hex digits, lower case, or "" if it has not
// 32 hex digits.
func normUUID(s string) string {
	s = strings.ToLower(strings.Trim(strings.TrimSpace(s), "{}"))
	s = strings.ReplaceAll(s, "-", "")
	if len(s) != 32 || strings.Trim(s, "0123456789abcdef") != "" {
		return ""
	}
	return s
}

// swapFields reverses the bytes of the first three fields of a UUID of
// 32 hex digits: 4, 2 and 2 bytes.
func swapFields(s string) string {
	rev := func(h string) string {
		var b strings.Builder
		for i := len(h) - 2; i >= 0; i -= 2 {
			b.WriteString(h[i : i+2])
		}
		return b.String()
	}
	return rev(s[0:8]) + rev(s[8:12]) + rev(s[12:16]) + s[16:]
}
