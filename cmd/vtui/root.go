package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/vtui/vtui/cmd/internal/config"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/sim"
)

// version is vtui's version, set at build time:
//
//	go build -ldflags "-X main.version=v1.2.3" ./cmd/vtui
var version = "dev"

// annotationNoConfig on a command (or a parent) skips reading the config
// file, so that `vtui version` works even when the file is broken.
const annotationNoConfig = "vtui/no-config"

const rootLong = `vtui browses and operates a VMware vSphere inventory. Run without a
command it opens a k9s-style terminal UI; its commands do the same work from
scripts and CI.

Connecting
  Each setting is taken from the first of:
    1. a flag: --url, --username, --insecure, --thumbprint, --ca-file, ...
    2. a VTUI_* environment variable: VTUI_URL, VTUI_USERNAME, VTUI_PASSWORD,
       VTUI_INSECURE, VTUI_THUMBPRINT, VTUI_CA_FILE, VTUI_READONLY,
       VTUI_TIMEOUT, VTUI_LOG_FILE (VTUI_CONTEXT and VTUI_CONFIG pick the
       context and the file)
    3. the selected context of the config file (--context, else VTUI_CONTEXT,
       else its current-context); only when no context is selected, govc's
       GOVC_URL, GOVC_USERNAME, GOVC_PASSWORD and GOVC_INSECURE
    4. the default
  The config file is $XDG_CONFIG_HOME/vtui/config.yaml (or
  ~/.config/vtui/config.yaml), or --config / VTUI_CONFIG.

  Passwords never go on the command line or in the config file. vtui reads
  VTUI_PASSWORD, a context's password-env (a variable's name) or
  password-file (a file only you can read), or asks on a terminal. Each
  password goes only to the vCenter it came with: a context's only to the
  context's url, GOVC_PASSWORD only to GOVC_URL, and VTUI_PASSWORD never to
  a context that has a password source of its own.

  Only https is used: an http URL is refused, since the password would
  travel in clear text. TLS is always verified: trust a private CA with
  --ca-file, pin the certificate with --thumbprint, or, in a lab, skip
  verification with --insecure. A thumbprint or CA file wins over insecure
  set elsewhere; both in the same place is an error. A context's insecure
  applies only to its own url, GOVC_INSECURE only to GOVC_URL.

Safety
  --readonly refuses every change before any request is sent; --dry-run shows
  what would change and changes nothing. Commands that change something ask
  first on a terminal, and without one they need --yes.

Exit codes
  0 ok, 1 the operation failed, 2 bad usage or input, 3 a drill ran but its
  expectations failed.`

const rootExample = `  # No vCenter at hand? Use the built-in simulator.
  vtui --simulator
  vtui --simulator=small get vms -o json

  # A vCenter from the environment; the password is asked for on a terminal.
  export VTUI_URL=vc01.example.com VTUI_USERNAME=administrator@vsphere.local
  vtui get vms -o json

  # A context from the config file.
  vtui --context prod get hosts
  vtui --context lab --readonly`

// newRootCmd builds the command tree. Commands read their settings from a
// after PersistentPreRunE has resolved them; subcommands must not define
// PersistentPreRun(E) of their own, or the root's would not run.
func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:           "vtui",
		Short:         "A terminal UI and CLI for VMware vSphere",
		Long:          rootLong,
		Example:       rootExample,
		Version:       fullVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
		// SuggestionsFor, unlike cobra's own error, needs this set.
		SuggestionsMinimumDistance: 2,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			if f := cmd.Flags().Lookup("simulator"); f != nil && f.Changed && slices.Contains(sim.PresetNames(), args[0]) {
				return usageErrorf("unknown command %q; to pick a simulator preset write --simulator=%s", args[0], args[0])
			}
			return unknownCommand(cmd, args[0])
		},
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return a.init(cmd)
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTUI(cmd, a)
		},
	}
	root.SetVersionTemplate("vtui {{.Version}}\n")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		if strings.Contains(err.Error(), "--password") {
			return usageErrorf("%w: passwords never go on the command line; set VTUI_PASSWORD, "+
				"use a context's password-env or password-file, or type it when asked", err)
		}
		return usageErrorf("%w (see '%s --help')", err, cmd.CommandPath())
	})
	config.AddFlags(root.PersistentFlags(), sim.PresetNames(), outputFormats)
	root.AddCommand(
		newVersionCmd(a),
		newGetCmd(a),
		newSimCmd(a),
	)
	root.AddCommand(newVMCmd(a), newHostCmd(a), newClusterCmd(a), newDrillCmd(a))
	root.SetHelpCommand(newHelpCmd(root))
	// cobra adds these when it runs; add them now so that they, too, exit
	// 2 on an unknown subcommand.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	enforceUsageErrors(root)
	return root
}

