package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/spf13/cobra"

	"github.com/vtui/vtui/cmd/internal/config"
	"github.com/vtui/vtui/internal/gcpolicy"
	"github.com/vtui/vtui/ui"
	"github.com/vtui/vtui/vsphere"
)

// firstScreenHeap and firstScreenWait bound the heap and the time while
// the collector is off before the first screen: at 45,000 VMs the first
// screen holds 50 MB and comes within a second; a password prompt or an
// unreachable vCenter may hold it back for ever.
const (
	firstScreenHeap = 256 << 20
	firstScreenWait = 10 * time.Second
)

// runTUI is what `vtui` does without a command: the terminal UI on the
// selected context or the simulator. With nothing configured it explains
// how to get going instead.
func runTUI(cmd *cobra.Command, a *app) error {
	s := a.settings
	if s.Simulator == "" && s.ContextName == "" && s.Conn.URL == "" {
		return writeNotConfigured(cmd, a)
	}
	if !a.sys.terminal {
		return usageErrorf("the terminal UI needs a terminal; from scripts use a command such as 'vtui get vms' (see 'vtui --help')")
	}
	ctx := cmd.Context()
	name := s.ContextName
	switch {
	case s.Simulator != "":
		name = "simulator:" + s.Simulator
	case name == "":
		name = vsphere.RedactURL(s.Conn.URL)
	}
	first := name
	connect, err := a.tuiConnect(ctx, s, first)
	if err != nil {
		return err
	}
	if v, ok := a.sys.lookupEnv("NO_COLOR"); ok && v != "" {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	// Left to itself, lipgloss asks the terminal for its background
	// colour on the first render: a terminal that never answers delays the
	// first screen by 5 s, and an answer that comes late lands in the
	// input as keys.
	lipgloss.SetHasDarkBackground(darkBackground(a.sys.lookupEnv))
	// Until the first screen the collector is off (0.2 s of it at
	// 45,000 VMs), bounded by firstScreenHeap; not when the simulator is
	// built here, whose gigabyte is not the first screen's.
	resume := func() {}
	if s.Simulator == "" {
		resume = gcpolicy.Pause(firstScreenHeap, firstScreenWait, a.sys.lookupEnv)
	}
	defer resume()
	contexts := a.contextNames()
	if !slices.Contains(contexts, first) {
		contexts = append([]string{first}, contexts...)
	}
	m := ui.New(ui.Config{
		Context:  first,
		Origin:   s.Origin(),
		Contexts: contexts,
		About:    a.aboutContexts(ctx, first, s, contexts),
		Connect:  connect,
		Log:      a.log,

		BMCPassword: a.viewBMCPassword,
		FirstScreen: resume,
	})
	// The process has one owner of SIGINT and SIGTERM: main's
	// signal.NotifyContext, which cancels ctx. Bubble Tea's own handler is
	// off: both catching one signal deadlocked, its goroutine blocked
	// sending QuitMsg to an event loop that ctx had already ended, while
	// the program's shutdown waited for that goroutine. With ctx alone, a
	// signal ends the event loop and the terminal is restored at once.
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithContext(ctx),
		tea.WithoutSignalHandler(), tea.WithInput(a.sys.stdin), tea.WithOutput(a.sys.stdout))
	_, err = p.Run()
	if journal, ok := m.DrillRunning(); ok {
		// As the CLI's: the drill's context ends, and it rolls back before
		// vtui exits, within its own bound; a second signal ends vtui now.
		fmt.Fprintf(a.sys.stderr, "vtui: the drill rolls back before vtui exits (journal %s); a second Ctrl-C stops waiting, and then vtui drill rollback with that journal finishes it\n", journal)
	}
	if cerr := m.Close(context.WithoutCancel(ctx)); cerr != nil {
		a.log.Warn("logout failed", "err", cerr)
	}
	// A signal ends the program through ctx: Run's error then wraps
	// ctx's, and execute reports "interrupted" with exit 1, as for every
	// command. A quit by key returns nil.
	if err != nil {
		return fmt.Errorf("terminal UI: %w", err)
	}
	return nil
}

