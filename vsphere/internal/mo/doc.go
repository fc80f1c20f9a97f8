// Package mo is the plain side of vSphere's managed objects: Ref, which
// names one, Event, one entry of the event log, and the conversions between
// govmomi's types and these plain ones (references, property values,
// property updates, events). Every package under vsphere/ converts through
// it, so a govmomi value becomes a plain one in one place.
//
// It imports govmomi and vsphere/clusterspec (whose enums AutomationAPI
// and VMMonitoringAPI map, and whose admission control AdmissionControl
// reads, for the client and the simulator alike, so that the simulator
// enforces the policy the client reads), and it is internal: code outside
// vsphere/ sees these types through their aliases vsphere.Ref and
// vsphere.Event.
package mo
