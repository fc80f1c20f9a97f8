package sim

import (
	"context"
	"fmt"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// SetTaskDelay makes the tasks named task (vcsim's task name, e.g.
// "RelocateVm", "EnterMaintenanceMode", "ExitMaintenanceMode",
// "DisconnectHost", "ReconnectHost", "ShutdownHost", "RebootHost") run
// for d before they finish, at 50% progress after d/2; 0 removes the
// delay. It applies to this server only, and only to the tasks
// the simulator runs itself (see the package documentation); for other
// tasks use vcsim's process-wide simulator.TaskDelay, which parallel tests
// must not share. While a delayed task runs, its VM or host can be read
// and watched: no lock is held during the delay.
func (s *Server) SetTaskDelay(task string, d time.Duration) {
	s.vc.mu.Lock()
	defer s.vc.mu.Unlock()
	if d <= 0 {
		delete(s.vc.delays, task)
		return
	}
	s.vc.delays[task] = d
}

func (vc *vcenter) delay(task string) time.Duration {
	vc.mu.Lock()
	defer vc.mu.Unlock()
	return vc.delays[task]
}

// taskWork is the body of a task. It runs in its own goroutine with a
// context of its own, holding no lock: it takes the locks it needs, in the
// order VM before host, so that it cannot deadlock with a request.
type taskWork func(ctx *simulator.Context) (types.AnyType, *types.LocalizedMethodFault)

// runTask starts a task on entity and returns its reference at once, as
// simulator.Task.Run does, but differs in two ways: the work runs after the
// server's delay for the task's name, and no lock on the entity is held
// for it, so a slow task does not block readers of its VM or host.
func (vc *vcenter) runTask(ctx *simulator.Context, entity mo.Reference, entityName, name string, work taskWork) types.ManagedObjectReference {
	task := simulator.CreateTask(entity, name, nil)
	tc := detach(ctx)
	ctx.Map.Put(task) // assigns the reference and lists the task in recentTask
	ctx.Map.AtomicUpdate(tc, task, []types.PropertyChange{
		{Name: "info.key", Val: task.Self.Value},
		{Name: "info.task", Val: task.Self},
		{Name: "info.entityName", Val: entityName},
		{Name: "info.startTime", Val: time.Now()},
		{Name: "info.state", Val: types.TaskInfoStateRunning},
	})
	d := vc.delay(task.Info.Name)
	vc.goBackground(func(life context.Context) {
		// A delayed task reports half its progress halfway, as vCenter's
		// report theirs along the way.
		if !vc.sleep(life, d/2) {
			return // the server is closing: the task ends with it
		}
		if d > 0 {
			ctx.Map.AtomicUpdate(tc, task, []types.PropertyChange{{Name: "info.progress", Val: int32(50)}})
		}
		if !vc.sleep(life, d-d/2) {
			return
		}
		res, fault := work(tc)
		state := types.TaskInfoStateSuccess
		var info any
		if fault != nil {
			state, info = types.TaskInfoStateError, *fault
		}
		ctx.Map.AtomicUpdate(tc, task, []types.PropertyChange{
			{Name: "info.completeTime", Val: time.Now()},
			{Name: "info.state", Val: state},
			{Name: "info.result", Val: res},
			{Name: "info.error", Val: info},
		})
	})
	return task.Self
}

// detach returns a copy of a request's context for work that outlives the
// request: it is not cancelled when the request ends, and it owns no lock
// the request holds.
func detach(ctx *simulator.Context) *simulator.Context {
	c := *ctx
	if c.Context != nil {
		c.Context = context.WithoutCancel(c.Context)
	} else {
		c.Context = context.Background()
	}
	return &c
}

// failure is a fault with the message vCenter would show with it.
func failure(f types.BaseMethodFault, format string, args ...any) *types.LocalizedMethodFault {
	return &types.LocalizedMethodFault{Fault: f, LocalizedMessage: fmt.Sprintf(format, args...)}
}
