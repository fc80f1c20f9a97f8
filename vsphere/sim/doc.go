// Package sim runs an embedded vCenter simulator (govmomi's vcsim) with a
// deterministic inventory, for tests, benchmarks and `vtui --simulator`.
//
// Start builds the inventory of a Spec, usually one of the presets (see
// Preset), and serves it over HTTPS on a loopback port with a fresh
// self-signed certificate, accepting only the Server's Username and
// Password:
//
//	spec, _ := sim.Preset("demo")
//	s, err := sim.Start(ctx, spec, sim.Options{})
//	...
//	defer s.Close()
//	// connect to s.URL as s.Username/s.Password, trusting s.Thumbprint
//
// # Inventory
//
// The same Spec always gives the same names, sizes, placement and power
// states; only morefs, timestamps and the password may differ between runs.
//
//   - Datacenters: dc-01, dc-02, ...
//   - Clusters: cluster-a, cluster-b, ... lettered across the whole
//     inventory (a..z, aa, ab, ...). The first Spec.HAClusters clusters of
//     each datacenter have HA (with admission control) and fully automated
//     DRS; the others have both off. Clusters alternate between two host
//     models (2×16 cores at 2.9 GHz with 512 GiB, and 2×26 cores at 2.2 GHz
//     with 768 GiB).
//   - Hosts: esx-<cluster letter>-<NN>.lab.local, numbered from 01 and
//     padded to the widest number (esx-a-001 when a cluster has 100 hosts).
//   - Datastores: ds-shared-01, ... mounted on every host of the
//     datacenter; with Spec.FirstClusterExtras also FirstClusterDatastore.
//   - Networks: "VM Network" on every host; with Spec.FirstClusterExtras
//     also the portgroup FirstClusterNetwork.
//   - VMs: VM i is named after a role in turn (web, app, db, cache, batch)
//     and numbered per role: web-01, app-01, db-01, cache-01, batch-01,
//     web-02, ... Roles set vCPUs, memory, disk and guest OS. VM i runs on
//     host i mod hosts, in cluster then host order, and lives on shared
//     datastore (i / hosts) mod datastores and on "VM Network". Of every
//     twelve VMs nine are powered on, two off and one suspended; powered-on
//     VMs have tools running, an IP address (10.20.x.y) and CPU and memory
//     usage.
//
// Hosts, clusters and datastores carry roll-ups consistent with the VMs:
// host quickStats sum their VMs' usage, cluster summaries sum their hosts'
// hardware, and datastore capacity is sized from what is committed on it.
//
// # Things to know about vcsim
//
// vcsim writes to the standard log package (TLS handshake errors, and a
// line "open : no such file or directory" on every power operation, because
// VMs built without a task have no vmware.log). Redirect the standard
// logger while a TUI owns the terminal. Changes made on the simulator side
// through Model must use Model().Service.Context's Update, or watchers will
// not see them.
package sim
