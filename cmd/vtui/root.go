package main

// The root command: its help text, the global flags and the command tree.

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vtui/vtui/cmd/internal/config"
	"github.com/vtui/vtui/vsphere/sim"
)

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

  As govc does, a command resumes the session the previous one left: its
  cookie (never the password) is kept in a file of mode 0600 under the
  user's cache directory (~/.cache/vtui/sessions), and the views it created
  in the session are destroyed as it ends. The terminal UI resumes it too,
  and then asks for no password. --no-session-cache,
  VTUI_NO_SESSION_CACHE or no-session-cache in the config file make each
  command log in and out instead.

Safety
  --readonly refuses every change before any request is sent; --dry-run shows
  what would change and changes nothing. Commands that change something ask
  first, and read the answer from the terminal or from a pipe
  (printf 'y\n' | vtui vm power off web-01); with no answer they need --yes.

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
		newMetricsCmd(a),
		newDescribeCmd(a),
		newSimCmd(a),
	)
	root.AddCommand(newVMCmd(a), newHostCmd(a), newClusterCmd(a), newAlarmCmd(a), newDrillCmd(a))
	root.SetHelpCommand(newHelpCmd(root))
	// cobra adds these when it runs; add them now so that they, too, exit
	// 2 on an unknown subcommand.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	enforceUsageErrors(root)
	return root
}
