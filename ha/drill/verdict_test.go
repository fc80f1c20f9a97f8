package drill

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"github.com/vtui/vtui/internal/buildinfo"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// vmResult is the report's result of the VM named name.
func vmResult(t *testing.T, rep *Report, name string) VMResult {
	t.Helper()
	i := slices.IndexFunc(rep.VMs, func(v VMResult) bool { return v.Name == name })
	if i < 0 {
		t.Fatalf("no %s in the report:\n%s", name, describe(rep))
	}
	return rep.VMs[i]
}

// TestALostVMMakesTheRTOUnboundedAndLateVMsAreNamed: with one protected
// VM HA gives up on and an RTO the others cannot meet, the lost VM reads
// lost (down, never back), the others late (down, then back on a
// surviving host), the RTO is null in the JSON, not met, and the
// reasons name the lost and the late VMs; the drill stops observing
// once HA gave up, long before its timeout.
func TestALostVMMakesTheRTOUnboundedAndLateVMsAreNamed(t *testing.T) {
	srv, c := retrySim(t, 50*time.Millisecond, "2")
	victim := runningOn(t, c, "esx-a-01.lab.local")
	defer srv.FailRestart(victim)()
	plan := mustParse(t, strings.NewReplacer("timeout: 30s", "timeout: 5m", "rto: 30s", "rto: 1ms").Replace(crashPlan))
	rep := (&Runner{Client: c, Plan: plan, Journal: newJournal(t)}).Run(context.Background())
	if rep.Result != ResultFail || rep.RTOSeconds != nil || rep.RTOMet || rep.Lost != 1 {
		t.Fatalf("want fail, the RTO unbounded (nil), not met, 1 lost; got rto %s:\n%s", rep.RTO(), describe(rep))
	}
	lost := vmResult(t, rep, victim)
	if lost.Verdict != VerdictLost || lost.Down == nil || lost.Back != nil || lost.Recovered {
		t.Errorf("%s: verdict %s, down %v, back %v; want lost, down, never back", victim, lost.Verdict, lost.Down, lost.Back)
	}
	var late []string
	for _, v := range rep.VMs {
		if v.Protected && v.Name != victim {
			if v.Verdict != VerdictLate || v.Down == nil || v.Back == nil || v.Back.Seconds <= 0.001 || v.ToHost == "esx-a-01.lab.local" {
				t.Errorf("%s: verdict %s, down %v, back %v on %s; want late, back on a surviving host", v.Name, v.Verdict, v.Down, v.Back, v.ToHost)
			}
			late = append(late, v.Name)
		}
	}
	if len(late) == 0 {
		t.Fatalf("no other protected VM on esx-a-01:\n%s", describe(rep))
	}
	why := strings.Join(rep.Reasons, "\n")
	if !strings.Contains(why, "lost (expect.lost is 0): "+victim) || !strings.Contains(why, "back late ("+strings.Join(late, ", ")+")") ||
		rep.ErrorCount != len(rep.Reasons) {
		t.Errorf("reasons (%d counted):\n%s\nwant %s lost and %v late named", rep.ErrorCount, why, victim, late)
	}
	var text strings.Builder
	rep.WriteText(&text)
	if want := "\n  " + victim + ": lost; priority medium; down at +"; !strings.Contains(text.String(), want) ||
		!strings.Contains(text.String(), "; never back; ") || !strings.Contains(text.String(), "\n  "+late[0]+": late; priority medium; down at +") {
		t.Errorf("the text verdict lacks a line per protected VM (%q, %s late):\n%s", want, late[0], text.String())
	}
	var b bytes.Buffer
	if err := rep.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil || string(doc["rto_seconds"]) != "null" {
		t.Errorf("the JSON's rto_seconds is %s (%v); want null, unbounded", doc["rto_seconds"], err)
	}
	if end := observed(t, rep); end > 60 {
		t.Errorf("the observation ended at %.1fs; want it to end once HA gave up, not at the 5m timeout", end)
	}
}

