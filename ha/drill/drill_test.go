package drill

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// haSim is the small preset with HA declaring a crashed host failed
// after 100 ms.
func haSim(t *testing.T) (*sim.Server, *vsphere.Client) {
	t.Helper()
	srv := vspheretest.StartWith(t, "small", sim.Options{HA: sim.HAOptions{DetectDelay: 100 * time.Millisecond}})
	return srv, vspheretest.Connect(t, srv)
}

// mustParse parses a plan written for a test.
func mustParse(t *testing.T, text string) Plan {
	t.Helper()
	p, err := Parse("plan.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const crashPlan = `name: test
cluster: cluster-a
scenario: host-failure
targets: {hosts: [esx-a-01.lab.local]}
expect: {rto: 30s}
inject: {method: sim-crash}
detect-timeout: 10s
timeout: 30s
`

// clusterState is where every VM is and whether it runs, and each host's
// state: what a rollback must restore.
func clusterState(t *testing.T, c *vsphere.Client) map[string]string {
	t.Helper()
	inv, err := c.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, v := range inv.VMs {
		out["vm "+v.Name] = v.Host + " " + v.PowerState
	}
	for _, h := range inv.Hosts {
		out["host "+h.Name] = fmt.Sprintf("%s maintenance=%t", h.ConnectionState, h.MaintenanceMode)
	}
	return out
}

func sameMaps(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if got[k] != want[k] {
			t.Errorf("%s: %s is %q, was %q", what, k, got[k], want[k])
		}
	}
}

// journalSteps lists the steps of a journal file.
func journalSteps(t *testing.T, path string) []Step {
	t.Helper()
	entries, err := ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	var steps []Step
	for _, e := range entries {
		steps = append(steps, e.Step)
	}
	return steps
}

func newJournal(t *testing.T) *Journal {
	t.Helper()
	j, err := CreateJournal(filepath.Join(t.TempDir(), "drill.journal"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	return j
}

func describe(r *Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "result %s: %v\nrollback %+v\n", r.Result, r.Reasons, r.Rollback)
	for _, c := range r.Preflight {
		fmt.Fprintf(&b, "  preflight %s %s %s\n", c.Name, c.Status, c.Reason)
	}
	for _, m := range r.Timeline {
		fmt.Fprintf(&b, "  %+7.3fs %-5s %s %s\n", m.At, m.Kind, m.Object, m.What)
	}
	return b.String()
}

func TestHostFailureDrillPassesAndRollsBackToTheBaseline(t *testing.T) {
	_, c := haSim(t)
	before := clusterState(t, c)
	j := newJournal(t)
	rep := (&Runner{Client: c, Plan: mustParse(t, crashPlan), Journal: j}).Run(context.Background())
	if rep.Result != ResultPass {
		t.Fatalf("the drill did not pass:\n%s", describe(rep))
	}
	if rep.HA != HASimulated || rep.Lost != 0 || rep.Duplicated != 0 || rep.RTOSeconds <= 0 || !rep.Rollback.OK {
		t.Errorf("report: ha %s lost %d duplicated %d rto %.3f rollback %+v", rep.HA, rep.Lost, rep.Duplicated, rep.RTOSeconds, rep.Rollback)
	}
	protected := 0
	for _, v := range rep.VMs {
		if !v.Protected {
			continue
		}
		protected++
		if !v.Recovered || v.ToHost == "esx-a-01.lab.local" || v.FromHost != "esx-a-01.lab.local" || v.PowerOns != 1 || v.RecoverySeconds <= 0 {
			t.Errorf("%s: %+v; want restarted once, off esx-a-01", v.Name, v)
		}
	}
	if protected == 0 {
		t.Errorf("no protected VM in the report:\n%s", describe(rep))
	}
	if b := rep.Breakdown; b.DetectedSeconds <= 0 || b.DeclaredSeconds < b.DetectedSeconds || b.LastRecoverySeconds != rep.RTOSeconds {
		t.Errorf("breakdown %+v, rto %.3f", b, rep.RTOSeconds)
	}
	sameMaps(t, "after the rollback", clusterState(t, c), before)
	if got := journalSteps(t, j.Path()); !slices.Equal(got, []Step{StepStart, StepPreflight, StepLock, StepBaseline, StepObserve, StepInject, StepVerify, StepRollback, StepUnlock, StepEnd}) {
		t.Errorf("journal steps %v", got)
	}
	if lock := lockOf(t, c, "cluster-a"); !lock.Free(time.Now()) {
		t.Errorf("after the drill the lock is held: %+v", lock)
	}
}

func lockOf(t *testing.T, c *vsphere.Client, cluster string) vsphere.DrillLock {
	t.Helper()
	inv, err := c.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	lock, err := c.DrillLock(context.Background(), inv.FilterClusters(vsphere.Filter{Name: cluster})[0].Ref)
	if err != nil {
		t.Fatal(err)
	}
	return lock
}
