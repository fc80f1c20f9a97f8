package history

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/ha/drill"
	"github.com/vtui/vtui/internal/readlimit"
	"github.com/vtui/vtui/vsphere"
)

var vc = vsphere.Identity{InstanceUUID: "0b9c2e4d-5a8f-4f7e-9f3e-2d6f1a7c8b90", URL: "https://vc.example.com/sdk"}

// nightly is a drill on cluster-a of vc, started day days after
// the first, whose protected VMs ran again after rtos seconds each
// (expect.rto 30s); a negative rto is a VM lost.
func nightly(day int, result drill.Result, rtos ...float64) *drill.Report {
	plan := drill.Plan{Name: "nightly", Cluster: "cluster-a"}
	plan.Expect.RTO = drill.Duration(30 * time.Second)
	start := time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC).AddDate(0, 0, day)
	r := &drill.Report{Plan: plan, Cluster: "cluster-a", VCenter: &vc, Started: start, Ended: start.Add(time.Minute), Seconds: 60,
		Result: result, Reasons: []string{}}
	for i, rto := range rtos {
		v := drill.VMResult{Name: fmt.Sprintf("vm-%d", i), Protected: true, Recovered: rto >= 0, RecoverySeconds: max(rto, 0)}
		if rto < 0 {
			r.Lost++
			r.Reasons = append(r.Reasons, "1 protected VM lost (expect.lost is 0): "+v.Name)
		}
		r.VMs = append(r.VMs, v)
	}
	if r.Lost == 0 && len(rtos) > 0 {
		rto := slices.Max(rtos)
		r.RTOSeconds = &rto
	}
	return r
}

// write writes r as drill run does, as path under dir.
func write(t *testing.T, dir, path string, r *drill.Report) {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, path), b.Bytes())
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestTwentyNightlyDrills: 20 reports of a drill whose recovery grows
// slower, in CI-artifact directories one level down, one of them
// failing with a VM back late and one losing a VM: the summary counts
// the runs and passes, computes the RTO statistics over the 19 bounded
// RTOs, names the last failure, and keeps the trend in order of start
// whatever the order of the files.
func TestTwentyNightlyDrills(t *testing.T) {
	dir := t.TempDir()
	var want []float64
	for day := range 20 {
		rto := 10 + float64(day) // 10s, 11s, ... 29s: slower each night
		r := nightly(day, drill.ResultPass, rto, rto/2)
		switch day {
		case 7: // lost a VM: no bounded RTO
			r = nightly(day, drill.ResultFail, 12, -1)
		case 15: // one VM back after expect.rto
			r = nightly(day, drill.ResultFail, 31, 12)
			r.Reasons = []string{"recovery took 31.0s, beyond expect.rto 30s"}
			rto = 31
		}
		if day != 7 {
			want = append(want, rto)
		}
		// Run 19 is written first: file order is not time order.
		write(t, dir, filepath.Join(fmt.Sprintf("run-%02d", 19-day), "drill.json"), r)
	}
	h, err := Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Skipped) > 0 || len(h.Plans) != 1 {
		t.Fatalf("Load = %d summaries, skipped %v; want one, nothing skipped", len(h.Plans), h.Skipped)
	}
	s := h.Plans[0]
	if s.Plan != "nightly" || s.Cluster != "cluster-a" || s.VCenter != vc || s.Runs != 20 || s.Passed != 18 || s.PassRate != 0.9 {
		t.Errorf("summary %s on %s of %v: %d runs, %d passed (%v); want nightly on cluster-a of %v, 20 runs, 18 passed (0.9)",
			s.Plan, s.Cluster, s.VCenter, s.Runs, s.Passed, s.PassRate, vc)
	}
	if got := s.RTOs(); !slices.Equal(got, want) {
		t.Errorf("the RTO trend = %v; want %v (oldest first, the lost run left out)", got, want)
	}
	// 19 samples: 10..29 without 17, with 31 in place of 25; the 10th
	// is 20, and p95 the 19th (⌈0.95 × 19⌉), the largest.
	if wantStats := (Stats{Count: 19, Median: 20, P95: 31, Max: 31}); s.RTO != wantStats {
		t.Errorf("RTO stats = %+v; want %+v", s.RTO, wantStats)
	}
	if f := s.LastFailure; f == nil || f.Started.Day() != 16 || f.Late != 1 || f.Reason() != "recovery took 31.0s, beyond expect.rto 30s" {
		t.Errorf("last failure = %+v; want the run of day 16 with one VM late", f)
	}
	if lost := s.Trend[7]; lost.RTOSeconds != nil || lost.Lost != 1 || lost.Result != drill.ResultFail {
		t.Errorf("the run that lost a VM = %+v; want no RTO, 1 lost", lost)
	}
	if got, want := s.Describe(), "20 runs, 90% passed; RTO median 20.0s, p95 31.0s, max 31.0s (of 19 measured)"; got != want {
		t.Errorf("Describe = %q; want %q", got, want)
	}
}

