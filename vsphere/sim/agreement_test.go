package sim_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/task"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/ha/capacity"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// TestCapacityPredictsAdmissionControl is the differential test of HA
// admission control: on randomized clusters (inventories of 2 to 6 hosts
// a cluster, of two host sizes; random policies, HA on or off, random
// reservations and power states), what vtui's capacity what-if predicts of
// each power-on (capacity.AdmitPowerOn, from what vtui's client reads)
// equals the simulator's answer, power-on by power-on.
func TestCapacityPredictsAdmissionControl(t *testing.T) {
	const seed = 19
	rng := rand.New(rand.NewPCG(seed, seed))
	tally := map[string][2]int{} // by kind of policy: admitted, refused
	for _, p := range rng.Perm(5)[:4] {
		hosts := 2 + p
		spec := sim.Spec{Clusters: 2, HostsPerCluster: hosts, VMs: hosts * (2 + rng.IntN(3)) * 2, Datastores: 1, HAClusters: 2}
		t.Run(fmt.Sprintf("%d hosts a cluster, %d VMs", spec.HostsPerCluster, spec.VMs), func(t *testing.T) {
			agree(t, rng, spec, 100, tally)
		})
	}
	var admitted, refused int
	for p, n := range tally {
		admitted += n[0]
		refused += n[1]
		t.Logf("%-8s admitted %3d refused %3d", p, n[0], n[1])
	}
	if admitted == 0 || refused == 0 {
		t.Errorf("%d power-ons admitted and %d refused; want both, or the test proves nothing", admitted, refused)
	}
}

