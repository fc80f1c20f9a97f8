package sim

import (
	"cmp"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"runtime"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
)

// DefaultUsername is the user a Server accepts when Options.Username is empty.
const DefaultUsername = "vtui"

// closeTimeout bounds how long Close waits for requests in flight. Waits
// end when Close drops their connections (requests.go), but vcsim's own
// calls ignore their request's context, and a large retrieval runs on.
const closeTimeout = 2 * time.Second

// Options says where and how to serve. The zero value serves on a free
// loopback port as DefaultUsername with a random password.
type Options struct {
	Listen   string // host:port; "" means 127.0.0.1:0 (a free port). Used as given.
	Username string // "" means DefaultUsername
	Password string // "" means a random password generated per server
	// HA tunes the HA emulation (ha.go): how soon a crashed host is
	// declared failed, how long a restarted VM takes to boot, elections
	// and retries.
	HA HAOptions
	// HostRebootTime is how long a host RebootHost_Task reboots stays
	// away before it is connected again; 0 means DefaultHostRebootTime.
	HostRebootTime time.Duration
	// SessionTimeout is how long a session may stay idle before it is
	// logged out (sessions.go); 0 means DefaultSessionTimeout.
	SessionTimeout time.Duration
	// LoadEnded, if set, is called, in a goroutine of its own, each time
	// a client has been handed the last page of a large first load
	// (10,000 objects or more through one property collector, and no
	// other collector of its session with pages left): the end of a
	// burst of reading, after which the server is likely to be quiet.
	LoadEnded func()
}

// Server is a running in-process simulated vCenter.
type Server struct {
	URL        *url.URL // https://127.0.0.1:PORT/sdk, with no user info
	Username   string
	Password   string
	Thumbprint string // SHA-256 fingerprint of its self-signed certificate, hex with colons (AA:BB:...)
	Spec       Spec   // what it was built from

	model *simulator.Model
	srv   *simulator.Server
	cert  *x509.Certificate
	once  sync.Once
	vc    *vcenter // the vCenter behaviour added to vcsim (route.go)
}

// Start builds the inventory of spec and serves it over HTTPS with a fresh
// self-signed certificate, accepting only the configured credentials.
//
// ctx bounds the build only; the server runs until Close.
func Start(ctx context.Context, spec Spec, opts Options) (*Server, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if err := opts.HA.Validate(); err != nil {
		return nil, fmt.Errorf("start simulator: %w", err)
	}
	listen := opts.Listen
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return nil, fmt.Errorf("start simulator: listen address %q: %w", listen, err)
	}
	user, pass := opts.Username, opts.Password
	if user == "" {
		user = DefaultUsername
	}
	if pass == "" {
		if pass, err = randomPassword(); err != nil {
			return nil, fmt.Errorf("start simulator: %w", err)
		}
	}
	cert, err := selfSignedCert(host)
	if err != nil {
		return nil, fmt.Errorf("start simulator: %w", err)
	}

	m, err := emptyModel()
	if err != nil {
		return nil, fmt.Errorf("start simulator: %w", err)
	}
	if err := build(ctx, m, spec); err != nil {
		m.Remove()
		return nil, fmt.Errorf("start simulator: %w", err)
	}
	// vcsim derives every instance's UUID from the machine: each server
	// gets its own, as each vCenter has, so a drill's journal names one.
	m.Map().Get(vim25.ServiceInstance).(*simulator.ServiceInstance).Content.About.InstanceUuid = uuid.NewString()
	describeEvents(m)
	vc := installVCenter(m)
	vc.bmcs = &ipmiBMCs{ip: host, user: user, pass: pass, byHost: map[string]string{}}
	vc.ha.configure(opts.HA)
	vc.rebootTime = cmp.Or(opts.HostRebootTime, DefaultHostRebootTime)
	vc.feed.collectors.loadEnded = opts.LoadEnded
	for _, cl := range m.Map().All("ClusterComputeResource") {
		vc.assignRoles(detach(vc.sctx), cl.(*simulator.ClusterComputeResource))
	}
	rollUp(detach(vc.sctx)) // what the build cannot add up: admission control's figures
	installAlarms(m)
	vc.evaluateAlarms(detach(vc.sctx))
	vc.serveSessions(cmp.Or(opts.SessionTimeout, DefaultSessionTimeout))
	vc.wrapSDK(m.Service)
	vc.redfish = newRedfishService(vc, user, pass)
	door := vc.door() // registered by newServer, with vcsim's own endpoints
	m.Service.HandleFunc(doorPath+"/", door.ServeHTTP)
	m.Service.HandleFunc(doorPath, door.ServeHTTP)
	bmcs := vc.redfish.handler()
	m.Service.HandleFunc(redfishRoot+"/", bmcs.ServeHTTP)
	m.Service.HandleFunc(redfishRoot, bmcs.ServeHTTP)

	m.Service.Listen = &url.URL{Host: listen, User: url.UserPassword(user, pass)}
	m.Service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv, err := newServer(m.Service)
	if err != nil {
		vc.stop()
		m.Remove()
		return nil, fmt.Errorf("start simulator on %s: %w", listen, err)
	}
	// The build leaves garbage as large as the inventory: collected now,
	// before the first client, the first cycle does not fall on its first
	// requests (at 45,000 VMs a cycle marks 1.2 GB, a second of CPU).
	runtime.GC()
	vc.serve() // not before: see lifecycle

	u := *srv.URL
	u.User = nil
	served := srv.Certificate()
	vc.redfish.mu.Lock()
	vc.redfish.thumbprint = soap.ThumbprintSHA256(served)
	vc.redfish.mu.Unlock()
	return &Server{
		URL:        &u,
		Username:   user,
		Password:   pass,
		Thumbprint: soap.ThumbprintSHA256(served),
		Spec:       spec,
		model:      m,
		vc:         vc,
		srv:        srv,
		cert:       served,
	}, nil
}

