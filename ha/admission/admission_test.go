package admission

import (
	"errors"
	"fmt"
	"testing"

	"github.com/vtui/vtui/vsphere/clusterspec"
)

// four hosts of 10,000 MHz and 10,000 MB.
func four(policy string, on ...VM) Cluster {
	ac, err := clusterspec.ParseAdmissionControl(policy)
	if err != nil {
		panic(err)
	}
	c := Cluster{Name: "c", HA: true, Policy: ac, On: on}
	for i := 1; i <= 4; i++ {
		c.Hosts = append(c.Hosts, Host{Name: fmt.Sprintf("h%d", i), CPUMHz: 10000, MemoryMB: 10000, Usable: true})
	}
	return c
}

func vm(name, host string, cpu, mem int64) VM {
	return VM{Name: name, Host: host, CPUMHz: cpu, MemoryMB: mem}
}

// TestPowerOnAtTheBoundary: under each policy a power-on that keeps the
// reservation exactly is admitted, and one a megabyte or megahertz past it
// is refused with a *Refusal.
func TestPowerOnAtTheBoundary(t *testing.T) {
	running := vm("a", "h1", 10000, 10000)
	for _, tc := range []struct {
		name, policy string
		admit, deny  VM
	}{
		// 25% of 40,000 reserved: 30,000 may be required, 10,000 by a.
		{"failures:1 memory", "failures:1", vm("b", "h2", 0, 20000), vm("b", "h2", 0, 20001)},
		{"failures:1 cpu", "failures:1", vm("b", "h2", 20000, 0), vm("b", "h2", 20001, 0)},
		// 50% reserved: 20,000 may be required.
		{"percent memory", "percent:10,50", vm("b", "h2", 0, 10000), vm("b", "h2", 0, 10001)},
		{"percent cpu", "percent:50,10", vm("b", "h2", 10000, 0), vm("b", "h2", 10001, 0)},
		// failures:3 of 4 hosts reserves 75%: nothing more than a's fits.
		{"failures:3 of 4", "failures:3", vm("b", "h2", 0, 0), vm("b", "h2", 0, 1)},
		// Slots of 10,000 MB: one a host; 1 failure leaves 3 slots.
		{"slots:1", "slots:1", vm("b", "h2", 0, 10000), vm("b", "h2", 0, 10001)},
		{"hosts", "hosts:h4", vm("b", "h3", 40000, 40000), vm("b", "h4", 0, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := four(tc.policy, running)
			if tc.policy == "failures:3" {
				c.On = []VM{vm("a", "h1", 0, 10000)}
			}
			if err := c.PowerOn(tc.admit); err != nil {
				t.Errorf("PowerOn(%+v) = %v; want admitted", tc.admit, err)
			}
			var r *Refusal
			if err := c.PowerOn(tc.deny); !errors.As(err, &r) {
				t.Errorf("PowerOn(%+v) = %v; want a *Refusal", tc.deny, err)
			}
		})
	}
}

// TestSlotPolicyCountsVMs: with one-slot hosts, slots:1 on four hosts
// admits a third VM and refuses a fourth, whatever its own size.
func TestSlotPolicyCountsVMs(t *testing.T) {
	c := four("slots:1", vm("a", "h1", 0, 6000), vm("b", "h2", 0, 100), vm("c", "h3", 0, 100))
	if err := c.PowerOn(vm("d", "h4", 0, 100)); err == nil {
		t.Error("a fourth VM with 6,000 MB slots on four 10,000 MB hosts and slots:1 was admitted; want refused")
	}
	c.On = c.On[:2]
	if err := c.PowerOn(vm("d", "h4", 0, 100)); err != nil {
		t.Errorf("a third VM: %v; want admitted", err)
	}
}

// TestDisabledAdmitsEverything: with admission control disabled, or HA
// disabled, nothing is refused.
func TestDisabledAdmitsEverything(t *testing.T) {
	huge := vm("b", "h4", 1e6, 1e6)
	c := four("disabled")
	if err := c.PowerOn(huge); err != nil {
		t.Errorf("admission control disabled: %v", err)
	}
	c = four("hosts:h4")
	c.HA = false
	if err := c.PowerOn(huge); err != nil {
		t.Errorf("HA disabled: %v", err)
	}
	if err := c.Migrate(huge); err != nil {
		t.Errorf("HA disabled, migrate: %v", err)
	}
	if s := c.State(); s.Enforced || s.Level != 0 {
		t.Errorf("HA disabled: state %+v; want not enforced, level 0", s)
	}
}

// TestMigrateOnlyRefusesFailoverHosts: a vMotion within the cluster
// changes no totals, so only a dedicated failover host refuses it.
func TestMigrateOnlyRefusesFailoverHosts(t *testing.T) {
	full := four("percent:50,50", vm("a", "h1", 30000, 30000))
	if err := full.Migrate(vm("a", "h2", 30000, 30000)); err != nil {
		t.Errorf("a move within a cluster already past its reservation: %v; want admitted", err)
	}
	if err := four("hosts:h4").Migrate(vm("a", "h4", 0, 0)); err == nil {
		t.Error("a move onto the failover host was admitted")
	}
}

// TestEvacuateKeepsTheReservation: a host may enter maintenance mode only
// if the rest keep the reservation.
func TestEvacuateKeepsTheReservation(t *testing.T) {
	// 25% of 30,000 reserved after: 22,500 may be required.
	if err := four("percent:25,25", vm("a", "h1", 0, 22500)).Evacuate("h1"); err != nil {
		t.Errorf("22,500 MB on three hosts with 25%% reserved: %v", err)
	}
	if err := four("percent:25,25", vm("a", "h1", 0, 22501)).Evacuate("h1"); err == nil {
		t.Error("22,501 MB on three hosts with 25% reserved: admitted")
	}
}

// TestState: the figures vCenter reports.
func TestState(t *testing.T) {
	s := four("failures:1", vm("a", "h1", 4000, 10000)).State()
	want := State{Enforced: true, Level: 3, CPUPercent: 90, MemoryPercent: 75, ReservedCPUPercent: 25, ReservedMemoryPercent: 25}
	if fmt.Sprint(s) != fmt.Sprint(want) {
		t.Errorf("failures:1: %+v; want %+v", s, want)
	}
	if s := four("failures:1", vm("a", "h1", 0, 25000)).State(); s.Level != 1 {
		t.Errorf("25,000 MB on four 10,000 MB hosts tolerates 1 failure; level %d", s.Level)
	}
	if s := four("slots:1", vm("a", "h1", 0, 5000), vm("b", "h1", 0, 5000), vm("c", "h1", 0, 5000)).State(); s.Level != 2 {
		t.Errorf("3 VMs in 2-slot hosts: level %d; want 2", s.Level)
	}
	c := four("hosts:h3,h4", vm("a", "h4", 0, 0))
	c.Hosts[2].Usable = false
	s = c.State()
	if s.Level != 1 || fmt.Sprint(s.FailoverHosts) != "[{h3 false 0} {h4 true 1}]" {
		t.Errorf("hosts: %+v", s)
	}
}
