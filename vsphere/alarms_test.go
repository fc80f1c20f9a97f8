package vsphere_test

import (
	"context"
	"testing"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// TestTriggeredAlarmsReadsEachEntitysAlarmsByName: a host with a
// triggered alarm reports it, named, red and unacknowledged; the others
// and the cluster report none; cleared, it is gone.
func TestTriggeredAlarmsReadsEachEntitysAlarmsByName(t *testing.T) {
	srv := vspheretest.Start(t, "small")
	c := vspheretest.Connect(t, srv)
	ctx := context.Background()
	inv, err := c.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	refs := []vsphere.Ref{inv.Clusters[0].Ref}
	for _, h := range inv.Hosts {
		refs = append(refs, h.Ref)
	}
	if got, err := c.TriggeredAlarms(ctx, refs); err != nil || len(got) != 0 {
		t.Fatalf("before: %+v, %v; want no alarm", got, err)
	}
	clear := vspheretest.TriggerAlarm(t, srv, inv.Hosts[1].Name)
	got, err := c.TriggeredAlarms(ctx, refs)
	if err != nil || len(got) != 1 || got[0].Entity != inv.Hosts[1].Ref || got[0].Alarm != "Host error" || got[0].Status != "red" || got[0].Acknowledged {
		t.Fatalf("triggered on %s: %+v, %v; want its red, unacknowledged Host error", inv.Hosts[1].Name, got, err)
	}
	clear()
	if got, err := c.TriggeredAlarms(ctx, refs); err != nil || len(got) != 0 {
		t.Errorf("cleared: %+v, %v; want no alarm", got, err)
	}
}
