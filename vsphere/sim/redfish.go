package sim

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vtui/vtui/internal/bmc"
	"github.com/vtui/vtui/internal/simdoor"
)

// The Redfish service
//
// The simulator's hosts have BMCs: a DMTF Redfish service beside the SOAP
// endpoint, on the same HTTPS server and certificate, so that a drill
// with method redfish runs on the simulator through the same client code
// as on hardware. It serves what a power-off drill uses, in the shapes
// gofish reads:
//
//	GET    /redfish/v1                             the service root (no login needed)
//	GET    /redfish/v1/SessionService
//	GET    /redfish/v1/SessionService/Sessions     POST logs in: X-Auth-Token and Location
//	GET    /redfish/v1/SessionService/Sessions/{id}   DELETE logs out
//	GET    /redfish/v1/Systems                     one ComputerSystem per host
//	GET    /redfish/v1/Systems/{id}                Id (the host's moref), Name, HostName,
//	                                               UUID (its SMBIOS UUID), PowerState
//	POST   /redfish/v1/Systems/{id}/Actions/ComputerSystem.Reset   ResetType ForceOff or On
//
// Everything but the service root and logging in takes a session's
// X-Auth-Token, or HTTP basic authentication, with the simulator's user
// and password. ForceOff crashes the host, as a power loss would (the HA
// emulation fails it over); On recovers it. A host is "Off" while crashed,
// else "On". A reset to the state the system is already in is refused
// with 409, as many BMCs do. Errors are Redfish error objects.
//
// One service answers for every host, as an enclosure's or a chassis
// manager's does: each host's BMC address is its system's URI, which the
// door lists (simdoor.BMC).

// redfishRoot is where the Redfish service has its root.
const redfishRoot = "/redfish/v1"

// maxRedfishSessions bounds the sessions the service keeps, as a BMC's
// few slots do; a client that logs in once more is refused with 503.
const maxRedfishSessions = 64

// maxRedfishBody bounds a request body.
const maxRedfishBody = 64 << 10

// redfishService is the simulator's Redfish service.
type redfishService struct {
	vc         *vcenter
	user, pass string

	mu         sync.Mutex
	thumbprint string            // of the server's certificate, once it serves
	sessions   map[string]string // session ID by token
}

func newRedfishService(vc *vcenter, user, pass string) *redfishService {
	return &redfishService{vc: vc, user: user, pass: pass, sessions: map[string]string{}}
}

// bmcInfo is what the door says of the BMCs, for a client that reached
// the server at host (the request's Host).
func (rs *redfishService) bmcInfo(host string) simdoor.BMCWithPassword {
	ctx := detach(rs.vc.sctx)
	info := simdoor.BMCWithPassword{Redfish: map[string]string{}, Credentials: bmc.Credentials{Username: rs.user, Password: rs.pass}}
	for _, h := range simHosts(ctx) {
		info.Redfish[h.name] = "https://" + host + redfishRoot + "/Systems/" + h.ref.Value
	}
	rs.mu.Lock()
	info.Thumbprint = rs.thumbprint
	rs.mu.Unlock()
	return info
}

// simHost is a host as the BMCs see it.
type simHost struct {
	ref  types.ManagedObjectReference
	name string
	uuid string
}

// simHosts lists the hosts, by name.
func simHosts(ctx *simulator.Context) []simHost {
	var out []simHost
	for _, obj := range ctx.Map.AllReference("HostSystem") {
		h, ok := ctx.Map.Get(obj.Reference()).(*simulator.HostSystem)
		if !ok {
			continue
		}
		ctx.WithLock(h, func() {
			s := simHost{ref: h.Self, name: h.Name}
			if h.Hardware != nil {
				s.uuid = h.Hardware.SystemInfo.Uuid
			}
			out = append(out, s)
		})
	}
	slices.SortFunc(out, func(a, b simHost) int { return strings.Compare(a.name, b.name) })
	return out
}

