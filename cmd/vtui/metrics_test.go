package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/cmd/internal/config/configtest"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// TestMetricsPrintsEachObjectsSeries: metrics vm and host print, for each
// object a name or glob matches, the counters asked for, with as many
// samples as asked, oldest first, at the interval's period; the table
// names the object, the interval and every counter.
func TestMetricsPrintsEachObjectsSeries(t *testing.T) {
	r := runTest(t, []string{"--simulator=small", "metrics", "host", "esx-a-0[12]*", "--interval", "day",
		"--counter", "cpu.usage,mem.active", "--samples", "12", "-o", "json"}, nil)
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var got []metricsResult
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	if len(got) != 2 || got[0].Name != "esx-a-01.lab.local" || got[1].Name != "esx-a-02.lab.local" {
		t.Fatalf("objects %+v; want esx-a-01 and esx-a-02", got)
	}
	for _, m := range got {
		if m.Kind != "host" || m.Interval != "day" || len(m.Series) != 2 || m.Series[0].Counter != "cpu.usage" || m.Series[1].Counter != "mem.active" {
			t.Errorf("%s: kind %s, interval %s, %d series; want host, day, cpu.usage and mem.active", m.Name, m.Kind, m.Interval, len(m.Series))
			continue
		}
		for _, s := range m.Series {
			if len(s.Samples) != 12 {
				t.Errorf("%s %s: %d samples; want 12", m.Name, s.Counter, len(s.Samples))
				continue
			}
			if d := s.Samples[1].Time.Sub(s.Samples[0].Time); d != 5*time.Minute {
				t.Errorf("%s %s: samples %v apart; want 5m, oldest first", m.Name, s.Counter, d)
			}
			if v, _ := s.Latest(); v <= 0 {
				t.Errorf("%s %s: latest %v; want above zero on a running host", m.Name, s.Counter, v)
			}
		}
	}

	r = runTest(t, []string{"--simulator=small", "metrics", "vm", "web-01"}, nil)
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"vm web-01 (vm-", "realtime: 60 samples from", "COUNTER", "LATEST",
		"cpu.usage", "cpu.ready", "mem.active", "mem.balloon", "disk.latency", "net.usage", "KB/s"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, r.stdout)
		}
	}
}

// TestMetricsRefusesTwinNames: a VM name two VMs share is refused, listing
// both, as every command refuses it; the ID picks one.
func TestMetricsRefusesTwinNames(t *testing.T) {
	srv := vspheretest.Start(t, "small")
	twin, err := srv.CreateVM(context.Background(), "prod", "web-01")
	if err != nil {
		t.Fatal(err)
	}
	env := configtest.Env{"VTUI_URL": srv.URL.Host, "VTUI_USERNAME": srv.Username, "VTUI_PASSWORD": srv.Password, "VTUI_THUMBPRINT": srv.Thumbprint}
	r := runTest(t, []string{"metrics", "vm", "web-01"}, env)
	if r.code != exitUsage || !strings.Contains(r.stderr, `VM name "web-01" is ambiguous`) || !strings.Contains(r.stderr, twin) {
		t.Errorf("metrics by a shared name: exit %d, stderr %q; want exit 2 listing both", r.code, r.stderr)
	}
	r = runTest(t, []string{"metrics", "vm", twin, "--counter", "cpu.usage", "-o", "json"}, env)
	if r.code != exitOK || !strings.Contains(r.stdout, `"id": "`+twin+`"`) {
		t.Errorf("metrics by ID: exit %d, stdout %s, stderr %s", r.code, r.stdout, r.stderr)
	}
}