// tuiConnect returns the terminal UI's Config.Connect for a UI started
// with s on the context named first. Before the UI starts, while the
// terminal is still ours, it asks for first's password only if a login
// will need one that nothing else supplies: no session of first is kept
// in the session cache (it reads the file, sending nothing) and s has no
// password source. An unreachable vCenter thus never holds the terminal
// before the UI draws.
//
// connect logs in as `vtui get` does (see login), resuming a cached
// session when there is one, but asks no one: when a login needs a
// password and the context has no source (a kept session that expired,
// say), it returns an error wrapping ui.ErrPasswordRequired, and the UI
// asks in a dialog (as for a *vsphere.LoginError, a wrong one) and calls
// again with it; the password lives only in that call's copy of the
// settings.
func (a *app) tuiConnect(ctx context.Context, s config.Settings, first string) (
	connect func(ctx context.Context, name, password string) (*vsphere.Client, error), err error) {
	if s.Simulator == "" && s.Conn.Password == "" && !vsphere.HasCachedSession(a.sessionDir(s), s.Conn.URL, s.Conn.Username) {
		if s.Conn.Password, err = a.password(ctx, s, true); err != nil {
			return nil, err
		}
	}
	return func(ctx context.Context, name, password string) (*vsphere.Client, error) {
		cs := s
		if name != first {
			var err error
			if cs, err = a.resolveContext(ctx, name); err != nil {
				return nil, err
			}
		}
		if password != "" {
			cs.Conn.Password = password
		}
		c, err := a.login(ctx, cs, false)
		if needsPassword(err) {
			return nil, fmt.Errorf("%w: %w", ui.ErrPasswordRequired, err)
		}
		return c, inContext(cs, err)
	}, nil
}

// aboutContexts is what :ctx shows of each context: the first's from its
// settings s, the others' as switching to them would resolve them. One
// that does not resolve (its error shows on switching) is left out.
func (a *app) aboutContexts(ctx context.Context, first string, s config.Settings, names []string) map[string]ui.ContextInfo {
	about := map[string]ui.ContextInfo{}
	for _, name := range names {
		cs := s
		if name != first {
			var err error
			if cs, err = a.resolveContext(ctx, name); err != nil {
				continue
			}
		}
		info := ui.ContextInfo{URL: vsphere.RedactURL(cs.Conn.URL), User: cs.Conn.Username, ReadOnly: cs.ReadOnly}
		if cs.Simulator != "" {
			info.URL, info.User = "in-process simulator ("+cs.Simulator+")", "-"
		}
		about[name] = info
	}
	return about
}

// darkBackground tells from COLORFGBG ("15;0": foreground 15 on
// background 0), which many terminals set, whether the background is
// dark; without it, dark, the common case.
func darkBackground(env config.LookupEnvFunc) bool {
	v, _ := env("COLORFGBG")
	bg := v[strings.LastIndex(v, ";")+1:]
	return bg != "7" && bg != "15"
}

// writeNotConfigured tells a first-time user the three ways to get going.
func writeNotConfigured(cmd *cobra.Command, a *app) error {
	path := a.settings.ConfigFile
	if path == "" {
		path = config.DefaultPath(a.sys.lookupEnv, a.sys.home)
	}
	if path == "" {
		path = "$XDG_CONFIG_HOME/vtui/config.yaml"
	}
	_, err := fmt.Fprintf(cmd.OutOrStdout(), `vtui does not know which vCenter to connect to yet.

Try it against the built-in simulator:
  vtui --simulator

Or name a vCenter in the environment (govc's GOVC_URL, GOVC_USERNAME and
GOVC_PASSWORD work too); the password is asked for on a terminal, or read
from VTUI_PASSWORD:
  export VTUI_URL=vc01.example.com
  export VTUI_USERNAME=administrator@vsphere.local
  vtui get vms

Or add a context to %s
(config.example.yaml in the vtui sources documents every key), then:
  vtui --context NAME

See 'vtui --help' for all flags.
`, path)
	return err
}
