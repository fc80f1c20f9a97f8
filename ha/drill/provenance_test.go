package drill

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/internal/buildinfo"
	"github.com/vtui/vtui/vsphere/sim"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// readmeReportFields are the field names of the README's table of the JSON report's
// top-level fields, sorted.
func readmeReportFields(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(src), "### The report\n")
	if !ok {
		t.Fatal(`the README has no "### The report" section`)
	}
	_, table, ok := strings.Cut(section, "| field | meaning |\n|---|---|\n")
	if !ok {
		t.Fatal(`the README's report section has no "| field | meaning |" table`)
	}
	table, _, _ = strings.Cut(table, "\n\n")
	var out []string
	name := regexp.MustCompile("`([a-z_0-9]+)(\\[\\])?`")
	for _, row := range strings.Split(table, "\n") {
		first, _, _ := strings.Cut(strings.TrimPrefix(row, "| "), " |")
		for _, m := range name.FindAllStringSubmatch(first, -1) {
			out = append(out, m[1])
		}
	}
	slices.Sort(out)
	return out
}

// TestREADMEStatesTheReportSchema: the README's field list of the JSON
// report is the Report's JSON fields, no more and no fewer, and states
// the schema's version.
func TestREADMEStatesTheReportSchema(t *testing.T) {
	var fields []string
	rt := reflect.TypeFor[Report]()
	for i := range rt.NumField() {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		if name != "-" && name != "" {
			fields = append(fields, name)
		}
	}
	slices.Sort(fields)
	if got := readmeReportFields(t); !slices.Equal(got, fields) {
		t.Errorf("the README's report fields:\n%q\nthe Report's JSON fields:\n%q\nmake them agree", got, fields)
	}
	src, _ := os.ReadFile("../../README.md")
	if want := fmt.Sprintf("| `schema_version` | the version of this schema: %d |", ReportSchema); !strings.Contains(string(src), want) {
		t.Errorf("the README does not say %q", want)
	}
}

// TestReportAndJournalKeepProvenance: a drill on the simulator, from a
// plan file, reports and journals who ran it (the OS user, vCenter's
// session user), where (the vCenter's identity, version and build), with
// what (vtui's build, the plan file's bytes and their SHA-256) and the
// simulator's HA model; no report, journal or text holds the password.
func TestReportAndJournalKeepProvenance(t *testing.T) {
	srv := vspheretest.StartWith(t, "small", sim.Options{HA: sim.HAOptions{DetectDelay: 100 * time.Millisecond}})
	c := vspheretest.Connect(t, srv)
	file := filepath.Join(t.TempDir(), "plan.yaml")
	text := "# the nightly drill\n" + crashPlan
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	plan, err := Load(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	j := newJournal(t)
	rep := (&Runner{Client: c, Plan: plan, Journal: j}).Run(context.Background())
	if rep.Result != ResultPass {
		t.Fatalf("the drill did not pass:\n%s", describe(rep))
	}
	sum := sha256.Sum256([]byte(text))
	p := rep.Provenance
	switch {
	case rep.SchemaVersion != ReportSchema:
		t.Errorf("schema_version %d; want %d", rep.SchemaVersion, ReportSchema)
	case p.OSUser == "" || p.OSUser != osUser():
		t.Errorf("os_user %q; want %q", p.OSUser, osUser())
	case !strings.EqualFold(p.VCenterUser, srv.Username):
		t.Errorf("vcenter_user %q; want the session's, %q", p.VCenterUser, srv.Username)
	case p.VTUI != buildinfo.Read():
		t.Errorf("vtui %+v; want the build's %+v", p.VTUI, buildinfo.Read())
	case p.PlanText != text || p.PlanSHA256 != hex.EncodeToString(sum[:]):
		t.Errorf("plan_text %q, plan_sha256 %s; want the file's bytes %q and their SHA-256", p.PlanText, p.PlanSHA256, text)
	case p.Simulator == nil || p.Simulator.HA.DetectDelay != "100ms" || len(p.Simulator.Unmodeled) == 0:
		t.Errorf("simulator %+v; want the HA model served by the door (detection 100ms) and what it does not model", p.Simulator)
	case rep.VCenter == nil || rep.VCenter.Version == "" || rep.VCenter.Build == "" || rep.VCenter.InstanceUUID == "":
		t.Errorf("vcenter %+v; want its instance UUID, version and build", rep.VCenter)
	}
	entries, err := ReadJournal(context.Background(), j.Path())
	if err != nil {
		t.Fatal(err)
	}
	if got := entries[0].Provenance; got == nil || !reflect.DeepEqual(*got, p) {
		t.Errorf("the journal's start entry keeps provenance %+v; want the report's %+v", got, p)
	}
	var out bytes.Buffer
	_ = rep.WriteJSON(&out)
	_ = rep.WriteJUnit(&out)
	_ = rep.WriteMarkdown(&out)
	rep.WriteText(&out)
	journal, _ := os.ReadFile(j.Path())
	out.Write(journal)
	if strings.Contains(out.String(), srv.Password) {
		t.Errorf("the reports or the journal hold the vCenter password")
	}
	for _, want := range []string{p.PlanSHA256, "run by " + p.OSUser + " as " + p.VCenterUser, "not modelled: " + p.Simulator.Unmodeled[0], rep.VCenter.Build} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the reports do not say %q", want)
		}
	}
	var back Report
	var js bytes.Buffer
	_ = rep.WriteJSON(&js)
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || !reflect.DeepEqual(back.Provenance, p) {
		t.Errorf("the JSON report's provenance reads back as %+v (%v); want %+v", back.Provenance, err, p)
	}
}
