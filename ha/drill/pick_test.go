package drill

import (
	"slices"
	"strings"
	"testing"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
)

func TestPickTargets(t *testing.T) {
	hosts := []vsphere.Host{
		{Name: "h1", ConnectionState: "connected"}, {Name: "h2", ConnectionState: "connected"},
		{Name: "h3", ConnectionState: "connected"}, {Name: "h4", ConnectionState: "connected", MaintenanceMode: true},
		{Name: "h5", ConnectionState: "notResponding"}, {Name: "empty", ConnectionState: "connected"},
	}
	var vms []vsphere.VM
	for host, n := range map[string]int{"h1": 1, "h2": 3, "h3": 2, "h4": 5, "h5": 5} {
		for range n {
			vms = append(vms, vsphere.VM{Host: host, PowerState: "poweredOn"})
		}
	}
	vms = append(vms, vsphere.VM{Host: "empty", PowerState: "poweredOff"})
	tests := []struct {
		name    string
		targets Targets
		want    []string // nil: refused
		why     string
	}{
		{"named", Targets{Hosts: []string{"h3"}}, []string{"h3"}, ""},
		{"named, not in the cluster", Targets{Hosts: []string{"h9"}}, nil, "h9 is not a host of c (its hosts: empty, h1, h2, h3, h4, h5)"},
		{"named, in maintenance", Targets{Hosts: []string{"h4"}}, nil, "h4 is in maintenance mode"},
		{"named, not responding", Targets{Hosts: []string{"h5"}}, nil, "h5 is notResponding"},
		{"most VMs: up hosts only, most first", Targets{Pick: PickMostVMs, Count: 2}, []string{"h2", "h3"}, ""},
		{"more than run VMs", Targets{Pick: PickMostVMs, Count: 4}, nil, "3 hosts up and running VMs, fewer than the 4 to pick"},
		{"random never picks an empty host", Targets{Pick: PickRandom, Count: 2, Seed: 99}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, check := pickTargets(tt.targets, "c", hosts, vms)
			var names []string
			for _, h := range got {
				names = append(names, h.Name)
			}
			switch {
			case tt.why != "":
				if check.Status != gate.CheckFail || !strings.Contains(check.Reason, tt.why) {
					t.Errorf("pickTargets(%+v) = %v, %v; want refused: %s", tt.targets, names, check, tt.why)
				}
			case tt.want != nil && !slices.Equal(names, tt.want):
				t.Errorf("pickTargets(%+v) = %v, %v; want %v", tt.targets, names, check, tt.want)
			case len(names) != max(len(tt.want), tt.targets.Count) || slices.Contains(names, "empty"):
				t.Errorf("pickTargets(%+v) = %v, %v", tt.targets, names, check)
			}
		})
	}
	// A seed picks the same hosts every time; different seeds, in time,
	// pick different ones.
	first, seed, _ := pickTargets(Targets{Pick: PickRandom, Count: 1, Seed: 7}, "c", hosts, vms)
	seen := map[string]bool{}
	for s := range int64(50) {
		again, _, _ := pickTargets(Targets{Pick: PickRandom, Count: 1, Seed: 7}, "c", hosts, vms)
		other, _, _ := pickTargets(Targets{Pick: PickRandom, Count: 1, Seed: 100 + s}, "c", hosts, vms)
		if again[0].Name != first[0].Name {
			t.Fatalf("seed 7 picked %s, then %s", first[0].Name, again[0].Name)
		}
		seen[other[0].Name] = true
	}
	if seed != 7 || len(seen) != 3 {
		t.Errorf("seed %d; 50 seeds picked %v; want all 3 hosts running VMs", seed, seen)
	}
	if _, seed, _ := pickTargets(Targets{Pick: PickRandom, Count: 1}, "c", hosts, vms); seed == 0 {
		t.Error("a random pick without a seed reports no seed, so it cannot be repeated")
	}
}
