package mo

import (
	"reflect"

	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// SetAlarmStatus is the request of AlarmManager.SetAlarmStatus, which
// vCenter's "Reset to Green" sends: it sets the status of an alarm
// triggered on an entity, green clearing it. govmomi's generated types
// lack it, so the client and the simulator share this one; it is
// registered with govmomi's type registry, where a server built on
// vcsim looks requests up.
type SetAlarmStatus struct {
	This   types.ManagedObjectReference `xml:"_this"`
	Alarm  types.ManagedObjectReference `xml:"alarm"`
	Entity types.ManagedObjectReference `xml:"entity"`
	Status types.ManagedEntityStatus    `xml:"status"`
}

// SetAlarmStatusResponse is SetAlarmStatus's empty answer.
type SetAlarmStatusResponse struct{}

// SetAlarmStatusBody is SetAlarmStatus's SOAP body, as govmomi's methods
// package spells each method's.
type SetAlarmStatusBody struct {
	Req    *SetAlarmStatus         `xml:"urn:vim25 SetAlarmStatus,omitempty"`
	Res    *SetAlarmStatusResponse `xml:"SetAlarmStatusResponse,omitempty"`
	Fault_ *soap.Fault             `xml:"http://schemas.xmlsoap.org/soap/envelope/ Fault,omitempty"`
}

// Fault implements soap.HasFault.
func (b *SetAlarmStatusBody) Fault() *soap.Fault { return b.Fault_ }

func init() {
	types.Add("SetAlarmStatus", reflect.TypeOf((*SetAlarmStatus)(nil)).Elem())
}
