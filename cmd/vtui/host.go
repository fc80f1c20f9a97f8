package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/vtui/vtui/internal/maintenance"
	"github.com/vtui/vtui/internal/power"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
)

func newHostCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "host",
		Short: "Put hosts into maintenance mode, disconnect and reconnect them",
		Example: `  vtui host maintenance enter esx-a-01.lab.local --evacuate
  vtui host maintenance exit esx-a-01.lab.local
  vtui host disconnect esx-b-03.lab.local --dry-run`,
	}
	cmd.AddCommand(newHostMaintenanceCmd(a),
		newHostConnectionCmd(a, "disconnect", "Disconnect a host from vCenter", gate.OpDisconnect),
		newHostConnectionCmd(a, "reconnect", "Reconnect a disconnected host to vCenter", gate.OpReconnect))
	return cmd
}

func newHostMaintenanceCmd(a *app) *cobra.Command {
	var (
		evacuate bool
		timeout  time.Duration
	)
	var run runFlags
	cmd := &cobra.Command{
		Use:   "maintenance enter|exit HOST... [--evacuate] [--timeout D]",
		Short: "Enter or exit maintenance mode",
		Long: `Put hosts into maintenance mode, or take them out. ` + nameRules + `

A host enters maintenance mode only once no powered-on VM runs on it.
vSphere moves them away by itself only when DRS is fully automated, so:

  --evacuate  first moves every powered-on VM off each host, to the best
              eligible host of its cluster (as 'vtui vm migrate --host auto'
              does), never onto another host of the command, then enters
              maintenance mode. If any VM has nowhere to go, nothing is
              changed and those VMs are listed with the reasons. A host
              whose VMs did not all move does not enter maintenance mode.

Without --evacuate, vtui moves no VM itself: where DRS is on and fully
automated, DRS moves them as the host enters maintenance mode; where DRS
is on at a lower level, the task waits until someone moves them (bound it
with --timeout); a host running powered-on VMs in a cluster without DRS is
refused. Powered-off VMs stay registered where they are.

--timeout D is how long vCenter may take to enter or exit maintenance mode
before its task fails; without it there is no limit. (--connect-timeout
bounds connecting, as everywhere.)

` + changeSafety,
		Example: `  vtui host maintenance enter esx-a-01.lab.local --evacuate
  vtui host maintenance enter 'esx-b-*' --evacuate --dry-run
  vtui host maintenance exit esx-a-01.lab.local --timeout 10m`,
		Args:      cobra.MinimumNArgs(2),
		ValidArgs: []string{"enter", "exit"},
		RunE: func(cmd *cobra.Command, args []string) error {
			enter := args[0] == "enter"
			if timeout < 0 {
				return usageErrorf("invalid --timeout %s: want a positive duration, e.g. 10m", timeout)
			}
			switch {
			case args[0] != "enter" && args[0] != "exit":
				return usageErrorf("unknown maintenance action %q (valid: enter, exit)", args[0])
			case evacuate && !enter:
				return usageErrorf("--evacuate applies to enter, not exit")
			}
			opts, err := run.options()
			if err != nil {
				return err
			}
			if timeout > 0 { // vCenter ends the task by then; do not wait past it for long
				opts.Timeout = timeout + time.Minute
			}
			return a.change(cmd, func(s *changeSession) error {
				hosts, err := s.resolve.Hosts(cmd.Context(), args[1:])
				if err != nil {
					return badName(err)
				}
				o := maintenance.Options{Evacuate: maintenance.EvacuateNever, Timeout: timeout}
				if evacuate {
					o.Evacuate = maintenance.EvacuateAlways
				}
				var plan *maintenance.Plan
				if enter {
					if plan, err = maintenance.PlanEnter(cmd.Context(), s.c, s.inv, hosts, o); err != nil {
						return err
					}
				} else {
					plan = maintenance.PlanExit(s.inv, hosts, o)
				}
				run := runAll(plan.Actions)
				if plan.Run != nil {
					run = plan.Run
				}
				return s.apply(plan.Actions, opts, run)
			})
		},
	}
	cmd.Flags().BoolVar(&evacuate, "evacuate", false, "move the powered-on VMs off each host first, by placement")
	cmd.Flags().DurationVar(&timeout, "timeout", 0, "how long vCenter may take to enter or exit maintenance mode (default: no limit)")
	addRunFlags(cmd.Flags(), &run, "")
	return cmd
}

// newHostConnectionCmd builds `vtui host disconnect` or `reconnect`.
func newHostConnectionCmd(a *app, name, short string, op gate.Op) *cobra.Command {
	return &cobra.Command{
		Use:   name + " HOST",
		Short: short,
		Long: short + `.

A disconnected host's VMs keep running, but vCenter can neither manage nor
migrate them, and HA does not protect them, until it is reconnected. A host
already in the asked state is reported as noop.

` + changeSafety,
		Example: "  vtui host " + name + " esx-b-03.lab.local",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.change(cmd, func(s *changeSession) error {
				h, err := s.resolve.Host(cmd.Context(), args[0], "HOST")
				if err != nil {
					return badName(err)
				}
				actions, err := power.PlanConnection(s.inv, []vsphere.Ref{h.Ref}, op)
				if err != nil {
					return err
				}
				return s.apply(actions, gate.RunOptions{Concurrency: 1}, runAll(actions))
			})
		},
	}
}
