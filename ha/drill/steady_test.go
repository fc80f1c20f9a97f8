package drill

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/vtui/vtui/internal/strictyaml"
	"github.com/vtui/vtui/vsphere/gate"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// TestSteadyStatePlanErrorsTeach: a steady state that checks nothing,
// asks the what-if for more failures than it computes, or names an
// unknown check is refused at its line and key, saying what would do; the
// README's example is a valid steady state.
func TestSteadyStatePlanErrorsTeach(t *testing.T) {
	for _, tt := range []struct {
		yaml, key, msg string
	}{
		{"steady-state: {}", "steady-state", "states no check: set one or more of protected-powered-on: true"},
		{"steady-state: {tolerates-host-failures: 4}", "steady-state.tolerates-host-failures", "tolerates 1 to 3 host failures"},
		{"steady-state: {tolerates-host-failures: -1}", "steady-state.tolerates-host-failures", "tolerates 1 to 3 host failures"},
		{"steady-state: {no-alarms: true}", "steady-state.no-alarms", "unknown key"},
		{"steady-state: {no-maintenance: 3}", "steady-state.no-maintenance", "true or false"},
	} {
		_, err := Parse("plan.yaml", []byte(crashPlan+tt.yaml+"\n"))
		var se *strictyaml.Error
		if !errors.As(err, &se) || se.Key != tt.key || se.Line != 9 || !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("%s: %v; want line 9, key %s, saying %q", tt.yaml, err, tt.key, tt.msg)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, _ := strings.Cut(string(readme), "**A steady state.**")
	_, block, _ := strings.Cut(after, "```yaml\n")
	block, _, _ = strings.Cut(block, "```")
	p, err := Parse("plan.yaml", []byte(crashPlan+block))
	if err != nil || p.SteadyState == nil || *p.SteadyState != (SteadyState{ProtectedPoweredOn: true, NoMaintenance: true, ToleratesHostFailures: 1, NoTriggeredAlarms: true}) {
		t.Errorf("the README's steady state: %+v, %v; want every check set", p.SteadyState, err)
	}
}

// checkNames are the names and statuses of checks: "no-maintenance pass".
func checkNames(checks []gate.Check) []string {
	var out []string
	for _, c := range checks {
		out = append(out, c.Name+" "+string(c.Status))
	}
	return out
}

// TestSteadyStateHoldsBeforeAndAfter: every check of a steady state that
// holds is checked in the preflight and again after the rollback, and
// the report says so in JSON, text and Markdown.
func TestSteadyStateHoldsBeforeAndAfter(t *testing.T) {
	_, c := haSim(t)
	plan := mustParse(t, crashPlan+"steady-state: {protected-powered-on: true, no-maintenance: true, tolerates-host-failures: 1, no-triggered-alarms: true}\n")
	rep := (&Runner{Client: c, Plan: plan, Journal: newJournal(t)}).Run(context.Background())
	if rep.Result != ResultPass || rep.SteadyState == nil {
		t.Fatalf("the drill did not pass with its steady state:\n%s", describe(rep))
	}
	want := "[protected-powered-on pass no-maintenance pass tolerates-host-failures pass no-triggered-alarms pass]"
	if got := checkNames(rep.SteadyState.Before); strings.Join(got, " ") != strings.Trim(want, "[]") {
		t.Errorf("before: %v; want %s", rep.SteadyState.Before, want)
	}
	if got := checkNames(rep.SteadyState.After); strings.Join(got, " ") != strings.Trim(want, "[]") || rep.SteadyState.NotAfter != "" {
		t.Errorf("after: %v (not checked: %q); want %s", rep.SteadyState.After, rep.SteadyState.NotAfter, want)
	}
	var text, md bytes.Buffer
	rep.WriteText(&text)
	_ = rep.WriteMarkdown(&md)
	for _, want := range []string{"steady state before the drill:", "steady state after the rollback:", "pass tolerates-host-failures"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the text report does not say %q:\n%s", want, text.String())
		}
	}
	for _, want := range []string{"## Steady state", "| before the drill | no-triggered-alarms | pass |", "| after the rollback | no-triggered-alarms | pass |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("the Markdown report does not say %q", want)
		}
	}
}

// TestSteadyStateRefusesTheDrillInPreflight: a steady state that does not
// hold before the drill (an alarm triggered on a host) refuses it: result
// error, nothing injected or changed, the failed check named, and no
// check after.
func TestSteadyStateRefusesTheDrillInPreflight(t *testing.T) {
	srv, c := haSim(t)
	defer vspheretest.TriggerAlarm(t, srv, "esx-a-02.lab.local")()
	before := clusterState(t, c)
	plan := mustParse(t, crashPlan+"steady-state: {no-maintenance: true, no-triggered-alarms: true}\n")
	rep := (&Runner{Client: c, Plan: plan, Journal: newJournal(t)}).Run(context.Background())
	why := strings.Join(rep.Reasons, "; ")
	if rep.Result != ResultError || !rep.Injected.IsZero() || !strings.Contains(why, "steady state no-triggered-alarms: 1 triggered alarm: esx-a-02.lab.local: Host error (red") {
		t.Fatalf("result %s, injected %v, reasons %q; want an error naming the alarm, nothing injected", rep.Result, rep.Injected, why)
	}
	if got := strings.Join(checkNames(rep.SteadyState.Before), ", "); got != "no-maintenance pass, no-triggered-alarms fail" {
		t.Errorf("before: %s; want no-maintenance passing, no-triggered-alarms failing", got)
	}
	if len(rep.SteadyState.After) != 0 || rep.SteadyState.NotAfter == "" {
		t.Errorf("after: %v, not checked: %q; want it not checked, saying why", rep.SteadyState.After, rep.SteadyState.NotAfter)
	}
	sameMaps(t, "after a refused drill", clusterState(t, c), before)
}

// TestSteadyStateFailsTheDrillAfterTheRollback: an alarm that fires during
// the drill and is still triggered after the rollback fails a drill whose
// VMs all came back, and the report names it after, not before.
func TestSteadyStateFailsTheDrillAfterTheRollback(t *testing.T) {
	srv, c := haSim(t)
	plan := mustParse(t, crashPlan+"steady-state: {no-triggered-alarms: true}\n")
	fired := false
	onMoment := func(m Moment) {
		if !fired && strings.HasPrefix(m.What, "inject:") {
			fired = true
			t.Cleanup(vspheretest.TriggerAlarm(t, srv, "esx-a-03.lab.local"))
		}
	}
	rep := (&Runner{Client: c, Plan: plan, Journal: newJournal(t), OnMoment: onMoment}).Run(context.Background())
	why := strings.Join(rep.Reasons, "; ")
	if rep.Result != ResultFail || rep.Lost != 0 || !rep.Rollback.OK || !strings.Contains(why, "the steady state does not hold after the rollback: no-triggered-alarms: 1 triggered alarm: esx-a-03.lab.local: Host error") {
		t.Fatalf("result %s, lost %d, rollback ok %t, reasons %q; want a failure for the alarm after the rollback", rep.Result, rep.Lost, rep.Rollback.OK, why)
	}
	if b, a := checkNames(rep.SteadyState.Before), checkNames(rep.SteadyState.After); strings.Join(b, ",") != "no-triggered-alarms pass" || strings.Join(a, ",") != "no-triggered-alarms fail" {
		t.Errorf("before %v, after %v; want it holding before and not after", b, a)
	}
}
