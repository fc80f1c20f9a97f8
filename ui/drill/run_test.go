package drill

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/ha/drill"
	"github.com/vtui/vtui/vsphere"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// TestTheTUIChecksEveryOutputPathBeforeItInjects makes each file the TUI
// writes for a drill (its journal and its three reports, in
// $XDG_STATE_HOME/vtui/drills) impossible to write, one at a time: the
// drill does not start, the error names the file, and no journal is left.
func TestTheTUIChecksEveryOutputPathBeforeItInjects(t *testing.T) {
	srv := vspheretest.Start(t, "small")
	rec := vspheretest.Record(t, srv)
	c, err := vsphere.Connect(context.Background(), rec.Config())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	plan, err := drill.Parse("plan.yaml", []byte("name: t\ncluster: cluster-a\nscenario: host-failure\ntargets: {hosts: [esx-a-01.lab.local]}\nexpect: {rto: 1m}\ninject: {method: sim-crash}\n"))
	if err != nil {
		t.Fatal(err)
	}
	pre, err := (&drill.Runner{Client: c, Plan: plan}).Preflight(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ output, ext string }{
		{"the journal", ".journal"}, {"the JSON report", ".json"}, {"the JUnit report", ".junit.xml"}, {"the Markdown report", ".md"}, {"the journal", "no directory"},
	} {
		t.Run(tt.output+" "+tt.ext, func(t *testing.T) {
			state := t.TempDir()
			t.Setenv("XDG_STATE_HOME", state)
			dir := filepath.Join(state, "vtui", "drills")
			if tt.ext == "no directory" {
				// A file where the directory of drills goes.
				if err := os.WriteFile(filepath.Join(state, "vtui"), nil, 0o600); err != nil {
					t.Fatal(err)
				}
			} else {
				if err := os.MkdirAll(dir, 0o700); err != nil {
					t.Fatal(err)
				}
				// A directory where the file goes, for the names the next
				// minute gives: a loaded machine may take seconds to get
				// to startRun, and a name it did not block would start
				// the drill.
				for s := range 60 {
					name := strings.TrimSuffix(drill.JournalName(plan, time.Now().Add(time.Duration(s)*time.Second)), ".journal") + tt.ext
					if err := os.Mkdir(filepath.Join(dir, name), 0o700); err != nil {
						t.Fatal(err)
					}
				}
			}
			rec.Reset()
			r, err := startRun(Conn{Ctx: context.Background(), Client: c}, plan, pre)
			if err == nil {
				r.cancel()
				t.Fatalf("the drill started (%s); want it refused for %s", r.journal, tt.output)
			}
			if !strings.HasPrefix(err.Error(), tt.output+" ") || !strings.Contains(err.Error(), "nothing was changed") {
				t.Errorf("error %q; want it to name %s and its path", err, tt.output)
			}
			if sent := rec.Changes(); len(sent) > 0 {
				t.Errorf("sent %s; want no change", strings.Join(sent, ", "))
			}
			if journals, _ := filepath.Glob(filepath.Join(dir, "*.journal")); tt.output != "the journal" && len(journals) > 0 {
				t.Errorf("left the journal %v", journals)
			}
		})
	}
}
