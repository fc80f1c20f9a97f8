package drill

import "testing"

// TestCheckContext holds the rule for a plan's context where the drill
// would run, as both faces describe it: a plan without a context runs
// anywhere; a plan's context runs on that context, or where a default
// gives way to it; anywhere else it is refused, naming both and what to
// drop.
func TestCheckContext(t *testing.T) {
	simulator := Where{By: "--simulator", Names: "runs its own vCenter", Instead: "drop --simulator"}
	prod := Where{Context: "prod", By: "--context", Names: `names context "prod"`, Instead: "drop --context"}
	tui := Where{Context: "lab", By: "the current connection", Names: `is on context "lab"`, Instead: "close the view and switch with :ctx prod"}
	tests := []struct {
		plan  string
		where Where
		want  string // the error, "" for none
	}{
		{"", simulator, ""},
		{"", tui, ""},
		{"prod", Where{}, ""}, // a default: the caller connects to prod
		{"prod", prod, ""},
		{"lab", tui, ""},
		{"lab", simulator, `the plan names context "lab", and --simulator runs its own vCenter: remove "context: lab" from the plan to use --simulator, or drop --simulator to use context lab`},
		{"lab", prod, `the plan names context "lab", and --context names context "prod": remove "context: lab" from the plan to use --context, or drop --context to use context lab`},
		{"prod", tui, `the plan names context "prod", and the current connection is on context "lab": remove "context: prod" from the plan to use the current connection, or close the view and switch with :ctx prod to use context prod`},
	}
	for _, tt := range tests {
		err := CheckContext(tt.plan, tt.where)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("CheckContext(%q, %+v) =\n%q;\nwant %q", tt.plan, tt.where, got, tt.want)
		}
	}
}
