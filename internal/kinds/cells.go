package kinds

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// itoa renders an integer.
func itoa[T ~int | ~int32 | ~int64](n T) string { return strconv.FormatInt(int64(n), 10) }

// pct is a share in per mille, for sorting percentage columns.
func pct(part, whole int64) int64 {
	if whole <= 0 {
		return -1
	}
	return part * 1000 / whole
}

func byInt[T any](f func(T) int64) func(a, b T) int {
	return func(a, b T) int { return cmp.Compare(f(a), f(b)) }
}

// fields pairs labels and values into detail lines:
// fields("Host", h.Name, "ID", h.ID).
func fields(kv ...string) []Field {
	out := make([]Field, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, Field{Label: kv[i], Value: kv[i+1]})
	}
	return out
}

func onOff(b bool) string {
	if b {
		return "enabled"
	}
	return "disabled"
}

func list(s []string) string {
	if len(s) == 0 {
		return "-"
	}
	return strings.Join(slices.Clone(s), ", ")
}

// clock shows a time in the local zone to the second, for the views.
func clock(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("15:04:05")
}

// stamp shows a time in the local zone with its date, for vtui get;
// "-" for none.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format(time.DateTime)
}
