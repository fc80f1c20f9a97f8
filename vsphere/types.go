package vsphere

import (
	"slices"

	"github.com/vtui/vtui/vsphere/internal/mo"
)

// Inventory is one consistent snapshot of the objects vtui shows. Each slice
// is sorted by name. Relations are resolved: a VM carries its host and
// cluster names as well as their Refs.
type Inventory struct {
	Datacenters []Datacenter
	Clusters    []Cluster
	Hosts       []Host
	VMs         []VM
	Datastores  []Datastore
	Networks    []Network
	// LoadingVMs, while a watch's first load streams in behind its first
	// screen, is how many VMs the server holds: VMs lists the first of
	// them by name, and the other kinds come with the rest. Zero once
	// the inventory is whole.
	LoadingVMs int
}

// Datacenter is a vSphere datacenter.
type Datacenter struct {
	Ref  Ref    `json:"-" yaml:"-"`
	ID   string `json:"id" yaml:"id"`
	Name string `json:"name" yaml:"name"`
}

// Cluster is a cluster compute resource with its HA and DRS summary.
type Cluster struct {
	Ref           Ref    `json:"-" yaml:"-"`
	ID            string `json:"id" yaml:"id"`
	Name          string `json:"name" yaml:"name"`
	Datacenter    string `json:"datacenter" yaml:"datacenter"`
	HAEnabled     bool   `json:"ha_enabled" yaml:"ha_enabled"`
	DRSEnabled    bool   `json:"drs_enabled" yaml:"drs_enabled"`
	HostCount     int    `json:"host_count" yaml:"host_count"`
	VMCount       int    `json:"vm_count" yaml:"vm_count"`
	CPUMHz        int64  `json:"cpu_mhz" yaml:"cpu_mhz"`
	MemoryMB      int64  `json:"memory_mb" yaml:"memory_mb"`
	CPUUsageMHz   int64  `json:"cpu_usage_mhz" yaml:"cpu_usage_mhz"`
	MemoryUsageMB int64  `json:"memory_usage_mb" yaml:"memory_usage_mb"`
}

// Host is an ESXi host system.
type Host struct {
	Ref             Ref      `json:"-" yaml:"-"`
	ID              string   `json:"id" yaml:"id"`
	Name            string   `json:"name" yaml:"name"`
	Cluster         string   `json:"cluster" yaml:"cluster"`
	ClusterRef      Ref      `json:"-" yaml:"-"`
	ConnectionState string   `json:"connection_state" yaml:"connection_state"`
	PowerState      string   `json:"power_state" yaml:"power_state"`
	MaintenanceMode bool     `json:"maintenance_mode" yaml:"maintenance_mode"`
	CPUMHz          int64    `json:"cpu_mhz" yaml:"cpu_mhz"`
	MemoryMB        int64    `json:"memory_mb" yaml:"memory_mb"`
	CPUUsageMHz     int64    `json:"cpu_usage_mhz" yaml:"cpu_usage_mhz"`
	MemoryUsageMB   int64    `json:"memory_usage_mb" yaml:"memory_usage_mb"`
	VMCount         int      `json:"vm_count" yaml:"vm_count"`
	Datastores      []string `json:"datastores" yaml:"datastores"`
	Networks        []string `json:"networks" yaml:"networks"`
	DatastoreRefs   []Ref    `json:"-" yaml:"-"`
	NetworkRefs     []Ref    `json:"-" yaml:"-"`
}

// VM is a virtual machine, in the compact form the lists need.
type VM struct {
	Ref           Ref      `json:"-" yaml:"-"`
	ID            string   `json:"id" yaml:"id"`
	Name          string   `json:"name" yaml:"name"`
	PowerState    string   `json:"power_state" yaml:"power_state"`
	Host          string   `json:"host" yaml:"host"`
	HostRef       Ref      `json:"-" yaml:"-"`
	Cluster       string   `json:"cluster" yaml:"cluster"`
	ClusterRef    Ref      `json:"-" yaml:"-"`
	PoolRef       Ref      `json:"-" yaml:"-"`
	Datastores    []string `json:"datastores" yaml:"datastores"`
	DatastoreRefs []Ref    `json:"-" yaml:"-"`
	Networks      []string `json:"networks" yaml:"networks"`
	NetworkRefs   []Ref    `json:"-" yaml:"-"`
	NumCPU        int32    `json:"num_cpu" yaml:"num_cpu"`
	MemoryMB      int32    `json:"memory_mb" yaml:"memory_mb"`
	CPUUsageMHz   int32    `json:"cpu_usage_mhz" yaml:"cpu_usage_mhz"`
	MemoryUsageMB int32    `json:"memory_usage_mb" yaml:"memory_usage_mb"`
	IPAddress     string   `json:"ip_address" yaml:"ip_address"`
	ToolsStatus   string   `json:"tools_status" yaml:"tools_status"`
	InstanceUUID  string   `json:"instance_uuid" yaml:"instance_uuid"`
	Template      bool     `json:"template" yaml:"template"`

	// resolved is the store's name generation that Datastores and Networks
	// were resolved at; 0 means not resolved.
	resolved uint64
	// snapshots is the VM's snapshot tree and layout, when loaded
	// (Load.Snapshots); read them with Snapshots.
	snapshots *vmSnapshots
}

// Equal reports whether v and w hold the same value in every exported
// field: a row that shows either reads the same.
func (v VM) Equal(w VM) bool {
	return v.Ref == w.Ref && v.ID == w.ID && v.Name == w.Name && v.PowerState == w.PowerState &&
		v.Host == w.Host && v.HostRef == w.HostRef && v.Cluster == w.Cluster && v.ClusterRef == w.ClusterRef &&
		v.PoolRef == w.PoolRef && slices.Equal(v.Datastores, w.Datastores) && slices.Equal(v.DatastoreRefs, w.DatastoreRefs) &&
		slices.Equal(v.Networks, w.Networks) && slices.Equal(v.NetworkRefs, w.NetworkRefs) &&
		v.NumCPU == w.NumCPU && v.MemoryMB == w.MemoryMB && v.CPUUsageMHz == w.CPUUsageMHz && v.MemoryUsageMB == w.MemoryUsageMB &&
		v.IPAddress == w.IPAddress && v.ToolsStatus == w.ToolsStatus && v.InstanceUUID == w.InstanceUUID && v.Template == w.Template
}

// Datastore is a datastore and its space.
type Datastore struct {
	Ref           Ref    `json:"-" yaml:"-"`
	ID            string `json:"id" yaml:"id"`
	Name          string `json:"name" yaml:"name"`
	Type          string `json:"type" yaml:"type"`
	CapacityBytes int64  `json:"capacity_bytes" yaml:"capacity_bytes"`
	FreeBytes     int64  `json:"free_bytes" yaml:"free_bytes"`
	Accessible    bool   `json:"accessible" yaml:"accessible"`
	HostCount     int    `json:"host_count" yaml:"host_count"`
	VMCount       int    `json:"vm_count" yaml:"vm_count"`
}

// Network is a standard portgroup, distributed portgroup or opaque network.
type Network struct {
	Ref       Ref    `json:"-" yaml:"-"`
	ID        string `json:"id" yaml:"id"`
	Name      string `json:"name" yaml:"name"`
	Type      string `json:"type" yaml:"type"`
	HostCount int    `json:"host_count" yaml:"host_count"`
	VMCount   int    `json:"vm_count" yaml:"vm_count"`
}

// Ref identifies one managed object, e.g. {Type: "VirtualMachine", Value: "vm-42"}.
// It is comparable, so it serves as a map key. The zero Ref means "none".
type Ref = mo.Ref
