package main

// Help and usage errors: `vtui help`, and exit 2 on an unknown command or
// bad arguments anywhere in the tree.

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

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
