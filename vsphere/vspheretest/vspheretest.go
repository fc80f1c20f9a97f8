// Package vspheretest starts simulated vCenters for other packages' tests:
// a preset served on loopback and a client logged in to it, both closed
// when the test ends.
package vspheretest

import (
	"context"
	"testing"
	"time"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/sim"
)

// Start serves the named simulator preset and returns it; it is closed
// when tb ends.
func Start(tb testing.TB, preset string) *sim.Server {
	tb.Helper()
	return StartWith(tb, preset, sim.Options{})
}

// StartWith is Start with options, such as the HA emulation's timing.
func StartWith(tb testing.TB, preset string, opts sim.Options) *sim.Server {
	tb.Helper()
	spec, err := sim.Preset(preset)
	if err != nil {
		tb.Fatal(err)
	}
	srv, err := sim.Start(context.Background(), spec, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(srv.Close)
	return srv
}

// Config returns the settings that reach srv, trusting its certificate by
// thumbprint, as a user pinning it would.
func Config(srv *sim.Server) vsphere.Config {
	return vsphere.Config{
		URL:        srv.URL.Host,
		Username:   srv.Username,
		Password:   srv.Password,
		Thumbprint: srv.Thumbprint,
		Timeout:    10 * time.Second,
	}
}

// Connect logs in to srv; the client is closed when tb ends.
func Connect(tb testing.TB, srv *sim.Server) *vsphere.Client {
	tb.Helper()
	c, err := vsphere.Connect(context.Background(), Config(srv))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// Settle waits until srv's background work (the roll-up and the alarms'
// evaluation that follow a change: sim.Server.Settle) has caught up with
// the changes made so far, within a bound only a broken simulator reaches.
func Settle(tb testing.TB, srv *sim.Server) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Settle(ctx); err != nil {
		tb.Fatal(err)
	}
}
