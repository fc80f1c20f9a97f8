package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vtui/vtui/internal/simdoor"
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
//	GET  /vtui/sim/v1                     what the door offers (JSON), with
//	                                      where the hosts' BMCs answer (simdoor.BMC)
//	GET  /vtui/sim/v1?ipmi=HOST&ipmi=...  the same, once those hosts' IPMI BMCs serve (ipmi.go)
//	POST /vtui/sim/v1/hosts/{name}/crash  crash a host (HA emulation)
//	POST /vtui/sim/v1/hosts/{name}/recover
//	POST /vtui/sim/v1/hosts/{name}/isolate          cut its management network
//	POST /vtui/sim/v1/partition                     {"hosts": ["esx-a-03.lab.local", ...]}
//	POST /vtui/sim/v1/hosts/{name}/restore-network  end its isolation or partition
//
// Errors are JSON {"error": "..."} with 400 (too many BMCs asked for, or
// a partition's body is not JSON, or larger than maxDoorBody), 401 (no
// live session), 404 (no such host) or 409 (the host is not in a state
// that allows it, the hosts of a partition are not some of one cluster's,
// or no more BMCs may start).

// doorPath is where the door opens.
const doorPath = "/vtui/sim/v1"

// DoorInfo is what GET doorPath answers.
type DoorInfo = simdoor.Info[simdoor.BMCWithPassword]

// doorFaults are the operations the door offers.
var doorFaults = []string{"crash", "recover", "isolate", "partition", "restore-network"}

// maxDoorBody bounds the body of a door request.
const maxDoorBody = 64 << 10

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
		names := r.URL.Query()["ipmi"]
		if len(names) > maxIPMIBMCs {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("%d IPMI BMCs asked for: at most %d", len(names), maxIPMIBMCs)})
			return
		}
		for _, name := range names {
			if _, err := vc.ipmiAddress(name); err != nil {
				writeError(w, err)
				return
			}
		}
		vc.mu.Lock()
		o := vc.ha.opts
		vc.mu.Unlock()
		info := DoorInfo{Simulator: "vtui", API: 1, HADetectDelay: o.detect().String(), HABootTime: o.bootTimes(),
			HAIsolationDelay: o.isolationDelay(false).String(), Faults: doorFaults, Model: o.model()}
		info.BMC = vc.redfish.bmcInfo(r.Host)
		info.BMC.IPMI = vc.ipmiServing()
		writeJSON(w, http.StatusOK, info)
	})
	host := func(act func(ctx *simulator.Context, name string) error) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			name := r.PathValue("name")
			answer(w, map[string]string{"host": name}, act(vc.sctx, name))
		}
	}
	mux.HandleFunc("POST "+doorPath+"/hosts/{name}/crash", host(vc.crash))
	mux.HandleFunc("POST "+doorPath+"/hosts/{name}/recover", host(vc.recover))
	mux.HandleFunc("POST "+doorPath+"/hosts/{name}/isolate", host(vc.isolate))
	mux.HandleFunc("POST "+doorPath+"/hosts/{name}/restore-network", host(vc.restoreNetwork))
	mux.HandleFunc("POST "+doorPath+"/partition", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Hosts []string `json:"hosts"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxDoorBody)).Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf(
				`a partition takes a JSON body {"hosts": ["esx-a-03.lab.local", ...]} of at most %d KiB: %v`, maxDoorBody>>10, err)})
			return
		}
		answer(w, map[string][]string{"hosts": req.Hosts}, vc.partition(vc.sctx, req.Hosts))
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !vc.authenticated(r) {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "log in to the simulator first: the door takes a live session's cookie"})
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// writeError answers err: 404 for an unknown host, else 409.
func writeError(w http.ResponseWriter, err error) {
	status := http.StatusConflict
	if errors.Is(err, errUnknownHost) {
		status = http.StatusNotFound
	}
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

// answer writes ok, or err as writeError does.
func answer(w http.ResponseWriter, ok any, err error) {
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, ok)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
