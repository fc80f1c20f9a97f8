package vsphere

import (
	"context"
	"crypto/tls"
	"net/url"
	"slices"
	"testing"

	"github.com/vtui/vtui/vsphere/internal/conntest"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/soap"
)

// vpxModel builds govmomi's own VPX model, to be served on a loopback
// port with user u and password p; it is removed when t ends.
func vpxModel(t *testing.T) *simulator.Model {
	t.Helper()
	m := simulator.VPX()
	m.Autostart = false
	if err := m.Create(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Remove)
	m.Service.Listen = &url.URL{Host: "127.0.0.1:0", User: url.UserPassword("u", "p")}
	return m
}

// plainVcsim serves govmomi's own VPX model, without vtui's additions, and
// logs in to it: what the fields vcsim keeps look like to vtui.
func plainVcsim(t *testing.T) *Client {
	t.Helper()
	c, _ := plainVcsimTwice(t)
	return c
}

// plainVcsimTwice is plainVcsim with two sessions, as two users.
func plainVcsimTwice(t *testing.T) (*Client, *Client) {
	t.Helper()
	m := vpxModel(t)
	m.Service.TLS = new(tls.Config)
	srv := m.Service.NewServer()
	t.Cleanup(srv.Close)
	var cs [2]*Client
	for i := range cs {
		c, err := Connect(context.Background(), Config{URL: srv.URL.Host, Username: "u", Password: "p",
			Thumbprint: soap.ThumbprintSHA256(srv.Certificate())})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close(context.Background()) })
		cs[i] = c
	}
	return cs[0], cs[1]
}

// TestClusterCountsFallBackToHostsOnPlainVcsim: plain vcsim leaves each
// cluster's usage summary zero (statsGenNumber 0), so get clusters adds
// the clusters up from their hosts, as the whole inventory does.
func TestClusterCountsFallBackToHostsOnPlainVcsim(t *testing.T) {
	c := plainVcsim(t)
	ctx := context.Background()
	whole, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rec := conntest.Record(c.conn)
	listed, err := c.InventoryFor(ctx, Listing(Load{Clusters: Rows}, Filter{}))
	if err != nil {
		t.Fatal(err)
	}
	if r := rec.Sent(func(m string) bool { return m == "RetrievePropertiesEx" }); len(r) != 2 || !slices.Equal(slices.Sorted(slices.Values(rec.Paths()["HostSystem"])), []string{
		"name", "summary.quickStats.overallCpuUsage", "summary.quickStats.overallMemoryUsage", "vm"}) {
		t.Errorf("get clusters sent %d retrievals, reading hosts' %v; want the clusters', then one of the hosts' name, usage and VMs", len(r), rec.Paths()["HostSystem"])
	}
	if len(listed.Clusters) == 0 || len(listed.Clusters) != len(whole.Clusters) {
		t.Fatalf("listed %d clusters; want the whole inventory's %d", len(listed.Clusters), len(whole.Clusters))
	}
	for i, got := range listed.Clusters {
		want := whole.Clusters[i]
		if got.HostCount != want.HostCount || got.VMCount != want.VMCount || got.HostCount == 0 || got.VMCount == 0 {
			t.Errorf("%s: %d hosts, %d VMs; want %d and %d, its hosts' sum", got.Name, got.HostCount, got.VMCount, want.HostCount, want.VMCount)
		}
		if got.Datacenter != "DC0" {
			t.Errorf("%s is in datacenter %q; want DC0, found up its parents", got.Name, got.Datacenter)
		}
	}
}
