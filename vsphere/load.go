package vsphere

import "slices"

// What to load
//
// A Load says which kinds of object a caller shows, and how deep: each
// `vtui get` fetches only what it prints (Listing), and the terminal UI
// keeps everything current (Everything). The property paths follow from
// the Load through the table below, so a column added there is loaded,
// watched and printed alike.
//
// Paths are leaves, never whole `summary` or `config`, on both servers:
//   - vcsim pays per object and per path (it deep-copies each object's
//     result through XML): at 10,000 VMs the 13 leaves of a VM row take
//     2.7 s, `summary`+`datastore`+`network` 3.7 s, and the 7 paths
//     `summary.config`, `.runtime`, `.guest`, `.quickStats`, `name`,
//     `datastore`, `network` 4.5 s; `summary.quickStats` alone costs 1.5
//     times its two leaves.
//   - vCenter pays mostly per byte, and the leaves are a few percent of
//     the bytes of `summary` (whose runtime, config and guest parts hold
//     dozens of fields each) and of `config` (which holds every device).
//
// Counts come from the cheapest source. A cluster's hosts, VMs and usage
// come from its own summary, which vCenter keeps (see clusterUsageOf);
// only on a server that does not (govmomi's plain vcsim) are they added
// up from its hosts, loaded for that (see Client.InventoryFor). When the
// VMs are loaded in rows (the terminal UI), a host's, datastore's or
// network's VMs are counted from the VMs' own runtime.host, datastore and
// network, which are fetched anyway. Otherwise (get hosts, clusters, datastores, networks)
// they are the length of the object's back-reference list (host.vm,
// datastore.vm, network.vm, network.host), which vCenter keeps current
// and vtui's simulator too; a VM's own properties would cost a request
// over every VM. On plain vcsim, which forgets to update host.vm and
// datastore.vm when a VM moves, those counts can lag behind.

// Depth is how much of one kind of object a load fetches.
type Depth uint8

const (
	// Skip fetches nothing of the kind.
	Skip Depth = iota
	// Names fetches what other kinds' rows are resolved through: names,
	// and which hosts make up a cluster.
	Names
	// Usage adds what a host contributes to its cluster's figures where
	// the server keeps no cluster usage summary: its usage and its VMs.
	Usage
	// Rows fetches every field of the kind's rows: what vtui get prints.
	Rows
	// Full adds what changes are planned from: a VM's resource pool.
	Full
)

// Load is what a caller shows of the inventory: a Depth for each kind.
// The zero Load fetches nothing.
type Load struct {
	Clusters, Hosts, VMs, Datastores, Networks Depth
	// Snapshots is how much of the VMs' snapshots to load: Names reads
	// each VM's snapshot tree (its snapshot property, nil on a VM without
	// any, so cheap over every VM); Rows adds the sizes, from the file
	// layouts of only the VMs that have snapshots, read after the rest
	// (see Client.loadSnapshotLayouts). It needs VMs at Names or more.
	Snapshots Depth
}

// Everything is the whole inventory, as the terminal UI keeps it and as
// changes are planned from: everything at Full, and the snapshot trees.
// Their sizes are not watched, as a watch of every VM's file layout would
// be heavy: a one-shot load has none, and a watch reads the layouts of
// the VMs whose trees change, as they change (Client.followLayouts).
func Everything() Load {
	return Load{Clusters: Full, Hosts: Full, VMs: Full, Datastores: Full, Networks: Full, Snapshots: Names}
}

// Listing returns what listing the rows l asks for with filter f needs:
// l, plus the names f refers to, and the hosts' rows when f selects
// datastores or networks by a cluster or a host (the hosts' datastores
// and networks select them). Each kind's l is in its entry of
// internal/kinds.
func Listing(l Load, f Filter) Load {
	if f.Cluster != "" {
		l.Clusters, l.Hosts = max(l.Clusters, Names), max(l.Hosts, Names)
	}
	if f.Host != "" {
		l.Hosts = max(l.Hosts, Names)
	}
	if (f.Cluster != "" || f.Host != "") && (l.Datastores == Rows || l.Networks == Rows) {
		l.Hosts = max(l.Hosts, Rows)
	}
	if f.Datastore != "" {
		l.Datastores = max(l.Datastores, Names)
	}
	if f.Network != "" {
		l.Networks = max(l.Networks, Names)
	}
	return l
}

// kind is one managed-object type vtui reads: the container view that
// finds its objects, and its property paths in groups, each with when a
// Load needs it; climb, if set, says when a Load also needs the objects'
// folders and datacenter (see climbSpec). The snapshots and the watch
// share these.
type kind struct {
	types  []string
	groups []group
	climb  func(Load) bool
}