// enforceUsageErrors makes cobra's argument errors exit 2 in every command,
// and makes a command group (a command with subcommands but no Run) reject an
// unknown subcommand instead of printing help and exiting 0.
func enforceUsageErrors(parent *cobra.Command) {
	for _, c := range parent.Commands() {
		if c.Args != nil {
			validate := c.Args
			c.Args = func(cmd *cobra.Command, args []string) error {
				if err := validate(cmd, args); err != nil {
					return usageErrorf("%w (see '%s --help')", err, cmd.CommandPath())
				}
				return nil
			}
		}
		if c.HasSubCommands() && !c.Runnable() {
			c.RunE = func(cmd *cobra.Command, args []string) error {
				if len(args) == 0 {
					return cmd.Help()
				}
				return unknownCommand(cmd, args[0])
			}
		}
		enforceUsageErrors(c)
	}
}

// newHelpCmd is `vtui help [command]`; unlike cobra's own, an unknown
// topic is an error (exit 2), not a message and exit 0.
func newHelpCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:         "help [command]",
		Short:       "Help about any command",
		Annotations: map[string]string{annotationNoConfig: "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			target, rest, err := root.Find(args)
			if err != nil || len(rest) > 0 {
				name := strings.Join(args, " ")
				if len(rest) > 0 {
					name = rest[0]
				}
				return unknownCommand(target, name)
			}
			return target.Help()
		},
	}
}

func unknownCommand(cmd *cobra.Command, name string) error {
	hint := ""
	if s := cmd.SuggestionsFor(name); len(s) > 0 {
		hint = fmt.Sprintf(" (did you mean %q?)", s[0])
	}
	return usageErrorf("unknown command %q for %q%s; run '%s --help' for the list", name, cmd.CommandPath(), hint, cmd.CommandPath())
}

// sysEnv is what vtui takes from its process. Tests replace all of it but
// the environment, which they set with t.Setenv.
type sysEnv struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// lookupEnv reads the environment: os.LookupEnv. Settings resolution
	// reads the process environment through viper, so this must agree with it.
	lookupEnv config.LookupEnvFunc
	// home is the user's home directory, "" if unknown.
	home string
	// terminal reports whether stdin is a terminal a person can answer on.
	terminal bool
	// promptPassword asks for a password without echo. nil if !terminal.
	promptPassword func(ctx context.Context, prompt string) (string, error)
	// abort is done on the first SIGINT or SIGTERM: running changes stop being waited for. nil
	// means never.
	abort context.Context
}

// processEnv is the sysEnv of the running process.
func processEnv(stdin io.Reader, stdout, stderr io.Writer) *sysEnv {
	home, _ := os.UserHomeDir()
	sys := &sysEnv{stdin: stdin, stdout: stdout, stderr: stderr, lookupEnv: os.LookupEnv, home: home}
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		sys.terminal = true
		sys.promptPassword = terminalPrompt(int(f.Fd()), stderr)
	}
	return sys
}

// terminalPrompt reads a password from the terminal fd without echo. If ctx
// is cancelled (Ctrl-C is caught by signal.NotifyContext, so it does not end
// the process) it restores the terminal, which would otherwise be left
// without echo, and returns.
func terminalPrompt(fd int, out io.Writer) func(context.Context, string) (string, error) {
	return func(ctx context.Context, prompt string) (string, error) {
		state, err := term.GetState(fd)
		if err != nil {
			return "", err
		}
		fmt.Fprint(out, prompt)
		type result struct {
			pw  []byte
			err error
		}
		done := make(chan result, 1)
		go func() {
			pw, err := term.ReadPassword(fd)
			done <- result{pw, err}
		}()
		select {
		case r := <-done:
			fmt.Fprintln(out)
			return string(r.pw), r.err
		case <-ctx.Done():
			_ = term.Restore(fd, state)
			fmt.Fprintln(out)
			return "", ctx.Err()
		}
	}
}

