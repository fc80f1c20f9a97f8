// Package vcsimtest serves govmomi's own vcsim, without vtui's additions,
// for tests: those of vsphere/vspheretest's users through PlainVcsim, and
// package vsphere's internal tests, which cannot import vspheretest
// (vspheretest imports vsphere). Only tests and vspheretest import it.
package vcsimtest

import (
	"crypto/tls"
	"net/url"
	"testing"
	"time"

	"github.com/vmware/govmomi/simulator"
)

// User and Password log in to the servers of this package.
const (
	User     = "u"
	Password = "p"
)

// VPX builds govmomi's own VPX model, to be served on a loopback port
// with User and Password; it is removed when tb ends.
func VPX(tb testing.TB) *simulator.Model {
	tb.Helper()
	return VPXWith(tb, func(*simulator.Model) {})
}

// VPXWith is VPX with the model's counts set by shape before it is
// created: nested folders or vApps, say.
func VPXWith(tb testing.TB, shape func(*simulator.Model)) *simulator.Model {
	tb.Helper()
	m := simulator.VPX()
	m.Autostart = false
	shape(m)
	if err := m.Create(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(m.Remove)
	m.Service.Listen = &url.URL{Host: "127.0.0.1:0", User: url.UserPassword(User, Password)}
	return m
}

// Serve serves m, over HTTPS when m.Service.TLS is set and plain http
// otherwise, until tb ends; then it closes the server, waiting for it at
// most closeWait: vcsim's WaitForUpdatesEx waits on a context of its
// own, not the request's, so a long poll whose client gave up while the
// request was on its way (a watch cancelled as its test ends) is never
// answered, and an unbounded Close would wait for it for ever.
func Serve(tb testing.TB, m *simulator.Model) *simulator.Server {
	tb.Helper()
	srv := m.Service.NewServer()
	tb.Cleanup(func() { closeBounded(tb, srv.Close, closeWait) })
	return srv
}

// HTTPS serves govmomi's own VPX model over HTTPS, with a certificate of
// its own, until tb ends (Serve); log in with User, Password and the
// certificate's thumbprint.
func HTTPS(tb testing.TB) *simulator.Server {
	tb.Helper()
	m := VPX(tb)
	m.Service.TLS = new(tls.Config)
	return Serve(tb, m)
}

// closeWait is how long Serve waits for a server's requests at its end.
const closeWait = 10 * time.Second

// closeBounded calls stop and waits for it to return at most wait.
func closeBounded(tb testing.TB, stop func(), wait time.Duration) {
	done := make(chan struct{})
	go func() {
		stop()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(wait):
		tb.Logf("plain vcsim: a long poll outlived its client (vcsim's WaitForUpdatesEx ignores the end of its request); not waiting for it")
	}
}
