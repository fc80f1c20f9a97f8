package sim

import (
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/simulator/vpx"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Performance samples
//
// vcsim's QueryPerf cycles through a table of recorded values with random
// noise added, the same table for every VM and every host, newest sample
// first, whatever the entity does: a powered-off VM is as busy as any
// other. The simulator answers QueryPerf for hosts and VMs itself: each
// sample is drawn around the entity's quick stats now (it keeps no
// history), varying smoothly with the entity, the counter and the
// sample's time, so the same question gets the same answer, as vCenter's
// stored samples would give. Samples are oldest first, at whole periods
// (20 s real-time, the historical intervals' sampling periods), after
// startTime and up to endTime or now; an hour of real-time samples and
// each historical interval's length are kept, and maxSample keeps the
// newest real-time samples (vCenter ignores it for historical ones).
//
// Modelled counters (the rest come from vcsim's table, without noise):
//
//   - cpu.usage.average: summary.quickStats.overallCpuUsage over the VM's
//     runtime.maxCpuUsage, or the host's cores times their MHz;
//   - cpu.ready.summation: the ready time of the running vCPUs, a share
//     that grows with the host's CPU use (0.3% idle, about 8% at 90%);
//   - mem.active.average: a VM's guestMemoryUsage (vCenter's active
//     memory), a host's VMs' plus a third of ESXi's own;
//   - mem.vmmemctl.average: a VM's balloonedMemory, a host's VMs' (none in
//     the presets, whose hosts are not overcommitted);
//   - disk.maxTotalLatency.latest: 0.5 to 3.5 ms, the entity's own;
//   - net.usage.average: about 0.2 to 0.6 KB/s per MHz a VM uses, a
//     host's VMs' sum.
//
// A powered-off or suspended VM, a host that is not connected and the
// VMs on it have zeros. Other entities (clusters, pools, datastores) are vcsim's.
//
// Both formats are served. The normal one loses every zero on its way to
// the client: govmomi's XML encoder, which vcsim answers with, applies
// the value field's omitempty to each element of the array, so the
// values that remain no longer line up with their times. A client that
// must see zeros asks for the CSV format (vtui does).

// perfCounter keys of the counters modelled, in vcsim's (vCenter's) table.
const (
	ctrCPUUsage   = 2
	ctrCPUReady   = 12
	ctrMemActive  = 33
	ctrMemBalloon = 90
	ctrDiskMaxLat = 133
	ctrNetUsage   = 143
)

// realtimeSamples is how many 20-second samples hosts keep: an hour.
const realtimeSamples = 180

// perfBase is what an entity's samples are drawn around.
type perfBase struct {
	name      string // seeds the variation
	cpuPct    float64
	readyPct  float64 // of one vCPU
	vcpus     int     // running
	activeKB  float64
	balloonKB float64
	latencyMs float64
	netKBps   float64
}

// QueryPerf answers each query spec of a host or VM with samples drawn
// from its quick stats, and hands the others to vcsim.
func (vc *vcenter) QueryPerf(ctx *simulator.Context, req *types.QueryPerf) soap.HasFault {
	pm, ok := ctx.Map.Get(req.This).(*simulator.PerformanceManager)
	if !ok {
		return &methods.QueryPerfBody{Fault_: simulator.Fault("", &types.ManagedObjectNotFound{Obj: req.This})}
	}
	body := &methods.QueryPerfBody{Res: &types.QueryPerfResponse{}}
	for _, qs := range req.QuerySpec {
		base, found := entityBase(ctx, qs.Entity)
		if !found {
			r := pm.QueryPerf(ctx, &types.QueryPerf{This: req.This, QuerySpec: []types.PerfQuerySpec{qs}}).(*methods.QueryPerfBody)
			if r.Fault_ != nil {
				return r
			}
			body.Res.Returnval = append(body.Res.Returnval, r.Res.Returnval...)
			continue
		}
		period, kept, fault := perfPeriod(pm, qs.IntervalId)
		if fault != nil {
			return &methods.QueryPerfBody{Fault_: simulator.Fault(fault.Error(), &types.InvalidArgument{InvalidProperty: "querySpec.intervalId"})}
		}
		m := base.metrics(qs, sampleTimes(qs, period, kept, time.Now()))
		if qs.Format == string(types.PerfFormatCsv) {
			body.Res.Returnval = append(body.Res.Returnval, asCSV(m))
		} else {
			body.Res.Returnval = append(body.Res.Returnval, m)
		}
	}
	return body
}

// perfPeriod returns the sampling period of intervalId and how many
// samples of it are kept: real-time (20, or 0 and -1 for the provider's
// refresh rate) or one of the historical intervals.
func perfPeriod(pm *simulator.PerformanceManager, id int32) (time.Duration, int, error) {
	if id == 20 || id == 0 || id == -1 {
		return 20 * time.Second, realtimeSamples, nil
	}
	for _, iv := range pm.HistoricalInterval {
		if iv.SamplingPeriod == id {
			return time.Duration(id) * time.Second, int(iv.Length / id), nil
		}
	}
	return 0, 0, fmt.Errorf("no performance interval of %d s", id)
}

// sampleTimes returns the times of the samples qs asks for, oldest first.
func sampleTimes(qs types.PerfQuerySpec, period time.Duration, kept int, now time.Time) []time.Time {
	end := now.Truncate(period)
	if qs.EndTime != nil && qs.EndTime.Before(end) {
		end = qs.EndTime.Truncate(period)
	}
	first := now.Truncate(period).Add(-time.Duration(kept-1) * period)
	if qs.StartTime != nil && !qs.StartTime.Before(first) {
		first = qs.StartTime.Truncate(period).Add(period) // after startTime
	}
	var out []time.Time
	for t := first; !t.After(end); t = t.Add(period) {
		out = append(out, t)
	}
	if period == 20*time.Second && qs.MaxSample > 0 && len(out) > int(qs.MaxSample) {
		out = out[len(out)-int(qs.MaxSample):]
	}
	return out
}

// entityBase reads what a host's or VM's samples are drawn around; found
// is false for other entities.
func entityBase(ctx *simulator.Context, ref types.ManagedObjectReference) (perfBase, bool) {
	switch obj := ctx.Map.Get(ref).(type) {
	case *simulator.VirtualMachine:
		var b perfBase
		var host types.ManagedObjectReference
		ctx.WithLock(obj, func() {
			b = vmBase(obj.Name, obj.Runtime.PowerState, obj.Summary.QuickStats, obj.Runtime.MaxCpuUsage, obj.Summary.Config.NumCpu)
			if obj.Runtime.Host != nil {
				host = *obj.Runtime.Host
			}
		})
		if h, ok := ctx.Map.Get(host).(*simulator.HostSystem); ok && b.vcpus > 0 {
			var u float64
			connected := false
			ctx.WithLock(h, func() { u, connected = hostCPUShare(h), hostConnected(&h.HostSystem) })
			if !connected { // nothing reports for it
				return perfBase{name: b.name}, true
			}
			b.readyPct = readyShare(u)
		}
		return b, true
	case *simulator.HostSystem:
		b := perfBase{name: obj.Name}
		var vms []types.ManagedObjectReference
		connected := false
		ctx.WithLock(obj, func() {
			b.name = obj.Name
			if connected = hostConnected(&obj.HostSystem); connected {
				b.cpuPct = hostCPUShare(obj) * 100
				b.readyPct = readyShare(hostCPUShare(obj))
				vms = append(vms, obj.Vm...)
			}
		})
		if !connected {
			return b, true
		}
		b.activeKB = hypervisorMB * 1024 / 3
		b.latencyMs = latency(b.name)
		for _, ref := range vms {
			vm, ok := ctx.Map.Get(ref).(*simulator.VirtualMachine)
			if !ok {
				continue
			}
			var v perfBase
			ctx.WithLock(vm, func() {
				v = vmBase(vm.Name, vm.Runtime.PowerState, vm.Summary.QuickStats, vm.Runtime.MaxCpuUsage, vm.Summary.Config.NumCpu)
			})
			b.vcpus += v.vcpus
			b.activeKB += v.activeKB
			b.balloonKB += v.balloonKB
			b.netKBps += v.netKBps
		}
		return b, true
	}
	return perfBase{}, false
}

// vmBase is a VM's base from its quick stats; zero but its name unless
// it runs.
func vmBase(name string, state types.VirtualMachinePowerState, qs types.VirtualMachineQuickStats, maxMHz, numCPU int32) perfBase {
	b := perfBase{name: name}
	if state != types.VirtualMachinePowerStatePoweredOn {
		return b
	}
	if maxMHz > 0 {
		b.cpuPct = min(float64(qs.OverallCpuUsage)/float64(maxMHz)*100, 100)
	}
	b.vcpus = int(numCPU)
	b.activeKB = float64(qs.GuestMemoryUsage) * 1024
	b.balloonKB = float64(qs.BalloonedMemory) * 1024
	b.latencyMs = latency(name)
	b.netKBps = float64(qs.OverallCpuUsage) * (0.2 + 0.4*unit(seed(name, "net")))
	return b
}

// hostCPUShare is a host's CPU use, 0 to 1, from its quick stats; call
// it holding the host's lock.
func hostCPUShare(h *simulator.HostSystem) float64 {
	hw := h.Summary.Hardware
	if hw == nil || hw.CpuMhz == 0 || hw.NumCpuCores == 0 {
		return 0
	}
	return min(float64(h.Summary.QuickStats.OverallCpuUsage)/(float64(hw.CpuMhz)*float64(hw.NumCpuCores)), 1)
}

// readyShare is the percentage of time a vCPU waits for a physical CPU on
// a host whose CPUs are used u (0 to 1).
func readyShare(u float64) float64 { return 0.3 + 12*math.Pow(u, 4) }

// latency is an entity's typical highest disk latency, in ms.
func latency(name string) float64 { return 0.5 + 3*unit(seed(name, "disk")) }

// metrics returns the samples of qs at times.
func (b perfBase) metrics(qs types.PerfQuerySpec, times []time.Time) *types.PerfEntityMetric {
	out := &types.PerfEntityMetric{PerfEntityMetricBase: types.PerfEntityMetricBase{Entity: qs.Entity}}
	period := int32(20)
	if len(times) > 1 {
		period = int32(times[1].Sub(times[0]).Seconds())
	} else if qs.IntervalId > 20 {
		period = qs.IntervalId
	}
	for _, t := range times {
		out.SampleInfo = append(out.SampleInfo, types.PerfSampleInfo{Timestamp: t, Interval: period})
	}
	for _, id := range qs.MetricId {
		if id.Instance == "*" {
			id.Instance = "" // the aggregate stands for every instance
		}
		s := &types.PerfMetricIntSeries{PerfMetricSeries: types.PerfMetricSeries{Id: id}, Value: make([]int64, len(times))}
		for i, t := range times {
			s.Value[i] = b.value(qs.Entity.Type, id.CounterId, period, t)
		}
		out.Value = append(out.Value, s)
	}
	return out
}

// value is counter's raw value, in vCenter's unit, for the sample of
// period seconds ending at t.
func (b perfBase) value(typ string, counter, period int32, t time.Time) int64 {
	slot := t.Unix() / int64(period)
	vary := func(v float64) float64 { return v * (1 + wave(seed(b.name, fmt.Sprint(counter)), slot)) }
	switch counter {
	case ctrCPUUsage:
		return int64(min(vary(b.cpuPct), 100) * 100)
	case ctrCPUReady:
		return int64(vary(b.readyPct) / 100 * float64(period) * 1000 * float64(b.vcpus))
	case ctrMemActive:
		return int64(vary(b.activeKB))
	case ctrMemBalloon:
		return int64(vary(b.balloonKB))
	case ctrDiskMaxLat:
		return int64(math.Round(vary(b.latencyMs)))
	case ctrNetUsage:
		return int64(vary(b.netKBps))
	}
	if points := vpx.MetricData[typ][counter]; len(points) > 0 {
		return points[slot%int64(len(points))]
	}
	return 0
}

// asCSV returns m in the CSV format: "interval,time,..." and each
// series' values joined by commas.
func asCSV(m *types.PerfEntityMetric) *types.PerfEntityMetricCSV {
	out := &types.PerfEntityMetricCSV{PerfEntityMetricBase: m.PerfEntityMetricBase}
	info := make([]string, 0, 2*len(m.SampleInfo))
	for _, si := range m.SampleInfo {
		info = append(info, strconv.Itoa(int(si.Interval)), si.Timestamp.UTC().Format(time.RFC3339))
	}
	out.SampleInfoCSV = strings.Join(info, ",")
	for _, v := range m.Value {
		s := v.(*types.PerfMetricIntSeries)
		vals := make([]string, len(s.Value))
		for i, x := range s.Value {
			vals[i] = strconv.FormatInt(x, 10)
		}
		out.Value = append(out.Value, types.PerfMetricSeriesCSV{PerfMetricSeries: s.PerfMetricSeries, Value: strings.Join(vals, ",")})
	}
	return out
}

// seed hashes an entity's name and a salt.
func seed(name, salt string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write([]byte(salt))
	return h.Sum64()
}

// unit maps a hash to [0, 1).
func unit(x uint64) float64 { return float64(x>>11) / (1 << 53) }

// wave is a smooth variation in [-0.18, 0.18] of slot, different for each
// seed: two slow waves and a little jitter.
func wave(s uint64, slot int64) float64 {
	p1, p2 := 2*math.Pi*unit(s), 2*math.Pi*unit(s*31+7)
	x := float64(slot)
	jitter := unit(seed(fmt.Sprint(s), fmt.Sprint(slot)))*2 - 1
	return 0.10*math.Sin(2*math.Pi*x/37+p1) + 0.05*math.Sin(2*math.Pi*x/11+p2) + 0.03*jitter
}
