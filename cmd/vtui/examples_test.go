package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/spf13/cobra"
)

// The examples of docs/examples are loaded here, each by what it is, so
// that none drifts from what vtui accepts: drill plans (*.yaml) are
// loaded by ha/drill's TestExamplePlansAreValid; the schedulers' files
// (a GitHub Actions workflow, a Kubernetes CronJob, a systemd service and
// timer) parse, have the shape their scheduler expects, keep credentials
// out of the file, and every vtui command line in them names a real
// command with real flags and a right number of arguments.

// TestExamplesLoad loads every file of docs/examples.
func TestExamplesLoad(t *testing.T) {
	files, _ := filepath.Glob("../../docs/examples/*")
	seen := map[string]bool{}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			switch filepath.Ext(name) {
			case ".yaml":
				// a drill plan: ha/drill's TestExamplePlansAreValid
			case ".yml":
				doc := loadYAML(t, path)
				switch doc["kind"] {
				case "CronJob":
					checkCronJob(t, doc)
					seen["cronjob"] = true
				case nil:
					checkWorkflow(t, doc)
					seen["workflow"] = true
				default:
					t.Errorf("kind %v: an example this test does not know; add its checks", doc["kind"])
				}
			case ".service":
				checkService(t, loadINI(t, path))
				seen["service"] = true
			case ".timer":
				checkTimer(t, loadINI(t, path))
				seen["timer"] = true
			default:
				t.Errorf("an example this test does not know; add its checks")
			}
		})
	}
	for _, want := range []string{"workflow", "cronjob", "service", "timer"} {
		if !seen[want] {
			t.Errorf("docs/examples has no %s", want)
		}
	}
}

func loadYAML(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("not YAML: %v", err)
	}
	return doc
}

// get walks doc by keys (map keys, or list indexes as ints).
func get(doc any, keys ...any) any {
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, _ := doc.(map[string]any)
			doc = m[k]
		case int:
			l, _ := doc.([]any)
			if k >= len(l) {
				return nil
			}
			doc = l[k]
		}
	}
	return doc
}

// checkWorkflow: a GitHub Actions workflow with a schedule, whose run
// steps' vtui commands are real.
func checkWorkflow(t *testing.T, doc map[string]any) {
	if get(doc, "on", "schedule", 0, "cron") == nil {
		t.Errorf("on.schedule[0].cron is missing")
	}
	steps, _ := get(doc, "jobs", "drill", "steps").([]any)
	n := 0
	for _, s := range steps {
		run, _ := get(s, "run").(string)
		for _, line := range strings.Split(run, "\n") {
			if args, ok := strings.CutPrefix(strings.TrimSpace(line), "./vtui "); ok {
				checkCommandLine(t, shellWords(args))
				n++
			}
		}
	}
	if n < 2 {
		t.Errorf("found %d vtui commands in the steps; want the simulator's and the drill's", n)
	}
}

// checkCronJob: a batch/v1 CronJob on a schedule, one drill at a time,
// its container running a real vtui command with credentials from a
// Secret and none in the file.
func checkCronJob(t *testing.T, doc map[string]any) {
	if doc["apiVersion"] != "batch/v1" || get(doc, "spec", "schedule") != "0 3 * * *" || get(doc, "spec", "concurrencyPolicy") != "Forbid" {
		t.Errorf("apiVersion %v, schedule %v, concurrencyPolicy %v; want batch/v1, \"0 3 * * *\", Forbid",
			doc["apiVersion"], get(doc, "spec", "schedule"), get(doc, "spec", "concurrencyPolicy"))
	}
	c := get(doc, "spec", "jobTemplate", "spec", "template", "spec", "containers", 0)
	var args []string
	for _, a := range get(c, "args").([]any) {
		args = append(args, fmt.Sprint(a))
	}
	checkCommandLine(t, args)
	if get(c, "envFrom", 0, "secretRef", "name") == nil {
		t.Errorf("the container takes no Secret (envFrom[0].secretRef)")
	}
	env, _ := get(c, "env").([]any)
	for _, e := range env {
		if name := fmt.Sprint(get(e, "name")); strings.Contains(name, "PASSWORD") && get(e, "value") != nil {
			t.Errorf("env %s has a value in the file; take it from the Secret", name)
		}
	}
}

// ini is a systemd unit: its sections, each a key's values in order.
type ini map[string]map[string][]string