// emptyModel creates a bare vCenter service instance, for build to fill:
// a VPX model with every count zeroed.
func emptyModel() (*simulator.Model, error) {
	m := simulator.VPX()
	m.Datacenter, m.Host, m.Cluster, m.ClusterHost = 0, 0, 0, 0
	m.Datastore, m.Machine, m.Portgroup = 0, 0, 0
	m.Autostart = false
	if err := m.Create(); err != nil {
		return nil, fmt.Errorf("create service: %w", err)
	}
	return m, nil
}

// newServer starts serving svc, turning the panic vcsim raises when it
// cannot listen into an error.
func newServer(svc *simulator.Service) (srv *simulator.Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return svc.NewServer(), nil
}

// Close stops serving and removes the simulator's files. It is safe to
// call more than once and from several goroutines.
func (s *Server) Close() {
	s.once.Do(func() {
		// Background work first: it must not write into the simulator's
		// files once they are removed.
		s.vc.stop()
		// Dropping the connections ends clients' idle keep-alives;
		// Close then waits for requests in flight, but not forever.
		s.srv.CloseClientConnections()
		done := make(chan struct{})
		go func() {
			s.srv.Close()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(closeTimeout):
		}
		s.model.Remove()
	})
}

// Settle waits until the background work that follows changes (the
// views' walk, the usage roll-up, the alarms' evaluation: see the package
// documentation) has caught up with every change made so far, or ctx
// ends. vCenter's figures follow a change after a while; a test that
// compares two reads of the same state settles the server before them,
// so that a roll-up cannot land between them. It does not wait for the
// HA agent or for tasks still running.
func (s *Server) Settle(ctx context.Context) error {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !s.vc.settled() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("simulator: background work (roll-up, alarms) still running: %w", context.Cause(ctx))
		case <-tick.C:
		}
	}
	return nil
}

// Model returns the underlying simulator model (for tests and fault
// injection). Changes made through it must go through
// Model().Service.Context's Update or watchers will not see them.
func (s *Server) Model() *simulator.Model {
	return s.model
}

// Certificate returns the server's self-signed certificate, for clients
// that prefer a certificate pool to a thumbprint.
func (s *Server) Certificate() *x509.Certificate {
	return s.cert
}

// randomPassword returns 20 URL-safe characters from 15 random bytes:
// the longest password IPMI 2.0 takes, so that the hosts' IPMI BMCs
// (ipmi.go) accept it.
func randomPassword() (string, error) {
	b := make([]byte, 15)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// selfSignedCert makes a P-256 certificate for localhost, the loopback
// addresses and host, valid for ten years. A fresh key per server, rather
// than vcsim's built-in one whose private key is public, makes the
// thumbprint mean something.
func selfSignedCert(host string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generate certificate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generate certificate serial: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "vtui simulator", Organization: []string{"vtui"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if ip := net.ParseIP(host); ip != nil {
		if !ip.IsLoopback() {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		}
	} else if host != "" && host != "localhost" {
		tmpl.DNSNames = append(tmpl.DNSNames, host)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("create certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("parse certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}
