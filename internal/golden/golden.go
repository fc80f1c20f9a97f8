// Package golden compares a test's output with a golden file, and
// rewrites the file instead when the test runs with -update:
//
//	go test ./cmd/vtui -run TestGet -update
//
// It is the one golden helper of vtui's tests and owns the one -update
// flag. teatest (charmbracelet/x/exp/golden) defines a flag of the same
// name; in a test binary that links both, that package is initialized
// first (packages initialize in import-path order) and golden honours its
// flag instead of defining a second one, so -update means one thing
// everywhere.
//
// Go refuses a flag that a test binary does not define, so
// `go test ./... -update` fails in the packages without goldens: use
// scripts/update-goldens, which runs -update in every package that
// imports this one.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// update is the -update flag: teatest's when it is linked in, else ours.
var update = func() flag.Value {
	if f := flag.Lookup("update"); f != nil {
		return f.Value
	}
	flag.Bool("update", false, "rewrite the golden files under testdata instead of comparing with them")
	return flag.Lookup("update").Value
}()

// dir is the package directory, where go test starts the test binary: a
// relative path is taken from there, even in a test that changed
// directory (t.Chdir) before it compares.
var dir, _ = os.Getwd()

// updating reports whether the test runs with -update.
func updating() bool { return update.String() == "true" }

// Assert compares got with the golden file at path, relative to the
// test's package directory ("testdata/NAME") unless absolute. With
// -update it first writes got to path, creating its directory. A
// difference fails the test with got and want; a missing file fails it
// with how to write one.
func Assert[T ~string | ~[]byte](t testing.TB, path string, got T) {
	t.Helper()
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	if updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run '%s' -update writes it)", err, t.Name())
	}
	if string(got) != string(want) {
		t.Errorf("output differs from %s (go test -run '%s' -update rewrites it; review the diff)\ngot:\n%s\nwant:\n%s", path, t.Name(), got, want)
	}
}
