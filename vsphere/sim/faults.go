package sim

import (
	"slices"

	"github.com/vmware/govmomi/vim25/types"
)

// FailMethod makes every later call of method (its SOAP name, e.g.
// "RelocateVM_Task" or "PowerOnVM_Task") on the object named objectName
// fail with fault, until undo is called; "" or "*" matches every object,
// and a nil fault means a SystemError saying the fault was injected.
// The call itself returns the fault and no task is created, as when
// vCenter rejects a request outright. The rule belongs to this server
// only, so parallel tests do not see each other's faults.
func (s *Server) FailMethod(method, objectName string, fault types.BaseMethodFault) (undo func()) {
	if objectName == "" {
		objectName = "*"
	}
	if fault == nil {
		fault = &types.SystemError{Reason: "fault injected by the simulator into " + method + " on " + objectName}
	}
	r := &failRule{method: method, object: objectName, fault: fault}
	s.vc.mu.Lock()
	s.vc.fails = append(s.vc.fails, r)
	s.vc.mu.Unlock()
	return func() {
		s.vc.mu.Lock()
		defer s.vc.mu.Unlock()
		s.vc.fails = slices.DeleteFunc(s.vc.fails, func(x *failRule) bool { return x == r })
	}
}
