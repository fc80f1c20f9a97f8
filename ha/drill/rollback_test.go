package drill

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// killedDrill runs plan on c and lets its runner die, as a SIGKILL would,
// just before step at: no rollback of its own, no end in the journal. It
// returns the journal's path.
func killedDrill(t *testing.T, c *vsphere.Client, plan string, at Step) string {
	t.Helper()
	return killedRun(t, &Runner{Client: c, Plan: mustParse(t, plan)}, at)
}

// killedRun is killedDrill for a runner set up by the caller: it sets its
// journal and BeforeStep.
func killedRun(t *testing.T, r *Runner, at Step) string {
	t.Helper()
	j := newJournal(t)
	r.Journal, r.BeforeStep = j, func(s Step) {
		if s == at {
			runtime.Goexit()
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // stops the dead drill's observer
	died := make(chan struct{})
	go func() {
		defer close(died)
		r.Run(ctx)
	}()
	<-died
	if steps := journalSteps(t, j.Path()); slices.Contains(steps, StepRollback) || !slices.Contains(steps, StepInject) {
		t.Fatalf("the killed drill journaled %v; want it dead after the injection, before any rollback", steps)
	}
	return j.Path()
}

// connectWith connects to srv with policy.
func connectWith(t *testing.T, srv *sim.Server, policy vsphere.Policy) *vsphere.Client {
	t.Helper()
	c, err := vsphere.Connect(context.Background(), vspheretest.Config(srv), vsphere.WithPolicy(policy))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

const pinnedCrashPlan = crashPlan + "pin-drs: true\n"

// TestADryRunOrReadOnlyRollbackWritesNothing rolls a killed drill back
// with --dry-run and with --readonly: each leaves the journal byte for
// byte, the cluster and its lock as they were, and a dry run says what it
// would do without calling that a failure. The real rollback after them
// still restores the baseline.
func TestADryRunOrReadOnlyRollbackWritesNothing(t *testing.T) {
	srv, c := haSim(t)
	before, drs := clusterState(t, c), drsOf(t, c)
	journal := killedDrill(t, c, pinnedCrashPlan, StepVerify)
	waitForRestarts(t, c, "esx-a-01.lab.local")
	killed, written := clusterState(t, c), readFile(t, journal)
	for _, tt := range []struct {
		name   string
		policy vsphere.Policy
	}{
		{"dry-run", vsphere.Policy{DryRun: true}},
		{"readonly", vsphere.Policy{ReadOnly: true}},
		{"readonly dry-run", vsphere.Policy{ReadOnly: true, DryRun: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rb, err := RollbackJournal(context.Background(), connectWith(t, srv, tt.policy), journal, RollbackOptions{})
			if tt.policy.DryRun {
				if err != nil || !rb.DryRun || rb.OK || len(rb.Diffs) > 0 {
					t.Errorf("dry run: %v, %+v; want a plan, no error, no differences", err, rb)
				}
				for _, want := range []string{"would recover (simulated) esx-a-01.lab.local", "would reconfigure cluster-a", "would release the drill lock of cluster-a"} {
					if !slices.ContainsFunc(rb.Steps, func(s string) bool { return strings.Contains(s, want) }) {
						t.Errorf("dry run steps %q; want %q", rb.Steps, want)
					}
				}
			} else if !errors.Is(err, vsphere.ErrReadOnly) {
				t.Errorf("read-only: %v, %+v; want it refused as read-only", err, rb)
			}
			if got := readFile(t, journal); !bytes.Equal(got, written) {
				t.Errorf("the journal changed:\n%s\nwas:\n%s", got, written)
			}
			sameMaps(t, "after a "+tt.name+" rollback", clusterState(t, c), killed)
			if lock := lockOf(t, c, "cluster-a"); lock.Free(time.Now()) {
				t.Error("the lock was released")
			}
		})
	}
	rb, err := RollbackJournal(context.Background(), c, journal, RollbackOptions{})
	if err != nil || !rb.OK {
		t.Fatalf("the real rollback after them: %v, %+v", err, rb)
	}
	sameMaps(t, "after the real rollback", clusterState(t, c), before)
	if got := drsOf(t, c); got != drs {
		t.Errorf("DRS %+v; want %+v", got, drs)
	}
	if lock := lockOf(t, c, "cluster-a"); !lock.Free(time.Now()) {
		t.Errorf("after the rollback the lock is held: %+v", lock)
	}
}

// TestAFailedRollbackCanRunAgain makes every migration fail during the
// first rollback of a killed drill: it reports the VMs it could not move
// back, keeps the lock and leaves the journal open. Once the fault is
// gone, the second rollback restores the baseline and ends the journal.
func TestAFailedRollbackCanRunAgain(t *testing.T) {
	srv, c := haSim(t)
	before := clusterState(t, c)
	journal := killedDrill(t, c, crashPlan, StepVerify)
	waitForRestarts(t, c, "esx-a-01.lab.local")
	undo := srv.FailMethod("RelocateVM_Task", "", nil)
	rb, err := RollbackJournal(context.Background(), c, journal, RollbackOptions{})
	undo()
	if err != nil || rb.OK || !slices.ContainsFunc(rb.Diffs, func(d string) bool { return strings.Contains(d, "migrate") && strings.Contains(d, "SystemError") }) {
		t.Fatalf("the first rollback: %v, %+v; want the failed migrations as differences", err, rb)
	}
	if steps := journalSteps(t, journal); steps[len(steps)-1] == StepEnd {
		t.Errorf("a failed rollback ended the journal: %v", steps)
	}
	if lock := lockOf(t, c, "cluster-a"); lock.Free(time.Now()) {
		t.Error("a failed rollback released the lock")
	}
	rb, err = RollbackJournal(context.Background(), c, journal, RollbackOptions{})
	if err != nil || !rb.OK || rb.Skipped != "" {
		t.Fatalf("the second rollback: %v, %+v; want it to run and restore", err, rb)
	}
	sameMaps(t, "after the second rollback", clusterState(t, c), before)
	if steps := journalSteps(t, journal); steps[len(steps)-1] != StepEnd {
		t.Errorf("journal %v: want it ended", steps)
	}
	if lock := lockOf(t, c, "cluster-a"); !lock.Free(time.Now()) {
		t.Errorf("after the rollback the lock is held: %+v", lock)
	}
}

// TestARollbackRunAgainFinishesWhatItsFirstRunMoved: a host the drill
// did not target crashes and comes back while the drill runs, and HA,
// with no user, restarts its VMs elsewhere: moving them back is the
// drill's. The first rollback moves them back, under the drill's user,
// but fails to move a VM of the target; then HA moves them off again.
// The second rollback moves them back again and restores the baseline,
// rather than keeping them as changes others made: the journal says the
// first rollback acted on them.
func TestARollbackRunAgainFinishesWhatItsFirstRunMoved(t *testing.T) {
	srv, c := haSim(t)
	before := clusterState(t, c)
	var bystanders, targeted []string
	for obj, state := range before {
		switch state {
		case "esx-a-03.lab.local poweredOn":
			bystanders = append(bystanders, obj)
		case "esx-a-01.lab.local poweredOn":
			targeted = append(targeted, strings.TrimPrefix(obj, "vm "))
		}
	}
	if len(bystanders) == 0 || len(targeted) == 0 {
		t.Fatalf("the small preset has no running VM on esx-a-03 (%v) or esx-a-01 (%v)", bystanders, targeted)
	}
	slices.Sort(targeted)
	journal := killedDrill(t, c, crashPlan, StepVerify)
	waitForRestarts(t, c, "esx-a-01.lab.local")
	crashAndRecover(t, srv, c, "esx-a-03.lab.local")
	undo := srv.FailMethod("RelocateVM_Task", targeted[0], nil)
	rb, err := RollbackJournal(context.Background(), c, journal, RollbackOptions{})
	undo()
	if err != nil || rb.OK {
		t.Fatalf("the first rollback: %v, %+v; want %s not moved back", err, rb, targeted[0])
	}
	now := clusterState(t, c)
	for _, v := range bystanders {
		if now[v] != before[v] {
			t.Fatalf("after the first rollback %s is %q; want it moved back to %q", v, now[v], before[v])
		}
	}
	crashAndRecover(t, srv, c, "esx-a-03.lab.local")
	rb, err = RollbackJournal(context.Background(), c, journal, RollbackOptions{})
	if err != nil || !rb.OK || len(rb.Outside) > 0 {
		t.Fatalf("the second rollback: %v, %+v; want it to move everything back, and no change of others", err, rb)
	}
	sameMaps(t, "after the second rollback", clusterState(t, c), before)
}

// crashAndRecover crashes host in the simulator, as vCenter sees a power
// loss (no user), waits for HA to restart its VMs elsewhere, and brings
// it back.
func crashAndRecover(t *testing.T, srv *sim.Server, c *vsphere.Client, host string) {
	t.Helper()
	if err := srv.CrashHost(host); err != nil {
		t.Fatal(err)
	}
	waitForRestarts(t, c, host)
	if err := srv.RecoverHost(host); err != nil {
		t.Fatal(err)
	}
}

// waitForRestarts waits up to 10 s for HA to restart the VMs of the
// crashed host elsewhere.
func waitForRestarts(t *testing.T, c *vsphere.Client, host string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		running := false
		for _, v := range clusterState(t, c) {
			running = running || v == host+" poweredOn"
		}
		if !running {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("HA did not restart the VMs of %s within 10 s", host)
		}
	}
}

// TestARollbackRefusesAnotherVCenter rolls a journal of one simulator
// back against another with the same names: refused, naming both, with
// nothing changed there. A journal of an older vtui, which names no
// vCenter, is refused unless the caller vouches for the vCenter.
func TestARollbackRefusesAnotherVCenter(t *testing.T) {
	_, c := haSim(t)
	journal := killedDrill(t, c, crashPlan, StepVerify)
	// As the other journal tests do: the rollbacks below come once HA's
	// restarts are done, not while one still boots (and moves its VM after
	// the rollback moved it back).
	waitForRestarts(t, c, "esx-a-01.lab.local")
	entries, err := ReadJournal(context.Background(), journal)
	if err != nil {
		t.Fatal(err)
	}
	if id := entries[0].VCenter; id == nil || *id != c.Identity() || id.InstanceUUID == "" || strings.Contains(id.URL, "@") {
		t.Fatalf("the start entry names the vCenter %+v; want %+v, without credentials", id, c.Identity())
	}
	if rep := (&Runner{Client: c, Plan: mustParse(t, strings.Replace(crashPlan, "cluster-a", "cluster-b", 1))}).Run(context.Background()); rep.VCenter == nil || *rep.VCenter != c.Identity() {
		t.Errorf("the report names the vCenter %+v; want %+v", rep.VCenter, c.Identity())
	}
	_, other := haSim(t)
	if other.Identity().Same(c.Identity()) {
		t.Fatalf("two simulators share an identity: %+v", other.Identity())
	}
	beforeOther, written := clusterState(t, other), readFile(t, journal)
	_, err = RollbackJournal(context.Background(), other, journal, RollbackOptions{})
	if !errors.Is(err, ErrOtherVCenter) || !strings.Contains(err.Error(), c.Identity().String()) || !strings.Contains(err.Error(), other.Identity().String()) {
		t.Errorf("rollback against another vCenter: %v; want it refused, naming both", err)
	}
	if !bytes.Equal(readFile(t, journal), written) {
		t.Error("a refused rollback wrote the journal")
	}
	sameMaps(t, "the other vCenter after a refused rollback", clusterState(t, other), beforeOther)

	// An older vtui's journal: the same, without the vCenter.
	var start map[string]any
	lines := bytes.SplitN(written, []byte("\n"), 2)
	if err := json.Unmarshal(lines[0], &start); err != nil {
		t.Fatal(err)
	}
	delete(start, "vcenter")
	first, _ := json.Marshal(start)
	old := filepath.Join(t.TempDir(), "old.journal")
	if err := os.WriteFile(old, append(append(first, '\n'), lines[1]...), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := RollbackJournal(context.Background(), c, old, RollbackOptions{}); !errors.Is(err, ErrUnrecordedVCenter) || !strings.Contains(err.Error(), "--unrecorded-vcenter") {
		t.Errorf("an old journal: %v; want it refused, saying how to proceed", err)
	}
	if rb, err := RollbackJournal(context.Background(), c, old, RollbackOptions{Unrecorded: true}); err != nil || !rb.OK {
		t.Errorf("an old journal with Unrecorded: %v, %+v; want it rolled back", err, rb)
	}
}

// powerOff powers vm off through c, as another admin's session would.
func powerOff(t *testing.T, c *vsphere.Client, vm string) {
	t.Helper()
	ctx := context.Background()
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Error(err)
		return
	}
	vms, err := inv.VMsNamed([]string{vm})
	if err != nil {
		t.Error(err)
		return
	}
	if r := gate.NewGate(c).Do(ctx, gate.NewPlanner(inv, nil, nil).Power(vms[0].Ref, gate.OpPowerOff), nil); r.Status != gate.StatusOK {
		t.Errorf("another admin powering off %s: %s %s", vm, r.Status, r.Message)
	}
}

// TestOutsideChangesDuringADrillAreKeptAndNamed has another session power
// off, once the drill has verified, a VM on a host the drill did not
// target, and a VM of the target that HA restarted. The rollback keeps
// the first off and names it with its user and time as a warning (the
// drill passes with warnings), and does not claim the cluster equals the
// baseline; the second is the drill's, and is restored with the rest of
// the drill's changes.
func TestOutsideChangesDuringADrillAreKeptAndNamed(t *testing.T) {
	srv, c := haSim(t)
	admin := vspheretest.Connect(t, srv)
	before := clusterState(t, c)
	inv, err := c.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var bystander, restarted string
	for _, v := range inv.VMs {
		switch {
		case v.PowerState != "poweredOn":
		case v.Host == "esx-a-03.lab.local" && bystander == "":
			bystander = v.Name
		case v.Host == "esx-a-01.lab.local" && restarted == "":
			restarted = v.Name
		}
	}
	if bystander == "" || restarted == "" {
		t.Fatalf("the small preset has no running VM on esx-a-03 (%q) or esx-a-01 (%q)", bystander, restarted)
	}
	acted := time.Now()
	rep := (&Runner{Client: c, Plan: mustParse(t, crashPlan), Journal: newJournal(t), OnMoment: func(m Moment) {
		if m.Kind == "step" && strings.HasPrefix(m.What, "verify: observed") {
			acted = time.Now()
			powerOff(t, admin, bystander)
			powerOff(t, admin, restarted)
		}
	}}).Run(context.Background())
	// Others' changes are warnings: the drill passes with warnings.
	if rep.Result != ResultPassWithWarnings || rep.WarningCount != 1 || !rep.Rollback.OK || len(rep.Rollback.Diffs) > 0 {
		t.Fatalf("want a pass with warnings, one, and the drill's changes undone:\n%s", describe(rep))
	}
	want := before
	want["vm "+bystander] = strings.Replace(want["vm "+bystander], "poweredOn", "poweredOff", 1)
	sameMaps(t, "after the rollback", clusterState(t, c), want)
	if len(rep.Rollback.Outside) != 1 {
		t.Fatalf("outside changes %+v; want %s alone", rep.Rollback.Outside, bystander)
	}
	o := rep.Rollback.Outside[0]
	if o.Object != "vm "+bystander || o.What != "poweredOff, was poweredOn" || o.User != srv.Username || o.Event != "VmPoweredOffEvent" ||
		o.Time.Before(acted.Add(-time.Second)) || o.Time.After(time.Now()) {
		t.Errorf("outside change %+v; want vm %s powered off by %s at about %s", o, bystander, srv.Username, acted)
	}
	if !slices.Equal(rep.Warnings, []string{o.String()}) || !strings.Contains(o.String(), "by "+srv.Username+" at ") {
		t.Errorf("warnings %q; want the outside change, naming who and when", rep.Warnings)
	}
	if slices.ContainsFunc(rep.Rollback.Steps, func(s string) bool { return strings.Contains(s, "equals the baseline") }) ||
		!slices.ContainsFunc(rep.Rollback.Steps, func(s string) bool { return strings.Contains(s, "others made during the drill, kept: vm "+bystander) }) {
		t.Errorf("rollback steps %q; want the outside change named, and no claim that the cluster equals the baseline", rep.Rollback.Steps)
	}
}

// TestAFailedDrillStepSaysWhatFailedOnce fails the drill's own changes
// before the injection: the reason names the step once ("take the drill
// lock of cluster-a: ..."), not the step and then the gate's same words,
// and the drill changes nothing.
func TestAFailedDrillStepSaysWhatFailedOnce(t *testing.T) {
	for _, tt := range []struct{ method, says string }{
		{"SetField", "take the drill lock of cluster-a"},
		{"ReconfigureComputeResource_Task", "pin DRS at manual: reconfigure cluster-a"},
	} {
		t.Run(tt.method, func(t *testing.T) {
			srv, c := haSim(t)
			before := clusterState(t, c)
			defer srv.FailMethod(tt.method, "", nil)()
			rep := (&Runner{Client: c, Plan: mustParse(t, pinnedCrashPlan)}).Run(context.Background())
			why := strings.Join(rep.Reasons, "; ")
			if rep.Result != ResultError || !strings.Contains(why, tt.says) {
				t.Fatalf("want an error saying %q; got:\n%s", tt.says, describe(rep))
			}
			parts := strings.Split(why, ": ")
			for i := 1; i < len(parts); i++ {
				if a, b := strings.Fields(parts[i-1]), strings.Fields(parts[i]); len(a) > 0 && len(b) > 0 && a[0] == b[0] {
					t.Errorf("%q says %q twice in a row", why, a[0])
				}
			}
			sameMaps(t, "after the failed drill", clusterState(t, c), before)
		})
	}
}

// TestADrillsReasonsStayShort loses 200 protected VMs and powers 200 on
// twice: each reason, one line on stderr, names the first three and
// counts the rest, which the report's VMs list.
func TestADrillsReasonsStayShort(t *testing.T) {
	d := &drill{Runner: &Runner{Plan: mustParse(t, crashPlan)}, rep: &Report{Lost: 200, Duplicated: 200}}
	for i := range 200 {
		d.rep.VMs = append(d.rep.VMs, VMResult{Name: fmt.Sprintf("vm-%03d", i), Protected: true, PowerOns: 2})
	}
	d.judge()
	for _, want := range []string{"200 protected VMs lost (expect.lost is 0): vm-000, vm-001, vm-002, and 197 more",
		"200 VMs were powered on more than once or run twice: vm-000, vm-001, vm-002, and 197 more"} {
		if !slices.Contains(d.rep.Reasons, want) {
			t.Errorf("reasons %q; want %q", d.rep.Reasons, want)
		}
	}
}
