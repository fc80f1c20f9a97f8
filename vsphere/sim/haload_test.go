//go:build unix

package sim

import (
	"cmp"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// TestHALoad measures what the simulator spends while HA restarts about
// 1,000 VMs with a realistic boot time: it crashes hosts of the large
// preset's HA clusters, round robin and never more than half of a
// cluster, until their powered-on VMs that HA restarts number about
// VTUI_HA_LOAD_VMS, then follows HA through detection (every crashed
// host hostDown), the first restart powered on, and every restart
// powered on. For each phase it reports the wall time and the process's
// CPU seconds (getrusage, user and system: the simulator, and this
// test's reading of the VMs' state every 250 ms), and at the end the
// peak RSS. It is a measurement, not a test: it runs only when
// VTUI_HA_LOAD is set, as scripts/sim-boot-cpu does:
//
//	VTUI_HA_LOAD=1 go test ./vsphere/sim -run TestHALoad -v -timeout 60m
//
// Knobs (environment): VTUI_HA_LOAD_PRESET (large), VTUI_HA_LOAD_VMS
// (1000), VTUI_HA_LOAD_BOOT (30s-90s: a duration or a range drawn with
// VTUI_HA_LOAD_SEED, 1), VTUI_HA_LOAD_DETECT (15s, vSphere's).
func TestHALoad(t *testing.T) {
	if os.Getenv("VTUI_HA_LOAD") == "" {
		t.Skip("a measurement: set VTUI_HA_LOAD=1 (see scripts/sim-boot-cpu)")
	}
	env := func(name, def string) string { return cmp.Or(os.Getenv(name), def) }
	want, err := strconv.Atoi(env("VTUI_HA_LOAD_VMS", "1000"))
	if err != nil || want <= 0 {
		t.Fatalf("VTUI_HA_LOAD_VMS %q: want a positive number", os.Getenv("VTUI_HA_LOAD_VMS"))
	}
	seed, err := strconv.ParseUint(env("VTUI_HA_LOAD_SEED", "1"), 10, 64)
	if err != nil {
		t.Fatalf("VTUI_HA_LOAD_SEED: %v", err)
	}
	detect, err := time.ParseDuration(env("VTUI_HA_LOAD_DETECT", "15s"))
	if err != nil {
		t.Fatalf("VTUI_HA_LOAD_DETECT: %v", err)
	}
	opts := HAOptions{DetectDelay: detect, Seed: seed}
	lo, hi, ranged := strings.Cut(env("VTUI_HA_LOAD_BOOT", "30s-90s"), "-")
	if opts.BootTime, err = time.ParseDuration(lo); err == nil && ranged {
		opts.BootTimeMax, err = time.ParseDuration(hi)
	}
	if err != nil {
		t.Fatalf("VTUI_HA_LOAD_BOOT: %v", err)
	}
	spec, err := Preset(env("VTUI_HA_LOAD_PRESET", "large"))
	if err != nil {
		t.Fatal(err)
	}

	ph := &phases{t: t}
	ph.begin()
	s := startSpec(t, spec, Options{HA: opts})
	ph.mark(fmt.Sprintf("start the preset (%d hosts, %d VMs)", spec.Datacenters*spec.Clusters*spec.HostsPerCluster, spec.VMs))
	ctx := *s.vc.sctx
	hosts, vms := loadVictims(&ctx, want)
	if len(vms) == 0 {
		t.Fatal("no HA cluster of the preset runs a VM HA restarts")
	}
	for _, h := range hosts {
		if err := s.CrashHost(h); err != nil {
			t.Fatal(err)
		}
	}
	ph.mark(fmt.Sprintf("crash %d hosts running %d VMs HA restarts", len(hosts), len(vms)))
	deadline := time.Now().Add(50 * time.Minute)
	await := func(what string, done func() bool) {
		t.Helper()
		for !done() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 50 minutes", what)
			}
			time.Sleep(250 * time.Millisecond)
		}
		ph.mark(what)
	}
	await("detect and declare (every crashed host hostDown)", func() bool {
		return !slices.ContainsFunc(hosts, func(name string) bool {
			h, err := hostNamed(&ctx, name)
			return err != nil || fdmState(&ctx, h) != string(types.ClusterDasFdmAvailabilityStateHostDown)
		})
	})
	await("until the first restart is powered on", func() bool { return restarted(&ctx, vms) > 0 })
	await(fmt.Sprintf("until all %d restarts are powered on", len(vms)), func() bool { return restarted(&ctx, vms) == len(vms) })
	ph.report(opts)
}

