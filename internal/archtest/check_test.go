package archtest

import (
	"slices"
	"testing"
)

// TestCheck runs the rule checker over made-up package lists: each
// breaks one rule, or none.
func TestCheck(t *testing.T) {
	const (
		govmomi  = "github.com/vmware/govmomi/vim25/types"
		cobra    = "github.com/spf13/cobra"
		viper    = "github.com/spf13/viper"
		tea      = "github.com/charmbracelet/bubbletea"
		teatest  = "github.com/charmbracelet/x/exp/teatest"
		lipgloss = "github.com/charmbracelet/lipgloss"
	)
	m := func(path string) string { return module + "/" + path }
	tests := []struct {
		name string
		pkg  pkg
		want string // "" for no violation
	}{
		{"vsphere imports govmomi", pkg{ImportPath: m("vsphere"), Imports: []string{govmomi, m("internal/format")}}, ""},
		{"vsphere/sim imports govmomi", pkg{ImportPath: m("vsphere/sim"), Imports: []string{govmomi}}, ""},
		{"ui/drill imports govmomi", pkg{ImportPath: m("ui/drill"), Imports: []string{govmomi}},
			"ui/drill imports " + govmomi + ": only vsphere and vsphere/... import govmomi"},
		{"a test of ha/capacity imports govmomi", pkg{ImportPath: m("ha/capacity"), TestImports: []string{govmomi}},
			"ha/capacity imports " + govmomi + ": only vsphere and vsphere/... import govmomi"},
		{"an external test of ui imports govmomi", pkg{ImportPath: m("ui"), XTestImports: []string{govmomi}},
			"ui imports " + govmomi + ": only vsphere and vsphere/... import govmomi"},
		{"a test of ha/drill imports govmomi (an exception)", pkg{ImportPath: m("ha/drill"), TestImports: []string{govmomi}}, ""},
		{"ha/drill imports govmomi", pkg{ImportPath: m("ha/drill"), Imports: []string{govmomi}},
			"ha/drill imports " + govmomi + ": only vsphere and vsphere/... import govmomi"},
		{"cmd/vtui imports cobra and viper", pkg{ImportPath: m("cmd/vtui"), Imports: []string{cobra, viper, tea}}, ""},
		{"ui imports viper", pkg{ImportPath: m("ui"), Imports: []string{viper}},
			"ui imports " + viper + ": only cmd/... imports cobra, viper and pflag"},
		{"a test of ha/drill imports cobra", pkg{ImportPath: m("ha/drill"), TestImports: []string{cobra}},
			"ha/drill imports " + cobra + ": only cmd/... imports cobra, viper and pflag"},
		{"ui/table imports bubbletea, ui's tests teatest", pkg{ImportPath: m("ui/table"), Imports: []string{tea}, XTestImports: []string{teatest}}, ""},
		{"ha/placement imports lipgloss", pkg{ImportPath: m("ha/placement"), Imports: []string{lipgloss}},
			"ha/placement imports " + lipgloss + ": only ui, ui/... and cmd/... import bubbletea, bubbles, lipgloss and teatest"},
		{"a test of vsphere imports teatest", pkg{ImportPath: m("vsphere"), TestImports: []string{teatest}},
			"vsphere imports " + teatest + ": only ui, ui/... and cmd/... import bubbletea, bubbles, lipgloss and teatest"},
		{"a test of ui imports vspheretest", pkg{ImportPath: m("ui"), TestImports: []string{m("vsphere/vspheretest")}}, ""},
		{"cmd/vtui imports vspheretest", pkg{ImportPath: m("cmd/vtui"), Imports: []string{m("vsphere/vspheretest")}},
			"cmd/vtui imports vsphere/vspheretest: no non-test package imports vsphere/vspheretest or vsphere/internal/conntest"},
		{"ha/drill imports os/exec", pkg{ImportPath: m("ha/drill"), Imports: []string{"os/exec"}}, ""},
		{"a test of cmd/vtui imports os/exec", pkg{ImportPath: m("cmd/vtui"), TestImports: []string{"os/exec"}}, ""},
		{"ui/drill imports os/exec", pkg{ImportPath: m("ui/drill"), Imports: []string{"os/exec"}},
			"ui/drill imports os/exec: only ha/drill, the drill's command runner, starts processes (nothing from vCenter reaches a shell)"},
		{"ha/drill imports ha/capacity, below it", pkg{ImportPath: m("ha/drill"), Imports: []string{m("ha/capacity"), m("vsphere"), m("internal/readlimit")}}, ""},
		{"ui/hapanel imports ui/listview, its own layer", pkg{ImportPath: m("ui/hapanel"), Imports: []string{m("ui/listview")}}, ""},
		{"vsphere imports ha/placement", pkg{ImportPath: m("vsphere"), Imports: []string{m("ha/placement")}},
			"vsphere imports ha/placement: layer 2 (vsphere, vsphere/internal/drillio) imports only its own layer or lower, and ha/placement is in layer 4 (ha, ha/placement, ha/capacity)"},
		{"ui/table imports ui", pkg{ImportPath: m("ui/table"), Imports: []string{m("ui")}},
			"ui/table imports ui: layer 7 (ui/...) imports only its own layer or lower, and ui is in layer 8 (ui)"},
		{"internal/format imports vsphere", pkg{ImportPath: m("internal/format"), Imports: []string{m("vsphere")}},
			"internal/format imports vsphere: layer 0 (internal/..., vsphere/clusterspec, vsphere/internal/mo, ha/admission, vsphere/sim, vsphere/internal/leanenc) imports only its own layer or lower, and vsphere is in layer 2 (vsphere, vsphere/internal/drillio)"},
		{"a test of vsphere imports ha/placement (tests are not layered)", pkg{ImportPath: m("vsphere"), XTestImports: []string{m("ha/placement")}}, ""},
		{"vsphere/drillkit imports vsphere/gate", pkg{ImportPath: m("vsphere/drillkit"), Imports: []string{m("vsphere/gate")}},
			"vsphere/drillkit imports vsphere/gate: vsphere/drillkit only reads: it does not import vsphere/gate"},
		{"vsphere/gate imports vsphere/drillkit", pkg{ImportPath: m("vsphere/gate"), Imports: []string{m("vsphere/drillkit")}},
			"vsphere/gate imports vsphere/drillkit: vsphere/gate does not import vsphere/drillkit"},
		{"ha/drill imports vsphere/gate and vsphere/drillkit", pkg{ImportPath: m("ha/drill"), Imports: []string{m("vsphere/gate"), m("vsphere/drillkit")}}, ""},
		{"ha/drill imports the drill primitives", pkg{ImportPath: m("ha/drill"), Imports: []string{m("vsphere/internal/drillio")}},
			"ha/drill imports vsphere/internal/drillio: only vsphere/gate and vsphere/drillkit use the drill primitives of vsphere/internal/drillio"},
		{"a package in no layer", pkg{ImportPath: m("core/kinds"), Imports: []string{m("vsphere")}},
			"core/kinds: in no layer; place it in the layers table of internal/archtest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []string
			if tt.want != "" {
				want = []string{tt.want}
			}
			if got := check([]pkg{tt.pkg}); !slices.Equal(got, want) {
				t.Errorf("check(%+v)\n got %q\nwant %q", tt.pkg, got, want)
			}
		})
	}
}

// TestLayerOf: the most specific entry places a package.
func TestLayerOf(t *testing.T) {
	for _, tt := range []struct {
		name string
		want int
		ok   bool
	}{
		{"ui", 8, true}, {"ui/drill", 7, true}, {"ui/drill/deeper", 7, true}, {"internal/golden", 0, true},
		{"internal/kinds", 6, true}, {"vsphere/internal/conn", 1, true}, {"vsphere/internal/conntest", 1, true}, {"vsphere", 2, true},
		{"vsphere/vspheretest", 3, true}, {"vsphere/gate", 3, true}, {"vsphere/gatex", 0, false}, {"uix", 0, false},
		{"cmd/vtui", 9, true}, {"cmd", 9, true},
	} {
		if got, ok := layerOf(tt.name); got != tt.want || ok != tt.ok {
			t.Errorf("layerOf(%q) = %d, %t; want %d, %t", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}
