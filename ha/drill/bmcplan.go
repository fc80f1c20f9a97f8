package drill

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vtui/vtui/internal/bmc"
	"github.com/vtui/vtui/internal/bmc/ipmi"
	"github.com/vtui/vtui/internal/bmc/redfish"
	"github.com/vtui/vtui/internal/strictyaml"
	"github.com/vtui/vtui/internal/tlstrust"
	"github.com/vtui/vtui/vsphere/drillkit"
)

// SimulatorBMC is the address that names the BMCs vtui's simulator
// serves for its hosts; against any other server it is refused.
const SimulatorBMC = "simulator"

// noPasswordInPlan is why a plan may hold no password key.
const noPasswordInPlan = "a password never goes in a plan: name where it is read, with password-env: VARIABLE or password-file: PATH, or give neither to be asked on a terminal"

// BMC maps each target host to its BMC, and says how to log in and
// whom to trust, for the methods that power hosts off through their BMCs
// (redfish; ipmi). The password itself is never in the plan, its report
// or its journal: PasswordEnv or PasswordFile names where it is read, and
// with neither it is asked on a terminal.
type BMC struct {
	// Address is each host's BMC, as a template over the host's name:
	// "https://{{.Host}}-bmc.lab.example.com" ({{.Cluster}} works too; the
	// name goes in as it is, and only a name made of letters, digits, '.',
	// '-' and '_' may). The reserved value "simulator" names the BMCs of
	// vtui's simulator, which need no credentials from the plan.
	Address string `json:"address,omitempty" yaml:"address,omitempty"`
	// Hosts maps host names to their BMCs' addresses, as they are; it wins
	// over Address for the hosts it names.
	Hosts map[string]string `json:"hosts,omitempty" yaml:"hosts,omitempty"`
	// Username logs in to every BMC of the plan.
	Username     string `json:"username,omitempty" yaml:"username,omitempty"`
	PasswordEnv  string `json:"password-env,omitempty" yaml:"password-env,omitempty"`
	PasswordFile string `json:"password-file,omitempty" yaml:"password-file,omitempty"`
	// CAFile, Thumbprint and Insecure trust the BMCs' certificates as
	// --ca-file, --thumbprint and --insecure trust vCenter's. By default a
	// certificate must chain to the system's roots (for address
	// simulator: be the simulator's own).
	CAFile     string `json:"ca-file,omitempty" yaml:"ca-file,omitempty"`
	Thumbprint string `json:"thumbprint,omitempty" yaml:"thumbprint,omitempty"`
	Insecure   bool   `json:"insecure,omitempty" yaml:"insecure,omitempty"`
}

// TLS is how the plan trusts its BMCs' certificates.
func (b *BMC) TLS() bmc.TLS {
	return bmc.TLS{CAFile: b.CAFile, Thumbprint: b.Thumbprint, Insecure: b.Insecure}
}

// trusts says the plan says how to trust the BMCs' certificates.
func (b *BMC) trusts() bool { return b.TLS() != bmc.TLS{} }

// trustKey is the key that says how to trust the BMCs' certificates.
func (b *BMC) trustKey() string {
	switch {
	case b.Insecure:
		return "insecure"
	case b.Thumbprint != "":
		return "thumbprint"
	}
	return "ca-file"
}

// namesPassword says the plan names where the BMC password is read.
func (b *BMC) namesPassword() bool { return b.PasswordEnv != "" || b.PasswordFile != "" }

// check refuses a mapping that could not work, naming the key to fix.
func (b *BMC) check(doc *strictyaml.Document, m Method) error {
	at := func(key, format string, args ...any) error {
		return doc.Errorf([]string{"inject", "bmc", key}, format, args...)
	}
	switch {
	case b.Address == "" && len(b.Hosts) == 0:
		return doc.Errorf([]string{"inject", "bmc"}, `say where each host's BMC is: address: "https://{{.Host}}-bmc.example.com" (a template over the host's name), hosts: {esx-01: bmc-17.example.com} (a table), or address: simulator`)
	case b.Username == "" && b.Address != SimulatorBMC:
		return at("username", "missing: the user that logs in to the BMCs (its password comes from password-env, password-file or a prompt)")
	case b.PasswordEnv != "" && b.PasswordFile != "":
		return at("password-file", "give password-env or password-file, not both")
	case strings.ContainsAny(b.PasswordEnv, "=$ \t"):
		return at("password-env", "%q: name the environment variable, such as BMC_PASSWORD, without $", b.PasswordEnv)
	case m == MethodIPMI && b.trusts():
		return at(b.trustKey(), "IPMI has no TLS to trust or skip: RMCP+ authenticates the BMC by the password; remove ca-file, thumbprint and insecure")
	case b.Insecure && (b.Thumbprint != "" || b.CAFile != ""):
		return at("insecure", "insecure skips the certificate check that the thumbprint or ca-file asks for; choose one")
	}
	if _, err := tlstrust.NormalizeThumbprint(b.Thumbprint); err != nil {
		return at("thumbprint", "%v", err)
	}
	if b.Address != "" && b.Address != SimulatorBMC {
		addr, err := b.render(b.Address, "esx-01", "cluster-01")
		if err == nil {
			err = checkBMCAddress(m, addr)
		}
		if err != nil {
			return at("address", "%v", err)
		}
	}
	hosts := make([]string, 0, len(b.Hosts))
	for h := range b.Hosts {
		hosts = append(hosts, h)
	}
	slices.Sort(hosts)
	for _, h := range hosts {
		if err := checkBMCAddress(m, b.Hosts[h]); err != nil {
			return doc.Errorf([]string{"inject", "bmc", "hosts", h}, "%v", err)
		}
	}
	return nil
}

