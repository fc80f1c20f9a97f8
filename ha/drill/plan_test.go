package drill

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/internal/strictyaml"
)

const goodPlan = `name: nightly
cluster: cluster-a
scenario: host-failure
targets:
  hosts: [esx-a-01]
expect:
  rto: 5m
inject:
  method: sim-crash
`

func TestParseFillsInTheDefaults(t *testing.T) {
	p, err := Parse("plan.yaml", []byte(goodPlan))
	if err != nil {
		t.Fatal(err)
	}
	if p.Rollback != RollbackAlways || p.DetectTimeout.D() != DefaultDetectTimeout || p.Timeout.D() != DefaultTimeout || p.Expect.RTO.D() != 5*time.Minute {
		t.Errorf("defaults: %+v", p)
	}
	ev, err := Parse("plan.yaml", []byte("name: e\ncluster: c\nscenario: evacuation\ntargets: {pick: random, count: 2, seed: 7}\nexpect: {rto: 20m}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Inject.Method != MethodEvacuate || ev.Timeout.D() != 40*time.Minute {
		t.Errorf("an evacuation's method is %q and its timeout %s; want evacuate and twice the RTO", ev.Inject.Method, ev.Timeout)
	}
}

// TestPlanValuesAreReadAsWritten: a host, a cluster, a context or a
// protect glob that YAML would read as a number or a boolean is the text
// the plan writes, so that a drill never fails a host other than the one
// written (010 is not host 8).
func TestPlanValuesAreReadAsWritten(t *testing.T) {
	text := "name: 2026\ncluster: 0x1F\ncontext: 010\nscenario: host-failure\ntargets:\n  hosts: [010, 0x1F, 1.50]\nprotect: [true, 1e3]\nexpect:\n  rto: 5m\ninject:\n  method: sim-crash\n"
	p, err := Parse("plan.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%q %q %q %q %q", p.Name, p.Cluster, p.Context, p.Targets.Hosts, p.Protect)
	if want := `"2026" "0x1F" "010" ["010" "0x1F" "1.50"] ["true" "1e3"]`; got != want {
		t.Errorf("Parse(%q) read name, cluster, context, hosts, protect as\n got %s\nwant %s", text, got, want)
	}
}

// TestPlanErrorsNameTheLineAndKey is one case per problem a plan can
// have: each names where it is and what would do.
func TestPlanErrorsNameTheLineAndKey(t *testing.T) {
	tests := []struct {
		name, replace, with string
		line                int
		key, msg            string
	}{
		{"unknown key", "scenario: host-failure", "scenario: host-failure\nscenarioo: x", 4, "scenarioo", "unknown key"},
		{"bad scenario", "host-failure", "host-crash", 3, "scenario", `"host-crash" is not one of host-failure, isolation, partition, evacuation`},
		{"missing cluster", "cluster: cluster-a\n", "", 1, "", `missing key "cluster"`},
		{"missing expect", "expect:\n  rto: 5m\n", "", 1, "", `missing key "expect"`},
		{"bad duration", "rto: 5m", "rto: 5 minutes", 7, "expect.rto", "is not a duration"},
		{"number for duration", "rto: 5m", "rto: 300", 7, "expect.rto", "is not a duration"},
		{"wrong type", "hosts: [esx-a-01]", "hosts: esx-a-01", 5, "targets.hosts", "list"},
		{"no targets", "  hosts: [esx-a-01]\n", "  hosts: []\n", 4, "targets", "name the hosts to fail"},
		{"both", "hosts: [esx-a-01]", "hosts: [esx-a-01]\n  pick: random\n  count: 1", 6, "targets.pick", "not both"},
		{"count", "hosts: [esx-a-01]", "pick: most-vms\n  count: 9", 6, "targets.count", "pick 1 to 3 hosts"},
		{"pick without count", "hosts: [esx-a-01]", "pick: random", 4, "targets.count", "missing: pick random needs count, how many hosts to fail (1 to 3)"},
		{"list for a duration", "rto: 5m", "rto: [1, 2]", 7, "expect.rto", "want a single value, got a list"},
		{"newline in the name", "name: nightly", `name: "night\nly"`, 1, "name", `"night\nly" holds a control character`},
		{"NUL in the name", "name: nightly", `name: "night\0ly"`, 1, "name", `"night\x00ly" holds a control character`},
		{"tab in the name", "name: nightly", `name: "night\tly"`, 1, "name", "holds a control character"},
		{"name too long", "name: nightly", "name: " + strings.Repeat("n", MaxNameLen+1), 1, "name", "201 bytes long: at most 200"},
		{"seed without random", "hosts: [esx-a-01]", "pick: most-vms\n  count: 1\n  seed: 4", 7, "targets.seed", "seed goes with pick: random"},
		{"twice", "hosts: [esx-a-01]", "hosts: [esx-a-01, esx-a-01]", 5, "targets.hosts[1]", "named twice"},
		{"glob host", "hosts: [esx-a-01]", "hosts: [esx-*]", 5, "targets.hosts[0]", "use pick"},
		{"bad protect", "expect:", "protect: ['[web']\nexpect:", 6, "protect[0]", "not a VM name pattern"},
		{"negative lost", "rto: 5m", "rto: 5m\n  lost: -1", 8, "expect.lost", "0 or more"},
		{"no method", "  method: sim-crash\n", "", 8, "inject.method", "say how to fail the host"},
		{"evacuate fails nothing", "method: sim-crash", "method: evacuate", 9, "inject.method", "scenario: evacuation"},
		{"sim-network fails nothing", "method: sim-crash", "method: sim-network", 9, "inject.method", "which HA does not count as a failure while its datastores answer: use scenario: isolation or partition"},
		{"sim-crash isolates nothing", "scenario: host-failure", "scenario: isolation", 9, "inject.method", "sim-crash fails the host, which is scenario: host-failure; scenario isolation cuts the network"},
		{"evacuate partitions nothing", "host-failure\ntargets:\n  hosts: [esx-a-01]\nexpect:\n  rto: 5m\ninject:\n  method: sim-crash", "partition\ntargets:\n  hosts: [esx-a-01]\nexpect:\n  rto: 5m\ninject:\n  method: evacuate", 9, "inject.method", "scenario partition cuts the network: use method sim-network"},
		{"no method for a partition", "host-failure\ntargets:\n  hosts: [esx-a-01]\nexpect:\n  rto: 5m\ninject:\n  method: sim-crash", "partition\ntargets:\n  hosts: [esx-a-01]\nexpect:\n  rto: 5m\ninject: {}", 8, "inject.method", "say how to cut the hosts' network: sim-network"},
		{"command that cuts nothing", "host-failure\ntargets:\n  hosts: [esx-a-01]\nexpect:\n  rto: 5m\ninject:\n  method: sim-crash", "isolation\ntargets:\n  hosts: [esx-a-01]\nexpect:\n  rto: 5m\ninject:\n  method: command", 8, "inject.command", "the command that cuts the host's management network"},
		{"command without command", "method: sim-crash", "method: command", 8, "inject.command", "needs the command"},
		{"bad template", "method: sim-crash", "method: command\n  command: 'off {{.Hots}}'", 10, "inject.command", "{{.Host}} and {{.Cluster}} only"},
		{"timeout below rto", "rto: 5m", "rto: 5m\ntimeout: 1m", 8, "timeout", "shorter than expect.rto"},
		{"bad rollback", "rto: 5m", "rto: 5m\nrollback: sometimes", 8, "rollback", `"sometimes" is not one of always, on-success, never`},
		// command decodes itself (a string or a list of strings): its problems are placed like any value's.
		{"mapping for a command", "method: sim-crash", "method: command\n  command: {a: b}", 10, "inject.command", "want a string or a list of strings, got a mapping"},
		{"block mapping for a recover", "method: sim-crash", "method: command\n  command: [off]\n  recover:\n    a: b", 12, "inject.recover", "want a string or a list of strings, got a mapping"},
		{"mapping in a command's list", "method: sim-crash", "method: command\n  command: [ls, {a: b}]", 10, "inject.command[1]", "want a single value, got a mapping"},
		{"block mapping in a command's list", "method: sim-crash", "method: command\n  command:\n    - ls\n    - a: b", 12, "inject.command[1]", "want a single value, got a mapping"},
		{"list in a command's list", "method: sim-crash", "method: command\n  command: [ls, [a]]", 10, "inject.command[1]", "want a single value, got a list"},
		{"mapping in the hosts", "hosts: [esx-a-01]", "hosts:\n    - esx-a-01\n    - a: b", 7, "targets.hosts[1]", "want a single value, got a mapping"},
		{"mapping in protect", "expect:", "protect: [web-*, {a: b}]\nexpect:", 6, "protect[1]", "want a single value, got a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(goodPlan, tt.replace) {
				t.Fatalf("the case replaces %q, which the plan does not have", tt.replace)
			}
			text := strings.Replace(goodPlan, tt.replace, tt.with, 1)
			_, err := Parse("plan.yaml", []byte(text))
			var se *strictyaml.Error
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) = %v; want a *strictyaml.Error", text, err)
			}
			if se.Key != tt.key || !strings.Contains(se.Msg, tt.msg) || (tt.line > 0 && se.Line != tt.line) {
				t.Errorf("Parse(%q):\n got %v (line %d, key %q)\nwant line %d, key %q, message containing %q", text, se, se.Line, se.Key, tt.line, tt.key, tt.msg)
			}
		})
	}
}

