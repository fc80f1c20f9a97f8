// Package bmc is what a drill asks of a host's baseboard management
// controller, whatever protocol reaches it (Redfish, IPMI): which system
// it powers, and a hard power-off and power-on.
package bmc

import (
	"context"
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
