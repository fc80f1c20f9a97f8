// Package configtest holds the test helpers that the config package's tests
// and the vtui command's tests share: the environment a test runs in, and
// the files (config files, password files, plans) it writes.
//
// It imports nothing of vtui, so that package config's own tests can use it.
package configtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Env is the environment of one test case.
type Env map[string]string

// Set makes e the environment vtui sees for the rest of t: it unsets every
// VTUI_* and GOVC_* variable and XDG_CONFIG_HOME, then sets e. viper reads
// the process environment, so t cannot be parallel; t.Setenv restores it.
// Other names set by an earlier call in the same t stay set.
func (e Env) Set(t testing.TB) {
	t.Helper()
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "VTUI_") || strings.HasPrefix(name, "GOVC_") || name == "XDG_CONFIG_HOME" {
			t.Setenv(name, "") // so that it is restored after t
			if err := os.Unsetenv(name); err != nil {
				t.Fatal(err)
			}
		}
	}
	for k, v := range e {
		t.Setenv(k, v)
	}
}

// WriteFile writes content to path with exactly mode, creating the
// directories it needs.
func WriteFile(t testing.TB, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // umask may have narrowed it
		t.Fatal(err)
	}
}

// CheckErr fails t unless err contains every string of want, or is nil
// when want is empty; input says what was tried. It reports whether err is
// an error the caller should check further (its kind, its exit code).
func CheckErr(t testing.TB, input string, err error, want []string) bool {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("%s: unexpected error %v", input, err)
		}
		return false
	}
	if err == nil {
		t.Fatalf("%s: got no error; want one containing %q", input, want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s:\n got error %q;\nwant it to contain %q", input, err, w)
		}
	}
	return true
}
