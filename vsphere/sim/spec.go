package sim

import (
	"errors"
	"fmt"
	"strings"
)

// Names of the objects that Spec.FirstClusterExtras adds. They are present
// only on the hosts of the first cluster (cluster-a), so that moving a VM
// that uses them to another cluster must fail a migration precheck.
const (
	// FirstClusterDatastore is the datastore mounted only on cluster-a's hosts.
	FirstClusterDatastore = "ds-a-only"
	// FirstClusterNetwork is the portgroup present only on cluster-a's hosts.
	FirstClusterNetwork = "pg-a-only"
)

// Spec describes the inventory a simulator is built with.
//
// The zero Spec is valid and builds a single empty datacenter.
type Spec struct {
	Datacenters     int // usually 1; 0 means 1
	Clusters        int // per datacenter
	HostsPerCluster int
	VMs             int // total, spread over all cluster hosts round-robin
	Datastores      int // shared datastores mounted on every host of a datacenter
	HAClusters      int // per datacenter, the first N clusters get HA (dasConfig.enabled) and DRS enabled

	// DatastoresPerCluster gives each cluster datastores of its own,
	// mounted on its hosts only, as storage is zoned in large estates
	// (and as a VMFS volume has at most 128 hosts). A cluster's VMs then
	// live on its own datastores rather than on the shared ones.
	DatastoresPerCluster int

	// Mix, if not zero, sets how many VMs are powered off, suspended or
	// templates, exactly; the rest are powered on. The zero Mix keeps the
	// default cycle: of every twelve VMs, nine on, two off, one suspended.
	Mix VMMix

	// FirstClusterExtras adds the datastore FirstClusterDatastore and the
	// portgroup FirstClusterNetwork to the hosts of the first cluster only,
	// and gives the first VM (placed on the first host of that cluster) a
	// second disk on that datastore and a second NIC on that portgroup.
	FirstClusterExtras bool

	// SnapshotEvery, if set, gives one VM in every SnapshotEvery (the
	// fourth, then every SnapshotEvery-th) a chain of one to three
	// snapshots, the oldest 20 to 120 days old, as forgotten ones are.
	SnapshotEvery int
}

// VMMix counts the VMs of a Spec that are not powered on. A template is
// powered off, has config.template set and no resource pool, as after
// MarkAsTemplate; Off counts the other powered-off VMs.
//
// Taking the VMs host by host, in cluster then host order, each kind is
// spread evenly over them, templates first, then suspended, then off, so
// every host gets its share of each.
type VMMix struct {
	Off, Suspended, Templates int
}

// total is the number of VMs that are not powered on.
func (m VMMix) total() int {
	return m.Off + m.Suspended + m.Templates
}

// presets holds the named Specs in the order PresetNames lists them.
var presets = []struct {
	name string
	spec Spec
}{
	{"small", Spec{
		Datacenters: 1, Clusters: 2, HostsPerCluster: 3, VMs: 12, Datastores: 2, HAClusters: 1,
		FirstClusterExtras: true,
	}},
	{"demo", Spec{
		Datacenters: 1, Clusters: 2, HostsPerCluster: 4, VMs: 60, Datastores: 2, HAClusters: 1,
		SnapshotEvery: 7,
	}},
	{"large", Spec{
		Datacenters: 1, Clusters: 10, HostsPerCluster: 96, VMs: 10000, Datastores: 4, HAClusters: 5,
		SnapshotEvery: 7,
	}},
	{"max", Spec{
		Datacenters: 1, Clusters: 26, HostsPerCluster: 96, VMs: 45000, DatastoresPerCluster: 8, HAClusters: 13,
		SnapshotEvery: 7, Mix: VMMix{Off: 4250, Suspended: 250, Templates: 500},
	}},
}

// DefaultPreset is the preset `vtui --simulator` uses when none is named.
const DefaultPreset = "demo"

// Preset returns the Spec for "small", "demo", "large" or "max"; an unknown name
// gives an error listing the valid names.
//
//   - small (tests): 1 datacenter, 2 clusters × 3 hosts, 12 VMs, 2 shared
//     datastores, HA and DRS on cluster-a, plus FirstClusterExtras.
//   - demo (the default of `vtui --simulator`): 1 datacenter, 2 clusters × 4
//     hosts, 60 VMs (45 on, 10 off, 5 suspended), 2 shared datastores, HA and
//     DRS on cluster-a; 9 VMs with snapshots (SnapshotEvery 7).
//   - large (benchmarks): 1 datacenter, 10 clusters × 96 hosts (vSphere's
//     maximum per cluster), 10,000 VMs (1,000 per cluster), 4 shared
//     datastores, HA and DRS on the first 5 clusters; 1,429 VMs with one
//     to three snapshots each (SnapshotEvery 7).
//   - max (scale benchmarks): a vCenter at its maximums: 1 datacenter, 26
//     clusters × 96 hosts (2,496 hosts), 45,000 VMs of which 40,000 are
//     powered on, 4,250 off, 250 suspended and 500 are templates (about
//     20 per cluster); 8 datastores per cluster (208, about 216 VMs each,
//     each mounted on its cluster's 96 hosts) and none shared; HA and DRS
//     on the first 13 clusters; 6,429 VMs with snapshots (SnapshotEvery 7).
func Preset(name string) (Spec, error) {
	for _, p := range presets {
		if p.name == name {
			return p.spec, nil
		}
	}
	return Spec{}, fmt.Errorf("unknown simulator preset %q: valid presets are %s",
		name, strings.Join(PresetNames(), ", "))
}

