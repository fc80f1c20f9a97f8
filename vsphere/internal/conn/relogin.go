package conn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// readOnlyMethods are the SOAP methods that change nothing in the
// inventory, so repeating one after a re-login is safe. Creating a view,
// filter or collector only adds session state.
var readOnlyMethods = map[string]bool{
	"RetrieveServiceContent":       true,
	"RetrieveProperties":           true,
	"RetrievePropertiesEx":         true,
	"ContinueRetrievePropertiesEx": true,
	"CurrentTime":                  true,
	"CreateContainerView":          true,
	"CreateListView":               true,
	"CreateFilter":                 true,
	"CreatePropertyCollector":      true,
	"WaitForUpdatesEx":             true,
	"QueryEvents":                  true,
	"CreateCollectorForEvents":     true,
	"CreateCollectorForTasks":      true,
	"ReadNextEvents":               true,
	"ReadPreviousEvents":           true,
	"ReadNextTasks":                true,
	"ReadPreviousTasks":            true,
	"QueryVMotionCompatibility":    true,
	"QueryPerf":                    true,
	"QueryPerfCounter":             true,
}

// reloginRoundTripper renews an expired session. A request that fails with
// NotAuthenticated triggers one login (shared by concurrent callers), then
// is sent again if, and only if, it changes nothing. A mutation is never
// repeated: its caller gets the error and decides.
type reloginRoundTripper struct {
	rt    soap.RoundTripper
	login func(context.Context) error
	log   *slog.Logger
	mu    sync.Mutex
	gen   atomic.Uint64
	// closed stops renewals once the client logged out on purpose.
	closed atomic.Bool
	// checkMu makes reconnecting streams take turns to check the session;
	// checks counts the checks that passed.
	checkMu sync.Mutex
	checks  atomic.Uint64
}

func (r *reloginRoundTripper) RoundTrip(ctx context.Context, req, res soap.HasFault) error {
	gen := r.gen.Load()
	err := r.rt.RoundTrip(ctx, req, res)
	if err == nil || r.login == nil || !fault.Is(err, &types.NotAuthenticated{}) {
		return err
	}
	if r.closed.Load() {
		return fmt.Errorf("%s: the client was closed: %w", MethodName(req), err)
	}
	method := MethodName(req)
	if err := r.renew(ctx, gen); err != nil {
		return fmt.Errorf("%s: session expired and logging in again failed: %w", method, err)
	}
	if !readOnlyMethods[method] {
		r.log.Warn("session expired; not retrying a mutating request", "method", method)
		return fmt.Errorf("%s: the session had expired, so nothing was changed; a new session is ready, run it again: %w", method, err)
	}
	r.log.Info("session expired; retrying after re-login", "method", method)
	resetBody(res)
	return r.rt.RoundTrip(ctx, req, res)
}

// renew logs in again unless another caller already did since gen.
func (r *reloginRoundTripper) renew(ctx context.Context, gen uint64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.gen.Load() != gen {
		return nil
	}
	if err := r.login(ctx); err != nil {
		return err
	}
	r.gen.Add(1)
	return nil
}

// AwaitSession returns once the session works, logging in again if the
// server lost it (it restarted, or the session expired); a stream calls it
// before it reconnects. The streams of a client lose the server together
// and come back together: they take turns here, so that one logs in and
// the others find the session fresh, instead of racing to log in while
// the others rebuild what the old session held (its views and collectors
// then vanish under them: ManagedObjectNotFound).
func AwaitSession(ctx context.Context, c *Conn) error {
	r := c.session
	seen := r.checks.Load()
	r.checkMu.Lock()
	defer r.checkMu.Unlock()
	if r.checks.Load() != seen {
		return nil // another stream checked it while this one waited
	}
	if r.closed.Load() {
		return errors.New("the client was closed")
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	gen := r.gen.Load()
	us, err := session.NewManager(c.vim).UserSession(ctx)
	if err != nil {
		return fmt.Errorf("check the session: %w", err)
	}
	if us == nil { // the server does not know the session
		if err := r.renew(ctx, gen); err != nil {
			return fmt.Errorf("log in again: %w", err)
		}
		r.log.Info("the server had lost the session; logged in again")
	}
	r.checks.Add(1)
	return nil
}

// MethodName returns the SOAP method of a govmomi request body, e.g.
// "RetrievePropertiesEx" for *methods.RetrievePropertiesExBody.
func MethodName(req soap.HasFault) string {
	t := reflect.TypeOf(req)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return strings.TrimSuffix(t.Name(), "Body")
}

// resetBody zeroes a response body, so a fault decoded by the first attempt
// does not survive into the retry's result.
func resetBody(res soap.HasFault) {
	v := reflect.ValueOf(res)
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		v.Elem().Set(reflect.Zero(v.Elem().Type()))
	}
}
