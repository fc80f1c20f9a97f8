package sim

import (
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"

	"github.com/vtui/vtui/vsphere/internal/leanenc"
)

// Answers encoded leanly
//
// vcsim encodes every answer with govmomi's reflective XML encoder, which
// was, with the garbage it leaves, most of the simulator's CPU during a
// large load. The answers of RetrievePropertiesEx,
// ContinueRetrievePropertiesEx and WaitForUpdatesEx, nearly all the bytes
// a load reads, encode themselves instead (package leanenc), to the same
// bytes but for values' types, which are in the envelope's xsi prefix as
// vCenter writes them: their handlers hand their body to answer, which
// returns a leanBody whose Res is a leanenc.Answer. vcsim's ServeSDK encodes the Res
// field of whatever body a method returns, under the response's name, so
// the envelope, the status, faults (which keep govmomi's bodies), sessions
// and locking stay vcsim's. Only a call that came over HTTP gets a
// leanBody: vcsim's in-process client (Service.RoundTrip, which its
// datastore file endpoint uses) copies the body's Res into a response of
// govmomi's type, so its calls keep govmomi's bodies. sdkHandler
// (requests.go) notes which sessions have calls in progress over HTTP.

// httpCalls counts the SDK calls in progress over HTTP, by session key
// (vcsim's session cookie is the session's key).
type httpCalls struct {
	mu sync.Mutex
	n  map[string]int
}

// enter notes a call of session until the returned function is called.
func (h *httpCalls) enter(session string) (leave func()) {
	h.mu.Lock()
	if h.n == nil {
		h.n = map[string]int{}
	}
	h.n[session]++
	h.mu.Unlock()
	return func() {
		h.mu.Lock()
		if h.n[session]--; h.n[session] == 0 {
			delete(h.n, session)
		}
		h.mu.Unlock()
	}
}

// has reports whether session has a call in progress over HTTP.
func (h *httpCalls) has(session string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n[session] > 0
}

// leanBody is the body of a successful answer that encodes itself.
type leanBody struct {
	Res *leanenc.Answer
}

// Fault implements soap.HasFault: a leanBody never holds one.
func (*leanBody) Fault() *soap.Fault { return nil }

// answer returns the body a property collector method answers ctx's call
// with: body itself, or, for a successful answer to a call that came over
// HTTP, its leanBody.
func (vc *vcenter) answer(ctx *simulator.Context, body soap.HasFault) soap.HasFault {
	if body.Fault() != nil || ctx.Session == nil || !vc.http.has(ctx.Session.Key) {
		return body
	}
	switch b := body.(type) {
	case *methods.RetrievePropertiesExBody:
		return &leanBody{leanenc.RetrievePropertiesEx(b.Res)}
	case *methods.ContinueRetrievePropertiesExBody:
		return &leanBody{leanenc.ContinueRetrievePropertiesEx(b.Res)}
	case *methods.WaitForUpdatesExBody:
		return &leanBody{leanenc.WaitForUpdatesEx(b.Res)}
	}
	return body
}
