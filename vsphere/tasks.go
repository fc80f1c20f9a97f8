package vsphere

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// Task states, as Task.State reports them.
const (
	TaskQueued  = "queued"
	TaskRunning = "running"
	TaskSuccess = "success"
	TaskError   = "error"
)

// Task is one recent, running or queued vCenter task.
type Task struct {
	// ID is the task's moref value, e.g. "task-123".
	ID string `json:"id" yaml:"id"`
	// Name says what the task does, e.g. "PowerOffVM". It is for people
	// only: vcsim and vCenter name the same operation differently.
	Name string `json:"name" yaml:"name"`
	// Target is the name of the object the task acts on.
	Target    string `json:"target" yaml:"target"`
	TargetRef Ref    `json:"-" yaml:"-"`
	// State is one of TaskQueued, TaskRunning, TaskSuccess and TaskError.
	State string `json:"state" yaml:"state"`
	// Progress is a percentage; a successful task is at 100.
	Progress int `json:"progress" yaml:"progress"`
	// Error says why the task failed, when State is TaskError.
	Error string `json:"error" yaml:"error"`
	// User is who started the task, or what did: "alarm NAME",
	// "schedule NAME" or "system".
	User      string    `json:"user" yaml:"user"`
	Queued    time.Time `json:"queued" yaml:"queued"`
	Started   time.Time `json:"started,omitzero" yaml:"started,omitempty"`
	Completed time.Time `json:"completed,omitzero" yaml:"completed,omitempty"`
}

// Done reports whether the task has finished, successfully or not.
func (t Task) Done() bool { return t.State == TaskSuccess || t.State == TaskError }

// RecentTasks returns the tasks vCenter lists as recent (its TaskManager's
// recentTask: queued, running and lately finished), newest first. One
// retrieval fetches the list and every task's info.
func (c *Client) RecentTasks(ctx context.Context) ([]Task, error) {
	s := newTaskStore()
	err := conn.Retrieve(ctx, c.conn, c.taskSpec(), func(oc types.ObjectContent) {
		for _, p := range oc.PropSet {
			s.set(mo.ToRef(oc.Obj), p.Name, p.Val)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("list recent tasks on %s: %w", c.Host(), err)
	}
	c.nameTargets(ctx, s)
	return s.tasks(), nil
}

// TaskUpdate is the state of a task watch at one moment: its Data is the
// recent tasks, newest first, nil until the first load arrives.
type TaskUpdate = Update[[]Task]

// TaskWatch keeps the recent tasks current from property updates; it
// never polls. It follows the TaskManager's recentTask, and the info of
// unfinished tasks through a ListView: a finished task's info no longer
// changes, and vcsim re-collects every object a filter covers on each
// change, so covering only the running tasks keeps it cheap. Like Watch,
// it keeps the last list when the connection drops, marks it stale and
// reconnects with backoff.
type TaskWatch = Stream[[]Task]

// WatchTasks starts a task watch that runs until ctx is cancelled.
func (c *Client) WatchTasks(ctx context.Context) *TaskWatch {
	return startStream(ctx, c, "task watch", defaultBackoff, c.streamTasks)
}

// streamTasks loads the recent tasks and then follows their changes until
// an error, reporting whether the first load completed.
func (c *Client) streamTasks(ctx context.Context, publish func([]Task, ConnState)) (synced bool, err error) {
	view, err := c.createListView(ctx)
	if err != nil {
		return false, fmt.Errorf("watch tasks on %s: %w", c.Host(), err)
	}
	defer c.destroyView(view)
	s := newTaskStore()
	var last TaskUpdate // as published by this stream
	err = conn.Follow(ctx, c.conn, runningTaskSpec(*c.vim.ServiceContent.TaskManager, view), 0, func(updates []types.ObjectUpdate, truncated bool) error {
		// A task leaves the view when it finishes; its info stays until it
		// leaves recentTask.
		mo.ApplyUpdates(updates, s.set, func(Ref) {})
		if !truncated {
			s.prune()
			if err := c.track(ctx, view, s); err != nil {
				return err
			}
			// The first load is complete once every listed task's info has
			// come; later, a new task shows as soon as its info does.
			synced = synced || s.loaded()
		}
		state := Syncing
		if synced {
			state = Live
		}
		c.nameTargets(ctx, s)
		tasks := s.tasks()
		if state == last.State && slices.Equal(tasks, last.Data) {
			return nil // only the view changed
		}
		last = TaskUpdate{Data: tasks, State: state}
		publish(tasks, state)
		return nil
	})
	if err != nil {
		err = fmt.Errorf("watch tasks on %s: %w", c.Host(), err)
	}
	return synced, err
}

// runningTaskSpec selects the TaskManager's recentTask and the info of the
// tasks in view.
func runningTaskSpec(taskManager, view types.ManagedObjectReference) types.PropertyFilterSpec {
	return types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{
			{Obj: taskManager},
			{
				Obj:       view,
				Skip:      types.NewBool(true),
				SelectSet: []types.BaseSelectionSpec{&types.TraversalSpec{Type: "ListView", Path: "view"}},
			},
		},
		PropSet: taskPropSet,
	}
}

// track points the view at the tasks whose info may still change: it adds
// the recent tasks not seen yet, and drops finished ones and those no
// longer recent. One ModifyListView does both.
func (c *Client) track(ctx context.Context, view types.ManagedObjectReference, s *taskStore) error {
	add, remove := s.viewChanges()
	if len(add) == 0 && len(remove) == 0 {
		return nil
	}
	res, err := methods.ModifyListView(ctx, c.vim, &types.ModifyListView{This: view, Add: add, Remove: remove})
	if err != nil {
		return fmt.Errorf("update the task view: %w", err)
	}
	for _, r := range res.Returnval {
		s.missing[mo.ToRef(r)] = true // gone already: no info will come
	}
	return nil
}

func (c *Client) createListView(ctx context.Context) (types.ManagedObjectReference, error) {
	res, err := methods.CreateListView(ctx, c.vim, &types.CreateListView{This: *c.vim.ServiceContent.ViewManager})
	if err != nil {
		return types.ManagedObjectReference{}, fmt.Errorf("create list view: %w", err)
	}
	return res.Returnval, nil
}

// destroyView destroys a view on a context of its own, since the caller's
// is often cancelled by then. A failure is logged: the session's end
// removes the view anyway.
func (c *Client) destroyView(view types.ManagedObjectReference) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := methods.DestroyView(ctx, c.vim, &types.DestroyView{This: view}); err != nil {
		conn.Log(c.conn).Debug("could not destroy view", "view", view.Value, "err", err)
	}
}

