package drillrun

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/ha/drill"
)

// TestDefaultJournal: XDG_STATE_HOME when it is absolute, else
// ~/.local/state; the drills directory below it is created with mode
// 0700; one that cannot be created is an error naming it.
func TestDefaultJournal(t *testing.T) {
	at := time.Date(2026, 11, 25, 3, 4, 5, 0, time.UTC)
	home, state := t.TempDir(), t.TempDir()
	t.Setenv("HOME", home)
	tests := []struct{ xdg, want string }{
		{state, filepath.Join(state, "vtui", "drills", "nightly-20261125T030405Z.journal")},
		{"", filepath.Join(home, ".local", "state", "vtui", "drills", "nightly-20261125T030405Z.journal")},
		{"relative/state", filepath.Join(home, ".local", "state", "vtui", "drills", "nightly-20261125T030405Z.journal")},
	}
	for _, tt := range tests {
		t.Setenv("XDG_STATE_HOME", tt.xdg)
		got, err := DefaultJournal(drill.Plan{Name: "nightly"}, at)
		if err != nil || got != tt.want {
			t.Errorf("XDG_STATE_HOME=%q: DefaultJournal = %q, %v; want %q", tt.xdg, got, err, tt.want)
			continue
		}
		if info, err := os.Stat(filepath.Dir(got)); err != nil {
			t.Error(err)
		} else if info.Mode().Perm() != 0o700 {
			t.Errorf("XDG_STATE_HOME=%q: %s has mode %v; want 0700", tt.xdg, filepath.Dir(got), info.Mode().Perm())
		}
	}
	file := filepath.Join(state, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_STATE_HOME", file)
	if got, err := DefaultJournal(drill.Plan{Name: "nightly"}, at); err == nil || !strings.Contains(err.Error(), file) {
		t.Errorf("XDG_STATE_HOME a file: DefaultJournal = %q, %v; want an error naming %s", got, err, file)
	}
}

// TestBeside: the reports go beside the journal, named as it is; a path
// already set stays.
func TestBeside(t *testing.T) {
	p := Paths{Journal: Output{Path: "/s/nightly-1.journal"}, JUnit: Output{Path: "ci.xml"}}.Beside()
	if p.JSON.Path != "/s/nightly-1.json" || p.JUnit.Path != "ci.xml" || p.Markdown.Path != "/s/nightly-1.md" {
		t.Errorf("Beside = %+v; want /s/nightly-1.json, ci.xml, /s/nightly-1.md", p)
	}
}

// TestWriteReportsWritesTheOpenMetricsFileReadable: the OpenMetrics file
// is mode 0644 (node_exporter runs as a user of its own), the JSON report
// 0600, and no temporary file is left beside them.
func TestWriteReportsWritesTheOpenMetricsFileReadable(t *testing.T) {
	dir := t.TempDir()
	prom, js := filepath.Join(dir, "drill.prom"), filepath.Join(dir, "drill.json")
	rep := &drill.Report{Plan: drill.Plan{Name: "nightly"}, Cluster: "cluster-a", Result: drill.ResultPass}
	written, err := WriteReports(rep, Paths{JSON: Output{Path: js}, Prom: Output{Path: prom}})
	if err != nil || len(written) != 2 {
		t.Fatalf("WriteReports = %v, %v; want both written", written, err)
	}
	for path, want := range map[string]os.FileMode{prom: 0o644, js: 0o600} {
		if info, err := os.Stat(path); err != nil {
			t.Error(err)
		} else if info.Mode().Perm() != want {
			t.Errorf("%s has mode %v; want %v", path, info.Mode().Perm(), want)
		}
	}
	data, err := os.ReadFile(prom)
	if err != nil || !strings.Contains(string(data), `vtui_drill_pass{plan="nightly",cluster="cluster-a",vcenter=""} 1.0`) {
		t.Errorf("%s = %q, %v; want the pass gauge of the report", prom, data, err)
	}
	if files, _ := os.ReadDir(dir); len(files) != 2 {
		t.Errorf("%d files in %s; want the two reports, no temporary file", len(files), dir)
	}
}
