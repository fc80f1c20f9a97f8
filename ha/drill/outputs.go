package drill

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Output is a file a drill writes: its journal or a report. Name says
// where the path came from, for errors: a flag ("--report-json"), or
// "the journal".
type Output struct {
	Name, Path string
}

// CheckOutputs checks, before a drill changes anything, that it can write
// every output whose Path is set: the directory exists and takes a new
// file (one is created and removed), and the path is not a directory. A
// drill that could write its report only after failing a host and rolling
// back would have done the damage for nothing. The error names the
// output and its path.
func CheckOutputs(outs ...Output) error {
	for _, o := range outs {
		if o.Path == "" {
			continue
		}
		if err := checkOutput(o.Path); err != nil {
			return fmt.Errorf("%s %s: %w; nothing was changed", o.Name, o.Path, err)
		}
	}
	return nil
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

// WriteReports writes the JSON, JUnit and Markdown reports to the paths
// that are set, each through a temporary file so that a reader never sees
// half a report. It writes every one it can, and returns the paths
// written and what failed.
func (r *Report) WriteReports(jsonPath, junitPath, mdPath string) (written []string, err error) {
	var errs []error
	for _, f := range []struct {
		path  string
		write func(io.Writer) error
	}{{jsonPath, r.WriteJSON}, {junitPath, r.WriteJUnit}, {mdPath, r.WriteMarkdown}} {
		if f.path == "" {
			continue
		}
		if err := replaceFile(f.path, f.write); err != nil {
			errs = append(errs, fmt.Errorf("write the report %s: %w", f.path, err))
			continue
		}
		written = append(written, f.path)
	}
	return written, errors.Join(errs...)
}

// replaceFile writes path through a temporary file beside it.
func replaceFile(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
