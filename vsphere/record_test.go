package vsphere

import (
	"context"
	"slices"
	"sync"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vtui/vtui/vsphere/internal/conn"
)

// recorder is a test transport: it records the SOAP method of every request
// that reaches it, and the property paths retrievals ask for. vsphere/gate's
// tests keep the same one: a package's internal tests cannot import
// another's, and vspheretest, which imports vsphere, cannot serve these.
type recorder struct {
	rt      soap.RoundTripper
	mu      sync.Mutex
	methods []string
	paths   map[string][]string // by managed-object type, as asked for
}

func (r *recorder) RoundTrip(ctx context.Context, req, res soap.HasFault) error {
	r.mu.Lock()
	r.methods = append(r.methods, conn.MethodName(req))
	if b, ok := req.(*methods.RetrievePropertiesExBody); ok {
		if r.paths == nil {
			r.paths = map[string][]string{}
		}
		for _, spec := range b.Req.SpecSet {
			for _, ps := range spec.PropSet {
				r.paths[ps.Type] = append(r.paths[ps.Type], ps.PathSet...)
			}
		}
	}
	r.mu.Unlock()
	return r.rt.RoundTrip(ctx, req, res)
}

// record puts a recorder under c's transport's top layer.
func record(c *Client) *recorder {
	r := &recorder{rt: c.vim.RoundTripper}
	c.vim.RoundTripper = r
	return r
}

// sent returns the recorded methods for which keep is true.
func (r *recorder) sent(keep func(string) bool) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.DeleteFunc(slices.Clone(r.methods), func(m string) bool { return !keep(m) })
}
