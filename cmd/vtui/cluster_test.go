package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/vtui/vtui/cmd/internal/config/configtest"
	"github.com/vtui/vtui/internal/golden"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
	"github.com/vtui/vtui/vsphere/gate"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// clusterLab is the small preset behind a recorder of what reaches it.
// cluster-a has groups, rules and an override; cluster-b has manual DRS
// and a rule it breaks, so it holds a recommendation.
type clusterLab struct {
	t   *testing.T
	srv *sim.Server
	rec *vspheretest.Recorder
	env configtest.Env
}

func newClusterLab(t *testing.T) *clusterLab {
	t.Helper()
	srv := vspheretest.Start(t, "small")
	rec := vspheretest.Record(t, srv)
	cfg := rec.Config()
	l := &clusterLab{t: t, srv: srv, rec: rec, env: configtest.Env{
		"VTUI_URL": cfg.URL, "VTUI_USERNAME": cfg.Username, "VTUI_PASSWORD": cfg.Password, "VTUI_THUMBPRINT": cfg.Thumbprint,
	}}
	for _, args := range [][]string{
		{"cluster", "group", "add", "cluster-a", "--name", "web-vms", "--vms", "web-01,app-01"},
		{"cluster", "group", "add", "cluster-a", "--name", "a-hosts", "--hosts", "esx-a-01.lab.local,esx-a-02.lab.local"},
		{"cluster", "group", "add", "cluster-a", "--name", "spare", "--hosts", "esx-a-03.lab.local"},
		{"cluster", "rule", "add", "cluster-a", "--name", "db-apart", "--anti-affinity", "web-01", "db-01"},
		{"cluster", "rule", "add", "cluster-a", "--name", "web-on-a", "--vm-group", "web-vms", "--host-group", "a-hosts", "--should"},
		{"cluster", "override", "set", "cluster-a", "db-01", "--restart-priority", "highest", "--drs-automation", "manual"},
		// web-03 and batch-01 share esx-b-02: manual DRS recommends a fix.
		{"cluster", "drs", "set", "cluster-b", "--enabled", "--automation", "manual", "--threshold", "1"},
		{"cluster", "rule", "add", "cluster-b", "--name", "batch-apart", "--anti-affinity", "web-03", "batch-01"},
	} {
		if r := l.run(append(args, "--yes")...); r.code != exitOK {
			t.Fatalf("setting up: vtui %s: exit %d: %s", strings.Join(args, " "), r.code, r.stderr)
		}
	}
	rec.Reset()
	return l
}

// run runs vtui against the lab, with no terminal.
func (l *clusterLab) run(args ...string) result {
	l.t.Helper()
	return runTest(l.t, args, l.env)
}

// export returns cluster's configuration as `config export` writes it.
func (l *clusterLab) export(cluster string) string {
	l.t.Helper()
	r := l.run("cluster", "config", "export", cluster)
	if r.code != exitOK {
		l.t.Fatalf("export %s: exit %d: %s", cluster, r.code, r.stderr)
	}
	return r.stdout
}

// sentNoChange fails unless nothing that changes vSphere reached the
// simulator since the recorder was last reset.
func (l *clusterLab) sentNoChange(what string) {
	l.t.Helper()
	if sent := l.rec.Changes(); len(sent) > 0 {
		l.t.Errorf("%s sent %s; want no change sent", what, strings.Join(sent, ", "))
	}
}

