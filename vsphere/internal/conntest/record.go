// Package conntest is a test helper for packages under vsphere/: a
// transport that records what a connection sends. It lives apart from
// vsphere/vspheretest because the tests inside package vsphere cannot import
// vspheretest, which imports vsphere; only tests import it.
package conntest

import (
	"context"
	"maps"
	"slices"
	"sync"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"

	"github.com/vtui/vtui/vsphere/internal/conn"
)

// Recorder is a test transport: it records the SOAP method of every
// request that reaches it, and the property paths retrievals ask for. It
// is safe for concurrent use.
type Recorder struct {
	rt      soap.RoundTripper
	mu      sync.Mutex
	methods []string
	paths   map[string][]string // by managed-object type, as asked for
}

// Record puts a Recorder under c's transport's top layer, so that it sees
// every request c sends from now on.
func Record(c *conn.Conn) *Recorder {
	vim := conn.VIM(c)
	r := &Recorder{rt: vim.RoundTripper, paths: map[string][]string{}}
	vim.RoundTripper = r
	return r
}

// RoundTrip records req and passes it on.
func (r *Recorder) RoundTrip(ctx context.Context, req, res soap.HasFault) error {
	r.mu.Lock()
	r.methods = append(r.methods, conn.MethodName(req))
	if b, ok := req.(*methods.RetrievePropertiesExBody); ok {
		for _, spec := range b.Req.SpecSet {
			for _, ps := range spec.PropSet {
				r.paths[ps.Type] = append(r.paths[ps.Type], ps.PathSet...)
			}
		}
	}
	r.mu.Unlock()
	return r.rt.RoundTrip(ctx, req, res)
}

// Sent returns the recorded methods for which keep is true, in the order
// they were sent.
func (r *Recorder) Sent(keep func(string) bool) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.DeleteFunc(slices.Clone(r.methods), func(m string) bool { return !keep(m) })
}

// Paths returns the property paths retrievals asked for so far, by
// managed-object type.
func (r *Recorder) Paths() map[string][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := maps.Clone(r.paths)
	for t, p := range out {
		out[t] = slices.Clone(p)
	}
	return out
}
