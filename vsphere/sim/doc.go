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
//     padded to the widest number (esx-a-01 to esx-a-96 in the large
//     preset; a cluster has at most MaxHostsPerCluster, 96, as in vSphere).
//   - Datastores: ds-shared-01, ... mounted on every host of the
//     datacenter; with Spec.DatastoresPerCluster, ds-<cluster letter>-01,
//     ... mounted on that cluster's hosts only; with
//     Spec.FirstClusterExtras also FirstClusterDatastore.
//   - Networks: "VM Network" on every host; with Spec.FirstClusterExtras
//     also the portgroup FirstClusterNetwork.
//   - VMs: VM i is named after a role in turn (web, app, db, cache, batch)
//     and numbered per role: web-01, app-01, db-01, cache-01, batch-01,
//     web-02, ... Roles set vCPUs, memory, disk and guest OS. VM i runs on
//     host i mod hosts, in cluster then host order, and lives on datastore
//     (i / hosts) mod datastores of its cluster's own, or else of the
//     shared ones, and on "VM Network". Of every twelve VMs nine are
//     powered on, two off and one suspended, unless Spec.Mix counts them
//     (VMMix: templates too, each host getting its share); powered-on VMs
//     have tools running, an IP address (10.20.x.y) and CPU and memory
//     usage.
//
// Hosts, clusters and datastores carry roll-ups consistent with the VMs:
// host quickStats sum their VMs' usage, cluster summaries sum their hosts'
// hardware, and datastore capacity is sized from what is committed on it.
//
// # Where it behaves like vCenter rather than vcsim
//
// Every server Start returns, whatever the preset, routes a few methods
// through vtui's own implementations (route.go), because vcsim accepts
// what vCenter refuses and changes state behind its watchers' backs:
//
//   - RelocateVM_Task: a target host, datastore or pool that does not
//     exist is a ManagedObjectNotFound fault (vcsim panics on an unknown
//     host). The task fails, as vCenter's does, when the target host is in
//     maintenance mode (InvalidHostState), not connected
//     (HostNotConnected), or powered off, when it does not mount a
//     datastore the VM will use (DatastoreNotWritableOnHost) or lacks one
//     of its networks, or when the resource pool belongs to another
//     cluster than the host (InvalidArgument spec.pool). A move updates
//     HostSystem.vm, Datastore.vm and ResourcePool.vm as well as the VM, all
//     through property updates, and posts one VmMigratedEvent whose Host is
//     the target and SourceHost the source. Device changes, disk locators
//     and folders still go to vcsim.
//   - CheckRelocate_Task answers with the fault the relocation would fail
//     with (vcsim's always answers "no problem").
//   - EnterMaintenanceMode_Task fails (Timedout) while powered-on VMs run
//     on the host: the simulator runs no DRS, so, like vCenter without
//     fully automated DRS, nothing would move them. Entering and leaving
//     maintenance mode, disconnecting and reconnecting push property
//     updates (runtime.* and summary.runtime.*) and post
//     EnteredMaintenanceModeEvent, ExitMaintenanceModeEvent,
//     HostDisconnectedEvent and HostConnectedEvent; a disconnect also
//     marks the host's VMs disconnected.
//   - ShutdownHost_Task and RebootHost_Task, which vcsim lacks, act as on
//     ESXi: the host must be connected, and in maintenance mode unless
//     force is set (InvalidState otherwise); forced, the VMs still running
//     on it are powered off. HostShutdownEvent is posted and the host goes
//     notResponding, its VMs disconnected: runtime.powerState poweredOff
//     after a shutdown, for good (nothing powers a host on again, and
//     ReconnectHost_Task fails with NoHost while it is not powered on);
//     unknown during a reboot, after which (Options.HostRebootTime, 3
//     minutes by default) it is poweredOn and connected again, still in
//     maintenance mode if it was, with HostConnectedEvent. A clean
//     shutdown or reboot is not a failure: HA declares nothing and
//     restarts nothing (hostops.go). Standby mode (EnterStandbyMode_Task,
//     PowerUpHostFromStandBy_Task) is not modelled.
//   - Power operations on a VM of a host that is not connected fail with
//     InvalidHostConnectionState, and ShutdownGuest needs VMware Tools
//     running (ToolsUnavailable).
//   - ReconfigureComputeResource_Task on a cluster keeps the whole
//     ClusterConfigSpecEx (vcsim drops hostMonitoring, vmMonitoring,
//     admissionControlPolicy, defaultVmSettings and vmotionRate), merged
//     field by field as modify=true merges; checks every reference (a VM
//     or host outside the cluster, a missing group, a duplicate name, a
//     vmotionRate outside 1..5 fail the task and change nothing); and
//     replaces configurationEx through a property update, so watchers and
//     every other client see it, the summary's admission control figures
//     following through the roll-up; and posts
//     ClusterReconfiguredEvent with the session's user for each one that
//     succeeds (clusterconfig.go).
//   - CustomFieldsManager.SetField and setCustomValue, on any entity
//     (vcsim has the latter only on VMs and folders), change customValue
//     and value through property updates and post
//     CustomFieldValueChangedEvent, with the previous and the new value
//     and the session's user, as vCenter does for a custom attribute such
//     as the drill lock (customfields.go). vCenter posts no
//     ClusterReconfiguredEvent for one, and neither does the simulator.
//   - Every event type the simulator posts itself has vCenter's category
//     (info, warning or error) in the EventManager's description, where
//     clients such as govc's events look it up, and vCenter's full
//     formatted message, its fields filled (events.go); vcsim describes
//     only a few types, none of HA's.
//   - HA: see ha.go. A crashed host fails over as vSphere HA's FDM agent
//     does it; FDM's events (DasHostFailedEvent and the restart events)
//     are posted only in clusters with HA enabled and host monitoring on,
//     where FDM watches the hosts. Modelled: primary and secondary roles
//     in runtime.dasHostState, and an election (Options.HA.ElectionDelay)
//     before a failed primary's host is declared; placement first, highest
//     priority first, on the hosts with the most unreserved CPU and memory
//     (reservations counted as admission control counts them), dedicated
//     failover hosts first, mandatory rules kept; then each host powering
//     on its share one by one, hosts in parallel, each boot taking
//     Options.HA.BootTime (fixed, or a seeded range); the next priority
//     waiting for the previous one's ready condition (resources
//     allocated, powered on, guest heartbeat green after
//     Options.HA.ToolsDelay) plus postReadyDelay, or restartPriorityTimeout,
//     from the cluster's orchestration and dasConfig and the per-VM
//     overrides; and retries of restarts that found no capacity, when a
//     host comes back and on a doubling schedule, up to
//     das.maxvmrestartcount attempts, each failed one posting
//     NotEnoughResourcesToStartVmEvent (whose reason says whether HA
//     retries or gives up). Seconds vSphere sets are scaled by
//     DetectDelay / 15 s. What it does not model is listed under "What
//     the HA emulation does not model" below. The boot time is 0 unless
//     set: tests' restarts are instant; vtui --simulator boots in 0.3 to
//     0.8 s, and vtui sim takes --ha-boot-time.
//   - Isolation, partitions and datastore heartbeats (isolation.go).
//     Besides a crash, the fault door cuts a host's management network
//     (isolation) or splits some hosts of a cluster from the rest
//     (partition), and restores it; vCenter is on the rest's side, so a
//     cut host reads notResponding, its VMs disconnected with their last
//     power state, while they go on running. The primary declares a host
//     failed only when its network and its datastore heartbeats both
//     stop: a crashed host's stop; a cut host's go on wherever it shares
//     a heartbeat datastore with the primary (any common datastore, or
//     only the cluster's heartbeatDatastore under userSelectedDs), and it
//     is networkPartitionedFromMaster, or networkIsolated once it has
//     declared itself isolated (after 30 s, 5 s for a primary, scaled;
//     DasHostIsolatedEvent, with host monitoring on), and nothing
//     restarts on that ground; a cut primary costs the rest an election. The isolation response (the
//     VM's override, else the cluster's; needs host monitoring; none for
//     a VM whose restart priority is disabled) applies
//     das.config.fdm.isolationPolicyDelaySec (30 s, scaled) after the
//     declaration: none keeps the VMs running; powerOff powers them off
//     and the rest's primary restarts them elsewhere; shutdown shuts the
//     guest down (at once with VMware Tools running, else a power-off
//     when das.isolationshutdowntimeout, 300 s scaled, ends), then
//     restarts it. A VM still running behind a cut network holds its
//     disks' locks, so a restart of it (when no heartbeat datastore
//     tells the primary the host is alive) fails and is retried: no VM
//     runs twice. Restoring the network reconnects the host, which
//     rejoins as connectedToMaster; the VMs the response powered off and
//     HA restarted elsewhere stay there.
//   - HA admission control (admission.go), with HA and admission control
//     enabled and the computation of package ha/admission, which vtui's
//     capacity what-if and drill preflight share: PowerOnVM_Task fails its
//     task with InsufficientFailoverResourcesFault when the power-on would
//     break the policy's reservation (failures:N as vSphere 6.5's cluster
//     resource percentage computed from N, slots, a reserved percentage)
//     or the VM is on a dedicated failover host; RelocateVM_Task and
//     CheckRelocate_Task so for a running VM coming into the cluster past
//     the reservation or moving onto a failover host; DRS never places a
//     VM on a failover host, and its maintenance evacuation fails so when
//     the host's leaving would break the reservation. HA's own restarts
//     are not checked. The cluster summary's currentFailoverLevel and
//     admissionControlInfo (ClusterFailoverResourcesAdmissionControlInfo,
//     ClusterFailoverLevelAdmissionControlInfo or
//     ClusterFailoverHostAdmissionControlInfo, after the policy) follow,
//     through the roll-up. Not modelled: VMs' memory overhead (a VM counts
//     its reservations only), PowerOnMultiVM_Task (vcsim's, unchecked),
//     DRS's initial placement of a VM registered on a failover host (the
//     power-on is refused instead), an empty host entering maintenance
//     mode (not checked), and the figures with admission control disabled
//     (left empty). vcsim's ReconfigVM_Task changes reservations without
//     telling watchers, so the summary follows them at the next change.
//   - vCenter's default alarms "Host connection and power state", "Host
//     CPU usage", "Host memory usage", "Virtual machine CPU usage",
//     "Virtual machine memory usage" and "Insufficient vSphere HA failover
//     resources" are defined and triggered where vCenter would (a host not
//     responding, usage past the default thresholds, a cluster short of
//     the failover capacity its admission control reserves), in the
//     triggeredAlarmState of the entity and its ancestors through property
//     updates, with AlarmStatusChangedEvent; AcknowledgeAlarm and
//     SetAlarmStatus ("Reset to Green") are served the same way, and
//     Server.LoadVM makes a VM busy (alarms.go).
//   - Snapshot tasks (vcsim's CreateSnapshot_Task, RemoveSnapshot_Task,
//     RevertToSnapshot_Task, RemoveAllSnapshots_Task) push the VM's
//     layoutEx with its new snapshot tree, as vCenter does; vcsim
//     rewrites the layout unannounced (snapshots.go). The demo and large
//     presets give one VM in seven a chain of one to three snapshots,
//     20 to 120 days old, with .vmsn files and delta disks in layoutEx
//     (Spec.SnapshotEvery). vcsim's RemoveSnapshot_Task then lists again
//     only the files it finds on disk, so after a removal the preset's
//     VM's remaining snapshots read 0 bytes.
//   - A VM that powers off or is suspended, whoever does it, reports zero
//     CPU and memory use in summary.quickStats and a gray guest heartbeat,
//     as on vCenter (quickstats.go); the presets are built so.
//   - Hosts' quick stats (overallCpuUsage, overallMemoryUsage) and
//     clusters' summaries (numHosts, numEffectiveHosts, totals and the
//     usageSummary: VM counts, demand, statsGenNumber; currentFailoverLevel
//     and admissionControlInfo) follow VMs that start, stop, move, appear
//     or go, hosts that fail, disconnect or enter maintenance, and cluster
//     reconfigurations, within half a second, as vCenter keeps them
//     (rollup.go); vcsim sets them once.
//   - PerformanceManager.QueryPerf answers for hosts and VMs with samples
//     drawn around their quick stats, deterministic per entity, counter
//     and time, oldest first (perf.go); vcsim's are one random table for
//     all, newest first, and its normal format drops every zero value.
//
// # What the HA emulation does not model
//
// The fault door serves this list (GET /vtui/sim/v1: model.unmodeled),
// with the HA emulation's parameters (model.ha), and a drill's report
// keeps both:
//
//   - VM and application monitoring: appHbStatusGreen is never met, so
//     only restartPriorityTimeout moves a priority waiting for it on
//   - VM component protection (storage faults: all paths down, permanent
//     device loss): a host's storage is never cut, only its network
//   - VMs' memory overhead, in placement as in admission control: a VM
//     counts its reservations only
//   - a per-host limit on concurrent power-ons: a host boots its VMs one
//     at a time
//   - a restart on the host the VM failed on
//   - isolation addresses apart from the network: an isolated host
//     reaches none, a partitioned one its own
//   - FDM's choice of two heartbeat datastores per host: any common one
//     counts
//   - the primary a partition's split hosts elect among themselves:
//     vCenter does not reach it, and a split host that crashes is failed
//     over by the rest's primary, as its heartbeats stop
//   - a vCenter that reaches both sides of a partition
//
// # Property updates at scale
//
// vcsim's WaitForUpdatesEx collects again everything a collector's filters
// cover for every change it hands out, so at 10,000 VMs one power-off
// reaches a watcher after seconds to minutes, with both cores busy. Every
// server serves property filters and waits itself instead (collector.go,
// filter.go, feed.go), through the registry's listener:
//
//   - A change of an object already in a filter becomes its modify update
//     as it is made (ctx.Update), whatever the inventory's size. A change
//     above a watched path (summary, for summary.quickStats.overallCpuUsage)
//     reports the path's new value, as does a change below one. Changes are
//     reported as made and in order, one object update per ctx.Update (as
//     vcsim does; vCenter merges the changes of one version).
//   - Only what can change what a filter's traversal reaches makes that
//     filter walk it again, at the next wait: a property a traversal spec
//     follows changing on an object the walk went through (a view's view,
//     a folder's childEntity), or an entity put in the registry (created,
//     or moved into a folder). Then the objects that left get a leave
//     update and only those that entered are read (enter).
//   - Container views follow moves: a VM relocated to another cluster
//     leaves the first cluster's views and enters the second's
//     (containerviews.go); vcsim's never change after a move.
//   - Versions are "1", "2", ... A wait from another version than the last
//     one handed out fails with InvalidCollectorVersion; an empty version
//     hands out every object again as entered, at once. maxWaitSeconds 0
//     is one pass, unset waits until there is news. maxObjectUpdates bounds
//     an answer (100 when unset, as vcsim does); a truncated answer's
//     version continues it at once. The objects' properties are read as
//     their answer is made, so an object changed meanwhile enters as it
//     is then (its modify follows, the same values), and one destroyed
//     meanwhile does not enter (its leave follows). CancelWaitForUpdates
//     ends a wait with RequestCanceled. As in vcsim, a property a type
//     lacks is left out, not reported in a missingSet.
//   - Properties are read without vcsim's copy through XML
//     (simulator.deepCopy, half of all the CPU of a 10,000-VM load), for
//     the waits' enter updates as for RetrievePropertiesEx,
//     ContinueRetrievePropertiesEx, CancelRetrievePropertiesEx (which
//     vcsim lacks) and RetrieveProperties, which every server serves
//     itself (retrieve.go): each object's properties read under its lock
//     with vcsim's rules and copied with reflection. The answers encode as
//     vcsim's do (TestRetrievalsMatchVcsim), except that all=true reports
//     a Network's name once, as vCenter does, where vcsim reports it
//     twice. Pages of options.maxObjects are kept for their session only.
//   - A client that stops asking costs at most 20,000 queued updates per
//     filter; past that, its next answer gives every object's properties
//     anew as modify updates.
//   - A wait ends when its client's connection closes (requests.go).
//   - The answers of RetrievePropertiesEx, ContinueRetrievePropertiesEx
//     and WaitForUpdatesEx that go out over HTTP are encoded by vtui
//     (answer.go, package vsphere/internal/leanenc): the bytes vcsim's
//     encoder writes (TestLeanAnswersAreVcsims), but for values' types,
//     in the envelope's xsi prefix as vCenter writes them, at a small
//     part of its CPU and garbage.
//   - A session idle for longer than Options.SessionTimeout (vCenter's 30
//     minutes by default; a wait in progress counts as activity) is logged
//     out, and the end of a session, by logout or timeout, destroys its
//     property collectors, views and event and task history collectors
//     (sessions.go).
//
// What vcsim does after a client is killed without logging out (seen on
// the large preset with scripts/sim-dead-client and a goroutine dump):
// the wait the client left in progress goes on, since vcsim runs calls on
// a context nothing cancels. Every 20 ms it takes the changes queued since
// the wait began (the power-off's own task and events included, though no
// filter covers them) and, for each one, collects every filter of the
// collector again (PropertyCollector.apply: a full RetrievePropertiesEx of
// the TUI's 11,000 objects and 14 paths, about a second of CPU each),
// until one change turns out to concern a filter; then it writes its
// answer to the closed connection. That kept the simulator at 100-140% CPU
// for 19 s after one TUI was killed. Afterwards the dead session's
// collectors stay registered for good (vcsim expires no session unless
// configured to, and an expired one keeps its collectors and views), each
// adding every later change to a list that only grows.
//
// # The hosts' BMCs
//
// Each host has a Redfish BMC (redfish.go): one Redfish service on the
// same HTTPS server and certificate, whose ComputerSystems are the hosts
// (Id the host's moref, HostName its name, UUID its SMBIOS UUID, which
// every host has of its own, derived from its name). It takes the
// simulator's user and password, as a session (X-Auth-Token) or basic
// authentication. ComputerSystem.Reset ForceOff crashes the host, as
// CrashHost does, and On recovers it; a host reports PowerState Off while
// crashed. The fault door's answer names each host's system and the
// credentials (simdoor.BMC), so that a drill's inject.bmc.address simulator
// needs no setup. Not modelled: the other reset types, a power-on that
// takes time (the host is connected when On returns), Managers, Chassis,
// event subscriptions, and a session's idle timeout (at most 64 sessions
// are kept; a 65th login is refused).
//
// Each host has an IPMI BMC too (ipmi.go): go-ipmi's reference BMC server
// (IPMI 2.0, RMCP+) on a UDP port of the listen address, with the
// simulator's user and password. It starts when first asked for (the
// door's GET with ?ipmi=HOST, or Server.IPMIAddress; at most 96 serve),
// not at Start, and Close stops it. Get System GUID answers the host's
// SMBIOS UUID in SMBIOS byte order, Chassis Control power down crashes
// the host and power up recovers it, and Get Chassis Status reads power
// off while the host is crashed or shut down. Not modelled: power cycle,
// hard and soft reset (go-ipmi's in-memory defaults answer them and
// change nothing), IPMI 1.5 sessions (disabled), sensors and the SEL.
//
// For tests, Server.FailMethod makes a method fail on a named object, and
// Server.SetTaskDelay makes the tasks above take time, per server and
// without holding locks (vcsim's simulator.TaskDelay is process-wide).
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
