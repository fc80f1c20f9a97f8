package config

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/vtui/vtui/cmd/internal/config/configtest"
	"github.com/vtui/vtui/internal/strictyaml"
	"github.com/vtui/vtui/vsphere"
)

var (
	testPresets = []string{"small", "demo", "large", "max"}
	testOutputs = []string{"table", "json", "yaml"}
)

// resolveTest resolves settings for args and env, with file (if not "") as
// the default config file ~/.config/vtui/config.yaml of a fresh home.
func resolveTest(t *testing.T, args []string, env configtest.Env, file string) (Settings, error) {
	t.Helper()
	home := t.TempDir()
	if file != "" {
		configtest.WriteFile(t, filepath.Join(home, ".config", "vtui", "config.yaml"), file, 0o600)
	}
	return resolveIn(t, home, args, env)
}

func resolveIn(t *testing.T, home string, args []string, env configtest.Env) (Settings, error) {
	t.Helper()
	s, _, err := Resolve(context.Background(), testInput(t, home, args, env))
	return s, err
}

// testInput parses args as the global flags and makes env the environment.
func testInput(t *testing.T, home string, args []string, env configtest.Env) Input {
	t.Helper()
	fs := pflag.NewFlagSet("vtui", pflag.ContinueOnError)
	AddFlags(fs, testPresets, testOutputs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse %q: %v", args, err)
	}
	env.Set(t)
	return Input{Flags: fs, Home: home, Presets: testPresets, Outputs: testOutputs}
}

const labFile = `current-context: lab
contexts:
  lab:
    url: file.example.com
    username: file-user
    insecure: true
    readonly: true
  prod:
    url: prod.example.com
    username: prod-user
`

func TestPrecedence(t *testing.T) {
	type conn struct {
		URL      string
		Username string
		Insecure bool
		ReadOnly bool
	}
	noContextFile := strings.Replace(labFile, "current-context: lab\n", "", 1)
	tests := []struct {
		name string
		args []string
		env  configtest.Env
		file string
		want conn
	}{
		{"defaults", nil, nil, "", conn{}},
		{"file context", nil, nil, labFile,
			conn{"file.example.com", "file-user", true, true}},
		{"GOVC without a context", nil, configtest.Env{"GOVC_URL": "govc.example.com", "GOVC_USERNAME": "govc-user", "GOVC_INSECURE": "1"}, "",
			conn{"govc.example.com", "govc-user", true, false}},
		{"GOVC without current-context in the file", nil, configtest.Env{"GOVC_URL": "govc.example.com", "GOVC_USERNAME": "govc-user"}, noContextFile,
			conn{"govc.example.com", "govc-user", false, false}},
		{"a selected context ignores GOVC", nil, configtest.Env{"GOVC_URL": "govc.example.com", "GOVC_USERNAME": "govc-user", "GOVC_INSECURE": "false"}, labFile,
			conn{"file.example.com", "file-user", true, true}},
		{"--context= selects none, so GOVC applies", []string{"--context="}, configtest.Env{"GOVC_URL": "govc.example.com"}, labFile,
			conn{"govc.example.com", "", false, false}},
		{"VTUI env over file", nil, configtest.Env{"VTUI_URL": "env.example.com", "VTUI_USERNAME": "env-user", "VTUI_INSECURE": "false", "VTUI_READONLY": "false"}, labFile,
			conn{"env.example.com", "env-user", false, false}},
		{"VTUI env over GOVC", nil, configtest.Env{"VTUI_URL": "env.example.com", "GOVC_URL": "govc.example.com", "GOVC_USERNAME": "govc-user", "VTUI_INSECURE": "0", "GOVC_INSECURE": "1"}, "",
			conn{"env.example.com", "govc-user", false, false}},
		{"empty VTUI env counts as unset", nil, configtest.Env{"VTUI_URL": "", "VTUI_READONLY": ""}, labFile,
			conn{"file.example.com", "file-user", true, true}},
		{"flags over everything", []string{"--url", "flag.example.com", "--username", "flag-user", "--insecure=false", "--readonly=false"},
			configtest.Env{"VTUI_URL": "env.example.com", "VTUI_USERNAME": "env-user", "VTUI_INSECURE": "true", "VTUI_READONLY": "true", "GOVC_URL": "govc.example.com"}, labFile,
			conn{"flag.example.com", "flag-user", false, false}},
		{"bool flags turn on", []string{"--insecure", "--readonly"}, nil, "",
			conn{"", "", true, true}},
		{"user in GOVC_URL", nil, configtest.Env{"GOVC_URL": "https://govc-user:pw@govc.example.com/sdk"}, "",
			conn{"https://govc.example.com/sdk", "govc-user", false, false}},
		{"GOVC_USERNAME beats the user in GOVC_URL", nil, configtest.Env{"GOVC_URL": "https://u:pw@govc.example.com/sdk", "GOVC_USERNAME": "govc-user"}, "",
			conn{"https://govc.example.com/sdk", "govc-user", false, false}},
		{"user in VTUI_URL beats GOVC_USERNAME", nil, configtest.Env{"VTUI_URL": "https://u@env.example.com", "GOVC_USERNAME": "govc-user"}, "",
			conn{"https://env.example.com", "u", false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := resolveTest(t, tt.args, tt.env, tt.file)
			if err != nil {
				t.Fatalf("args %q env %v: %v", tt.args, tt.env, err)
			}
			got := conn{s.Conn.URL, s.Conn.Username, s.Conn.Insecure, s.ReadOnly}
			if got != tt.want {
				t.Errorf("args %q env %v:\n got %+v;\nwant %+v (sources %v)", tt.args, tt.env, got, tt.want, s.Sources)
			}
		})
	}
}

