package conn

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vtui/vtui/internal/tlstrust"
)

// Config says how to reach and log in to one vCenter (or ESXi host).
// The zero value is not usable: URL and Username are required.
type Config struct {
	// URL is the endpoint. A bare host name ("vc01") becomes
	// https://vc01/sdk; a URL without a path gets /sdk.
	URL string
	// Username is the login name, e.g. administrator@vsphere.local.
	Username string
	// Password is the login password. It is never logged or printed.
	// Empty, Dial asks WithPassword's source when a login is needed (no
	// cached session resumes), and fails with ErrNoSession when there is
	// no source or it gives none: it never logs in with an empty
	// password.
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

// ErrInvalidConfig is wrapped by the errors of Config.Validate: the
// settings themselves are wrong, before any connection is tried.
var ErrInvalidConfig = errors.New("invalid connection settings")

// Validate checks what can be checked without connecting: the URL parses
// (and holds no password), the thumbprint is a SHA-1 or SHA-256
// fingerprint, the CA file is readable PEM (ctx ends its read), and
// Insecure is not combined with a way to verify, which would contradict
// it. Its errors wrap ErrInvalidConfig and never show a password.
func (cfg Config) Validate(ctx context.Context) error {
	if _, err := ParseURL(cfg.URL); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	if _, err := tlstrust.NormalizeThumbprint(cfg.Thumbprint); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	if cfg.CAFile != "" {
		if _, err := tlstrust.LoadCAFile(ctx, cfg.CAFile); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
		}
	}
	if cfg.Insecure && (cfg.Thumbprint != "" || cfg.CAFile != "") {
		return fmt.Errorf("%w: insecure skips the certificate check that the thumbprint or CA file asks for; choose one", ErrInvalidConfig)
	}
	return nil
}
