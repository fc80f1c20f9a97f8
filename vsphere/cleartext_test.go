package vsphere

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vtui/vtui/vsphere/internal/vcsimtest"
)

// TestConnectSendsNothingOverHTTP: against vcsim serving plain http (TLS
// off), Connect refuses the http URL, alone or with a TLS option that
// would contradict it, before a byte is sent: the password never travels
// in clear text.
func TestConnectSendsNothingOverHTTP(t *testing.T) {
	srv := vcsimtest.Serve(t, vcsimtest.VPX(t)) // Service.TLS is nil: http
	if srv.URL.Scheme != "http" {
		t.Fatalf("vcsim serves %s; want http", srv.URL.Scheme)
	}
	proxy, conns := countingProxy(t, srv.URL.Host)
	plain := "http://" + proxy + "/sdk"
	for _, cfg := range []Config{
		{URL: plain},
		{URL: "HTTP://" + proxy},
		{URL: plain, Insecure: true},
		{URL: plain, Thumbprint: strings.Repeat("ab", 32)},
	} {
		cfg.Username, cfg.Password = vcsimtest.User, vcsimtest.Password
		c, err := Connect(context.Background(), cfg)
		if err == nil {
			_ = c.Close(context.Background())
		}
		if !errors.Is(err, ErrClearText) || !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "use https://"+proxy+"/sdk") {
			t.Errorf("Connect(%s, insecure %t, thumbprint %q) err = %v; want ErrClearText saying to use https", cfg.URL, cfg.Insecure, cfg.Thumbprint, err)
		}
	}
	if n := conns.Load(); n != 0 {
		t.Errorf("%d connections reached the http server; want none", n)
	}
}

// countingProxy forwards loopback connections to target and counts them.
func countingProxy(t *testing.T, target string) (string, *atomic.Int64) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	var n atomic.Int64
	go func() {
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			go func() { _, _ = io.Copy(out, in); out.Close() }()
			go func() { _, _ = io.Copy(in, out); in.Close() }()
		}
	}()
	return l.Addr().String(), &n
}
