package config

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/vtui/vtui/cmd/internal/config/configtest"
)

// TestPlanContextRule holds the rule for a drill plan's context against
// the command's own connection: a plan without a context runs on the
// command's vCenter; a plan's context is used as --context would be,
// over the config file's current-context and GOVC_*; and a plan's context
// with --simulator, --url, VTUI_URL or another --context or VTUI_CONTEXT
// is refused, saying which of the two to drop.
func TestPlanContextRule(t *testing.T) {
	const (
		labURL  = "https://lab.example/sdk"
		prodURL = "https://prod.example/sdk"
		noFile  = "-"
	)
	file := func(current string) string {
		return "current-context: " + current + "\ncontexts:\n" +
			"  lab: {url: " + labURL + ", username: lab-user}\n" +
			"  prod: {url: " + prodURL + ", username: prod-user}\n"
	}
	simEnv := configtest.Env{"VTUI_URL": "https://127.0.0.1:8989/sdk", "VTUI_USERNAME": "user", "VTUI_PASSWORD": "pw", "VTUI_THUMBPRINT": "AB:CD"}
	tests := []struct {
		plan    string // the plan's context
		args    []string
		env     configtest.Env
		current string // the config file's current-context, noFile for none
		// what the drill connects to, or the error
		wantURL, wantUser, wantContext, wantSim string
		wantErr                                 []string
	}{
		// A plan without a context: the command's connection, whatever it is.
		{plan: "", current: noFile},
		{plan: "", env: simEnv, current: noFile, wantURL: "https://127.0.0.1:8989/sdk", wantUser: "user"},
		{plan: "", args: []string{"--simulator=small"}, current: noFile, wantSim: "small"},
		{plan: "", args: []string{"--context", "prod"}, wantURL: prodURL, wantUser: "prod-user", wantContext: "prod"},
		{plan: "", current: "prod", wantURL: prodURL, wantUser: "prod-user", wantContext: "prod"},
		// A plan's context, as --context would use it.
		{plan: "lab", wantURL: labURL, wantUser: "lab-user", wantContext: "lab"},
		{plan: "lab", current: "prod", wantURL: labURL, wantUser: "lab-user", wantContext: "lab"},
		{plan: "lab", current: "lab", wantURL: labURL, wantUser: "lab-user", wantContext: "lab"},
		{plan: "lab", args: []string{"--context", "lab"}, current: "prod", wantURL: labURL, wantUser: "lab-user", wantContext: "lab"},
		{plan: "lab", env: configtest.Env{"VTUI_CONTEXT": "lab"}, wantURL: labURL, wantUser: "lab-user", wantContext: "lab"},
		{plan: "lab", env: configtest.Env{"GOVC_URL": "govc.example", "GOVC_USERNAME": "govc-user"}, wantURL: labURL, wantUser: "lab-user", wantContext: "lab"},
		{plan: "lab", env: configtest.Env{"VTUI_USERNAME": "bob"}, current: "prod", wantURL: labURL, wantUser: "bob", wantContext: "lab"},
		{plan: "lab", args: []string{"--readonly"}, wantURL: labURL, wantUser: "lab-user", wantContext: "lab"},
		// A plan's context and another vCenter: refused, naming both.
		{plan: "lab", env: simEnv, current: noFile, wantErr: []string{
			`the plan names context "lab", and VTUI_URL names https://127.0.0.1:8989/sdk: remove "context: lab" from the plan to use VTUI_URL, or unset VTUI_URL to use context lab`}},
		{plan: "lab", env: simEnv, current: "lab", wantErr: []string{"VTUI_URL names", "unset VTUI_URL"}},
		{plan: "lab", args: []string{"--url", "vc01"}, wantErr: []string{"--url names vc01", `remove "context: lab" from the plan to use --url, or drop --url`}},
		{plan: "lab", args: []string{"--simulator"}, wantErr: []string{"--simulator runs its own vCenter", "or drop --simulator to use context lab"}},
		{plan: "lab", args: []string{"--context", "prod"}, wantErr: []string{`--context names context "prod"`, "or drop --context to use context lab"}},
		{plan: "lab", env: configtest.Env{"VTUI_CONTEXT": "prod"}, current: "lab", wantErr: []string{`VTUI_CONTEXT names context "prod"`, "unset VTUI_CONTEXT"}},
		// A plan's context that does not exist.
		{plan: "lab", current: noFile, wantErr: []string{`context "lab" (from the drill plan): no config file`}},
		{plan: "test", wantErr: []string{`context "test"`, "lab, prod"}},
	}
	for _, tt := range tests {
		input := fmt.Sprintf("plan context %q, vtui %q, env %v, current-context %q", tt.plan, tt.args, tt.env, tt.current)
		t.Run(input, func(t *testing.T) {
			home := t.TempDir()
			if tt.current != noFile {
				configtest.WriteFile(t, filepath.Join(home, ".config", "vtui", "config.yaml"), file(tt.current), 0o600)
			}
			in := testInput(t, home, tt.args, tt.env)
			cur, _, err := Resolve(context.Background(), in)
			if err != nil {
				t.Fatalf("the command's settings: %v", err)
			}
			got, err := ForPlan(context.Background(), cur, in, tt.plan)
			if tt.wantErr != nil {
				checkErr(t, input, err, tt.wantErr) // and exit 2
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", input, err)
			}
			if got.Conn.URL != tt.wantURL || got.Conn.Username != tt.wantUser || got.ContextName != tt.wantContext || got.Simulator != tt.wantSim {
				t.Errorf("%s:\n got url %q, user %q, context %q, simulator %q;\nwant url %q, user %q, context %q, simulator %q", input,
					got.Conn.URL, got.Conn.Username, got.ContextName, got.Simulator, tt.wantURL, tt.wantUser, tt.wantContext, tt.wantSim)
			}
			if got.ReadOnly != cur.ReadOnly || got.DryRun != cur.DryRun || got.Yes != cur.Yes {
				t.Errorf("%s: the plan's context lost the command's --readonly, --dry-run or --yes", input)
			}
		})
	}
}

