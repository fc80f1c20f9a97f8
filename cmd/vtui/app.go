package main

// The app every command shares: settings resolved once, the log, and the
// simulator, for the life of one command.

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vtui/vtui/cmd/internal/config"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/sim"
)

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

// configInput is what config.Resolve reads for flags, besides the
// environment.
func (a *app) configInput(flags *pflag.FlagSet) config.Input {
	return config.Input{Flags: flags, Home: a.sys.home, Presets: sim.PresetNames(), Outputs: outputFormats}
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
