package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vtui/vtui/cmd/internal/config/configtest"
	"github.com/vtui/vtui/ha/drill"
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
			r := runTest(t, append([]string{"drill", "run", plan, "--simulator=small"}, tt.flags...), configtest.Env{"XDG_STATE_HOME": dir})
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", r.code, r.stderr, tt.code, tt.want)
			}
			for _, in := range []string{dir, filepath.Join(dir, "vtui", "drills")} {
				if journals, _ := filepath.Glob(filepath.Join(in, "*.journal")); len(journals) > 0 {
					t.Errorf("left the journals %v", journals)
				}
			}
		})
	}
}

// TestADrillJournalsInTheStateDirectory runs a drill without --journal:
// its journal goes to $XDG_STATE_HOME/vtui/drills, created with mode
// 0700, and its path is printed; nothing is written to the working
// directory.
func TestADrillJournalsInTheStateDirectory(t *testing.T) {
	dir, work := t.TempDir(), t.TempDir()
	plan, state := filepath.Join(dir, "plan.yaml"), filepath.Join(dir, "state")
	configtest.WriteFile(t, plan, crashPlanText, 0o600)
	t.Chdir(work)
	r := runTest(t, []string{"drill", "run", plan, "--simulator=small", "--yes"}, configtest.Env{"XDG_STATE_HOME": state})
	if r.code != exitOK {
		t.Fatalf("exit %d; want 0\nstderr:\n%s", r.code, r.stderr)
	}
	drills := filepath.Join(state, "vtui", "drills")
	journals, _ := filepath.Glob(filepath.Join(drills, "t-*.journal"))
	if len(journals) != 1 || !strings.Contains(r.stderr, "journal: "+journals[0]+"\n") {
		t.Errorf("journals in %s: %v; want one, its path printed\nstderr:\n%s", drills, journals, r.stderr)
	}
	if info, err := os.Stat(drills); err != nil {
		t.Error(err)
	} else if info.Mode().Perm() != 0o700 {
		t.Errorf("%s has mode %v; want 0700", drills, info.Mode().Perm())
	}
	if files, _ := os.ReadDir(work); len(files) > 0 {
		t.Errorf("wrote %d files to the working directory; want none", len(files))
	}
}

// TestExamplePlansPassOnTheSimulator runs every drill plan of
// docs/examples as its comment says, vtui --simulator drill run PLAN
// --yes, and wants it to pass, its predictions held. A plan that names a
// context runs only there (vtui refuses it with --simulator), so it is
// not run, and the test says so.
func TestExamplePlansPassOnTheSimulator(t *testing.T) {
	if testing.Short() {
		t.Skip("runs drills")
	}
	dir, err := filepath.Abs(filepath.Join("..", "..", "docs", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	plans, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(plans) == 0 {
		t.Fatalf("no example plans: %v", err)
	}
	ran := 0
	for _, path := range plans {
		plan, err := drill.Load(context.Background(), path)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if plan.Context != "" {
			t.Logf("%s: not run: it runs on its context %s only", path, plan.Context)
			continue
		}
		ran++
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Chdir(t.TempDir())
			r := runTest(t, []string{"--simulator", "drill", "run", path, "--yes", "--journal", "drill.journal"}, nil)
			if r.code != exitOK || !strings.Contains(r.stdout, "PASS") {
				t.Fatalf("vtui --simulator drill run %s --yes: exit %d; want 0, a pass\nstdout:\n%s\nstderr:\n%s", path, r.code, r.stdout, r.stderr)
			}
		})
	}
	if ran < 4 {
		t.Errorf("ran %d example plans; want host-failure, multi-host-failure, isolation and partition at least", ran)
	}
}
