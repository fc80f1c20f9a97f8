package vspheretest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/xml"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"slices"
	"sync"
	"testing"

	"github.com/vmware/govmomi/vim25/soap"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/sim"
)

// Recorder stands between clients and a simulator and records the SOAP
// method of every request that reaches the simulator through it: what a
// client sent, as the server saw it, whatever the client claims.
type Recorder struct {
	srv   *sim.Server
	proxy *httptest.Server

	mu      sync.Mutex
	methods []string
}

// Record serves a recording proxy to srv on loopback, with a certificate
// of its own; it is closed when tb ends. Clients reach it with Config.
func Record(tb testing.TB, srv *sim.Server) *Recorder {
	tb.Helper()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	target := *srv.URL
	target.Path = "" // the request brings its own, /sdk
	rp := httputil.NewSingleHostReverseProxy(&target)
	rp.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}
	rp.FlushInterval = -1 // long polls (WaitForUpdatesEx) pass through as they come
	// A client that goes away mid-request is the proxy's everyday; it is
	// not worth a line on the test's output.
	quiet := log.New(io.Discard, "", 0)
	rp.ErrorLog = quiet
	r := &Recorder{srv: srv}
	r.proxy = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		if m := soapMethod(body); m != "" {
			r.mu.Lock()
			r.methods = append(r.methods, m)
			r.mu.Unlock()
		}
		rp.ServeHTTP(w, req)
	}))
	r.proxy.Config.ErrorLog = quiet
	r.proxy.StartTLS()
	tb.Cleanup(r.proxy.Close)
	return r
}

// Config returns the settings that reach the simulator through the
// recorder, trusting the recorder's certificate by thumbprint.
func (r *Recorder) Config() vsphere.Config {
	cfg := Config(r.srv)
	cfg.URL = r.proxy.Listener.Addr().String()
	cfg.Thumbprint = soap.ThumbprintSHA256(r.proxy.Certificate())
	return cfg
}

// Methods returns the methods recorded so far, in the order they came.
func (r *Recorder) Methods() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.methods)
}

// Changes returns the recorded methods that a read-only client may not
// send (vsphere.ReadOnlyMethod): those that change vSphere.
func (r *Recorder) Changes() []string {
	return slices.DeleteFunc(r.Methods(), vsphere.ReadOnlyMethod)
}

// Reset forgets what was recorded.
func (r *Recorder) Reset() {
	r.mu.Lock()
	r.methods = nil
	r.mu.Unlock()
}

// soapMethod returns the name of the first element of a SOAP request's
// body, its method; "" if body is not a SOAP request.
func soapMethod(body []byte) string {
	d := xml.NewDecoder(bytes.NewReader(body))
	inBody := false
	for {
		tok, err := d.Token()
		if err != nil {
			return ""
		}
		if el, ok := tok.(xml.StartElement); ok {
			if inBody {
				return el.Name.Local
			}
			inBody = el.Name.Local == "Body"
		}
	}
}
