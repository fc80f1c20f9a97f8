package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vtui/vtui/cmd/internal/config/configtest"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// crashPlanText fails esx-a-01 of the small preset through the simulator.
const crashPlanText = "name: t\ncluster: cluster-a\nscenario: host-failure\ntargets: {hosts: [esx-a-01.lab.local]}\nexpect: {rto: 1m}\ninject: {method: sim-crash}\n"

// TestADrillChecksEveryOutputPathBeforeItInjects gives drill run one bad
// output path at a time: it exits 2 naming the flag and the path, sends
// no change to vCenter, and leaves no journal.
func TestADrillChecksEveryOutputPathBeforeItInjects(t *testing.T) {
	srv := vspheretest.Start(t, "small")
	rec := vspheretest.Record(t, srv)
	cfg := rec.Config()
	env := configtest.Env{"VTUI_URL": cfg.URL, "VTUI_USERNAME": cfg.Username, "VTUI_PASSWORD": cfg.Password, "VTUI_THUMBPRINT": cfg.Thumbprint}
	for _, flag := range []string{"--journal", "--report-json", "--report-junit", "--report-md"} {
		for _, bad := range []string{"missing directory", "a directory"} {
			t.Run(flag+"/"+bad, func(t *testing.T) {
				dir := t.TempDir()
				plan := filepath.Join(dir, "plan.yaml")
				configtest.WriteFile(t, plan, crashPlanText, 0o600)
				path := filepath.Join(dir, "absent", "out")
				if bad == "a directory" {
					path = filepath.Join(dir, "out")
					if err := os.Mkdir(path, 0o700); err != nil {
						t.Fatal(err)
					}
				}
				journal := filepath.Join(dir, "drill.journal")
				args := []string{"drill", "run", plan, "--yes", "--journal", journal, flag, path}
				rec.Reset()
				r := runTest(t, args, env)
				if r.code != exitUsage || !strings.Contains(r.stderr, flag+" "+path+": ") || !strings.Contains(r.stderr, "nothing was changed") {
					t.Errorf("vtui %s: exit %d, stderr %q; want exit 2 naming %s and %s", strings.Join(args, " "), r.code, r.stderr, flag, path)
				}
				if sent := rec.Changes(); len(sent) > 0 {
					t.Errorf("sent %s; want no change", strings.Join(sent, ", "))
				}
				if _, err := os.Stat(journal); flag != "--journal" && err == nil {
					t.Errorf("the refused drill left its journal %s", journal)
				}
			})
		}
	}
}

// TestADrillThatCanChangeNothingKeepsNoJournal runs drills that are
// refused (--readonly) or only shown (--dry-run): neither leaves a
// journal.
func TestADrillThatCanChangeNothingKeepsNoJournal(t *testing.T) {
	for _, tt := range []struct {
		flags []string
		code  int
		want  string
	}{
		{[]string{"--readonly", "--yes"}, exitFailed, "read-only mode"},
		{[]string{"--dry-run"}, exitOK, "dry run: would crash esx-a-01.lab.local"},
		{[]string{"--dry-run", "--readonly"}, exitOK, "dry run: would crash esx-a-01.lab.local"},
	} {
		t.Run(strings.Join(tt.flags, " "), func(t *testing.T) {
			dir := t.TempDir()
			plan := filepath.Join(dir, "plan.yaml")
			configtest.WriteFile(t, plan, crashPlanText, 0o600)
			t.Chdir(dir)
			r := runTest(t, append([]string{"drill", "run", plan, "--simulator=small"}, tt.flags...), nil)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", r.code, r.stderr, tt.code, tt.want)
			}
			if journals, _ := filepath.Glob(filepath.Join(dir, "*.journal")); len(journals) > 0 {
				t.Errorf("left the journals %v", journals)
			}
		})
	}
}