// TestTUIOrigin: the terminal UI is told when its first vCenter is not a
// context of the config file, and what named it, so that its drill view
// refuses a plan's context there (ui/drill); a context, chosen by any
// means, is no such origin.
func TestTUIOrigin(t *testing.T) {
	file := "current-context: lab\ncontexts:\n  lab: {url: https://lab.example/sdk, username: u}\n  prod: {url: https://prod.example/sdk, username: u}\n"
	tests := []struct {
		args []string
		env  configtest.Env
		file bool
		want string
	}{
		{file: true, want: ""},
		{args: []string{"--context", "prod"}, file: true, want: ""},
		{env: configtest.Env{"VTUI_CONTEXT": "prod"}, file: true, want: ""},
		{env: configtest.Env{"GOVC_URL": "govc.example", "GOVC_USERNAME": "u"}, file: true, want: ""},
		{args: []string{"--simulator"}, file: true, want: "--simulator"},
		{args: []string{"--url", "vc01", "--username", "u"}, file: true, want: "--url"},
		{env: configtest.Env{"VTUI_URL": "vc01", "VTUI_USERNAME": "u"}, file: true, want: "VTUI_URL"},
		{env: configtest.Env{"GOVC_URL": "govc.example", "GOVC_USERNAME": "u"}, want: "GOVC_URL"},
	}
	for _, tt := range tests {
		input := fmt.Sprintf("vtui %q, env %v, config file %t", tt.args, tt.env, tt.file)
		home := t.TempDir()
		if tt.file {
			configtest.WriteFile(t, filepath.Join(home, ".config", "vtui", "config.yaml"), file, 0o600)
		}
		s, _, err := Resolve(context.Background(), testInput(t, home, tt.args, tt.env))
		if err != nil {
			t.Fatalf("%s: %v", input, err)
		}
		if got := s.Origin(); got != tt.want {
			t.Errorf("%s: the terminal UI's origin is %q; want %q", input, got, tt.want)
		}
	}
}