func TestClusterShowGolden(t *testing.T) {
	l := newClusterLab(t)
	tests := []struct {
		golden string
		args   []string
	}{
		{"cluster-ha-show.txt", []string{"cluster", "ha", "show", "cluster-a"}},
		{"cluster-ha-show.json", []string{"cluster", "ha", "show", "cluster-a", "-o", "json"}},
		{"cluster-drs-show.txt", []string{"cluster", "drs", "show", "cluster-b"}},
		{"cluster-drs-show.json", []string{"cluster", "drs", "show", "cluster-b", "-o", "json"}},
		{"cluster-rule-list.txt", []string{"cluster", "rule", "list", "cluster-a"}},
		{"cluster-rule-list.json", []string{"cluster", "rule", "list", "cluster-a", "-o", "json"}},
		{"cluster-group-list.txt", []string{"cluster", "group", "list", "cluster-a"}},
		{"cluster-override-list.json", []string{"cluster", "override", "list", "cluster-a", "-o", "json"}},
		{"cluster-capacity.txt", []string{"cluster", "capacity", "cluster-a"}},
		{"cluster-capacity.json", []string{"cluster", "capacity", "cluster-a", "-o", "json"}},
		{"cluster-capacity-2.txt", []string{"cluster", "capacity", "cluster-b", "--failures", "2"}},
		{"cluster-config-export.yaml", []string{"cluster", "config", "export", "cluster-a"}},
		{"cluster-drs-recommendations.txt", []string{"cluster", "drs", "recommendations", "cluster-b"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			r := runTest(t, tt.args, l.env)
			if r.code != exitOK {
				t.Fatalf("vtui %s: exit %d, stderr %q", strings.Join(tt.args, " "), r.code, r.stderr)
			}
			golden.Assert(t, filepath.Join("testdata", tt.golden), r.stdout)
		})
	}
	l.sentNoChange("showing and listing")
}

func TestClusterExportThenApplyChangesNothing(t *testing.T) {
	l := newClusterLab(t)
	for _, cluster := range []string{"cluster-a", "cluster-b"} {
		file := filepath.Join(t.TempDir(), cluster+".yaml")
		configtest.WriteFile(t, file, l.export(cluster), 0o600)
		l.rec.Reset()
		r := l.run("cluster", "config", "apply", cluster, "-f", file, "--dry-run", "-o", "json")
		if r.code != exitOK || strings.TrimSpace(r.stdout) != "[]" {
			t.Errorf("apply %s's own export --dry-run: exit %d, stdout %q; want 0 and an empty diff, []", cluster, r.code, r.stdout)
		}
		r = l.run("cluster", "config", "apply", cluster, "-f", file, "--yes")
		if r.code != exitOK || !strings.Contains(r.stderr, cluster+" is already as asked; nothing to change") {
			t.Errorf("apply %s's own export: exit %d, stderr %q; want 0 and nothing to change", cluster, r.code, r.stderr)
		}
		l.sentNoChange("applying " + cluster + "'s own export")
	}
}

// TestClusterFileNamesAreReadAsWritten: a group's name in a file given to
// apply -f that YAML would read as a number is the name written, so that
// apply changes the group the file names (0x1F, not 31).
func TestClusterFileNamesAreReadAsWritten(t *testing.T) {
	l := newClusterLab(t)
	file := filepath.Join(t.TempDir(), "groups.yaml")
	configtest.WriteFile(t, file, "cluster: cluster-a\nvm_groups:\n  - {name: web-vms, vms: [app-01, web-01]}\n  - {name: 0x1F, vms: [db-01]}\n"+
		"host_groups:\n  - {name: a-hosts, hosts: [esx-a-01.lab.local, esx-a-02.lab.local]}\n  - {name: spare, hosts: [esx-a-03.lab.local]}\n"+
		"  - {name: 010, hosts: [esx-a-03.lab.local]}\n", 0o600)
	r := l.run("cluster", "config", "apply", "cluster-a", "-f", file, "--dry-run", "-o", "json")
	for _, want := range []string{`"vm_groups[0x1F]"`, `"host_groups[010]"`} {
		if r.code != exitOK || !strings.Contains(r.stdout, want) {
			t.Errorf("apply -f %s --dry-run: exit %d, stdout %s; want 0 and %s in what would change (stderr %s)", file, r.code, r.stdout, want, r.stderr)
		}
	}
	l.sentNoChange("apply --dry-run")
}

