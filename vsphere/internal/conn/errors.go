package conn

import (
	"fmt"
	"time"

	"github.com/vtui/vtui/internal/tlstrust"
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
type UntrustedCertError = tlstrust.UntrustedCertError

// vcenterAdvice says how to trust a vCenter's certificate, in the words of
// vtui's flags.
func vcenterAdvice(sha256 string) string {
	return fmt.Sprintf("check the fingerprint with your vCenter administrator, then trust it with --thumbprint %s, "+
		"or add the issuing CA with --ca-file, or skip verification with --insecure", sha256)
}

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
