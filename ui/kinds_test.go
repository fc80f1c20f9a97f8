package ui

import (
	"slices"
	"strings"
	"testing"

	"github.com/vtui/vtui/internal/kinds"
)

// TestEveryKindOpensByEachName walks the registry: ":" with a kind's
// name or any alias opens that kind's view, and Tab completion offers
// the kind's first alias.
func TestEveryKindOpensByEachName(t *testing.T) {
	a := loadedApp(t)
	offered := commandNames(nil)
	for _, k := range kinds.All() {
		if _, ok := a.views[Kind(k.Name)]; !ok {
			t.Errorf("the terminal UI has no view of %s", k.Name)
		}
		if !slices.Contains(offered, k.Aliases[0]) {
			t.Errorf("Tab completion %q does not offer %q", offered, k.Aliases[0])
		}
		for _, name := range append([]string{k.Name}, k.Aliases...) {
			keys(a, ":ctx", "<enter>", ":"+strings.ToUpper(name[:1])+name[1:], "<enter>")
			if got := a.top().kind; got != Kind(k.Name) || len(a.stack) != 1 {
				t.Errorf(":%s opened %s (stack %d deep); want %s", name, got, len(a.stack), k.Name)
			}
		}
	}
}
