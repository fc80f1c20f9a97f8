package main

import (
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"text/tabwriter"

	"github.com/vtui/vtui/internal/kinds"
	"github.com/vtui/vtui/internal/strictyaml"
)

// Output formats accepted by -o/--output.
const (
	outputTable = "table"
	outputJSON  = "json"
	outputYAML  = "yaml"
)

// outputFormats are the values -o accepts, the default first.
var outputFormats = []string{outputTable, outputJSON, outputYAML}

// column is one column of a table: its header and how a row renders in it.
type column[T any] struct {
	header string
	value  func(T) string
}

// fromKind takes the CLI's columns from a kind's entry in the registry,
// which the terminal UI's views read too, so a table reads the same in
// both.
func fromKind[T any](cols []kinds.Column[T]) []column[T] {
	out := make([]column[T], len(cols))
	for i, c := range cols {
		out[i] = column[T]{header: c.Title, value: c.Cell}
	}
	return out
}

// writeRows renders rows as an aligned table for people, or as a JSON array
// or YAML list for scripts. The JSON and YAML field names come from the row
// type's tags and are a stable contract.
func writeRows[T any](w io.Writer, format string, rows []T, cols []column[T]) error {
	switch format {
	case outputJSON, outputYAML:
		if rows == nil {
			rows = []T{}
		}
		return writeValue(w, format, rows)
	case outputTable, "":
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		headers := make([]string, len(cols))
		for i, c := range cols {
			headers[i] = c.header
		}
		fmt.Fprintln(tw, strings.Join(headers, "\t"))
		cells := make([]string, len(cols))
		for _, r := range rows {
			for i, c := range cols {
				cells[i] = c.value(r)
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
		return tw.Flush()
	}
	return usageErrorf("unknown output format %q (valid: %s)", format, strings.Join(outputFormats, ", "))
}

// writeValue encodes v as indented JSON or as YAML, for scripts. An empty
// list is [] in both.
func writeValue(w io.Writer, format string, v any) error {
	if format == outputJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice && rv.Len() == 0 {
		_, err := io.WriteString(w, "[]\n")
		return err
	}
	return strictyaml.Encode(w, v)
}