// TestSources checks that the source recorded for each key names the layer
// viper took the value from.
func TestSources(t *testing.T) {
	tests := []struct {
		args []string
		env  configtest.Env
		file string
		want map[string]string
	}{
		{nil, nil, "", map[string]string{"url": "default", "insecure": "default", "timeout": "default"}},
		{[]string{"--url", "vc", "--connect-timeout", "5s"}, configtest.Env{"VTUI_URL": "env"}, labFile, map[string]string{"url": "--url", "timeout": "--connect-timeout"}},
		{nil, configtest.Env{"VTUI_URL": "env", "VTUI_CA_FILE": "ca.pem", "VTUI_INSECURE": "0"}, labFile,
			map[string]string{"url": "VTUI_URL", "ca-file": "VTUI_CA_FILE", "insecure": "VTUI_INSECURE", "username": "context lab", "readonly": "context lab"}},
		{nil, configtest.Env{"GOVC_URL": "govc", "GOVC_INSECURE": "1"}, "", map[string]string{"url": "GOVC_URL", "insecure": "GOVC_INSECURE", "username": "default"}},
		{nil, nil, "log-file: x.log\n", map[string]string{"log-file": "config file"}},
		{nil, configtest.Env{"VTUI_LOG_FILE": "y.log"}, "log-file: x.log\n", map[string]string{"log-file": "VTUI_LOG_FILE"}},
	}
	for _, tt := range tests {
		s, err := resolveTest(t, tt.args, tt.env, tt.file)
		if err != nil {
			t.Errorf("args %q env %v: %v", tt.args, tt.env, err)
			continue
		}
		for key, want := range tt.want {
			if got := s.Sources[key]; got != want {
				t.Errorf("args %q env %v file %q: source of %s: got %q; want %q", tt.args, tt.env, tt.file, key, got, want)
			}
		}
	}
}

func TestOtherSettings(t *testing.T) {
	file := `log-file: logs/vtui.log
current-context: lab
contexts:
  lab:
    url: lab
    ca-file: ca.pem
    password-file: ~/pw
    timeout: 2m
`
	home := t.TempDir()
	cfgPath := filepath.Join(home, ".config", "vtui", "config.yaml")
	configtest.WriteFile(t, cfgPath, file, 0o600)
	cfgDir := filepath.Dir(cfgPath)
	tests := []struct {
		args []string
		env  configtest.Env
		get  func(Settings) any
		want any
	}{
		{nil, nil, func(s Settings) any { return s.Conn.Timeout }, 2 * time.Minute},
		{nil, configtest.Env{"VTUI_TIMEOUT": "5s"}, func(s Settings) any { return s.Conn.Timeout }, 5 * time.Second},
		{[]string{"--connect-timeout", "7s"}, configtest.Env{"VTUI_TIMEOUT": "5s"}, func(s Settings) any { return s.Conn.Timeout }, 7 * time.Second},
		{[]string{"--context="}, nil, func(s Settings) any { return s.Conn.Timeout }, 30 * time.Second},
		{nil, nil, func(s Settings) any { return s.Conn.CAFile }, filepath.Join(cfgDir, "ca.pem")},
		{[]string{"--ca-file", "~/x.pem"}, nil, func(s Settings) any { return s.Conn.CAFile }, filepath.Join(home, "x.pem")},
		{nil, nil, func(s Settings) any { return s.LogFile }, filepath.Join(cfgDir, "logs", "vtui.log")},
		{nil, configtest.Env{"VTUI_LOG_FILE": "~/l.log"}, func(s Settings) any { return s.LogFile }, filepath.Join(home, "l.log")},
		{nil, configtest.Env{"VTUI_CA_FILE": "~/e.pem"}, func(s Settings) any { return s.Conn.CAFile }, filepath.Join(home, "e.pem")},
		{nil, nil, func(s Settings) any { return s.password }, passwordSource{file: filepath.Join(home, "pw"), context: "lab"}},
		{nil, nil, func(s Settings) any { return s.Output }, "table"},
		{[]string{"-o", "yaml"}, nil, func(s Settings) any { return s.Output }, "yaml"},
		{[]string{"--dry-run", "--yes"}, nil, func(s Settings) any { return [2]bool{s.DryRun, s.Yes} }, [2]bool{true, true}},
		{[]string{"--simulator"}, nil, func(s Settings) any { return s.Simulator }, "demo"},
		{[]string{"--simulator=small"}, nil, func(s Settings) any { return s.Simulator }, "small"},
		{nil, nil, func(s Settings) any { return s.Simulator }, ""},
		// The simulator is its own vCenter: no context applies to it.
		{[]string{"--simulator"}, nil, func(s Settings) any { return s.ContextName }, ""},
	}
	for _, tt := range tests {
		s, err := resolveIn(t, home, tt.args, tt.env)
		if err != nil {
			t.Errorf("args %q env %v: %v", tt.args, tt.env, err)
			continue
		}
		if got := tt.get(s); got != tt.want {
			t.Errorf("args %q env %v: got %v; want %v", tt.args, tt.env, got, tt.want)
		}
	}
}