// TestARuleARestartBreaksIsAWarning: a should-rule keeps the target's
// VMs on the target; HA restarts them elsewhere, as it may, and vCenter
// then reports the rule not in compliance. The drill passes with a
// warning naming the rule, and the rollback restores it.
func TestARuleARestartBreaksIsAWarning(t *testing.T) {
	_, c := haSim(t)
	victim := runningOn(t, c, "esx-a-01.lab.local")
	reconfigure(t, c, func(cfg *clusterspec.Config) {
		cfg.VMGroups = append(cfg.VMGroups, clusterspec.VMGroup{Name: "pinned", VMs: []string{victim}})
		cfg.HostGroups = append(cfg.HostGroups, clusterspec.HostGroup{Name: "a01", Hosts: []string{"esx-a-01.lab.local"}})
		cfg.Rules = append(cfg.Rules, clusterspec.Rule{Name: "stay-on-a01", Kind: clusterspec.RuleVMHost, Enabled: true,
			VMGroup: "pinned", AffineHostGroup: "a01"})
	})
	rep := (&Runner{Client: c, Plan: mustParse(t, crashPlan), Journal: newJournal(t)}).Run(context.Background())
	i := slices.IndexFunc(rep.Warnings, func(w string) bool {
		return strings.HasPrefix(w, "rule stay-on-a01 (vm-host: group pinned should run on hosts of group a01) is not in compliance after the failover; it was before the drill")
	})
	if rep.Result != ResultPassWithWarnings || i < 0 || rep.WarningCount != len(rep.Warnings) || len(rep.Reasons) != 0 {
		t.Fatalf("want a pass with a warning that the restart broke stay-on-a01; got warnings %q:\n%s", rep.Warnings, describe(rep))
	}
	if !rep.Rollback.OK {
		t.Errorf("rollback: %+v", rep.Rollback)
	}
}

// TestASlowRollbackIsAWarning: a rollback that took more than half of its
// bound (twice the timeout, plus the detect-timeout) is a warning, and
// says its bound.
func TestASlowRollbackIsAWarning(t *testing.T) {
	for _, tt := range []struct {
		took float64
		want string
	}{
		{0, ""},
		{20, ""},
		{20.1, "the rollback was slow: it took 20.1s, more than half of its bound of 40s (twice the timeout, plus the detect-timeout)"},
	} {
		if got := slowRollback(tt.took, 40*time.Second); (tt.want == "") != (got == "") || !strings.HasPrefix(got, tt.want) {
			t.Errorf("slowRollback(%.1fs, 40s) = %q; want %q", tt.took, got, tt.want)
		}
	}
}

// TestASlowRollbackWarnsOnTheSimulator: moving the VMs back takes 4s of
// the rollback's 7s bound (twice the timeout 3s, plus the detect-timeout
// 1s): the drill passes with that warning, and says how long the rollback
// took.
func TestASlowRollbackWarnsOnTheSimulator(t *testing.T) {
	srv, c := haSim(t)
	srv.SetTaskDelay("RelocateVm", 4*time.Second)
	plan := mustParse(t, strings.NewReplacer("rto: 30s", "rto: 3s", "timeout: 30s", "timeout: 3s", "detect-timeout: 10s", "detect-timeout: 1s").Replace(crashPlan))
	rep := (&Runner{Client: c, Plan: plan, Journal: newJournal(t)}).Run(context.Background())
	if rep.Result != ResultPassWithWarnings || !rep.Rollback.OK || rep.Rollback.Seconds < 4 ||
		!slices.ContainsFunc(rep.Warnings, func(w string) bool { return strings.HasPrefix(w, "the rollback was slow: it took ") }) {
		t.Fatalf("want a pass with a warning that the rollback (%.1fs) was slow; got warnings %q:\n%s", rep.Rollback.Seconds, rep.Warnings, describe(rep))
	}
}

// TestAStepNotRunSaysWhy: a drill the preflight refused lists the steps
// it took, and for each it did not, why.
func TestAStepNotRunSaysWhy(t *testing.T) {
	_, c := haSim(t)
	plan := mustParse(t, strings.Replace(crashPlan, "esx-a-01.lab.local", "esx-nope", 1))
	rep := (&Runner{Client: c, Plan: plan, Journal: newJournal(t)}).Run(context.Background())
	if rep.Result != ResultError || len(rep.Steps) != len(Steps()) {
		t.Fatalf("want an error and every step listed; got %d steps:\n%s", len(rep.Steps), describe(rep))
	}
	for _, s := range rep.Steps {
		want := "the drill stopped before it: preflight refused the drill"
		switch s.Step {
		case StepStart, StepPreflight, StepEnd:
			want = ""
		case StepRollback, StepUnlock:
			want = "rollback skipped: nothing was changed"
		}
		if s.Ran != (want == "") || !strings.HasPrefix(s.Why, want) {
			t.Errorf("step %s: ran %t, why %q; want %q", s.Step, s.Ran, s.Why, want)
		}
	}
}