// handler returns the service's handler.
func (rs *redfishService) handler() http.Handler {
	mux := http.NewServeMux()
	root := func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{
			"@odata.id": redfishRoot + "/", "@odata.type": "#ServiceRoot.v1_11_0.ServiceRoot",
			"Id": "RootService", "Name": "vtui simulator Redfish service", "RedfishVersion": "1.11.0",
			"Systems":        odataID(redfishRoot + "/Systems"),
			"SessionService": odataID(redfishRoot + "/SessionService"),
			"Links":          map[string]any{"Sessions": odataID(redfishRoot + "/SessionService/Sessions")},
		})
	}
	mux.HandleFunc("GET "+redfishRoot, root)
	mux.HandleFunc("GET "+redfishRoot+"/{$}", root)
	mux.HandleFunc("POST "+redfishRoot+"/SessionService/Sessions", rs.login)
	authed := func(pattern string, h http.HandlerFunc) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			if !rs.authenticated(r) {
				w.Header().Set("WWW-Authenticate", `Basic realm="vtui simulator BMC"`)
				redfishError(w, http.StatusUnauthorized, "Base.1.8.NoValidSession", "log in first: POST a session to "+redfishRoot+"/SessionService/Sessions, or use basic authentication")
				return
			}
			h(w, r)
		})
	}
	authed("GET "+redfishRoot+"/SessionService", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{
			"@odata.id": redfishRoot + "/SessionService", "@odata.type": "#SessionService.v1_1_8.SessionService",
			"Id": "SessionService", "Name": "Session Service", "ServiceEnabled": true,
			"Sessions": odataID(redfishRoot + "/SessionService/Sessions"),
		})
	})
	authed("GET "+redfishRoot+"/SessionService/Sessions", func(w http.ResponseWriter, r *http.Request) {
		rs.mu.Lock()
		var ids []string
		for _, id := range rs.sessions {
			ids = append(ids, redfishRoot+"/SessionService/Sessions/"+id)
		}
		rs.mu.Unlock()
		slices.Sort(ids)
		writeJSON(w, http.StatusOK, collection(redfishRoot+"/SessionService/Sessions", "#SessionCollection.SessionCollection", "Sessions", ids))
	})
	authed("GET "+redfishRoot+"/SessionService/Sessions/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !rs.hasSession(r.PathValue("id")) {
			redfishError(w, http.StatusNotFound, "Base.1.8.ResourceMissingAtURI", "no session "+r.PathValue("id"))
			return
		}
		writeJSON(w, http.StatusOK, rs.session(r.PathValue("id")))
	})
	authed("DELETE "+redfishRoot+"/SessionService/Sessions/{id}", func(w http.ResponseWriter, r *http.Request) {
		rs.mu.Lock()
		found := false
		for tok, id := range rs.sessions {
			if id == r.PathValue("id") {
				delete(rs.sessions, tok)
				found = true
			}
		}
		rs.mu.Unlock()
		if !found {
			redfishError(w, http.StatusNotFound, "Base.1.8.ResourceMissingAtURI", "no session "+r.PathValue("id"))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	authed("GET "+redfishRoot+"/Systems", func(w http.ResponseWriter, r *http.Request) {
		var ids []string
		for _, h := range simHosts(detach(rs.vc.sctx)) {
			ids = append(ids, redfishRoot+"/Systems/"+h.ref.Value)
		}
		writeJSON(w, http.StatusOK, collection(redfishRoot+"/Systems", "#ComputerSystemCollection.ComputerSystemCollection", "Computer System Collection", ids))
	})
	authed("GET "+redfishRoot+"/Systems/{id}", func(w http.ResponseWriter, r *http.Request) {
		h, ok := rs.system(r.PathValue("id"))
		if !ok {
			redfishError(w, http.StatusNotFound, "Base.1.8.ResourceMissingAtURI", "no system "+r.PathValue("id"))
			return
		}
		writeJSON(w, http.StatusOK, rs.computerSystem(h))
	})
	authed("POST "+redfishRoot+"/Systems/{id}/Actions/ComputerSystem.Reset", rs.reset)
	return mux
}

// login creates a session for the simulator's user.
func (rs *redfishService) login(w http.ResponseWriter, r *http.Request) {
	var req struct{ UserName, Password string }
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRedfishBody)).Decode(&req); err != nil {
		redfishError(w, http.StatusBadRequest, "Base.1.8.MalformedJSON", "the body is not a session: want {\"UserName\": ..., \"Password\": ...}")
		return
	}
	if !rs.credentialsOK(req.UserName, req.Password) {
		redfishError(w, http.StatusUnauthorized, "Base.1.8.InsufficientPrivilege", "incorrect user name or password")
		return
	}
	tok, id := randomHex(16), randomHex(8)
	rs.mu.Lock()
	full := len(rs.sessions) >= maxRedfishSessions
	if !full {
		rs.sessions[tok] = id
	}
	rs.mu.Unlock()
	if full {
		redfishError(w, http.StatusServiceUnavailable, "Base.1.8.SessionLimitExceeded", fmt.Sprintf("all %d sessions are in use: log out of one", maxRedfishSessions))
		return
	}
	w.Header().Set("X-Auth-Token", tok)
	w.Header().Set("Location", redfishRoot+"/SessionService/Sessions/"+id)
	writeJSON(w, http.StatusCreated, rs.session(id))
}

func (rs *redfishService) session(id string) map[string]any {
	return map[string]any{"@odata.id": redfishRoot + "/SessionService/Sessions/" + id, "@odata.type": "#Session.v1_3_0.Session",
		"Id": id, "Name": "User Session", "UserName": rs.user}
}