// app is what every command shares: the settings resolved once before it
// runs, the logger, and the connection to vCenter or the simulator.
type app struct {
	// settings are resolved in the root's PersistentPreRunE; commands read
	// them (a.settings.Output, a.settings.ReadOnly, ...) and never viper,
	// flags or the environment directly.
	settings config.Settings
	// log writes to --log-file, or nowhere; never to the terminal.
	log *slog.Logger

	sys       *sysEnv
	flags     *pflag.FlagSet // the running command's parsed flags
	config    *config.File   // nil without a config file
	logFile   *os.File
	sim       *sim.Server // started by the first connect with --simulator
	simPreset string      // the preset sim was started with
}

func newApp(sys *sysEnv) *app {
	return &app{sys: sys, log: slog.New(slog.DiscardHandler)}
}

// init resolves the settings for cmd and opens the log.
func (a *app) init(cmd *cobra.Command) error {
	// cobra checks these only after PersistentPreRunE, and returns them as
	// plain errors; check them first so that they exit 2.
	if err := cmd.ValidateRequiredFlags(); err != nil {
		return usageErrorf("%w (see '%s --help')", err, cmd.CommandPath())
	}
	if err := cmd.ValidateFlagGroups(); err != nil {
		return usageErrorf("%w (see '%s --help')", err, cmd.CommandPath())
	}
	if !needsConfig(cmd) {
		out, _ := cmd.Flags().GetString("output")
		if !slices.Contains(outputFormats, out) {
			return usageErrorf("invalid value %q for -o/--output (valid: %s)", out, strings.Join(outputFormats, ", "))
		}
		a.settings = config.Settings{Output: out}
		return nil
	}
	s, fc, err := config.Resolve(cmd.Context(), a.configInput(cmd.Flags()))
	if err != nil {
		return err
	}
	a.settings, a.config, a.flags = s, fc, cmd.Flags()
	if s.LogFile != "" {
		if err := a.openLog(s.LogFile); err != nil {
			return err
		}
	}
	a.printNotes(s.Notes)
	a.log.Debug("settings resolved", "command", cmd.CommandPath(), "config_file", s.ConfigFile,
		"context", s.ContextName, "url", vsphere.RedactURL(s.Conn.URL), "username", s.Conn.Username,
		"insecure", s.Conn.Insecure, "thumbprint", s.Conn.Thumbprint, "ca_file", s.Conn.CAFile,
		"timeout", s.Conn.Timeout, "readonly", s.ReadOnly, "dry_run", s.DryRun, "output", s.Output,
		"simulator", s.Simulator, "sources", s.Sources)
	return nil
}

// printNotes tells the user, on stderr and in the log, how settings were
// resolved.
func (a *app) printNotes(notes []string) {
	for _, n := range notes {
		a.log.Warn(n)
		fmt.Fprintf(a.sys.stderr, "vtui: note: %s\n", n)
	}
}

func needsConfig(cmd *cobra.Command) bool {
	for c := cmd; c != nil; c = c.Parent() {
		if c.Annotations[annotationNoConfig] != "" {
			return false
		}
		switch c.Name() {
		case "completion", cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd, "help":
			return false
		}
	}
	return true
}

// openLog sends the log to path: JSON lines for .json/.jsonl, text otherwise.
func (a *app) openLog(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return usageErrorf("log file: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return usageErrorf("log file: %w", err)
	}
	a.logFile = f
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	if strings.HasSuffix(path, ".json") || strings.HasSuffix(path, ".jsonl") {
		a.log = slog.New(slog.NewJSONHandler(f, opts))
	} else {
		a.log = slog.New(slog.NewTextHandler(f, opts))
	}
	return nil
}

// close stops the simulator, if one was started, and closes the log. Close
// clients returned by connect first.
func (a *app) close() error {
	if a.sim != nil {
		a.sim.Close()
		a.sim = nil
	}
	if a.logFile != nil {
		err := a.logFile.Close()
		a.logFile = nil
		if err != nil {
			return fmt.Errorf("close log file: %w", err)
		}
	}
	return nil
}

// connect logs in to the vCenter of a.settings: the in-process simulator
// with --simulator, else the configured one, asking for the password on a
// terminal if nothing else supplies it. The caller closes the client.
func (a *app) connect(ctx context.Context) (*vsphere.Client, error) {
	return a.connectWith(ctx, a.settings)
}

