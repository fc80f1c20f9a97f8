package buildinfo

import (
	"runtime/debug"
	"testing"
)

// TestVersionComesFromTheBuild: a stamped version wins, then the module
// version, then the VCS revision and whether the tree was modified; never
// the old placeholder "dev".
func TestVersionComesFromTheBuild(t *testing.T) {
	rev := []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}
	clean := []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "false"}}
	for _, tt := range []struct {
		name     string
		bi       *debug.BuildInfo
		stamped  string
		want     string
		modified bool
	}{
		{"stamped at build time", &debug.BuildInfo{Main: debug.Module{Version: "v9.9.9"}, Settings: rev}, "v1.2.3", "v1.2.3", true},
		{"go install @version", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, "", "v1.4.0", false},
		{"a checkout with changes", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: rev}, "", "devel+0123456789ab+modified", true},
		{"a clean checkout", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: clean}, "", "devel+0123456789ab", false},
		{"no VCS information", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "", "unknown", false},
		{"no build information", nil, "", "unknown", false},
	} {
		got := from(tt.bi, tt.stamped)
		if got.Version != tt.want || got.Modified != tt.modified || got.Go == "" {
			t.Errorf("%s: %+v; want version %q, modified %t, and the Go version", tt.name, got, tt.want, tt.modified)
		}
	}
	if got := from(&debug.BuildInfo{Settings: clean}, ""); got.Revision != "0123456789abcdef0123" {
		t.Errorf("the revision: %q; want the whole commit", got.Revision)
	}
}