func TestContextSelection(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     configtest.Env
		file    string
		want    string // context name
		wantErr []string
	}{
		{"current-context", nil, nil, labFile, "lab", nil},
		{"--context", []string{"--context", "prod"}, nil, labFile, "prod", nil},
		{"VTUI_CONTEXT", nil, configtest.Env{"VTUI_CONTEXT": "prod"}, labFile, "prod", nil},
		{"--context beats VTUI_CONTEXT", []string{"--context", "lab"}, configtest.Env{"VTUI_CONTEXT": "prod"}, labFile, "lab", nil},
		{"no current-context", nil, nil, "contexts: {lab: {url: x}}\n", "", nil},
		{"no file", nil, nil, "", "", nil},
		// A name YAML would read as a number is the name written: 010 is not context 8.
		{"a number-like current-context", nil, nil, "current-context: 010\ncontexts: {010: {url: x}, 8: {url: y}}\n", "010", nil},
		{"a number-like --context", []string{"--context", "0x1F"}, nil, "contexts:\n  0x1F: {url: x}\n  31: {url: y}\n", "0x1F", nil},
		{"unknown --context", []string{"--context", "nope"}, nil, labFile, "",
			[]string{`--context: unknown context "nope"`, "config.yaml", "known: lab, prod"}},
		{"unknown VTUI_CONTEXT", nil, configtest.Env{"VTUI_CONTEXT": "nope"}, labFile, "",
			[]string{`VTUI_CONTEXT: unknown context "nope"`, "known: lab, prod"}},
		{"unknown current-context", nil, nil, "current-context: ghost\ncontexts:\n  lab: {url: x}\n", "",
			[]string{`config.yaml:1:18: current-context: unknown context "ghost" (known: lab)`}},
		{"unknown current-context, --context picks another", []string{"--context", "lab"}, nil, "current-context: ghost\ncontexts:\n  lab: {url: x}\n", "",
			[]string{`config.yaml:1:18: current-context: unknown context "ghost" (known: lab)`}},
		{"unknown current-context, --simulator", []string{"--simulator"}, nil, "current-context: ghost\n", "",
			[]string{`config.yaml:1:18: current-context: unknown context "ghost" (known: none)`}},
		{"--context without a file", []string{"--context", "lab"}, nil, "", "",
			[]string{`context "lab" (from --context): no config file at`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := resolveTest(t, tt.args, tt.env, tt.file)
			checkErr(t, fmt.Sprintf("args %q env %v", tt.args, tt.env), err, tt.wantErr)
			if err == nil && s.ContextName != tt.want {
				t.Errorf("args %q env %v: got context %q; want %q", tt.args, tt.env, s.ContextName, tt.want)
			}
		})
	}
}

// TestSimulatorIsItsOwnVCenter: with --simulator, a flag that names or
// reaches another vCenter is refused, and the same settings left in VTUI_*
// variables are ignored with a note, even when they would contradict each
// other; govc's variables and the file's current-context are ignored
// quietly.
func TestSimulatorIsItsOwnVCenter(t *testing.T) {
	const pin = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01"
	tests := []struct {
		args     []string
		env      configtest.Env
		wantNote string
		wantErr  string
	}{
		{[]string{"--context", "lab"}, nil, "", "--context and --simulator cannot be combined: the simulator is its own vCenter"},
		{[]string{"--url", "vc"}, nil, "", "--url and --simulator cannot be combined"},
		{[]string{"--username", "u"}, nil, "", "--username and --simulator cannot be combined"},
		{[]string{"--insecure"}, nil, "", "--insecure and --simulator cannot be combined"},
		{[]string{"--thumbprint", pin}, nil, "", "--thumbprint and --simulator cannot be combined"},
		{[]string{"--ca-file", "ca.pem"}, nil, "", "--ca-file and --simulator cannot be combined"},
		{nil, configtest.Env{"VTUI_URL": "vc", "VTUI_USERNAME": "u", "VTUI_PASSWORD": "pw"}, "--simulator connects to its own vCenter; ignoring VTUI_URL, VTUI_USERNAME, VTUI_PASSWORD", ""},
		{nil, configtest.Env{"VTUI_CONTEXT": "prod", "VTUI_INSECURE": "true", "VTUI_THUMBPRINT": pin, "VTUI_CA_FILE": "/ca.pem"},
			"--simulator connects to its own vCenter; ignoring VTUI_CONTEXT, VTUI_INSECURE, VTUI_THUMBPRINT, VTUI_CA_FILE", ""},
		{nil, configtest.Env{"GOVC_URL": "vc", "GOVC_USERNAME": "u", "GOVC_PASSWORD": "pw", "GOVC_INSECURE": "1"}, "", ""},
	}
	for _, tt := range tests {
		args := append([]string{"--simulator=small"}, tt.args...)
		input := fmt.Sprintf("args %q env %v", args, tt.env)
		s, err := resolveTest(t, args, tt.env, labFile)
		if tt.wantErr != "" {
			checkErr(t, input, err, []string{tt.wantErr})
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", input, err)
			continue
		}
		if got := strings.Join(s.Notes, "; "); got != tt.wantNote {
			t.Errorf("%s: notes %q; want %q", input, got, tt.wantNote)
		}
		if s.ContextName != "" || s.Conn != (vsphere.Config{Timeout: defaultTimeout}) || s.password != (passwordSource{}) {
			t.Errorf("%s: context %q, connection %+v, password %+v; want none of another vCenter's", input, s.ContextName, s.Conn, s.password)
		}
	}
}

