package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/vtui/vtui/cmd/internal/config/configtest"
	"github.com/vtui/vtui/ha/drill"
	"github.com/vtui/vtui/vsphere"
)

// secret is the password every contract run can see; it must never show.
const secret = "s3cret-Pw"

// TestExitCodeContract runs bad input through every command and checks
// the documented contract: exit 2 for bad usage or input, one line on
// stderr saying what was wrong (after any notes), and no secret anywhere.
// Every command must have rows (TestEveryCommandIsInTheContract).
func TestExitCodeContract(t *testing.T) {
	for _, tt := range contractRows(t) {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			env := configtest.Env{"VTUI_PASSWORD": secret}
			for k, v := range tt.env {
				env[k] = v
			}
			logFile := filepath.Join(t.TempDir(), "vtui.log")
			env["VTUI_LOG_FILE"] = logFile
			r := runTest(t, tt.args, env)
			if r.code != tt.code {
				t.Errorf("exit %d; want %d (stderr %q)", r.code, tt.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr %q; want it to contain %q", r.stderr, tt.stderr)
			}
			if tt.code != exitOK && !isOneError(r.stderr) {
				t.Errorf("stderr %q; want one line starting with \"vtui: \", after any notes", r.stderr)
			}
			if v := doubledVerb(r.stderr); v != "" {
				t.Errorf("stderr %q says %q twice in a row", r.stderr, v)
			}
			log, _ := os.ReadFile(logFile)
			for where, text := range map[string]string{"stdout": r.stdout, "stderr": r.stderr, "the log": string(log)} {
				if strings.Contains(text, secret) {
					t.Errorf("%s shows the password: %q", where, text)
				}
			}
		})
	}
}

// isOneError reports whether stderr ends in one error line, "vtui: ...":
// before it may come "vtui: note: ..." lines (a VTUI_PASSWORD that
// --simulator ignores, say) and a drill's timeline, but no other error.
func isOneError(stderr string) bool {
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	last := len(lines) - 1
	for _, l := range lines[:last] {
		if strings.HasPrefix(l, "vtui: ") && !strings.HasPrefix(l, "vtui: note: ") {
			return false
		}
	}
	return strings.HasSuffix(stderr, "\n") && strings.HasPrefix(lines[last], "vtui: ") && !strings.HasPrefix(lines[last], "vtui: note: ")
}

// doubledVerb returns the verb that an error's wrapper and the error it
// wraps both begin with, as in "open log file: open /x: is a directory",
// or "". A part that quotes a value describes that value rather than
// naming an operation ("invalid vCenter URL "vc:x": invalid port ...").
func doubledVerb(msg string) string {
	for _, line := range strings.Split(msg, "\n") {
		if !strings.HasPrefix(line, "vtui: ") {
			continue // a drill's timeline
		}
		parts := strings.Split(strings.TrimPrefix(line, "vtui: "), ": ")
		for i := 1; i < len(parts); i++ {
			wrapper, wrapped := strings.Fields(parts[i-1]), strings.Fields(parts[i])
			if len(wrapper) > 0 && len(wrapped) > 0 && wrapper[0] == wrapped[0] && !strings.ContainsAny(parts[i-1], `"'`) {
				return wrapper[0]
			}
		}
	}
	return ""
}

func TestDoubledVerb(t *testing.T) {
	for _, tt := range []struct{ msg, want string }{
		{"vtui: open log file: open /x: is a directory\n", "open"},
		{"vtui: start simulator: start simulator on 127.0.0.1:1: busy\n", "start"},
		{"vtui: note: x\nvtui: read config: read /d: is a directory\n", "read"},
		{"vtui: log file: open /x: is a directory\n", ""},
		{`vtui: invalid vCenter URL "vc:x": invalid port ":x" after host` + "\n", ""},
		{"vtui: --simulator=demo: start simulator on 127.0.0.1:1: busy\n", ""},
	} {
		if got := doubledVerb(tt.msg); got != tt.want {
			t.Errorf("doubledVerb(%q) = %q; want %q", tt.msg, got, tt.want)
		}
	}
}

// contractRow is one bad input: the command it exercises (its path, as
// cobra names it), the arguments and environment, and what must come of
// it.
type contractRow struct {
	cmd    string
	args   []string
	env    configtest.Env
	code   int
	stderr string
}

