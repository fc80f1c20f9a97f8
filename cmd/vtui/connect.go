package main

// Connecting: to the configured vCenter, with the password from its source
// or the terminal, or to the in-process simulator; switching context.

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/vtui/vtui/cmd/internal/config"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/sim"
)

// connect logs in to the vCenter of a.settings: the in-process simulator
// with --simulator, else the configured one, asking for the password on a
// terminal if nothing else supplies it. The caller closes the client.
func (a *app) connect(ctx context.Context) (*vsphere.Client, error) {
	return a.connectWith(ctx, a.settings)
}

// connectWith logs in with s, e.g. from resolveContext, resuming the
// session kept by the previous call unless s.NoSessionCache. If s.Conn.Password
// is empty and the login needs one (no cached session resumes), it is read
// from s's password source, or asked for on a terminal.
// The client carries s's --readonly and --dry-run policy, so every gate
// made on it, the CLI's and the terminal UI's alike, obeys them.
func (a *app) connectWith(ctx context.Context, s config.Settings) (*vsphere.Client, error) {
	return a.login(ctx, s, true)
}

// login is connectWith. The password is read only when the login needs
// it (no cached session resumes). With ask false it asks no one: the
// password comes from s's source, or else only a cached session is
// resumed (config.ErrNoPassword or vsphere.ErrNoSession when there is
// none); and its errors do not name the context, which the caller of
// many contexts at once does.
func (a *app) login(ctx context.Context, s config.Settings, ask bool) (*vsphere.Client, error) {
	opts := []vsphere.Option{
		vsphere.WithLogger(a.log),
		vsphere.WithPolicy(vsphere.Policy{ReadOnly: s.ReadOnly, DryRun: s.DryRun}),
	}
	if s.Simulator != "" {
		return a.connectSimulator(ctx, s, opts)
	}
	if dir := a.sessionDir(s); dir != "" {
		opts = append(opts, vsphere.WithSessionCache(dir))
	}
	if s.Conn.URL == "" {
		return nil, usageErrorf("no vCenter URL: use --url, VTUI_URL or GOVC_URL, or a context of the config file (--context NAME); or try --simulator")
	}
	if err := s.CheckURL(); err != nil {
		return nil, err
	}
	if s.Conn.Username == "" {
		return nil, usageErrorf("no user name for %s: use --username, VTUI_USERNAME or GOVC_USERNAME, or username in the context", vsphere.RedactURL(s.Conn.URL))
	}
	cfg := s.Conn
	if err := cfg.Validate(ctx); err != nil {
		return nil, usageErrorf("%s", strings.TrimPrefix(err.Error(), vsphere.ErrInvalidConfig.Error()+": "))
	}
	// Read only if the login needs it: a cached session resumes without.
	opts = append(opts, vsphere.WithPassword(func(ctx context.Context) (string, error) {
		pw, err := a.password(ctx, s, ask)
		if err != nil {
			err = passwordError{err}
		}
		return pw, err
	}))
	log := a.log.With("url", vsphere.RedactURL(cfg.URL), "username", cfg.Username, "context", s.ContextName)
	log.Info("connecting")
	c, err := vsphere.Connect(ctx, cfg, opts...)
	if err != nil {
		log.Error("connect failed", "err", err)
		if ask {
			return nil, inContext(s, err)
		}
		return nil, err
	}
	log.Info("connected", "policy", c.Policy())
	return c, nil
}

// needsPassword reports whether err, from login without asking, means the
// login needs a password that nothing supplied: no source, and no cached
// session that resumes.
func needsPassword(err error) bool {
	return errors.Is(err, vsphere.ErrNoSession) || errors.Is(err, config.ErrNoPassword)
}

// embeddedHA is the HA emulation's timing in the in-process simulator:
// quicker than vSphere's 15 s detection and a guest's boot, so that a
// demo drill takes seconds, yet shows restarts booting in parallel.
var embeddedHA = sim.HAOptions{DetectDelay: 2 * time.Second, BootTime: 300 * time.Millisecond, BootTimeMax: 800 * time.Millisecond, Seed: 1}