// checkErr fails unless err contains every want (or is nil when want is).
// Every resolution error is a usage error: vtui exits 2.
func checkErr(t *testing.T, input string, err error, want []string) {
	t.Helper()
	if configtest.CheckErr(t, input, err, want) && !errors.As(err, new(UsageError)) {
		t.Errorf("%s: error %q is not a UsageError; want one (exit 2)", input, err)
	}
}

func TestConfigFileLocation(t *testing.T) {
	home := t.TempDir()
	xdg := filepath.Join(home, "xdg")
	configtest.WriteFile(t, filepath.Join(xdg, "vtui", "config.yaml"), "current-context: x\ncontexts: {x: {url: xdg}}\n", 0o600)
	other := filepath.Join(home, "other.yaml")
	configtest.WriteFile(t, other, "current-context: y\ncontexts: {y: {url: other}}\n", 0o600)
	tests := []struct {
		args    []string
		env     configtest.Env
		want    string // URL
		wantErr []string
	}{
		{nil, configtest.Env{"XDG_CONFIG_HOME": xdg}, "xdg", nil},
		{nil, nil, "", nil}, // ~/.config/vtui/config.yaml does not exist: fine
		{[]string{"--config", other}, configtest.Env{"XDG_CONFIG_HOME": xdg}, "other", nil},
		{nil, configtest.Env{"VTUI_CONFIG": other, "XDG_CONFIG_HOME": xdg}, "other", nil},
		{[]string{"--config", "~/other.yaml"}, nil, "other", nil},
		{[]string{"--config="}, configtest.Env{"XDG_CONFIG_HOME": xdg, "VTUI_CONFIG": other}, "", nil}, // reads none
		{[]string{"--config", filepath.Join(home, "missing.yaml")}, nil, "", []string{"config file: open ", "missing.yaml"}},
		{nil, configtest.Env{"VTUI_CONFIG": filepath.Join(home, "missing.yaml")}, "", []string{"config file: open ", "missing.yaml"}},
	}
	for _, tt := range tests {
		s, err := resolveIn(t, home, tt.args, tt.env)
		checkErr(t, fmt.Sprintf("args %q env %v", tt.args, tt.env), err, tt.wantErr)
		if err == nil && s.Conn.URL != tt.want {
			t.Errorf("args %q env %v: got url %q; want %q", tt.args, tt.env, s.Conn.URL, tt.want)
		}
	}
}

func TestInvalidValues(t *testing.T) {
	tests := []struct {
		args    []string
		env     configtest.Env
		wantErr []string
	}{
		{[]string{"-o", "xml"}, nil, []string{`invalid value "xml" for -o/--output (valid: table, json, yaml)`}},
		{[]string{"--simulator=huge"}, nil, []string{`invalid value "huge" for --simulator (valid: small, demo, large, max)`}},
		{nil, configtest.Env{"VTUI_INSECURE": "maybe"}, []string{`invalid value "maybe" for VTUI_INSECURE (want true or false)`}},
		{nil, configtest.Env{"GOVC_INSECURE": "yes please"}, []string{`for GOVC_INSECURE`}},
		{nil, configtest.Env{"VTUI_READONLY": "sure"}, []string{`for VTUI_READONLY`}},
		{nil, configtest.Env{"VTUI_TIMEOUT": "soon"}, []string{`VTUI_TIMEOUT`, `want a duration`}},
		{[]string{"--connect-timeout", "-1s"}, nil, []string{`--connect-timeout`, `want a positive duration`}},
		{[]string{"--url", "https://u:secret@vc"}, nil, []string{"--url holds a password", "never go on the command line"}},
	}
	for _, tt := range tests {
		_, err := resolveTest(t, tt.args, tt.env, "")
		checkErr(t, fmt.Sprintf("args %q env %v", tt.args, tt.env), err, tt.wantErr)
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("args %q: error %q shows the password", tt.args, err)
		}
	}
}