func (rs *redfishService) hasSession(id string) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for _, s := range rs.sessions {
		if s == id {
			return true
		}
	}
	return false
}

// credentialsOK compares in constant time.
func (rs *redfishService) credentialsOK(user, pass string) bool {
	u := subtle.ConstantTimeCompare([]byte(user), []byte(rs.user))
	p := subtle.ConstantTimeCompare([]byte(pass), []byte(rs.pass))
	return u&p == 1
}

// authenticated says r carries a session's token or the user's basic
// credentials.
func (rs *redfishService) authenticated(r *http.Request) bool {
	if tok := r.Header.Get("X-Auth-Token"); tok != "" {
		rs.mu.Lock()
		_, ok := rs.sessions[tok]
		rs.mu.Unlock()
		return ok
	}
	user, pass, ok := r.BasicAuth()
	return ok && rs.credentialsOK(user, pass)
}

// system finds the host whose system has Id id.
func (rs *redfishService) system(id string) (simHost, bool) {
	for _, h := range simHosts(detach(rs.vc.sctx)) {
		if h.ref.Value == id {
			return h, true
		}
	}
	return simHost{}, false
}

// powerState is the host's power as its BMC sees it: off while crashed.
func (rs *redfishService) powerState(h simHost) string {
	rs.vc.mu.Lock()
	_, down := rs.vc.ha.crashed[h.ref]
	rs.vc.mu.Unlock()
	if down {
		return "Off"
	}
	return "On"
}

func (rs *redfishService) computerSystem(h simHost) map[string]any {
	uri := redfishRoot + "/Systems/" + h.ref.Value
	return map[string]any{
		"@odata.id": uri, "@odata.type": "#ComputerSystem.v1_20_0.ComputerSystem",
		"Id": h.ref.Value, "Name": h.name, "HostName": h.name, "UUID": h.uuid,
		"SystemType": "Physical", "Manufacturer": "vtui", "Model": "simulated host",
		"PowerState": rs.powerState(h),
		"Actions": map[string]any{"#ComputerSystem.Reset": map[string]any{
			"target":                            uri + "/Actions/ComputerSystem.Reset",
			"ResetType@Redfish.AllowableValues": []string{"On", "ForceOff"},
		}},
	}
}

// reset carries out ComputerSystem.Reset: ForceOff crashes the host, On
// recovers it.
func (rs *redfishService) reset(w http.ResponseWriter, r *http.Request) {
	h, ok := rs.system(r.PathValue("id"))
	if !ok {
		redfishError(w, http.StatusNotFound, "Base.1.8.ResourceMissingAtURI", "no system "+r.PathValue("id"))
		return
	}
	var req struct{ ResetType string }
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRedfishBody)).Decode(&req); err != nil {
		redfishError(w, http.StatusBadRequest, "Base.1.8.MalformedJSON", "the body is not a reset: want {\"ResetType\": \"ForceOff\"}")
		return
	}
	var err error
	switch req.ResetType {
	case "ForceOff":
		if rs.powerState(h) == "Off" {
			redfishError(w, http.StatusConflict, "Base.1.8.ActionNotSupported", h.name+" is already powered off")
			return
		}
		err = rs.vc.crash(rs.vc.sctx, h.ref.Value)
	case "On":
		if rs.powerState(h) == "On" {
			redfishError(w, http.StatusConflict, "Base.1.8.ActionNotSupported", h.name+" is already powered on")
			return
		}
		err = rs.vc.recover(rs.vc.sctx, h.ref.Value)
	default:
		redfishError(w, http.StatusBadRequest, "Base.1.8.ActionParameterValueNotInList", fmt.Sprintf("ResetType %q: this BMC allows On and ForceOff", req.ResetType))
		return
	}
	switch {
	case errors.Is(err, errHostState):
		redfishError(w, http.StatusConflict, "Base.1.8.ResourceInStandby", err.Error())
	case err != nil:
		redfishError(w, http.StatusInternalServerError, "Base.1.8.InternalError", err.Error())
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func odataID(uri string) map[string]string { return map[string]string{"@odata.id": uri} }

func collection(uri, typ, name string, members []string) map[string]any {
	m := make([]map[string]string, len(members))
	for i, id := range members {
		m[i] = odataID(id)
	}
	return map[string]any{"@odata.id": uri, "@odata.type": typ, "Name": name, "Members": m, "Members@odata.count": len(m)}
}

// redfishError writes a Redfish error object.
func redfishError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"code": code, "message": msg,
		"@Message.ExtendedInfo": []map[string]string{{"MessageId": code, "Message": msg}},
	}})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
