package vspheretest

import (
	"context"
	"testing"

	"github.com/vmware/govmomi/vim25/soap"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/internal/vcsimtest"
)

// PlainVcsim serves govmomi's own VPX model, without vtui's additions (no
// fault door, no HA emulation), and logs in to it: what a server that is
// not vtui's simulator looks like to vtui. Both end when tb does.
func PlainVcsim(tb testing.TB) *vsphere.Client {
	tb.Helper()
	srv := vcsimtest.HTTPS(tb)
	c, err := vsphere.Connect(context.Background(), vsphere.Config{URL: srv.URL.Host, Username: vcsimtest.User, Password: vcsimtest.Password,
		Thumbprint: soap.ThumbprintSHA256(srv.Certificate())})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}
