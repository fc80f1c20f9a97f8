package vsphere

import (
	"context"
	"slices"
	"testing"

	"github.com/vmware/govmomi/vim25/soap"

	"github.com/vtui/vtui/vsphere/internal/conntest"
	"github.com/vtui/vtui/vsphere/internal/vcsimtest"
)

// plainVcsim serves govmomi's own VPX model, without vtui's additions, and
// logs in to it: what the fields vcsim keeps look like to vtui. It is
// vspheretest.PlainVcsim, which this package's internal tests cannot
// import; both end when t does.
func plainVcsim(t *testing.T) *Client {
	t.Helper()
	c, _ := plainVcsimTwice(t)
	return c
}

// plainVcsimTwice is plainVcsim with two sessions of its user.
func plainVcsimTwice(t *testing.T) (*Client, *Client) {
	t.Helper()
	srv := vcsimtest.HTTPS(t)
	var cs [2]*Client
	for i := range cs {
		c, err := Connect(context.Background(), Config{URL: srv.URL.Host, Username: vcsimtest.User, Password: vcsimtest.Password,
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
	if r := rec.Sent(func(m string) bool { return m == "RetrievePropertiesEx" }); len(r) != 3 || !slices.Equal(slices.Sorted(slices.Values(rec.Paths()["HostSystem"])), []string{
		"name", "summary.quickStats.overallCpuUsage", "summary.quickStats.overallMemoryUsage", "vm"}) || !slices.Contains(rec.Paths()["ClusterComputeResource"], "host") {
		t.Errorf("get clusters sent %d retrievals, reading hosts' %v and clusters' %v; want the clusters', then their host lists and the hosts' name, usage and VMs",
			len(r), rec.Paths()["HostSystem"], rec.Paths()["ClusterComputeResource"])
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
