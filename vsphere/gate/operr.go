package gate

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/vim25/types"
)

// OpError reports a change that was refused or failed. Err is the cause:
// ErrReadOnly, a *PrecheckError, or the vSphere fault (which the fault
// package's Is and As still find). Its message names the operation and the
// object and, where known, says what to do next.
type OpError struct {
	Op     Op
	Object string
	Err    error
}

func (e *OpError) Error() string {
	return fmt.Sprintf("%s %s: %s", e.Op.verb(), e.Object, describe(e.Err))
}

func (e *OpError) Unwrap() error { return e.Err }

// Fault returns the name of the vSphere fault behind e (e.g.
// "InvalidPowerState"), or "" when vSphere reported none.
func (e *OpError) Fault() string {
	name, _ := vimFault(e.Err)
	return name
}

// PrecheckError reports the checks that refused a change; nothing was sent.
type PrecheckError struct {
	Failed []Check
}

func (e *PrecheckError) Error() string {
	parts := make([]string, len(e.Failed))
	for i, c := range e.Failed {
		parts[i] = c.String()
	}
	return "refused, nothing was changed: " + strings.Join(parts, "; ")
}

// vimFault returns the type name and message of the first vSphere fault in
// err, or "" if there is none.
func vimFault(err error) (name, msg string) {
	if err == nil {
		return "", ""
	}
	fault.In(err, func(f types.BaseMethodFault, m string, _ []types.LocalizableMessage) bool {
		name = reflect.TypeOf(f).Elem().Name()
		msg = m
		return true
	})
	return name, msg
}

// describe says what err means. A vSphere fault gets its message, or, when
// the server gave none worth reading (vcsim gives the Go type), words for
// the fault, followed by the fault's name and what to do about it.
func describe(err error) string {
	name, msg := vimFault(err)
	if name == "" {
		return err.Error()
	}
	if msg == "" || strings.HasPrefix(msg, "*types.") || msg == name {
		msg = faultWords(err, name)
	}
	text := msg + " (" + name + ")"
	if hint := faultHints[name]; hint != "" {
		text += "; " + hint
	}
	return text
}

// faultWords describes a fault that came without a message.
func faultWords(err error, name string) string {
	var ps *types.InvalidPowerState
	if _, ok := fault.As(err, &ps); ok && ps != nil && ps.ExistingState != "" {
		return fmt.Sprintf("the VM is %s, and this needs it %s", ps.ExistingState, ps.RequestedState)
	}
	if w := faultText[name]; w != "" {
		return w
	}
	return "vSphere refused the request"
}

var faultText = map[string]string{
	"InvalidPowerState":          "the VM's power state does not allow this",
	"InvalidState":               "the object's current state does not allow this",
	"InvalidHostState":           "the host's state does not allow this",
	"InvalidHostConnectionState": "the host is not connected",
	"HostNotConnected":           "the host is not connected",
	"ToolsUnavailable":           "VMware Tools is not running in the guest",
	"TaskInProgress":             "another task is running on the object",
	"Timedout":                   "the operation timed out",
	"NoPermission":               "permission denied",
	"NotAuthenticated":           "the session is not logged in",
	"ManagedObjectNotFound":      "the object no longer exists",
	"MethodNotFound":             "the server does not offer this method",
	"NotSupported":               "the server does not support this",
	"NotImplemented":             "the server does not implement this",
	"InsufficientResourcesFault": "not enough CPU, memory or failover capacity",
	"InvalidArgument":            "the server rejected the request's arguments",
	"MethodDisabled":             "the method is disabled on this object",
}

var faultHints = map[string]string{
	"ToolsUnavailable":      "use power off for a hard stop",
	"TaskInProgress":        "wait for it to finish and run this again",
	"NoPermission":          "ask your vCenter administrator for the privilege",
	"ManagedObjectNotFound": "reload the inventory and check the name",
	"MethodDisabled":        "another operation holds the object; try again later",
	"HostNotConnected":      "reconnect the host first (vtui host reconnect HOST)",
}
