package drill

import (
	"strings"
	"testing"

	"github.com/vtui/vtui/ha/capacity"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
)

// predictInput is a cluster of 8 GiB hosts h1, h2 and h3 (h3 only when
// three), HA on with host monitoring and isolation response none, and
// powered-on VMs "name@host" each reserving 4 GiB.
func predictInput(hosts int, vms ...string) capacity.Input {
	ds := vsphere.Ref{Type: "Datastore", Value: "ds"}
	in := capacity.Input{Config: clusterspec.Config{Cluster: "c", HA: clusterspec.HA{Enabled: true, HostMonitoring: true,
		RestartPriority: clusterspec.RestartMedium, IsolationResponse: clusterspec.IsolationNone}},
		Reservations: map[vsphere.Ref]vsphere.Reservation{}}
	for _, h := range []string{"h1", "h2", "h3"}[:hosts] {
		in.Hosts = append(in.Hosts, vsphere.Host{Name: h, Ref: vsphere.Ref{Type: "HostSystem", Value: h}, ConnectionState: "connected",
			PowerState: "poweredOn", MemoryMB: 8192, CPUMHz: 50000, DatastoreRefs: []vsphere.Ref{ds}})
	}
	for _, spec := range vms {
		name, host, _ := strings.Cut(spec, "@")
		ref := vsphere.Ref{Type: "VirtualMachine", Value: name}
		in.VMs = append(in.VMs, vsphere.VM{Name: name, Ref: ref, Host: host, HostRef: vsphere.Ref{Type: "HostSystem", Value: host},
			PowerState: "poweredOn", MemoryMB: 4096, DatastoreRefs: []vsphere.Ref{ds}})
		in.Reservations[ref] = vsphere.Reservation{MemoryMB: 4096}
	}
	return in
}

// TestPredictFollowsTheClusterSettings is one case per rule of the
// prediction: the scenario, the isolation response (the cluster's, or a
// VM's override), host monitoring, a disabled restart priority, and the
// capacity a restart needs, placed as the what-if places it.
func TestPredictFollowsTheClusterSettings(t *testing.T) {
	tests := []struct {
		name     string
		scenario Scenario
		hosts    int
		targets  []string
		change   func(*clusterspec.Config)
		want     []string // Prediction.String of a1, a2, b1
	}{
		{name: "host failure", scenario: ScenarioHostFailure, hosts: 3, targets: []string{"h1"}, want: []string{
			"a1 restarts on h3 (h1 fails)", "a2 restarts on h2 (h1 fails)", "b1 keeps running on h2 (not on a target)"}},
		{name: "two hosts fail, one survivor short of room", scenario: ScenarioHostFailure, hosts: 3, targets: []string{"h1", "h2"}, want: []string{
			"a1 restarts on h3 (h1 fails)", "a2 restarts on h3 (h1 fails)",
			"b1 cannot restart (no surviving host can take it: memory: h3 (h3 has 0 B of memory unreserved and the VM reserves 4 GiB))"}},
		{name: "isolation, response none", scenario: ScenarioIsolation, hosts: 3, targets: []string{"h1"}, want: []string{
			"a1 keeps running on h1 (isolation response none, the cluster's)", "a2 keeps running on h1 (isolation response none, the cluster's)",
			"b1 keeps running on h2 (not on a target)"}},
		{name: "isolation, powerOff, one override none", scenario: ScenarioIsolation, hosts: 2, targets: []string{"h1"}, change: func(c *clusterspec.Config) {
			c.HA.IsolationResponse = clusterspec.IsolationPowerOff
			c.Overrides = []clusterspec.Override{{VM: "a1", IsolationResponse: clusterspec.IsolationNone}}
		}, want: []string{
			// a1 keeps running and takes no room on h2: a2, next in the
			// restart order, gets the room there is.
			"a1 keeps running on h1 (isolation response none, its override)",
			"a2 restarts on h2 (isolation response powerOff, the cluster's: powered off, then restarted)",
			"b1 keeps running on h2 (not on a target)"}},
		{name: "isolation, shutdown, host monitoring off", scenario: ScenarioIsolation, hosts: 3, targets: []string{"h1"}, change: func(c *clusterspec.Config) {
			c.HA.IsolationResponse, c.HA.HostMonitoring = clusterspec.IsolationShutdown, false
		}, want: []string{
			"a1 keeps running on h1 (host monitoring is off, which suspends isolation responses)",
			"a2 keeps running on h1 (host monitoring is off, which suspends isolation responses)", "b1 keeps running on h2 (not on a target)"}},
		{name: "isolation, shutdown, priority disabled", scenario: ScenarioIsolation, hosts: 3, targets: []string{"h1"}, change: func(c *clusterspec.Config) {
			c.HA.IsolationResponse = clusterspec.IsolationShutdown
			c.Overrides = []clusterspec.Override{{VM: "a2", RestartPriority: clusterspec.RestartDisabled}}
		}, want: []string{
			"a1 restarts on h3 (isolation response shutdown, the cluster's: shut down, then restarted)",
			"a2 keeps running on h1 (restart priority disabled: it gets no isolation response)", "b1 keeps running on h2 (not on a target)"}},
		{name: "partition", scenario: ScenarioPartition, hosts: 3, targets: []string{"h1"}, change: func(c *clusterspec.Config) {
			c.HA.IsolationResponse = clusterspec.IsolationPowerOff
		}, want: []string{
			"a1 keeps running on h1 (partitioned: its datastores answer, so HA restarts nothing)",
			"a2 keeps running on h1 (partitioned: its datastores answer, so HA restarts nothing)", "b1 keeps running on h2 (not on a target)"}},
		{name: "evacuation", scenario: ScenarioEvacuation, hosts: 3, targets: []string{"h1"}, want: []string{
			"a1 moves off h1 while running (h1 enters maintenance mode)", "a2 moves off h1 while running (h1 enters maintenance mode)",
			"b1 keeps running on h2 (not on a target)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := predictInput(tt.hosts, "a1@h1", "a2@h1", "b1@h2")
			if tt.change != nil {
				tt.change(&in.Config)
			}
			var targets []vsphere.Host
			for _, h := range in.Hosts {
				for _, n := range tt.targets {
					if h.Name == n {
						targets = append(targets, h)
					}
				}
			}
			got, _, err := predict(tt.scenario, in, targets, in.VMs)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range got {
				if p.String() != tt.want[i] {
					t.Errorf("%s:\n got %s\nwant %s", p.VM, p, tt.want[i])
				}
			}
		})
	}
}
