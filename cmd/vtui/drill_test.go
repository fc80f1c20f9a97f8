package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
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
	for _, flag := range []string{"--journal", "--report-json", "--report-junit", "--report-md", "--report-prom"} {
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
// --yes, and wants it to pass, its predictions held, and its report and
// journal to hold no password; a Redfish or IPMI plan powers the host off
// and on through its BMC. A plan that names a context runs only there
// (vtui refuses it with --simulator), so it is not run, and the test says
// so.
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
	var ran []string
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
		ran = append(ran, filepath.Base(path))
		t.Run(filepath.Base(path), func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			report, journal := filepath.Join(dir, "report.json"), filepath.Join(dir, "drill.journal")
			r := runTest(t, []string{"--simulator", "drill", "run", path, "--yes", "--report-json", report, "--journal", journal}, configtest.Env{})
			if r.code != exitOK || !strings.Contains(r.stdout, "PASS") {
				t.Fatalf("vtui --simulator drill run %s --yes: exit %d; want 0, a pass\nstdout:\n%s\nstderr:\n%s", path, r.code, r.stdout, r.stderr)
			}
			if m := string(plan.Inject.Method); m == "redfish" || m == "ipmi" {
				for _, want := range []string{m + " ForceOff through its BMC", "BMC reports power Off", m + " On through its BMC", "BMC reports power On"} {
					if !strings.Contains(r.stderr, want) {
						t.Errorf("the timeline does not say %q:\n%s", want, r.stderr)
					}
				}
			}
			rep := string(readTestFile(t, report))
			if !strings.Contains(rep, `"ok": true`) {
				t.Errorf("the report's rollback is not ok:\n%s", rep)
			}
			for _, f := range []string{rep, string(readTestFile(t, journal))} {
				if strings.Contains(strings.ToLower(f), `"password"`) {
					t.Errorf("a password field in %.200s…", f)
				}
			}
		})
	}
	for _, want := range []string{"host-failure.yaml", "multi-host-failure.yaml", "isolation.yaml", "partition.yaml", "redfish-power-off.yaml", "ipmi.yaml"} {
		if !slices.Contains(ran, want) {
			t.Errorf("%s was not run; ran %v", want, ran)
		}
	}
}

func readTestFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestABMCPasswordComesFromWhereThePlanSays: drill run reads the BMC
// password from the variable the plan names; unset, or refused by the
// BMC, the drill is refused before anything is injected (exit 1), saying
// which setting to fix, and the password shows nowhere.
func TestABMCPasswordComesFromWhereThePlanSays(t *testing.T) {
	const wrong = "not-the-bmc-password"
	for _, tt := range []struct {
		name string
		env  configtest.Env
		want string
	}{
		{"unset", nil, "inject.bmc: password-env names VTUI_TEST_BMC_PW, which is not set"},
		{"refused", configtest.Env{"VTUI_TEST_BMC_PW": wrong}, "refused the credentials (401: incorrect user name or password); check inject.bmc.username (vtui) and the password in $VTUI_TEST_BMC_PW"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			plan := filepath.Join(dir, "plan.yaml")
			text := strings.Replace(crashPlanText, "inject: {method: sim-crash}", "inject: {method: redfish, bmc: {address: simulator, username: vtui, password-env: VTUI_TEST_BMC_PW}}", 1)
			configtest.WriteFile(t, plan, text, 0o600)
			r := runTest(t, []string{"drill", "run", plan, "--simulator=small", "--yes", "--journal", filepath.Join(dir, "j")}, tt.env)
			if r.code != exitFailed || !strings.Contains(r.stderr, tt.want) || !strings.Contains(r.stderr, "nothing was injected") {
				t.Errorf("exit %d, stderr %q; want exit 1 and %q", r.code, r.stderr, tt.want)
			}
			if strings.Contains(r.stderr+r.stdout+string(readTestFile(t, filepath.Join(dir, "j"))), wrong) {
				t.Error("the password shows in the output or the journal")
			}
		})
	}
}

// TestTheDrillViewReadsTheBMCPasswordOnlyWhereThePlanSays: the terminal
// UI's drill view cannot prompt (it owns the terminal), so its reader
// takes the password from the plan's variable or file, and refuses a
// plan that names neither, even on a terminal, saying how to fix it,
// with exit 2, and never asking.
func TestTheDrillViewReadsTheBMCPasswordOnlyWhereThePlanSays(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "bmc-password")
	configtest.WriteFile(t, file, "from-the-file\n", 0o600)
	env := map[string]string{"VTUI_TEST_BMC_PW": "from-the-env"}
	asked := false
	a := newApp(&sysEnv{
		lookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		terminal:  true,
		promptPassword: func(context.Context, string) (string, error) {
			asked = true
			return "typed", nil
		},
	})
	for _, tt := range []struct {
		name    string
		bmc     drill.BMC
		want    string
		wantErr string
	}{
		{"the variable", drill.BMC{Username: "admin", PasswordEnv: "VTUI_TEST_BMC_PW"}, "from-the-env", ""},
		{"the file", drill.BMC{Username: "admin", PasswordFile: file}, "from-the-file", ""},
		{"an unset variable", drill.BMC{Username: "admin", PasswordEnv: "VTUI_TEST_UNSET"}, "", "inject.bmc: password-env names VTUI_TEST_UNSET, which is not set"},
		{"no source", drill.BMC{Username: "admin"}, "", "the drill view cannot ask for it; name it with password-env or password-file in the plan's inject.bmc, or run the plan with vtui drill run, which asks"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := a.viewBMCPassword(context.Background(), tt.bmc)
			if tt.wantErr == "" {
				if err != nil || got != tt.want {
					t.Fatalf("got %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || exitCode(err) != exitUsage {
				t.Fatalf("got %q, %v (exit %d); want exit %d and %q", got, err, exitCode(err), exitUsage, tt.wantErr)
			}
		})
	}
	if asked {
		t.Error("the drill view's reader prompted for the password")
	}
}