func TestTLSVerificationWins(t *testing.T) {
	const pin = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01"
	file := `contexts:
  pinned: {url: vc-pinned, username: u, thumbprint: "` + pin + `"}
  lax: {url: vc-lax, username: u, insecure: true}
  both: {url: vc-both, username: u, insecure: true, thumbprint: "` + pin + `"}
`
	tests := []struct {
		name         string
		args         []string
		env          configtest.Env
		wantInsecure bool
		wantNote     string
		wantErr      []string
	}{
		{"a stray VTUI_INSECURE does not beat a context's pin", []string{"--context", "pinned"}, configtest.Env{"VTUI_INSECURE": "true"}, false,
			"VTUI_INSECURE is ignored: the certificate is verified with the thumbprint from context pinned", nil},
		{"nor does --insecure", []string{"--context", "pinned", "--insecure"}, nil, false,
			"--insecure is ignored: the certificate is verified with the thumbprint from context pinned", nil},
		{"a pin from the environment beats a context's insecure", []string{"--context", "lax"}, configtest.Env{"VTUI_THUMBPRINT": pin}, false,
			"context lax is ignored: the certificate is verified with the thumbprint from VTUI_THUMBPRINT", nil},
		{"a CA file beats GOVC_INSECURE", []string{"--ca-file", "/ca.pem"}, configtest.Env{"GOVC_URL": "vc", "GOVC_INSECURE": "1"}, false,
			"GOVC_INSECURE is ignored: the certificate is verified with the ca-file from --ca-file", nil},
		{"both as flags contradict", []string{"--insecure", "--thumbprint", pin}, nil, false, "",
			[]string{"--insecure and --thumbprint contradict each other", "set one of them"}},
		{"both in the environment contradict", nil, configtest.Env{"VTUI_INSECURE": "true", "VTUI_CA_FILE": "/ca.pem"}, false, "",
			[]string{"VTUI_INSECURE and VTUI_CA_FILE contradict each other"}},
		{"both in one context contradict", []string{"--context", "both"}, nil, false, "",
			[]string{"context both sets both insecure and thumbprint, which contradict each other"}},
		{"insecure alone stays insecure", []string{"--context", "lax"}, nil, true, "", nil},
		{"GOVC_INSECURE goes with GOVC_URL", nil, configtest.Env{"GOVC_URL": "vc", "GOVC_INSECURE": "1"}, true, "", nil},
		{"but not to --url", []string{"--url", "other"}, configtest.Env{"GOVC_URL": "vc", "GOVC_INSECURE": "1"}, false,
			"insecure from GOVC_INSECURE is ignored: it applies only to GOVC_URL, not to other from --url", nil},
		{"a context's insecure does not go to --url", []string{"--context", "lax", "--url", "other"}, nil, false,
			"insecure from context lax is ignored: it applies only to the context's own url, not to other from --url", nil},
		{"nor to VTUI_URL", []string{"--context", "lax"}, configtest.Env{"VTUI_URL": "other"}, false,
			"insecure from context lax is ignored: it applies only to the context's own url, not to other from VTUI_URL", nil},
		{"--insecure goes to any URL", []string{"--context", "lax", "--url", "other", "--insecure"}, nil, true, "", nil},
		{"VTUI_INSECURE goes to any URL", []string{"--context", "lax"}, configtest.Env{"VTUI_INSECURE": "true"}, true, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := resolveTest(t, tt.args, tt.env, file)
			checkErr(t, fmt.Sprintf("args %q env %v", tt.args, tt.env), err, tt.wantErr)
			if err != nil {
				return
			}
			if s.Conn.Insecure != tt.wantInsecure {
				t.Errorf("insecure = %v; want %v", s.Conn.Insecure, tt.wantInsecure)
			}
			if tt.wantNote == "" && len(s.Notes) > 0 || tt.wantNote != "" && !slices.Contains(s.Notes, tt.wantNote) {
				t.Errorf("notes %q; want %q", s.Notes, tt.wantNote)
			}
		})
	}
}

