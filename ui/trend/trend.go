// Package trend draws a series of numbers as a small chart of block
// characters (ntcharts' sparkline), as plain text: the CLI prints it and
// the terminal UI's views place it.
package trend

import (
	"strings"

	"github.com/NimbleMarkets/ntcharts/sparkline"
)

// Sparkline draws values, oldest first, as columns height rows high,
// scaled from 0 to the largest value, one column a value; with more
// values than width, the newest width are drawn. It returns the rows
// joined by newlines, each as wide as the columns drawn, with no colour;
// "" for no values or no room.
func Sparkline(values []float64, width, height int) string {
	values = values[max(len(values)-width, 0):]
	if len(values) == 0 || height < 1 {
		return ""
	}
	s := sparkline.New(len(values), height)
	s.PushAll(values)
	s.Draw()
	return strings.TrimRight(s.View(), "\n")
}
