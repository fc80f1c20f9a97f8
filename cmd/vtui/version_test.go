package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/vtui/vtui/cmd/internal/config/configtest"
)

func TestVersion(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"version"}, []string{"vtui", "dev", "go", "govmomi"}},
		{[]string{"version", "-o", "json"}, []string{`"version": "dev"`, `"go": "go1.`, `"govmomi": "v0.`}},
		{[]string{"version", "-o", "yaml"}, []string{"version: dev", "go: go1."}},
		{[]string{"--version"}, []string{"vtui dev"}},
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
