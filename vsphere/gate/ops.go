package gate

import (
	"fmt"
	"strings"
)

// Op names a kind of change. The values are stable: they appear in logs
// and in JSON output. Each has one entry in the table of operations
// below, which is all a new kind of change needs beside its Planner
// method.
type Op string

// The changes the gate knows.
const (
	OpMigrate             Op = "migrate"
	OpPowerOn             Op = "power-on"
	OpPowerOff            Op = "power-off"
	OpReset               Op = "reset"
	OpShutdown            Op = "shutdown"
	OpEnterMaintenance    Op = "maintenance-enter"
	OpExitMaintenance     Op = "maintenance-exit"
	OpDisconnect          Op = "disconnect"
	OpReconnect           Op = "reconnect"
	OpReconfigureCluster  Op = "cluster-reconfigure"
	OpApplyRecommendation Op = "drs-apply"
	OpCrashHost           Op = "host-crash"
	OpRecoverHost         Op = "host-recover"
	OpIsolateHost         Op = "host-isolate"
	OpPartitionHosts      Op = "hosts-partition"
	OpRestoreHostNetwork  Op = "host-restore-network"
	OpLockCluster         Op = "cluster-lock"
	OpUnlockCluster       Op = "cluster-unlock"
)

// radius is how a confirmation counts an op's objects.
type radius int

const (
	// byObject counts the objects: "enter maintenance mode on 2 hosts".
	byObject radius = iota
	// onHosts counts VMs and the hosts they run on: "power off 3 VMs on
	// esx-a-01".
	onHosts
	// moves counts VMs, where they come from and where they go: "migrate
	// 12 VMs from 3 hosts to esx-a-02".
	moves
)

// opInfo is what vtui knows about one kind of change.
type opInfo struct {
	// verb and verbMany name it before one object and before several:
	// "shut down the guest of" web-01, "shut down the guests of" 3 VMs.
	verb, verbMany string
	// noun is what it changes: "VM", "host", "cluster".
	noun   string
	radius radius
	// done says what a finished action did: "powered off".
	done func(a Action) string
	// describe, if set, says what an action will do, for people; else it
	// is the verb and the object.
	describe func(a Action) string
}

func fixed(s string) func(Action) string { return func(Action) string { return s } }

// operations is the table of operations.
var operations = map[Op]opInfo{
	OpMigrate: {verb: "migrate", noun: "VM", radius: moves,
		done: func(a Action) string { return "migrated to " + a.Target },
		describe: func(a Action) string {
			s := "migrate " + a.Object
			if a.From != "" {
				s += " from " + a.From
			}
			if a.Target != "" {
				s += " to " + a.Target
			}
			return s
		}},
	OpPowerOn:          {verb: "power on", noun: "VM", radius: onHosts, done: fixed("powered on")},
	OpPowerOff:         {verb: "power off", noun: "VM", radius: onHosts, done: fixed("powered off")},
	OpReset:            {verb: "reset", noun: "VM", radius: onHosts, done: fixed("reset")},
	OpShutdown:         {verb: "shut down the guest of", verbMany: "shut down the guests of", noun: "VM", radius: onHosts, done: fixed("guest shut down")},
	OpEnterMaintenance: {verb: "enter maintenance mode on", noun: "host", done: fixed("in maintenance mode")},
	OpExitMaintenance:  {verb: "exit maintenance mode on", noun: "host", done: fixed("out of maintenance mode")},
	OpDisconnect:       {verb: "disconnect", noun: "host", done: fixed("disconnected")},
	OpReconnect:        {verb: "reconnect", noun: "host", done: fixed("connected")},
	OpReconfigureCluster: {verb: "reconfigure", noun: "cluster",
		done:     func(a Action) string { return "reconfigured: " + a.Target },
		describe: func(a Action) string { return fmt.Sprintf("reconfigure %s (%s)", a.Object, a.Target) }},
	OpApplyRecommendation: {verb: "apply a DRS recommendation on", verbMany: "apply DRS recommendations on", noun: "cluster",
		done:     func(a Action) string { return "applied: " + a.Target },
		describe: func(a Action) string { return fmt.Sprintf("apply DRS recommendation on %s: %s", a.Object, a.Target) }},
	OpCrashHost:   {verb: "crash (simulated)", noun: "host", done: fixed("crashed: not responding")},
	OpRecoverHost: {verb: "recover (simulated)", noun: "host", done: fixed("recovered: connected")},
	OpIsolateHost: {verb: "isolate (simulated)", noun: "host", done: fixed("isolated: management network cut")},
	OpPartitionHosts: {verb: "split from their cluster (simulated)", noun: "host", done: fixed("partitioned from the rest of the cluster"),
		describe: func(a Action) string { return "split " + a.Object + " from the rest of their cluster (simulated)" }},
	OpRestoreHostNetwork: {verb: "restore the network of (simulated)", noun: "host", done: fixed("network restored: connected")},
	OpLockCluster:        {verb: "take the drill lock of", noun: "cluster", done: fixed("locked")},
	OpUnlockCluster:      {verb: "release the drill lock of", noun: "cluster", done: fixed("unlocked")},
}

// info returns op's entry; an op missing from the table reads as itself.
func (o Op) info() opInfo {
	if in, ok := operations[o]; ok {
		return in
	}
	s := strings.ReplaceAll(string(o), "-", " ")
	return opInfo{verb: s, noun: "object", done: fixed("done")}
}

// verb is how a message names the op before one object: "power on web-01".
func (o Op) verb() string { return o.info().verb }

// verbMany is how a message names the op before several objects.
func (o Op) verbMany() string {
	if in := o.info(); in.verbMany != "" {
		return in.verbMany
	}
	return o.verb()
}
