// Package format renders quantities for people: binary byte units, CPU
// frequencies, percentages, counts of things, yes/no, "-" for an empty
// value, and aligned tables of columns a domain package declares. The TUI,
// the CLI's tables and the messages of vsphere and ha share it, so a
// number reads the same everywhere.
package format

import (
	"fmt"
	"strconv"
)

var byteUnits = []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}

// Bytes renders n bytes in binary units with at most one decimal:
// 0 B, 512 B, 1.5 KiB, 16 GiB, 2.3 TiB.
func Bytes(n int64) string {
	if n < 0 {
		return "-" + Bytes(-n)
	}
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	f := float64(n)
	i := 0
	for f >= 1024 && i < len(byteUnits)-1 {
		f /= 1024
		i++
	}
	return trimmed(f) + " " + byteUnits[i]
}

// MB renders a size given in mebibytes, as vSphere reports memory.
func MB(mb int64) string { return Bytes(mb << 20) }

// MHz renders a CPU frequency: 800 MHz, 2.4 GHz, 1.2 THz.
func MHz(mhz int64) string {
	switch {
	case mhz < 1000:
		return strconv.FormatInt(mhz, 10) + " MHz"
	case mhz < 1000*1000:
		return trimmed(float64(mhz)/1000) + " GHz"
	default:
		return trimmed(float64(mhz)/1000/1000) + " THz"
	}
}

// Percent renders part of whole as a whole percentage, or "-" when whole is
// not positive (nothing to measure against).
func Percent(part, whole int64) string {
	if whole <= 0 {
		return "-"
	}
	return strconv.FormatInt((part*100+whole/2)/whole, 10) + "%"
}

// Count returns n of noun, the noun in the plural but for one: "1 VM",
// "3 VMs", "0 changes". The plural adds "s", which every noun vtui counts
// takes.
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Dash renders an empty string as "-", for a cell or a detail that has
// no value.
func Dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// YesNo renders a flag as "yes" or "no".
func YesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// trimmed prints f with one decimal, dropping ".0" and any decimal from 100 up.
func trimmed(f float64) string {
	if f >= 100 {
		return fmt.Sprintf("%.0f", f)
	}
	s := fmt.Sprintf("%.1f", f)
	if len(s) > 2 && s[len(s)-2:] == ".0" {
		return s[:len(s)-2]
	}
	return s
}