func TestConfigFileErrors(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		wantErr []string
	}{
		{"unknown context key", "contexts:\n  lab:\n    url: x\n    pasword: y\n",
			[]string{`config.yaml:4:5: contexts.lab.pasword: unknown key (valid: url, username, password-env, password-file, insecure, thumbprint, ca-file, readonly, timeout)`}},
		{"unknown top-level key", "current-context: lab\nusername: x\n",
			[]string{`config.yaml:2:1: username: unknown key (valid: current-context, contexts, log-file, no-session-cache)`}},
		{"password key in a context", "contexts:\n  lab:\n    url: x\n    password: hunter2\n",
			[]string{`config.yaml:4:5: contexts.lab.password: passwords never go in the config file`, "password-env", "password-file"}},
		{"password key at the top", "password: hunter2\n",
			[]string{`config.yaml:1:1: password: passwords never go in the config file`}},
		{"password in the url", "contexts:\n  lab:\n    url: https://root:hunter2@vc\n",
			[]string{`config.yaml:3:10: contexts.lab.url: holds a password`}},
		{"malformed YAML", "contexts:\n  lab:\n    url: [unclosed\n    username: x\n",
			[]string{"config.yaml:4:5: invalid YAML"}},
		{"tab indentation", "contexts:\n\tlab: {}\n",
			[]string{"config.yaml:2:1: invalid YAML"}},
		{"bad bool", "contexts:\n  lab:\n    insecure: maybe\n",
			[]string{`config.yaml:3:15: contexts.lab.insecure: want true or false, got "maybe"`}},
		{"bad timeout", "contexts:\n  lab:\n    timeout: 10\n",
			[]string{`config.yaml:3:14: contexts.lab.timeout: want a duration such as 30s or 5m, got "10"`}},
		{"duplicate key", "contexts:\n  lab:\n    url: a\n    url: b\n",
			[]string{`config.yaml:4:5: contexts.lab.url: repeated key (first on line 3)`}},
		{"duplicate context", "contexts:\n  lab: {url: a}\n  lab: {url: b}\n",
			[]string{`config.yaml:3:3: contexts.lab: repeated key (first on line 2)`}},
		{"both password sources", "contexts:\n  lab:\n    password-env: X\n    password-file: /x\n",
			[]string{`config.yaml:4:20: contexts.lab.password-file: set password-env or password-file, not both`}},
		{"contexts as a list", "contexts:\n  - name: lab\n",
			[]string{"config.yaml:2:3: contexts: want a mapping, got a list"}},
		{"a list for a string", "contexts:\n  lab:\n    url: [a, b]\n",
			[]string{`config.yaml:3:10: contexts.lab.url: want a single value, got a list`}},
		{"not a mapping", "- a\n- b\n",
			[]string{"config.yaml:1:1: want a mapping, got a list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := resolveTest(t, nil, nil, tt.file)
			checkErr(t, fmt.Sprintf("file %q", tt.file), err, tt.wantErr)
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("file %q: error %q shows the password", tt.file, err)
			}
		})
	}
}

func TestConfigFileAccepts(t *testing.T) {
	for _, file := range []string{
		"",
		"# only a comment\n",
		"~\n",
		"contexts:\n",
		"contexts:\n  lab:\n",
		"contexts:\n  lab:\n    url:\n    readonly: ~\n",
		"contexts:\n  lab: &b {url: x, insecure: true}\n  lab2: *b\n",
	} {
		if _, err := parseConfig("/c.yaml", []byte(file), "/home/u"); err != nil {
			t.Errorf("file %q: %v", file, err)
		}
	}
}