// loadINI parses a systemd unit file: [Section] lines, Key=Value lines
// (a trailing backslash continues one), and # or ; comments.
func loadINI(t *testing.T, path string) ini {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := ini{}
	var section, pending string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := pending + strings.TrimSpace(sc.Text())
		pending = ""
		switch {
		case strings.HasSuffix(line, `\`):
			pending = strings.TrimSuffix(line, `\`) + " "
		case line == "", line[0] == '#', line[0] == ';':
		case line[0] == '[' && line[len(line)-1] == ']':
			section = line[1 : len(line)-1]
			out[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("%s:%d: %q is neither a [Section] nor a Key=Value in a section", path, n, line)
			}
			out[section][strings.TrimSpace(k)] = append(out[section][strings.TrimSpace(k)], strings.TrimSpace(v))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// sections checks u has exactly the sections want.
func (u ini) sections(t *testing.T, want ...string) {
	var got []string
	for s := range u {
		got = append(got, s)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("sections %v; want %v", got, want)
	}
}

// checkService: a oneshot service whose ExecStart runs a real vtui
// command, with the credentials in an EnvironmentFile, not the unit.
func checkService(t *testing.T, u ini) {
	u.sections(t, "Unit", "Service")
	svc := u["Service"]
	if !slices.Equal(svc["Type"], []string{"oneshot"}) || len(svc["EnvironmentFile"]) != 1 || len(svc["ExecStart"]) != 1 {
		t.Fatalf("[Service] = %v; want Type=oneshot, one EnvironmentFile and one ExecStart", svc)
	}
	for _, e := range svc["Environment"] {
		if strings.Contains(e, "PASSWORD") {
			t.Errorf("Environment=%s: the password belongs in the EnvironmentFile", e)
		}
	}
	words := shellWords(svc["ExecStart"][0])
	if filepath.Base(words[0]) != "vtui" {
		t.Fatalf("ExecStart runs %s; want vtui", words[0])
	}
	checkCommandLine(t, words[1:])
}

// checkTimer: a timer on a calendar, installed into timers.target.
func checkTimer(t *testing.T, u ini) {
	u.sections(t, "Unit", "Timer", "Install")
	if len(u["Timer"]["OnCalendar"]) != 1 || !slices.Equal(u["Install"]["WantedBy"], []string{"timers.target"}) {
		t.Errorf("[Timer] %v, [Install] %v; want an OnCalendar, WantedBy=timers.target", u["Timer"], u["Install"])
	}
}

// shellWords splits a command line into words as the examples write
// them: spaces between words, '...' and "..." quotes; a redirection or
// a control operator ends the command.
func shellWords(line string) []string {
	var out []string
	for _, w := range strings.Fields(line) {
		if slices.Contains([]string{">", ">>", "&", "|", ";", "&&", "||"}, w) {
			break
		}
		out = append(out, strings.Trim(w, `'"`))
	}
	return out
}

// checkCommandLine checks args (without "vtui") against vtui's command
// tree: a command that runs (not a group of them), flags it has (its own or inherited), and
// arguments it accepts.
func checkCommandLine(t *testing.T, args []string) {
	t.Helper()
	root := newRootCmd(newApp(testSys(t, nil)))
	cmd, rest, err := root.Find(args)
	if err != nil || !cmd.Runnable() || cmd.HasSubCommands() {
		t.Errorf("vtui %s: not a command of vtui (%s, %v)", strings.Join(args, " "), cmd.CommandPath(), err)
		return
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Errorf("vtui %s: %v", strings.Join(args, " "), err)
		return
	}
	if err := cmd.ValidateArgs(cmd.Flags().Args()); err != nil {
		t.Errorf("vtui %s: %v", strings.Join(args, " "), err)
	}
}

// TestEveryCommandHasExamples walks the command tree: every command a
// user runs, groups included (vtui vm --help as much as vtui vm power
// --help), shows examples, and each example names a real command with
// real flags and a right number of arguments. cobra's own help and
// completion are exempt.
func TestEveryCommandHasExamples(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" || c.Parent() != nil && c.Parent().Name() == "completion" {
			return
		}
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%s --help shows no examples", c.CommandPath())
		}
		for _, line := range strings.Split(c.Example, "\n") {
			line = strings.TrimSpace(line)
			if !strings.HasPrefix(line, "vtui ") || !c.HasParent() {
				continue // a comment, a shell command; the root's open the UI
			}
			checkCommandLine(t, shellWords(line)[1:])
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(newApp(testSys(t, nil))))
}
