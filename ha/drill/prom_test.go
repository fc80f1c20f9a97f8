package drill

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/vtui/vtui/internal/golden"
	"github.com/vtui/vtui/vsphere"
)

// parseOpenMetrics reads text with Prometheus's own parsers: the
// OpenMetrics 1.0 decoder, and the text parser node_exporter's textfile
// collector uses. Both must read the same families; it returns them by
// name.
func parseOpenMetrics(t *testing.T, text []byte) map[string]*dto.MetricFamily {
	t.Helper()
	om := map[string]*dto.MetricFamily{}
	dec := expfmt.NewDecoder(bytes.NewReader(text), expfmt.FmtOpenMetrics_1_0_0)
	for {
		var mf dto.MetricFamily
		err := dec.Decode(&mf)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the OpenMetrics decoder refused the output: %v\n%s", err, text)
		}
		om[mf.GetName()] = &mf
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(text))
	if err != nil {
		t.Fatalf("the text parser (node_exporter's textfile collector) refused the output: %v\n%s", err, text)
	}
	if len(fams) != len(om) {
		t.Fatalf("the text parser read %d families, the OpenMetrics decoder %d", len(fams), len(om))
	}
	for name, mf := range fams {
		if len(mf.GetMetric()) != 1 || mf.GetMetric()[0].TimestampMs != nil {
			t.Errorf("%s: %d samples, timestamp %v; want one sample without a timestamp (the textfile collector refuses them)",
				name, len(mf.GetMetric()), mf.GetMetric()[0].TimestampMs)
		}
		if got, want := mf.GetMetric()[0].GetGauge().GetValue(), om[name].GetMetric()[0].GetGauge().GetValue(); got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("%s: the text parser read %v, the OpenMetrics decoder %v", name, got, want)
		}
	}
	return om
}

// value returns the gauge name's value and its labels.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string) (float64, map[string]string) {
	t.Helper()
	mf, ok := fams[name]
	if !ok {
		t.Fatalf("no metric %s", name)
	}
	labels := map[string]string{}
	for _, l := range mf.GetMetric()[0].GetLabel() {
		labels[l.GetName()] = l.GetValue()
	}
	return mf.GetMetric()[0].GetGauge().GetValue(), labels
}

// TestOpenMetricsGolden renders the golden JSON report (testdata/
// report.json, read back as a report) as OpenMetrics, compares it with
// its golden, and reads it with Prometheus's parsers: a failed drill
// with one VM lost has pass 0, an unbounded RTO and one VM lost.
func TestOpenMetricsGolden(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := r.WriteOpenMetrics(&b); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("testdata", "report.prom"), b.Bytes())
	fams := parseOpenMetrics(t, b.Bytes())
	for _, tt := range []struct {
		name string
		want float64
	}{
		{"vtui_drill_pass", 0}, {"vtui_drill_rto_seconds", math.Inf(1)}, {"vtui_drill_rto_objective_seconds", 30},
		{"vtui_drill_vms_lost", 1}, {"vtui_drill_vms_late", 1}, {"vtui_drill_duration_seconds", 52},
		{"vtui_drill_end_timestamp_seconds", float64(r.Ended.Unix())},
	} {
		got, labels := value(t, fams, tt.name)
		if got != tt.want {
			t.Errorf("%s = %v; want %v", tt.name, got, tt.want)
		}
		if want := map[string]string{"plan": "test", "cluster": "cluster-a", "vcenter": "https://127.0.0.1:8989/sdk"}; !maps.Equal(labels, want) {
			t.Errorf("%s labels = %v; want %v", tt.name, labels, want)
		}
	}
}

// TestOpenMetricsValues: a pass counts no VM late and gives the RTO in
// seconds; a VM back beyond expect.rto is late; a drill that could not
// run has no RTO (NaN); label values with quotes, backslashes and
// newlines are escaped so that the parsers read them back exactly.
func TestOpenMetricsValues(t *testing.T) {
	plan := Plan{Name: `night"ly\ run`}
	plan.Expect.RTO = Duration(20e9)
	vm := func(name string, secs float64, recovered bool) VMResult {
		return VMResult{Name: name, Protected: true, Recovered: recovered, RecoverySeconds: secs}
	}
	for _, tt := range []struct {
		name             string
		r                Report
		pass, rto, late  float64
		cluster, vcenter string
	}{
		{"pass", Report{Result: ResultPass, RTOSeconds: new(12.5), RTOMet: true, Cluster: "cluster-a",
			VMs: []VMResult{vm("a", 12.5, true), vm("b", 3, true), {Name: "c", Recovered: true, RecoverySeconds: 99}}}, 1, 12.5, 0, "cluster-a", ""},
		{"late", Report{Result: ResultFail, RTOSeconds: new(25.0), Cluster: "a \"quoted\" \\ cluster\nwith a newline",
			VCenter: &vsphere.Identity{URL: "https://vc.example.com/sdk"},
			VMs:     []VMResult{vm("a", 25, true), vm("b", 21, true), vm("c", 20, true)}}, 0, 25, 2, "a \"quoted\" \\ cluster\nwith a newline", "https://vc.example.com/sdk"},
		{"error", Report{Result: ResultError, Cluster: "cluster-a"}, 0, math.NaN(), 0, "cluster-a", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.r.Plan = plan
			var b bytes.Buffer
			if err := tt.r.WriteOpenMetrics(&b); err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(b.String(), "# EOF\n") {
				t.Errorf("the output does not end with # EOF:\n%s", b.String())
			}
			fams := parseOpenMetrics(t, b.Bytes())
			for name, want := range map[string]float64{"vtui_drill_pass": tt.pass, "vtui_drill_rto_seconds": tt.rto, "vtui_drill_vms_late": tt.late} {
				got, labels := value(t, fams, name)
				if got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
					t.Errorf("%s = %v; want %v\n%s", name, got, want, b.String())
				}
				if want := map[string]string{"plan": plan.Name, "cluster": tt.cluster, "vcenter": tt.vcenter}; !maps.Equal(labels, want) {
					t.Errorf("%s labels = %q; want %q", name, labels, want)
				}
			}
		})
	}
}
