package sim

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Waits end with their connection
//
// vcsim runs every call with a context of its own that nothing cancels,
// so a WaitForUpdatesEx whose client was killed waits on (and, in vcsim,
// works on) for nobody. Go's HTTP server does cancel the request's
// context when the client's connection closes. The SDK endpoint is
// therefore wrapped: for a wait it records the request's context under
// the session's cookie and the collector, and the wait (collector.go) ends
// when that context does.

// waitConns maps the waits in progress to their requests' contexts.
type waitConns struct {
	mu sync.Mutex
	m  map[waitKey]*waitConn
}

// waitKey names a wait: the session (its cookie is the session's key) and
// the collector.
type waitKey struct {
	session string
	this    types.ManagedObjectReference
}

type waitConn struct{ ctx context.Context }

// of returns the context of the request waiting on this for session, or
// one never cancelled for a wait that came by no HTTP request.
func (w *waitConns) of(session string, this types.ManagedObjectReference) context.Context {
	w.mu.Lock()
	defer w.mu.Unlock()
	if c := w.m[waitKey{session, this}]; c != nil {
		return c.ctx
	}
	return context.Background()
}

// add records the request context of the wait k until the returned
// function is called.
func (w *waitConns) add(k waitKey, ctx context.Context) (remove func()) {
	c := &waitConn{ctx}
	w.mu.Lock()
	if w.m == nil {
		w.m = map[waitKey]*waitConn{}
	}
	w.m[k] = c
	w.mu.Unlock()
	return func() {
		w.mu.Lock()
		if w.m[k] == c {
			delete(w.m, k)
		}
		w.mu.Unlock()
	}
}

// sdkHandler wraps vcsim's SDK endpoint so that waits know their request,
// and the property collector's methods know that their answer goes out
// over HTTP (answer.go). Calls pass through untouched (their bodies are
// read once more).
func (vc *vcenter) sdkHandler(next http.Handler) http.Handler {
	typeFunc := types.TypeFunc()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		_ = r.Body.Close()
		if err != nil {
			http.Error(w, "read the request: "+err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		cookie, err := r.Cookie(soap.SessionCookieName)
		if err == nil {
			defer vc.http.enter(cookie.Value)()
		}
		if err == nil && bytes.Contains(body, []byte("WaitForUpdates")) {
			if m, err := simulator.UnmarshalBody(typeFunc, body); err == nil {
				defer vc.feed.conns.add(waitKey{cookie.Value, m.This}, r.Context())()
			}
		}
		next.ServeHTTP(w, r)
	})
}

// wrapSDK registers vcsim's SDK endpoint (as NewServer would, which then
// leaves it as is) and puts sdkHandler in front of it: the service gets a
// mux that sends the SDK paths through it, and everything else to vcsim's
// mux. NewServer adds vcsim's other endpoints, and the door, to the new
// one.
func (vc *vcenter) wrapSDK(svc *simulator.Service) {
	sdk := svc.Context.Map.Path
	svc.RegisterSDK(svc.Context.Map, sdk+"/vimService")
	inner := svc.ServeMux
	mux := http.NewServeMux()
	mux.Handle(sdk, vc.sdkHandler(inner))
	mux.Handle(sdk+"/vimService", vc.sdkHandler(inner))
	mux.Handle("/", inner)
	svc.ServeMux = mux
}
