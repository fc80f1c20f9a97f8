package simdoor

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/vtui/vtui/internal/bmc"
)

// door is the door's bmc block as the simulator has always sent it: the
// wire format the client reads.
const door = `{"redfish":{"esx-a-01":"https://127.0.0.1:8989/redfish/v1/Systems/host-21"},` +
	`"ipmi":{"esx-a-01":"127.0.0.1:40123"},"thumbprint":"AB:CD","username":"user","password":"s3cret-pass"}`

func sample() BMC {
	return BMC{
		Redfish:     map[string]string{"esx-a-01": "https://127.0.0.1:8989/redfish/v1/Systems/host-21"},
		IPMI:        map[string]string{"esx-a-01": "127.0.0.1:40123"},
		Thumbprint:  "AB:CD",
		Credentials: bmc.Credentials{Username: "user", Password: "s3cret-pass"},
	}
}

// TestBMCRoundTrips: what the door writes (BMCWithPassword) is the wire
// format, and a client reads it back whole, credentials included.
func TestBMCRoundTrips(t *testing.T) {
	b, err := json.Marshal(BMCWithPassword(sample()))
	if err != nil || string(b) != door {
		t.Fatalf("the door writes %s, %v;\nwant %s", b, err, door)
	}
	var got BMC
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, sample()) {
		t.Errorf("read back %#v;\nwant %#v", got, sample())
	}
}

// TestBMCKeepsItsPassword: what a client read marshals and prints
// without the password.
func TestBMCKeepsItsPassword(t *testing.T) {
	var got BMC
	if err := json.Unmarshal([]byte(door), &got); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{string(b), fmt.Sprintf("%v", got), fmt.Sprintf("%+v", got), fmt.Sprintf("%#v", got)} {
		if strings.Contains(s, "s3cret-pass") {
			t.Errorf("the password shows in %s", s)
		}
	}
}

// TestInfoRoundTrips: the door's whole answer, as the door writes it,
// reads back whole where a client reads it, under the contract's keys.
func TestInfoRoundTrips(t *testing.T) {
	sent := Info[BMCWithPassword]{Simulator: "vtui", API: 1, HADetectDelay: "2s", HABootTime: "300ms-800ms", HAIsolationDelay: "4s",
		Faults: []string{"crash", "recover"}, Model: Model{HA: HA{DetectDelay: "2s", Scale: 0.133}, Unmodeled: []string{"VMCP"}},
		BMC: BMCWithPassword(sample())}
	b, err := json.Marshal(sent)
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"simulator", "api", "ha_detect_delay", "ha_boot_time", "ha_isolation_delay", "faults", "model", "bmc"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("the door's answer has no %q: %s", k, b)
		}
	}
	if string(keys["bmc"]) != door {
		t.Errorf("its bmc is %s;\nwant %s", keys["bmc"], door)
	}
	var got Info[BMC]
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := Info[BMC]{Simulator: sent.Simulator, API: sent.API, HADetectDelay: sent.HADetectDelay, HABootTime: sent.HABootTime,
		HAIsolationDelay: sent.HAIsolationDelay, Faults: sent.Faults, Model: sent.Model, BMC: sample()}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back %+v;\nwant %+v", got, want)
	}
}
