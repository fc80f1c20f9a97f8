package conn

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/task"
	"github.com/vmware/govmomi/vim25/progress"
	"github.com/vmware/govmomi/vim25/types"
)

// WaitTask waits for the task ref to end and returns its info; a failed
// task's error carries the vSphere fault. Progress goes to report as the
// server publishes it. The wait uses a property collector of its own, so
// concurrent waits do not share state; it ends when ctx does, leaving the
// task running on the server.
func WaitTask(ctx context.Context, c *Conn, ref types.ManagedObjectReference, report func(percent int, msg string)) (*types.TaskInfo, error) {
	var info *types.TaskInfo
	err := WithCollector(ctx, c, func(pc *property.Collector) error {
		s := &progressSink{ch: make(chan progress.Report, 4), done: make(chan struct{})}
		go s.forward(report)
		var err error
		info, err = task.WaitEx(ctx, ref, pc, s)
		<-s.done
		if err == nil && (info == nil || (info.State != types.TaskInfoStateSuccess && info.State != types.TaskInfoStateError)) {
			// A cancelled wait ends with CancelWaitForUpdates, whose nil
			// error govmomi returns: the task's end was never seen.
			err = cmp.Or(ctx.Err(), errors.New("the wait ended before the task did"))
		}
		return err
	})
	if err != nil && ctx.Err() != nil {
		return info, fmt.Errorf("stopped waiting for task %s, which may still run on the server (see vtui get tasks): %w", ref.Value, ctx.Err())
	}
	return info, err
}

// WithCollector runs fn with a property collector of its own, so that
// concurrent waits share no state, and destroys the collector afterwards,
// even when ctx is done.
func WithCollector(ctx context.Context, c *Conn, fn func(*property.Collector) error) error {
	pc, err := property.DefaultCollector(c.vim).Create(ctx)
	if err != nil {
		return fmt.Errorf("create a property collector: %w", err)
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = pc.Destroy(dctx)
	}()
	return fn(pc)
}

// progressSink turns govmomi's task progress reports into calls of a
// report function. WaitEx closes the channel when the task ends.
type progressSink struct {
	ch   chan progress.Report
	done chan struct{}
}

func (s *progressSink) Sink() chan<- progress.Report { return s.ch }

func (s *progressSink) forward(report func(int, string)) {
	defer close(s.done)
	last := -1
	for r := range s.ch {
		if r.Error() != nil {
			continue
		}
		if pct := int(r.Percentage()); pct != last {
			last = pct
			report(pct, r.Detail())
		}
	}
}
