package common

import (
	"fmt"
	"strings"
)

// maxNamed is how many targets a title names before it counts the rest.
const maxNamed = 3

// NameList names the first few names and counts the rest: "app-01,
// app-02, app-03 and 9 more". Every dialog that names what it acts on
// goes through it, or through Targets.
func NameList(names []string) string {
	if len(names) <= maxNamed {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:maxNamed], ", "), len(names)-maxNamed)
}

// Targets names what something is done to, for a dialog's title: the lone
// name ("app-01"), or the count and the first names ("12 VMs: app-01,
// app-02, app-03 and 9 more"); never "1 VM(s)". The plural is noun+"s".
func Targets(names []string, noun string) string {
	if len(names) == 1 {
		return names[0]
	}
	return fmt.Sprintf("%d %ss: %s", len(names), noun, NameList(names))
}
