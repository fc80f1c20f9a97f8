package main

import (
	"context"
	"errors"
	"maps"
	"path/filepath"
	"testing"

	"github.com/vtui/vtui/cmd/internal/config"
	"github.com/vtui/vtui/cmd/internal/config/configtest"
	"github.com/vtui/vtui/ui"
)

func TestConnectWithoutPassword(t *testing.T) {
	sys := testSys(t, configtest.Env{"VTUI_URL": "127.0.0.1:1", "VTUI_USERNAME": "u"})
	a := newApp(sys)
	root := newRootCmd(a)
	if err := root.ParseFlags([]string{"--connect-timeout", "1s"}); err != nil {
		t.Fatal(err)
	}
	root.SetContext(context.Background()) // as ExecuteContext would
	if err := a.init(root); err != nil {
		t.Fatal(err)
	}
	_, err := a.connect(context.Background())
	checkErr(t, "connect without a password or a terminal", err, []string{"no password for u at 127.0.0.1:1", "VTUI_PASSWORD", "terminal"})
	if !errors.Is(err, config.ErrNoPassword) {
		t.Errorf("got %v; want it to wrap config.ErrNoPassword", err)
	}
}

func TestConnectWithoutURL(t *testing.T) {
	a := newApp(testSys(t, nil))
	_, err := a.connectWith(context.Background(), config.Settings{})
	checkErr(t, "connect without a URL", err, []string{"no vCenter URL", "--url", "VTUI_URL", "--simulator"})
}

// TestConnectSimulator starts the small simulator preset in-process and logs
// in with its certificate pinned.
func TestConnectSimulator(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a simulator")
	}
	a := newApp(testSys(t, nil))
	root := newRootCmd(a)
	if err := root.ParseFlags([]string{"--simulator=small"}); err != nil {
		t.Fatal(err)
	}
	root.SetContext(context.Background()) // as ExecuteContext would
	if err := a.init(root); err != nil {
		t.Fatal(err)
	}
	defer a.close()
	ctx := context.Background()
	c, err := a.connect(ctx)
	if err != nil {
		t.Fatalf("connect --simulator=small: %v", err)
	}
	if err := c.Close(ctx); err != nil {
		t.Errorf("close: %v", err)
	}
	if a.sim == nil || a.sim.Thumbprint == "" {
		t.Fatalf("simulator not kept, or without a thumbprint")
	}
	// A second connect reuses the running simulator.
	srv := a.sim
	c, err = a.connect(ctx)
	if err != nil {
		t.Fatalf("second connect: %v", err)
	}
	_ = c.Close(ctx)
	if a.sim != srv {
		t.Errorf("second connect started another simulator")
	}
}

// TestAboutContexts: :ctx shows each context's URL, user and read-only
// flag as switching to it would resolve them: a context's readonly, and
// --readonly for every context.
func TestAboutContexts(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	configtest.WriteFile(t, cfg, `contexts:
  lab: {url: vc-lab.example.com, username: admin@lab}
  prod: {url: vc-prod.example.com, username: auditor@prod, readonly: true}
`, 0o600)
	for _, tt := range []struct {
		flags []string
		want  map[string]ui.ContextInfo
	}{
		{nil, map[string]ui.ContextInfo{
			"lab":  {URL: "vc-lab.example.com", User: "admin@lab"},
			"prod": {URL: "vc-prod.example.com", User: "auditor@prod", ReadOnly: true},
		}},
		{[]string{"--readonly"}, map[string]ui.ContextInfo{
			"lab":  {URL: "vc-lab.example.com", User: "admin@lab", ReadOnly: true},
			"prod": {URL: "vc-prod.example.com", User: "auditor@prod", ReadOnly: true},
		}},
	} {
		a := newApp(testSys(t, nil))
		root := newRootCmd(a)
		if err := root.ParseFlags(append([]string{"--config", cfg, "--context", "lab"}, tt.flags...)); err != nil {
			t.Fatal(err)
		}
		root.SetContext(context.Background())
		if err := a.init(root); err != nil {
			t.Fatal(err)
		}
		got := a.aboutContexts(context.Background(), "lab", a.settings, a.contextNames())
		if !maps.Equal(got, tt.want) {
			t.Errorf("flags %q: %v; want %v", tt.flags, got, tt.want)
		}
	}
}
