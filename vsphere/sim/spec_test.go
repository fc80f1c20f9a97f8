package sim

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// mixOf counts what a built inventory's VMs are, as a client reads them.
func mixOf(vms []mo.VirtualMachine) (on int, mix VMMix) {
	for _, vm := range vms {
		switch {
		case vm.Config.Template:
			mix.Templates++
		case vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn:
			on++
		case vm.Runtime.PowerState == types.VirtualMachinePowerStateSuspended:
			mix.Suspended++
		default:
			mix.Off++
		}
	}
	return on, mix
}

// TestVMMixBuildsExactCountsSpreadOverHosts: a Spec's Mix gives exactly
// as many powered-off, suspended and template VMs as it asks, and every
// host gets its share of each kind (within rounding), whatever the number
// of hosts and VMs; the zero Mix keeps the default cycle the presets'
// goldens rely on (of every twelve VMs, the 4th and 8th off, the 12th
// suspended).
func TestVMMixBuildsExactCountsSpreadOverHosts(t *testing.T) {
	maxSpec, err := Preset("max")
	if err != nil {
		t.Fatal(err)
	}
	// The max preset's mix at 720 VMs (a 62.5th of its size): 640 on.
	scaled := maxSpec.Mix
	scaled.Off, scaled.Suspended, scaled.Templates = scaled.Off/250*4, scaled.Suspended/250*4, scaled.Templates/250*4
	for _, tc := range []struct {
		name   string
		spec   Spec
		wantOn int
	}{
		{"max's mix at 720 VMs, per-cluster datastores", Spec{Clusters: 2, HostsPerCluster: 6, VMs: 720, DatastoresPerCluster: 2, HAClusters: 1, Mix: scaled}, 640},
		{"uneven hosts", Spec{Clusters: 1, HostsPerCluster: 7, VMs: 100, Datastores: 1, Mix: VMMix{Off: 11, Suspended: 3, Templates: 5}}, 81},
		{"templates only", Spec{Clusters: 1, HostsPerCluster: 3, VMs: 10, Datastores: 1, Mix: VMMix{Templates: 10}}, 0},
		{"default cycle", Spec{Clusters: 1, HostsPerCluster: 5, VMs: 24, Datastores: 1}, 18},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := fetch(t, login(t, startSpec(t, tc.spec, Options{})))
			checkConsistency(t, inv)
			on, got := mixOf(inv.vms)
			want := tc.spec.Mix
			if want == (VMMix{}) {
				want = VMMix{Off: tc.spec.VMs / 12 * 2, Suspended: tc.spec.VMs / 12}
				for _, vm := range inv.vms {
					var i int
					fmt.Sscanf(vm.Name[strings.IndexByte(vm.Name, '-')+1:], "%d", &i)
					i = (i-1)*len(roles) + roleIndex(t, vm.Name)
					if s := powerState(i); vm.Runtime.PowerState != s {
						t.Errorf("VM %d (%s) is %s; the default cycle has it %s", i, vm.Name, vm.Runtime.PowerState, s)
					}
				}
			}
			if on != tc.wantOn || got != want {
				t.Errorf("%d on, %+v; want %d on, %+v", on, got, tc.wantOn, want)
			}

			// Each host's share of each kind is its share of the VMs,
			// within rounding (the kinds are picked in turn, so each may
			// be one further off than the one before).
			byRef := refSet(inv.vms, func(vm mo.VirtualMachine) types.ManagedObjectReference { return vm.Self })
			for _, h := range inv.hosts {
				var vms []mo.VirtualMachine
				for _, ref := range h.Vm {
					vms = append(vms, byRef[ref])
				}
				_, hm := mixOf(vms)
				share := float64(len(vms)) / float64(tc.spec.VMs)
				for k, c := range []struct {
					kind      string
					got, want int
				}{{"templates", hm.Templates, want.Templates}, {"suspended", hm.Suspended, want.Suspended}, {"off", hm.Off, want.Off}} {
					if d := math.Abs(float64(c.got) - share*float64(c.want)); d >= float64(k+1) {
						t.Errorf("host %s: %d %s of its %d VMs; want about %.1f", h.Name, c.got, c.kind, len(vms), share*float64(c.want))
					}
				}
			}
		})
	}
}

// roleIndex is the place of a VM's role in roles.
func roleIndex(t *testing.T, name string) int {
	for i, r := range roles {
		if strings.HasPrefix(name, r.name+"-") {
			return i
		}
	}
	t.Fatalf("VM %s has no known role", name)
	return 0
}

// TestDatastoresPerClusterStayInTheirCluster: a cluster's own datastores
// are mounted on its hosts only and hold only its VMs, each of them used.
func TestDatastoresPerClusterStayInTheirCluster(t *testing.T) {
	spec := Spec{Clusters: 3, HostsPerCluster: 2, VMs: 24, DatastoresPerCluster: 2}
	inv := fetch(t, login(t, startSpec(t, spec, Options{})))
	checkConsistency(t, inv)
	if got := inv.counts().Datastores; got != 6 {
		t.Errorf("%d datastores; want 3 clusters × 2", got)
	}
	parent := map[types.ManagedObjectReference]string{}
	for _, h := range inv.hosts {
		for _, c := range inv.clusters {
			if *h.Parent == c.Self {
				parent[h.Self] = c.Name
			}
		}
	}
	for _, ds := range inv.dss {
		want := "cluster-" + strings.Split(ds.Name, "-")[1]
		for _, m := range ds.Host {
			if parent[m.Key] != want {
				t.Errorf("datastore %s is mounted on a host of %s; want %s's only", ds.Name, parent[m.Key], want)
			}
		}
		if len(ds.Host) != spec.HostsPerCluster || len(ds.Vm) != spec.VMs/6 {
			t.Errorf("datastore %s: %d hosts, %d VMs; want %d and %d", ds.Name, len(ds.Host), len(ds.Vm), spec.HostsPerCluster, spec.VMs/6)
		}
	}
}