// TestSimulatedDrillReportGoldens runs a drill on the simulator in which
// HA gives up on one protected VM (lost), restarts the other after the
// RTO (late), and another admin powers off a VM of another host (an
// outside change, kept); its JSON, JUnit and Markdown reports, with what
// changes from run to run (times, durations, the port, the order of
// simultaneous moments) taken out, are goldens.
func TestSimulatedDrillReportGoldens(t *testing.T) {
	srv, c := retrySim(t, 50*time.Millisecond, "2")
	admin := vspheretest.Connect(t, srv)
	victim := runningOn(t, c, "esx-a-01.lab.local")
	bystander := runningOn(t, c, "esx-a-03.lab.local")
	defer srv.FailRestart(victim)()
	plan := mustParse(t, strings.NewReplacer("name: test", "name: golden", "rto: 30s", "rto: 1ms").Replace(crashPlan))
	rep := (&Runner{Client: c, Plan: plan, Journal: newJournal(t), OnMoment: func(m Moment) {
		if m.Kind == "step" && strings.HasPrefix(m.What, "verify: observed") {
			powerOff(t, admin, bystander)
		}
	}}).Run(context.Background())
	if rep.Result != ResultFail || len(rep.Verdicts(VerdictLost)) != 1 || len(rep.Verdicts(VerdictLate)) != 1 || len(rep.Rollback.Outside) != 1 {
		t.Fatalf("want a failed drill with one VM lost, one late and one outside change:\n%s", describe(rep))
	}
	steady(rep)
	assertReports(t, "sim-report", rep)
}

// steady takes out of a report what changes from run to run: every time
// becomes one fixed time and every figure of seconds 0 (the tests above
// check them), figures in text become N, the vCenter loses its port and
// UUID, and the timeline keeps one of each moment, sorted, for
// simultaneous changes arrive in any order.
func steady(r *Report) {
	t0 := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	figures := regexp.MustCompile(`\d+(\.\d+)?(ms|s)\b|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`)
	observed := regexp.MustCompile(`observed \d+`)
	text := func(s string) string {
		return observed.ReplaceAllString(figures.ReplaceAllString(s, "N"), "observed N")
	}
	texts := func(ss []string) {
		for i := range ss {
			ss[i] = text(ss[i])
		}
	}
	r.Started, r.Injected, r.Ended, r.Seconds, r.Journal = t0, t0, t0, 0, "drill.journal"
	r.VCenter = &vsphere.Identity{InstanceUUID: "INSTANCE-UUID", URL: "https://127.0.0.1:PORT/sdk"}
	texts(r.Reasons)
	texts(r.Warnings)
	texts(r.Rollback.Steps)
	r.Rollback.Seconds = 0
	for i := range r.Rollback.Outside {
		r.Rollback.Outside[i].Time = t0
	}
	for i := range r.Steps {
		r.Steps[i].Why = text(r.Steps[i].Why)
	}
	for i := range r.Preflight {
		r.Preflight[i].Reason = text(r.Preflight[i].Reason)
	}
	for i := range r.VMs {
		v := &r.VMs[i]
		v.RecoverySeconds = 0
		for _, in := range []*Instant{v.Down, v.Back} {
			if in != nil {
				in.Seconds, in.Time = 0, t0
			}
		}
		v.Note = text(v.Note)
	}
	r.Breakdown = Breakdown{}
	// Who ran it, and with which build, differ from machine to machine.
	r.Provenance.OSUser, r.Provenance.VTUI = "OS-USER", buildinfo.Info{Version: "VERSION", Go: "GO", Govmomi: "GOVMOMI"}
	for i := range r.AlarmsRaised {
		r.AlarmsRaised[i].At, r.AlarmsRaised[i].Time = 0, t0
	}
	for i := range r.Timeline {
		m := &r.Timeline[i]
		m.At, m.Time, m.What = 0, t0, text(m.What)
	}
	slices.SortFunc(r.Timeline, func(a, b Moment) int {
		return cmp.Or(strings.Compare(a.Kind, b.Kind), strings.Compare(a.Object, b.Object), strings.Compare(a.What, b.What))
	})
	r.Timeline = slices.Compact(r.Timeline)
}

// TestAStepSkippedByThePlanSaysWhy: with rollback: never the rollback,
// the unlock and the end do not run, each saying why, and the journal
// stays open for vtui drill rollback, which then finishes it.
func TestAStepSkippedByThePlanSaysWhy(t *testing.T) {
	_, c := haSim(t)
	j := newJournal(t)
	rep := (&Runner{Client: c, Plan: mustParse(t, crashPlan+"rollback: never\n"), Journal: j}).Run(context.Background())
	want := map[Step]string{StepPinDRS: "not needed: ", StepRollback: "rollback skipped: rollback: never: ", StepUnlock: "rollback skipped: rollback: never: ",
		StepEnd: "the journal stays open, for vtui drill rollback"}
	for _, s := range rep.Steps {
		if s.Ran != (want[s.Step] == "") || !strings.HasPrefix(s.Why, want[s.Step]) {
			t.Errorf("step %s: ran %t, why %q; want %q", s.Step, s.Ran, s.Why, want[s.Step])
		}
	}
	if rb, err := RollbackJournal(context.Background(), c, j.Path(), RollbackOptions{}); err != nil || !rb.OK {
		t.Errorf("rollback from the journal: %v, %+v", err, rb)
	}
}
