package main

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vtui/vtui/vsphere/sim"
)

func newSimCmd(a *app) *cobra.Command {
	var (
		listen, preset, username string
		custom                   sim.Spec
		ha                       sim.HAOptions
		sessionTimeout           time.Duration
	)
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Serve a simulated vCenter on loopback",
		Long: `Serve a simulated vCenter (govmomi's vcsim, extended by vtui) on a
loopback address until interrupted (Ctrl-C, SIGTERM).

It prints the settings that reach it as shell assignments (VTUI_URL,
VTUI_USERNAME, VTUI_PASSWORD, VTUI_THUMBPRINT), then a "# serving" line,
for a shell to read once they are there:

  vtui sim > sim.env &
  until grep -q '^# serving' sim.env; do sleep 1; done
  set -a; . ./sim.env; set +a
  vtui get hosts

(Not eval "$(vtui sim)": the command substitution waits for the simulator
to exit.) The password is random for each run. The certificate is
self-signed and new for each run; VTUI_THUMBPRINT pins it, so TLS is
verified as with a real vCenter.

Presets: ` + strings.Join(sim.PresetNames(), ", ") + ` (see the README). --clusters, --hosts and --vms
build a custom inventory instead, of at most ` + fmt.Sprintf("%d VMs and %d hosts", sim.MaxVMs, sim.MaxHosts) + `.`,
		Example: `  vtui sim
  vtui sim --listen 127.0.0.1:8989 --preset large
  vtui sim --clusters 3 --hosts 8 --vms 500`,
		Args:        cobra.NoArgs,
		Annotations: map[string]string{annotationNoConfig: "true"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkLoopback(listen); err != nil {
				return err
			}
			if sessionTimeout <= 0 {
				return usageErrorf("invalid --session-timeout %s: want a positive duration, e.g. 30m or 90s", sessionTimeout)
			}
			spec, err := simSpec(cmd, preset, custom)
			if err != nil {
				return err
			}
			if ha.DetectDelay <= 0 || ha.RestartDelay < 0 {
				return usageErrorf("--ha-detect-delay must be positive and --ha-restart-delay not negative")
			}
			srv, err := sim.Start(cmd.Context(), spec, sim.Options{Listen: listen, Username: username, HA: ha, SessionTimeout: sessionTimeout})
			if err != nil {
				return err
			}
			defer srv.Close()
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "VTUI_URL=%s\n", srv.URL)
			fmt.Fprintf(out, "VTUI_USERNAME=%s\n", srv.Username)
			fmt.Fprintf(out, "VTUI_PASSWORD=%s\n", srv.Password)
			fmt.Fprintf(out, "VTUI_THUMBPRINT=%s\n", srv.Thumbprint)
			fmt.Fprintf(out, "# serving %d clusters, %d hosts, %d VMs until interrupted\n",
				spec.Clusters*max(spec.Datacenters, 1), spec.Clusters*max(spec.Datacenters, 1)*spec.HostsPerCluster, spec.VMs)
			<-cmd.Context().Done()
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:8989", "loopback address and port to serve on (port 0 picks a free one)")
	f.StringVar(&preset, "preset", sim.DefaultPreset, "inventory preset: "+strings.Join(sim.PresetNames(), ", "))
	f.StringVar(&username, "sim-username", sim.DefaultUsername, "user name the simulator accepts")
	f.DurationVar(&sessionTimeout, "session-timeout", sim.DefaultSessionTimeout, "log out sessions idle this long, destroying their collectors and views, as vCenter does")
	f.DurationVar(&ha.DetectDelay, "ha-detect-delay", sim.DefaultHADetectDelay, "HA emulation: how long after a host crashes it is declared failed (vSphere: 15s)")
	f.DurationVar(&ha.RestartDelay, "ha-restart-delay", 0, "HA emulation: how long each VM's restart takes")
	f.IntVar(&custom.Clusters, "clusters", 0, "custom inventory: clusters")
	f.IntVar(&custom.HostsPerCluster, "hosts", 0, "custom inventory: hosts per cluster (at most 96, as in vSphere)")
	f.IntVar(&custom.VMs, "vms", 0, "custom inventory: VMs in all")
	cmd.MarkFlagsMutuallyExclusive("preset", "clusters")
	cmd.MarkFlagsMutuallyExclusive("preset", "hosts")
	cmd.MarkFlagsMutuallyExclusive("preset", "vms")
	cmd.MarkFlagsRequiredTogether("clusters", "hosts", "vms")
	return cmd
}

// simSpec returns the preset's Spec, or the custom one the size flags give.
func simSpec(cmd *cobra.Command, preset string, custom sim.Spec) (sim.Spec, error) {
	if !cmd.Flags().Changed("clusters") {
		spec, err := sim.Preset(preset)
		if err != nil {
			return sim.Spec{}, usageErrorf("--preset: %w", err)
		}
		return spec, nil
	}
	custom.Datacenters, custom.Datastores, custom.HAClusters = 1, 2, min(1, custom.Clusters)
	if err := custom.Validate(); err != nil {
		return sim.Spec{}, usageError{err}
	}
	return custom, nil
}

// checkLoopback refuses to serve a simulator, whose password is printed,
// beyond this machine.
func checkLoopback(listen string) error {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return usageErrorf("invalid --listen %q: %v (want HOST:PORT, e.g. 127.0.0.1:8989)", listen, err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return usageErrorf("invalid --listen %q: port %q is not a number from 0 to 65535 (0 picks a free one)", listen, port)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return usageErrorf("invalid --listen %q: the simulator serves on loopback only (127.0.0.1 or [::1])", listen)
	}
	return nil
}
