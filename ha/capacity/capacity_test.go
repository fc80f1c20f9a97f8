package capacity

import (
	"slices"
	"strings"
	"testing"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
)

var shared = vsphere.Ref{Type: "Datastore", Value: "ds-shared"}

// cluster builds an Input: hosts of memMB memory each (and 50 GHz CPU),
// all seeing one shared datastore, and VMs given as "name@host:memMB",
// powered on, each demanding 1 GHz and reserving its memory (HA places
// restarts by reservations, so the examples reserve what they size).
func cluster(hosts []string, memMB int64, vms ...string) Input {
	in := Input{Config: clusterspec.Config{Cluster: "c1", HA: clusterspec.HA{Enabled: true, HostMonitoring: true,
		AdmissionControl: clusterspec.AdmissionControl{Mode: clusterspec.AdmissionFailures, Failures: 1},
		RestartPriority:  clusterspec.RestartMedium}}, Reservations: map[vsphere.Ref]vsphere.Reservation{}}
	for _, h := range hosts {
		in.Hosts = append(in.Hosts, vsphere.Host{Name: h, Ref: vsphere.Ref{Type: "HostSystem", Value: h},
			ConnectionState: "connected", PowerState: "poweredOn", MemoryMB: memMB, CPUMHz: 50000,
			DatastoreRefs: []vsphere.Ref{shared}})
	}
	for _, spec := range vms {
		name, rest, _ := strings.Cut(spec, "@")
		host, mem, _ := strings.Cut(rest, ":")
		var mb int32
		for _, c := range mem {
			mb = mb*10 + int32(c-'0')
		}
		in.VMs = append(in.VMs, vsphere.VM{Name: name, Ref: vsphere.Ref{Type: "VirtualMachine", Value: name},
			HostRef: vsphere.Ref{Type: "HostSystem", Value: host}, PowerState: "poweredOn",
			MemoryMB: mb, CPUUsageMHz: 1000, DatastoreRefs: []vsphere.Ref{shared}})
		in.Reservations[vsphere.Ref{Type: "VirtualMachine", Value: name}] = vsphere.Reservation{MemoryMB: int64(mb)}
	}
	return in
}

func scenarioOf(t *testing.T, r Report, failed ...string) Scenario {
	t.Helper()
	for _, s := range r.Scenarios {
		if slices.Equal(s.Failed, failed) {
			return s
		}
	}
	t.Fatalf("no scenario for %v", failed)
	return Scenario{}
}

func restarts(s Scenario) []string {
	var out []string
	for _, r := range s.Restarts {
		out = append(out, r.VM+"->"+r.To)
	}
	return out
}