// connectSimulator starts the in-process simulator once and logs in to it,
// pinning its certificate rather than skipping verification.
func (a *app) connectSimulator(ctx context.Context, s config.Settings, opts []vsphere.Option) (*vsphere.Client, error) {
	if a.sim == nil {
		spec, err := sim.Preset(s.Simulator)
		if err != nil {
			return nil, usageErrorf("--simulator: %w", err)
		}
		a.log.Info("starting simulator", "preset", s.Simulator)
		srv, err := sim.Start(ctx, spec, sim.Options{Listen: "127.0.0.1:0", HA: embeddedHA})
		if err != nil {
			return nil, fmt.Errorf("--simulator=%s: %w", s.Simulator, err)
		}
		a.sim, a.simPreset = srv, s.Simulator
	} else if a.simPreset != s.Simulator {
		return nil, fmt.Errorf("simulator %q is running; cannot start %q as well", a.simPreset, s.Simulator)
	}
	u := *a.sim.URL
	u.User = nil
	cfg := vsphere.Config{
		URL:        u.String(),
		Username:   a.sim.Username,
		Password:   a.sim.Password,
		Thumbprint: a.sim.Thumbprint,
		Timeout:    s.Conn.Timeout,
	}
	c, err := vsphere.Connect(ctx, cfg, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to simulator: %w", err)
	}
	a.log.Info("connected to simulator", "url", cfg.URL, "preset", s.Simulator, "policy", c.Policy())
	return c, nil
}

// password returns the password for s from its source. With no source it
// asks on the terminal if prompt is true and there is one; otherwise it
// returns an error wrapping config.ErrNoPassword that names the ways to supply one.
// The terminal UI passes prompt=false while it owns the screen.
func (a *app) password(ctx context.Context, s config.Settings, prompt bool) (string, error) {
	var ask func(string) (string, error)
	if prompt && a.sys.promptPassword != nil {
		ask = func(p string) (string, error) { return a.sys.promptPassword(ctx, p) }
	}
	return config.ReadPassword(ctx, s, a.sys.lookupEnv, ask)
}

// contextNames lists the config file's contexts, sorted; nil without a file.
func (a *app) contextNames() []string { return a.config.ContextNames() }

// resolveContext returns the settings for switching to the named context:
// the context's own connection values (connection flags and VTUI_*/GOVC_*
// connection variables are dropped), with the other flags kept. Its
// Conn.Password is empty; connectWith reads it.
func (a *app) resolveContext(ctx context.Context, name string) (config.Settings, error) {
	in := a.configInput(a.flags)
	in.Context = &name
	s, _, err := config.Resolve(ctx, in)
	return s, err
}

// connectContext logs in to the config file's context name without asking
// anyone, for listings that ask many contexts at once (prompting once
// per context would be a poor way to ask): the password comes from the
// context's password-env or password-file, or else the session an
// earlier vtui run kept in the session cache is resumed. A context with
// neither fails, and its error says how to give it one. It is a
// kinds.Connector; its errors do not name the context, the caller does.
func (a *app) connectContext(ctx context.Context, name string) (*vsphere.Client, error) {
	s, err := a.resolveContext(ctx, name)
	if err != nil {
		return nil, err
	}
	c, err := a.login(ctx, s, false)
	if needsPassword(err) {
		return nil, usageErrorf("no password for %s at %s, and no session kept from an earlier run: set password-env or password-file in context %q of %s, or log in once with 'vtui --context %s get clusters' on a terminal: later runs resume its session (unless --no-session-cache)",
			s.Conn.Username, vsphere.RedactURL(s.Conn.URL), name, s.ConfigFile, name)
	}
	return c, err
}

// sessionDir is where s's session is kept between calls, or "" when
// none is (--no-session-cache, or no cache directory).
func (a *app) sessionDir(s config.Settings) string {
	if s.NoSessionCache || a.sys.cacheDir == "" {
		return ""
	}
	return filepath.Join(a.sys.cacheDir, "vtui", "sessions")
}

// passwordError is an error of reading a password from its source, which
// already says where the source is (its context, if any).
type passwordError struct{ err error }

func (e passwordError) Error() string { return e.err.Error() }
func (e passwordError) Unwrap() error { return e.err }

// inContext names s's context in err, unless err already does: one of a
// password source (passwordError) names it itself.
func inContext(s config.Settings, err error) error {
	if err == nil || s.ContextName == "" || errors.As(err, new(passwordError)) {
		return err
	}
	return fmt.Errorf("context %q: %w", s.ContextName, err)
}
