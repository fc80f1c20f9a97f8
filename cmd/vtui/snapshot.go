package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vtui/vtui/internal/kinds"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
)

func newVMSnapshotCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "snapshot",
		Short: "List, take, revert to and remove VM snapshots",
		Long: `List, take, revert to and remove the snapshots of VMs. ` + nameRules + `

A snapshot is named by its name or its ID (snapshot-42, from list). vSphere
lets one VM hold several snapshots of one name: such a name is refused, with
each one's ID, creation time and parent, so give the ID.

To find forgotten snapshots across the inventory: vtui get snapshots
--older-than 30d.`,
		Example: `  vtui vm snapshot list web-01
  vtui vm snapshot create web-01 before-patching --description "CHG-1234"
  vtui vm snapshot revert web-01 before-patching
  vtui vm snapshot rm web-01 before-patching --children`,
	}
	cmd.AddCommand(newSnapshotListCmd(a), newSnapshotCreateCmd(a), newSnapshotRevertCmd(a), newSnapshotRemoveCmd(a))
	return cmd
}

func newSnapshotListCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "list VM...",
		Short: "List the snapshots of VMs, as a tree, with their sizes",
		Long: `List the snapshots of VMs, oldest first, each followed by those taken after
it: name, creation time, age, size and whether the VM runs from it (CURRENT,
and * after the name). ` + nameRules + `

SIZE is what the snapshot's own files take on the datastore, from the VM's
file layout: its state file (.vmsn), its memory file (.vmem) if it holds
the memory, and the delta disks written on top of it (by the VM if it is
current, else until the next snapshot). -o json and -o yaml print the
fields of vtui get snapshots.`,
		Example: `  vtui vm snapshot list web-01
  vtui vm snapshot list 'db-*' -o json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c, err := a.connect(ctx)
			if err != nil {
				return err
			}
			defer c.Close(context.WithoutCancel(ctx))
			inv, err := c.InventoryFor(ctx, kinds.SnapshotList().Load(vsphere.Filter{}))
			if err != nil {
				return err
			}
			vms, err := vsphere.NewResolver(c, inv).VMs(ctx, args)
			if err != nil {
				return badName(err)
			}
			var rows []vsphere.Snapshot
			for _, v := range vms {
				rows = append(rows, v.Snapshots()...)
			}
			return writeRows(cmd.OutOrStdout(), a.settings.Output, rows, fromKind(kinds.SnapshotList().Printed))
		},
	}
}

func newSnapshotCreateCmd(a *app) *cobra.Command {
	var spec gate.SnapshotSpec
	var run runFlags
	cmd := &cobra.Command{
		Use:   "create VM... NAME [--description TEXT] [--memory] [--quiesce]",
		Short: "Take a snapshot of VMs",
		Long: `Take a snapshot named NAME of each VM (CreateSnapshot_Task). ` + nameRules + `

--memory includes a running VM's memory, so that reverting resumes it
running; it takes longer and as much space as the VM's memory. --quiesce
has VMware Tools flush the guest's file systems first; it needs the VM
running with tools. A name the VM already has for a snapshot is allowed,
with a warning, as vSphere allows it.

` + changeSafety,
		Example: `  vtui vm snapshot create web-01 before-patching
  vtui vm snapshot create 'web-*' pre-upgrade --description "CHG-1234" --quiesce
  vtui vm snapshot create db-01 nightly --memory --dry-run`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec.Name = args[len(args)-1]
			return a.snapshotChange(cmd, args[:len(args)-1], run, func(p *gate.Planner, v vsphere.VM) (gate.Action, error) {
				return p.CreateSnapshot(v.Ref, spec), nil
			})
		},
	}
	cmd.Flags().StringVar(&spec.Description, "description", "", "the snapshot's description")
	cmd.Flags().BoolVar(&spec.Memory, "memory", false, "include the running VM's memory")
	cmd.Flags().BoolVar(&spec.Quiesce, "quiesce", false, "quiesce the guest's file systems first (needs VMware Tools)")
	addRunFlags(cmd.Flags(), &run, "timeout")
	return cmd
}

func newSnapshotRevertCmd(a *app) *cobra.Command {
	var run runFlags
	cmd := &cobra.Command{
		Use:   "revert VM... SNAPSHOT",
		Short: "Revert VMs to a snapshot",
		Long: `Revert each VM to its snapshot SNAPSHOT (a name or an ID): the VM's present
