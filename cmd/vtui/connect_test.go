package main

import (
	"context"
	"errors"
	"testing"

	"github.com/vtui/vtui/cmd/internal/config"
	"github.com/vtui/vtui/cmd/internal/config/configtest"
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