func TestPasswordSources(t *testing.T) {
	home := t.TempDir()
	pwFile := filepath.Join(home, "pw")
	configtest.WriteFile(t, pwFile, "from-file\n", 0o600)
	openFile := filepath.Join(home, "open")
	configtest.WriteFile(t, openFile, "from-open-file\n", 0o644)
	emptyFile := filepath.Join(home, "empty")
	configtest.WriteFile(t, emptyFile, "\n", 0o600)
	file := fmt.Sprintf(`contexts:
  env: {url: vc-env, username: u, password-env: LAB_PW}
  file: {url: vc-file, username: u, password-file: %s}
  open: {url: vc-open, username: u, password-file: %s}
  empty: {url: vc-empty, username: u, password-file: %s}
  missing: {url: vc-missing, username: u, password-file: %s}
  none: {url: vc-none, username: u}
`, pwFile, openFile, emptyFile, filepath.Join(home, "nope"))
	configtest.WriteFile(t, filepath.Join(home, ".config", "vtui", "config.yaml"), file, 0o600)

	prompt := func(p string) (string, error) { return "typed", nil }
	tests := []struct {
		name     string
		args     []string
		env      configtest.Env
		terminal bool
		want     string
		wantErr  []string
	}{
		{"VTUI_PASSWORD", nil, configtest.Env{"VTUI_URL": "vc", "VTUI_PASSWORD": "from-vtui"}, false, "from-vtui", nil},
		{"GOVC_PASSWORD", nil, configtest.Env{"GOVC_URL": "vc", "GOVC_PASSWORD": "from-govc"}, false, "from-govc", nil},
		{"VTUI_PASSWORD beats GOVC_PASSWORD", nil, configtest.Env{"VTUI_PASSWORD": "from-vtui", "GOVC_PASSWORD": "from-govc"}, false, "from-vtui", nil},
		{"GOVC_PASSWORD beats the URL", nil, configtest.Env{"GOVC_URL": "https://u:from-url@vc", "GOVC_PASSWORD": "from-govc"}, false, "from-govc", nil},
		{"password in GOVC_URL", nil, configtest.Env{"GOVC_URL": "https://u:from-url@vc"}, false, "from-url", nil},
		{"password-env", []string{"--context", "env"}, configtest.Env{"LAB_PW": "from-env"}, false, "from-env", nil},
		{"a context's own password-env beats VTUI_PASSWORD", []string{"--context", "env"}, configtest.Env{"LAB_PW": "from-env", "VTUI_PASSWORD": "from-vtui"}, false, "from-env", nil},
		{"a context ignores GOVC_PASSWORD", []string{"--context", "env"}, configtest.Env{"LAB_PW": "from-env", "GOVC_PASSWORD": "from-govc"}, false, "from-env", nil},
		{"password-env unset", []string{"--context", "env"}, nil, false, "",
			[]string{`context "env": password-env names LAB_PW, which is not set`}},
		{"password-file", []string{"--context", "file"}, nil, false, "from-file", nil},
		{"a context's password is not sent to --url", []string{"--context", "file", "--url", "elsewhere"}, nil, false, "",
			[]string{"no password for u at elsewhere", `the password of context "file" is only sent to its own url, not to elsewhere from --url`}},
		{"nor to VTUI_URL", []string{"--context", "env"}, configtest.Env{"LAB_PW": "from-env", "VTUI_URL": "elsewhere"}, true, "typed", nil},
		{"VTUI_PASSWORD does go to VTUI_URL", []string{"--context", "env"}, configtest.Env{"VTUI_PASSWORD": "from-vtui", "VTUI_URL": "elsewhere"}, false, "from-vtui", nil},
		{"GOVC_PASSWORD is not sent to --url", []string{"--url", "other"}, configtest.Env{"GOVC_URL": "vc", "GOVC_USERNAME": "u", "GOVC_PASSWORD": "from-govc"}, false, "",
			[]string{"no password for u at other", "GOVC_PASSWORD is only sent to GOVC_URL, not to other from --url"}},
		{"nor to VTUI_URL", nil, configtest.Env{"VTUI_URL": "other", "GOVC_URL": "vc", "GOVC_USERNAME": "u", "GOVC_PASSWORD": "from-govc"}, false, "",
			[]string{"GOVC_PASSWORD is only sent to GOVC_URL, not to other from VTUI_URL"}},
		{"a withheld GOVC_PASSWORD leaves the prompt", []string{"--url", "other"}, configtest.Env{"GOVC_URL": "vc", "GOVC_USERNAME": "u", "GOVC_PASSWORD": "from-govc"}, true, "typed", nil},
		{"VTUI_PASSWORD goes to a context without a password source", []string{"--context", "none"}, configtest.Env{"VTUI_PASSWORD": "from-vtui"}, false, "from-vtui", nil},
		{"password-file readable by others", []string{"--context", "open"}, nil, false, "",
			[]string{`context "open": password-file`, "readable by others", "chmod 600"}},
		{"password-file empty", []string{"--context", "empty"}, nil, false, "", []string{"is empty"}},
		{"password-file missing", []string{"--context", "missing"}, nil, false, "", []string{"password-file", "nope"}},
		{"prompt on a terminal", []string{"--context", "none"}, nil, true, "typed", nil},
		{"no terminal, no password", []string{"--context", "none"}, configtest.Env{"GOVC_PASSWORD": "from-govc"}, false, "",
			[]string{"no password for u at vc-none", "VTUI_PASSWORD", `password-env or password-file in context "none"`, "terminal"}},
		{"no terminal, no context", nil, configtest.Env{"VTUI_URL": "vc", "VTUI_USERNAME": "u"}, false, "",
			[]string{"no password for u at vc", "VTUI_PASSWORD", "password-env or password-file", "terminal"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := fmt.Sprintf("args %q env %v terminal %v", tt.args, tt.env, tt.terminal)
			s, err := resolveIn(t, home, tt.args, tt.env)
			if err != nil {
				t.Fatalf("%s: resolve: %v", input, err)
			}
			if s.Conn.Password != "" {
				t.Errorf("%s: settings hold the password before connect", input)
			}
			var ask func(string) (string, error)
			if tt.terminal {
				ask = prompt
			}
			got, err := ReadPassword(context.Background(), s, os.LookupEnv, ask)
			checkErr(t, input, err, tt.wantErr)
			if got != tt.want {
				t.Errorf("%s: got password %q; want %q", input, got, tt.want)
			}
			if len(tt.wantErr) > 0 && strings.Contains(tt.name, "no password") && !errors.Is(err, ErrNoPassword) {
				t.Errorf("%s: error %v does not wrap ErrNoPassword", input, err)
			}
		})
	}
}

func TestResolveContextSwitch(t *testing.T) {
	home := t.TempDir()
	configtest.WriteFile(t, filepath.Join(home, ".config", "vtui", "config.yaml"), labFile, 0o600)
	fs := pflag.NewFlagSet("vtui", pflag.ContinueOnError)
	AddFlags(fs, testPresets, testOutputs)
	args := []string{"--url", "flag.example.com", "--thumbprint", "AA:BB", "--readonly", "-o", "json", "--simulator"}
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	env := configtest.Env{"VTUI_USERNAME": "env-user", "VTUI_PASSWORD": "pw", "GOVC_URL": "govc"}
	env.Set(t)
	name := "prod"
	s, _, err := Resolve(context.Background(), Input{Flags: fs, Home: home, Presets: testPresets, Outputs: testOutputs, Context: &name})
	if err != nil {
		t.Fatal(err)
	}
	type view struct {
		Context, URL, Username, Thumbprint string
		ReadOnly                           bool
		Output, Simulator                  string
		Password                           passwordSource
	}
	got := view{s.ContextName, s.Conn.URL, s.Conn.Username, s.Conn.Thumbprint, s.ReadOnly, s.Output, s.Simulator, s.password}
	want := view{"prod", "prod.example.com", "prod-user", "", true, "json", "", passwordSource{}}
	if got != want {
		t.Errorf("switch to %q with args %q env %v:\n got %+v;\nwant %+v", name, args, env, got, want)
	}
}

