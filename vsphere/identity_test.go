package vsphere

import (
	"context"
	"strings"
	"testing"
)

// TestIdentityNamesTheVCenterAndWhatItRuns: the identity carries the
// instance UUID, the URL without credentials, and the product, version
// and build vCenter reports; the session's user is the one logged in.
func TestIdentityNamesTheVCenterAndWhatItRuns(t *testing.T) {
	cfg, _ := testServer(t)
	c, err := Connect(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	id := c.Identity()
	about := c.vim.ServiceContent.About
	if id.InstanceUUID == "" || id.Product != about.Name || id.Version != about.Version || id.Build != about.Build || id.Version == "" || id.Build == "" {
		t.Errorf("Identity() = %+v; want the instance UUID and AboutInfo's name, version and build (%q, %q, %q)", id, about.Name, about.Version, about.Build)
	}
	if strings.Contains(id.URL, testPassword) || strings.Contains(id.URL, "@") {
		t.Errorf("Identity().URL = %q; want no credentials", id.URL)
	}
	user, err := c.SessionUser(context.Background())
	if err != nil || !strings.EqualFold(user, testUser) {
		t.Errorf("SessionUser() = %q, %v; want %q", user, err, testUser)
	}
}