func contractRows(t *testing.T) []contractRow {
	dir := t.TempDir()
	leaky := filepath.Join(dir, "leaky.yaml")
	configtest.WriteFile(t, leaky, "current-context: lab\ncontexts:\n  lab:\n    url: https://admin:"+secret+"@vc:x\n", 0o600)
	badSpec := filepath.Join(dir, "bad-spec.yaml")
	configtest.WriteFile(t, badSpec, "cluster: cluster-a\ndrs:\n  enabled: true\n  automation: full\n  treshold: 3\n", 0o600)
	otherSpec := filepath.Join(dir, "other-spec.yaml")
	configtest.WriteFile(t, otherSpec, "cluster: cluster-b\n", 0o600)
	okPlan := filepath.Join(dir, "ok-plan.yaml")
	configtest.WriteFile(t, okPlan, "name: t\ncluster: cluster-a\nscenario: host-failure\ntargets: {hosts: [esx-a-01.lab.local]}\nexpect: {rto: 1m}\ninject: {method: sim-crash}\n", 0o600)
	noHAPlan := filepath.Join(dir, "no-ha-plan.yaml")
	configtest.WriteFile(t, noHAPlan, "name: t\ncluster: cluster-b\nscenario: host-failure\ntargets: {pick: most-vms, count: 1}\nexpect: {rto: 1m}\ninject: {method: sim-crash}\n", 0o600)
	tightPlan := filepath.Join(dir, "tight-plan.yaml")
	configtest.WriteFile(t, tightPlan, "name: t\ncluster: cluster-a\nscenario: host-failure\ntargets: {hosts: [esx-a-01.lab.local]}\nexpect: {rto: 1ms}\ninject: {method: sim-crash}\n", 0o600)
	labPlan := filepath.Join(dir, "lab-plan.yaml")
	configtest.WriteFile(t, labPlan, "name: t\ncontext: lab\ncluster: cluster-a\nscenario: host-failure\ntargets: {hosts: [esx-a-01.lab.local]}\nexpect: {rto: 1m}\ninject: {method: sim-crash}\n", 0o600)
	labJournal := filepath.Join(dir, "lab.journal")
	writeJournalStart(t, labJournal, labPlan)
	simEnv := configtest.Env{"VTUI_URL": "https://127.0.0.1:1/sdk", "VTUI_USERNAME": "u"}
	plan := func(name, text string) string {
		p := filepath.Join(dir, name)
		configtest.WriteFile(t, p, text, 0o600)
		return p
	}
	listRTOPlan := plan("list-rto.yaml", "name: t\ncluster: cluster-a\nscenario: host-failure\ntargets: {hosts: [esx-a-01.lab.local]}\nexpect: {rto: [1, 2]}\ninject: {method: sim-crash}\n")
	newlinePlan := plan("newline.yaml", "name: \"a\\nb\"\ncluster: cluster-a\nscenario: host-failure\ntargets: {hosts: [esx-a-01.lab.local]}\nexpect: {rto: 1m}\ninject: {method: sim-crash}\n")
	mappingCommandPlan := plan("mapping-command.yaml", "name: t\ncluster: cluster-a\nscenario: host-failure\ntargets: {hosts: [esx-a-01.lab.local]}\nexpect: {rto: 1m}\ninject: {method: command, command: [ls, {a: b}]}\n")
	noCountPlan := plan("no-count.yaml", "name: t\ncluster: cluster-a\nscenario: host-failure\ntargets: {pick: most-vms}\nexpect: {rto: 1m}\ninject: {method: sim-crash}\n")
	badPlan := filepath.Join(dir, "bad-plan.yaml")
	configtest.WriteFile(t, badPlan, "name: t\ncluster: cluster-a\nscenario: host-crash\n", 0o600)
	bigPlan := filepath.Join(dir, "big-plan.yaml") // a valid plan, padded past 1 MiB
	configtest.WriteFile(t, bigPlan, "name: t\ncluster: cluster-a\nscenario: host-failure\ntargets: {hosts: [esx-a-01.lab.local]}\nexpect: {rto: 1m}\ninject: {method: sim-crash}\n"+
		strings.Repeat("# padding\n", 1<<17), 0o600)
	bigPassword := filepath.Join(dir, "big.password")
	configtest.WriteFile(t, bigPassword, strings.Repeat("p", 1<<20+1), 0o600)
	bigPasswordConfig := filepath.Join(dir, "big-password.yaml")
	configtest.WriteFile(t, bigPasswordConfig, "current-context: lab\ncontexts:\n  lab:\n    url: vc\n    username: u\n    password-file: "+bigPassword+"\n", 0o600)
	journal := func(name string) string { return "--journal=" + filepath.Join(dir, name) }
	otherJournal, oldJournal := filepath.Join(dir, "other.journal"), filepath.Join(dir, "old.journal")
	writeJournal(t, otherJournal, &vsphere.Identity{InstanceUUID: "5c1f0e2a-lab", URL: "https://vc-lab.example/sdk"})
	writeJournal(t, oldJournal, nil)
	sim := "--simulator=small"
	return []contractRow{
		{"vtui", []string{"--bogus"}, nil, exitUsage, "unknown flag: --bogus"},
		{"vtui", []string{sim, "--url", "vc01"}, nil, exitUsage, "--url and --simulator cannot be combined"},
		{"vtui", []string{"--url", "vc01", "--username", "u"}, nil, exitUsage, "the terminal UI needs a terminal"},
		{"vtui", []string{"--config", dir}, nil, exitUsage, "vtui: config file: read " + dir + ": is a directory"},
		{"vtui", []string{sim, "--log-file", dir}, nil, exitUsage, "vtui: log file: open " + dir + ": is a directory"},
		// Every file a user hands vtui is read up to a limit (readlimit).
		{"vtui", []string{"--config", "/dev/zero"}, nil, exitUsage, "vtui: config file: /dev/zero is larger than the limit of 1 MiB"},
		{"vtui version", []string{"version", "--bogus"}, nil, exitUsage, "unknown flag: --bogus"},
		{"vtui version", []string{"version", "-o", "xml"}, nil, exitUsage, `invalid value "xml" for -o/--output`},
		{"vtui describe", []string{"describe", "vm", sim}, nil, exitUsage, "accepts 2 arg(s)"},
		{"vtui describe", []string{"describe", "tasks", "task-1", sim}, nil, exitUsage, `describe takes one of clusters, hosts, vms, datastores, networks, not "tasks"`},
		{"vtui describe", []string{"describe", "vm", "nope", sim}, nil, exitUsage, `no vm named "nope"`},
		{"vtui get", []string{"get", "--bogus"}, nil, exitUsage, "unknown flag: --bogus"},
		{"vtui get", []string{"get", "bogus", sim}, nil, exitUsage, `"bogus"`},
		{"vtui get", []string{"get", "vms", "web-[", sim}, nil, exitUsage, `invalid name pattern "web-["`},
		{"vtui get", []string{"get", "events", "--type", "Bogus", sim}, nil, exitUsage, `no event type named "Bogus"`},
		{"vtui get", []string{"get", "events", "--type", "VmMigrated", sim}, nil, exitUsage, `no event type named "VmMigrated" (did you mean VmMigratedEvent?)`},
		{"vtui get", []string{"get", "hosts", "--cluster", "nope", sim}, nil, exitUsage, `no cluster named "nope"`},
		{"vtui get", []string{"get", "alarms", "--host", "esx", sim}, nil, exitUsage, "--cluster and --host do not apply to alarms"},
		{"vtui get", []string{"get", "alarms", "--type", "VmMigratedEvent", sim}, nil, exitUsage, "--type applies to events only"},
		{"vtui get", []string{"get", "alarms", sim, "-o", "json"}, nil, exitOK, ""},
		{"vtui get", []string{"get", "hosts", sim, "--username", "u"}, nil, exitUsage, "--username and --simulator cannot be combined"},
		{"vtui get", []string{"get", "vms", "--all-contexts", sim}, nil, exitUsage, "--simulator picks one vCenter; --all-contexts asks every context"},
		{"vtui get", []string{"get", "vms", "--timeout", "1s", sim}, nil, exitUsage, "--timeout applies with --all-contexts only"},
		// Connection settings are checked before anything is sent.
		{"vtui get", []string{"get", "vms", "--url", "https://admin:" + secret + "@vc:x"}, nil, exitUsage, "--url holds a password"},
		{"vtui get", []string{"get", "vms"}, configtest.Env{"GOVC_URL": "https://admin:" + secret + "@vc:x", "GOVC_USERNAME": "u"}, exitUsage,
			`invalid vCenter URL "https://***@vc:x"`},
		{"vtui get", []string{"get", "vms", "--config", leaky}, nil, exitUsage, "contexts.lab.url: holds a password"},
		{"vtui get", []string{"get", "vms", "--url", "vc:x", "--username", "u"}, nil, exitUsage, `invalid vCenter URL "vc:x"`},
		// http would send the password in clear text: refused, never sent.
		{"vtui get", []string{"get", "hosts", "--url", "http://127.0.0.1:1/sdk", "--username", "u"}, nil, exitUsage,
			`--url: invalid vCenter URL "http://127.0.0.1:1/sdk": http would send the password in clear text; use https://127.0.0.1:1/sdk`},
		{"vtui get", []string{"get", "hosts", "--url", "http://vc/sdk", "--username", "u", "--thumbprint", strings.Repeat("ab", 32)}, nil, exitUsage,
			"--url is an http URL and --thumbprint is a TLS setting: they contradict each other"},
		{"vtui get", []string{"get", "hosts"}, configtest.Env{"GOVC_URL": "htt ps://vc/sdk"}, exitUsage, `GOVC_URL: invalid vCenter URL "htt ps://vc/sdk"`},
		{"vtui get", []string{"get", "vms"}, configtest.Env{"VTUI_URL": "vc:99999", "VTUI_USERNAME": "u"}, exitUsage, `invalid vCenter URL "vc:99999": port "99999"`},
		{"vtui get", []string{"get", "vms", "--url", "vc", "--username", "u", "--thumbprint", "zz"}, nil, exitUsage, `invalid thumbprint "zz"`},
		{"vtui get", []string{"get", "vms", "--url", "vc", "--username", "u", "--ca-file", filepath.Join(dir, "none.pem")}, nil, exitUsage,
			"read the CA file"},
		{"vtui get", []string{"get", "vms", "--url", "vc", "--username", "u", "--ca-file", "/dev/zero"}, nil, exitUsage,
			"read the CA file: /dev/zero is larger than the limit of 1 MiB"},
		{"vtui get", []string{"get", "vms", "--config", bigPasswordConfig}, configtest.Env{"VTUI_PASSWORD": ""}, exitUsage,
			`context "lab": password-file: ` + bigPassword + " is larger than the limit of 1 MiB"},
		{"vtui get", []string{"get", "vms", "--url", "vc", "--username", "u", "--insecure", "--thumbprint", "AB:CD"}, nil, exitUsage,
			"contradict each other"},
		{"vtui sim", []string{"sim", "--bogus"}, nil, exitUsage, "unknown flag: --bogus"},
		{"vtui sim", []string{"sim", "--listen", "127.0.0.1:abc"}, nil, exitUsage, `port "abc" is not a number`},
		{"vtui sim", []string{"sim", "--listen", "0.0.0.0:8989"}, nil, exitUsage, "loopback only"},
		{"vtui sim", []string{"sim", "--clusters", "1", "--hosts", "3", "--vms", "100000000"}, nil, exitUsage, "at most 100000"},
		{"vtui sim", []string{"sim", "--preset", "huge"}, nil, exitUsage, `unknown simulator preset "huge"`},
		{"vtui sim", []string{"sim", "--session-timeout", "0s"}, nil, exitUsage, "invalid --session-timeout 0s: want a positive duration"},
		{"vtui vm", []string{"vm", "bogus"}, nil, exitUsage, `unknown command "bogus" for "vtui vm"`},
		{"vtui host", []string{"host", "bogus"}, nil, exitUsage, `unknown command "bogus" for "vtui host"`},
		{"vtui vm migrate", []string{"vm", "migrate", "--bogus"}, nil, exitUsage, "unknown flag: --bogus"},
		{"vtui vm migrate", []string{"vm", "migrate", "web-01", sim}, nil, exitUsage, "say where to"},
		{"vtui vm migrate", []string{"vm", "migrate", "web-[", "--host", "auto", sim}, nil, exitUsage, `invalid name pattern "web-["`},
		{"vtui vm migrate", []string{"vm", "migrate", "web-01", "--host", "nope", sim}, nil, exitUsage, `no host named "nope"`},
		{"vtui vm migrate", []string{"vm", "migrate", "web-01", "--host", "auto", "--concurrency", "0", sim}, nil, exitUsage, "--concurrency"},
		{"vtui vm power", []string{"vm", "power", "--bogus", "off", "x"}, nil, exitUsage, "unknown flag: --bogus"},
		{"vtui vm power", []string{"vm", "power", "frob", "web-01", sim}, nil, exitUsage, `unknown power operation "frob"`},
		{"vtui vm power", []string{"vm", "power", "off", "web-[", sim, "--yes"}, nil, exitUsage, `invalid name pattern "web-["`},
		{"vtui vm power", []string{"vm", "power", "off", "nope", sim, "--yes"}, nil, exitUsage, `no VM named "nope"`},
		{"vtui vm power", []string{"vm", "power", "off", "web-01", sim}, nil, exitUsage, "add --yes"},
		{"vtui metrics", []string{"metrics", "--bogus", "vm", "x"}, nil, exitUsage, "unknown flag: --bogus"},
		{"vtui metrics", []string{"metrics", "cluster", "cluster-a", sim}, nil, exitUsage, `unknown kind "cluster" (valid: host, vm)`},
		{"vtui metrics", []string{"metrics", "vm", "web-01", "--counter", "cpu.nope", sim}, nil, exitUsage,
			`counter "cpu.nope": bad metrics query: valid counters are cpu.usage, cpu.ready, mem.active, mem.balloon, disk.latency, net.usage`},
		{"vtui metrics", []string{"metrics", "vm", "web-01", "--interval", "month", sim}, nil, exitUsage,
			`interval "month": bad metrics query: valid intervals are realtime, day, week`},
		{"vtui metrics", []string{"metrics", "vm", "web-01", "--samples", "0", sim}, nil, exitUsage, "--samples 0: want 1 to 336"},
		{"vtui metrics", []string{"metrics", "vm", "web-01", "--samples", "500", sim}, nil, exitUsage, "samples 500: bad metrics query: between 1 and 336"},
		{"vtui metrics", []string{"metrics", "vm", "nope", sim}, nil, exitUsage, `no VM named "nope"`},
		{"vtui metrics", []string{"metrics", "host", "esx-[", sim}, nil, exitUsage, `invalid name pattern "esx-["`},
		{"vtui metrics", []string{"metrics", "vm", "web-01", "-o", "csv", sim}, nil, exitUsage, `invalid value "csv" for -o/--output`},
		{"vtui vm snapshot", []string{"vm", "snapshot", "bogus"}, nil, exitUsage, `unknown command "bogus" for "vtui vm snapshot"`},
		{"vtui vm snapshot list", []string{"vm", "snapshot", "list", sim}, nil, exitUsage, "requires at least 1 arg"},
		{"vtui vm snapshot list", []string{"vm", "snapshot", "list", "nope", sim}, nil, exitUsage, `no VM named "nope"`},
		{"vtui vm snapshot create", []string{"vm", "snapshot", "create", "web-01", sim}, nil, exitUsage, "requires at least 2 arg"},
		{"vtui vm snapshot create", []string{"vm", "snapshot", "create", "web-01", "s", sim}, nil, exitUsage, "add --yes"},
		{"vtui vm snapshot create", []string{"vm", "snapshot", "create", "web-01", "s", "--concurrency", "0", sim}, nil, exitUsage, "--concurrency must be at least 1"},
		{"vtui vm snapshot create", []string{"vm", "snapshot", "create", "web-01", "s", sim, "--readonly", "--yes"}, nil, exitFailed, "read-only mode"},
		{"vtui vm snapshot create", []string{"vm", "snapshot", "create", "web-01", "s", sim, "--dry-run"}, nil, exitOK, ""},
		{"vtui vm snapshot revert", []string{"vm", "snapshot", "revert", "web-01", "s", sim, "--yes"}, nil, exitUsage, "web-01 has no snapshots"},
		{"vtui vm snapshot revert", []string{"vm", "snapshot", "revert", "web-[", "s", sim, "--yes"}, nil, exitUsage, `invalid name pattern "web-["`},
		{"vtui vm snapshot rm", []string{"vm", "snapshot", "rm", "web-01", "s", sim, "--yes"}, nil, exitUsage, "web-01 has no snapshots"},
		{"vtui vm snapshot rm", []string{"vm", "snapshot", "rm", "web-01", "s", "--bogus", sim}, nil, exitUsage, "unknown flag: --bogus"},
		{"vtui host maintenance", []string{"host", "maintenance", "--bogus", "enter", "x"}, nil, exitUsage, "unknown flag: --bogus"},
		{"vtui host maintenance", []string{"host", "maintenance", "frob", "x", sim}, nil, exitUsage, `unknown maintenance action "frob"`},
		{"vtui host maintenance", []string{"host", "maintenance", "enter", "esx-[", sim}, nil, exitUsage, `invalid name pattern "esx-["`},
		{"vtui host maintenance", []string{"host", "maintenance", "exit", "x", "--evacuate", sim}, nil, exitUsage, "--evacuate applies to enter"},
		{"vtui host disconnect", []string{"host", "disconnect", "--bogus", "x"}, nil, exitUsage, "unknown flag: --bogus"},
		{"vtui host disconnect", []string{"host", "disconnect", "nope", sim, "--yes"}, nil, exitUsage, `no host named "nope"`},
		{"vtui host reconnect", []string{"host", "reconnect"}, nil, exitUsage, "accepts 1 arg"},
		{"vtui host reconnect", []string{"host", "reconnect", "--bogus", "x"}, nil, exitUsage, "unknown flag: --bogus"},
		{"vtui alarm", []string{"alarm", "bogus"}, nil, exitUsage, `unknown command "bogus" for "vtui alarm"`},
		{"vtui alarm ack", []string{"alarm", "ack"}, nil, exitUsage, "requires at least 1 arg"},
		{"vtui alarm ack", []string{"alarm", "ack", "--bogus", "x"}, nil, exitUsage, "unknown flag: --bogus"},
		{"vtui alarm ack", []string{"alarm", "ack", "esx-[", sim}, nil, exitUsage, `invalid name pattern "esx-["`},
		{"vtui alarm ack", []string{"alarm", "ack", "esx-a-01.lab.local", sim, "--yes"}, nil, exitUsage, "no triggered alarm on esx-a-01.lab.local (0 triggered in all"},
		{"vtui alarm ack", []string{"alarm", "ack", "x", "--alarm", "Host*", sim, "--dry-run"}, nil, exitUsage, `no triggered alarm "Host*" on x`},
		{"vtui alarm reset", []string{"alarm", "reset", "x", "--alarm", "[", sim}, nil, exitUsage, `invalid name pattern "["`},
		{"vtui alarm reset", []string{"alarm", "reset", "nope", sim, "--readonly"}, nil, exitUsage, "no triggered alarm on nope"},
		{"vtui cluster", []string{"cluster", "bogus"}, nil, exitUsage, `unknown command "bogus" for "vtui cluster"`},
		{"vtui cluster ha", []string{"cluster", "ha", "bogus"}, nil, exitUsage, `unknown command "bogus" for "vtui cluster ha"`},
		{"vtui cluster ha show", []string{"cluster", "ha", "show", "nope", sim}, nil, exitUsage, `no cluster named "nope"`},
		{"vtui cluster ha set", []string{"cluster", "ha", "set", "cluster-a", sim}, nil, exitUsage, "nothing to set"},
		{"vtui cluster ha set", []string{"cluster", "ha", "set", "cluster-a", "--admission-control", "failures:3", sim, "--yes"}, nil, exitUsage,
			"ha.admission_control: failures:3: cluster-a has 3 hosts, so it can tolerate at most 2 host failures"},
		{"vtui cluster ha set", []string{"cluster", "ha", "set", "cluster-a", "--restart-priority", "urgent", sim}, nil, exitUsage,
			`--restart-priority: invalid restart priority "urgent"`},
		{"vtui cluster drs", []string{"cluster", "drs", "bogus"}, nil, exitUsage, `unknown command "bogus" for "vtui cluster drs"`},
		{"vtui cluster drs show", []string{"cluster", "drs", "show", "cluster-*", sim}, nil, exitUsage, "not a pattern"},
		{"vtui cluster drs set", []string{"cluster", "drs", "set", "cluster-a", "--threshold", "6", sim}, nil, exitUsage, "--threshold: the migration threshold runs from 1 (conservative) to 5 (aggressive), not 6"},
		{"vtui cluster drs recommendations", []string{"cluster", "drs", "recommendations", "cluster-a", "--apply", "99", sim}, nil, exitUsage,
			`has no DRS recommendation "99"`},
		{"vtui cluster rule", []string{"cluster", "rule", "bogus"}, nil, exitUsage, `unknown command "bogus" for "vtui cluster rule"`},
		{"vtui cluster rule list", []string{"cluster", "rule", "list"}, nil, exitUsage, "accepts 1 arg"},
		{"vtui cluster rule add", []string{"cluster", "rule", "add", "cluster-a", "--name", "x", "--anti-affinity", "web-01", sim}, nil, exitUsage, "at least 2 VMs"},
		{"vtui cluster rule add", []string{"cluster", "rule", "add", "cluster-a", "--name", "x", "--anti-affinity", "web-01", "nope", sim}, nil, exitUsage,
			`no VM named "nope"`},
		{"vtui cluster rule rm", []string{"cluster", "rule", "rm", "cluster-a", "nope", sim}, nil, exitUsage, `has no rule named "nope"`},
		{"vtui cluster group", []string{"cluster", "group", "bogus"}, nil, exitUsage, `unknown command "bogus" for "vtui cluster group"`},
		{"vtui cluster group list", []string{"cluster", "group", "list", "--bogus"}, nil, exitUsage, "unknown flag: --bogus"},
		{"vtui cluster group add", []string{"cluster", "group", "add", "cluster-a", "--name", "g", sim}, nil, exitUsage, "give the members"},
		{"vtui cluster group rm", []string{"cluster", "group", "rm", "cluster-a", "nope", sim}, nil, exitUsage, `has no group named "nope"`},
		{"vtui cluster override", []string{"cluster", "override", "bogus"}, nil, exitUsage, `unknown command "bogus" for "vtui cluster override"`},
		{"vtui cluster override list", []string{"cluster", "override", "list", "cluster-a", "nope", sim}, nil, exitUsage, `no VM named "nope"`},
		{"vtui cluster override set", []string{"cluster", "override", "set", "cluster-a", "db-01", "--drs-automation", "eager", sim}, nil, exitUsage,
			`invalid DRS automation override "eager"`},
		{"vtui cluster override rm", []string{"cluster", "override", "rm", "cluster-a"}, nil, exitUsage, "requires at least 2 arg"},
		{"vtui cluster config", []string{"cluster", "config", "bogus"}, nil, exitUsage, `unknown command "bogus" for "vtui cluster config"`},
		{"vtui cluster config export", []string{"cluster", "config", "export", "nope", sim}, nil, exitUsage, `no cluster named "nope"`},
		{"vtui cluster config apply", []string{"cluster", "config", "apply", "cluster-a", sim}, nil, exitUsage, "-f FILE is required"},
		{"vtui cluster config apply", []string{"cluster", "config", "apply", "cluster-a", "-f", badSpec, sim}, nil, exitUsage,
			badSpec + ":5:3: drs.treshold: unknown key (valid: enabled, automation, threshold)"},
		{"vtui cluster config apply", []string{"cluster", "config", "apply", "cluster-a", "-f", "/dev/zero", "--dry-run", sim}, nil, exitUsage,
			"cluster config file: /dev/zero is larger than the limit of 1 MiB"},
		{"vtui cluster config apply", []string{"cluster", "config", "apply", "cluster-a", "-f", otherSpec, sim}, nil, exitUsage,
			`this file is for cluster "cluster-b", not "cluster-a"`},
		{"vtui cluster capacity", []string{"cluster", "capacity", "cluster-a", "--failures", "4", sim}, nil, exitUsage, "--failures 4: want 1 to 3"},
		{"vtui drill", []string{"drill", "bogus"}, nil, exitUsage, `unknown command "bogus" for "vtui drill"`},
		{"vtui drill history", []string{"drill", "history", filepath.Join(dir, "absent")}, nil, exitUsage, "the drill reports' directory: stat " + filepath.Join(dir, "absent")},
		{"vtui drill history", []string{"drill", "history", okPlan}, nil, exitUsage, okPlan + " is not a directory"},
		{"vtui drill history", []string{"drill", "history", dir, "extra"}, nil, exitUsage, "accepts at most 1 arg(s), received 2"},
		{"vtui drill history", []string{"drill", "history", dir}, nil, exitOK, ""},
		{"vtui drill validate", []string{"drill", "validate", badPlan}, nil, exitUsage, badPlan + `:3:11: scenario: "host-crash" is not one of host-failure, isolation, partition, evacuation`},
		{"vtui drill validate", []string{"drill", "validate", filepath.Join(dir, "absent.yaml")}, nil, exitUsage, "read the drill plan"},
		{"vtui drill validate", []string{"drill", "validate", okPlan}, nil, exitOK, ""},
		{"vtui drill validate", []string{"drill", "validate", okPlan}, configtest.Env{"GOVC_URL": "http://vc/sdk"}, exitOK, ""}, // it does not connect
		{"vtui drill validate", []string{"drill", "validate", listRTOPlan}, nil, exitUsage, listRTOPlan + ":5:15: expect.rto: want a single value, got a list"},
		{"vtui drill validate", []string{"drill", "validate", newlinePlan}, nil, exitUsage, newlinePlan + `:1:7: name: "a\nb" holds a control character`},
		{"vtui drill validate", []string{"drill", "validate", mappingCommandPlan}, nil, exitUsage, mappingCommandPlan + ":6:41: inject.command[1]: want a single value, got a mapping"},
		{"vtui drill run", []string{"drill", "run", newlinePlan, sim, "--yes", journal("newline")}, nil, exitUsage, newlinePlan + `:1:7: name: "a\nb" holds a control character`},
		{"vtui drill validate", []string{"drill", "validate", noCountPlan}, nil, exitUsage,
			noCountPlan + ":4:1: targets.count: missing: pick most-vms needs count, how many hosts to fail (1 to 3)"},
		{"vtui drill validate", []string{"drill", "validate", bigPlan}, nil, exitUsage, "read the drill plan: " + bigPlan + " is larger than the limit of 1 MiB"},
		{"vtui drill validate", []string{"drill", "validate", "/dev/zero"}, nil, exitUsage, "read the drill plan: /dev/zero is larger than the limit of 1 MiB"},
		{"vtui drill run", []string{"drill", "run", "/dev/zero", sim}, nil, exitUsage, "read the drill plan: /dev/zero is larger than the limit of 1 MiB"},
		{"vtui drill run", []string{"drill", "run", badPlan, sim}, nil, exitUsage, "scenario"},
		{"vtui drill run", []string{"drill", "run", okPlan, sim, journal("no-yes")}, nil, exitUsage, "refusing without a terminal to confirm on; add --yes"},
		{"vtui drill run", []string{"drill", "run", noHAPlan, sim, "--yes", journal("no-ha")}, nil, exitFailed, "preflight refused the drill"},
		{"vtui drill run", []string{"drill", "run", okPlan, sim, "--readonly", "--yes", journal("ro")}, nil, exitFailed, "read-only mode"},
		{"vtui drill run", []string{"drill", "run", okPlan, sim, "--dry-run", journal("dry")}, nil, exitOK, "dry run: would crash esx-a-01.lab.local"},
		{"vtui drill run", []string{"drill", "run", tightPlan, sim, "--yes", journal("tight")}, nil, exitDrillFailed, "beyond expect.rto 1ms"},
		// A plan's context and another vCenter on the command line: refused.
		{"vtui drill run", []string{"drill", "run", labPlan, sim, "--dry-run"}, nil, exitUsage, `the plan names context "lab", and --simulator runs its own vCenter`},
		{"vtui drill run", []string{"drill", "run", labPlan, "--dry-run"}, simEnv, exitUsage, `remove "context: lab" from the plan to use VTUI_URL, or unset VTUI_URL`},
		{"vtui drill run", []string{"drill", "run", labPlan, "--url", "127.0.0.1:1", "--username", "u", "--yes"}, nil, exitUsage, "or drop --url to use context lab"},
		{"vtui drill run", []string{"drill", "run", labPlan, "--dry-run"}, nil, exitUsage, `context "lab" (from the drill plan): no config file`},
		{"vtui drill rollback", []string{"drill", "rollback", labJournal}, simEnv, exitUsage, "or unset VTUI_URL to use context lab"},
		{"vtui drill rollback", []string{"drill", "rollback", labJournal, sim}, nil, exitUsage, "or drop --simulator to use context lab"},
		{"vtui drill rollback", []string{"drill", "rollback", badPlan, sim}, nil, exitUsage, "not a drill journal entry"},
		{"vtui drill rollback", []string{"drill", "rollback", filepath.Join(dir, "absent.journal"), sim}, nil, exitUsage, "read the journal"},
		{"vtui drill rollback", []string{"drill", "rollback", "/dev/zero", sim}, nil, exitUsage, "read the journal: /dev/zero is larger than the limit of 64 MiB"},
		{"vtui drill rollback", []string{"drill", "rollback", otherJournal, sim}, nil, exitUsage,
			"the drill ran on another vCenter: " + otherJournal + " is the journal of a drill on https://vc-lab.example/sdk (instance 5c1f0e2a-lab), and this is https://127.0.0.1:"},
		{"vtui drill rollback", []string{"drill", "rollback", oldJournal, sim}, nil, exitUsage, "roll back with --unrecorded-vcenter"},
		{"vtui drill unlock", []string{"drill", "unlock", "nope", sim}, nil, exitUsage, `no cluster named "nope"`},
		{"vtui drill unlock", []string{"drill", "unlock", sim}, nil, exitUsage, "accepts 1 arg"},
		{"vtui completion", []string{"completion", "bogus"}, nil, exitUsage, `unknown command "bogus"`},
		{"vtui completion bash", []string{"completion", "bash", "--bogus"}, nil, exitUsage, "unknown flag: --bogus"},
		{"vtui completion zsh", []string{"completion", "zsh", "--bogus"}, nil, exitUsage, "unknown flag: --bogus"},
		{"vtui completion fish", []string{"completion", "fish", "--bogus"}, nil, exitUsage, "unknown flag: --bogus"},
		{"vtui completion powershell", []string{"completion", "powershell", "--bogus"}, nil, exitUsage, "unknown flag: --bogus"},
		{"vtui help", []string{"help", "bogus"}, nil, exitUsage, `unknown command "bogus"`},
		{"vtui help", []string{"help", "vm", "bogus"}, nil, exitUsage, `unknown command "bogus" for "vtui vm"`},
	}
}

