// Package tlstrust checks a server's certificate the way vtui trusts
// every server it talks to, vCenter and BMCs alike: signed for the host
// by the system roots or a CA file, or pinned by its SHA-1 or SHA-256
// thumbprint, or not checked at all when the user says insecure. A
// rejected certificate yields an *UntrustedCertError that carries its
// fingerprints, so the user can check one out of band and pin it.
package tlstrust

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/vtui/vtui/internal/readlimit"
)

// Dialer dials TLS with a timeout and the caller's context and checks
// the server's certificate in the same handshake: trusted by Roots, or
// matching Pinned. Its DialTLSContext fits http.Transport.
type Dialer struct {
	// Roots are the trusted CAs; nil means the system roots.
	Roots *x509.CertPool
	// Pinned is a thumbprint as NormalizeThumbprint returns it; "" for none.
	Pinned   string
	Insecure bool
	// Timeout bounds the TCP connection and the handshake.
	Timeout time.Duration
	// Advice says how to trust a rejected certificate, given its SHA-256
	// thumbprint, in the words of the caller's settings ("trust it with
	// --thumbprint …"); it ends the *UntrustedCertError's message.
	Advice func(sha256 string) string
}

// NewDialer makes the Dialer of a CA file, a thumbprint and insecure, as
// the user gave them; ctx ends a read of the CA file that blocks.
func NewDialer(ctx context.Context, caFile, thumbprint string, insecure bool, timeout time.Duration) (*Dialer, error) {
	pin, err := NormalizeThumbprint(thumbprint)
	if err != nil {
		return nil, err
	}
	d := &Dialer{Pinned: pin, Insecure: insecure, Timeout: timeout}
	if caFile != "" {
		if d.Roots, err = LoadCAFile(ctx, caFile); err != nil {
			return nil, err
		}
	}
	if d.Roots == nil && pin == "" && !insecure {
		// The handshake will verify against the system roots, which
		// take 20 ms to read: read them while the connection is made.
		go func() { _, _ = x509.SystemCertPool() }()
	}
	return d, nil
}

// DialTLSContext connects to addr and checks its certificate.
func (d *Dialer) DialTLSContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	cfg := &tls.Config{
		ServerName: host,
		// Verification happens in VerifyConnection, which can accept a
		// pinned certificate that the roots do not.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if d.Insecure {
				return nil
			}
			return d.verify(addr, host, cs.PeerCertificates)
		},
	}
	td := &tls.Dialer{
		NetDialer: &net.Dialer{Timeout: d.Timeout, KeepAlive: 30 * time.Second},
		Config:    cfg,
	}
	if d.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.Timeout)
		defer cancel()
	}
	return td.DialContext(ctx, network, addr)
}

func (d *Dialer) verify(addr, host string, certs []*x509.Certificate) error {
	if len(certs) == 0 {
		return fmt.Errorf("%s sent no certificate", addr)
	}
	leaf := certs[0]
	// A certificate is trusted if it is pinned or the roots sign it. The
	// pin is checked first: the system roots, read on the first
	// verification, cost every launch 20 ms that a pinned certificate
	// does not need.
	sha256 := ThumbprintSHA256(leaf)
	if d.Pinned != "" && (d.Pinned == sha256 || d.Pinned == ThumbprintSHA1(leaf)) {
		return nil
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := leaf.Verify(x509.VerifyOptions{Roots: d.Roots, DNSName: host, Intermediates: inter})
	if err == nil {
		return nil
	}
	e := &UntrustedCertError{Host: addr, SHA1: ThumbprintSHA1(leaf), SHA256: sha256, Pinned: d.Pinned, Err: err}
	if d.Advice != nil {
		e.Advice = d.Advice(sha256)
	}
	return e
}

// UntrustedCertError reports a server certificate that is neither signed
// by a trusted CA nor pinned. It carries both fingerprints so the user
// can pin one after checking it out of band.
type UntrustedCertError struct {
	Host   string
	SHA1   string
	SHA256 string
	// Pinned is the thumbprint the user asked for, if any; it did not match.
	Pinned string
	// Advice says how to trust it, in the words of the caller's settings.
	Advice string
	Err    error
}

func (e *UntrustedCertError) Error() string {
	what := "is not trusted"
	if e.Pinned != "" {
		what = fmt.Sprintf("does not match the pinned thumbprint %s", e.Pinned)
	}
	msg := fmt.Sprintf("the certificate of %s %s (SHA-256 %s, SHA-1 %s)", e.Host, what, e.SHA256, e.SHA1)
	if e.Advice != "" {
		msg += "; " + e.Advice
	}
	return msg
}

func (e *UntrustedCertError) Unwrap() error { return e.Err }

// AsUntrustedCert finds the *UntrustedCertError in err's chain; the TLS
// stack may wrap it.
func AsUntrustedCert(err error) (*UntrustedCertError, bool) {
	var ce *UntrustedCertError
	ok := errors.As(err, &ce)
	return ce, ok
}

// NormalizeThumbprint accepts a SHA-1 or SHA-256 fingerprint in hex, with
// or without colons, in any case, and returns it upper-case and
// colon-separated, as ThumbprintSHA256 writes it. "" stays "".
func NormalizeThumbprint(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	raw := strings.NewReplacer(":", "", " ", "", "-", "").Replace(strings.TrimSpace(s))
	b, err := hex.DecodeString(raw)
	if err != nil || (len(b) != 20 && len(b) != 32) {
		return "", fmt.Errorf("invalid thumbprint %q: want a SHA-1 (20 bytes) or SHA-256 (32 bytes) fingerprint in hex, e.g. AB:CD:…", s)
	}
	return colons(b), nil
}

// ThumbprintSHA256 is the certificate's SHA-256 fingerprint, upper-case
// hex with colons (AB:CD:…), as govmomi and vCenter write it.
func ThumbprintSHA256(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return colons(sum[:])
}

// ThumbprintSHA1 is the certificate's SHA-1 fingerprint, as
// ThumbprintSHA256 writes it.
func ThumbprintSHA1(cert *x509.Certificate) string {
	sum := sha1.Sum(cert.Raw)
	return colons(sum[:])
}

func colons(b []byte) string {
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = fmt.Sprintf("%02X", x)
	}
	return strings.Join(parts, ":")
}

// LoadCAFile reads a PEM bundle of at most readlimit.Document bytes and
// adds it to the system roots.
func LoadCAFile(ctx context.Context, name string) (*x509.CertPool, error) {
	pem, err := readlimit.File(ctx, name, readlimit.Document)
	if err != nil {
		return nil, fmt.Errorf("read the CA file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("the CA file %s holds no PEM certificate", name)
	}
	return pool, nil
}
