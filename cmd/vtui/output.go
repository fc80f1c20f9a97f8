package main

import (
	"encoding/json"
	"io"
	"reflect"
	"strings"

	"github.com/vtui/vtui/internal/format"
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

// fromKind takes the CLI's columns from a kind's entry in the registry,
// which the terminal UI's views read too, so a table reads the same in
// both.
func fromKind[T any](cols []kinds.Column[T]) []format.Column[T] {
	out := make([]format.Column[T], len(cols))
	for i, c := range cols {
		out[i] = format.Column[T]{Title: c.Title, Cell: c.Cell}
	}
	return out
}

// writeRows renders rows as an aligned table for people, or as a JSON array
// or YAML list for scripts. The JSON and YAML field names come from the row
// type's tags and are a stable contract.
func writeRows[T any](w io.Writer, output string, rows []T, cols []format.Column[T]) error {
	switch output {
	case outputJSON, outputYAML:
		if rows == nil {
			rows = []T{}
		}
		return writeValue(w, output, rows)
	case outputTable, "":
		return format.WriteTable(w, rows, cols)
	}
	return usageErrorf("unknown output format %q (valid: %s)", output, strings.Join(outputFormats, ", "))
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
