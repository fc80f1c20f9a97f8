package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/vtui/vtui/cmd/internal/config/configtest"
	"github.com/vtui/vtui/internal/buildinfo"
)

// TestVersion: vtui version and --version say the version buildinfo
// reads from the build (never a placeholder "dev"), Go's and govmomi's.
func TestVersion(t *testing.T) {
	v := buildinfo.Read().Version
	if v == "" || v == "dev" {
		t.Fatalf("buildinfo's version is %q; want one read from the build", v)
	}
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"version"}, []string{"vtui", " " + v + "\n", "go", "govmomi"}},
		{[]string{"version", "-o", "json"}, []string{`"version": "` + v + `"`, `"go": "go1.`, `"govmomi": "v0.`}},
		{[]string{"version", "-o", "yaml"}, []string{"version: " + v, "go: go1."}},
		{[]string{"--version"}, []string{"vtui " + v + " (go1."}},
	} {
		r := runTest(t, tt.args, nil)
		for _, w := range tt.want {
			if r.code != exitOK || !strings.Contains(r.stdout, w) {
				t.Errorf("vtui %q: got exit %d, stdout %q; want 0 and %q", tt.args, r.code, r.stdout, w)
			}
		}
	}
	// version works even when the config file is broken.
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	configtest.WriteFile(t, bad, "{{{", 0o600)
	if r := runTest(t, []string{"version", "--config", bad}, nil); r.code != exitOK {
		t.Errorf("vtui version with a broken config: got exit %d, stderr %q; want 0", r.code, r.stderr)
	}
}
