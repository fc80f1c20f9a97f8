package main

// `vtui version`, and what --version prints.

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// version is vtui's version, set at build time:
//
//	go build -ldflags "-X main.version=v1.2.3" ./cmd/vtui
var version = "dev"

// versionInfo is what `vtui version` prints. Its JSON field names are a
// stable contract.
type versionInfo struct {
	Version string `json:"version" yaml:"version"`
	Commit  string `json:"commit,omitempty" yaml:"commit,omitempty"`
	Go      string `json:"go" yaml:"go"`
	Govmomi string `json:"govmomi" yaml:"govmomi"`
}

func buildVersion() versionInfo {
	v := versionInfo{Version: version, Go: runtime.Version(), Govmomi: "unknown"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if v.Version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v.Version = bi.Main.Version // go install github.com/vtui/vtui/cmd/vtui@v1.2.3
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			v.Commit = s.Value
		}
	}
	for _, d := range bi.Deps {
		if d.Path == "github.com/vmware/govmomi" {
			v.Govmomi = d.Version
			if d.Replace != nil {
				v.Govmomi = d.Replace.Version + " (replaced)"
			}
		}
	}
	return v
}

func fullVersion() string {
	v := buildVersion()
	return fmt.Sprintf("%s (%s, govmomi %s)", v.Version, v.Go, v.Govmomi)
}

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:         "version",
		Short:       "Print the versions of vtui, Go and govmomi",
		Args:        cobra.NoArgs,
		Annotations: map[string]string{annotationNoConfig: "true"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return writeVersion(cmd.OutOrStdout(), a.settings.Output, buildVersion())
		},
	}
}

func writeVersion(w io.Writer, format string, v versionInfo) error {
	if format == outputJSON || format == outputYAML {
		return writeValue(w, format, v)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "vtui\t%s\n", v.Version)
	if v.Commit != "" {
		fmt.Fprintf(tw, "commit\t%s\n", v.Commit)
	}
	fmt.Fprintf(tw, "go\t%s\n", v.Go)
	fmt.Fprintf(tw, "govmomi\t%s\n", v.Govmomi)
	return tw.Flush()
}
