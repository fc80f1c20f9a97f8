package clusterspec

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// base is a valid configuration of a four-host cluster, as vCenter's
// defaults would read, with one rule of each kind.
func base() Config {
	return Config{
		Cluster: "cluster-a",
		HA: HA{Enabled: true, HostMonitoring: true, VMMonitoring: VMMonitoringOff,
			AdmissionControl: AdmissionControl{Mode: AdmissionFailures, Failures: 1},
			RestartPriority:  RestartMedium, IsolationResponse: IsolationNone},
		DRS:        DRS{Enabled: true, Automation: AutomationFull, Threshold: 3},
		VMGroups:   []VMGroup{{Name: "db", VMs: []string{"db-01", "db-02"}}},
		HostGroups: []HostGroup{{Name: "a-low", Hosts: []string{"esx-a-01", "esx-a-02"}}},
		Rules: []Rule{
			{Name: "web-apart", Kind: RuleAntiAffinity, Enabled: true, VMs: []string{"web-01", "web-02"}},
			{Name: "app-together", Kind: RuleAffinity, Enabled: true, VMs: []string{"app-01", "app-02"}},
			{Name: "db-low", Kind: RuleVMHost, Enabled: true, Mandatory: true, VMGroup: "db", AffineHostGroup: "a-low"},
		},
		Overrides: []Override{{VM: "db-01", RestartPriority: RestartHighest}},
	}
}

func scope() Scope {
	return Scope{
		Hosts: []ScopeHost{
			{Name: "esx-a-01", Connected: true}, {Name: "esx-a-02", Connected: true},
			{Name: "esx-a-03", Connected: true}, {Name: "esx-a-04", Connected: false},
		},
		VMs: []string{"web-01", "web-02", "web-03", "web-04", "app-01", "app-02", "db-01", "db-02"},
	}
}

func TestThresholdMapsToTheInverseVMotionRate(t *testing.T) {
	for _, tc := range []struct {
		threshold int
		rate      int32
	}{{1, 5}, {2, 4}, {3, 3}, {4, 2}, {5, 1}} {
		if got := VMotionRate(tc.threshold); got != tc.rate {
			t.Errorf("VMotionRate(%d) = %d; want %d", tc.threshold, got, tc.rate)
		}
		if got := ThresholdOf(tc.rate); got != tc.threshold {
			t.Errorf("ThresholdOf(%d) = %d; want %d", tc.rate, got, tc.threshold)
		}
	}
}

