package tlstrust

import (
	"strings"
	"testing"
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
