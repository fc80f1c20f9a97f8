package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/vtui/vtui/cmd/internal/config/configtest"
	"github.com/vtui/vtui/ui"
	"github.com/vtui/vtui/vsphere"
)

// TestTUIConnectResumesCachedSessions: the terminal UI logs in as vtui get
// does. With no cached session it asks for the first context's password
// once, up front on the terminal, and another context with no password
// source needs one (ui.ErrPasswordRequired, for the UI's dialog). Once
// those sessions are cached, a new UI asks for nothing: both contexts,
// the first and another as :ctx and the view across contexts reach it,
// resume their sessions.
func TestTUIConnectResumesCachedSessions(t *testing.T) {
	if testing.Short() {
		t.Skip("starts simulators")
	}
	main, other := startSimulator(t, "u", "pw-main"), startSimulator(t, "u", "pw-other")
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	configtest.WriteFile(t, cfg, fmt.Sprintf(`contexts:
  main: {url: %q, username: u, thumbprint: %q}
  other: {url: %q, username: u, thumbprint: %q}
`, main.URL, main.Thumbprint, other.URL, other.Thumbprint), 0o600)
	cacheDir := t.TempDir()
	ctx := context.Background()
	// start prepares a UI's logins on context main as runTUI does; answer
	// is the terminal's answer to a password prompt, and asked counts them.
	start := func(answer string) (connect func(context.Context, string, string) (*vsphere.Client, error), asked *int) {
		t.Helper()
		sys := testSys(t, nil)
		sys.cacheDir, sys.terminal = cacheDir, true
		asked = new(int)
		sys.promptPassword = func(context.Context, string) (string, error) { *asked++; return answer, nil }
		a := newApp(sys)
		root := newRootCmd(a)
		if err := root.ParseFlags([]string{"--config", cfg, "--context", "main"}); err != nil {
			t.Fatal(err)
		}
		root.SetContext(ctx)
		if err := a.init(root); err != nil {
			t.Fatal(err)
		}
		connect, err := a.tuiConnect(ctx, a.settings, "main")
		if err != nil {
			t.Fatalf("tuiConnect: %v", err)
		}
		return connect, asked
	}
	login := func(connect func(context.Context, string, string) (*vsphere.Client, error), name, password string) error {
		t.Helper()
		c, err := connect(ctx, name, password)
		if err == nil {
			err = c.Close(ctx)
		}
		return err
	}

	connect, asked := start("pw-main")
	if *asked != 1 {
		t.Errorf("no cached session: asked for the first password %d times before the UI; want once", *asked)
	}
	if err := login(connect, "main", ""); err != nil {
		t.Errorf("no cached session: the first context with the password asked for up front: %v", err)
	}
	if err := login(connect, "other", ""); !errors.Is(err, ui.ErrPasswordRequired) {
		t.Errorf("no cached session, no password source: got %v; want ui.ErrPasswordRequired", err)
	}
	if err := login(connect, "other", "pw-other"); err != nil {
		t.Errorf("the password from the UI's dialog: %v", err)
	}

	connect, asked = start("pw-main") // answers, but must not be asked
	if *asked != 0 {
		t.Errorf("cached sessions: asked for the password %d times; want never", *asked)
	}
	for _, name := range []string{"main", "other"} {
		if err := login(connect, name, ""); err != nil {
			t.Errorf("context %s with a cached session and no password source: %v; want it resumed", name, err)
		}
	}
	if *asked != 0 {
		t.Errorf("cached sessions: asked for the password %d times; want never", *asked)
	}
}
