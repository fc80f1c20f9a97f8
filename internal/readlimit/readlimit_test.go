package readlimit

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFileStopsAtTheLimit: input up to the limit is read whole; one byte
// more, or an endless device, is refused with the name and the limit, and
// without reading on.
func TestFileStopsAtTheLimit(t *testing.T) {
	dir := t.TempDir()
	exact := filepath.Join(dir, "exact")
	over := filepath.Join(dir, "over")
	if err := os.WriteFile(exact, []byte(strings.Repeat("a", 1024)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(over, []byte(strings.Repeat("a", 1025)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path    string
		limit   int64
		wantLen int
		wantErr string
	}{
		{exact, 1024, 1024, ""},
		{over, 1024, 0, over + " is larger than the limit of 1 KiB"},
		{"/dev/zero", Document, 0, "/dev/zero is larger than the limit of 1 MiB"},
		{"/dev/zero", Journal, 0, "/dev/zero is larger than the limit of 64 MiB"},
	} {
		data, err := File(context.Background(), tt.path, tt.limit)
		switch {
		case tt.wantErr == "" && (err != nil || len(data) != tt.wantLen):
			t.Errorf("File(%s, %d) = %d bytes, %v; want %d bytes", tt.path, tt.limit, len(data), err, tt.wantLen)
		case tt.wantErr != "":
			var tl *TooLargeError
			if !errors.As(err, &tl) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("File(%s, %d) err = %v; want a *TooLargeError saying %q", tt.path, tt.limit, err, tt.wantErr)
			}
		}
	}
	if _, err := File(context.Background(), filepath.Join(dir, "absent"), Document); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("File(absent) err = %v; want fs.ErrNotExist", err)
	}
}

// TestFileEndsOnCancel: a FIFO that nobody opens for writing blocks the
// open itself; cancelling the context still ends the read at once.
func TestFileEndsOnCancel(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	done := make(chan error, 1)
	go func() {
		_, err := File(ctx, fifo, Document)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("File(fifo) err = %v; want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("File(fifo) still blocked 5 s after cancel")
	}
}

// TestReaderStopsAtTheLimit: standard input is bounded like a file.
func TestReaderStopsAtTheLimit(t *testing.T) {
	_, err := Reader(context.Background(), "<stdin>", strings.NewReader("abcde"), 4)
	if err == nil || err.Error() != "<stdin> is larger than the limit of 4 B; check that it is the file you meant" {
		t.Errorf("Reader(5 bytes, 4) err = %v; want the name and the limit", err)
	}
	if data, err := Reader(context.Background(), "<stdin>", strings.NewReader("abcd"), 4); err != nil || string(data) != "abcd" {
		t.Errorf("Reader(4 bytes, 4) = %q, %v; want abcd", data, err)
	}
}
