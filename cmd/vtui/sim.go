package main

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/vtui/vtui/internal/gcpolicy"
	"github.com/vtui/vtui/vsphere/sim"
)

// simBudget is the memory `vtui sim` collects at (see gcpolicy.Budget):
// under the 2 GB the max preset's simulator may hold, more than twice its
// heap once built (0.6 GB at the max preset), so that the collections,
// each a mark of the whole inventory, are rare, and come between clients'
// loads when they can.
const simBudget = 1800 << 20

func newSimCmd(a *app) *cobra.Command {
	var (
		listen, preset, username string
		custom                   sim.Spec
		ha                       sim.HAOptions
		bootTime                 string
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

HA emulation: a crashed host (through the simulator's fault door, as
vtui drill's sim-crash does) is declared failed after --ha-detect-delay,
after an election of --ha-election-delay when it was the primary. HA then
places its VMs by unreserved CPU and memory, highest priority first, and
the hosts power them on in parallel, each boot taking --ha-boot-time; the
next priority waits for the cluster's readiness condition. Restarts that
find no capacity are retried when a host comes back and every
--ha-retry-delay (doubling), up to das.maxvmrestartcount attempts. The
door also isolates a host or splits hosts from their cluster (a
partition): their datastore heartbeats go on, so HA does not declare them
failed; an isolated host applies the cluster's isolation response. Delays
vSphere sets in seconds (postReadyDelay, restartPriorityTimeout, the 30s a
host takes to declare itself isolated, das.config.fdm.isolationPolicyDelaySec)
are scaled by --ha-detect-delay / 15s. See the package doc of vsphere/sim.

BMCs: each host has a Redfish BMC on the same server and certificate
(https://HOST:PORT/redfish/v1/Systems/ID), taking VTUI_USERNAME and
VTUI_PASSWORD; ComputerSystem.Reset ForceOff crashes the host and On
recovers it. Each host has an IPMI 2.0 BMC too (go-ipmi's BMC server,
RMCP+ on a loopback UDP port, started when a drill asks for it), taking the
same credentials; chassis power down crashes the host and power up
recovers it. A drill plan reaches them with inject.bmc.address simulator.

Presets: ` + strings.Join(sim.PresetNames(), ", ") + ` (see the README). --clusters, --hosts and --vms
build a custom inventory instead, of at most ` + fmt.Sprintf("%d VMs and %d hosts", sim.MaxVMs, sim.MaxHosts) + `.`,
		Example: `  vtui sim
  vtui sim --listen 127.0.0.1:8989 --preset large
  vtui sim --clusters 3 --hosts 8 --vms 500
  vtui sim --ha-detect-delay 2s --ha-boot-time 2s-6s --ha-seed 7`,
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
			if ha.DetectDelay <= 0 {
				return usageErrorf("invalid --ha-detect-delay %s: want a positive duration, e.g. 15s", ha.DetectDelay)
			}
			if ha.BootTime, ha.BootTimeMax, err = parseBootTime(bootTime); err != nil {
				return usageErrorf("invalid --ha-boot-time %q: %w", bootTime, err)
			}
			if err := ha.Validate(); err != nil {
				return usageErrorf("invalid HA emulation settings: %w", err)
			}
			// The collection at the end of a client's load, set once the
			// inventory is built (gcpolicy.Budget).
			var tidy atomic.Pointer[func()]
			loadEnded := func() {
				if f := tidy.Load(); f != nil {
					(*f)()
				}
			}
			srv, err := sim.Start(cmd.Context(), spec, sim.Options{Listen: listen, Username: username, HA: ha,
				SessionTimeout: sessionTimeout, LoadEnded: loadEnded})
			if err != nil {
				return err
			}
			defer srv.Close()
			// Built and collected: from now on the simulator collects when
			// its heap reaches simBudget, not each time it doubles, or at
			// the end of a client's load if that is more than half way.
			t := gcpolicy.Budget(simBudget, a.sys.lookupEnv)
			tidy.Store(&t)
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
	f.StringVar(&bootTime, "ha-boot-time", "0s", "HA emulation: how long each restarted VM takes to boot: a duration (45s) or a range (30s-90s) drawn from with --ha-seed")
	f.Uint64Var(&ha.Seed, "ha-seed", 1, "HA emulation: seed of the boot times drawn from an --ha-boot-time range")
	f.DurationVar(&ha.ElectionDelay, "ha-election-delay", 0, "HA emulation: how long electing a new primary takes when the primary fails (0: the detection delay, as vSphere's about 15s)")
	f.DurationVar(&ha.ToolsDelay, "ha-tools-delay", 0, "HA emulation: how long after a restarted VM powers on its guest heartbeat turns green")
	f.DurationVar(&ha.RetryDelay, "ha-retry-delay", 0, "HA emulation: first delay before a failed restart is retried, doubling after each failure (0: 2m scaled by the detection delay / 15s)")
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

// parseBootTime parses --ha-boot-time: a duration, or a range "MIN-MAX".
func parseBootTime(s string) (lo, hi time.Duration, err error) {
	a, b, isRange := strings.Cut(s, "-")
	if lo, err = time.ParseDuration(a); err != nil {
		return 0, 0, fmt.Errorf("want a duration (45s) or a range (30s-90s): %w", err)
	}
	if !isRange {
		return lo, 0, nil
	}
	if hi, err = time.ParseDuration(b); err != nil {
		return 0, 0, fmt.Errorf("want a duration (45s) or a range (30s-90s): %w", err)
	}
	if hi < lo {
		return 0, 0, fmt.Errorf("the range ends (%s) before it starts (%s)", hi, lo)
	}
	return lo, hi, nil
}
