package drill

import (
	"fmt"
	"io"
	"math"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// Late reports whether v is a protected VM that ran again, but later
// than rto after the injection, and was predicted to (or its report
// predates predictions).
func (v VMResult) Late(rto Duration) bool {
	return v.Protected && v.Recovered && v.RecoverySeconds > rto.D().Seconds() && v.predictedBack()
}

// Late counts the protected VMs that ran again later than expect.rto.
func (r *Report) Late() int {
	n := 0
	for _, v := range r.VMs {
		if v.Late(r.Plan.Expect.RTO) {
			n++
		}
	}
	return n
}

// MeasuredRTO is the RTO as a number: the seconds until the last
// protected VM ran again; +Inf when one never did (the RTO is unbounded);
// NaN when the drill did not measure it (it could not run, or was
// interrupted before every protected VM was back).
func (r *Report) MeasuredRTO() float64 {
	switch {
	case r.Result == ResultError, r.Result == ResultInterrupted && !r.RTOMet:
		return math.NaN()
	case r.Lost > 0:
		return math.Inf(1)
	case r.RTOSeconds == nil:
		return math.NaN()
	}
	return *r.RTOSeconds
}

// WriteOpenMetrics writes the drill's result as gauges in the OpenMetrics
// text format, which node_exporter's textfile collector reads (a file
// named *.prom in its --collector.textfile.directory). Every sample is
// labelled with the plan, the cluster and the vCenter's URL, and carries
// no timestamp of its own, which the textfile collector refuses:
// vtui_drill_end_timestamp_seconds says when the drill ended.
func (r *Report) WriteOpenMetrics(w io.Writer) error {
	vcenter := ""
	if r.VCenter != nil {
		vcenter = r.VCenter.URL
	}
	labels := []*dto.LabelPair{
		{Name: new("plan"), Value: new(r.Plan.Name)},
		{Name: new("cluster"), Value: new(r.Cluster)},
		{Name: new("vcenter"), Value: new(vcenter)},
	}
	pass := 0.0
	if r.Result.Passed() {
		pass = 1
	}
	for _, g := range []struct {
		name, help, unit string
		value            float64
	}{
		{"vtui_drill_pass", "1 when the drill passed (with or without warnings), else 0.", "", pass},
		{"vtui_drill_rto_seconds", "Seconds from the injection until the last protected VM ran again; +Inf when one never did, NaN when not measured.", "seconds", r.MeasuredRTO()},
		{"vtui_drill_rto_objective_seconds", "The plan's expect.rto.", "seconds", r.Plan.Expect.RTO.D().Seconds()},
		{"vtui_drill_vms_lost", "Protected VMs that did not run again on a surviving host.", "", float64(r.Lost)},
		{"vtui_drill_vms_late", "Protected VMs that ran again later than expect.rto.", "", float64(r.Late())},
		{"vtui_drill_duration_seconds", "Seconds the drill took, from its start to its end.", "seconds", r.Seconds},
		{"vtui_drill_end_timestamp_seconds", "When the drill ended, in seconds since the Unix epoch.", "seconds", float64(r.Ended.UnixMilli()) / 1000},
	} {
		mf := &dto.MetricFamily{Name: new(g.name), Help: new(g.help), Type: dto.MetricType_GAUGE.Enum(),
			Metric: []*dto.Metric{{Label: labels, Gauge: &dto.Gauge{Value: new(g.value)}}}}
		if g.unit != "" {
			mf.Unit = new(g.unit)
		}
		if _, err := expfmt.MetricFamilyToOpenMetrics(w, mf); err != nil {
			return fmt.Errorf("write the metric %s: %w", g.name, err)
		}
	}
	_, err := expfmt.FinalizeOpenMetrics(w)
	return err
}
