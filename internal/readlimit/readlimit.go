// Package readlimit reads what a user hands vtui (drill plans, cluster
// config files, the config file, journals, password and CA files) with a
// bound on its size, checked while reading, and an end on cancellation:
// /dev/zero, a 50 MB plan or a FIFO nobody writes to can neither exhaust
// memory nor outlive a signal.
package readlimit

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/vtui/vtui/internal/format"
)

// Limits of the files vtui reads. They are documented in the README.
const (
	// Document bounds a file a person writes: a drill plan, a cluster
	// config file, the config file, a password file or a CA bundle.
	Document int64 = 1 << 20
	// Journal bounds a drill journal, which vtui writes: its baseline
	// names every VM of the cluster and each step adds a line, so a
	// drill of a 10,000-VM cluster stays well below it.
	Journal int64 = 64 << 20
	// Report bounds a drill's JSON report that drill history reads: vtui
	// writes it, with the VMs of the targets and the drill's timeline,
	// but a directory of CI artifacts may hold anything.
	Report int64 = 16 << 20
)

// TooLargeError is returned for input longer than its limit. Callers treat
// it as bad input (exit 2).
type TooLargeError struct {
	// Name is the file's path, or what was read ("<stdin>").
	Name string
	// Limit is the most bytes allowed.
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than the limit of %s; check that it is the file you meant", e.Name, format.Bytes(e.Limit))
}

// File reads the file at path, at most limit bytes, and fails with a
// *TooLargeError when there is more. It returns ctx's error as soon as ctx
// is done, even while the open or a read blocks (a FIFO with no writer, a
// hung network mount): the blocked goroutine is left to end with the
// process. Other errors are os's (*fs.PathError), unwrapped.
func File(ctx context.Context, path string, limit int64) ([]byte, error) {
	return await(ctx, func() ([]byte, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return readAll(f, path, limit)
	})
}

// Reader reads r to its end, at most limit bytes, as File does; name says
// what r is ("<stdin>") in a *TooLargeError.
func Reader(ctx context.Context, name string, r io.Reader, limit int64) ([]byte, error) {
	return await(ctx, func() ([]byte, error) { return readAll(r, name, limit) })
}

// readAll reads one byte past limit, so that input of exactly limit bytes
// passes and anything longer is refused without reading further.
func readAll(r io.Reader, name string, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Name: name, Limit: limit}
	}
	return data, nil
}

// await runs read in its own goroutine and returns its result, or ctx's
// error once ctx is done.
func await(ctx context.Context, read func() ([]byte, error)) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := read()
		done <- result{data, err}
	}()
	select {
	case r := <-done:
		return r.data, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
