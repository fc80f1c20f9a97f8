package drillrun

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

// TestBeginJournalsOnlyARunThatCanChangeVCenter: a dry run or a read-only
// run keeps no journal; a run that can change vCenter creates it, and a
// journal that exists already is refused.
func TestBeginJournalsOnlyARunThatCanChangeVCenter(t *testing.T) {
	srv := vspheretest.Start(t, "small")
	plan := drill.Plan{Name: "t", Cluster: "cluster-a"}
	for _, tt := range []struct {
		policy  vsphere.Policy
		journal bool
	}{{vsphere.Policy{DryRun: true}, false}, {vsphere.Policy{ReadOnly: true}, false}, {vsphere.Policy{}, true}} {
		c, err := vsphere.Connect(context.Background(), vspheretest.Config(srv), vsphere.WithPolicy(tt.policy))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(context.Background())
		p, err := Paths{Journal: Output{Path: filepath.Join(t.TempDir(), "t.journal")}}.Resolve(plan, time.Now(), true)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Begin(c, plan, p, Hooks{})
		if err != nil {
			t.Fatalf("%+v: Begin: %v", tt.policy, err)
		}
		_, statErr := os.Stat(p.Journal.Path)
		if d.Journaled() != tt.journal || (statErr == nil) != tt.journal {
			t.Errorf("%+v: journaled %v, file: %v; want journaled %v", tt.policy, d.Journaled(), statErr, tt.journal)
		}
		if tt.journal {
			d.Runner.Journal.Close()
			if _, err := Begin(c, plan, p, Hooks{}); err == nil || !strings.Contains(err.Error(), "already exists") {
				t.Errorf("Begin over an existing journal: %v; want it refused", err)
			}
		}
	}
}

// TestResolveNamesTheOutputItCannotWrite: a report whose directory does
// not exist is refused before anything is created, naming its flag.
func TestResolveNamesTheOutputItCannotWrite(t *testing.T) {
	dir := t.TempDir()
	p := Paths{Journal: Output{Name: "--journal", Path: filepath.Join(dir, "t.journal")},
		JUnit: Output{Name: "--report-junit", Path: filepath.Join(dir, "no", "drill.xml")}}
	if _, err := p.Resolve(drill.Plan{Name: "t"}, time.Now(), false); err == nil || !strings.Contains(err.Error(), "--report-junit") {
		t.Errorf("Resolve: %v; want an error naming --report-junit", err)
	}
	if _, err := os.Stat(p.Journal.Path); err == nil {
		t.Error("Resolve created the journal")
	}
}
