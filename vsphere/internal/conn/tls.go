package conn

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/vmware/govmomi/vim25/soap"
)

// tlsDialer dials TLS with a timeout and the caller's context (govmomi's
// own dialer has neither) and checks the server's certificate in one
// handshake: trusted by the roots, or matching the pinned thumbprint. A
// rejected certificate yields an *UntrustedCertError carrying its
// fingerprints.
type tlsDialer struct {
	roots    *x509.CertPool // nil means the system roots
	insecure bool
	timeout  time.Duration
	pinned   string // normalized, "" for none
}

func (d *tlsDialer) DialTLSContext(ctx context.Context, network, addr string) (net.Conn, error) {
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
			if d.insecure {
				return nil
			}
			return d.verify(addr, host, cs.PeerCertificates)
		},
	}
	td := &tls.Dialer{
		NetDialer: &net.Dialer{Timeout: d.timeout, KeepAlive: 30 * time.Second},
		Config:    cfg,
	}
	return td.DialContext(ctx, network, addr)
}

func (d *tlsDialer) verify(addr, host string, certs []*x509.Certificate) error {
	if len(certs) == 0 {
		return fmt.Errorf("%s sent no certificate", addr)
	}
	leaf := certs[0]
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := leaf.Verify(x509.VerifyOptions{Roots: d.roots, DNSName: host, Intermediates: inter})
	if err == nil {
		return nil
	}
	if d.pinned != "" && matchesThumbprint(d.pinned, leaf) {
		return nil
	}
	return &UntrustedCertError{
		Host:   addr,
		SHA1:   soap.ThumbprintSHA1(leaf),
		SHA256: soap.ThumbprintSHA256(leaf),
		Pinned: d.pinned,
		Err:    err,
	}
}

// asUntrustedCert finds the *UntrustedCertError in err's chain; the TLS
// stack may wrap it.
func asUntrustedCert(err error) (*UntrustedCertError, bool) {
	var ce *UntrustedCertError
	ok := errors.As(err, &ce)
	return ce, ok
}

// normalizeThumbprint accepts a SHA-1 or SHA-256 fingerprint in hex, with or
// without colons, in any case, and returns it in govmomi's form
// (upper-case, colon-separated). "" stays "".
func normalizeThumbprint(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	raw := strings.NewReplacer(":", "", " ", "", "-", "").Replace(strings.TrimSpace(s))
	b, err := hex.DecodeString(raw)
	if err != nil || (len(b) != 20 && len(b) != 32) {
		return "", fmt.Errorf("invalid thumbprint %q: want a SHA-1 (20 bytes) or SHA-256 (32 bytes) fingerprint in hex, e.g. AB:CD:…", s)
	}
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = fmt.Sprintf("%02X", x)
	}
	return strings.Join(parts, ":"), nil
}

func matchesThumbprint(pinned string, cert *x509.Certificate) bool {
	return pinned == soap.ThumbprintSHA256(cert) || pinned == soap.ThumbprintSHA1(cert)
}
