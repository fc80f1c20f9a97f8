package hapanel

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/vtui/vtui/ui/common"
	"github.com/vtui/vtui/vsphere/clusterspec"
)

// cluster is a valid configuration of a three-host cluster, and its scope.
func cluster() (clusterspec.Config, clusterspec.Scope) {
	c := clusterspec.Config{
		Cluster: "c",
		HA: clusterspec.HA{Enabled: true, HostMonitoring: true, VMMonitoring: clusterspec.VMMonitoringOff,
			AdmissionControl: clusterspec.AdmissionControl{Mode: clusterspec.AdmissionFailures, Failures: 1},
			RestartPriority:  clusterspec.RestartMedium, IsolationResponse: clusterspec.IsolationNone},
		DRS: clusterspec.DRS{Enabled: true, Automation: clusterspec.AutomationFull, Threshold: 3},
	}
	s := clusterspec.Scope{VMs: []string{"a", "b", "c"}}
	for _, h := range []string{"h1", "h2", "h3"} {
		s.Hosts = append(s.Hosts, clusterspec.ScopeHost{Name: h, Connected: true})
	}
	return c, s
}

// press hands the form keys: named ones in <>, else runes.
func press(f *form, keys ...string) {
	named := map[string]tea.KeyType{"<down>": tea.KeyDown, "<up>": tea.KeyUp, "<right>": tea.KeyRight, "<left>": tea.KeyLeft,
		"<tab>": tea.KeyTab, "<backspace>": tea.KeyBackspace, "<ctrl+u>": tea.KeyCtrlU, "<enter>": tea.KeyEnter}
	for _, k := range keys {
		if t, ok := named[k]; ok {
			f.update(tea.KeyMsg{Type: t})
			continue
		}
		for _, r := range k {
			f.update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		}
	}
}

// to moves the form's cursor to the field at path.
func to(t *testing.T, f *form, path string) {
	t.Helper()
	i := slices.IndexFunc(f.entries, func(e *entry) bool { return e.path == path })
	if i < 0 {
		t.Fatalf("no field %s", path)
	}
	for f.cursor != i {
		press(f, "<tab>")
	}
}

func TestFormEditsEachSettingAsDiffNamesIt(t *testing.T) {
	cur, scope := cluster()
	tests := []struct {
		path string
		keys []string
		want string // the one line of the diff
	}{
		{"ha.enabled", []string{"<right>"}, "ha.enabled: true -> false"},
		{"ha.host_monitoring", []string{" "}, "ha.host_monitoring: true -> false"},
		{"ha.vm_monitoring", []string{"<left>"}, "ha.vm_monitoring: off -> app"},
		{"ha.admission_control", []string{"<backspace>", "2"}, "ha.admission_control: failures:1 -> failures:2"},
		{"ha.admission_control", []string{"<ctrl+u>", "percent:25,30"}, "ha.admission_control: failures:1 -> percent:25,30"},
		{"ha.restart_priority", []string{"<right>", "<right>"}, "ha.restart_priority: medium -> highest"},
		{"ha.isolation_response", []string{"<left>"}, "ha.isolation_response: none -> shutdown"},
		{"drs.enabled", []string{"<right>"}, "drs.enabled: true -> false"},
		{"drs.automation", []string{"<right>"}, "drs.automation: full -> manual"},
		{"drs.threshold", []string{"<left>", "<left>"}, "drs.threshold: 3 -> 1"},
	}
	for _, tt := range tests {
		f := newForm(common.DefaultKeyMap().Panel, cur)
		to(t, f, tt.path)
		press(f, tt.keys...)
		want, ok := f.desired(cur, scope)
		got := fmt.Sprint(clusterspec.Diff(cur, want))
		if !ok || got != "["+tt.want+"]" {
			t.Errorf("%s after %q: ok %v, diff %s; want %s", tt.path, tt.keys, ok, got, tt.want)
		}
	}
}

func TestFormShowsEachProblemNextToItsField(t *testing.T) {
	cur, scope := cluster()
	tests := []struct {
		admission string
		want      string // under the admission control field
	}{
		{"failures:3", "c has 3 hosts, so it can tolerate at most 2 host failures; use failures:1 to failures:2"},
		{"most:2", `invalid admission control "most:2": unknown policy "most"`},
		{"percent:0,50", "the CPU percentage must be within 1..100, got 0"},
		{"hosts:h9", "h9 is not a host of c"},
	}
	for _, tt := range tests {
		f := newForm(common.DefaultKeyMap().Panel, cur)
		to(t, f, "ha.admission_control")
		press(f, "<ctrl+u>", tt.admission)
		_, ok := f.desired(cur, scope)
		got := f.current().err
		if ok || !strings.Contains(got, tt.want) {
			t.Errorf("admission control %q: ok %v, problem %q; want refused with %q", tt.admission, ok, got, tt.want)
		}
		for _, e := range f.entries {
			if e != f.current() && e.err != "" {
				t.Errorf("admission control %q: %s shows %q; want problems only where they are", tt.admission, e.path, e.err)
			}
		}
	}

	// A problem of what the form does not edit is shown above it.
	bad := cur
	bad.Rules = []clusterspec.Rule{{Name: "apart", Kind: clusterspec.RuleAntiAffinity, Enabled: true, VMs: []string{"a", "zz"}}}
	f := newForm(common.DefaultKeyMap().Panel, bad)
	if _, ok := f.desired(bad, scope); ok || len(f.others) != 1 || !strings.Contains(f.others[0], "rules[apart].vms: zz: not a VM of c") {
		t.Errorf("a bad rule: ok %v, others %q; want it refused, shown above the form", ok, f.others)
	}
}
