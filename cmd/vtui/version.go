package main

// `vtui version`, and what --version prints.

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vtui/vtui/internal/buildinfo"
)

// versionInfo is what `vtui version` prints: buildinfo's, the one
// source of vtui's version (set it at build time with
// -ldflags "-X github.com/vtui/vtui/internal/buildinfo.version=v1.2.3").
// Its JSON field names are a stable contract.
type versionInfo = buildinfo.Info

func buildVersion() versionInfo { return buildinfo.Read() }

func fullVersion() string {
	v := buildVersion()
	return fmt.Sprintf("%s (%s, govmomi %s)", v.Version, v.Go, v.Govmomi)
}

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the versions of vtui, Go and govmomi",
		Example: `  vtui version
  vtui version -o json`,
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
	if v.Revision != "" {
		fmt.Fprintf(tw, "commit\t%s\n", v.Revision)
	}
	fmt.Fprintf(tw, "go\t%s\n", v.Go)
	fmt.Fprintf(tw, "govmomi\t%s\n", v.Govmomi)
	return tw.Flush()
}