// loadVictims picks hosts of the HA clusters, round robin and at most
// half of each, until the powered-on VMs on them that HA restarts number
// want or more; it returns the hosts' names and those VMs, with the host
// each ran on.
func loadVictims(ctx *simulator.Context, want int) ([]string, map[types.ManagedObjectReference]types.ManagedObjectReference) {
	var clusters []*clusterView
	for _, ref := range ctx.Map.AllReference("ClusterComputeResource") {
		if cl, ok := ctx.Map.Get(ref.Reference()).(*simulator.ClusterComputeResource); ok {
			if v := readCluster(ctx, cl); monitored(v.cfg.DasConfig) {
				clusters = append(clusters, v)
			}
		}
	}
	slices.SortFunc(clusters, func(a, b *clusterView) int { return strings.Compare(a.name, b.name) })
	vms := map[types.ManagedObjectReference]types.ManagedObjectReference{}
	var hosts []string
	for i := 0; len(vms) < want; i++ {
		took := false
		for _, v := range clusters {
			if i >= len(v.hosts)/2 || len(vms) >= want {
				continue
			}
			h := v.hosts[i]
			hosts, took = append(hosts, h.name), true
			for _, vm := range v.vms {
				if vm.host == h.ref && vm.on && v.priority(vm) >= 0 {
					vms[vm.ref] = h.ref
				}
			}
		}
		if !took {
			break
		}
	}
	return hosts, vms
}

// restarted counts the VMs of vms powered on on another host than the
// one they ran on.
func restarted(ctx *simulator.Context, vms map[types.ManagedObjectReference]types.ManagedObjectReference) int {
	n := 0
	for ref, from := range vms {
		if vm, ok := ctx.Map.Get(ref).(*simulator.VirtualMachine); ok {
			ctx.WithLock(vm, func() {
				if vm.Runtime.Host != nil && *vm.Runtime.Host != from && vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
					n++
				}
			})
		}
	}
	return n
}

// phases times the phases of a measurement: wall time and the process's
// CPU time.
type phases struct {
	t        *testing.T
	wall     time.Time
	cpu      time.Duration
	start    time.Time
	startCPU time.Duration
	lines    []string
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (p *phases) begin() {
	p.wall, p.cpu = time.Now(), cpuTime()
	p.start, p.startCPU = p.wall, p.cpu
}

// mark ends a phase called what.
func (p *phases) mark(what string) {
	now, cpu := time.Now(), cpuTime()
	wall, used := now.Sub(p.wall), cpu-p.cpu
	p.lines = append(p.lines, fmt.Sprintf("%-55s %9.1fs %9.2fs %6.0f%%", what, wall.Seconds(), used.Seconds(), 100*used.Seconds()/max(wall.Seconds(), 1e-9)))
	p.t.Logf("phase done: %s", p.lines[len(p.lines)-1])
	p.wall, p.cpu = now, cpu
}

// report logs the table, the totals and the peak RSS.
func (p *phases) report(o HAOptions) {
	wall, used := time.Since(p.start), cpuTime()-p.startCPU
	rss := "unknown"
	if kb, ok := peakRSSKiB(); ok {
		rss = fmt.Sprintf("%.0f MiB", float64(kb)/1024)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "HA load on %d cores (GOMAXPROCS %d), detect %s, boot %s, seed %d:\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), o.detect(), o.bootTimes(), o.Seed)
	fmt.Fprintf(&b, "%-55s %10s %10s %7s\n", "phase", "wall", "CPU", "CPU/wall")
	for _, l := range p.lines {
		b.WriteString(l + "\n")
	}
	fmt.Fprintf(&b, "%-55s %9.1fs %9.2fs %6.0f%%\npeak RSS %s", "total", wall.Seconds(), used.Seconds(), 100*used.Seconds()/max(wall.Seconds(), 1e-9), rss)
	p.t.Log("\n" + b.String())
}
