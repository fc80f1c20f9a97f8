package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/cmd/internal/config/configtest"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// The get benchmarks run `vtui get … -o json` against a simulator and, in
// the same op, its peer: what `govc object.collect -json -type TYPE /
// PATHS…` does (govc is not installed here), written with govmomi's
// property collector: log in, create a container view, follow a filter
// with WaitForUpdatesEx until an update set is not truncated, write each
// update as JSON, log out. Each op runs both, one after the other, so
// that both meet the same machine; the benchmark reports both times and
// their ratio, vtui over the peer.
//
// VTUI_BENCH_ENV names a file of the VTUI_* lines `vtui sim` prints: then
// the Large ones run against that simulator, of any preset, in another
// process, as users do (scripts/bench-get --preset large or max).
// Otherwise they run on a large preset in the benchmark's process, where
// it shares the cores and the garbage collector.

// target is a simulator the benchmarks log in to.
type target struct {
	url, user, password, thumbprint string
}

// env returns the VTUI_* variables that reach t.
func (t target) env() configtest.Env {
	return configtest.Env{"VTUI_URL": t.url, "VTUI_USERNAME": t.user, "VTUI_PASSWORD": t.password, "VTUI_THUMBPRINT": t.thumbprint}
}

// shared keeps the simulators the benchmarks share until the package's
// tests end.
var shared vspheretest.Shared

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" { // a test started this binary as vtui (signal_test.go)
		main()
	}
	os.Exit(shared.Run(m))
}

// The large preset takes seconds to build and plain vcsim a minute, so the
// benchmarks of a process share each.
var (
	largeTarget = sync.OnceValues(func() (target, error) {
		if name := os.Getenv("VTUI_BENCH_ENV"); name != "" {
			return readTarget(name)
		}
		spec, err := sim.Preset("large")
		if err != nil {
			return target{}, err
		}
		srv, err := sim.Start(context.Background(), spec, sim.Options{})
		if err != nil {
			return target{}, err
		}
		shared.Keep(srv.Close)
		return target{srv.URL.String(), srv.Username, srv.Password, srv.Thumbprint}, nil
	})
	plain2kTarget = sync.OnceValues(func() (target, error) {
		// govmomi's own VPX model, without vtui's additions: 4 clusters
		// of 5 hosts, 500 VMs in each cluster's pool.
		m := simulator.VPX()
		m.Cluster, m.ClusterHost, m.Host, m.Machine = 4, 5, 0, 500
		m.Autostart = false
		if err := m.Create(); err != nil {
			return target{}, err
		}
		m.Service.Listen = &url.URL{Host: "127.0.0.1:0", User: url.UserPassword("u", "p")}
		m.Service.TLS = new(tls.Config)
		srv := m.Service.NewServer()
		shared.Keep(func() { srv.Close(); m.Remove() })
		return target{srv.URL.String(), "u", "p", soap.ThumbprintSHA256(srv.Certificate())}, nil
	})
)

// readTarget reads the VTUI_* lines of `vtui sim` from a file.
func readTarget(name string) (target, error) {
	f, err := os.Open(name)
	if err != nil {
		return target{}, err
	}
	defer f.Close()
	vars := map[string]string{}
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			vars[k] = v
		}
	}
	return target{vars["VTUI_URL"], vars["VTUI_USERNAME"], vars["VTUI_PASSWORD"], vars["VTUI_THUMBPRINT"]}, nil
}

// vmPaths are the 13 properties `vtui get vms` prints.
var vmPaths = []string{
	"name", "runtime.powerState", "runtime.host", "datastore", "network",
	"config.hardware.numCPU", "config.hardware.memoryMB", "config.instanceUuid", "config.template",
	"summary.quickStats.overallCpuUsage", "summary.quickStats.guestMemoryUsage",
	"guest.ipAddress", "guest.toolsStatus",
}

// BenchmarkGetClustersLarge: `vtui get clusters` at 10,000 VMs (45,000 on
// the max preset) against govc collecting the clusters' name, summary and
// configurationEx, where vtui finds its counts and usage too (the
// cluster's usage summary).
func BenchmarkGetClustersLarge(b *testing.B) {
	benchGet(b, largeTarget, []string{"get", "clusters", "-o", "json"},
		peer{"ClusterComputeResource", []string{"name", "summary", "configurationEx"}})
}

