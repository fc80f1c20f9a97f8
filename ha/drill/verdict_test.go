package drill

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/vsphere/clusterspec"
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
		return strings.HasPrefix(w, "rule stay-on-a01 (vm-host: group pinned should run on hosts of group a01) was broken by the restarts")
	})
	if rep.Result != ResultPassWithWarnings || i < 0 || rep.WarningCount != len(rep.Warnings) || len(rep.Reasons) != 0 {
		t.Fatalf("want a pass with a warning that the restart broke stay-on-a01; got warnings %q:\n%s", rep.Warnings, describe(rep))
	}
	if !rep.Rollback.OK {
		t.Errorf("rollback: %+v", rep.Rollback)
	}
}

// TestASlowRollbackIsAWarning: a rollback that took more than half of its
// bound (timeout + detect-timeout) is a warning, and says its bound.
func TestASlowRollbackIsAWarning(t *testing.T) {
	for _, tt := range []struct {
		took float64
		want string
	}{
		{0, ""},
		{20, ""},
		{20.1, "the rollback was slow: it took 20.1s, more than half of its bound of 40s (timeout + detect-timeout)"},
	} {
		if got := slowRollback(tt.took, 40*time.Second); (tt.want == "") != (got == "") || !strings.HasPrefix(got, tt.want) {
			t.Errorf("slowRollback(%.1fs, 40s) = %q; want %q", tt.took, got, tt.want)
		}
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
