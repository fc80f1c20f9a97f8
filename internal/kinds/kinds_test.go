package kinds_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/internal/kinds"
	"github.com/vtui/vtui/vsphere"
)

// TestEveryNameResolvesToOneKind: a kind's name and each alias, in any
// case, look up that kind and no other.
func TestEveryNameResolvesToOneKind(t *testing.T) {
	owner := map[string]string{}
	for _, k := range kinds.All() {
		if len(k.Aliases) == 0 {
			t.Errorf("%s has no alias: the terminal UI's completion offers the first", k.Name)
		}
		for _, name := range append([]string{k.Name}, k.Aliases...) {
			if o, ok := owner[name]; ok {
				t.Errorf("%q names both %s and %s", name, o, k.Name)
			}
			owner[name] = k.Name
			for _, spelled := range []string{name, strings.ToUpper(name)} {
				if got, ok := kinds.Lookup(spelled); !ok || got.Name != k.Name {
					t.Errorf("Lookup(%q) = %q, %v; want %q", spelled, got.Name, ok, k.Name)
				}
			}
		}
	}
	if _, ok := kinds.Lookup("pods"); ok {
		t.Error(`Lookup("pods") found a kind`)
	}
}

// TestEachKindListsOrStreams: an inventory kind has a Load and Rows, a
// stream Recent and About; every kind has printed columns.
func TestEachKindListsOrStreams(t *testing.T) {
	for _, k := range kinds.All() {
		lists := k.Load != nil && k.Rows != nil && k.Recent == nil && k.About == nil
		streams := k.Load == nil && k.Rows == nil && k.Recent != nil && k.About != nil
		if lists == k.Stream || streams != k.Stream {
			t.Errorf("%s: Stream %v, Load %v, Rows %v, Recent %v, About %v; want a Load and Rows, or Recent and About for a stream",
				k.Name, k.Stream, k.Load != nil, k.Rows != nil, k.Recent != nil, k.About != nil)
		}
		if len(k.Printed) == 0 {
			t.Errorf("%s prints no column", k.Name)
		}
		for _, c := range k.Printed {
			if c.Title == "" || c.Cell == nil {
				t.Errorf("%s has a column without a title or a cell: %+v", k.Name, c)
			}
		}
	}
}

// samples are a row of each kind with every field set, as vtui get
// encodes it.
var samples = map[string]any{
	kinds.Clusters:   vsphere.Cluster{},
	kinds.Hosts:      vsphere.Host{},
	kinds.VMs:        vsphere.VM{},
	kinds.Datastores: vsphere.Datastore{},
	kinds.Networks:   vsphere.Network{},
	kinds.Tasks:      vsphere.Task{Started: time.Unix(1, 0), Completed: time.Unix(2, 0)},
	kinds.Events:     vsphere.Event{},
	kinds.Alarms:     vsphere.Alarm{Acknowledged: true, AcknowledgedBy: "admin", AcknowledgedTime: time.Unix(1, 0)},
	kinds.Snapshots:  vsphere.Snapshot{},
}

// TestJSONFieldsAreTheRowsFields: each kind's JSON field names are
// non-empty, unique, and exactly those a row encodes to, in order, so the
// registry states the stable contract that vtui get -o json keeps.
func TestJSONFieldsAreTheRowsFields(t *testing.T) {
	for _, k := range kinds.All() {
		seen := map[string]bool{}
		for _, f := range k.JSON {
			if f == "" || seen[f] {
				t.Errorf("%s: JSON field %q is empty or repeated in %q", k.Name, f, k.JSON)
			}
			seen[f] = true
		}
		row, ok := samples[k.Name]
		if !ok {
			t.Errorf("no sample row of %s: add one to samples", k.Name)
			continue
		}
		if got := keysOf(t, row); !slices.Equal(got, k.JSON) {
			t.Errorf("%s: a row encodes to fields %q; the registry says %q", k.Name, got, k.JSON)
		}
	}
}

// keysOf returns the field names v encodes to in JSON, in order.
func keysOf(t *testing.T, v any) []string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil { // {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}
