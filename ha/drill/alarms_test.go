package drill

import (
	"context"
	"slices"
	"testing"
)

// TestReportListsTheAlarmsRaised: a host-failure drill's report lists the
// alarm vCenter raised on the crashed host, red, after the injection.
func TestReportListsTheAlarmsRaised(t *testing.T) {
	_, c := haSim(t)
	rep := (&Runner{Client: c, Plan: mustParse(t, crashPlan), Journal: newJournal(t)}).Run(context.Background())
	if rep.Result != ResultPass {
		t.Fatalf("the drill did not pass:\n%s", describe(rep))
	}
	if !slices.ContainsFunc(rep.AlarmsRaised, func(a RaisedAlarm) bool {
		return a.Alarm == "Host connection and power state" && a.Object == "esx-a-01.lab.local" && a.Status == "red" && a.At >= 0 && !a.Time.IsZero()
	}) {
		t.Errorf("alarms raised: %+v; want esx-a-01's red host connection alarm, after the injection\n%s", rep.AlarmsRaised, describe(rep))
	}
}
