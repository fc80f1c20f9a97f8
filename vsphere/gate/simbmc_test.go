package gate

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/vsphere/drillkit"
)

// The simulator starts a host's IPMI BMC when a drill asks for it, not
// before, and names it in its door's answer from then on.
func TestSimulatorInfoStartsTheIPMIBMCsAsked(t *testing.T) {
	e := haEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	info, err := drillkit.SimulatorInfo(ctx, e.c)
	if err != nil || len(info.BMC.IPMI) != 0 {
		t.Fatalf("SimulatorInfo before any BMC = %v, %v; want no IPMI BMC serving", info.BMC.IPMI, err)
	}
	info, err = drillkit.SimulatorInfo(ctx, e.c, "esx-a-01.lab.local", "esx-a-02.lab.local")
	if err != nil || len(info.BMC.IPMI) != 2 || !strings.HasPrefix(info.BMC.IPMI["esx-a-01.lab.local"], "127.0.0.1:") {
		t.Fatalf("SimulatorInfo of two hosts' BMCs = %v, %v; want both on loopback", info.BMC.IPMI, err)
	}
	if again, err := drillkit.SimulatorInfo(ctx, e.c); err != nil || again.BMC.IPMI["esx-a-02.lab.local"] != info.BMC.IPMI["esx-a-02.lab.local"] {
		t.Errorf("SimulatorInfo after = %v, %v; want the BMCs still serving where they were", again.BMC.IPMI, err)
	}
	if _, err := drillkit.SimulatorInfo(ctx, e.c, "esx-z-99"); err == nil || !strings.Contains(err.Error(), "no such host") {
		t.Errorf("SimulatorInfo of an unknown host's BMC: %v; want no such host", err)
	}
}
