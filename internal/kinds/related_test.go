package kinds

import (
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
)

func outline(n Node, depth int, b *strings.Builder) {
	b.WriteString(strings.Repeat("  ", depth) + n.Text)
	if n.Kind != "" {
		b.WriteString("  -> " + n.Kind + "/" + n.Key)
	}
	b.WriteByte('\n')
	for _, c := range n.Children {
		outline(c, depth+1, b)
	}
}

var (
	vmRef      = vsphere.Ref{Type: "VirtualMachine", Value: "vm-1"}
	hostRef    = vsphere.Ref{Type: "HostSystem", Value: "host-1"}
	clusterRef = vsphere.Ref{Type: "ClusterComputeResource", Value: "domain-c1"}
	relatedInv = &vsphere.Inventory{
		Clusters:   []vsphere.Cluster{{Ref: clusterRef, Name: "cluster-a"}},
		Hosts:      []vsphere.Host{{Ref: hostRef, Name: "esx-01", Cluster: "cluster-a", ConnectionState: "connected", Datastores: []string{"ds-01"}, Networks: []string{"net-01"}}},
		VMs:        []vsphere.VM{{Ref: vmRef, Name: "web-01", PowerState: "poweredOn", Host: "esx-01", Cluster: "cluster-a", Datastores: []string{"ds-01"}, Networks: []string{"net-01"}}},
		Datastores: []vsphere.Datastore{{Name: "ds-01"}},
	}
	relatedTasks = []vsphere.Task{
		{ID: "task-2", Name: "PowerOffVM", TargetRef: vmRef, State: vsphere.TaskRunning, Progress: 40, User: "bob"},
		{ID: "task-1", Name: "EnterMaintenanceMode", TargetRef: hostRef, State: vsphere.TaskSuccess},
	}
)

// TestRelatedOfAVM: a VM's tree names its host, cluster, datastores,
// networks, the rules and snapshots read for it, its own tasks only, and
// its events; each object node leads to its row in its kind's view.
func TestRelatedOfAVM(t *testing.T) {
	near := vsphere.Surroundings{
		Rules:     []clusterspec.Rule{{Name: "keep-apart", Kind: clusterspec.RuleAntiAffinity, Enabled: true, Mandatory: true, VMs: []string{"web-01", "db-01"}}},
		Snapshots: []vsphere.SnapshotNode{{Name: "base"}, {Name: "patched", Depth: 1, Current: true}},
		Events:    []vsphere.Event{{Key: 42, Message: "web-01 is powered off", ObjectRef: vmRef}},
	}
	root, ok := Related(Around{Inv: relatedInv, Tasks: relatedTasks, Nearby: near, Alarms: []string{"VM CPU usage: red"}}, vmRef)
	if !ok {
		t.Fatal("no tree for web-01")
	}
	var b strings.Builder
	outline(root, 0, &b)
	want := `VM web-01 (poweredOn)  -> vms/web-01
  host esx-01  -> hosts/esx-01
  cluster cluster-a  -> clusters/cluster-a
  datastores (1)
    ds-01  -> datastores/ds-01
  networks (1)
    net-01  -> networks/net-01
  rules (1)
    keep-apart: anti-affinity, must: web-01, db-01
  snapshots (2)
    base  -
      patched  -  (current)
  alarms (1)
    VM CPU usage: red
  recent tasks (1)
    -  PowerOffVM  [####      ] 40%  bob  -> tasks/task-2
  events (1)
    -  web-01 is powered off  -> events/42
`
	if got := b.String(); got != want {
		t.Errorf("tree:\n%s\nwant:\n%s", got, want)
	}
}

// TestRelatedOfAHostAndACluster: a host's tree lists its cluster and VMs;
// a cluster's its hosts and datastores; no alarms heading without alarms.
func TestRelatedOfAHostAndACluster(t *testing.T) {
	var b strings.Builder
	for _, ref := range []vsphere.Ref{hostRef, clusterRef} {
		root, ok := Related(Around{Inv: relatedInv, Tasks: relatedTasks}, ref)
		if !ok {
			t.Fatalf("no tree for %s", ref)
		}
		outline(root, 0, &b)
	}
	want := `host esx-01 (connected)  -> hosts/esx-01
  cluster cluster-a  -> clusters/cluster-a
  VMs (1)
    web-01  -> vms/web-01
  datastores (1)
    ds-01  -> datastores/ds-01
  networks (1)
    net-01  -> networks/net-01
  recent tasks (1)
    -  EnterMaintenanceMode  done  -> tasks/task-1
  events (0)
cluster cluster-a  -> clusters/cluster-a
  hosts (1)
    esx-01  -> hosts/esx-01
  rules (0)
  datastores (1)
    ds-01  -> datastores/ds-01
  recent tasks (0)
  events (0)
`
	if got := b.String(); got != want {
		t.Errorf("trees:\n%s\nwant:\n%s", got, want)
	}
	if _, ok := Related(Around{Inv: relatedInv}, vsphere.Ref{Type: "VirtualMachine", Value: "vm-gone"}); ok {
		t.Error("a tree for a VM the inventory does not hold")
	}
}

// TestHistoryIsTheObjectsOwn: the detail's history holds the object's
// tasks and events, not others', at most n of each.
func TestHistoryIsTheObjectsOwn(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.Local)
	events := []vsphere.Event{{Key: 3, Time: at, Message: "three", ObjectRef: vmRef}, {Key: 2, Message: "other", ObjectRef: hostRef},
		{Key: 1, Message: "one", ObjectRef: vmRef}}
	got := History(relatedTasks, events, vmRef, 1)
	want := []Field{{"Task", "-  PowerOffVM  [####      ] 40%  bob"}, {"Event", "03:04:05  three"}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("History = %q; want %q", got, want)
	}
}
