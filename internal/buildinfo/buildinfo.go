// Package buildinfo says which vtui is running: the one source of its
// version, for `vtui version` and for the provenance of a drill's
// reports.
package buildinfo

import (
	"runtime"
	"runtime/debug"
)

// version, if set at build time, is vtui's version:
//
//	go build -ldflags "-X github.com/vtui/vtui/internal/buildinfo.version=v1.2.3" ./cmd/vtui
var version string

// Info is the build of the running vtui. Its JSON field names are a
// stable contract (`vtui version -o json`, and a drill report's
// provenance.vtui).
type Info struct {
	// Version is the release (set at build time, or the module version of
	// `go install …@v1.2.3`); else "devel+REVISION" (the first 12
	// characters of the commit), with "+modified" when the tree had
	// uncommitted changes; else "unknown" (a build without module or VCS
	// information, such as a test binary).
	Version string `json:"version" yaml:"version"`
	// Revision is the commit it was built from, Modified whether the
	// tree had uncommitted changes then; empty and false when unknown.
	Revision string `json:"commit,omitempty" yaml:"commit,omitempty"`
	Modified bool   `json:"modified,omitempty" yaml:"modified,omitempty"`
	Go       string `json:"go" yaml:"go"`
	Govmomi  string `json:"govmomi" yaml:"govmomi"`
}

// Read reads the running binary's build information.
func Read() Info {
	bi, _ := debug.ReadBuildInfo()
	return from(bi, version)
}

// from is Read over bi (nil when the binary has none) and the version set
// at build time.
func from(bi *debug.BuildInfo, stamped string) Info {
	in := Info{Version: stamped, Go: runtime.Version(), Govmomi: "unknown"}
	if bi == nil {
		if in.Version == "" {
			in.Version = "unknown"
		}
		return in
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			in.Revision = s.Value
		case "vcs.modified":
			in.Modified = s.Value == "true"
		}
	}
	for _, d := range bi.Deps {
		if d.Path == "github.com/vmware/govmomi" {
			in.Govmomi = d.Version
			if d.Replace != nil {
				in.Govmomi = d.Replace.Version + " (replaced)"
			}
		}
	}
	switch {
	case in.Version != "":
	case bi.Main.Version != "" && bi.Main.Version != "(devel)":
		in.Version = bi.Main.Version // go install github.com/vtui/vtui/cmd/vtui@v1.2.3
	case in.Revision != "":
		in.Version = "devel+" + in.Revision[:min(12, len(in.Revision))]
		if in.Modified {
			in.Version += "+modified"
		}
	default:
		in.Version = "unknown"
	}
	return in
}
