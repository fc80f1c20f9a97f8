package vsphere

import "slices"

// Live states
//
// Once a watch's first load is in, every update set it applies publishes a
// state, and during a drill HA's restarts and vCenter's roll-ups send them
// steadily, each changing a few VMs' rows at most. Building each state
// whole resolved, placed and counted every VM's row again (at 45,000 VMs,
// about 45 ms of CPU and 20 MB a state, BenchmarkLiveUpdateAt45k), so
// another admin's change waited behind whole rebuilds. Instead the store
// keeps the VM rows of the last state it built and what they count per
// host, datastore and network (store.live), and set notes the VMs whose
// properties changed since. The next state copies the last one's rows
// into a new array, as states handed out are shared and never change, and
// builds again only the changed VMs' rows, moving their counts from their
// old rows to their new ones; with no VM changed it shares the last one's
// rows. The other kinds' rows, a few thousand at most, are built whole
// each time from those counts. The copy (19 MB at 45,000 VMs, and the collector's work
// for it) is then most of what a VM's change costs, about half of a
// whole build; a roll-up of hosts and clusters costs about 1 ms.
//
// Every row is built again when something changed that rows of VMs other
// than the changed ones show, or their order: a VM added, removed or
// renamed (the store's order generation), a datastore or network renamed
// or any object removed (its name generation), a host's or cluster's name
// or a cluster's hosts, any object added, a row split over filters made
// whole or dropped (split.go). These are rare once the load is in.

// vmRows are the VM rows of the last state the store built, with what
// the next one needs to build only what changed since.
type vmRows struct {
	built bool
	// rows are the last state's, in name order; shared with it, so never
	// changed.
	rows []VM
	// orderGen and nameGen are the store's generations rows were built
	// at; another order or other names means building every row.
	orderGen, nameGen uint64
	// all says every row is to be built again (see above); changed are
	// the VMs whose properties changed since, while all is false.
	all     bool
	changed map[Ref]bool
	// hostVMs, datastoreVMs and networkVMs count rows by the host, each
	// datastore and each network they name.
	hostVMs, datastoreVMs, networkVMs map[Ref]int
	// wholes counts the times every row was built.
	wholes int
}

// touched notes that the properties of the VM r changed.
func (v *vmRows) touched(r Ref) {
	if !v.built || v.all {
		return
	}
	if v.changed == nil {
		v.changed = map[Ref]bool{}
	}
	v.changed[r] = true
	// Past a quarter of the rows, building each again costs about what
	// building them all does.
	if len(v.changed) > len(v.rows)/4+16 {
		v.all = true
	}
}

// reshaped notes a change that rows of VMs other than the changed ones
// may show: the next state builds every row.
func (v *vmRows) reshaped() {
	if v.built {
		v.all = true
	}
}

// count adds d to the counts of what the row names.
func (v *vmRows) count(row *VM, d int) {
	v.hostVMs[row.HostRef] += d
	for _, r := range row.DatastoreRefs {
		v.datastoreVMs[r] += d
	}
	for _, r := range row.NetworkRefs {
		v.networkVMs[r] += d
	}
}

// liveRows returns the VM rows of a new state, in name order, and keeps
// them for the next (see above). The caller must not change them.
func (s *store) liveRows() []VM {
	v := &s.live
	order := s.sortedVMs() // first: a rename or a VM added or removed moves s.orderGen on here
	if !v.built || v.all || v.orderGen != s.orderGen || v.nameGen != s.nameGen || !s.changedRows() {
		s.allRows(order)
	}
	v.built, v.all, v.nameGen = true, false, s.nameGen
	clear(v.changed)
	return v.rows
}

// allRows builds every VM row, from the VMs in name order, and counts
// them.
func (s *store) allRows(order []*VM) {
	v := &s.live
	v.orderGen = s.orderGen
	v.rows = make([]VM, 0, len(order))
	v.hostVMs = make(map[Ref]int, len(s.hosts))
	v.datastoreVMs = make(map[Ref]int, len(s.datastores))
	v.networkVMs = make(map[Ref]int, len(s.networks))
	v.wholes++
	hostClusters := s.hostClusters()
	gen := s.nameGen + 1
	for _, vm := range order {
		if s.owes(vm.Ref) {
			continue // half a row: the rest comes with another filter
		}
		v.rows = append(v.rows, s.row(vm, gen, s.placement(vm, hostClusters)))
		v.count(&v.rows[len(v.rows)-1], 1)
	}
}

// changedRows builds again the rows of the VMs changed since the last
// state, in a copy of its rows. It reports false, having left the rows
// half done, when a changed VM's row is not where the order puts it: the
// VM was removed, or came whole or split since (split.go).
func (s *store) changedRows() bool {
	v := &s.live
	if len(v.changed) == 0 {
		return true
	}
	rows := slices.Clone(v.rows)
	hostClusters := s.hostClusters()
	gen := s.nameGen + 1
	for r := range v.changed {
		vm := s.vms[r]
		if vm == nil || s.owes(r) {
			return false
		}
		i, ok := slices.BinarySearchFunc(rows, vm, func(row VM, vm *VM) int { return byName(row.Name, row.ID, vm.Name, vm.ID) })
		if !ok {
			return false
		}
		v.count(&rows[i], -1)
		rows[i] = s.row(vm, gen, s.placement(vm, hostClusters))
		v.count(&rows[i], 1)
	}
	v.rows = rows
	return true
}

// placement returns where vm runs: its host, unless the host's row is
// not whole, and that host's cluster by hostClusters.
func (s *store) placement(vm *VM, hostClusters map[Ref]*cluster) placement {
	var at placement
	if h := s.hosts[vm.HostRef]; h != nil && !s.owes(h.Ref) {
		at.host = h.Name
		if c := hostClusters[h.Ref]; c != nil {
			at.cluster, at.clusterRef = c.Name, c.Ref
		}
	}
	return at
}
