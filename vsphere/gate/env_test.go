package gate

import (
	"testing"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// startSim starts a preset of the simulator for the test.
func startSim(t testing.TB, preset string) *sim.Server { return vspheretest.Start(t, preset) }

// configFor returns a Config that logs in to srv.
func configFor(srv *sim.Server) vsphere.Config { return vspheretest.Config(srv) }
