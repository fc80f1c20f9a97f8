// Package maintenance is the use case of putting hosts into maintenance
// mode and taking them out, shared by the TUI's M key and `vtui host
// maintenance`.
//
// A host enters maintenance mode only once no powered-on VM runs on it.
// Who empties it is decided here, once, by placement.DRSEvacuates: DRS
// when it is on and fully automated, vtui otherwise. The faces only say
// how much to decide (Options.Evacuate), show the Plan and hand it to
// the gate; nothing here is sent to vCenter before Plan.Run.
package maintenance
