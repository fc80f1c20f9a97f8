package conn

import (
	"context"
	"errors"
	"fmt"

	"github.com/vmware/govmomi/vim25/soap"
)

// ErrReadOnly is wrapped by every error of a change refused in read-only
// mode, by the Gate or by a client's transport (see RefuseMutations).
var ErrReadOnly = errors.New("read-only mode")

// sessionMethods change nothing in the inventory either: they manage the
// session and the session's own collectors and views. Together with
// readOnlyMethods they are what a read-only client may send.
var sessionMethods = map[string]bool{
	"Login":                    true,
	"Logout":                   true,
	"SessionIsActive":          true,
	"CreateListView":           true,
	"CreateListViewFromView":   true,
	"ModifyListView":           true,
	"ResetListView":            true,
	"ResetListViewFromView":    true,
	"DestroyView":              true,
	"SetCollectorPageSize":     true,
	"DestroyPropertyFilter":    true,
	"DestroyPropertyCollector": true,
	"DestroyCollector":         true,
	"CancelWaitForUpdates":     true,
	"ResetCollector":           true,
	"RewindCollector":          true,
}

// ReadOnlyMethod reports whether a read-only client may send the SOAP
// method (e.g. "RetrievePropertiesEx" yes, "RelocateVM_Task" no). The list
// is an allowlist: a method vtui has not vetted is refused.
func ReadOnlyMethod(method string) bool {
	return readOnlyMethods[method] || sessionMethods[method]
}

// RefuseMutations makes c's transport refuse, before it reaches the
// network, every SOAP method ReadOnlyMethod does not allow; the error wraps
// ErrReadOnly. It is the second line of defence behind the Gate's policy,
// for --readonly: a change that slipped past the gate still cannot be
// sent. It cannot be undone. Call it right after Connect, before c is
// shared, since it replaces the transport without a lock.
func (c *Conn) RefuseMutations() {
	if c.RefusesMutations() {
		return
	}
	c.vim.RoundTripper = &readOnlyRoundTripper{rt: c.vim.RoundTripper}
}

// RefusesMutations reports whether RefuseMutations was called on c.
func (c *Conn) RefusesMutations() bool {
	_, ok := c.vim.RoundTripper.(*readOnlyRoundTripper)
	return ok
}

// readOnlyRoundTripper refuses every request that is not on the read-only
// allowlist.
type readOnlyRoundTripper struct {
	rt soap.RoundTripper
}

func (r *readOnlyRoundTripper) RoundTrip(ctx context.Context, req, res soap.HasFault) error {
	if m := MethodName(req); !ReadOnlyMethod(m) {
		return fmt.Errorf("%w: %s refused before it was sent; turn read-only mode off to make changes", ErrReadOnly, m)
	}
	return r.rt.RoundTrip(ctx, req, res)
}