func TestParseAdmissionControl(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    AdmissionControl
		wantErr string
	}{
		{in: "disabled", want: AdmissionControl{Mode: AdmissionDisabled}},
		{in: "failures:1", want: AdmissionControl{Mode: AdmissionFailures, Failures: 1}},
		{in: "slots:2", want: AdmissionControl{Mode: AdmissionSlots, Failures: 2}},
		{in: "percent:25,30", want: AdmissionControl{Mode: AdmissionPercent, CPUPercent: 25, MemoryPercent: 30}},
		{in: "hosts:esx-a-04.lab.local, esx-a-03.lab.local", want: AdmissionControl{Mode: AdmissionHosts, Hosts: []string{"esx-a-04.lab.local", "esx-a-03.lab.local"}}},
		{in: "failures", wantErr: "failures needs a number of host failures"},
		{in: "failures:x", wantErr: "e.g. failures:1"},
		{in: "percent:25", wantErr: "e.g. percent:25,25"},
		{in: "hosts:", wantErr: "hosts needs at least one host"},
		{in: "disabled:1", wantErr: "disabled takes no value"},
		{in: "reserve:1", wantErr: `unknown policy "reserve"`},
	} {
		got, err := ParseAdmissionControl(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "want disabled, failures:N") {
				t.Errorf("ParseAdmissionControl(%q) error = %v; want one containing %q and the valid forms", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got.String() != tc.want.String() || got.Mode != tc.want.Mode {
			t.Errorf("ParseAdmissionControl(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if back, err := ParseAdmissionControl(got.String()); err != nil || back.String() != got.String() {
			t.Errorf("round trip of %q: %v, %v", got, back, err)
		}
	}
}

func TestEnumsParseStrictlyFromJSON(t *testing.T) {
	var ha HA
	err := json.Unmarshal([]byte(`{"restart_priority": "urgent"}`), &ha)
	if err == nil || !strings.Contains(err.Error(), `invalid restart priority "urgent": want one of disabled, lowest, low, medium, high, highest`) {
		t.Errorf("unmarshal of an unknown restart priority: %v; want the valid values named", err)
	}
	if err := json.Unmarshal([]byte(`{"admission_control": "percent:10,20", "isolation_response": "powerOff"}`), &ha); err != nil ||
		ha.AdmissionControl.MemoryPercent != 20 || ha.IsolationResponse != IsolationPowerOff {
		t.Errorf("unmarshal: %+v, %v", ha, err)
	}
}

func TestValidConfigHasNoProblems(t *testing.T) {
	if err := Validate(base(), scope()); err != nil {
		t.Fatalf("Validate(base) = %v; want nil", err)
	}
}

func TestValidateNamesFieldValueAndFix(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Config)
		scope  func(*Scope)
		want   string // one problem, as Problem.String
	}{
		{"failures not below the number of hosts", func(c *Config) { c.HA.AdmissionControl = AdmissionControl{Mode: AdmissionFailures, Failures: 4} },
			nil, "ha.admission_control: failures:4: cluster-a has 4 hosts, so it can tolerate at most 3 host failures; use failures:1 to failures:3"},
		{"zero failures", func(c *Config) { c.HA.AdmissionControl = AdmissionControl{Mode: AdmissionSlots} },
			nil, "ha.admission_control: slots:0: tolerate at least 1 host failure, or use disabled"},
		{"percentage above 100", func(c *Config) {
			c.HA.AdmissionControl = AdmissionControl{Mode: AdmissionPercent, CPUPercent: 25, MemoryPercent: 101}
		}, nil, "ha.admission_control: percent:25,101: the memory percentage must be within 1..100, got 101"},
		{"percentage zero", func(c *Config) {
			c.HA.AdmissionControl = AdmissionControl{Mode: AdmissionPercent, CPUPercent: 0, MemoryPercent: 50}
		}, nil, "ha.admission_control: percent:0,50: the CPU percentage must be within 1..100, got 0"},
		{"failover host not in the cluster", func(c *Config) {
			c.HA.AdmissionControl = AdmissionControl{Mode: AdmissionHosts, Hosts: []string{"esx-b-01"}}
		}, nil, "ha.admission_control: hosts:esx-b-01: esx-b-01 is not a host of cluster-a; name hosts of the cluster (vtui get hosts --cluster cluster-a)"},
		{"failover host not connected", func(c *Config) {
			c.HA.AdmissionControl = AdmissionControl{Mode: AdmissionHosts, Hosts: []string{"esx-a-04"}}
		}, nil, "ha.admission_control: hosts:esx-a-04: failover host esx-a-04 is not connected; reconnect it or choose another"},
		{"threshold out of range", func(c *Config) { c.DRS.Threshold = 6 },
			nil, "drs.threshold: 6: the migration threshold runs from 1 (conservative) to 5 (aggressive); 3 is the default"},
		{"missing restart priority", func(c *Config) { c.HA.RestartPriority = "" },
			nil, "ha.restart_priority: missing; invalid restart priority \"\": want one of disabled, lowest, low, medium, high, highest"},
		{"anti-affinity with more VMs than usable hosts", func(c *Config) {
			c.Rules[0].VMs = []string{"web-01", "web-02", "web-03", "web-04"}
		}, nil, "rules[web-apart].vms: 4 VMs: cluster-a has only 3 hosts that can run VMs (connected, not in maintenance), so these VMs cannot all run apart; split the rule or add hosts"},
		{"a host in maintenance does not count", func(c *Config) { c.Rules[0].VMs = []string{"web-01", "web-02", "web-03"} },
			func(s *Scope) { s.Hosts[2].Maintenance = true },
			"rules[web-apart].vms: 3 VMs: cluster-a has only 2 hosts that can run VMs (connected, not in maintenance), so these VMs cannot all run apart; split the rule or add hosts"},
		{"the same VMs kept together and apart", func(c *Config) { c.Rules[1].VMs = []string{"web-01", "web-02"} },
			nil, "rules[app-together]: web-01, web-02: rule app-together keeps these VMs together and rule web-apart keeps them apart; disable or change one"},
		{"must rule to an empty host group", func(c *Config) { c.HostGroups[0].Hosts = nil },
			nil, "rules[db-low]: a-low: a must-run-on rule to the empty host group a-low leaves its VMs nowhere to run; add hosts to the group or make the rule a should rule"},
		{"unknown VM in a rule", func(c *Config) { c.Rules[0].VMs[1] = "web-99" },
			nil, "rules[web-apart].vms: web-99: not a VM of cluster-a (vtui get vms --cluster cluster-a)"},
		{"unknown VM in a group", func(c *Config) { c.VMGroups[0].VMs = []string{"db-01", "db-09"} },
			nil, "vm_groups[db].vms: db-09: not a VM of cluster-a (vtui get vms --cluster cluster-a)"},
		{"unknown host in a group", func(c *Config) { c.HostGroups[0].Hosts = []string{"esx-a-01", "esx-z-01"} },
			nil, "host_groups[a-low].hosts: esx-z-01: not a host of cluster-a (vtui get hosts --cluster cluster-a)"},
		{"unknown VM group in a rule", func(c *Config) { c.Rules[2].VMGroup = "dbs" },
			nil, "rules[db-low].vm_group: dbs: no VM group of that name; define it under vm_groups"},
		{"unknown host group in a rule", func(c *Config) { c.Rules[2].AffineHostGroup = "a-high" },
			nil, "rules[db-low].host_group: a-high: no host group of that name; define it under host_groups"},
		{"vm-host rule with both host groups", func(c *Config) { c.Rules[2].AntiAffineHostGroup = "a-low" },
			nil, "rules[db-low]: a vm-host rule names exactly one of affine_host_group (run on) and anti_affine_host_group (do not run on)"},
		{"unknown VM in an override", func(c *Config) { c.Overrides[0].VM = "db-07" },
			nil, "overrides[db-07].vm: db-07: not a VM of cluster-a (vtui get vms --cluster cluster-a)"},
		{"duplicate rule name", func(c *Config) { c.Rules[1].Name = "web-apart" },
			nil, "rules[web-apart]: web-apart: another rule of the cluster has this name; rule names are unique"},
		{"rule name taken by an unmodeled rule", func(c *Config) {
			c.Unmodeled.Rules = []OtherRule{{Name: "web-apart", Kind: "vm-dependency"}}
		}, nil, "rules[web-apart]: web-apart: another rule of the cluster has this name; rule names are unique"},
		{"group name used twice", func(c *Config) { c.HostGroups[0].Name = "db"; c.Rules[2].AffineHostGroup = "db" },
			nil, "host_groups[db]: db: the name is already used by vm_groups[db]; group names are unique in a cluster, VM and host groups alike"},
		{"affinity rule of one VM", func(c *Config) { c.Rules[1].VMs = []string{"app-01"} },
			nil, "rules[app-together].vms: app-01: an affinity rule needs at least 2 VMs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, s := base(), scope()
			tc.change(&c)
			if tc.scope != nil {
				tc.scope(&s)
			}
			err := Validate(c, s)
			ve, ok := err.(*ValidationError)
			if !ok {
				t.Fatalf("Validate = %v; want a *ValidationError", err)
			}
			var got []string
			for _, p := range ve.Problems {
				got = append(got, p.String())
			}
			if !slices.Contains(got, tc.want) {
				t.Errorf("problems:\n  %s\nwant among them:\n  %s", strings.Join(got, "\n  "), tc.want)
			}
			if !strings.Contains(err.Error(), "so nothing was changed") {
				t.Errorf("error %q does not say nothing was changed", err)
			}
		})
	}
}

