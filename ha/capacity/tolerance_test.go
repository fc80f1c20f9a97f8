package capacity

import (
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