// connectWith logs in with s, e.g. from resolveContext. If s.Conn.Password
// is empty it is read from s's password source, or asked for on a terminal.
// The client carries s's --readonly and --dry-run policy, so every gate
// made on it, the CLI's and the terminal UI's alike, obeys them.
func (a *app) connectWith(ctx context.Context, s config.Settings) (*vsphere.Client, error) {
	opts := []vsphere.Option{
		vsphere.WithLogger(a.log),
		vsphere.WithPolicy(vsphere.Policy{ReadOnly: s.ReadOnly, DryRun: s.DryRun}),
	}
	if s.Simulator != "" {
		return a.connectSimulator(ctx, s, opts)
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
	if cfg.Password == "" {
		pw, err := a.password(ctx, s, true)
		if err != nil {
			return nil, err
		}
		cfg.Password = pw
	}
	log := a.log.With("url", vsphere.RedactURL(cfg.URL), "username", cfg.Username, "context", s.ContextName)
	log.Info("connecting")
	c, err := vsphere.Connect(ctx, cfg, opts...)
	if err != nil {
		log.Error("connect failed", "err", err)
		if s.ContextName != "" {
			return nil, fmt.Errorf("context %q: %w", s.ContextName, err)
		}
		return nil, err
	}
	log.Info("connected", "policy", c.Policy())
	return c, nil
}

// embeddedHA is the HA emulation's timing in the in-process simulator:
// quicker than vSphere's 15 s, so that a demo drill takes seconds.
var embeddedHA = sim.HAOptions{DetectDelay: 2 * time.Second, RestartDelay: 100 * time.Millisecond}

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

// configInput is what config.Resolve reads for flags, besides the
// environment.
func (a *app) configInput(flags *pflag.FlagSet) config.Input {
	return config.Input{Flags: flags, Home: a.sys.home, Presets: sim.PresetNames(), Outputs: outputFormats}
}

// errDeclined is returned by confirm when the user answers anything but yes.
var errDeclined = errors.New("not confirmed; nothing was changed")

// confirm asks question (e.g. "Power off 3 VMs?") before a change. With
// --yes it returns nil at once. Without a terminal it refuses with a usage
// error naming --yes. An answer other than y/yes returns errDeclined.
func (a *app) confirm(ctx context.Context, question string) error {
	if a.settings.Yes {
		return nil
	}
	if !a.sys.terminal {
		return usageErrorf("%s: refusing without a terminal to confirm on; add --yes (or --dry-run to see what would change)",
			strings.TrimSuffix(question, "?"))
	}
	fmt.Fprintf(a.sys.stderr, "%s [y/N] ", question)
	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(a.sys.stdin).ReadString('\n')
		answer <- strings.ToLower(strings.TrimSpace(line))
	}()
	select {
	case s := <-answer:
		if s == "y" || s == "yes" {
			return nil
		}
		return errDeclined
	case <-ctx.Done():
		fmt.Fprintln(a.sys.stderr)
		return ctx.Err()
	}
}

// versionInfo is what `vtui version` prints. Its JSON field names are a
// stable contract.
type versionInfo struct {
	Version string `json:"version" yaml:"version"`
	Commit  string `json:"commit,omitempty" yaml:"commit,omitempty"`
	Go      string `json:"go" yaml:"go"`
	Govmomi string `json:"govmomi" yaml:"govmomi"`
}

func buildVersion() versionInfo {
	v := versionInfo{Version: version, Go: runtime.Version(), Govmomi: "unknown"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if v.Version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v.Version = bi.Main.Version // go install github.com/vtui/vtui/cmd/vtui@v1.2.3
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			v.Commit = s.Value
		}
	}
	for _, d := range bi.Deps {
		if d.Path == "github.com/vmware/govmomi" {
			v.Govmomi = d.Version
			if d.Replace != nil {
				v.Govmomi = d.Replace.Version + " (replaced)"
			}
		}
	}
	return v
}

func fullVersion() string {
	v := buildVersion()
	return fmt.Sprintf("%s (%s, govmomi %s)", v.Version, v.Go, v.Govmomi)
}

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:         "version",
		Short:       "Print the versions of vtui, Go and govmomi",
		Args:        cobra.NoArgs,
		Annotations: map[string]string{annotationNoConfig: "true"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return writeVersion(cmd.OutOrStdout(), a.settings.Output, buildVersion())
		},
	}
}

func writeVersion(w io.Writer, format string, v versionInfo) error {
	if format == outputJSON || format == outputYAML {
		return writeValue(w, format, v)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "vtui\t%s\n", v.Version)
	if v.Commit != "" {
		fmt.Fprintf(tw, "commit\t%s\n", v.Commit)
	}
	fmt.Fprintf(tw, "go\t%s\n", v.Go)
	fmt.Fprintf(tw, "govmomi\t%s\n", v.Govmomi)
	return tw.Flush()
}
