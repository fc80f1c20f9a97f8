package vsphere

import "github.com/vtui/vtui/vsphere/internal/conn"

// Identity names a vCenter: its instance UUID, which every URL that
// reaches it shares and no other vCenter has, and the URL vtui reached it
// by, with any credentials redacted. A standalone ESXi host has no
// instance UUID; its URL names it then.
type Identity struct {
	InstanceUUID string `json:"instance_uuid,omitempty"`
	URL          string `json:"url"`
}

// Identity returns the identity of the vCenter c is connected to.
func (c *Client) Identity() Identity {
	return Identity{InstanceUUID: c.vim.ServiceContent.About.InstanceUuid, URL: conn.SOAP(c.conn).URL().Redacted()}
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
