package gate

import (
	"bytes"
	"testing"
)

func TestResultDetail(t *testing.T) {
	for _, tt := range []struct {
		r    Result
		want string
	}{
		{Result{}, ""},
		{Result{Message: "moved"}, "moved"},
		{Result{Warnings: []string{"slow"}}, "warning: slow"},
		{Result{Message: "moved", Warnings: []string{"slow", "late"}}, "moved; warning: slow; late"},
	} {
		if got := tt.r.Detail(); got != tt.want {
			t.Errorf("%+v.Detail() = %q; want %q", tt.r, got, tt.want)
		}
	}
}

func TestProgressWriteText(t *testing.T) {
	for _, tt := range []struct {
		p    Progress
		want string
	}{
		{Progress{Stage: StageNote, Message: "DRS will evacuate"}, "note: DRS will evacuate\n"},
		{Progress{Index: 0, Total: 2, Stage: StageStarted, Message: "migrate vm-1"}, "[1/2] migrate vm-1 ...\n"},
		{Progress{Index: 1, Total: 2, Stage: StageDone, Result: &Result{Op: OpMigrate, Object: "vm-1", Status: StatusOK, Seconds: 1.25}}, "[2/2] migrate vm-1: ok (1.2s)\n"},
	} {
		var b bytes.Buffer
		tt.p.WriteText(&b)
		if got := b.String(); got != tt.want {
			t.Errorf("%+v: got %q; want %q", tt.p, got, tt.want)
		}
	}
}
