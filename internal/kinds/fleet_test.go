package kinds_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/vtui/vtui/internal/fleet"
	"github.com/vtui/vtui/internal/kinds"
	"github.com/vtui/vtui/internal/strictyaml"
	"github.com/vtui/vtui/vsphere"
)

// TestTaggedRowsPutTheContextFirst: a tagged row encodes as the row's own
// JSON object and YAML mapping, every field kept in order, with "context"
// before them; an empty row is the context alone.
func TestTaggedRowsPutTheContextFirst(t *testing.T) {
	vm := &vsphere.VM{ID: "vm-1", Name: `web "01"`, PowerState: "poweredOn", NumCPU: 2}
	tests := []struct {
		name string
		row  any
	}{
		{"a VM row, as vtui get holds it", any(vm)},
		{"an empty object", struct{}{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plain, err := json.Marshal(tt.row)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(kinds.Tagged[any]{Context: "prod-eu", Row: tt.row})
			if err != nil {
				t.Fatal(err)
			}
			want := `{"context":"prod-eu"` + map[bool]string{true: "", false: ","}[string(plain) == "{}"] + string(plain[1:])
			if string(got) != want {
				t.Errorf("JSON\n got %s\nwant %s", got, want)
			}
			var y bytes.Buffer
			if err := strictyaml.Encode(&y, []kinds.Tagged[any]{{Context: "prod-eu", Row: tt.row}}); err != nil {
				t.Fatal(err)
			}
			var plainY bytes.Buffer
			if err := strictyaml.Encode(&plainY, []any{tt.row}); err != nil {
				t.Fatal(err)
			}
			wantY := "- context: prod-eu\n" + strings.Replace(plainY.String(), "- ", "  ", 1)
			if tt.row == (struct{}{}) {
				wantY = "- context: prod-eu\n"
			}
			if y.String() != wantY {
				t.Errorf("YAML\n got %q\nwant %q", y.String(), wantY)
			}
		})
	}
	if _, err := json.Marshal(kinds.Tagged[any]{Context: "lab", Row: 3}); err == nil {
		t.Error("a row that is not an object was tagged; want an error")
	}
}

// TestWithContextPutsTheContextColumnFirst: the CONTEXT column comes
// first and names the row's context; the kind's columns follow, reading
// the row and comparing as before.
func TestWithContextPutsTheContextColumnFirst(t *testing.T) {
	cols := kinds.WithContext(kinds.VMList().Columns)
	if len(cols) != len(kinds.VMList().Columns)+1 || cols[0].Title != kinds.ContextTitle || cols[1].Title != "NAME" {
		t.Fatalf("columns %d, first %q then %q; want CONTEXT then the VM columns", len(cols), cols[0].Title, cols[1].Title)
	}
	a := kinds.Tagged[vsphere.VM]{Context: "dr", Row: vsphere.VM{Name: "web-01", NumCPU: 2}}
	b := kinds.Tagged[vsphere.VM]{Context: "lab", Row: vsphere.VM{Name: "web-02", NumCPU: 8}}
	if got := cols[0].Cell(a) + " " + cols[1].Cell(a); got != "dr web-01" {
		t.Errorf("cells %q; want %q", got, "dr web-01")
	}
	for _, c := range cols {
		if c.Title == "CPUS" && (c.Compare == nil || c.Compare(a, b) >= 0) {
			t.Errorf("CPUS compares 2 against 8 as not less")
		}
	}
}

// TestMergeGroupsByContextAndKeepsFailuresApart: rows come grouped by
// context in the order asked, each context's in its own order; a failed
// context is kept apart; one lacking the named cluster gives no rows,
// unless every context lacks it.
func TestMergeGroupsByContextAndKeepsFailuresApart(t *testing.T) {
	lacks := func(ctx string) error {
		return fmt.Errorf("context %s: %w", ctx, &kinds.FilterError{Err: fmt.Errorf("no cluster named %q: %w", "prod", vsphere.ErrNotFound)})
	}
	down := errors.New("context b: connect to vc-b:443: connection refused")
	tests := []struct {
		name    string
		results []fleet.Result[[]string]
		rows    string // context/row, ...
		failed  string
		err     string
	}{
		{"all answer",
			[]fleet.Result[[]string]{{Context: "a", Value: []string{"z", "y"}}, {Context: "b", Value: []string{"x"}}},
			"a/z a/y b/x", "", ""},
		{"one down",
			[]fleet.Result[[]string]{{Context: "a", Value: []string{"z"}}, {Context: "b", Err: down}, {Context: "c", Value: []string{"w"}}},
			"a/z c/w", "b", ""},
		{"one lacks the cluster",
			[]fleet.Result[[]string]{{Context: "a", Err: lacks("a")}, {Context: "b", Value: []string{"x"}}},
			"b/x", "", ""},
		{"every context lacks the cluster",
			[]fleet.Result[[]string]{{Context: "a", Err: lacks("a")}, {Context: "b", Err: lacks("b")}},
			"", "", `in none of the 2 contexts: no cluster named "prod"`},
		{"one lacks it, the other is down: partial, not bad input",
			[]fleet.Result[[]string]{{Context: "a", Err: lacks("a")}, {Context: "b", Err: down}},
			"", "b", ""},
		{"none asked", nil, "", "", ""},
	}
	for _, tt := range tests {
		rows, failed, err := kinds.Merge(tt.results)
		var gotRows, gotFailed []string
		for _, r := range rows {
			gotRows = append(gotRows, r.Context+"/"+r.Row)
		}
		for _, r := range failed {
			gotFailed = append(gotFailed, r.Context)
		}
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
			if fe := (*kinds.FilterError)(nil); !errors.As(err, &fe) {
				t.Errorf("%s: error %v is not a *FilterError", tt.name, err)
			}
		}
		if strings.Join(gotRows, " ") != tt.rows || strings.Join(gotFailed, " ") != tt.failed || !strings.HasPrefix(gotErr, tt.err) || (tt.err == "") != (gotErr == "") {
			t.Errorf("%s: rows %q, failed %q, err %q; want %q, %q, %q", tt.name, gotRows, gotFailed, gotErr, tt.rows, tt.failed, tt.err)
		}
	}
}
