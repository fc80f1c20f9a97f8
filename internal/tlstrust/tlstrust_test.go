package tlstrust

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNormalizeThumbprint(t *testing.T) {
	sha1 := "ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01"
	tests := []struct{ in, want, err string }{
		{in: "", want: ""},
		{in: sha1, want: strings.ToUpper(sha1)},
		{in: strings.ReplaceAll(sha1, ":", ""), want: strings.ToUpper(sha1)},
		{in: "zz", err: "invalid thumbprint"},
		{in: "abcd", err: "SHA-1 (20 bytes) or SHA-256"},
	}
	for _, tt := range tests {
		got, err := NormalizeThumbprint(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("NormalizeThumbprint(%q) err = %v; want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizeThumbprint(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// TestDialerTrustsOnlyWhatItIsTold: a server's certificate is refused
// unless a CA file signs it or a pinned thumbprint (SHA-256 or SHA-1)
// matches it, or insecure is set; a refusal names both fingerprints and
// ends with the caller's advice.
func TestDialerTrustsOnlyWhatItIsTold(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	cert := srv.Certificate()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := srv.Listener.Addr().String()
	for _, tt := range []struct {
		name, ca, pin string
		insecure      bool
		err           string
	}{
		{name: "nothing", err: "is not trusted (SHA-256 " + ThumbprintSHA256(cert) + ", SHA-1 " + ThumbprintSHA1(cert) + "); pin " + ThumbprintSHA256(cert)},
		{name: "CA file", ca: ca},
		{name: "SHA-256", pin: strings.ToLower(strings.ReplaceAll(ThumbprintSHA256(cert), ":", ""))},
		{name: "SHA-1", pin: ThumbprintSHA1(cert)},
		{name: "another pin", pin: strings.Repeat("AB", 32), err: "does not match the pinned thumbprint AB:AB"},
		{name: "insecure", insecure: true},
	} {
		d, err := NewDialer(context.Background(), tt.ca, tt.pin, tt.insecure, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		d.Advice = func(sha256 string) string { return "pin " + sha256 }
		conn, err := d.DialTLSContext(context.Background(), "tcp", addr)
		if err == nil {
			conn.Close()
		}
		_, untrusted := AsUntrustedCert(err)
		if (tt.err == "") != (err == nil) || (err != nil && (!untrusted || !strings.Contains(err.Error(), tt.err))) {
			t.Errorf("%s: err = %v; want %q", tt.name, err, tt.err)
		}
	}
}
