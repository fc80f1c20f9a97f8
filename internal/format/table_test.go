package format

import (
	"bytes"
	"strconv"
	"testing"
)

func TestWriteTable(t *testing.T) {
	cols := []Column[int]{
		{Title: "N", Cell: strconv.Itoa},
		{Title: "SQUARE", Cell: func(n int) string { return strconv.Itoa(n * n) }},
	}
	for _, tt := range []struct {
		rows []int
		want string
	}{
		{nil, "N  SQUARE\n"},
		{[]int{3, 12}, "N   SQUARE\n3   9\n12  144\n"},
	} {
		var b bytes.Buffer
		if err := WriteTable(&b, tt.rows, cols); err != nil {
			t.Fatal(err)
		}
		if got := b.String(); got != tt.want {
			t.Errorf("WriteTable(%v) = %q; want %q", tt.rows, got, tt.want)
		}
	}
}
