package sim

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/soap"
)

// The fault door
//
// A drill crashes a host of vtui's simulator through a door only the
// simulator opens: HTTPS endpoints beside its SOAP one, under doorPath,
// that take the cookie of a logged-in session, as the SOAP endpoint does.
// No Go import reaches them, so a drill in another process (against
// `vtui sim`) uses the same way as one in process, and against a real
// vCenter the door is simply not there (404): sim-crash cannot touch a
// real host by construction.
//
//	GET  /vtui/sim/v1                     what the door offers (JSON)
//	POST /vtui/sim/v1/hosts/{name}/crash  crash a host (HA emulation)
//	POST /vtui/sim/v1/hosts/{name}/recover
//
// Errors are JSON {"error": "..."} with 401 (no live session), 404 (no such
// host) or 409 (the host is not in a state that allows it).

// doorPath is where the door opens.
const doorPath = "/vtui/sim/v1"

// DoorInfo is what GET doorPath answers.
type DoorInfo struct {
	Simulator string `json:"simulator"` // always "vtui"
	API       int    `json:"api"`
	// HADetectDelay and HABootTime are the HA emulation's timing, as Go
	// durations ("15s"); a boot time range is "30s-1m30s".
	HADetectDelay string `json:"ha_detect_delay"`
	HABootTime    string `json:"ha_boot_time"`
	// Model is the HA emulation's parameters and what it does not model
	// (model.go), for a drill's report.
	Model Model `json:"model"`
}

// currentTime is a SOAP call that needs a session: CurrentTime.
const currentTime = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<CurrentTime xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></CurrentTime>
</soapenv:Body></soapenv:Envelope>`

// authenticated reports whether r carries the cookie of a live session: it
// asks the simulator's own SOAP endpoint, in process, as that session.
func (vc *vcenter) authenticated(r *http.Request) bool {
	cookie, err := r.Cookie(soap.SessionCookieName)
	if err != nil || cookie.Value == "" {
		return false
	}
	probe := httptest.NewRequest(http.MethodPost, "/sdk", strings.NewReader(currentTime))
	probe.Header.Set("Content-Type", "text/xml")
	probe.AddCookie(cookie)
	rec := httptest.NewRecorder()
	vc.svc.ServeSDK(rec, probe)
	return rec.Code == http.StatusOK && !strings.Contains(rec.Body.String(), "Fault>")
}

// door returns the door's handler.
func (vc *vcenter) door() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+doorPath, func(w http.ResponseWriter, r *http.Request) {
		vc.mu.Lock()
		info := DoorInfo{Simulator: "vtui", API: 1, HADetectDelay: vc.ha.opts.detect().String(), HABootTime: vc.ha.opts.bootTimes(), Model: vc.ha.opts.model()}
		vc.mu.Unlock()
		writeJSON(w, http.StatusOK, info)
	})
	host := func(act func(ctx *simulator.Context, name string) error) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			name := r.PathValue("name")
			err := act(vc.sctx, name)
			switch {
			case err == nil:
				writeJSON(w, http.StatusOK, map[string]string{"host": name})
			case errors.Is(err, errUnknownHost):
				writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
			default:
				writeJSON(w, http.StatusConflict, map[string]string{"error": err.Error()})
			}
		}
	}
	mux.HandleFunc("POST "+doorPath+"/hosts/{name}/crash", host(vc.crash))
	mux.HandleFunc("POST "+doorPath+"/hosts/{name}/recover", host(vc.recover))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !vc.authenticated(r) {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "log in to the simulator first: the door takes a live session's cookie"})
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
