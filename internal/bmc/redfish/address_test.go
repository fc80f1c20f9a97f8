package redfish

import (
	"strings"
	"testing"
)

// TestParseAddress: a host, the service root or a system's URI; never
// plain http, user information or another path, and an error never
// shows a password.
func TestParseAddress(t *testing.T) {
	for _, tt := range []struct {
		in, endpoint, system, err string
	}{
		{in: "esx-01-bmc", endpoint: "https://esx-01-bmc"},
		{in: "https://10.0.0.7:8443/", endpoint: "https://10.0.0.7:8443"},
		{in: "https://bmc/redfish/v1/", endpoint: "https://bmc"},
		{in: "https://chassis/redfish/v1/Systems/3", endpoint: "https://chassis", system: "/redfish/v1/Systems/3"},
		{in: "http://bmc", err: "plain http"},
		{in: "https://root:hunter2@bmc", err: "holds no user or password"},
		{in: "https://bmc/redfish/v1/Managers/1", err: "neither the service root"},
		{in: "https://bmc/?x=1", err: "no query"},
		{in: "ftp://bmc", err: "a Redfish address is https://HOST"},
		{in: " ", err: "empty"},
	} {
		a, err := ParseAddress(tt.in)
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) || strings.Contains(err.Error(), "hunter2") {
				t.Errorf("ParseAddress(%q) = %+v, %v; want an error with %q and no password", tt.in, a, err, tt.err)
			}
		case err != nil || a.Endpoint != tt.endpoint || a.System != tt.system:
			t.Errorf("ParseAddress(%q) = %+v, %v; want %s %s", tt.in, a, err, tt.endpoint, tt.system)
		}
	}
}
