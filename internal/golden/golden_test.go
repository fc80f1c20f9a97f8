package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a test whose first failure is kept instead of reported.
type recorder struct {
	testing.TB
	failure string
}

func (r *recorder) Helper()      {}
func (r *recorder) Name() string { return "TestSomething" }
func (r *recorder) Fatal(args ...any) {
	r.Errorf("%s", fmt.Sprint(args...))
}
func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...) }
func (r *recorder) Errorf(format string, args ...any) {
	if r.failure == "" {
		r.failure = fmt.Sprintf(format, args...)
	}
}

// TestAssert: equal passes, different or missing fails saying how to
// rewrite the file, -update writes it; a relative path is the package
// directory's, also after a t.Chdir.
func TestAssert(t *testing.T) {
	// The cases set -update themselves: go test -update must not rewrite
	// testdata/hello.golden with "bye".
	defer update.Set(update.String())
	t.Chdir(t.TempDir())
	tmp := t.TempDir()
	tests := []struct {
		name, path, got string
		update          bool
		want            []string // in the failure; none: no failure
	}{
		{"equal", "testdata/hello.golden", "hello\n", false, nil},
		{"different", "testdata/hello.golden", "bye\n", false, []string{"differs from " + filepath.Join(dir, "testdata/hello.golden"), "-run 'TestSomething' -update rewrites it", "got:\nbye\n", "want:\nhello\n"}},
		{"missing", filepath.Join(tmp, "absent.golden"), "x", false, []string{"absent.golden", "-run 'TestSomething' -update writes it"}},
		{"updated", filepath.Join(tmp, "new", "out.golden"), "new\n", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := update.Set(fmt.Sprint(tt.update)); err != nil {
				t.Fatal(err)
			}
			r := &recorder{TB: t}
			Assert(r, tt.path, tt.got)
			if len(tt.want) == 0 && r.failure != "" {
				t.Errorf("Assert(%q, %q) failed: %s", tt.path, tt.got, r.failure)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.failure, w) {
					t.Errorf("Assert(%q, %q) failure %q; want it to contain %q", tt.path, tt.got, r.failure, w)
				}
			}
			if tt.update {
				if b, err := os.ReadFile(tt.path); err != nil || string(b) != tt.got {
					t.Errorf("-update wrote %q, %v; want %q", b, err, tt.got)
				}
			}
		})
	}
}
