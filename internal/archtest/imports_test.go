package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// module is vtui's module path; the rules and the layers name packages
// relative to it.
const module = "github.com/vtui/vtui"

// layers places every package of the module, lowest first: a package may
// import packages of its own layer or of lower ones (non-test imports).
// An entry is a package ("ui") or a package and everything below it
// ("ui/..."); the most specific entry wins, so "ui" is not in "ui/...".
var layers = [][]string{
	// Leaves: plain models, helpers and the simulator, which import no
	// other vtui layer. ha/admission is the admission-control computation
	// the simulator enforces and the what-if predicts with, so it is pure:
	// the standard library and vsphere/clusterspec only. The simulator
	// encodes the property collector's answers with vsphere/internal/leanenc.
	{"internal/...", "vsphere/clusterspec", "vsphere/internal/mo", "ha/admission", "vsphere/sim", "vsphere/internal/leanenc"},
	// The raw session to vCenter, reachable only from vsphere/; the
	// recorder its tests put under it, and the plain vcsim they serve.
	{"vsphere/internal/conn", "vsphere/internal/conntest", "vsphere/internal/vcsimtest"},
	// The read model and the client; the drill primitives under it.
	{"vsphere", "vsphere/internal/drillio"},
	// The one place changes go through, and the drills' reads.
	{"vsphere/gate", "vsphere/drillkit", "vsphere/vspheretest"},
	{"ha", "ha/placement", "ha/capacity"},
	{"ha/drill"},
	// What both faces read: the registry of kinds, the use cases and the
	// drills' history.
	{"internal/kinds", "internal/maintenance", "internal/migration", "internal/power", "internal/clusterconf", "internal/drillrun", "ha/drill/history"},
	{"ui/..."},
	{"ui"},
	{"cmd/..."},
}

// rules are the import rules other than the layers. Each names the
// imports it is about (a path and everything below it) and who may
// import them.
var rules = []importRule{
	{
		text:  "only vsphere and vsphere/... import govmomi",
		deps:  []string{"github.com/vmware/govmomi"},
		allow: []string{"vsphere", "vsphere/..."},
		tests: true,
		testExceptions: map[string]string{
			"cmd/vtui": "bench_test.go measures vtui get against govc-equivalent govmomi collections and starts govmomi's plain vcsim",
			"ha/drill": "drill_test.go runs a drill on govmomi's plain vcsim; command_test.go renames a host inside the simulator",
		},
	},
	{
		text:  "only cmd/... imports cobra, viper and pflag",
		deps:  []string{"github.com/spf13/cobra", "github.com/spf13/viper", "github.com/spf13/pflag"},
		allow: []string{"cmd/..."},
		tests: true,
	},
	{
		text: "only ui, ui/... and cmd/... import bubbletea, bubbles, lipgloss and teatest",
		deps: []string{"github.com/charmbracelet/bubbletea", "github.com/charmbracelet/bubbles",
			"github.com/charmbracelet/lipgloss", "github.com/charmbracelet/x/exp/teatest"},
		allow: []string{"ui", "ui/...", "cmd/..."},
		tests: true,
	},
	{
		text: "no non-test package imports vsphere/vspheretest or vsphere/internal/conntest",
		deps: []string{module + "/vsphere/vspheretest", module + "/vsphere/internal/conntest"},
	},
	{
		text:  "only vsphere/vspheretest and tests serve plain vcsim through vsphere/internal/vcsimtest",
		deps:  []string{module + "/vsphere/internal/vcsimtest"},
		allow: []string{"vsphere/vspheretest"},
	},
	{
		text:  "only vsphere/gate and vsphere/drillkit use the drill primitives of vsphere/internal/drillio",
		deps:  []string{module + "/vsphere/internal/drillio"},
		allow: []string{"vsphere/gate", "vsphere/drillkit", "vsphere/vspheretest"},
	},
	{
		text:  "vsphere/drillkit only reads: it does not import vsphere/gate",
		deps:  []string{module + "/vsphere/gate"},
		allow: []string{"ha/...", "internal/...", "ui", "ui/...", "cmd/...", "vsphere/vspheretest"},
	},
	{
		text:  "vsphere/gate does not import vsphere/drillkit",
		deps:  []string{module + "/vsphere/drillkit"},
		allow: []string{"ha/...", "internal/...", "ui", "ui/...", "cmd/...", "vsphere/vspheretest"},
	},
	{
		text:  "only ha/drill, the drill's command runner, starts processes (nothing from vCenter reaches a shell)",
		deps:  []string{"os/exec"},
		allow: []string{"ha/drill"},
	},
}

