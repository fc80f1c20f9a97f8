package drillrun

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vtui/vtui/ha/drill"
)

// Output is a file a drill writes: its journal or a report. Name says
// where the path came from, for errors: a flag ("--report-json"), or
// "the journal".
type Output struct {
	Name, Path string
}

// Paths are the files a drill writes: its journal and its reports. An
// Output whose Path is "" is not written, but for the journal, whose
// default Resolve fills. Prom is the OpenMetrics file for node_exporter's
// textfile collector, never placed beside the journal.
type Paths struct {
	Journal, JSON, JUnit, Markdown, Prom Output
}

// Beside returns p with each report whose Path is "" placed beside the
// journal and named as it is (NAME-TIMESTAMP.json, .junit.xml, .md), as
// the TUI keeps them. The journal's Path must be set.
func (p Paths) Beside() Paths {
	base := strings.TrimSuffix(p.Journal.Path, filepath.Ext(p.Journal.Path))
	for _, r := range []struct {
		o   *Output
		ext string
	}{{&p.JSON, ".json"}, {&p.JUnit, ".junit.xml"}, {&p.Markdown, ".md"}} {
		if r.o.Path == "" {
			r.o.Path = base + r.ext
		}
	}
	return p
}

// Resolve fills the journal's default path for plan, started at now
// (DefaultJournal), and, with beside, the reports' beside it (Beside);
// then it checks, before a drill changes anything, that every output can
// be written. A drill that could write its report only after failing a
// host and rolling back would have done the damage for nothing. The
// error of a default journal that cannot be had is *JournalDirError; an
// output that cannot be written is named with its path.
func (p Paths) Resolve(plan drill.Plan, now time.Time, beside bool) (Paths, error) {
	if p.Journal.Path == "" {
		path, err := DefaultJournal(plan, now)
		if err != nil {
			return p, err
		}
		p.Journal.Path = path
	}
	if beside {
		p = p.Beside()
	}
	for _, o := range []Output{p.Journal, p.JSON, p.JUnit, p.Markdown, p.Prom} {
		if o.Path == "" {
			continue
		}
		if err := checkOutput(o.Path); err != nil {
			return p, fmt.Errorf("%s %s: %w; nothing was changed", o.Name, o.Path, err)
		}
	}
	return p, nil
}

// JournalDirError is why the default journal has no place: the
// directory of drill journals cannot be found or created.
type JournalDirError struct{ Err error }

// Error is Err's text.
func (e *JournalDirError) Error() string { return e.Err.Error() }

// Unwrap returns Err.
func (e *JournalDirError) Unwrap() error { return e.Err }

// DefaultJournal is where the journal of plan, started at now, goes when
// no path is given, for the CLI and the TUI alike: drill.JournalName in
// $XDG_STATE_HOME/vtui/drills, or ~/.local/state/vtui/drills when
// XDG_STATE_HOME is unset (or relative, which the XDG base directory
// spec says to ignore). It creates the directory, mode 0700 (a journal
// names the vCenter, its hosts and VMs), if it does not exist.
func DefaultJournal(plan drill.Plan, now time.Time) (string, error) {
	dir, err := StateDir()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", &JournalDirError{fmt.Errorf("create the directory of drill journals: %w", err)}
	}
	return filepath.Join(dir, drill.JournalName(plan, now)), nil
}

// StateDir is the directory of drill journals, and of the reports kept
// beside them, where drill history looks by default:
// $XDG_STATE_HOME/vtui/drills, or ~/.local/state/vtui/drills. It does not
// create it. Its error is *JournalDirError.
func StateDir() (string, error) {
	dir := os.Getenv("XDG_STATE_HOME")
	if !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", &JournalDirError{fmt.Errorf("the directory of drill journals: %w; set XDG_STATE_HOME", err)}
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "vtui", "drills"), nil
}

func checkOutput(path string) error {
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return errors.New("is a directory: name a file")
	}
	dir := filepath.Dir(path)
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("the directory %s does not exist: create it, or choose another place", dir)
	case err != nil:
		return err
	case !info.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	f, err := os.CreateTemp(dir, ".vtui-check-*")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %w", dir, errors.Unwrap(err))
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// WriteReports writes rep's JSON, JUnit, Markdown and OpenMetrics
// reports to the paths of p that are set, each through a temporary file
// renamed into place, so that a reader (node_exporter's textfile
// collector among them) never sees half a report. The reports are mode
// 0600, as they name the vCenter, its hosts and VMs, but for the
// OpenMetrics file: 0644, for node_exporter, which runs as a user of its
// own. It writes every one it can, and returns the paths written and what
// failed.
func WriteReports(rep *drill.Report, p Paths) (written []string, err error) {
	var errs []error
	for _, f := range []struct {
		path  string
		write func(io.Writer) error
		mode  os.FileMode
	}{{p.JSON.Path, rep.WriteJSON, 0o600}, {p.JUnit.Path, rep.WriteJUnit, 0o600}, {p.Markdown.Path, rep.WriteMarkdown, 0o600},
		{p.Prom.Path, rep.WriteOpenMetrics, 0o644}} {
		if f.path == "" {
			continue
		}
		if err := replaceFile(f.path, f.mode, f.write); err != nil {
			errs = append(errs, fmt.Errorf("write the report %s: %w", f.path, err))
			continue
		}
		written = append(written, f.path)
	}
	return written, errors.Join(errs...)
}

// replaceFile writes path, with mode, through a temporary file beside
// it, whose name is hidden and does not end as path's does (a textfile
// collector reads only *.prom).
func replaceFile(path string, mode os.FileMode, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