// taskPropSet is what vtui reads of the TaskManager and of a task.
var taskPropSet = []types.PropertySpec{
	{Type: "TaskManager", PathSet: []string{"recentTask"}},
	{Type: "Task", PathSet: []string{"info"}},
}

// taskSpec selects the TaskManager's recentTask and, through it, the info
// of every task it lists.
func (c *Client) taskSpec() types.PropertyFilterSpec {
	return types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{
			Obj: *c.vim.ServiceContent.TaskManager,
			SelectSet: []types.BaseSelectionSpec{
				&types.TraversalSpec{Type: "TaskManager", Path: "recentTask"},
			},
		}},
		PropSet: taskPropSet,
	}
}

// taskStore holds the recent-task list and task infos as they arrive from
// a retrieval or a watch. It is not safe for concurrent use.
type taskStore struct {
	recent []Ref // TaskManager.recentTask, oldest first
	infos  map[Ref]*types.TaskInfo
	// names holds target names looked up by nameTargets, kept across
	// updates because the same targets recur.
	names map[Ref]string
	// viewing and missing are the watch's: the tasks in its ListView, and
	// recent tasks the server no longer knows.
	viewing map[Ref]bool
	missing map[Ref]bool
}

func newTaskStore() *taskStore {
	return &taskStore{
		infos:   map[Ref]*types.TaskInfo{},
		names:   map[Ref]string{},
		viewing: map[Ref]bool{},
		missing: map[Ref]bool{},
	}
}

// set stores one property value; a nil info forgets the task.
func (s *taskStore) set(obj Ref, name string, v any) {
	switch {
	case obj.Type == "TaskManager" && name == "recentTask":
		s.recent = mo.ToRefs(v)
	case obj.Type == "Task" && name == "info":
		if info, ok := v.(types.TaskInfo); ok {
			s.infos[obj] = &info
		} else {
			delete(s.infos, obj)
		}
	}
}

// prune forgets tasks no longer in the recent list.
func (s *taskStore) prune() {
	keep := make(map[Ref]bool, len(s.recent))
	for _, r := range s.recent {
		keep[r] = true
	}
	for r := range s.infos {
		if !keep[r] {
			delete(s.infos, r)
		}
	}
	for r := range s.missing {
		if !keep[r] {
			delete(s.missing, r)
		}
	}
}

// viewChanges returns the tasks to add to the watch's view (recent, with
// no info yet) and to remove from it (finished, or no longer recent), and
// records the view as changed.
func (s *taskStore) viewChanges() (add, remove []types.ManagedObjectReference) {
	recent := make(map[Ref]bool, len(s.recent))
	for _, r := range s.recent {
		recent[r] = true
		info := s.infos[r]
		switch {
		case !s.viewing[r] && info == nil && !s.missing[r]:
			s.viewing[r] = true
			add = append(add, mo.ToMoRef(r))
		case s.viewing[r] && info != nil && (info.State == types.TaskInfoStateSuccess || info.State == types.TaskInfoStateError):
			delete(s.viewing, r)
			remove = append(remove, mo.ToMoRef(r))
		}
	}
	for r := range s.viewing {
		if !recent[r] {
			delete(s.viewing, r)
			remove = append(remove, mo.ToMoRef(r))
		}
	}
	return add, remove
}

