package capacity

import (
	"fmt"
	"slices"

	"github.com/vtui/vtui/ha/admission"
	"github.com/vtui/vtui/vsphere"
)

// Admission is the cluster as HA admission control sees it: its hosts,
// its powered-on VMs with their reservations, and its policy. It is the
// computation vtui's simulator enforces (ha/admission), so what the
// what-if predicts of admission control is what the simulator does.
func Admission(in Input) admission.Cluster {
	c := admission.Cluster{Name: in.Config.Cluster, HA: in.Config.HA.Enabled, Policy: in.Config.HA.AdmissionControl}
	names := map[vsphere.Ref]string{}
	for _, h := range in.Hosts {
		names[h.Ref] = h.Name
		c.Hosts = append(c.Hosts, admission.Host{Name: h.Name, CPUMHz: h.CPUMHz, MemoryMB: h.MemoryMB, Usable: unusable(h) == ""})
	}
	for _, v := range in.VMs {
		if host, ok := names[v.HostRef]; ok && v.PowerState == "poweredOn" {
			c.On = append(c.On, admitted(in, v, host))
		}
	}
	return c
}

// admitted is v running on host, for admission control.
func admitted(in Input, v vsphere.VM, host string) admission.VM {
	r := in.Reservations[v.Ref]
	return admission.VM{Name: v.Name, Host: host, CPUMHz: r.CPUMHz, MemoryMB: r.MemoryMB}
}

// AdmitPowerOn says whether HA admission control admits powering on the
// VM named vm, where it is registered: nil, or a *admission.Refusal
// saying why not. A VM already on is admitted as it is.
func AdmitPowerOn(in Input, vm string) error {
	i := slices.IndexFunc(in.VMs, func(v vsphere.VM) bool { return v.Name == vm })
	if i < 0 {
		return fmt.Errorf("%s has no VM named %q", in.Config.Cluster, vm)
	}
	v := in.VMs[i]
	h := slices.IndexFunc(in.Hosts, func(h vsphere.Host) bool { return h.Ref == v.HostRef })
	if h < 0 {
		return fmt.Errorf("VM %s is not on a host of %s", vm, in.Config.Cluster)
	}
	if v.PowerState == "poweredOn" {
		return nil
	}
	return Admission(in).PowerOn(admitted(in, v, in.Hosts[h].Name))
}
