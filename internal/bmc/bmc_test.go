package bmc

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestCredentialsNeverShowThePassword: every way a value is printed or
// marshalled names the user only.
func TestCredentialsNeverShowThePassword(t *testing.T) {
	c := Credentials{Username: "root", Password: "hunter2"}
	j, _ := json.Marshal(struct{ C Credentials }{c})
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s", c, c, c, c), fmt.Sprintf("%v", &c), string(j)} {
		if strings.Contains(s, "hunter2") || !strings.Contains(s, "root") {
			t.Errorf("%q: want the user, never the password", s)
		}
	}
}

// TestSameSystemMatchesSMBIOSUUIDs: case, braces and the byte order of
// the first three fields (firmware differs) do not matter; anything else
// does.
func TestSameSystemMatchesSMBIOSUUIDs(t *testing.T) {
	const vc = "4c4c4544-0042-3510-8052-b4c04f4e4d32"
	for _, tt := range []struct {
		bmc  string
		want bool
	}{
		{vc, true},
		{"4C4C4544-0042-3510-8052-B4C04F4E4D32", true},
		{"{4c4c4544-0042-3510-8052-b4c04f4e4d32}", true},
		{"44454c4c-4200-1035-8052-b4c04f4e4d32", true}, // first three fields byte-swapped
		{"4c4c4544-0042-3510-8052-b4c04f4e4d33", false},
		{"44454c4c-4200-1035-8052-b4c04f4e4d33", false},
		{"", false},
		{"not-a-uuid", false},
	} {
		if got := SameSystem(tt.bmc, vc); got != tt.want {
			t.Errorf("SameSystem(%q, %q) = %t; want %t", tt.bmc, vc, got, tt.want)
		}
	}
	if SameSystem("", "") {
		t.Error("two empty UUIDs name the same system; want no match")
	}
}
