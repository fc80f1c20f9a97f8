package trend

import (
	"strings"
	"testing"
)

// TestSparkline: one column a value, the newest on the right, scaled so
// the largest fills the height and the others in proportion; only the
// newest width values are drawn.
func TestSparkline(t *testing.T) {
	tests := []struct {
		values        []float64
		width, height int
		want          string
	}{
		{nil, 10, 1, ""},
		{[]float64{1, 2}, 0, 1, ""},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8}, 10, 1, "▁▂▃▄▅▆▇█"},
		{[]float64{8, 4, 2}, 10, 1, "█▄▂"},
		{[]float64{100, 1, 2, 3, 4, 5, 6, 7, 8}, 8, 1, "▁▂▃▄▅▆▇█"},
		{[]float64{2, 4, 6}, 10, 2, " ▃█\n▅██"}, // 2/6 and 4/6 of two rows
	}
	for _, tt := range tests {
		if got := Sparkline(tt.values, tt.width, tt.height); got != tt.want {
			t.Errorf("Sparkline(%v, %d, %d) =\n%s\nwant\n%s", tt.values, tt.width, tt.height, got, tt.want)
		}
		if strings.Contains(Sparkline(tt.values, tt.width, tt.height), "\x1b") {
			t.Errorf("Sparkline(%v) holds an escape sequence; want plain text", tt.values)
		}
	}
}