// BenchmarkGetVMsLarge: `vtui get vms` at 10,000 VMs (45,000 on the max
// preset) against govc collecting the same 13 properties.
func BenchmarkGetVMsLarge(b *testing.B) {
	benchGet(b, largeTarget, []string{"get", "vms", "-o", "json"}, peer{"VirtualMachine", vmPaths})
}

// BenchmarkGetVMsPlain2k: `vtui get vms` on govmomi's plain vcsim with
// 2,000 VMs, against govc collecting the same 13 properties.
func BenchmarkGetVMsPlain2k(b *testing.B) {
	benchGet(b, plain2kTarget, []string{"get", "vms", "-o", "json"}, peer{"VirtualMachine", vmPaths})
}

// peer is one govc object.collect: a type and its paths.
type peer struct {
	typ   string
	paths []string
}

// benchGet times `vtui args` and peers[0] in each op, and, when there are
// more peers, all of them together as the peer with the same facts.
func benchGet(b *testing.B, tgt func() (target, error), args []string, peers ...peer) {
	t, err := tgt()
	if err != nil {
		b.Fatal(err)
	}
	t.env().Set(b)
	b.Setenv("XDG_CONFIG_HOME", b.TempDir())
	ctx := context.Background()
	home := b.TempDir()
	var vtui, first, all time.Duration
	for b.Loop() {
		start := time.Now()
		var stderr bytes.Buffer
		sys := &sysEnv{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &stderr, lookupEnv: os.LookupEnv, home: home}
		if code := execute(ctx, args, sys); code != exitOK {
			b.Fatalf("vtui %s: exit %d: %s", strings.Join(args, " "), code, stderr.String())
		}
		vtui += time.Since(start)
		start = time.Now()
		if err := t.collect(ctx, io.Discard, peers[:1]); err != nil {
			b.Fatal(err)
		}
		first += time.Since(start)
		if len(peers) > 1 {
			start = time.Now()
			if err := t.collect(ctx, io.Discard, peers); err != nil {
				b.Fatal(err)
			}
			all += time.Since(start)
		}
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
	b.ReportMetric(ms(vtui), "vtui-ms")
	b.ReportMetric(ms(first), "peer-ms")
	b.ReportMetric(float64(vtui)/float64(first), "ratio")
	if len(peers) > 1 {
		b.ReportMetric(ms(all), "same-facts-peer-ms")
		b.ReportMetric(float64(vtui)/float64(all), "same-facts-ratio")
	}
}

// collect does what `govc object.collect -json -type TYPE / PATHS…` does,
// once per peer, in one session, writing each update to w as JSON.
func (t target) collect(ctx context.Context, w io.Writer, peers []peer) error {
	u, err := soap.ParseURL(t.url)
	if err != nil {
		return err
	}
	sc := soap.NewClient(u, false)
	sc.SetThumbprint(u.Host, t.thumbprint)
	c, err := vim25.NewClient(ctx, sc)
	if err != nil {
		return err
	}
	sm := session.NewManager(c)
	if err := sm.Login(ctx, url.UserPassword(t.user, t.password)); err != nil {
		return err
	}
	defer sm.Logout(context.WithoutCancel(ctx))
	enc := json.NewEncoder(w)
	for _, p := range peers {
		v, err := view.NewManager(c).CreateContainerView(ctx, c.ServiceContent.RootFolder, []string{p.typ}, true)
		if err != nil {
			return err
		}
		filter := new(property.WaitFilter)
		filter.Add(v.Reference(), p.typ, p.paths, v.TraversalSpec())
		err = property.WaitForUpdates(ctx, property.DefaultCollector(c), filter, func(updates []types.ObjectUpdate) bool {
			for _, u := range updates {
				_ = enc.Encode(u)
			}
			return !filter.Truncated
		})
		_ = v.Destroy(ctx)
		if err != nil {
			return err
		}
	}
	return nil
}