state is lost unless another snapshot keeps it. A VM reverted to a snapshot
without memory is powered off. ` + nameRules + `

` + changeSafety,
		Example: `  vtui vm snapshot revert web-01 before-patching
  vtui vm snapshot revert web-01 snapshot-42 --yes`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[len(args)-1]
			return a.snapshotChange(cmd, args[:len(args)-1], run, func(p *gate.Planner, v vsphere.VM) (gate.Action, error) {
				s, err := vsphere.FindSnapshot(v, name)
				return p.RevertSnapshot(v.Ref, s), err
			})
		},
	}
	addRunFlags(cmd.Flags(), &run, "timeout")
	return cmd
}

func newSnapshotRemoveCmd(a *app) *cobra.Command {
	var children bool
	var run runFlags
	cmd := &cobra.Command{
		Use:     "rm VM... SNAPSHOT [--children]",
		Aliases: []string{"remove"},
		Short:   "Remove a snapshot of VMs",
		Long: `Remove each VM's snapshot SNAPSHOT (a name or an ID). Its disk changes are
consolidated into what follows it, so the VM loses nothing; the snapshots
taken after it stay, unless --children removes them too. ` + nameRules + `

` + changeSafety,
		Example: `  vtui vm snapshot rm web-01 before-patching
  vtui vm snapshot rm 'web-*' pre-upgrade --children --yes`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[len(args)-1]
			return a.snapshotChange(cmd, args[:len(args)-1], run, func(p *gate.Planner, v vsphere.VM) (gate.Action, error) {
				s, err := vsphere.FindSnapshot(v, name)
				return p.RemoveSnapshot(v.Ref, s, children), err
			})
		},
	}
	cmd.Flags().BoolVar(&children, "children", false, "also remove the snapshots taken after it")
	addRunFlags(cmd.Flags(), &run, "timeout")
	return cmd
}

// snapshotChange plans a snapshot action with plan for each VM that
// names resolve to, and applies them. A snapshot name that matches none
// or several of a VM's snapshots is bad input: nothing is changed.
func (a *app) snapshotChange(cmd *cobra.Command, names []string, run runFlags, plan func(p *gate.Planner, v vsphere.VM) (gate.Action, error)) error {
	opts, err := run.options()
	if err != nil {
		return err
	}
	return a.change(cmd, func(s *changeSession) error {
		vms, err := s.resolve.VMs(cmd.Context(), names)
		if err != nil {
			return badName(err)
		}
		p := gate.NewPlanner(s.inv, nil, nil)
		actions := make([]gate.Action, len(vms))
		for i, v := range vms {
			if actions[i], err = plan(p, v); err != nil {
				return badName(err)
			}
		}
		return s.apply(actions, opts, runAll(actions))
	})
}

// parseAge reads an age such as 30d, 12h or 90m (days, hours, minutes).
func parseAge(s string) (time.Duration, error) {
	units := map[string]time.Duration{"d": 24 * time.Hour, "h": time.Hour, "m": time.Minute}
	s = strings.TrimSpace(s)
	if len(s) >= 2 {
		if unit, ok := units[s[len(s)-1:]]; ok {
			if n, err := strconv.Atoi(s[:len(s)-1]); err == nil && n > 0 {
				return time.Duration(n) * unit, nil
			}
		}
	}
	return 0, fmt.Errorf("invalid age %q: want a whole number of days, hours or minutes, such as 30d, 12h or 90m", s)
}