// TestClusterChangesUnderDryRunAndReadOnlySendNothing: every command that
// changes a cluster, under --dry-run, shows what it would do and exits 0;
// under --readonly it is refused (exit 1); either way no change reaches
// the simulator and the configuration reads back the same.
func TestClusterChangesUnderDryRunAndReadOnlySendNothing(t *testing.T) {
	l := newClusterLab(t)
	drsFile := filepath.Join(t.TempDir(), "drs.yaml")
	configtest.WriteFile(t, drsFile, "cluster: cluster-a\ndrs:\n  enabled: true\n  automation: partial\n  threshold: 2\n", 0o600)
	before := l.export("cluster-a") + l.export("cluster-b")
	commands := []struct {
		args []string
		diff string // in the --dry-run output: a path of the diff, or a result
	}{
		{[]string{"ha", "set", "cluster-a", "--admission-control", "percent:25,30", "--restart-priority", "high"}, `"ha.admission_control"`},
		{[]string{"drs", "set", "cluster-a", "--automation", "manual", "--threshold", "5"}, `"drs.threshold"`},
		{[]string{"rule", "add", "cluster-a", "--name", "together", "--affinity", "app-01", "app-02"}, `"rules[together]"`},
		{[]string{"rule", "rm", "cluster-a", "db-apart"}, `"rules[db-apart]"`},
		{[]string{"group", "add", "cluster-a", "--name", "dbs", "--vms", "db-01,db-02"}, `"vm_groups[dbs]"`},
		{[]string{"group", "rm", "cluster-a", "spare"}, `"host_groups[spare]"`},
		{[]string{"override", "set", "cluster-a", "web-01", "--isolation-response", "powerOff"}, `"overrides[web-01]"`},
		{[]string{"override", "rm", "cluster-a", "db-01"}, `"overrides[db-01]"`},
		{[]string{"config", "apply", "cluster-a", "-f", drsFile}, `"drs.automation"`},
		{[]string{"drs", "recommendations", "cluster-b", "--apply-all"}, `"status": "dry-run"`},
	}
	for _, c := range commands {
		for _, policy := range []string{"--dry-run", "--readonly"} {
			args := append([]string{"cluster"}, c.args...)
			input := fmt.Sprintf("vtui %s %s", strings.Join(args, " "), policy)
			l.rec.Reset()
			r := l.run(append(args, policy, "-o", "json")...)
			switch policy {
			case "--dry-run":
				if r.code != exitOK || !strings.Contains(r.stdout, c.diff) {
					t.Errorf("%s: exit %d, stdout %s; want 0 and %s in what would change (stderr %s)", input, r.code, r.stdout, c.diff, r.stderr)
				}
			case "--readonly":
				if r.code != exitFailed || !strings.Contains(r.stderr, "read-only mode") {
					t.Errorf("%s: exit %d, stderr %q; want 1 and read-only mode", input, r.code, r.stderr)
				}
			}
			l.sentNoChange(input)
		}
	}
	if after := l.export("cluster-a") + l.export("cluster-b"); after != before {
		t.Errorf("the configuration changed under --dry-run and --readonly:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestClusterSetShowsItsDiffFirst: a change shows its difference, one
// field a line, before it asks; a no sends nothing, a yes applies it.
func TestClusterSetShowsItsDiffFirst(t *testing.T) {
	l := newClusterLab(t)
	for _, tt := range []struct {
		answer, want string
		code         int
	}{{"n\n", "medium", exitFailed}, {"y\n", "high", exitOK}} {
		l.rec.Reset()
		sys := testSys(t, l.env)
		sys.terminal, sys.stdin = true, strings.NewReader(tt.answer)
		r := runSys(t, []string{"cluster", "ha", "set", "cluster-a", "--restart-priority", "high", "--isolation-response", "none"}, sys)
		if r.code != tt.code {
			t.Errorf("answer %q: exit %d; want %d (stderr %s)", tt.answer, r.code, tt.code, r.stderr)
		}
		diff := strings.Index(r.stderr, "Changes to cluster-a:\n  ha.restart_priority: medium -> high\n")
		ask := strings.Index(r.stderr, "[y/N]")
		if diff < 0 || ask < diff || strings.Contains(r.stderr, "isolation_response") {
			t.Errorf("answer %q: stderr %q; want the one changed field, then the question", tt.answer, r.stderr)
		}
		if tt.answer == "n\n" {
			l.sentNoChange("a declined change")
		}
		var ha clusterspec.HA
		if err := json.Unmarshal([]byte(l.run("cluster", "ha", "show", "cluster-a", "-o", "json").stdout), &ha); err != nil {
			t.Fatal(err)
		}
		if string(ha.RestartPriority) != tt.want {
			t.Errorf("answer %q: restart priority reads back %s; want %s", tt.answer, ha.RestartPriority, tt.want)
		}
	}
}

// otherAdmin answers the confirmation, but first changes cluster-a's DRS
// threshold as another admin would while vtui waits for the answer.
type otherAdmin struct {
	t      *testing.T
	srv    *sim.Server
	answer io.Reader
	once   sync.Once
}

func (o *otherAdmin) Read(p []byte) (int, error) {
	o.once.Do(func() {
		ctx := context.Background()
		c := vspheretest.Connect(o.t, o.srv)
		inv, err := c.Inventory(ctx)
		if err != nil {
			o.t.Fatal(err)
		}
		cl := inv.FilterClusters(vsphere.Filter{Name: "cluster-a"})[0]
		cur, err := c.ClusterConfig(ctx, inv, cl.Ref)
		if err != nil {
			o.t.Fatal(err)
		}
		want := cur.Spec
		want.DRS.Threshold = 2
		if r := gate.NewGate(c).Do(ctx, gate.ReconfigureCluster(cur, want, false), nil); r.Status != gate.StatusOK {
			o.t.Errorf("the other admin's change: %s %s", r.Status, r.Message)
		}
	})
	return o.answer.Read(p)
}

// TestClusterStaleConfigurationIsRefusedWithoutForce: a configuration
// changed by someone else since vtui read it is not overwritten: the
// change is refused, saying to read it again or use --force, and nothing
// is sent; with --force it is applied, keeping the other admin's change.
func TestClusterStaleConfigurationIsRefusedWithoutForce(t *testing.T) {
	for _, tt := range []struct {
		force    bool
		code     int
		priority string
		output   string // in stdout or stderr
	}{
		{false, exitFailed, "medium", "the configuration of cluster-a changed since it was read (1 difference: drs.threshold: 3 -> 2); read it again and re-apply, or use --force"},
		{true, exitOK, "high", "applying anyway (--force)"},
	} {
		t.Run(fmt.Sprintf("force=%v", tt.force), func(t *testing.T) {
			l := newClusterLab(t)
			sys := testSys(t, l.env)
			sys.terminal, sys.stdin = true, &otherAdmin{t: t, srv: l.srv, answer: strings.NewReader("y\n")}
			args := []string{"cluster", "ha", "set", "cluster-a", "--restart-priority", "high"}
			if tt.force {
				args = append(args, "--force")
			}
			r := runSys(t, args, sys)
			if out := r.stdout + r.stderr; r.code != tt.code || !strings.Contains(out, tt.output) {
				t.Errorf("vtui %s: exit %d, output %q; want %d and %q", strings.Join(args, " "), r.code, out, tt.code, tt.output)
			}
			if !tt.force {
				l.sentNoChange("a change refused as stale")
			}
			export := l.export("cluster-a")
			for _, want := range []string{"restart_priority: " + tt.priority, "threshold: 2"} {
				if !strings.Contains(export, want) {
					t.Errorf("after: the configuration lacks %q:\n%s", want, export)
				}
			}
		})
	}
}
