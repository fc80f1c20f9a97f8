package vsphere

import (
	"slices"
	"strings"
	"testing"
)

func testInventory() *Inventory {
	return &Inventory{
		Clusters: []Cluster{{Name: "prod", Ref: Ref{Type: "ClusterComputeResource", Value: "c1"}}, {Name: "dev", Ref: Ref{Type: "ClusterComputeResource", Value: "c2"}}},
		Hosts: []Host{
			{Name: "esx1", Cluster: "prod", ClusterRef: Ref{Type: "ClusterComputeResource", Value: "c1"}, Datastores: []string{"shared", "local1"}, Networks: []string{"VM Network"}},
			{Name: "esx2", Cluster: "dev", ClusterRef: Ref{Type: "ClusterComputeResource", Value: "c2"}, Datastores: []string{"shared"}, Networks: []string{"VM Network", "dmz"}},
		},
		VMs: []VM{
			{Name: "web-1", Host: "esx1", Cluster: "prod", Datastores: []string{"shared"}, Networks: []string{"VM Network"}},
			{Name: "web-2", Host: "esx2", Cluster: "dev", Datastores: []string{"shared"}, Networks: []string{"dmz"}},
			{Name: "db-1", Host: "esx1", Cluster: "prod", Datastores: []string{"local1"}, Networks: []string{"VM Network"}},
		},
		Datastores: []Datastore{{Name: "local1"}, {Name: "shared"}},
		Networks:   []Network{{Name: "VM Network"}, {Name: "dmz"}},
	}
}

func TestFilterVMs(t *testing.T) {
	inv := testInventory()
	tests := []struct {
		f    Filter
		want []string
	}{
		{Filter{}, []string{"web-1", "web-2", "db-1"}},
		{Filter{Name: "web-*"}, []string{"web-1", "web-2"}},
		{Filter{Cluster: "prod"}, []string{"web-1", "db-1"}},
		{Filter{Host: "esx2"}, []string{"web-2"}},
		{Filter{Name: "web-*", Cluster: "prod"}, []string{"web-1"}},
		{Filter{Datastore: "local1"}, []string{"db-1"}},
		{Filter{Network: "dmz"}, []string{"web-2"}},
		{Filter{Name: "nope"}, []string{}},
	}
	for _, tt := range tests {
		var got []string
		for _, v := range inv.FilterVMs(tt.f) {
			got = append(got, v.Name)
		}
		if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
			t.Errorf("FilterVMs(%+v) = %v; want %v", tt.f, got, tt.want)
		}
	}
}

func TestFilterAttachedObjects(t *testing.T) {
	inv := testInventory()
	var ds, nets []string
	for _, d := range inv.FilterDatastores(Filter{Cluster: "dev"}) {
		ds = append(ds, d.Name)
	}
	for _, n := range inv.FilterNetworks(Filter{Host: "esx1"}) {
		nets = append(nets, n.Name)
	}
	if !slices.Equal(ds, []string{"shared"}) || !slices.Equal(nets, []string{"VM Network"}) {
		t.Errorf("datastores of dev = %v, networks of esx1 = %v; want [shared] and [VM Network]", ds, nets)
	}
}

func TestFilterValidate(t *testing.T) {
	inv := testInventory()
	tests := []struct {
		f    Filter
		want string
	}{
		{Filter{Name: "web-*", Cluster: "prod", Host: "esx1"}, ""},
		{Filter{Name: "[a-"}, "invalid name pattern"},
		{Filter{Cluster: "qa"}, `no cluster named "qa": not found (clusters: prod, dev)`},
		{Filter{Host: "esx9"}, `no host named "esx9"`},
	}
	for _, tt := range tests {
		err := tt.f.Validate(inv)
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("Validate(%+v) = %v; want %q", tt.f, err, tt.want)
		}
	}
}
