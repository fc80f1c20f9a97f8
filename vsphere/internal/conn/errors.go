package conn

import (
	"fmt"
	"time"
)

// LoginError reports that the server refused the credentials. Its message
// never contains the password.
type LoginError struct {
	Host string
	User string
	Err  error
}

func (e *LoginError) Error() string {
	return fmt.Sprintf("login to %s as %s failed: incorrect user name or password", e.Host, e.User)
}

func (e *LoginError) Unwrap() error { return e.Err }

// UntrustedCertError reports a server certificate that is neither signed by
// a trusted CA nor pinned. It carries both fingerprints so the user can pin
// one after checking it out of band.
type UntrustedCertError struct {
	Host   string
	SHA1   string
	SHA256 string
	// Pinned is the thumbprint the user asked for, if any; it did not match.
	Pinned string
	Err    error
}

func (e *UntrustedCertError) Error() string {
	what := "is not trusted"
	if e.Pinned != "" {
		what = fmt.Sprintf("does not match the pinned thumbprint %s", e.Pinned)
	}
	return fmt.Sprintf("the certificate of %s %s (SHA-256 %s, SHA-1 %s); "+
		"check the fingerprint with your vCenter administrator, then trust it with --thumbprint %s, "+
		"or add the issuing CA with --ca-file, or skip verification with --insecure",
		e.Host, what, e.SHA256, e.SHA1, e.SHA256)
}

func (e *UntrustedCertError) Unwrap() error { return e.Err }

// UnreachableError reports that no connection could be made to the server.
type UnreachableError struct {
	Addr    string
	Timeout time.Duration
	Err     error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach %s (timeout %s): %v", e.Addr, e.Timeout, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }
