package simdoor

import (
	"encoding/json"

	"github.com/vtui/vtui/internal/bmc"
)

// BMC is where the simulator's hosts' BMCs answer, by host name, whose
// certificate they serve, and the credentials they take: the
// simulator's own, which the door hands to a logged-in session only, so
// that a drill with inject.bmc.address simulator needs no setup.
//
// On the wire (GET /vtui/sim/v1: bmc) it is
//
//	{"redfish": {HOST: URI}, "ipmi": {HOST: ADDRESS}, "thumbprint": "…", "username": "…", "password": "…"}
//
// A BMC reads that whole (UnmarshalJSON) but marshals without the
// credentials, and prints them as bmc.Credentials do, without the
// password, so that nothing a client read can carry it into a log, a
// report or a journal; only the door writes it, as a BMCWithPassword.
type BMC struct {
	// Redfish maps each host to the URI of its ComputerSystem on the
	// simulator's Redfish service.
	Redfish map[string]string `json:"redfish"`
	// IPMI maps a host's name to its IPMI BMC's address (127.0.0.1:PORT)
	// for every IPMI BMC serving: those the query's ipmi parameters named,
	// and those started before.
	IPMI map[string]string `json:"ipmi"`
	// Thumbprint is the SHA-256 fingerprint of the certificate the BMCs
	// serve (the simulator's own).
	Thumbprint  string          `json:"thumbprint"`
	Credentials bmc.Credentials `json:"-"`
}

// bmcWire is a BMC as the door sends it.
type bmcWire struct {
	Redfish    map[string]string `json:"redfish"`
	IPMI       map[string]string `json:"ipmi"`
	Thumbprint string            `json:"thumbprint"`
	Username   string            `json:"username"`
	Password   string            `json:"password"`
}

// UnmarshalJSON reads the door's answer, credentials included.
func (b *BMC) UnmarshalJSON(data []byte) error {
	var w bmcWire
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*b = BMC{Redfish: w.Redfish, IPMI: w.IPMI, Thumbprint: w.Thumbprint,
		Credentials: bmc.Credentials{Username: w.Username, Password: w.Password}}
	return nil
}

// BMCWithPassword is a BMC as the door answers a logged-in session: its
// JSON carries the password. Only the simulator's door marshals one.
type BMCWithPassword BMC

// MarshalJSON writes the door's answer, password included.
func (b BMCWithPassword) MarshalJSON() ([]byte, error) {
	return json.Marshal(bmcWire{Redfish: b.Redfish, IPMI: b.IPMI, Thumbprint: b.Thumbprint,
		Username: b.Credentials.Username, Password: b.Credentials.Password})
}
