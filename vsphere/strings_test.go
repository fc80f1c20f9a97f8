package vsphere

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere/internal/conn"
)

// TestRetrieveStringsMatchesRetrieveOnEveryServer: on vtui's simulator and
// on plain vcsim, conn.RetrieveStrings hands on the same objects as
// conn.Retrieve, in as many requests, for names (which it reads itself;
// see conn's TestLeanTransportReadsVcsimNames) and for a path that is not
// a string (which govmomi decodes from the same answer).
func TestRetrieveStringsMatchesRetrieveOnEveryServer(t *testing.T) {
	sim, _ := connectSim(t, "small")
	for name, c := range map[string]*Client{"vtui's simulator": sim, "plain vcsim": plainVcsim(t)} {
		ctx := context.Background()
		vs, err := c.viewsFor(ctx, Load{VMs: Names})
		if err != nil {
			t.Fatal(err)
		}
		vmKind := slices.IndexFunc(kinds, func(k kind) bool { return k.types[0] == "VirtualMachine" })
		for _, tt := range []struct{ path string }{{"name"}, {"runtime.powerState"}} {
			spec := request{kind: vmKind, paths: []string{tt.path}}.spec(vs.views[vmKind])
			collect := func(retrieve func(context.Context, *conn.Conn, types.PropertyFilterSpec, func(types.ObjectContent)) error) (map[Ref]any, int64) {
				got := map[Ref]any{}
				before := c.RoundTrips()
				err := retrieve(ctx, c.conn, spec, func(oc types.ObjectContent) {
					for _, p := range oc.PropSet {
						got[Ref{Type: oc.Obj.Type, Value: oc.Obj.Value}] = p.Val
					}
				})
				if err != nil {
					t.Fatalf("%s, %s: %v", name, tt.path, err)
				}
				return got, c.RoundTrips() - before
			}
			want, wantTrips := collect(conn.Retrieve)
			got, trips := collect(conn.RetrieveStrings)
			if len(want) < 4 || !reflect.DeepEqual(got, want) {
				t.Errorf("%s, %s: RetrieveStrings gave %v; want %v, as Retrieve", name, tt.path, got, want)
			}
			if trips != wantTrips {
				t.Errorf("%s, %s: RetrieveStrings took %d requests; want %d, as Retrieve", name, tt.path, trips, wantTrips)
			}
		}
	}
}
