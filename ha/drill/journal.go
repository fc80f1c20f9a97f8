package drill

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/vtui/vtui/internal/readlimit"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/clusterspec"
)

// Step is a step of a drill, as its journal and its timeline name it.
type Step string

// The steps, in the order a drill takes them.
const (
	StepStart     Step = "start"     // the plan, and who runs it
	StepPreflight Step = "preflight" // the gates
	StepLock      Step = "lock"      // the cluster's drill lock is taken
	StepBaseline  Step = "baseline"  // every VM's host and power state, and the configuration
	StepPinDRS    Step = "pin-drs"   // DRS is held at manual
	StepObserve   Step = "observe"   // property updates and events are followed from here
	StepInject    Step = "inject"    // the targets are failed
	StepVerify    Step = "verify"    // the VMs are accounted for
	StepRollback  Step = "rollback"  // the cluster is restored to the baseline
	StepUnlock    Step = "unlock"    // the lock is released
	StepEnd       Step = "end"       // the drill is over; nothing is left to roll back
)

// Entry is one line of a drill's journal: a step, written before the
// step acts, with what a rollback needs to undo it.
type Entry struct {
	Time time.Time `json:"time"`
	Step Step      `json:"step"`
	// Plan, Holder and VCenter (where the drill runs) are on the start
	// entry; Cluster on the lock entry.
	Plan    *Plan             `json:"plan,omitempty"`
	Holder  string            `json:"holder,omitempty"`
	VCenter *vsphere.Identity `json:"vcenter,omitempty"`
	Cluster *Object           `json:"cluster,omitempty"`
	// Baseline is on the baseline entry.
	Baseline *Baseline `json:"baseline,omitempty"`
	// DRS is DRS as it was before the pin-drs entry.
	DRS *clusterspec.DRS `json:"drs,omitempty"`
	// Method and Hosts are on the inject entry: what is about to fail.
	Method Method   `json:"method,omitempty"`
	Hosts  []Object `json:"hosts,omitempty"`
	// Acts is on a rollback entry written before the rollback acts: the
	// VMs and hosts it is about to change. A rollback run again counts
	// them as the drill's (see attribute), whatever events its own
	// changes posted under the drill's user.
	Acts []Object `json:"acts,omitempty"`
	// Result is on the end entry.
	Result Result `json:"result,omitempty"`
	Note   string `json:"note,omitempty"`
	// Provenance is on the start entry: who runs the drill, and with
	// what (the plan file as read, among others).
	Provenance *Provenance `json:"provenance,omitempty"`
}

// Object is a vCenter object as a journal keeps it: its ID (the managed
// object reference's value), which stays the same while it exists, and
// its name, for people.
type Object struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Journal appends a drill's steps to a JSON-lines file, each synced to
// disk before the step acts, so that `vtui drill rollback` can finish
// what a killed run started.
type Journal struct {
	mu   sync.Mutex
	f    *os.File
	path string
}

// CreateJournal starts a new journal at path. An existing file is refused:
// it may be a drill that still needs rolling back.
func CreateJournal(path string) (*Journal, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("the journal %s already exists: roll it back (vtui drill rollback %s) or remove it, or choose another with --journal", path, path)
	}
	if err != nil {
		return nil, fmt.Errorf("create the journal: %w", err)
	}
	return &Journal{f: f, path: path}, nil
}

// JournalName is the file name a drill's journal gets by default:
// NAME-TIMESTAMP.journal, the time in UTC.
func JournalName(plan Plan, now time.Time) string {
	name := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ' ' || r == ':' {
			return '-'
		}
		return r
	}, plan.Name)
	return fmt.Sprintf("%s-%s.journal", name, now.UTC().Format("20060102T150405Z"))
}

// OpenJournal reopens an existing journal to append to it (a rollback
// from the journal records its own steps).
func OpenJournal(path string) (*Journal, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, fmt.Errorf("open the journal: %w", err)
	}
	return &Journal{f: f, path: path}, nil
}

// Path is the journal's file.
func (j *Journal) Path() string { return j.path }

// Append writes e as one line and syncs it. A nil journal keeps nothing.
func (j *Journal) Append(e Entry) error {
	if j == nil {
		return nil
	}
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("journal %s: %w", e.Step, err)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, err := j.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("write the journal: %w", err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("sync the journal: %w", err)
	}
	return nil
}

// Close closes the file.
func (j *Journal) Close() error {
	if j == nil {
		return nil
	}
	return j.f.Close()
}

// ReadJournal reads every entry of a journal. A last line cut short (the
// runner died while writing it) is ignored: its step had not acted. A file
// larger than readlimit.Journal is refused (*readlimit.TooLargeError);
// ctx ends a read that blocks.
func ReadJournal(ctx context.Context, path string) ([]Entry, error) {
	data, err := readlimit.File(ctx, path, readlimit.Journal)
	if err != nil {
		return nil, fmt.Errorf("read the journal: %w", err)
	}
	lines := bytes.Split(data, []byte("\n"))
	lines = lines[:len(lines)-1] // after the last newline: empty, or torn
	var out []Entry
	for i, line := range lines {
		var e Entry
		if err := json.Unmarshal(line, &e); err != nil {
			return nil, fmt.Errorf("%s:%d: not a drill journal entry: %w", path, i+1, err)
		}
		out = append(out, e)
	}
	if len(out) == 0 || out[0].Step != StepStart || out[0].Plan == nil {
		return nil, fmt.Errorf("%s is not a drill journal: it does not begin with the drill's start", path)
	}
	return out, nil
}
