package vspheretest

import (
	"context"
	"crypto/tls"
	"net/url"
	"testing"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/soap"

	"github.com/vtui/vtui/vsphere"
)

// PlainVcsim serves govmomi's own VPX model, without vtui's additions (no
// fault door, no HA emulation), and logs in to it: what a server that is
// not vtui's simulator looks like to vtui. Both end when tb does.
func PlainVcsim(tb testing.TB) *vsphere.Client {
	tb.Helper()
	m := simulator.VPX()
	m.Autostart = false
	if err := m.Create(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(m.Remove)
	m.Service.Listen = &url.URL{Host: "127.0.0.1:0", User: url.UserPassword("u", "p")}
	m.Service.TLS = new(tls.Config)
	srv := m.Service.NewServer()
	tb.Cleanup(func() { closeVcsim(tb, srv) })
	c, err := vsphere.Connect(context.Background(), vsphere.Config{URL: srv.URL.Host, Username: "u", Password: "p",
		Thumbprint: soap.ThumbprintSHA256(srv.Certificate())})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// closeVcsim closes srv, waiting for it at most closeWait: vcsim's
// WaitForUpdatesEx waits on a context of its own, not the request's, so a
// long poll whose client gave up while the request was on its way (a
// watch cancelled as its test ends) is never answered, and Close would
// wait for it for ever.
func closeVcsim(tb testing.TB, srv *simulator.Server) {
	done := make(chan struct{})
	go func() {
		srv.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(closeWait):
		tb.Logf("plain vcsim: a long poll outlived its client (vcsim's WaitForUpdatesEx ignores the end of its request); not waiting for it")
	}
}

// closeWait is how long closeVcsim waits for the server's requests.
const closeWait = 10 * time.Second