// importRule says which packages may import deps.
type importRule struct {
	text  string   // the rule, as a failure prints it
	deps  []string // import paths, each with everything below it
	allow []string // packages that may import deps (entries as in layers)
	// tests: test files are held to the rule too, but for the packages
	// of testExceptions (entries as in layers), each with its reason.
	tests          bool
	testExceptions map[string]string
}

// pkg is what the rules read of a package: go list's fields.
type pkg struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
}

// TestImportRules checks the module as it stands.
func TestImportRules(t *testing.T) {
	pkgs := goList(t)
	for _, v := range check(pkgs) {
		t.Error(v)
	}
	// An entry that matches nothing is left over from a move: the table
	// must say where packages are, not where they were.
	for _, layer := range layers {
		for _, e := range layer {
			if !slices.ContainsFunc(pkgs, func(p pkg) bool { return matches(e, rel(p.ImportPath)) }) {
				t.Errorf("layers: %q matches no package of the module; update the table", e)
			}
		}
	}
}

// goList lists the module's packages from its root.
func goList(t *testing.T) []pkg {
	t.Helper()
	gomod, err := exec.CommandContext(t.Context(), "go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	cmd := exec.CommandContext(t.Context(), "go", "list", "-json", "./...")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -json ./...: %v\n%s", err, stderr.Bytes())
	}
	var pkgs []pkg
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list -json ./...: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatal("go list -json ./... listed no package")
	}
	return pkgs
}

// check returns every violation of rules and layers by pkgs, each as
// "pkg imports dep: rule", in the order of pkgs.
func check(pkgs []pkg) []string {
	var out []string
	for _, p := range pkgs {
		name := rel(p.ImportPath)
		for _, r := range rules {
			if matchesAny(r.allow, name) {
				continue
			}
			imports := p.Imports
			if _, excepted := r.testExceptions[name]; r.tests && !excepted {
				imports = slices.Concat(p.Imports, p.TestImports, p.XTestImports)
			}
			for _, dep := range unique(imports) {
				if under(dep, r.deps) {
					out = append(out, fmt.Sprintf("%s imports %s: %s", name, rel(dep), r.text))
				}
			}
		}
		from, ok := layerOf(name)
		if !ok {
			out = append(out, fmt.Sprintf("%s: in no layer; place it in the layers table of internal/archtest", name))
			continue
		}
		for _, dep := range p.Imports {
			if !under(dep, []string{module}) {
				continue
			}
			if to, ok := layerOf(rel(dep)); ok && to > from {
				out = append(out, fmt.Sprintf("%s imports %s: layer %d (%s) imports only its own layer or lower, and %s is in layer %d (%s)",
					name, rel(dep), from, strings.Join(layers[from], ", "), rel(dep), to, strings.Join(layers[to], ", ")))
			}
		}
	}
	return out
}

// layerOf returns the layer of the package name (relative to the module)
// by its most specific entry.
func layerOf(name string) (layer int, ok bool) {
	best := -1
	for i, entries := range layers {
		for _, e := range entries {
			if s := specificity(e); matches(e, name) && s > best {
				layer, best = i, s
			}
		}
	}
	return layer, best >= 0
}

// specificity ranks entries that match the same package: the longer
// path first, and a package before the same package with all below it.
func specificity(entry string) int {
	if base, ok := strings.CutSuffix(entry, "/..."); ok {
		return 2 * len(base)
	}
	return 2*len(entry) + 1
}

// matches reports whether entry ("x" or "x/...") covers the package name.
func matches(entry, name string) bool {
	if base, ok := strings.CutSuffix(entry, "/..."); ok {
		return name == base || strings.HasPrefix(name, base+"/")
	}
	return name == entry
}

func matchesAny(entries []string, name string) bool {
	return slices.ContainsFunc(entries, func(e string) bool { return matches(e, name) })
}

// under reports whether the import path dep is one of paths or below one.
func under(dep string, paths []string) bool {
	return slices.ContainsFunc(paths, func(p string) bool { return dep == p || strings.HasPrefix(dep, p+"/") })
}

// rel is path relative to the module, or path itself outside it.
func rel(path string) string {
	if r, ok := strings.CutPrefix(path, module+"/"); ok {
		return r
	}
	return path
}

func unique(paths []string) []string {
	out := slices.Clone(paths)
	slices.Sort(out)
	return slices.Compact(out)
}
