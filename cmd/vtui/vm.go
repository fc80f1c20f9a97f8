package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/vtui/vtui/internal/migration"
	"github.com/vtui/vtui/internal/power"
	"github.com/vtui/vtui/vsphere"
)

func newVMCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "vm",
		Short: "Migrate, power and snapshot virtual machines",
		Example: `  vtui vm power off web-01 --dry-run
  vtui vm power on 'web-*' --yes
  vtui vm migrate web-01 --host auto
  vtui vm snapshot create web-01 before-patching`,
	}
	cmd.AddCommand(newVMMigrateCmd(a), newVMPowerCmd(a), newVMSnapshotCmd(a))
	return cmd
}

// nameRules is how every command that changes VMs or hosts reads their
// names.
const nameRules = `A VM or host is named by its inventory path
(/dc-01/vm/prod/web-01), its ID (vm-101), a shell glob ('web-*', every
match) or its name; a name that several objects share is refused with
their IDs and paths, so give one of those.`

const changeSafety = `Before anything is sent, vtui runs its prechecks; a VM that fails one is
refused and named with the check and the reason, and the others go ahead.
On a terminal vtui shows the plan and asks first; without one it needs
--yes. --dry-run shows what would change, --readonly refuses everything.
Ctrl-C or SIGTERM starts nothing more and stops waiting for what is
running, as --timeout does where a command has it.

The result table (or -o json, an array of {op, object, from, target, status,
message, warnings, task, seconds}) has one row per object; status is ok,
noop, dry-run, failed, cancelled (never started), or unknown: it was sent,
then the connection to vCenter was lost or the wait was stopped, so check
its task in vCenter. Once the connection is lost nothing more starts. vtui
exits 1 if any change failed or is unknown, 2 on bad input.`

func newVMMigrateCmd(a *app) *cobra.Command {
	var host, datastore, pool string
	var run runFlags
	cmd := &cobra.Command{
		Use:   "migrate VM... --host HOST|auto [--datastore DS] [--pool POOL]",
		Short: "Move VMs to another host, datastore or resource pool (vMotion)",
		Long: `Move VMs with vMotion (RelocateVM_Task): to another host (--host), to another
datastore (--datastore, a storage vMotion), to another resource pool
(--pool), or several at once. ` + nameRules + `

--host auto picks, for each VM, the best eligible host of its cluster: the
host must be connected, powered on and not in maintenance mode, see the VM's
datastores and networks, and keep the cluster's DRS rules; among those, the
most free memory, then CPU, then the fewest VMs win. VMs of one command are
placed one after the other, so they spread out and respect rules between
them.

Moving to another cluster needs --pool, a resource pool of the target
cluster: its name ("Resources" is every cluster's root pool), its path
under the cluster ("cluster-b/Resources"), its ID (resgroup-42) or its
inventory path (/dc-01/host/cluster-b/Resources).

` + changeSafety,
		Example: `  vtui vm migrate web-01 --host esx-a-02.lab.local
  vtui vm migrate 'web-*' --host auto --concurrency 8
  vtui vm migrate db-01 --datastore ds-shared-02
  vtui vm migrate app-01 --host esx-b-01.lab.local --pool Resources
  vtui --simulator=small vm migrate 'app-*' --host auto --dry-run -o json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if host == "" && datastore == "" && pool == "" {
				return usageErrorf("say where to: --host HOST, --host auto, --datastore DS or --pool POOL (see 'vtui vm migrate --help')")
			}
			opts, err := run.options()
			if err != nil {
				return err
			}
			return a.change(cmd, func(s *changeSession) error {
				req, err := migration.Resolve(cmd.Context(), s.c, s.resolve, migration.Names{VMs: args, Host: host, Datastore: datastore, Pool: pool})
				var badPool *migration.PoolError
				switch {
				case errors.As(err, &badPool):
					return usageErrorf("--pool: %w", badPool.Err)
				case err != nil:
					return badName(err)
				}
				actions, err := migration.Plan(cmd.Context(), s.c, s.inv, req)
				if err != nil {
					return err
				}
				return s.apply(actions, opts, runAll(actions))
			})
		},
	}
	cmd.Flags().StringVar(&host, "host", "", `target host, or "auto" to choose the best one for each VM`)
	cmd.Flags().StringVar(&datastore, "datastore", "", "target datastore (storage vMotion)")
	cmd.Flags().StringVar(&pool, "pool", "", "target resource pool, needed to move to another cluster: NAME, CLUSTER/PATH, ID or inventory path")
	addRunFlags(cmd.Flags(), &run, "timeout")
	return cmd
}

func newVMPowerCmd(a *app) *cobra.Command {
	var run runFlags
	cmd := &cobra.Command{
		Use:   "power on|off|reset|shutdown|suspend VM...",
		Short: "Power VMs on or off, reset or suspend them, or shut their guests down",
		Long: `Change the power state of VMs. ` + nameRules + `

  on        power on (a suspended VM resumes)
  off       power off at once, like pulling the plug
  reset     power off and on at once; the VM must be running
  shutdown  ask the guest OS to shut down through VMware Tools, and wait
            until the VM is off; a VM without running tools is refused
            (use off)
  suspend   suspend a running VM; power on resumes it

A VM already in the asked state is reported as noop, not as an error.

` + changeSafety,
		Example: `  vtui vm power off web-01
  vtui vm power shutdown 'batch-*' --concurrency 8
  vtui vm power on web-01 app-01 --yes -o json`,
		Args:      cobra.MinimumNArgs(2),
		ValidArgs: power.Words(),
		RunE: func(cmd *cobra.Command, args []string) error {
			op, err := power.Parse(args[0])
			if err != nil {
				return usageError{err}
			}
			opts, err := run.options()
			if err != nil {
				return err
			}
			return a.change(cmd, func(s *changeSession) error {
				vms, err := s.resolve.VMs(cmd.Context(), args[1:])
				if err != nil {
					return badName(err)
				}
				refs := make([]vsphere.Ref, len(vms))
				for i, v := range vms {
					refs[i] = v.Ref
				}
				actions := power.Plan(s.inv, refs, op)
				return s.apply(actions, opts, runAll(actions))
			})
		},
	}
	addRunFlags(cmd.Flags(), &run, "timeout")
	return cmd
}