func analyze(t *testing.T, in Input, n int) Report {
	t.Helper()
	r, err := Analyze(in, n)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestToleratesOneFailureWithSpareMemory(t *testing.T) {
	// Three 16 GiB hosts each run 8 GiB: a failed host's two 4 GiB VMs
	// fit on the two others, one each, the most free memory first.
	in := cluster([]string{"h1", "h2", "h3"}, 16384,
		"a1@h1:4096", "a2@h1:4096", "b1@h2:4096", "b2@h2:4096", "c1@h3:4096", "c2@h3:4096")
	r := analyze(t, in, 1)
	if !r.Tolerates || r.Verdict() != "tolerates 1 host failure: yes" || len(r.Scenarios) != 3 || r.Protected != 6 {
		t.Fatalf("report: %s, %d scenarios, %d protected; want yes, 3, 6", r.Verdict(), len(r.Scenarios), r.Protected)
	}
	if got := restarts(scenarioOf(t, r, "h1")); !slices.Equal(got, []string{"a1->h2", "a2->h3"}) {
		t.Errorf("h1 fails: restarts %v; want a1->h2 (tie on free memory, by name), a2->h3 (then most free)", got)
	}
	if s := scenarioOf(t, r, "h1"); s.FreeMemoryMB != 2*16384-16384-8192 {
		t.Errorf("free memory after h1 fails = %d; want %d", s.FreeMemoryMB, 2*16384-16384-8192)
	}
}

func TestCannotTolerateOneFailureWhenFull(t *testing.T) {
	in := cluster([]string{"h1", "h2"}, 16384, "big1@h1:12288", "big2@h2:12288")
	r := analyze(t, in, 1)
	if r.Tolerates || r.Verdict() != "tolerates 1 host failure: no" {
		t.Fatalf("verdict %q; want no", r.Verdict())
	}
	s := scenarioOf(t, r, "h1")
	if s.Lost != 1 || len(s.Stranded) != 1 || !s.Stranded[0].Protected {
		t.Fatalf("h1 fails: %+v; want big1 stranded and counted lost", s)
	}
	want := "no surviving host can take it: memory: h2 (h2 has 4 GiB of memory unreserved and the VM reserves 12 GiB)"
	if s.Stranded[0].Reason != want {
		t.Errorf("reason %q; want %q", s.Stranded[0].Reason, want)
	}
	if r.Worst == nil || r.Worst.Lost != 1 {
		t.Errorf("worst = %+v; want a scenario with 1 lost", r.Worst)
	}
}

func TestDisabledRestartPriorityStaysDownWithoutFailingTheVerdict(t *testing.T) {
	in := cluster([]string{"h1", "h2"}, 16384, "keep@h1:1024", "scratch@h1:1024")
	in.Config.Overrides = []clusterspec.Override{{VM: "scratch", RestartPriority: clusterspec.RestartDisabled}}
	r := analyze(t, in, 1)
	s := scenarioOf(t, r, "h1")
	if !r.Tolerates || r.Protected != 1 || len(s.Stranded) != 1 || s.Stranded[0].VM != "scratch" || s.Stranded[0].Protected ||
		s.Stranded[0].Reason != "restart priority is disabled" || s.Lost != 0 {
		t.Errorf("tolerates %v, protected %d, h1 fails: %+v; want scratch down by design and the verdict yes", r.Tolerates, r.Protected, s)
	}
}

func TestHigherPriorityRestartsFirst(t *testing.T) {
	// h2 has room for one of the two 4 GiB VMs: the highest one gets it.
	in := cluster([]string{"h1", "h2"}, 16384, "low@h1:4096", "top@h1:4096", "fill@h2:12288")
	in.Config.Overrides = []clusterspec.Override{
		{VM: "low", RestartPriority: clusterspec.RestartLowest},
		{VM: "top", RestartPriority: clusterspec.RestartHighest},
	}
	s := scenarioOf(t, analyze(t, in, 1), "h1")
	if got := restarts(s); !slices.Equal(got, []string{"top->h2"}) || len(s.Stranded) != 1 || s.Stranded[0].VM != "low" {
		t.Errorf("restarts %v, stranded %+v; want top on h2 and low stranded", got, s.Stranded)
	}
}

func TestMandatoryRuleBlocksARestart(t *testing.T) {
	in := cluster([]string{"h1", "h2", "h3"}, 16384, "db-01@h1:2048", "web-01@h1:2048")
	in.Config.VMGroups = []clusterspec.VMGroup{{Name: "db", VMs: []string{"db-01"}}}
	in.Config.HostGroups = []clusterspec.HostGroup{{Name: "licensed", Hosts: []string{"h1"}}}
	in.Config.Rules = []clusterspec.Rule{{Name: "db-licensed", Kind: clusterspec.RuleVMHost, Enabled: true, Mandatory: true,
		VMGroup: "db", AffineHostGroup: "licensed"}}
	r := analyze(t, in, 1)
	s := scenarioOf(t, r, "h1")
	if r.Tolerates || len(s.Stranded) != 1 || s.Stranded[0].VM != "db-01" || !strings.Contains(s.Stranded[0].Reason,
		"rule db-licensed: h2, h3 (h2 is not in host group licensed, where rule db-licensed keeps the VM)") {
		t.Errorf("h1 fails: %+v; want db-01 stranded by the must rule, naming it", s)
	}
	if got := restarts(s); !slices.Equal(got, []string{"web-01->h2"}) {
		t.Errorf("restarts %v; want web-01 unaffected", got)
	}
	// As a should rule it is broken, with a warning, rather than leave the VM down.
	in.Config.Rules[0].Mandatory = false
	s = scenarioOf(t, analyze(t, in, 1), "h1")
	if len(s.Stranded) != 0 || len(s.Restarts) != 2 || s.Restarts[0].VM != "db-01" || !slices.Equal(s.Restarts[0].Warnings, []string{"breaks should rule db-licensed"}) {
		t.Errorf("with a should rule: %+v; want db-01 restarted with a warning", s)
	}
}

func TestMandatoryAntiAffinityKeepsVMsApart(t *testing.T) {
	in := cluster([]string{"h1", "h2", "h3"}, 16384, "web-01@h1:1024", "web-02@h2:1024", "filler@h3:8192")
	in.Config.Rules = []clusterspec.Rule{{Name: "web-apart", Kind: clusterspec.RuleAntiAffinity, Enabled: true, Mandatory: true,
		VMs: []string{"web-01", "web-02"}}}
	// h2 has more free memory, but runs web-02: web-01 goes to h3.
	if got := restarts(scenarioOf(t, analyze(t, in, 1), "h1")); !slices.Equal(got, []string{"web-01->h3"}) {
		t.Errorf("restarts %v; want web-01->h3", got)
	}
}

// HA keeps VM-VM rules only where it can, mandatory or not: with no
// other host, a VM restarts beside the one it is kept apart from, with a
// warning (the what-if used to leave it down, which HA does not).
func TestAntiAffinityIsKeptOnlyWhereItCan(t *testing.T) {
	in := cluster([]string{"h1", "h2"}, 16384, "web-01@h1:1024", "web-02@h2:1024")
	in.Config.Rules = []clusterspec.Rule{{Name: "web-apart", Kind: clusterspec.RuleAntiAffinity, Enabled: true, Mandatory: true,
		VMs: []string{"web-01", "web-02"}}}
	s := scenarioOf(t, analyze(t, in, 1), "h1")
	if got := restarts(s); !slices.Equal(got, []string{"web-01->h2"}) || !slices.Equal(s.Restarts[0].Warnings, []string{"breaks rule web-apart"}) {
		t.Errorf("restarts %v (%+v); want web-01->h2, breaking rule web-apart", got, s.Restarts)
	}
}

// HA restarts where reservations fit, overcommitting memory: a VM's
// configured size does not bound where it restarts (the what-if used to
// count it, and so predicted losses the simulator's HA and vSphere's do
// not have).
func TestReservationsCountInsteadOfConfiguredSize(t *testing.T) {
	in := cluster([]string{"h1", "h2"}, 16384, "big@h1:12288", "other@h2:8192")
	if analyze(t, in, 1).Tolerates {
		t.Fatal("big reserving 12 GiB should not fit in h2's 8 GiB unreserved")
	}
	in.Reservations = map[vsphere.Ref]vsphere.Reservation{
		{Type: "VirtualMachine", Value: "big"}:   {MemoryMB: 4096},
		{Type: "VirtualMachine", Value: "other"}: {MemoryMB: 4096},
	}
	if r := analyze(t, in, 1); !r.Tolerates {
		t.Errorf("with 4 GiB reservations: %s; want yes", r.Verdict())
	}
	in.Reservations = nil
	if r := analyze(t, in, 1); !r.Tolerates {
		t.Errorf("without reservations: %s; want yes, big (12 GiB) overcommitting h2's memory", r.Verdict())
	}
}

func TestDedicatedFailoverHostTakesRestartsFirst(t *testing.T) {
	in := cluster([]string{"h1", "h2", "spare"}, 16384, "a@h1:1024", "b@h2:8192")
	in.Config.HA.AdmissionControl = clusterspec.AdmissionControl{Mode: clusterspec.AdmissionHosts, Hosts: []string{"spare"}}
	in.Config.HostGroups = nil
	s := scenarioOf(t, analyze(t, in, 1), "h2")
	if got := restarts(s); !slices.Equal(got, []string{"b->spare"}) {
		t.Errorf("restarts %v; want b->spare, the failover host, though h1 has as much free", got)
	}
}

func TestIncompatibleAndUnusableHostsAreNamed(t *testing.T) {
	in := cluster([]string{"h1", "h2", "h3"}, 16384, "a@h1:1024")
	in.Hosts[1].DatastoreRefs = nil    // h2 does not see ds-shared
	in.Hosts[2].MaintenanceMode = true // h3 is in maintenance
	s := scenarioOf(t, analyze(t, in, 1), "h1")
	want := "no surviving host can take it: datastores: h2 (h2 does not see the VM's datastore ds-shared); host: h3 (h3 is in maintenance mode)"
	if len(s.Stranded) != 1 || s.Stranded[0].Reason != want {
		t.Errorf("stranded %+v; want reason %q", s.Stranded, want)
	}
}

func TestTwoFailuresCoverEveryPair(t *testing.T) {
	in := cluster([]string{"h1", "h2", "h3", "h4"}, 16384, "a@h1:4096", "b@h2:4096", "c@h3:4096", "d@h4:4096")
	r := analyze(t, in, 2)
	var got []string
	for _, s := range r.Scenarios {
		got = append(got, strings.Join(s.Failed, "+"))
	}
	if !slices.Equal(got, []string{"h1+h2", "h1+h3", "h1+h4", "h2+h3", "h2+h4", "h3+h4"}) || !r.Tolerates {
		t.Errorf("scenarios %v, %s; want the 6 pairs and yes", got, r.Verdict())
	}
	if !strings.Contains(r.Admission, "only 1 host failure, fewer than 2") {
		t.Errorf("admission note %q; want it to say failures:1 does not cover 2", r.Admission)
	}
	if _, err := Analyze(in, 4); err == nil {
		t.Error("Analyze with 4 failures: want an error (at most 3)")
	}
	if _, err := Analyze(in, 0); err == nil {
		t.Error("Analyze with 0 failures: want an error")
	}
}

func TestFailIsTheScenarioOfTheNamedHosts(t *testing.T) {
	in := cluster([]string{"h1", "h2", "h3"}, 16384, "a@h1:4096", "b@h2:4096", "c@h3:4096")
	r := analyze(t, in, 2)
	s, err := Fail(in, []string{"h3", "h1", "h3"})
	if err != nil {
		t.Fatal(err)
	}
	want := r.Scenarios[1] // h1+h3
	if strings.Join(s.Failed, "+") != "h1+h3" || len(s.Restarts) != len(want.Restarts) || s.Lost != want.Lost {
		t.Errorf("Fail(h3, h1) = %+v; want the h1+h3 scenario of Analyze, %+v", s, want)
	}
	if _, err := Fail(in, []string{"h9"}); err == nil || !strings.Contains(err.Error(), `no host named "h9"`) {
		t.Errorf("Fail(h9): %v; want no such host", err)
	}
}

func TestNothingRestartsWithoutHA(t *testing.T) {
	for _, tt := range []struct {
		name   string
		off    func(*clusterspec.HA)
		reason string
	}{
		{"HA disabled", func(h *clusterspec.HA) { h.Enabled = false }, "HA is disabled on c1"},
		{"host monitoring off", func(h *clusterspec.HA) { h.HostMonitoring = false }, "host monitoring is off"},
	} {
		in := cluster([]string{"h1", "h2", "h3"}, 16384, "a@h1:4096", "b@h2:4096")
		tt.off(&in.Config.HA)
		r := analyze(t, in, 1)
		s := scenarioOf(t, r, "h1")
		if r.Tolerates || len(s.Restarts) != 0 || s.Lost != 1 || len(s.Stranded) != 1 || !strings.Contains(s.Stranded[0].Reason, tt.reason) {
			t.Errorf("%s: %s; h1 fails: restarts %v, stranded %+v; want a left down because %s", tt.name, r.Verdict(), restarts(s), s.Stranded, tt.reason)
		}
	}
}

// TestAdmitPowerOnCountsReservations: the what-if's admission verdict
// counts the powered-on VMs' reservations and the new VM's against the
// policy, and admits anything without HA.
func TestAdmitPowerOnCountsReservations(t *testing.T) {
	in := cluster([]string{"h1", "h2"}, 10000, "a@h1:4096", "b@h2:4096")
	in.VMs[1].PowerState = "poweredOff"
	in.Config.HA.AdmissionControl = clusterspec.AdmissionControl{Mode: clusterspec.AdmissionPercent, CPUPercent: 10, MemoryPercent: 50}
	in.Reservations = map[vsphere.Ref]vsphere.Reservation{in.VMs[0].Ref: {MemoryMB: 6000}, in.VMs[1].Ref: {MemoryMB: 4000}}
	if err := AdmitPowerOn(in, "b"); err != nil {
		t.Errorf("10,000 MB of 20,000 reserved with 50%% kept: %v", err)
	}
	in.Reservations[in.VMs[1].Ref] = vsphere.Reservation{MemoryMB: 4001}
	if err := AdmitPowerOn(in, "b"); err == nil {
		t.Error("10,001 MB of 20,000 reserved with 50% kept: admitted")
	}
	in.Config.HA.Enabled = false
	if err := AdmitPowerOn(in, "b"); err != nil {
		t.Errorf("with HA disabled: %v", err)
	}
	if err := AdmitPowerOn(in, "nope"); err == nil {
		t.Error("an unknown VM: no error")
	}
}