// group is some property paths of a kind and the Loads that need them.
type group struct {
	need  func(Load) bool
	paths []string
}

// countsFromLists says whether l counts the VMs of hosts, datastores and
// networks from their back-reference lists, because it does not load the
// VMs' own placement.
func (l Load) countsFromLists() bool { return l.VMs < Rows }

var kinds = []kind{
	// A cluster's row names its datacenter, found up its parents (climb).
	{types: []string{"ClusterComputeResource"}, climb: func(l Load) bool { return l.Clusters >= Rows }, groups: []group{
		{need: func(l Load) bool { return l.Clusters >= Names }, paths: []string{"name"}},
		// A cluster's host list places its hosts: one list per cluster
		// is cheaper than each host's parent. Without hosts it is not
		// read: at 2,496 hosts it is four fifths of get clusters' bytes.
		{need: func(l Load) bool { return l.Clusters >= Names && l.Hosts >= Names }, paths: []string{"host"}},
		// The whole summary: its usage summary (VM counts and usage) is a
		// field of ClusterComputeResourceSummary, and vCenter checks
		// paths against the declared type of summary, the base
		// ComputeResourceSummary, so summary.usageSummary.totalVmCount
		// may be refused. It is small either way.
		{need: func(l Load) bool { return l.Clusters >= Rows }, paths: []string{
			"parent", "summary",
			"configurationEx.dasConfig.enabled", "configurationEx.drsConfig.enabled",
		}},
	}},
	{types: []string{"HostSystem"}, groups: []group{
		{need: func(l Load) bool { return l.Hosts >= Names }, paths: []string{"name"}},
		{need: func(l Load) bool { return l.Hosts >= Usage }, paths: []string{
			"summary.quickStats.overallCpuUsage", "summary.quickStats.overallMemoryUsage",
		}},
		{need: func(l Load) bool { return l.Hosts >= Usage && l.countsFromLists() }, paths: []string{"vm"}},
		{need: func(l Load) bool { return l.Hosts >= Rows }, paths: []string{
			"runtime.connectionState", "runtime.powerState", "runtime.inMaintenanceMode",
			"summary.hardware.cpuMhz", "summary.hardware.numCpuCores", "summary.hardware.memorySize",
			"datastore", "network",
		}},
	}},
	{types: []string{"VirtualMachine"}, groups: []group{
		{need: func(l Load) bool { return l.VMs >= Names }, paths: []string{"name"}},
		{need: func(l Load) bool { return l.VMs >= Rows }, paths: vmRowPaths},
		{need: func(l Load) bool { return l.VMs >= Full }, paths: []string{"resourcePool"}},
		{need: func(l Load) bool { return l.VMs >= Names && l.Snapshots >= Names }, paths: []string{"snapshot"}},
	}},
	{types: []string{"Datastore"}, groups: []group{
		{need: func(l Load) bool { return l.Datastores >= Names }, paths: []string{"name"}},
		{need: func(l Load) bool { return l.Datastores >= Rows }, paths: []string{
			"summary.type", "summary.capacity", "summary.freeSpace", "summary.accessible", "host",
		}},
		{need: func(l Load) bool { return l.Datastores >= Rows && l.countsFromLists() }, paths: []string{"vm"}},
	}},
	{types: []string{"Network", "DistributedVirtualPortgroup", "OpaqueNetwork"}, groups: []group{
		{need: func(l Load) bool { return l.Networks >= Names }, paths: []string{"name"}},
		{need: func(l Load) bool { return l.Networks >= Rows && l.Hosts < Rows }, paths: []string{"host"}},
		{need: func(l Load) bool { return l.Networks >= Rows && l.countsFromLists() }, paths: []string{"vm"}},
	}},
}

// vmRowPaths are the fields of a VM row beyond its name.
var vmRowPaths = []string{
	"runtime.powerState", "runtime.host", "datastore", "network",
	"config.hardware.numCPU", "config.hardware.memoryMB", "config.instanceUuid", "config.template",
	"summary.quickStats.overallCpuUsage", "summary.quickStats.guestMemoryUsage",
	"guest.ipAddress", "guest.toolsStatus",
}

// kindFor returns the kind of managed-object type t.
func kindFor(t string) kind {
	for _, k := range kinds {
		if slices.Contains(k.types, t) {
			return k
		}
	}
	return kind{}
}

// paths returns the property paths of k that l needs, none if it skips k.
func (l Load) paths(k kind) []string {
	var out []string
	for _, g := range k.groups {
		if g.need(l) {
			out = append(out, g.paths...)
		}
	}
	return out
}