// TestExamplePlansAreValid keeps the README's example plans loadable.
func TestExamplePlansAreValid(t *testing.T) {
	plans, _ := filepath.Glob("../../docs/examples/*.yaml")
	if len(plans) < 3 {
		t.Fatalf("found %d example plans under docs/examples; want at least 3", len(plans))
	}
	for _, p := range plans {
		if _, err := Load(context.Background(), p); err != nil {
			t.Errorf("%v", err)
		}
	}
}

// TestValidateRefusesWhatRunRefuses: a plan's name that validates makes a
// journal file (drill run creates NAME-TIMESTAMP.journal first), and one
// that would not is refused by validation, at the name.
func TestValidateRefusesWhatRunRefuses(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{
		"nightly", "a/b c:d", "ünïcödé drill", strings.Repeat("n", MaxNameLen),
		"night\nly", "night\x00ly", "night\rly", "night\x1bly", strings.Repeat("n", 250),
	} {
		text := strings.Replace(goodPlan, "name: nightly", "name: "+strconv.Quote(name), 1)
		p, err := Parse("plan.yaml", []byte(text))
		if err != nil {
			var se *strictyaml.Error
			if !errors.As(err, &se) || se.Key != "name" {
				t.Errorf("name %q: Parse err = %v; want one at the name", name, err)
			}
			continue
		}
		j, err := CreateJournal(filepath.Join(dir, JournalName(p, time.Now())))
		if err != nil {
			t.Errorf("name %q validates, but run could not create its journal: %v", name, err)
			continue
		}
		j.Close()
	}
}
