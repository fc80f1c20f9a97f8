package capacity

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
)

func TestChoose(t *testing.T) {
	for _, tt := range []struct{ n, k, want int }{{96, 1, 96}, {96, 2, 4560}, {96, 3, 142880}, {3, 2, 3}, {5, 0, 1}} {
		if got := choose(tt.n, tt.k); got != tt.want {
			t.Errorf("choose(%d, %d) = %d; want %d", tt.n, tt.k, got, tt.want)
		}
	}
}

// TestFingerprintFollowsWhatTheWhatIfReads: a figure the what-if does not
// read (a VM's IP address) leaves the fingerprint alone; a reservation,
// a VM's host, a host's memory and the configuration change it.
func TestFingerprintFollowsWhatTheWhatIfReads(t *testing.T) {
	base := func() Input { return cluster([]string{"h1", "h2", "h3"}, 64<<10, "a@h1:4096", "b@h2:8192") }
	want := Fingerprint(base())
	same := base()
	same.VMs[0].IPAddress = "10.0.0.7"
	if Fingerprint(same) != want {
		t.Error("a VM's IP address changed the fingerprint")
	}
	for name, change := range map[string]func(*Input){
		"a reservation":      func(in *Input) { in.Reservations[in.VMs[0].Ref] = vsphere.Reservation{MemoryMB: 1} },
		"a VM's host":        func(in *Input) { in.VMs[0].HostRef = in.Hosts[2].Ref },
		"a host's memory":    func(in *Input) { in.Hosts[1].MemoryMB-- },
		"a restart priority": func(in *Input) { in.Config.HA.RestartPriority = clusterspec.RestartHigh },
	} {
		in := base()
		change(&in)
		if Fingerprint(in) == want {
			t.Errorf("%s changed and the fingerprint did not", name)
		}
	}
}

// TestTolerateGivesAnalyzesVerdicts: on many random clusters (seeded;
// tight capacity, reservations, priorities, rules of every kind, failover
// hosts, hosts in maintenance, datastores only some hosts see), the fast
// placement Tolerate uses says "every protected VM restarts" exactly when
// Analyze's scenario loses none, for every set of failed hosts, and
// Tolerate's answer is the one Analyze's verdicts give.
func TestTolerateGivesAnalyzesVerdicts(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 4))
	var scenarios, lost, byTolerated [MaxFailures + 1]int
	for c := range 400 {
		in := randomCluster(rng)
		m := newModel(in)
		var want Tolerance
		for n := 1; n <= min(MaxFailures, len(in.Hosts)-1); n++ {
			r := analyze(t, in, n)
			for _, s := range r.Scenarios {
				var idx []int
				for _, name := range s.Failed {
					idx = append(idx, slices.IndexFunc(m.hosts, func(h host) bool { return h.name == name }))
				}
				scenarios[n]++
				if s.Lost > 0 {
					lost[n]++
				}
				if got := m.restartsAll(idx); got != (s.Lost == 0) {
					t.Fatalf("cluster %d, %v failed: the fast placement says all restart = %v; Analyze loses %d (%+v)", c, s.Failed, got, s.Lost, s.Stranded)
				}
			}
			want.Checked = n
			if !r.Tolerates {
				break
			}
			want.Tolerated = n
		}
		got := Tolerate(in)
		if got != want {
			t.Fatalf("cluster %d: Tolerate = %+v; Analyze's verdicts give %+v", c, got, want)
		}
		byTolerated[got.Tolerated]++
	}
	t.Logf("scenarios %v lost %v tolerated %v", scenarios, lost, byTolerated)
	// The clusters must exercise both verdicts, or the test proves little.
	for n := 1; n <= 2; n++ {
		if lost[n] == 0 || lost[n] == scenarios[n] {
			t.Errorf("%d failures: %d of %d scenarios lose a VM; want some and not all", n, lost[n], scenarios[n])
		}
	}
	for n := range 3 {
		if byTolerated[n] == 0 {
			t.Errorf("no random cluster tolerates exactly %d failures (%v)", n, byTolerated)
		}
	}
}