// TestLoadSkipsWhatIsNotAReport: corrupt JSON, another tool's JSON, a
// file too large, a copy of a report already read, and files out of
// reach (too deep, hidden, not *.json) are not counted; the first three
// are named with why, and the reports beside them still count, grouped
// by plan, cluster and vCenter.
func TestLoadSkipsWhatIsNotAReport(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.json", nightly(0, drill.ResultPass, 10))
	write(t, dir, "copy/a.json", nightly(0, drill.ResultPass, 10))
	other := nightly(1, drill.ResultPass, 20)
	other.Cluster = "cluster-b"
	write(t, dir, "b.json", other)
	elsewhere := nightly(2, drill.ResultError)
	elsewhere.VCenter = &vsphere.Identity{URL: "https://other.example.com/sdk"}
	write(t, dir, "c.json", elsewhere)
	// A report of a newer vtui, with fields this one does not know.
	writeFile(t, filepath.Join(dir, "newer.json"), []byte(`{"schema_version": 3, "plan": {"name": "nightly", "expect": {"rto": "30s"}},
		"cluster": "cluster-a", "vcenter": {"instance_uuid": "`+vc.InstanceUUID+`", "url": "x", "build": "24322831"},
		"result": "fail", "started": "2026-11-09T03:00:00Z", "rto_seconds": 12, "vms": [{"name": "a", "verdict": "met", "protected": true,
		"recovered": true, "recovery_seconds": 12}]}`))
	writeFile(t, filepath.Join(dir, "corrupt.json"), []byte(`{"plan": {"name": "nightly"`))
	writeFile(t, filepath.Join(dir, "package.json"), []byte(`{"name": "web", "version": "1.0.0"}`))
	writeFile(t, filepath.Join(dir, "wrong-type.json"), []byte(`{"plan": "nightly", "result": "pass"}`))
	writeFile(t, filepath.Join(dir, "huge.json"), bytes.Repeat([]byte(" "), int(readlimit.Report)+1))
	write(t, dir, "1/2/3/4/deep.json", nightly(3, drill.ResultPass, 10))
	write(t, dir, ".git/hidden.json", nightly(4, drill.ResultPass, 10))
	write(t, dir, "1/2/3/shallow-enough.json", nightly(5, drill.ResultPass, 10))
	writeFile(t, filepath.Join(dir, "drill.journal"), []byte("{}\n"))

	h, err := Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var skipped []string
	for _, s := range h.Skipped {
		rel, _ := filepath.Rel(dir, s.Path)
		skipped = append(skipped, rel+": "+s.Reason)
	}
	slices.Sort(skipped)
	wantSkipped := []string{
		"copy/a.json: the same drill as " + filepath.Join(dir, "a.json"),
		"corrupt.json: not a drill report: unexpected end of JSON input",
		"huge.json: larger than a drill report may be (16 MiB)",
		"package.json: not a drill report: it has no plan.name, result or started",
		"wrong-type.json: not a drill report: its plan is a JSON string",
	}
	if !slices.Equal(skipped, wantSkipped) {
		t.Errorf("skipped:\n%s\nwant:\n%s", strings.Join(skipped, "\n"), strings.Join(wantSkipped, "\n"))
	}
	var got []string
	for _, s := range h.Plans {
		got = append(got, fmt.Sprintf("%s %s %s: %d runs", s.Plan, s.Cluster, s.VCenter.URL, s.Runs))
	}
	want := []string{
		"nightly cluster-a https://other.example.com/sdk: 1 runs",
		"nightly cluster-a https://vc.example.com/sdk: 3 runs", // a, newer and shallow-enough
		"nightly cluster-b https://vc.example.com/sdk: 1 runs",
	}
	if !slices.Equal(got, want) {
		t.Errorf("summaries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if mine := h.For("cluster-a", vsphere.Identity{InstanceUUID: vc.InstanceUUID}); len(mine) != 1 || mine[0].Runs != 3 {
		t.Errorf("For(cluster-a, this vCenter) = %+v; want the 3 runs of cluster-a on it", mine)
	}
}

// TestLoadRefusesWhatIsNotADirectory: a directory that does not exist,
// or a file, is an error naming it; a cancelled context ends the search.
func TestLoadRefusesWhatIsNotADirectory(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a.json")
	write(t, dir, "a.json", nightly(0, drill.ResultPass, 10))
	for _, path := range []string{filepath.Join(dir, "absent"), file} {
		if _, err := Load(context.Background(), path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("Load(%s) = %v; want an error naming it", path, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Load(ctx, dir); err != context.Canceled {
		t.Errorf("Load with a cancelled context = %v; want %v", err, context.Canceled)
	}
}