// bmcProtocol is how a method that goes through the hosts' BMCs speaks
// to them.
type bmcProtocol struct {
	// parse checks a BMC's address as the protocol reads it.
	parse func(addr string) error
	dial  func(ctx context.Context, addr string, cred bmc.Credentials, trust bmc.TLS) (bmc.Controller, error)
	// simulated are the BMCs vtui's simulator serves for it, by host.
	simulated func(sim *drillkit.SimInfo) map[string]string
}

// protocolOf is how method m speaks to the BMCs; false if m does not go
// through them. A method added here is one of bmcMethods.
func protocolOf(m Method) (bmcProtocol, bool) {
	switch m {
	case MethodRedfish:
		return bmcProtocol{
			parse:     func(addr string) error { _, err := redfish.ParseAddress(addr); return err },
			dial:      redfish.Dial,
			simulated: func(sim *drillkit.SimInfo) map[string]string { return sim.BMC.Redfish },
		}, true
	case MethodIPMI:
		return bmcProtocol{
			parse: func(addr string) error { _, _, err := ipmi.ParseAddress(addr); return err },
			// RMCP+ has no TLS: check refuses the plan's trust options.
			dial: func(ctx context.Context, addr string, cred bmc.Credentials, _ bmc.TLS) (bmc.Controller, error) {
				return ipmi.Dial(ctx, addr, cred)
			},
			simulated: func(sim *drillkit.SimInfo) map[string]string { return sim.BMC.IPMI },
		}, true
	}
	return bmcProtocol{}, false
}

// bmcMethods are the methods that go through the hosts' BMCs.
func bmcMethods() []string { return []string{string(MethodRedfish), string(MethodIPMI)} }

// checkBMCAddress checks an address as method m reads it.
func checkBMCAddress(m Method, addr string) error {
	p, ok := protocolOf(m)
	if !ok {
		return fmt.Errorf("method %s has no BMC addresses", m)
	}
	return p.parse(addr)
}

// render fills the address template for host of cluster. A name goes in
// as it is, so only a name that cannot change the address's structure
// may: letters, digits, '.', '-' and '_'.
func (b *BMC) render(tmpl, host, cluster string) (string, error) {
	for _, v := range []string{host, cluster} {
		if v == "" || strings.Trim(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") != "" {
			return "", fmt.Errorf("%q cannot go into a BMC address as it is: map the host in inject.bmc.hosts", v)
		}
	}
	values := map[string]string{"Host": host, "Cluster": cluster}
	addr, err := expand(tmpl, func(field string, _ quoting) (string, error) { return values[field], nil })
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(addr) == "" {
		return "", errors.New("the address is empty")
	}
	return addr, nil
}

// addressOf is host's BMC address: the table's, the simulator's (sim
// maps host names to them; nil when the server is not vtui's simulator,
// and notSim says why), or the template's.
func (b *BMC) addressOf(host, cluster string, sim map[string]string, notSim error) (string, error) {
	if a, ok := b.Hosts[host]; ok {
		return a, nil
	}
	switch {
	case b.Address == "":
		return "", fmt.Errorf("inject.bmc.hosts does not name %s, and there is no address template: add it to the table", host)
	case b.Address != SimulatorBMC:
		return b.render(b.Address, host, cluster)
	case sim == nil:
		return "", fmt.Errorf("address simulator names the BMCs of vtui's simulator, and this is not it: %v; give the hosts' BMCs", notSim)
	}
	a, ok := sim[host]
	if !ok {
		return "", fmt.Errorf("vtui's simulator serves no BMC for %s", host)
	}
	return a, nil
}
