package sim

import (
	"crypto/sha256"
	"fmt"
	"strconv"

	"github.com/vmware/govmomi/vim25/types"
)

// Everything in this file is a pure function of an index, so that a Spec
// always builds the same names, sizes and states.

// role is a kind of workload; VMs cycle through roles so that names, sizes
// and guest operating systems are mixed.
type role struct {
	name      string
	numCPU    int32
	memoryMB  int32
	diskGB    int64
	guestID   types.VirtualMachineGuestOsIdentifier
	guestName string
}

// roles has five entries on purpose: five is coprime with the twelve-VM
// power cycle of powerState, so every role gets a mix of power states.
var roles = []role{
	{"web", 2, 4096, 40, types.VirtualMachineGuestOsIdentifierUbuntu64Guest, "Ubuntu Linux (64-bit)"},
	{"app", 4, 8192, 60, types.VirtualMachineGuestOsIdentifierRhel9_64Guest, "Red Hat Enterprise Linux 9 (64-bit)"},
	{"db", 8, 32768, 250, types.VirtualMachineGuestOsIdentifierWindows2019srv_64Guest, "Microsoft Windows Server 2019 (64-bit)"},
	{"cache", 2, 16384, 30, types.VirtualMachineGuestOsIdentifierDebian12_64Guest, "Debian GNU/Linux 12 (64-bit)"},
	{"batch", 4, 12288, 100, types.VirtualMachineGuestOsIdentifierRhel8_64Guest, "Red Hat Enterprise Linux 8 (64-bit)"},
}

// hostModel is the hardware of every host in a cluster; clusters alternate
// between the two models so capacity differs between clusters.
type hostModel struct {
	vendor, model, cpuModel string
	sockets, coresPerSocket int16
	cpuMhz                  int32
	memoryGiB               int64
}

var hostModels = []hostModel{
	{"Dell Inc.", "PowerEdge R650", "Intel(R) Xeon(R) Gold 6326 CPU @ 2.90GHz", 2, 16, 2900, 512},
	{"HPE", "ProLiant DL380 Gen10 Plus", "Intel(R) Xeon(R) Gold 5320 CPU @ 2.20GHz", 2, 26, 2200, 768},
}

// vmsPerPowerCycle is the period of powerState.
const vmsPerPowerCycle = 12

// powerState gives VM i's power state: of every twelve VMs, nine are on,
// two are off and one is suspended.
func powerState(i int) types.VirtualMachinePowerState {
	switch i % vmsPerPowerCycle {
	case 11:
		return types.VirtualMachinePowerStateSuspended
	case 3, 7:
		return types.VirtualMachinePowerStatePoweredOff
	default:
		return types.VirtualMachinePowerStatePoweredOn
	}
}

// vmState is what a VM is built as: its power state, and whether it is a
// template (always powered off).
type vmState struct {
	power    types.VirtualMachinePowerState
	template bool
}

// vmState gives the state of VM i of s, placed on host i mod hosts: with
// the zero Mix, powerState(i); otherwise the Mix's kinds picked evenly
// over the VMs taken host by host (see VMMix), which gives each kind its
// exact count.
func (s Spec) vmState(i, hosts int) vmState {
	if s.Mix == (VMMix{}) {
		return vmState{power: powerState(i)}
	}
	// slot is VM i's place when the VMs are taken host by host: host h
	// holds VMs h, h+hosts, ...; the first VMs%hosts hosts hold one more.
	h, rank := i%hosts, i/hosts
	per, extra := s.VMs/hosts, s.VMs%hosts
	slot := h*per + min(h, extra) + rank

	off := types.VirtualMachinePowerStatePoweredOff
	x, n := slot, s.VMs
	for _, k := range []struct {
		count int
		state vmState
	}{
		{s.Mix.Templates, vmState{power: off, template: true}},
		{s.Mix.Suspended, vmState{power: types.VirtualMachinePowerStateSuspended}},
		{s.Mix.Off, vmState{power: off}},
	} {
		// Of the n slots left, the count of this kind are those where
		// x*count/n steps up; x is renumbered among the slots not taken.
		taken := (x + 1) * k.count / n
		if taken > x*k.count/n {
			return k.state
		}
		x, n = x-taken, n-k.count
	}
	return vmState{power: types.VirtualMachinePowerStatePoweredOn}
}

// datacenterName names datacenter d: dc-01, dc-02, ...
func datacenterName(d int) string {
	return fmt.Sprintf("dc-%02d", d+1)
}

// clusterLetter labels the c-th cluster of the whole inventory like
// spreadsheet columns: a..z, aa, ab, ...
func clusterLetter(c int) string {
	s := ""
	for c++; c > 0; c = (c - 1) / 26 {
		s = string(rune('a'+(c-1)%26)) + s
	}
	return s
}

// clusterName names the c-th cluster of the whole inventory: cluster-a, ...
func clusterName(c int) string {
	return "cluster-" + clusterLetter(c)
}

// hostName names host h of cluster c: esx-a-01.lab.local. Numbers are
// zero-padded to the width of the largest one so that names sort.
func hostName(c, h, perCluster int) string {
	return fmt.Sprintf("esx-%s-%0*d.lab.local", clusterLetter(c), width(perCluster), h+1)
}

// sharedDatastoreName names shared datastore i: ds-shared-01, ...
func sharedDatastoreName(i int) string {
	return fmt.Sprintf("ds-shared-%02d", i+1)
}

// clusterDatastoreName names datastore k of the c-th cluster of the
// inventory: ds-a-01, ...
func clusterDatastoreName(c, k int) string {
	return fmt.Sprintf("ds-%s-%02d", clusterLetter(c), k+1)
}

// vmName names VM i of total: web-01, app-01, db-01, cache-01, batch-01,
// web-02, ...
func vmName(i, total int) string {
	perRole := (total + len(roles) - 1) / len(roles)
	return fmt.Sprintf("%s-%0*d", roles[i%len(roles)].name, width(perRole), i/len(roles)+1)
}

// width is the number of digits of n, at least two.
func width(n int) int {
	return max(2, len(strconv.Itoa(n)))
}

// guestIP is the IPv4 address of VM i, unique for the first 62,500 VMs.
func guestIP(i int) string {
	return fmt.Sprintf("10.%d.%d.%d", 20+i/(250*250), i/250%250, i%250+2)
}

// macAddress is the MAC of NIC n of VM i, in VMware's static range
// 00:50:56:00:00:00-00:50:56:3f:ff:ff.
func macAddress(i, n int) string {
	v := (i*2 + n) & 0x3fffff
	return fmt.Sprintf("00:50:56:%02x:%02x:%02x", v>>16, v>>8&0xff, v&0xff)
}

// percent returns a deterministic value in [lo, lo+span) for VM i, salted so
// different metrics of one VM differ.
func percent(i, salt, lo, span int) int {
	return lo + (i*37+salt*101+i/7)%span
}

// nameUUID derives a stable UUID from name, so rebuilt hosts keep theirs.
func nameUUID(name string) string {
	b := sha256.Sum256([]byte(name))
	b[6] = b[6]&0x0f | 0x50 // version 5 style: name based
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