// TestExampleConfig loads config.example.yaml through the same loader, so the
// example cannot rot, and checks it shows every key the loader knows.
func TestExampleConfig(t *testing.T) {
	path := filepath.Join("..", "..", "..", "config.example.yaml")
	fc, err := loadConfigFile(context.Background(), path, false, "/home/u")
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	if got, want := fc.ContextNames(), []string{"lab", "prod", "staging"}; !slices.Equal(got, want) {
		t.Errorf("contexts: got %q; want %q", got, want)
	}
	if fc.CurrentContext == "" {
		t.Errorf("current-context is not set")
	}
	prod := fc.Contexts["prod"]
	if prod.PasswordEnv == "" || prod.Thumbprint == "" || prod.ReadOnly == nil || !*prod.ReadOnly {
		t.Errorf("prod: got %+v; want password-env, thumbprint and readonly: true", prod)
	}
	lab := fc.Contexts["lab"]
	if lab.PasswordFile != "/home/u/.config/vtui/lab.password" || lab.Insecure == nil || !*lab.Insecure {
		t.Errorf("lab: got %+v; want password-file ~/.config/vtui/lab.password and insecure: true", lab)
	}

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				// depth 0: top-level keys; 2: context keys (1 is the names).
				if depth == 0 || depth == 2 {
					used[n.Content[i].Value] = true
				}
				walk(n.Content[i+1], depth+1)
			}
		}
		for _, c := range n.Content {
			if n.Kind != yaml.MappingNode {
				walk(c, depth)
			}
		}
	}
	walk(&doc, 0)
	for _, k := range slices.Concat(strictyaml.Keys(configFileYAML{}), strictyaml.Keys(Context{})) {
		if !used[k] {
			t.Errorf("config.example.yaml does not use the key %q", k)
		}
	}
}

// TestSecretSources: a BMC password comes from the variable or the file
// the plan names, held to the rules of vCenter's, or from a prompt on a
// terminal; with none, the error says how to give one.
func TestSecretSources(t *testing.T) {
	dir := t.TempDir()
	pwFile, openFile := filepath.Join(dir, "pw"), filepath.Join(dir, "open")
	configtest.WriteFile(t, pwFile, "from-file\n", 0o600)
	configtest.WriteFile(t, openFile, "from-open-file\n", 0o644)
	env := func(name string) (string, bool) {
		return map[string]string{"BMC_PW": "from-env"}[name], name == "BMC_PW"
	}
	prompt := func(p string) (string, error) {
		if p != "Password for BMC user root: " {
			return "", fmt.Errorf("prompt %q", p)
		}
		return "typed", nil
	}
	for _, tt := range []struct {
		name, envVar, file string
		terminal           bool
		want               string
		wantErr            []string
	}{
		{"password-env", "BMC_PW", "", true, "from-env", nil},
		{"password-env unset", "NOPE", "", true, "", []string{"inject.bmc: password-env names NOPE, which is not set"}},
		{"password-file", "", pwFile, true, "from-file", nil},
		{"password-file readable by others", "", openFile, true, "", []string{"inject.bmc: password-file", "readable by others", "chmod 600"}},
		{"prompt", "", "", true, "typed", nil},
		{"no terminal", "", "", false, "", []string{"no password for BMC user root", "password-env or password-file in inject.bmc", "terminal"}},
	} {
		var ask func(string) (string, error)
		if tt.terminal {
			ask = prompt
		}
		got, err := ReadSecret(context.Background(), "inject.bmc", "BMC user root", tt.envVar, tt.file, env, ask)
		checkErr(t, tt.name, err, tt.wantErr)
		if got != tt.want {
			t.Errorf("%s: got %q; want %q", tt.name, got, tt.want)
		}
	}
}

// TestNoSessionCache: the session cache is on by default, and the flag,
// VTUI_NO_SESSION_CACHE and the config file's no-session-cache turn it
// off, in that order of precedence.
func TestNoSessionCache(t *testing.T) {
	tests := []struct {
		args []string
		env  configtest.Env
		file string
		want bool
	}{
		{nil, nil, "", false},
		{[]string{"--no-session-cache"}, nil, "", true},
		{nil, configtest.Env{"VTUI_NO_SESSION_CACHE": "true"}, "", true},
		{nil, nil, "no-session-cache: true\n", true},
		{[]string{"--no-session-cache=false"}, nil, "no-session-cache: true\n", false},
		{nil, configtest.Env{"VTUI_NO_SESSION_CACHE": "false"}, "no-session-cache: true\n", false},
	}
	for _, tt := range tests {
		s, err := resolveTest(t, tt.args, tt.env, tt.file)
		if err != nil || s.NoSessionCache != tt.want {
			t.Errorf("args %q env %v file %q: NoSessionCache %v, err %v; want %v", tt.args, tt.env, tt.file, s.NoSessionCache, err, tt.want)
		}
	}
}
