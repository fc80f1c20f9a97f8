package vsphere

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/vsphere/internal/mo"
)

// waitFor reads updates with next until ok accepts one. The 10 s bound
// only keeps a broken stream from hanging the test; it measures nothing.
func waitFor[U any](t *testing.T, what string, next func(context.Context, uint64) (U, error), seq func(U) uint64, ok func(U) bool) U {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var last U
	for {
		u, err := next(ctx, seq(last))
		if err != nil {
			t.Fatalf("waiting for %s: %v; last update: %+v", what, err, last)
		}
		if ok(u) {
			return u
		}
		last = u
	}
}

func taskSeq(u TaskUpdate) uint64   { return u.Seq }
func eventSeq(u EventUpdate) uint64 { return u.Seq }

// runOp starts a task with op and waits for it to succeed.
func runOp(t *testing.T, op func(context.Context) (*object.Task, error)) {
	t.Helper()
	task, err := op(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := task.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func findTask(tasks []Task, id string) (Task, bool) {
	i := slices.IndexFunc(tasks, func(t Task) bool { return t.ID == id })
	if i < 0 {
		return Task{}, false
	}
	return tasks[i], true
}

// poweredOnVM returns a powered-on VM of the simulator's inventory and a
// govmomi handle on it, through the client's own connection.
func poweredOnVM(t *testing.T, c *Client) (VM, *object.VirtualMachine) {
	t.Helper()
	inv, err := c.Inventory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(inv.VMs, func(v VM) bool { return v.PowerState == "poweredOn" })
	if i < 0 {
		t.Fatal("the simulator has no powered-on VM")
	}
	return inv.VMs[i], object.NewVirtualMachine(c.vim, mo.ToMoRef(inv.VMs[i].Ref))
}

// TestPowerOffShowsInTaskAndEventWatches starts both watches, powers a VM
// off, and expects the watches to report the successful task and a
// VmPoweredOffEvent naming the VM; a second power-off fails, and its task
// says why. The one-shot RecentTasks and Events see the same.
func TestPowerOffShowsInTaskAndEventWatches(t *testing.T) {
	c, _ := connectSim(t, "small")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	vm, obj := poweredOnVM(t, c)

	tw := c.WatchTasks(ctx)
	ew := c.WatchEvents(ctx, 50)
	isLive := func(s ConnState) bool { return s == Live }
	tu := waitFor(t, "the task watch to go live", tw.Next, taskSeq, func(u TaskUpdate) bool { return isLive(u.State) })
	eu := waitFor(t, "the event watch to go live", ew.Next, eventSeq, func(u EventUpdate) bool { return isLive(u.State) })
	if tu.Err != nil || eu.Err != nil {
		t.Fatalf("live watches carry errors: tasks %v, events %v", tu.Err, eu.Err)
	}

	start := time.Now()
	task, err := obj.PowerOff(ctx)
	if err != nil {
		t.Fatalf("PowerOff %s: %v", vm.Name, err)
	}
	id := task.Reference().Value

	tu = waitFor(t, "the power-off task to succeed", tw.Next, taskSeq, func(u TaskUpdate) bool {
		got, ok := findTask(u.Data, id)
		return ok && got.Done()
	})
	got, _ := findTask(tu.Data, id)
	if got.State != TaskSuccess || got.Progress != 100 || got.Error != "" {
		t.Errorf("task %s: state %q, progress %d, error %q; want success, 100, no error", id, got.State, got.Progress, got.Error)
	}
	if got.Target != vm.Name || got.TargetRef != vm.Ref {
		t.Errorf("task %s target = %q (%v); want %q (%v)", id, got.Target, got.TargetRef, vm.Name, vm.Ref)
	}
	if got.Name == "" || got.User == "" {
		t.Errorf("task %s: name %q, user %q; want both set", id, got.Name, got.User)
	}
	if got.Queued.Before(start.Add(-time.Minute)) || got.Started.IsZero() || got.Completed.Before(got.Started) {
		t.Errorf("task %s times: queued %v, started %v, completed %v; want queued now, then started, then completed",
			id, got.Queued, got.Started, got.Completed)
	}
	if tu.Data[0].ID != id {
		t.Errorf("newest task is %s; want the power-off %s first", tu.Data[0].ID, id)
	}

	isPowerOff := func(e Event) bool { return e.Type == "VmPoweredOffEvent" && e.Object == vm.Name }
	eu = waitFor(t, "a VmPoweredOffEvent for "+vm.Name, ew.Next, eventSeq, func(u EventUpdate) bool {
		return slices.ContainsFunc(u.Data, isPowerOff)
	})
	ev := eu.Data[slices.IndexFunc(eu.Data, isPowerOff)]
	if ev.ObjectRef != vm.Ref || ev.Message == "" || ev.Time.Before(start.Add(-time.Minute)) {
		t.Errorf("event = %+v; want object %v, a message and a current time", ev, vm.Ref)
	}
	if !slices.IsSortedFunc(eu.Data, func(a, b Event) int { return int(b.Key) - int(a.Key) }) || len(eu.Data) > 50 {
		t.Errorf("watched events are not newest first, or more than 50: %d events", len(eu.Data))
	}

	// Powering off again fails: the task says why.
	again, err := obj.PowerOff(ctx)
	if err != nil {
		t.Fatalf("second PowerOff %s: %v", vm.Name, err)
	}
	tu = waitFor(t, "the second power-off task to fail", tw.Next, taskSeq, func(u TaskUpdate) bool {
		got, ok := findTask(u.Data, again.Reference().Value)
		return ok && got.Done()
	})
	failed, _ := findTask(tu.Data, again.Reference().Value)
	if failed.State != TaskError || failed.Error != "InvalidPowerState" {
		t.Errorf("second power-off: state %q, error %q; want error, InvalidPowerState", failed.State, failed.Error)
	}

	recent, err := c.RecentTasks(ctx)
	if err != nil {
		t.Fatalf("RecentTasks: %v", err)
	}
	if r, ok := findTask(recent, id); !ok || r != got {
		t.Errorf("RecentTasks has %+v (found %v); want what the watch showed: %+v", r, ok, got)
	}

	events, err := c.Events(ctx, 5, "VmPoweredOffEvent")
	if err != nil {
		t.Fatalf("Events: %v", err)
	}
	if !slices.ContainsFunc(events, isPowerOff) {
		t.Errorf("Events(5, VmPoweredOffEvent) = %+v; want the power-off of %s", events, vm.Name)
	}
	for _, e := range events {
		if e.Type != "VmPoweredOffEvent" {
			t.Errorf("Events filtered by type returned a %s", e.Type)
		}
	}
}

func TestEventsReturnsTheNewestN(t *testing.T) {
	c, _ := connectSim(t, "small")
	ctx := context.Background()
	_, obj := poweredOnVM(t, c)
	runOp(t, obj.PowerOff)
	all, err := c.Events(ctx, MaxEvents)
	if err != nil {
		t.Fatal(err)
	}
	two, err := c.Events(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 3 || len(two) != 2 {
		t.Fatalf("got %d events, and %d when asking for 2; want at least 3 and 2", len(all), len(two))
	}
	if two[0] != all[0] || two[1] != all[1] || two[0].Key <= two[1].Key {
		t.Errorf("Events(2) = %+v; want the newest two of all, newest first: %+v", two, all[:2])
	}
}

func TestTaskFromInfo(t *testing.T) {
	vmRef := types.ManagedObjectReference{Type: "VirtualMachine", Value: "vm-7"}
	queued := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	started := queued.Add(time.Second)
	tests := []struct {
		name  string
		info  types.TaskInfo
		names map[Ref]string
		want  Task
	}{
		{
			name: "running, started by an alarm, named by the server",
			info: types.TaskInfo{
				Task: types.ManagedObjectReference{Type: "Task", Value: "task-1"}, Name: "RelocateVM_Task",
				Entity: &vmRef, EntityName: "web-01", State: types.TaskInfoStateRunning, Progress: 42,
				Reason: &types.TaskReasonAlarm{AlarmName: "cpu"}, QueueTime: queued, StartTime: &started,
			},
			want: Task{ID: "task-1", Name: "RelocateVM", Target: "web-01", TargetRef: mo.ToRef(vmRef), State: TaskRunning,
				Progress: 42, User: "alarm cpu", Queued: queued, Started: started},
		},
		{
			name: "failed with a vcsim message, target named by lookup",
			info: types.TaskInfo{
				Key: "task-2", DescriptionId: "VirtualMachine.powerOff", Entity: &vmRef, EntityName: "vm-7",
				State: types.TaskInfoStateError, Reason: &types.TaskReasonUser{UserName: "bob"}, QueueTime: queued,
				Error: &types.LocalizedMethodFault{Fault: &types.InvalidPowerState{}, LocalizedMessage: "*types.InvalidPowerState"},
			},
			names: map[Ref]string{mo.ToRef(vmRef): "web-01"},
			want: Task{ID: "task-2", Name: "VirtualMachine.powerOff", Target: "web-01", TargetRef: mo.ToRef(vmRef), State: TaskError,
				Error: "InvalidPowerState", User: "bob", Queued: queued},
		},
		{
			name: "failed with a server message, progress out of range",
			info: types.TaskInfo{
				Key: "task-3", Name: "Destroy_Task", State: types.TaskInfoStateError, Progress: 140,
				Reason: &types.TaskReasonSystem{}, QueueTime: queued,
				Error: &types.LocalizedMethodFault{Fault: &types.FileLocked{}, LocalizedMessage: "Unable to access file"},
			},
			want: Task{ID: "task-3", Name: "Destroy", State: TaskError, Progress: 100, Error: "Unable to access file",
				User: "system", Queued: queued},
		},
	}
	for _, tt := range tests {
		s := newTaskStore()
		if tt.names != nil {
			s.names = tt.names
		}
		if got := s.task(&tt.info); got != tt.want {
			t.Errorf("%s:\ngot  %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}

// TestTaskStoreListsOnlyRecentNewestFirst checks that pruning forgets the
// tasks that dropped off recentTask (the watch ignores leaves, since a
// finished task leaves its view, and vcsim sends none), and that the list
// shows newest first.
func TestTaskStoreListsOnlyRecentNewestFirst(t *testing.T) {
	tm := Ref{Type: "TaskManager", Value: "TaskManager"}
	ref := func(v string) types.ManagedObjectReference {
		return types.ManagedObjectReference{Type: "Task", Value: v}
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := newTaskStore()
	for i, v := range []string{"task-1", "task-2", "task-3"} {
		s.set(Ref{Type: "Task", Value: v}, "info", types.TaskInfo{Task: ref(v), QueueTime: at.Add(time.Duration(i) * time.Second)})
	}
	s.set(tm, "recentTask", types.ArrayOfManagedObjectReference{ManagedObjectReference: []types.ManagedObjectReference{ref("task-2"), ref("task-3")}})
	s.prune()
	var ids []string
	for _, task := range s.tasks() {
		ids = append(ids, task.ID)
	}
	if want := []string{"task-3", "task-2"}; !slices.Equal(ids, want) {
		t.Errorf("tasks = %v; want %v", ids, want)
	}
	if _, ok := s.infos[Ref{Type: "Task", Value: "task-1"}]; ok {
		t.Error("prune kept task-1, which left recentTask")
	}
}

// TestTaskViewFollowsOnlyUnfinishedTasks walks the watch's ListView through
// a task's life: added when it first shows in recentTask, kept while it
// runs, removed once finished or no longer recent; a task the server no
// longer knows is never added again.
func TestTaskViewFollowsOnlyUnfinishedTasks(t *testing.T) {
	ref := func(v string) types.ManagedObjectReference {
		return types.ManagedObjectReference{Type: "Task", Value: v}
	}
	tm := Ref{Type: "TaskManager", Value: "TaskManager"}
	s := newTaskStore()
	setRecent := func(vs ...string) {
		var refs []types.ManagedObjectReference
		for _, v := range vs {
			refs = append(refs, ref(v))
		}
		s.set(tm, "recentTask", types.ArrayOfManagedObjectReference{ManagedObjectReference: refs})
		s.prune()
	}
	setState := func(v string, st types.TaskInfoState) {
		s.set(mo.ToRef(ref(v)), "info", types.TaskInfo{Task: ref(v), State: st})
	}
	values := func(refs []types.ManagedObjectReference) []string {
		var out []string
		for _, r := range refs {
			out = append(out, r.Value)
		}
		slices.Sort(out)
		return out
	}
	steps := []struct {
		name        string
		change      func()
		add, remove []string
		loaded      bool
	}{
		{"two tasks listed", func() { setRecent("task-1", "task-2") }, []string{"task-1", "task-2"}, nil, false},
		{"nothing new", func() {}, nil, nil, false},
		{"task-1 running, task-2 done", func() {
			setState("task-1", types.TaskInfoStateRunning)
			setState("task-2", types.TaskInfoStateSuccess)
		}, nil, []string{"task-2"}, true},
		{"task-3 listed but gone", func() { setRecent("task-1", "task-2", "task-3"); s.missing[mo.ToRef(ref("task-3"))] = true }, nil, nil, true},
		{"task-1 drops off the list while running", func() { setRecent("task-2", "task-3") }, nil, []string{"task-1"}, true},
	}
	for _, st := range steps {
		st.change()
		add, remove := s.viewChanges()
		if got := values(add); !slices.Equal(got, st.add) {
			t.Errorf("%s: add %v; want %v", st.name, got, st.add)
		}
		if got := values(remove); !slices.Equal(got, st.remove) {
			t.Errorf("%s: remove %v; want %v", st.name, got, st.remove)
		}
		if got := s.loaded(); got != st.loaded {
			t.Errorf("%s: loaded() = %v; want %v", st.name, got, st.loaded)
		}
	}
}

// TestEventWatchMergesPagesIntoTheLatestN makes more events than one
// watched page holds and expects the watch to hold exactly what Events
// reads afterwards.
func TestEventWatchMergesPagesIntoTheLatestN(t *testing.T) {
	c, _ := connectSim(t, "small")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const n = 2*eventTail + 10
	_, obj := poweredOnVM(t, c)
	ew := c.WatchEvents(ctx, n)
	waitFor(t, "the event watch to go live", ew.Next, eventSeq, func(u EventUpdate) bool { return u.State == Live })
	for range eventTail / 2 { // each cycle posts several events
		runOp(t, obj.PowerOff)
		runOp(t, obj.PowerOn)
	}
	want, err := c.Events(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	u := waitFor(t, "the event watch to catch up", ew.Next, eventSeq, func(u EventUpdate) bool {
		return len(u.Data) > 0 && u.Data[0].Key >= want[0].Key
	})
	if !slices.Equal(u.Data, want) {
		t.Errorf("the watch holds %d events, Events read %d; they differ:\nwatch  %v\nEvents %v", len(u.Data), len(want), eventKeys(u.Data), eventKeys(want))
	}
}

func eventKeys(es []Event) []int32 {
	out := make([]int32, len(es))
	for i, e := range es {
		out[i] = e.Key
	}
	return out
}
