package admission

import "testing"

// Place ranks the hosts that fit as HA does: dedicated failover hosts
// first, then the fewest rules broken, then the most unreserved capacity
// (the smaller of the CPU and memory shares), then the name.
func TestPlaceRanksFailoverThenRulesThenUnreserved(t *testing.T) {
	host := func(name string, cpuRes, memRes int64) Target {
		return Target{Host: Host{Name: name, CPUMHz: 10000, MemoryMB: 10000, Usable: true}, ReservedCPUMHz: cpuRes, ReservedMemoryMB: memRes}
	}
	vm := VM{Name: "vm", CPUMHz: 1000, MemoryMB: 1000}
	failover := host("h3", 5000, 5000)
	failover.Failover = true
	breaking := host("h1", 0, 0)
	breaking.Breaks = 1
	for _, tc := range []struct {
		name    string
		targets []Target
		want    int
	}{
		{"none fits", []Target{host("h1", 9500, 0), host("h2", 0, 9500)}, -1},
		{"only one fits", []Target{host("h1", 9500, 0), host("h2", 8000, 8000)}, 1},
		{"the smaller share decides, not memory alone", []Target{host("h1", 8000, 1000), host("h2", 3000, 3000)}, 1},
		{"ties go by name", []Target{host("h2", 1000, 1000), host("h1", 1000, 1000)}, 1},
		{"fewer rules broken beats capacity", []Target{breaking, host("h2", 8000, 8000)}, 1},
		{"a failover host beats all", []Target{host("h1", 0, 0), failover}, 1},
	} {
		if got := Place(vm, tc.targets); got != tc.want {
			t.Errorf("%s: Place = %d; want %d", tc.name, got, tc.want)
		}
	}
}
