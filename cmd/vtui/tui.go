package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// runTUI is what `vtui` does without a command. The terminal UI is not wired
// in yet: until it is, vtui explains how to reach a vCenter when nothing is
// configured, and prints the help otherwise.
func runTUI(cmd *cobra.Command, a *app) error {
	s := a.settings
	if s.Simulator == "" && s.ContextName == "" && s.Conn.URL == "" {
		return writeNotConfigured(cmd, a)
	}
	return cmd.Help()
}

// writeNotConfigured tells a first-time user the three ways to get going.
func writeNotConfigured(cmd *cobra.Command, a *app) error {
	path := a.settings.ConfigFile
	if path == "" {
		path = defaultConfigPath(a.sys.lookupEnv, a.sys.home)
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
