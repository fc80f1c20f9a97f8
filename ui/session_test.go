package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// TestPasswordDialog: a context with no password source opens a masked
// password prompt; a wrong password says so and asks again; the right one
// connects. The password shows nowhere and is not kept.
func TestPasswordDialog(t *testing.T) {
	srv := vspheretest.Start(t, "small")
	var logs bytes.Buffer
	a := New(Config{Context: "lab", Contexts: []string{"lab"}, Log: slog.New(slog.NewTextHandler(&logs, nil)),
		Connect: func(ctx context.Context, _, password string) (*vsphere.Client, error) {
			if password == "" {
				return nil, fmt.Errorf("%w: no password source for lab", ErrPasswordRequired)
			}
			cfg := vspheretest.Config(srv)
			cfg.Password = password
			return vsphere.Connect(ctx, cfg)
		}})
	l := run(t, a)
	l.until("the password prompt", func() bool { return a.password != nil })
	if screen := a.View(); !strings.Contains(screen, "log in to lab") {
		t.Errorf("the prompt does not say what it is for:\n%s", screen)
	}

	const wrong = "not-the-password"
	l.keys(wrong)
	if screen := a.View(); strings.Contains(screen, wrong) {
		t.Errorf("the password shows as typed:\n%s", screen)
	}
	l.keys("<enter>")
	l.until("the prompt again, saying why", func() bool {
		return a.password != nil && strings.Contains(a.View(), "incorrect user name or password")
	})

	l.keys(srv.Password)
	if screen := a.View(); strings.Contains(screen, srv.Password) {
		t.Errorf("the password shows as typed:\n%s", screen)
	}
	l.keys("<enter>")
	l.until("the inventory", func() bool { return a.state == vsphere.Live && a.inv != nil })
	if a.password != nil {
		t.Errorf("the prompt is still open after logging in")
	}
	for _, secret := range []string{wrong, srv.Password} {
		if strings.Contains(logs.String(), secret) || strings.Contains(a.View(), secret) {
			t.Errorf("a password appears in the log or on the screen")
		}
	}
}

// TestContextSwitchAsksForAPassword: :ctx to a context with no password
// source prompts in the UI; Esc gives up and says how to try again.
func TestContextSwitchAsksForAPassword(t *testing.T) {
	srv := vspheretest.Start(t, "small")
	a := New(Config{Context: "lab", Contexts: []string{"lab", "prod"},
		Connect: func(ctx context.Context, name, password string) (*vsphere.Client, error) {
			if name == "prod" && password == "" {
				return nil, fmt.Errorf("%w: no password source for prod", ErrPasswordRequired)
			}
			return vsphere.Connect(ctx, vspheretest.Config(srv))
		}})
	l := run(t, a)
	l.until("lab", func() bool { return a.state == vsphere.Live && a.inv != nil })
	l.keys(":ctx prod", "<enter>")
	l.until("the password prompt for prod", func() bool { return a.password != nil && a.password.name == "prod" })
	l.keys("<esc>")
	if a.password != nil || !strings.Contains(a.statusBar(), "not connected to prod: no password given; :ctx prod to try again") {
		t.Errorf("after esc: prompt %v, status %q; want it closed and how to try again", a.password != nil, a.statusBar())
	}
}

// TestNotesEndWithTheirCause: a bad command's error goes with the next
// key; a failed switch's error goes once a context connects; "connection
// lost" goes once the connection is live again.
func TestNotesEndWithTheirCause(t *testing.T) {
	srv := vspheretest.Start(t, "small")
	a := New(Config{Context: "lab", Contexts: []string{"lab", "prod"},
		Connect: func(ctx context.Context, name, _ string) (*vsphere.Client, error) {
			if name == "prod" {
				return nil, errors.New("no route to host")
			}
			return vsphere.Connect(ctx, vspheretest.Config(srv))
		}})
	l := run(t, a)
	live := func() bool { return a.state == vsphere.Live && a.inv != nil }
	l.until("lab", live)

	l.keys(":bogus", "<enter>")
	if !strings.Contains(a.statusBar(), `unknown command "bogus"`) {
		t.Fatalf("status %q; want the unknown command", a.statusBar())
	}
	l.keys("j")
	if strings.Contains(a.statusBar(), "bogus") {
		t.Errorf("status %q after the next key; want the unknown command gone", a.statusBar())
	}

	l.keys(":ctx prod", "<enter>")
	l.until("the failed switch", func() bool { return strings.Contains(a.statusBar(), "no route to host") })
	l.keys(":ctx lab", "<enter>")
	l.until("lab again", live)
	if status := a.statusBar(); strings.Contains(status, "no route") || strings.Contains(status, "disconnected") {
		t.Errorf("status %q after switching back; want prod's error gone", status)
	}

	l.send(staleWatch(a))
	if status := a.statusBar(); !strings.Contains(status, "connection lost") {
		t.Fatalf("status %q; want connection lost", status)
	}
	l.send(watchMsg{gen: a.gen, update: vsphere.WatchUpdate{Data: a.inv, State: vsphere.Live, Seq: 1<<60 + 1}})
	if status := a.statusBar(); strings.Contains(status, "connection lost") || !strings.Contains(status, "connected") {
		t.Errorf("status %q once live; want connected and no connection lost", status)
	}
}
