package main

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/gate"
)

func newAlarmCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "alarm",
		Short: "Acknowledge triggered alarms, or reset them to green",
		Long: `Acknowledge the alarms triggered on objects, or reset them to green.

List them with 'vtui get alarms' (or :alarm in the terminal UI): each
triggered alarm is one alarm on one object, which these commands name by
the object's name (ENTITY, a shell pattern) and, with --alarm, the alarm's
name (a pattern too; default: every alarm triggered on the object).`,
		Example: `  vtui get alarms
  vtui alarm ack esx-a-01.lab.local
  vtui alarm ack 'web-*' --alarm 'Virtual machine CPU usage'
  vtui alarm reset esx-a-01.lab.local --alarm 'Host connection and power state' --dry-run`,
	}
	cmd.AddCommand(
		newAlarmActCmd(a, "ack", "Acknowledge triggered alarms", `Acknowledge the alarms triggered on the objects ENTITY names, as the vSphere
Client's Acknowledge does: each stays triggered, marked with who
acknowledged it and when, and its actions stop repeating. An alarm already
acknowledged is reported as noop.`, gate.AcknowledgeAlarm,
			`  vtui alarm ack esx-a-01.lab.local
  vtui alarm ack 'web-*' --alarm 'Virtual machine CPU usage' --yes
  vtui alarm ack '*' --alarm 'Host connection and power state' --dry-run`),
		newAlarmActCmd(a, "reset", "Reset triggered alarms to green", `Reset the alarms triggered on the objects ENTITY names to green, as the
vSphere Client's "Reset to Green" does (AlarmManager.SetAlarmStatus): they
leave the triggered alarms. vCenter triggers an alarm again when its
condition is met again: a host still not responding raises its alarm at
the next check.`, gate.ResetAlarm,
			`  vtui alarm reset esx-a-01.lab.local --alarm 'Host connection and power state'
  vtui alarm reset 'db-*' --dry-run
  vtui alarm reset cluster-a --alarm 'Insufficient vSphere HA failover resources' --yes`),
	)
	return cmd
}

// newAlarmActCmd builds vtui alarm ack or reset, which plan each selected
// alarm with plan.
func newAlarmActCmd(a *app, name, short, long string, plan func(vsphere.Alarm) gate.Action, example string) *cobra.Command {
	var alarm string
	cmd := &cobra.Command{
		Use:     name + " ENTITY... [--alarm NAME]",
		Short:   short,
		Long:    long + "\n\nENTITY and NAME are shell patterns (*, ?, [a-z]); quote them.\n\n" + changeSafety,
		Example: example,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, p := range append([]string{alarm}, args...) {
				if _, err := path.Match(p, ""); err != nil {
					return usageErrorf("invalid name pattern %q: %v (use *, ? and [a-z])", p, err)
				}
			}
			ctx := cmd.Context()
			c, err := a.connect(ctx)
			if err != nil {
				return err
			}
			defer c.Close(context.WithoutCancel(ctx))
			triggered, err := c.Alarms(ctx)
			if err != nil {
				return err
			}
			picked, err := pickAlarms(triggered, args, alarm)
			if err != nil {
				return err
			}
			actions := make([]gate.Action, len(picked))
			for i, al := range picked {
				actions[i] = plan(al)
			}
			s := &changeSession{a: a, cmd: cmd, c: c, gate: gate.NewGate(c)}
			return s.apply(actions, gate.RunOptions{Concurrency: gate.DefaultConcurrency}, runAll(actions))
		},
	}
	cmd.Flags().StringVar(&alarm, "alarm", "*", "only the alarms of this name (a pattern)")
	return cmd
}

// pickAlarms returns the triggered alarms on an object one of entities
// names whose name alarm matches; none is bad input (exit 2). The
// patterns are valid.
func pickAlarms(triggered []vsphere.Alarm, entities []string, alarm string) ([]vsphere.Alarm, error) {
	var out []vsphere.Alarm
	for _, al := range triggered {
		if ok, _ := path.Match(alarm, al.Alarm); !ok {
			continue
		}
		for _, e := range entities {
			if ok, _ := path.Match(e, al.EntityName); ok {
				out = append(out, al)
				break
			}
		}
	}
	if len(out) == 0 {
		what := fmt.Sprintf("on %s", strings.Join(entities, ", "))
		if alarm != "*" {
			what = fmt.Sprintf("%q %s", alarm, what)
		}
		return nil, usageErrorf("no triggered alarm %s (%d triggered in all; vtui get alarms lists them)", what, len(triggered))
	}
	return out, nil
}
