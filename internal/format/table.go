package format

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Column is one column of a table of T: its title and how a row renders
// in it. A domain package declares the columns of its results once, and
// the CLI's tables and the terminal UI's panes read them.
type Column[T any] struct {
	Title string
	Cell  func(T) string
}

// Cells is the table of rows: the titles of cols, then a line of cells
// per row.
func Cells[T any](rows []T, cols []Column[T]) [][]string {
	out := make([][]string, 0, len(rows)+1)
	titles := make([]string, len(cols))
	for i, c := range cols {
		titles[i] = c.Title
	}
	out = append(out, titles)
	for _, r := range rows {
		cells := make([]string, len(cols))
		for i, c := range cols {
			cells[i] = c.Cell(r)
		}
		out = append(out, cells)
	}
	return out
}

// WriteTable writes rows as a table for people: a line of titles, then a
// line per row, each column as wide as its widest cell and two spaces
// from the next.
func WriteTable[T any](w io.Writer, rows []T, cols []Column[T]) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, line := range Cells(rows, cols) {
		fmt.Fprintln(tw, strings.Join(line, "\t"))
	}
	return tw.Flush()
}
