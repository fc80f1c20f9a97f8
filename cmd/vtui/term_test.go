package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestConfirm(t *testing.T) {
	tests := []struct {
		yes      bool
		terminal bool
		answer   string
		want     error
	}{
		{true, false, "", nil},
		{false, true, "y\n", nil},
		{false, true, "YES\n", nil},
		{false, true, "n\n", errDeclined},
		{false, true, "", errDeclined},
		{false, false, "", usageError{}},
		{false, false, "y\n", nil},
		{false, false, "yes", nil},
		{false, false, "n\n", errDeclined},
		{false, false, "\n", errDeclined},
	}
	for _, tt := range tests {
		sys := testSys(t, nil)
		sys.stdin, sys.terminal = strings.NewReader(tt.answer), tt.terminal
		a := newApp(sys)
		a.settings.Yes = tt.yes
		err := a.confirm(context.Background(), "Power off 3 VMs?")
		input := fmt.Sprintf("--yes=%v terminal=%v answer %q", tt.yes, tt.terminal, tt.answer)
		switch want := tt.want.(type) {
		case nil:
			if err != nil {
				t.Errorf("%s: got %v; want nil", input, err)
			}
		case usageError:
			if exitCode(err) != exitUsage || !strings.Contains(fmt.Sprint(err), "--yes") {
				t.Errorf("%s: got %v; want a usage error naming --yes", input, err)
			}
		default:
			if !errors.Is(err, want) {
				t.Errorf("%s: got %v; want %v", input, err, want)
			}
		}
	}
}

func TestDarkBackground(t *testing.T) {
	for _, tt := range []struct {
		colorfgbg string
		want      bool
	}{{"", true}, {"15;0", true}, {"0;15", false}, {"0;7", false}, {"0;default;15", false}, {"7;8", true}} {
		env := func(string) (string, bool) { return tt.colorfgbg, tt.colorfgbg != "" }
		if got := darkBackground(env); got != tt.want {
			t.Errorf("COLORFGBG=%q: dark %v; want %v", tt.colorfgbg, got, tt.want)
		}
	}
}