func TestDiffListsOneFieldALineInAStableOrder(t *testing.T) {
	cur, want := base(), base()
	want.HA.AdmissionControl = AdmissionControl{Mode: AdmissionDisabled}
	want.HA.RestartPriority = RestartHigh
	want.DRS.Threshold = 2
	want.Rules[0].Enabled = false
	want.Rules[0].VMs = []string{"web-03", "web-01", "web-02"} // order does not matter
	want.Rules = append(want.Rules[:1], want.Rules[2:]...)     // app-together removed
	want.Rules = append(want.Rules, Rule{Name: "b-new", Kind: RuleAntiAffinity, Enabled: true, VMs: []string{"app-02", "app-01"}})
	want.VMGroups[0].VMs = []string{"db-02"}
	want.Overrides = []Override{{VM: "db-01", RestartPriority: RestartHighest, DRSAutomation: "manual"}, {VM: "app-01", IsolationResponse: IsolationPowerOff}}

	var got []string
	for _, c := range Diff(cur, want) {
		got = append(got, c.String())
	}
	wantLines := []string{
		"ha.admission_control: failures:1 -> disabled",
		"ha.restart_priority: medium -> high",
		"drs.threshold: 3 -> 2",
		"vm_groups[db].vms: db-01, db-02 -> db-02",
		"rules[app-together]: affinity, should: app-01, app-02 -> (none)",
		"rules[b-new]: (none) -> anti-affinity, should: app-01, app-02",
		"rules[web-apart].enabled: true -> false",
		"rules[web-apart].vms: web-01, web-02 -> web-01, web-02, web-03",
		"overrides[app-01]: (none) -> isolation_response=powerOff",
		"overrides[db-01].drs_automation: (cluster) -> manual",
	}
	if !slices.Equal(got, wantLines) {
		t.Errorf("Diff:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(wantLines, "\n  "))
	}
	if d := Diff(want, want); len(d) != 0 {
		t.Errorf("Diff of a configuration with itself = %v; want none", d)
	}
	if want.Rules[0].VMs[0] != "web-03" {
		t.Error("Diff sorted its argument's slices in place")
	}
}

func TestDiffIgnoresUnmodeled(t *testing.T) {
	cur, want := base(), base()
	cur.Unmodeled = Unmodeled{Rules: []OtherRule{{Name: "web-needs-db", Kind: "vm-dependency", Enabled: true}},
		HAOptions: map[string]string{"das.isolationaddress0": "10.0.0.1"}}
	if d := Diff(cur, want); len(d) != 0 {
		t.Errorf("Diff with only unmodeled settings missing = %v; want none: vtui never removes them", d)
	}
}

func TestRestartOrderIsHighestFirst(t *testing.T) {
	got := RestartOrder()
	if !slices.Equal(got, []RestartPriority{RestartHighest, RestartHigh, RestartMedium, RestartLow, RestartLowest}) {
		t.Errorf("RestartOrder() = %v", got)
	}
	if RestartDisabled.Rank() <= RestartLowest.Rank() || RestartHighest.Rank() != 0 {
		t.Errorf("ranks: disabled %d, lowest %d, highest %d", RestartDisabled.Rank(), RestartLowest.Rank(), RestartHighest.Rank())
	}
}

func TestEveryOfferedValueParses(t *testing.T) {
	for _, tc := range []struct {
		setting string
		values  []string
		parse   func(string) error
	}{
		{"VM monitoring", VMMonitoring("").Values(), func(s string) error { _, err := ParseVMMonitoring(s); return err }},
		{"restart priority", RestartPriority("").Values(), func(s string) error { _, err := ParseRestartPriority(s); return err }},
		{"isolation response", IsolationResponse("").Values(), func(s string) error { _, err := ParseIsolationResponse(s); return err }},
		{"DRS automation", Automation("").Values(), func(s string) error { _, err := ParseAutomation(s); return err }},
	} {
		if len(tc.values) < 3 {
			t.Errorf("%s offers %q; want every level", tc.setting, tc.values)
		}
		for _, v := range tc.values {
			if err := tc.parse(v); err != nil {
				t.Errorf("%s offers %q, which does not parse: %v", tc.setting, v, err)
			}
		}
	}
}
