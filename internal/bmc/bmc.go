// Package bmc is what a drill asks of a host's baseboard management
// controller, whatever protocol reaches it (Redfish, IPMI): which system
// it powers, and a hard power-off and power-on.
package bmc

import (
	"context"
	"errors"
	"fmt"
)

// PowerState is a system's power as its BMC reads it.
type PowerState string

// The power states.
const (
	PowerOn  PowerState = "On"
	PowerOff PowerState = "Off"
)

// System is the machine a BMC powers.
type System struct {
	ID, Name, HostName string
	// UUID is the system's SMBIOS UUID, as vCenter's
	// hardware.systemInfo.uuid writes it.
	UUID   string
	Serial string
	Power  PowerState
}

// Controller is a session with one BMC.
type Controller interface {
	// Identify reads which system the BMC powers, and its power.
	Identify(ctx context.Context) (System, error)
	// ForceOff cuts the system's power at once, as pulling the plug.
	ForceOff(ctx context.Context) error
	// On powers the system on.
	On(ctx context.Context) error
	// Close ends the session.
	Close() error
}

// Credentials log in to a BMC. They print without the password.
type Credentials struct{ Username, Password string }

// String is the user name alone.
func (c Credentials) String() string { return fmt.Sprintf("user %q", c.Username) }

// GoString is String: %#v does not print the password either.
func (c Credentials) GoString() string { return c.String() }

// TLS says how a BMC's certificate is trusted.
type TLS struct {
	CAFile, Thumbprint string
	Insecure           bool
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