// agree runs steps random power-ons and reconfigurations on a simulator
// of spec, holding the what-if's verdict to the simulator's, and tallies
// them.
func agree(t *testing.T, rng *rand.Rand, spec sim.Spec, steps int, tally map[string][2]int) {
	ctx := context.Background()
	_, vc, gc := startBoth(t, spec, sim.Options{})

	type cluster struct {
		obj   *object.ClusterComputeResource
		hosts []mo.HostSystem
		vms   []types.ManagedObjectReference
		mem   int64 // one host's memory, MB
		cpu   int64 // one host's CPU, MHz
	}
	var clusters []*cluster
	inv, err := vc.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"cluster-a", "cluster-b"} {
		i := slices.IndexFunc(inv.Clusters, func(c vsphere.Cluster) bool { return c.Name == name })
		ref := inv.Clusters[i].Ref
		cl := &cluster{obj: object.NewClusterComputeResource(gc.Client, types.ManagedObjectReference{Type: ref.Type, Value: ref.Value})}
		var mcl mo.ClusterComputeResource
		if err := cl.obj.Properties(ctx, cl.obj.Reference(), []string{"host"}, &mcl); err != nil {
			t.Fatal(err)
		}
		for _, h := range mcl.Host {
			var mh mo.HostSystem
			if err := object.NewHostSystem(gc.Client, h).Properties(ctx, h, []string{"name", "vm", "summary.hardware"}, &mh); err != nil {
				t.Fatal(err)
			}
			cl.hosts = append(cl.hosts, mh)
			cl.vms = append(cl.vms, mh.Vm...)
			cl.mem = mh.Summary.Hardware.MemorySize >> 20
			cl.cpu = int64(mh.Summary.Hardware.CpuMhz) * int64(mh.Summary.Hardware.NumCpuCores)
		}
		clusters = append(clusters, cl)
	}

	wait := func(t *object.Task, err error) error {
		if err != nil {
			return err
		}
		return t.Wait(ctx)
	}
	policy := func(cl *cluster) (string, *types.ClusterDasConfigInfo) {
		n := len(cl.hosts)
		das := &types.ClusterDasConfigInfo{Enabled: types.NewBool(rng.IntN(8) > 0), AdmissionControlEnabled: types.NewBool(true)}
		var name string
		switch rng.IntN(5) {
		case 0:
			f := 1 + rng.IntN(n-1)
			name, das.AdmissionControlPolicy = fmt.Sprintf("failures:%d", f),
				&types.ClusterFailoverResourcesAdmissionControlPolicy{FailoverLevel: int32(f), AutoComputePercentages: types.NewBool(true)}
		case 1:
			f := 1 + rng.IntN(n-1)
			name, das.AdmissionControlPolicy = fmt.Sprintf("slots:%d", f), &types.ClusterFailoverLevelAdmissionControlPolicy{FailoverLevel: int32(f)}
		case 2:
			c, m := 5+rng.IntN(90), 5+rng.IntN(90)
			name, das.AdmissionControlPolicy = fmt.Sprintf("percent:%d,%d", c, m),
				&types.ClusterFailoverResourcesAdmissionControlPolicy{CpuFailoverResourcesPercent: int32(c), MemoryFailoverResourcesPercent: int32(m), AutoComputePercentages: types.NewBool(false)}
		case 3:
			h := cl.hosts[rng.IntN(n)]
			name, das.AdmissionControlPolicy = "hosts:"+h.Name, &types.ClusterFailoverHostAdmissionControlPolicy{FailoverHosts: []types.ManagedObjectReference{h.Self}}
		default:
			name, das.AdmissionControlEnabled = "disabled", types.NewBool(false)
		}
		if !*das.Enabled {
			name += " (HA off)"
		}
		return name, das
	}

	current := make([]string, len(clusters))
	for step := range steps {
		ci := rng.IntN(len(clusters))
		cl := clusters[ci]
		if step%10 < 2 || current[ci] == "" {
			name, das := policy(cl)
			if err := wait(cl.obj.Reconfigure(ctx, &types.ClusterConfigSpecEx{DasConfig: das}, true)); err != nil {
				t.Fatalf("step %d: set %s on %s: %v", step, name, cl.obj.Name(), err)
			}
			current[ci] = name
		}
		ref := cl.vms[rng.IntN(len(cl.vms))]
		vm := object.NewVirtualMachine(gc.Client, ref)
		state, err := vm.PowerState(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if state == types.VirtualMachinePowerStatePoweredOn {
			if err := wait(vm.PowerOff(ctx)); err != nil {
				t.Fatalf("step %d: power off: %v", step, err)
			}
			continue
		}
		// A reservation of up to a third of the cluster's memory and a
		// fifth of its CPU, or none.
		var cpuRes, memRes int64
		if rng.IntN(3) > 0 {
			n := int64(len(cl.hosts))
			cpuRes, memRes = rng.Int64N(n*cl.cpu/5), rng.Int64N(n*cl.mem/3)
		}
		if err := wait(vm.Reconfigure(ctx, types.VirtualMachineConfigSpec{
			CpuAllocation:    &types.ResourceAllocationInfo{Reservation: &cpuRes},
			MemoryAllocation: &types.ResourceAllocationInfo{Reservation: &memRes},
		})); err != nil {
			t.Fatal(err)
		}

		inv, err := vc.Inventory(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := vc.ClusterConfig(ctx, inv, vsphere.Ref{Type: "ClusterComputeResource", Value: cl.obj.Reference().Value})
		if err != nil {
			t.Fatal(err)
		}
		in, err := capacity.Gather(ctx, vc, inv, cfg)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(in.VMs, func(v vsphere.VM) bool { return v.Ref.Value == ref.Value })
		name := in.VMs[i].Name
		predicted := capacity.AdmitPowerOn(in, name)

		got := wait(vm.PowerOn(ctx))
		var te task.Error
		refused := errors.As(got, &te)
		if refused {
			if _, ok := te.Fault().(*types.InsufficientFailoverResourcesFault); !ok {
				t.Fatalf("step %d: power on %s: %v", step, name, got)
			}
		} else if got != nil {
			t.Fatalf("step %d: power on %s: %v", step, name, got)
		}
		kind, _, _ := strings.Cut(current[ci], ":")
		if strings.HasSuffix(current[ci], "(HA off)") {
			kind = "HA off"
		}
		n := tally[kind]
		if refused {
			n[1]++
		} else {
			n[0]++
		}
		tally[kind] = n
		if refused != (predicted != nil) {
			t.Errorf("step %d, %s with %s, %s reserving %d MHz and %d MB: the simulator says %v, capacity predicts %v",
				step, cfg.Spec.Cluster, current[ci], name, cpuRes, memRes, got, predicted)
		}
	}
}

// startBoth starts a simulator of spec, closed when t ends, and connects
// to it both vtui's client and govmomi's, as the same user.
func startBoth(t *testing.T, spec sim.Spec, opts sim.Options) (*sim.Server, *vsphere.Client, *govmomi.Client) {
	t.Helper()
	ctx := context.Background()
	srv, err := sim.Start(ctx, spec, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	vc := vspheretest.Connect(t, srv)
	u := *srv.URL
	u.User = url.UserPassword(srv.Username, srv.Password)
	gc, err := govmomi.NewClient(ctx, &u, true)
	if err != nil {
		t.Fatal(err)
	}
	return srv, vc, gc
}