// PresetNames lists valid preset names in order, smallest first.
func PresetNames() []string {
	names := make([]string, len(presets))
	for i, p := range presets {
		names[i] = p.name
	}
	return names
}

// The largest inventory a Spec may ask for: vSphere's own maximums for
// hosts per cluster (96) and per vCenter (2,500), and 100,000 VMs, past
// which building takes too long and too much memory to be useful (10,000
// VMs build in about 7 s).
const (
	MaxVMs             = 100_000
	MaxHostsPerCluster = 96
	MaxHosts           = 2_500
	MaxDatastores      = 1_000
	MaxDatacenters     = 100
)

// Validate reports whether the Spec can be built: no negative counts, no
// more HA clusters than clusters, somewhere to put VMs, no more VMs in the
// Mix than VMs, and no more than MaxVMs, MaxHostsPerCluster, MaxHosts,
// MaxDatastores (shared and per cluster, in all) and MaxDatacenters.
func (s Spec) Validate() error {
	var errs []error
	for _, c := range []struct {
		name string
		n    int
	}{
		{"datacenters", s.Datacenters},
		{"clusters", s.Clusters},
		{"hosts per cluster", s.HostsPerCluster},
		{"VMs", s.VMs},
		{"datastores", s.Datastores},
		{"HA clusters", s.HAClusters},
		{"datastores per cluster", s.DatastoresPerCluster},
		{"powered-off VMs", s.Mix.Off},
		{"suspended VMs", s.Mix.Suspended},
		{"templates", s.Mix.Templates},
	} {
		if c.n < 0 {
			errs = append(errs, fmt.Errorf("%s must not be negative, got %d", c.name, c.n))
		}
	}
	for _, c := range []struct {
		name   string
		n, max int
	}{
		{"VMs", s.VMs, MaxVMs},
		{"hosts", s.datacenters() * s.Clusters * s.HostsPerCluster, MaxHosts},
		{"datastores", s.datacenters() * (s.Datastores + s.Clusters*s.DatastoresPerCluster), MaxDatastores},
		{"datacenters", s.Datacenters, MaxDatacenters},
	} {
		if c.n > c.max {
			errs = append(errs, fmt.Errorf("%d %s is more than the simulator builds (at most %d)", c.n, c.name, c.max))
		}
	}
	if s.HostsPerCluster > MaxHostsPerCluster {
		errs = append(errs, fmt.Errorf("%d hosts per cluster is more than vSphere allows: a cluster has at most %d hosts (vSphere's configuration maximum); use more clusters",
			s.HostsPerCluster, MaxHostsPerCluster))
	}
	if s.HAClusters > s.Clusters {
		errs = append(errs, fmt.Errorf("HA clusters (%d) exceed clusters per datacenter (%d)", s.HAClusters, s.Clusters))
	}
	if s.VMs > 0 && s.Clusters*s.HostsPerCluster == 0 {
		errs = append(errs, fmt.Errorf("%d VMs need at least one cluster host", s.VMs))
	}
	if s.Datastores+s.DatastoresPerCluster > 0 && s.Clusters*s.HostsPerCluster == 0 {
		errs = append(errs, fmt.Errorf("%d datastores need at least one cluster host to mount them", s.Datastores+s.DatastoresPerCluster))
	}
	if s.VMs > 0 && s.Datastores+s.DatastoresPerCluster == 0 {
		errs = append(errs, fmt.Errorf("%d VMs need at least one datastore, shared or per cluster", s.VMs))
	}
	if n := s.Mix.total(); n > s.VMs {
		errs = append(errs, fmt.Errorf("%d VMs not powered on (%d off, %d suspended, %d templates) are more than the %d VMs",
			n, s.Mix.Off, s.Mix.Suspended, s.Mix.Templates, s.VMs))
	}
	if s.FirstClusterExtras && s.Clusters*s.HostsPerCluster == 0 {
		errs = append(errs, errors.New("first-cluster extras need at least one cluster host"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("invalid simulator spec: %w", err)
	}
	return nil
}

// datacenters returns the number of datacenters to build, treating 0 as 1.
func (s Spec) datacenters() int {
	return max(s.Datacenters, 1)
}