// randomCluster is a small cluster whose restarts are tight: 3 to 7
// hosts, up to 30 VMs reserving much of them, random rules and settings.
func randomCluster(rng *rand.Rand) Input {
	nh := 3 + rng.IntN(5)
	var names []string
	for i := range nh {
		names = append(names, fmt.Sprintf("h%d", i))
	}
	in := cluster(names, 0)
	other := vsphere.Ref{Type: "Datastore", Value: "ds-some"}
	for i := range in.Hosts {
		h := &in.Hosts[i]
		h.MemoryMB, h.CPUMHz = int64(8192+rng.IntN(3)*8192), int64(10000+rng.IntN(30000))
		h.MaintenanceMode = rng.IntN(12) == 0
		if rng.IntN(2) == 0 {
			h.DatastoreRefs = append(h.DatastoreRefs, other)
		}
	}
	ha := &in.Config.HA
	ha.Enabled, ha.HostMonitoring = rng.IntN(30) != 0, rng.IntN(30) != 0
	if rng.IntN(4) == 0 {
		ha.AdmissionControl = clusterspec.AdmissionControl{Mode: clusterspec.AdmissionHosts, Hosts: []string{names[rng.IntN(nh)]}}
	}
	priorities := []clusterspec.RestartPriority{clusterspec.RestartDisabled, clusterspec.RestartLow, clusterspec.RestartMedium, clusterspec.RestartHigh}
	var vms []string
	for i := range 5 + rng.IntN(26) {
		name := fmt.Sprintf("vm%02d", i)
		vms = append(vms, name)
		ref := vsphere.Ref{Type: "VirtualMachine", Value: name}
		v := vsphere.VM{Name: name, Ref: ref, HostRef: in.Hosts[rng.IntN(nh)].Ref, PowerState: "poweredOn",
			MemoryMB: int32(1024 * (1 + rng.IntN(8))), DatastoreRefs: []vsphere.Ref{shared}}
		if rng.IntN(8) == 0 {
			v.PowerState = "poweredOff"
		}
		if rng.IntN(5) == 0 {
			v.DatastoreRefs = append(v.DatastoreRefs, other)
		}
		in.VMs = append(in.VMs, v)
		in.Reservations[ref] = vsphere.Reservation{MemoryMB: int64(rng.IntN(5000)), CPUMHz: int64(rng.IntN(4000))}
		if rng.IntN(4) == 0 {
			in.Config.Overrides = append(in.Config.Overrides, clusterspec.Override{VM: name, RestartPriority: priorities[rng.IntN(len(priorities))]})
		}
	}
	some := func(from []string) []string {
		var out []string
		for _, s := range from {
			if rng.IntN(3) == 0 {
				out = append(out, s)
			}
		}
		return out
	}
	in.Config.HostGroups = []clusterspec.HostGroup{{Name: "hg", Hosts: some(names)}}
	in.Config.VMGroups = []clusterspec.VMGroup{{Name: "vg", VMs: some(vms)}}
	for i := range rng.IntN(5) {
		r := clusterspec.Rule{Name: fmt.Sprintf("r%d", i), Enabled: rng.IntN(6) != 0, Mandatory: rng.IntN(2) == 0}
		switch rng.IntN(4) {
		case 0:
			r.Kind, r.VMs = clusterspec.RuleAffinity, some(vms)
		case 1:
			r.Kind, r.VMs = clusterspec.RuleAntiAffinity, some(vms)
		case 2:
			r.Kind, r.VMGroup, r.AffineHostGroup = clusterspec.RuleVMHost, "vg", "hg"
		default:
			r.Kind, r.VMGroup, r.AntiAffineHostGroup = clusterspec.RuleVMHost, "vg", "hg"
		}
		in.Config.Rules = append(in.Config.Rules, r)
	}
	return in
}