// loaded reports whether every recent task the server still knows has its
// info.
func (s *taskStore) loaded() bool {
	for _, r := range s.recent {
		if s.infos[r] == nil && !s.missing[r] {
			return false
		}
	}
	return true
}

// tasks returns the listed tasks whose info has arrived, newest first.
func (s *taskStore) tasks() []Task {
	out := make([]Task, 0, len(s.recent))
	for _, r := range slices.Backward(s.recent) {
		if info := s.infos[r]; info != nil {
			out = append(out, s.task(info))
		}
	}
	// recentTask is oldest first on vCenter and vcsim, but nothing
	// promises it; tasks queued in the same instant keep their list order.
	slices.SortStableFunc(out, func(a, b Task) int { return b.Queued.Compare(a.Queued) })
	return out
}

func (s *taskStore) task(info *types.TaskInfo) Task {
	t := Task{
		ID:       info.Task.Value,
		Name:     strings.TrimSuffix(info.Name, "_Task"),
		State:    string(info.State),
		Progress: int(min(max(info.Progress, 0), 100)),
		User:     taskUser(info.Reason),
		Queued:   info.QueueTime,
	}
	if t.ID == "" {
		t.ID = info.Key
	}
	if t.Name == "" {
		t.Name = info.DescriptionId
	}
	if info.Entity != nil {
		t.TargetRef = mo.ToRef(*info.Entity)
		t.Target = cmp.Or(s.names[t.TargetRef], info.EntityName)
	}
	if info.StartTime != nil {
		t.Started = *info.StartTime
	}
	if info.CompleteTime != nil {
		t.Completed = *info.CompleteTime
	}
	switch info.State {
	case types.TaskInfoStateSuccess:
		t.Progress = 100
	case types.TaskInfoStateError:
		t.Error = faultMessage(info.Error)
	}
	return t
}

// unnamed returns the targets whose name the server did not give: vcsim
// puts the moref value in entityName. Targets already looked up are left
// out.
func (s *taskStore) unnamed() []types.ManagedObjectReference {
	var out []types.ManagedObjectReference
	for _, info := range s.infos {
		if info.Entity == nil || (info.EntityName != "" && info.EntityName != info.Entity.Value) {
			continue
		}
		r := mo.ToRef(*info.Entity)
		if _, ok := s.names[r]; !ok {
			s.names[r] = "" // asked once, even if the lookup fails
			out = append(out, *info.Entity)
		}
	}
	return out
}

// nameTargets looks up, in one retrieval, the names of the targets the
// server did not name. Names are for display, so a failed lookup is logged
// and the task shows the moref.
func (c *Client) nameTargets(ctx context.Context, s *taskStore) {
	refs := s.unnamed()
	if len(refs) == 0 {
		return
	}
	spec := mo.RefsSpec(mo.ToRefs(refs), "name")
	spec.ReportMissingObjectsInResults = types.NewBool(true)
	err := conn.Retrieve(ctx, c.conn, spec, func(oc types.ObjectContent) {
		for _, p := range oc.PropSet {
			if p.Name == "name" {
				s.names[mo.ToRef(oc.Obj)] = mo.AsString(p.Val)
			}
		}
	})
	if err != nil {
		conn.Log(c.conn).Debug("could not name task targets", "count", len(refs), "err", err)
	}
}

// taskUser says who or what started a task.
func taskUser(r types.BaseTaskReason) string {
	switch r := r.(type) {
	case *types.TaskReasonUser:
		return r.UserName
	case *types.TaskReasonAlarm:
		return "alarm " + r.AlarmName
	case *types.TaskReasonSchedule:
		return "schedule " + r.Name
	case *types.TaskReasonSystem:
		return "system"
	}
	return ""
}

// faultMessage says why a task failed: the server's message, or the
// fault's type name when the message is missing or is a Go type name, as
// vcsim sends ("*types.InvalidPowerState").
func faultMessage(f *types.LocalizedMethodFault) string {
	if f == nil {
		return "unknown error"
	}
	if f.LocalizedMessage != "" && !strings.HasPrefix(f.LocalizedMessage, "*types.") {
		return f.LocalizedMessage
	}
	if f.Fault == nil {
		return cmp.Or(f.LocalizedMessage, "unknown error")
	}
	t := reflect.TypeOf(f.Fault)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}
