package vsphere

import (
	"context"
	"fmt"

	"github.com/vmware/govmomi/session"

	"github.com/vtui/vtui/vsphere/internal/conn"
)

// Identity names a vCenter: its instance UUID, which every URL that
// reaches it shares and no other vCenter has, and the URL vtui reached it
// by, with any credentials redacted. A standalone ESXi host has no
// instance UUID; its URL names it then. Product, Version and Build are
// what it says it runs (its AboutInfo: "VMware vCenter Server",
// "8.0.2", "22617221"); they describe it, and do not name it.
type Identity struct {
	InstanceUUID string `json:"instance_uuid,omitempty"`
	URL          string `json:"url"`
	Product      string `json:"product,omitempty"`
	Version      string `json:"version,omitempty"`
	Build        string `json:"build,omitempty"`
}

// Identity returns the identity of the vCenter c is connected to.
func (c *Client) Identity() Identity {
	about := c.vim.ServiceContent.About
	return Identity{InstanceUUID: about.InstanceUuid, URL: conn.SOAP(c.conn).URL().Redacted(),
		Product: about.Name, Version: about.Version, Build: about.Build}
}

// SessionUser asks vCenter who the session is logged in as, in its own
// spelling ("VSPHERE.LOCAL\Administrator"): the user its events and tasks
// name, which may differ from the name given at login.
func (c *Client) SessionUser(ctx context.Context) (string, error) {
	us, err := session.NewManager(c.vim).UserSession(ctx)
	switch {
	case err != nil:
		return "", fmt.Errorf("read the session's user: %w", err)
	case us == nil:
		return "", fmt.Errorf("read the session's user: %s knows no session for this client", c.Host())
	}
	return us.UserName, nil
}

// Same reports whether i and o name the same vCenter: by instance UUID
// when either has one, else by URL.
func (i Identity) Same(o Identity) bool {
	if i.InstanceUUID != "" || o.InstanceUUID != "" {
		return i.InstanceUUID == o.InstanceUUID
	}
	return i.URL == o.URL
}

// String names the vCenter for people: "https://vc01/sdk (instance
// 6f1c…)".
func (i Identity) String() string {
	if i.InstanceUUID == "" {
		return i.URL
	}
	return i.URL + " (instance " + i.InstanceUUID + ")"
}