// writeJournal writes the journal of a drill on cluster-a, killed once it
// took the lock, as if on the vCenter id (nil: an older vtui's, naming
// none).
func writeJournal(t *testing.T, path string, id *vsphere.Identity) {
	t.Helper()
	plan, err := drill.Parse("plan.yaml", []byte("name: t\ncluster: cluster-a\nscenario: host-failure\ntargets: {hosts: [esx-a-01.lab.local]}\nexpect: {rto: 1m}\ninject: {method: sim-crash}\n"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []byte
	for _, e := range []drill.Entry{{Step: drill.StepStart, Plan: &plan, Holder: "t (vtui on lab, pid 1)", VCenter: id},
		{Step: drill.StepLock, Cluster: &drill.Object{ID: "domain-c1", Name: "cluster-a"}}} {
		line, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(append(lines, line...), '\n')
	}
	configtest.WriteFile(t, path, string(lines), 0o600)
}

// TestEveryCommandIsInTheContract fails when a command has no row in the
// contract table: a command added later must state its bad inputs.
func TestEveryCommandIsInTheContract(t *testing.T) {
	covered := map[string]bool{}
	for _, r := range contractRows(t) {
		covered[r.cmd] = true
	}
	root := newRootCmd(newApp(testSys(t, nil)))
	var missing []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || strings.HasPrefix(c.Name(), "__") {
			return
		}
		if c.Runnable() && !covered[c.CommandPath()] {
			missing = append(missing, c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("commands with no row in the exit-code contract: %s", strings.Join(missing, ", "))
	}
}
