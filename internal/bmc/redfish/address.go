package redfish

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
)

// serviceRoot is where every Redfish service has its root (DSP0266).
const serviceRoot = "/redfish/v1"

// Address is a Redfish BMC as a plan names it: the service's endpoint,
// and the system it powers when the service powers several.
type Address struct {
	// Endpoint is scheme://host[:port], with no path: gofish adds the
	// service root.
	Endpoint string
	// System is the system's URI (/redfish/v1/Systems/ID), or "" when the
	// service powers one system, which is then the one.
	System string
}

// ParseAddress reads a BMC's address: a host name or an https URL, with no
// path or with the service root (https://esx-01-bmc), or the URI of one
// system (https://blade-chassis/redfish/v1/Systems/3). A bare host name
// gets https://. Plain http and user information are refused: a BMC's
// password goes over TLS, and never in an address.
func ParseAddress(s string) (Address, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Address{}, errors.New("the address is empty")
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return Address{}, fmt.Errorf("%q is not a URL: %w", redact(s), errors.Unwrap(err))
	case u.Scheme == "http":
		return Address{}, fmt.Errorf("%s: plain http would send the BMC's password in the clear; use https", redact(s))
	case u.Scheme != "https":
		return Address{}, fmt.Errorf("%s: a Redfish address is https://HOST, or https://HOST/redfish/v1/Systems/ID", redact(s))
	case u.User != nil:
		return Address{}, fmt.Errorf("%s: an address holds no user or password; give them as username and password-env or password-file", redact(s))
	case u.Hostname() == "":
		return Address{}, fmt.Errorf("%s names no host", s)
	case u.RawQuery != "" || u.Fragment != "":
		return Address{}, fmt.Errorf("%s: an address has no query or fragment", s)
	}
	a := Address{Endpoint: u.Scheme + "://" + u.Host}
	p := strings.TrimSuffix(path.Clean("/"+u.Path), "/")
	switch {
	case p == "" || p == serviceRoot:
	case path.Dir(p) == serviceRoot+"/Systems":
		a.System = p
	default:
		return Address{}, fmt.Errorf("%s: the path is neither the service root %s nor a system's URI %s/Systems/ID", s, serviceRoot, serviceRoot)
	}
	return a, nil
}

// String is the address as it was meant: the endpoint, and the system's
// URI if one was named.
func (a Address) String() string { return a.Endpoint + a.System }

// redact hides user information in a URL that failed to parse or holds it.
func redact(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	if i := strings.Index(s, "@"); i >= 0 {
		if j := strings.Index(s, "://"); j >= 0 && j < i {
			return s[:j+3] + "xxxxx" + s[i:]
		}
	}
	return s
}
