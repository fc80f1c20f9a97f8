package vsphere

import "time"

// Config says how to reach and log in to one vCenter (or ESXi host).
// The zero value is not usable: URL and Username are required.
type Config struct {
	// URL is the endpoint. A bare host name ("vc01") becomes
	// https://vc01/sdk; a URL without a path gets /sdk.
	URL string
	// Username is the login name, e.g. administrator@vsphere.local.
	Username string
	// Password is the login password. It is never logged or printed.
	Password string
	// Insecure skips TLS verification entirely. Prefer Thumbprint or CAFile.
	Insecure bool
	// Thumbprint pins the server certificate by its SHA-1 or SHA-256
	// fingerprint (hex, with or without colons).
	Thumbprint string
	// CAFile is a PEM bundle trusted in addition to the system roots.
	CAFile string
	// Timeout bounds connecting and logging in. Zero means 30 seconds.
	Timeout time.Duration
}
