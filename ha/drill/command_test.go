package drill

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/sim"
)

// hostile is a host name that runs a command if a shell parses it.
const hostile = `evil$(touch${IFS}/tmp/PWNED)"'` + "`id`;x"

// shellCommand is the string form of a command: text run by sh -c.
func shellCommand(text string) Command { return Command{shell: text} }

// argvCommand is the list form of a command: run directly, no shell.
func argvCommand(argv ...string) Command { return Command{argv: append([]string{}, argv...)} }

func TestCommandTemplatesRenderValuesAsData(t *testing.T) {
	tests := []struct {
		name    string
		cmd     Command
		argv    []string // want; nil when an error is wanted
		wantErr string
	}{
		{"argv: a field is one whole element", argvCommand("ipmitool", "-H", "{{.Host}}", "power", "off"),
			[]string{"ipmitool", "-H", hostile, "power", "off"}, ""},
		{"argv: a field inside an element", argvCommand("ipmitool", "-H", "{{.Host}}-bmc", "--cluster={{.Cluster}}"),
			[]string{"ipmitool", "-H", hostile + "-bmc", "--cluster=c 1"}, ""},
		{"string: an unquoted field is a quoted variable", shellCommand("off {{.Host}}-bmc {{.Cluster}}"),
			[]string{"sh", "-c", `off "${VTUI_HOST}"-bmc "${VTUI_CLUSTER}"`}, ""},
		{"string: a field in double quotes is a variable", shellCommand(`off "{{.Host}}-bmc" "x'{{.Cluster}}"`),
			[]string{"sh", "-c", `off "${VTUI_HOST}-bmc" "x'${VTUI_CLUSTER}"`}, ""},
		{"string: quotes closed before the field", shellCommand(`echo 'a' "b" {{.Host}}`),
			[]string{"sh", "-c", `echo 'a' "b" "${VTUI_HOST}"`}, ""},
		{"string: an escaped quote does not open quotes", shellCommand(`echo \' {{.Host}}`),
			[]string{"sh", "-c", `echo \' "${VTUI_HOST}"`}, ""},
		{"unknown field", shellCommand("off {{.Hots}}"), nil, "{{.Host}} and {{.Cluster}} only"},
		{"unknown field in a list", argvCommand("off", "{{.Name}}"), nil, "element 1: {{.Name}}: a template may use {{.Host}} and {{.Cluster}} only"},
		{"a pipe", shellCommand(`off {{.Host | printf "%q"}}`), nil, "no functions, pipes or conditions"},
		{"a function", shellCommand(`off {{slice .Host 0 3}}`), nil, "no functions, pipes or conditions"},
		{"a condition", shellCommand(`off {{if .Host}}x{{end}}`), nil, "no functions, pipes or conditions"},
		{"a field not taken", shellCommand(`off {{if false}}{{.Secret}}{{end}}`), nil, "no functions, pipes or conditions"},
		{"a variable", shellCommand(`off {{$x := .Host}}`), nil, "no functions, pipes or conditions"},
		{"single quotes", shellCommand(`off '{{.Host}}'`), nil, "inside single quotes"},
		{"a backslash", shellCommand(`off \{{.Host}}`), nil, "follows a backslash"},
		{"not a template", shellCommand(`off {{.Host`), nil, "not a valid template"},
		{"empty string", shellCommand(" "), nil, "the command is empty"},
		{"empty list", argvCommand(), nil, "empty list"},
		{"empty program", argvCommand("", "x"), nil, "the program to run, is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := tt.cmd.render(hostile, "c 1")
			if tt.argv == nil {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("render(%q) = %q, %v; want an error containing %q", tt.cmd, inv.Argv, err, tt.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(inv.Argv, tt.argv) {
				t.Fatalf("render(%q) = %q, %v; want %q", tt.cmd, inv.Argv, err, tt.argv)
			}
			if want := []string{"VTUI_HOST=" + hostile, "VTUI_CLUSTER=c 1"}; !slices.Equal(inv.Env, want) {
				t.Errorf("render(%q).Env = %q; want %q", tt.cmd, inv.Env, want)
			}
		})
	}
}

// TestAShellCommandGetsTheValuesExactly runs string-form commands through
// sh: each field reaches the command as one word, exactly the value, and
// no part of it runs.
func TestAShellCommandGetsTheValuesExactly(t *testing.T) {
	dir := t.TempDir()
	host := "evil$(touch${IFS}" + filepath.Join(dir, "PWNED") + ") a  *`touch " + filepath.Join(dir, "PWNED2") + "`"
	for _, text := range []string{
		`printf '[%s]' {{.Host}} {{.Cluster}}`,
		`printf '[%s]' "{{.Host}}" "{{.Cluster}}"`,
		`printf '[%s]' $(echo "x") "{{.Host}}" {{.Cluster}} | tail -c +4`,
	} {
		inv, err := shellCommand(text).render(host, "c 1")
		if err != nil {
			t.Fatal(err)
		}
		out, err := runCommand(context.Background(), inv)
		if want := "[" + host + "][c 1]"; err != nil || out != want {
			t.Errorf("%s ran as %s: got %q, %v; want %q", text, inv, out, err, want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("the host name ran as a command: %s holds %v", dir, entries)
	}
}

// TestShellQuoteReadsBack has sh read back each quoted word: the display
// of a command is exactly what would run.
func TestShellQuoteReadsBack(t *testing.T) {
	words := []string{"", "plain-word_1.2:3@x,y/z", "a b", "it's", `"`, `\`, "$HOME", "$(id)", "`id`", "a\nb", "*", "~", "#x", "a=b", "'; touch x; '", hostile}
	for _, w := range words {
		out, err := exec.Command("sh", "-c", `printf '%s' `+shellQuote(w)).Output()
		if err != nil || string(out) != w {
			t.Errorf("sh read %s back as %q (%v); want %q", shellQuote(w), out, err, w)
		}
	}
	if got, want := (Invocation{Argv: []string{"ipmitool", "-H", "a b"}, Env: []string{"VTUI_HOST=a b"}}).String(), `VTUI_HOST='a b' ipmitool -H 'a b'`; got != want {
		t.Errorf("String() = %s; want %s", got, want)
	}
}

// renameHost gives the simulator's host old the name new, as govc
// cluster.add -hostname could have named it.
func renameHost(t *testing.T, srv *sim.Server, c *vsphere.Client, old, new string) {
	t.Helper()
	inv, err := c.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(inv.Hosts, func(h vsphere.Host) bool { return h.Name == old })
	if i < 0 {
		t.Fatalf("no host %s", old)
	}
	sctx := *srv.Model().Service.Context
	obj := sctx.Map.Get(types.ManagedObjectReference{Type: inv.Hosts[i].Ref.Type, Value: inv.Hosts[i].Ref.Value})
	sctx.WithLock(obj, func() { sctx.Update(obj, []types.PropertyChange{{Name: "name", Val: new}}) })
}

// TestHostileHostNamesNeverReachAShell fails and recovers a host whose
// name is a shell command, with the plan's commands in both forms and
// the host named or picked: the commands get the name exactly, as data,
// and nothing of it runs.
func TestHostileHostNamesNeverReachAShell(t *testing.T) {
	forms := map[string]string{
		"string": "inject:\n  method: command\n  command: 'printf inject:%s {{.Host}}'\n  recover: 'printf \"recover:%s\" \"{{.Host}}\"'",
		"list":   "inject:\n  method: command\n  command: [printf, 'inject:%s', '{{.Host}}']\n  recover: [printf, 'recover:%s', '{{.Host}}']",
	}
	for _, form := range []string{"string", "list"} {
		for _, targets := range []string{"hosts", "pick"} {
			t.Run(form+"/"+targets, func(t *testing.T) {
				srv, c := haSim(t)
				dir := t.TempDir()
				// Capital E: the name sorts first, so that pick: most-vms,
				// which breaks ties by name, still picks it.
				evil := fmt.Sprintf("Evil$(touch${IFS}%s)", filepath.Join(dir, "PWNED"))
				picked := mustParse(t, strings.Replace(crashPlan, "{hosts: [esx-a-01.lab.local]}", "{pick: most-vms, count: 1}", 1))
				pre, err := (&Runner{Client: c, Plan: picked}).Preflight(context.Background())
				if err != nil || len(pre.Targets) != 1 {
					t.Fatalf("preflight: %v, %+v", err, pre)
				}
				renameHost(t, srv, c, pre.Targets[0].Name, evil)
				text := strings.Replace(crashPlan, "inject: {method: sim-crash}", forms[form], 1)
				if targets == "pick" {
					text = strings.Replace(text, "{hosts: [esx-a-01.lab.local]}", "{pick: most-vms, count: 1}", 1)
				} else {
					text = strings.Replace(text, "esx-a-01.lab.local", "'"+evil+"'", 1)
				}
				plan := mustParse(t, text)
				pre, err = (&Runner{Client: c, Plan: plan}).Preflight(context.Background())
				if err != nil || !pre.OK() || pre.Targets[0].Name != evil {
					t.Fatalf("preflight: %v\n%+v", err, pre.Checks)
				}
				var want []string
				for _, what := range []string{"inject", "recover"} {
					want = append(want, "VTUI_HOST="+shellQuote(evil)+" VTUI_CLUSTER=cluster-a "+
						map[string]string{"string": "sh -c " + shellQuote(map[string]string{"inject": `printf inject:%s "${VTUI_HOST}"`, "recover": `printf "recover:%s" "${VTUI_HOST}"`}[what]),
							"list": "printf " + shellQuote(what+":%s") + " " + shellQuote(evil)}[form])
				}
				var shown []string
				for _, pc := range pre.Commands {
					shown = append(shown, pc.Text)
				}
				if !slices.Equal(shown, want) {
					t.Errorf("the preflight shows the commands as\n%q\nwant\n%q", shown, want)
				}

				var mu sync.Mutex
				var got []string
				run := func(ctx context.Context, inv Invocation) (string, error) {
					out, err := runCommand(ctx, inv)
					mu.Lock()
					got = append(got, out)
					mu.Unlock()
					switch {
					case out == "inject:"+evil:
						return out, srv.CrashHost(evil)
					case out == "recover:"+evil:
						return out, srv.RecoverHost(evil)
					}
					return out, err
				}
				rep := (&Runner{Client: c, Plan: plan, Exec: run}).Run(context.Background())
				if rep.Result != ResultPass || !rep.Rollback.OK {
					t.Errorf("the drill did not pass:\n%s", describe(rep))
				}
				if !slices.Equal(got, []string{"inject:" + evil, "recover:" + evil}) {
					t.Errorf("the commands received %q; want the name exactly, for inject and recover", got)
				}
				if entries, _ := os.ReadDir(dir); len(entries) > 0 {
					t.Errorf("the host name ran as a command: %s holds %v", dir, entries)
				}
			})
		}
	}
}

func TestACommandsOutputIsBounded(t *testing.T) {
	out, err := runCommand(context.Background(), Invocation{Argv: []string{"sh", "-c", "head -c 5000000 /dev/zero | tr '\\0' x; echo; echo the end"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) > maxOutput+100 || !strings.HasPrefix(out, "[output truncated: the last 65536 of 5000009 bytes]") || !strings.HasSuffix(out, "x\nthe end\n") {
		t.Errorf("kept %d bytes, starting %.80q, ending %q; want the last %d bytes, saying what was cut", len(out), out, out[max(len(out)-20, 0):], maxOutput)
	}
}

// hungPlan injects by a command that never ends.
const hungPlan = `name: hung
cluster: cluster-a
scenario: host-failure
targets: {hosts: [esx-a-01.lab.local]}
expect: {rto: 30s}
inject:
  method: command
  command: [sh, -c, 'sleep 300 & sleep 300']
detect-timeout: 1s
timeout: 30s
`

// TestAHungInjectCommandStopsAtDetectTimeout: the drill kills the command
// at detect-timeout, says so, and rolls back.
func TestAHungInjectCommandStopsAtDetectTimeout(t *testing.T) {
	_, c := haSim(t)
	before := clusterState(t, c)
	start := time.Now()
	rep := (&Runner{Client: c, Plan: mustParse(t, hungPlan), Journal: newJournal(t)}).Run(context.Background())
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("the drill took %s; want it to stop the command at detect-timeout 1s", took)
	}
	if rep.Result != ResultError || !slices.ContainsFunc(rep.Reasons, func(r string) bool {
		return strings.Contains(r, "the inject command for esx-a-01.lab.local did not finish within detect-timeout 1s: it was killed")
	}) {
		t.Errorf("want the drill to report the command's timeout:\n%s", describe(rep))
	}
	if !rep.Rollback.OK {
		t.Errorf("rollback: %+v", rep.Rollback)
	}
	sameMaps(t, "after the rollback", clusterState(t, c), before)
}

// TestAnInterruptDuringACommandEndsItAndRollsBack cancels the drill while
// its inject command runs, as SIGINT would.
func TestAnInterruptDuringACommandEndsItAndRollsBack(t *testing.T) {
	_, c := haSim(t)
	before := clusterState(t, c)
	plan := mustParse(t, strings.Replace(hungPlan, "detect-timeout: 1s", "detect-timeout: 5m", 1))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run := func(ctx context.Context, inv Invocation) (string, error) {
		time.AfterFunc(200*time.Millisecond, cancel)
		return runCommand(ctx, inv)
	}
	start := time.Now()
	rep := (&Runner{Client: c, Plan: plan, Journal: newJournal(t), Exec: run}).Run(ctx)
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("the drill took %s after the interrupt; want it to end promptly", took)
	}
	if rep.Result != ResultInterrupted || !rep.Rollback.OK {
		t.Errorf("want interrupted and rolled back:\n%s", describe(rep))
	}
	sameMaps(t, "after the rollback", clusterState(t, c), before)
}

// TestCommandFormsSurviveTheJournal reads both forms from YAML, each
// value as written, and back from the JSON a journal keeps.
func TestCommandFormsSurviveTheJournal(t *testing.T) {
	for _, tt := range []struct {
		yaml string
		want Command
	}{
		{"command: 'off {{.Host}}'", shellCommand("off {{.Host}}")},
		{"command: [ipmitool, -H, '{{.Host}}-bmc', power, off, '0x1F']", argvCommand("ipmitool", "-H", "{{.Host}}-bmc", "power", "off", "0x1F")},
		{"command:\n    - off\n    - '{{.Host}}'", argvCommand("off", "{{.Host}}")},
		// As written, as every string of a plan: YAML would read these as numbers and booleans.
		{"command: [ipmitool, -H, 010, raw, 0x1F, 1.50, true, +1]", argvCommand("ipmitool", "-H", "010", "raw", "0x1F", "1.50", "true", "+1")},
		{"command:\n    - off\n    - 0o10\n    - False", argvCommand("off", "0o10", "False")},
		{"command: true", shellCommand("true")},
		{"command: 0x1F", shellCommand("0x1F")},
	} {
		plan, err := Parse("plan.yaml", []byte(strings.Replace(goodPlan, "method: sim-crash", "method: command\n  "+tt.yaml, 1)))
		if err != nil {
			t.Fatalf("%s: %v", tt.yaml, err)
		}
		data, err := json.Marshal(plan)
		if err != nil {
			t.Fatal(err)
		}
		var back Plan
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(plan.Inject.Command, tt.want) || !reflect.DeepEqual(back.Inject.Command, tt.want) {
			t.Errorf("%s: read %#v, back from %s as %#v; want %#v", tt.yaml, plan.Inject.Command, data, back.Inject.Command, tt.want)
		}
	}
	for _, bad := range []string{"command: {a: b}", "command: [off, {a: b}]", "command: []", `command: "off '{{.Host}}'"`} {
		_, err := Parse("plan.yaml", []byte(strings.Replace(goodPlan, "method: sim-crash", "method: command\n  "+bad, 1)))
		if err == nil {
			t.Errorf("%s: accepted; want it refused", bad)
		}
	}
}
