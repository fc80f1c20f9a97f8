package vsphere

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestResolverTellsTwinsApart(t *testing.T) {
	c, srv := connectSim(t, "small")
	twin, err := srv.CreateVM(context.Background(), "prod", "web-01")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var orig VM // the preset's web-01
	for _, v := range inv.VMs {
		if v.Name == "web-01" && v.ID != twin {
			orig = v
		}
	}
	r := NewResolver(c, inv)
	ids := func(vms []VM) string {
		var s []string
		for _, v := range vms {
			s = append(s, v.ID)
		}
		return strings.Join(s, ",")
	}
	for _, tc := range []struct {
		args    []string
		want    string // IDs, or
		wantErr string
	}{
		{args: []string{"web-01"}, wantErr: `VM name "web-01" is ambiguous: 2 VMs have it:`},
		{args: []string{twin}, want: twin},
		{args: []string{"/dc-01/vm/prod/web-01"}, want: twin},
		{args: []string{"/dc-01/vm/web-01"}, want: orig.ID},
		{args: []string{"web-0[1]"}, want: ""}, // a glob takes both, checked below
		{args: []string{"/dc-01/vm/prod/nope"}, wantErr: `no VM named "/dc-01/vm/prod/nope"`},
	} {
		got, err := r.VMs(ctx, tc.args)
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("VMs(%q) = %s, %v; want an error containing %q", tc.args, ids(got), err, tc.wantErr)
			}
		case tc.want == "":
			if err != nil || len(got) != 2 {
				t.Errorf("VMs(%q) = %s, %v; want both web-01s", tc.args, ids(got), err)
			}
		case err != nil || ids(got) != tc.want:
			t.Errorf("VMs(%q) = %s, %v; want %s", tc.args, ids(got), err, tc.want)
		}
	}
	_, err = r.VMs(ctx, []string{"web-01"})
	if !errors.Is(err, ErrAmbiguous) || !strings.Contains(err.Error(), twin+" (/dc-01/vm/prod/web-01)") ||
		!strings.Contains(err.Error(), orig.ID+" (/dc-01/vm/web-01)") {
		t.Errorf("ambiguity error %v; want both IDs with their paths", err)
	}
	h, err := r.Host(ctx, "/dc-01/host/cluster-a/esx-a-02.lab.local", "--host")
	if err != nil || h.Name != "esx-a-02.lab.local" {
		t.Errorf("Host(path) = %v, %v", h.Name, err)
	}
	if h2, err := r.Host(ctx, h.ID, "--host"); err != nil || h2.Ref != h.Ref {
		t.Errorf("Host(%s) = %v, %v", h.ID, h2.Name, err)
	}
}

// TestResolverFindsPools: a resource pool is named as VMs and hosts are, by
// its ID or inventory path, besides its name and its path under its
// cluster, and still only among the target cluster's pools.
func TestResolverFindsPools(t *testing.T) {
	c, _ := connectSim(t, "small")
	ctx := context.Background()
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pools, err := c.ResourcePools(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := NewResolver(c, inv)
	clusterOf := func(host string) Ref {
		h, err := inv.HostNamed(host + ".lab.local")
		if err != nil {
			t.Fatal(err)
		}
		return h.ClusterRef
	}
	clusterA, clusterB := clusterOf("esx-a-01"), clusterOf("esx-b-01")
	rootB, err := r.Pool(ctx, pools, "cluster-b/Resources", Ref{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		cluster Ref
		wantErr string // "" for cluster-b's root pool
	}{
		{rootB.Ref.Value, clusterB, ""},
		{rootB.Ref.Value, Ref{}, ""},
		{"/dc-01/host/cluster-b/Resources", clusterB, ""},
		{"Resources", clusterB, ""},
		{rootB.Ref.Value, clusterA, `resource pool "` + rootB.Ref.Value + `" is not found in the target cluster: it belongs to cluster-b/Resources`},
		{"/dc-01/host/cluster-b/Resources", clusterA, "it belongs to cluster-b/Resources"},
		{"/dc-01/host/cluster-b/Nope", clusterB, `no resource pool "/dc-01/host/cluster-b/Nope": not found (pools: cluster-b/Resources (` + rootB.Ref.Value + `))`},
	} {
		p, err := r.Pool(ctx, pools, tt.name, tt.cluster)
		if tt.wantErr != "" {
			if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Pool(%q, cluster %q) = %v, %v; want an error containing %q", tt.name, tt.cluster.Value, p.Path, err, tt.wantErr)
			}
			continue
		}
		if err != nil || p.Ref != rootB.Ref {
			t.Errorf("Pool(%q, cluster %q) = %v, %v; want %s (%s)", tt.name, tt.cluster.Value, p.Path, err, rootB.Path, rootB.Ref.Value)
		}
	}
}
